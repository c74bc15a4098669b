//! Escaping of commit text before it lands in Markdown that GitHub renders.
//!
//! Commit messages are written by anyone with push access; release notes and PR bodies are read by
//! everyone. Text from a commit must not become a link, an HTML element, a mention or an issue
//! closing keyword by accident.

use regex_lite::Regex;
use std::sync::LazyLock;

/// `@name` at the start of a word is a GitHub mention (users, teams `@org/team`), also right after
/// an emphasis `_` (`_@name_` renders as emphasised text that starts with the mention) or an
/// escaped backtick. An `@` after a letter or digit (an e-mail address) is not, except right
/// after another mention: once that one is in a code span, `@ada@bob` would start the text after
/// it with `@bob`, so mentions written together are wrapped together.
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^A-Za-z0-9])((?:@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?)+)")
        .expect("valid regex")
});

/// The start of an HTML character reference.
static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);").expect("valid regex")
});

/// GitHub's closing keywords followed by an issue reference (`#1`, `owner/repo#1`, or an issue URL),
/// after anything but a letter or digit (`_fixes #1_` renders as emphasised `fixes #1`).
static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[^A-Za-z0-9])(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)(:?\s+)((?:[\w.-]+/[\w.-]+)?#\d+|https?://\S+/issues/\d+)",
    )
    .expect("valid regex")
});

/// Escapes one line of commit text for use inline in Markdown.
///
/// - Code spans (`` `like this` ``) are kept as they are: GitHub renders nothing inside them.
/// - `<`, `>` and an `&` that would start an entity become entities, so `<script>` shows as
///   text; `[`, `]`, `\` and stray backticks are backslash-escaped, so no link is made. Emphasis
///   characters are kept as written, as release-please writes them (a leading `*` is escaped).
/// - `@name` is wrapped in a code span: GitHub decodes entities and backslash escapes before it
///   looks for mentions, but never looks inside code.
/// - `closes #12` (and fixes/resolves) becomes `refs #12`, so merging notes closes no issue.
/// - Line breaks become spaces: an entry is one line.
/// - A leading `::` is written `\::` (GitHub shows `::`), so the line cannot be read as a
///   workflow command (`::stop-commands::…`) when it is printed to an Actions log.
pub fn escape_inline(text: &str) -> String {
    // Line breaks become spaces; other spacing stays as written (release-please keeps it).
    let flat = text
        .trim()
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(flat.len() + 16);
    for (i, part) in split_code_spans(&flat).into_iter().enumerate() {
        let piece = if i % 2 == 1 {
            part.to_string()
        } else {
            escape_text(part)
        };
        // Two code spans written together would make one run of backticks, which opens or
        // closes something else; a space keeps each span whole.
        if out.ends_with('`') && piece.starts_with('`') {
            out.push(' ');
        }
        out.push_str(&piece);
    }
    if out.starts_with("::") {
        out.insert(0, '\\');
    }
    out
}

/// A bare `#N` (not `owner/repo#N`, not an entity such as `&#60;`, not inside a link's text),
/// and an `@` right after it: `#12@ada` is left as it is, since a link ending before `@ada`
/// would start the text after it with a mention.
static ISSUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[^\w&;\[])#([0-9]+)\b(@?)").expect("valid regex"));

/// Links every `#N` outside code spans of already escaped Markdown to its issue, as release-please
/// links issue references in an entry's text.
pub fn link_issue_refs(markdown: &str, url: impl Fn(u64) -> String) -> String {
    replace_issue_refs(markdown, |n| format!("[#{n}]({})", url(n)))
}

/// Writes every bare `#N` outside code spans of already escaped Markdown as `slug#N`: text from
/// one repository shown in another, where a bare `#N` would name (and cross-reference) the other
/// repository's issue N.
pub fn qualify_issue_refs(markdown: &str, slug: &str) -> String {
    replace_issue_refs(markdown, |n| format!("{slug}#{n}"))
}

fn replace_issue_refs(markdown: &str, with: impl Fn(u64) -> String) -> String {
    if !markdown.contains('#') {
        return markdown.to_string();
    }
    let mut out = String::with_capacity(markdown.len());
    for (i, part) in split_code_spans(markdown).into_iter().enumerate() {
        if i % 2 == 1 {
            out.push_str(part);
            continue;
        }
        out.push_str(&ISSUE.replace_all(part, |c: &regex_lite::Captures<'_>| {
            match c[2].parse::<u64>() {
                Ok(n) if c[3].is_empty() => format!("{}{}", &c[1], with(n)),
                _ => c[0].to_string(),
            }
        }));
    }
    out
}

