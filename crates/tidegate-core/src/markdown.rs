//! Escaping of commit text before it lands in Markdown that GitHub renders.
//!
//! Commit messages are written by anyone with push access; release notes and PR bodies are read by
//! everyone. Text from a commit must not become a link, an HTML element, a mention or an issue
//! closing keyword by accident.

use regex_lite::Regex;
use std::sync::LazyLock;

/// `@name` at the start of a word is a GitHub mention (users, teams `@org/team`). An `@` inside a
/// word (an e-mail address) is not.
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^\w`])(@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?)")
        .expect("valid regex")
});

/// GitHub's closing keywords followed by an issue reference (`#1`, `owner/repo#1`, or an issue URL).
static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)(:?\s+)((?:[\w.-]+/[\w.-]+)?#\d+|https?://\S+/issues/\d+)",
    )
    .expect("valid regex")
});

/// Escapes one line of commit text for use inline in Markdown.
///
/// - Code spans (`` `like this` ``) are kept as they are: GitHub renders nothing inside them.
/// - Markdown punctuation that could start emphasis, links or HTML is backslash-escaped, and `<`,
///   `>` and `&` become entities, so `<script>` shows as text.
/// - `@name` is wrapped in a code span: GitHub decodes entities and backslash escapes before it
///   looks for mentions, but never looks inside code.
/// - `closes #12` (and fixes/resolves) becomes `refs #12`, so merging notes closes no issue.
/// - Line breaks become spaces: an entry is one line.
pub fn escape_inline(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(flat.len() + 16);
    for (i, part) in split_code_spans(&flat).into_iter().enumerate() {
        if i % 2 == 1 {
            out.push_str(part);
        } else {
            out.push_str(&escape_text(part));
        }
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
        CLOSING.replace_all(text, "refs$1$2")
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '\\' | '*' | '_' | '[' | ']' | '|' | '~' | '`' => {
                escaped.push('\\');
                escaped.push(c);
            }
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
    use super::escape_inline;

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
    }

    #[test]
    fn html_and_markdown_are_neutralised() {
        assert_eq!(
            escape_inline("a <b>bold</b> & [x](y)"),
            "a &lt;b&gt;bold&lt;/b&gt; &amp; \\[x\\](y)"
        );
        assert_eq!(
            escape_inline("use *stars* and _under_"),
            "use \\*stars\\* and \\_under\\_"
        );
    }

    #[test]
    fn code_spans_are_kept_verbatim() {
        assert_eq!(escape_inline("run `a <b> @c` now"), "run `a <b> @c` now");
        assert_eq!(escape_inline("lonely ` tick"), "lonely \\` tick");
        assert_eq!(escape_inline("``a ` b`` c"), "``a ` b`` c");
    }

    #[test]
    fn closing_keywords_become_refs() {
        assert_eq!(escape_inline("closes #12, Fixes: #3"), "refs #12, refs: #3");
        assert_eq!(escape_inline("resolved octo/repo#9"), "refs octo/repo#9");
        assert_eq!(escape_inline("the fix is #12"), "the fix is #12");
    }

    #[test]
    fn lines_are_flattened() {
        assert_eq!(escape_inline("one\ntwo\r\n  three"), "one two three");
    }
}
