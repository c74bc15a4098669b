//! Hostile text from commits, PR titles and comments, and the checks that it reached an Actions
//! log, `$GITHUB_OUTPUT` or Markdown as text only (reliability area, issue 18).

/// Subjects a hostile contributor could write. Each binary's injection test puts them where that
/// binary reads outside text.
pub const SUBJECTS: &[&str] = &[
    "::set-output name=x::y",
    "::add-mask::hunter2",
    "::stop-commands::tok",
    "  ::error::forged%0A::warning::again",
    "%0A::error::forged",
    "##[set-output name=x;]y",
    "thanks @mallory and @evil-org/team",
    "look <img src=x onerror=alert(1)>",
    "fixes #12",
    "closes owner/repo#3",
];

/// Bodies: several lines, some starting like a workflow command or the output file's delimiter.
pub const BODIES: &[&str] = &[
    "line one\n::set-output name=x::y\n::stop-commands::tok\nghadelimiter_00000000\nx=forged",
    "@mallory\n<script>alert(1)</script>\nFixes #12\nCloses owner/repo#3",
];

/// The workflow commands Tidegate itself writes (their data is escaped by tidegate-actions).
const OWN_COMMANDS: &[&str] = &[
    "::error::",
    "::warning::",
    "::notice::",
    "::group::",
    "::endgroup::",
    "::add-mask::",
    "::debug::",
];

/// The first line of a log (stdout or stderr on Actions) that the runner would read as a
/// workflow command Tidegate did not mean to write, if any. The runner trims leading space and
/// also reads the older `##[command]` form.
pub fn forged_log_line(log: &str) -> Option<String> {
    log.lines()
        .find(|line| {
            let trimmed = line.trim_start();
            (trimmed.starts_with("::") && !OWN_COMMANDS.iter().any(|c| trimmed.starts_with(c)))
                || line.contains("##[")
                || trimmed.starts_with("::add-mask::hunter2")
        })
        .map(str::to_string)
}

/// The keys of `$GITHUB_OUTPUT` text, read as the runner reads it (`name=value`, or
/// `name<<DELIMITER` up to a line that is the delimiter).
pub fn output_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        match (line.split_once("<<"), line.split_once('=')) {
            (Some((name, delimiter)), Some((before, _))) if name.len() < before.len() => {
                keys.push(name.to_string());
                lines.by_ref().find(|l| *l == delimiter);
            }
            (Some((name, delimiter)), None) => {
                keys.push(name.to_string());
                lines.by_ref().find(|l| *l == delimiter);
            }
            (_, Some((name, _))) => keys.push(name.to_string()),
            (None, None) => keys.push(format!("<not an output line: {line}>")),
        }
    }
    keys
}

/// What in rendered Markdown (a PR body, release notes, a comment) came from the hostile text
/// as markup instead of text: a mention of `@mallory` or `@evil-org`, an `<img` or `<script`
/// element, or a closing keyword before an issue reference. Code spans and fenced blocks are
/// text, as GitHub renders them. Returns the offending line.
pub fn markdown_leak(markdown: &str) -> Option<String> {
    let closing = regex_lite::Regex::new(
        r"(?i)(^|[^A-Za-z0-9])(close[sd]?|fix(e[sd])?|resolve[sd]?):?\s+((\S+/\S+)?#\d|https?://\S+/issues/\d)",
    )
    .expect("valid regex");
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        for raw in text_outside_code(line) {
            // Backslash escapes undone, and the entities the escaper writes read back.
            let mut text = String::new();
            let mut chars = raw.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, chars.peek()) {
                    ('\\', Some(next)) if next.is_ascii_punctuation() => {
                        text.push(*next);
                        chars.next();
                    }
                    _ => text.push(c),
                }
            }
            let text = text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            let lower = text.to_lowercase();
            let mention = ["@mallory", "@evil-org"].iter().any(|m| {
                lower
                    .match_indices(m)
                    .any(|(at, _)| at == 0 || !lower[..at].ends_with(|c: char| c.is_alphanumeric()))
            });
            // An element is `<` as written, not escaped by a backslash or an entity.
            let raw_lower = raw.to_lowercase();
            let element = ["<img", "<script"].iter().any(|e| {
                raw_lower
                    .match_indices(e)
                    .any(|(at, _)| !raw_lower[..at].ends_with('\\'))
            });
            if mention || element || closing.is_match(&text) {
                return Some(line.to_string());
            }
        }
    }
    None
}

/// The parts of one line of Markdown outside code spans, as written (a backslash-escaped
/// backtick opens no span).
pub fn text_outside_code(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut parts = vec![String::new()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1).is_some_and(char::is_ascii_punctuation) {
            let part = parts.last_mut().expect("a part");
            part.push(c);
            part.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '`' {
            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
            let mut j = i + run;
            let mut closed = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let other = chars[j..].iter().take_while(|&&c| c == '`').count();
                    if other == run {
                        closed = Some(j + other);
                        break;
                    }
                    j += other;
                } else {
                    j += 1;
                }
            }
            if let Some(end) = closed {
                parts.push(String::new());
                i = end;
            } else {
                parts
                    .last_mut()
                    .expect("a part")
                    .extend(std::iter::repeat_n('`', run));
                i += run;
            }
            continue;
        }
        parts.last_mut().expect("a part").push(c);
        i += 1;
    }
    parts
}