/// Text shown literally in a code span (branch and file names), fenced with one more backtick than
/// the longest run inside it, so no name can break out of it.
pub fn code_span(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let longest = flat.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// Splits text into alternating plain and code-span parts (plain first). A backtick run with no
/// matching closing run is plain text.
fn split_code_spans(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
        let fence = &text[i..i + run];
        match find_closing_run(&text[i + run..], fence) {
            Some(end) => {
                let close = i + run + end + run;
                parts.push(&text[start..i]);
                parts.push(&text[i..close]);
                start = close;
                i = close;
            }
            None => i += run,
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The offset of a backtick run of exactly `fence`'s length in `rest`.
fn find_closing_run(rest: &str, fence: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while let Some(pos) = rest[i..].find(fence) {
        let at = i + pos;
        let run = bytes[at..].iter().take_while(|&&b| b == b'`').count();
        if run == fence.len() {
            return Some(at);
        }
        i = at + run;
    }
    None
}

fn escape_text(text: &str) -> String {
    // The patterns need a `#` or an issue URL, and an `@`: most lines have neither, and skipping
    // the regex search for them is most of the cost of escaping a long changelog.
    let text = if text.contains('#') || text.contains("/issues/") {
        CLOSING.replace_all(text, "${1}refs$2$3")
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let mut escaped = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            // Only an `&` that would start an entity (`&lt;`, `&#60;`) is escaped, so `ESM & CJS`
            // stays as release-please writes it.
            '&' if ENTITY.is_match(&text[i..]) => escaped.push_str("&amp;"),
            // Links and escapes are what could turn commit text into something else. Emphasis
            // characters stay as written (release-please's bytes), except a leading `*`, which
            // would nest a list.
            '\\' | '[' | ']' | '`' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '*' if i == 0 => escaped.push_str("\\*"),
            _ => escaped.push(c),
        }
    }
    if !escaped.contains('@') {
        return escaped;
    }
    MENTION.replace_all(&escaped, "$1`$2`").into_owned()
}

#[cfg(test)]
mod tests {
    use super::{escape_inline, link_issue_refs, qualify_issue_refs};

    #[test]
    fn mentions_become_code_and_emails_stay() {
        assert_eq!(
            escape_inline("thanks @ada and @org/team"),
            "thanks `@ada` and `@org/team`"
        );
        assert_eq!(
            escape_inline("mail ada@example.com"),
            "mail ada@example.com"
        );
        assert_eq!(escape_inline("@ada first"), "`@ada` first");
        assert_eq!(escape_inline("@ada@bob x`@eve"), "`@ada@bob` x\\``@eve`");
        assert_eq!(
            escape_inline("hi _@octocat_ *@org/team*"),
            "hi _`@octocat`_ *`@org/team`*"
        );
    }

    #[test]
    fn html_and_markdown_are_neutralised() {
        assert_eq!(
            escape_inline("a <b>bold</b> & [x](y) &lt;i&gt;"),
            "a &lt;b&gt;bold&lt;/b&gt; & \\[x\\](y) &amp;lt;i&amp;gt;"
        );
        // Emphasis stays as release-please writes it; a leading star would nest a list.
        assert_eq!(
            escape_inline("use *stars* and _under_"),
            "use *stars* and _under_"
        );
        assert_eq!(escape_inline("* not a list"), "\\* not a list");
    }

    #[test]
    fn code_spans_are_kept_verbatim() {
        assert_eq!(escape_inline("run `a <b> @c` now"), "run `a <b> @c` now");
        assert_eq!(escape_inline("lonely ` tick"), "lonely \\` tick");
        assert_eq!(escape_inline("``a ` b`` c"), "``a ` b`` c");
        assert_eq!(escape_inline("`x`@ada`y`"), "`x` `@ada` `y`");
    }

    #[test]
    fn closing_keywords_become_refs() {
        assert_eq!(escape_inline("closes #12, Fixes: #3"), "refs #12, refs: #3");
        assert_eq!(escape_inline("resolved octo/repo#9"), "refs octo/repo#9");
        assert_eq!(escape_inline("the fix is #12"), "the fix is #12");
        assert_eq!(escape_inline("_fixes #12_"), "_refs #12_");
    }

    #[test]
    fn lines_are_flattened() {
        assert_eq!(escape_inline("one\ntwo\r\n  three"), "one two three");
        assert_eq!(
            escape_inline("  ::stop-commands::tok"),
            "\\::stop-commands::tok"
        );
        assert_eq!(
            escape_inline("keeps  its   spacing"),
            "keeps  its   spacing"
        );
    }

    #[test]
    fn issue_references_become_links_outside_code() {
        let url = |n: u64| format!("https://x/issues/{n}");
        assert_eq!(
            link_issue_refs("constraints, #1990 and `#7` x#8", url),
            "constraints, [#1990](https://x/issues/1990) and `#7` x#8"
        );
        assert_eq!(link_issue_refs("see #12@ada", url), "see #12@ada");
    }

    #[test]
    fn bare_issue_references_get_the_repository_outside_code() {
        assert_eq!(
            qualify_issue_refs("refs #12, see #3 and o/r#4 `#5` &#60;", "acme/widgets"),
            "refs acme/widgets#12, see acme/widgets#3 and o/r#4 `#5` &#60;"
        );
    }
}
