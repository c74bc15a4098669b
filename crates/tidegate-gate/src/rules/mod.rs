//! One module per kind of rule; each returns its row for the report.

pub(crate) mod checks;
pub(crate) mod misc;
pub(crate) mod reviews;
pub(crate) mod votes;

/// `@login` for people (escaped as a mention-free code span in Markdown).
pub(crate) fn at(login: &str) -> String {
    format!("@{login}")
}

/// A list for a sentence: `a, b`, or `none`.
pub(crate) fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
