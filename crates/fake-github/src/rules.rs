//! A tag ruleset: GitHub's repository rules "restrict creations", "restrict updates" and
//! "restrict deletions" on the tags whose names match a pattern, with no bypass for the token.

use crate::state::RepoState;

/// What a request would do to a reference.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RefChange {
    Create,
    Update,
    Delete,
}

impl RefChange {
    /// The rule's line in GitHub's "Repository rule violations found" message.
    fn rule_text(self) -> &'static str {
        match self {
            RefChange::Create => "Cannot create ref due to creations being restricted.",
            RefChange::Update => "Cannot update this protected ref.",
            RefChange::Delete => "Cannot delete this protected ref.",
        }
    }
}

/// fnmatch-like, as ruleset patterns: `*` is any run without `/`, `**` any run, `?` one
/// character that is not `/`.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p {
            [] => n.is_empty(),
            ['*', '*', rest @ ..] => (0..=n.len()).any(|i| go(rest, &n[i..])),
            ['*', rest @ ..] => {
                let run = n.iter().take_while(|c| **c != '/').count();
                (0..=run).any(|i| go(rest, &n[i..]))
            }
            ['?', rest @ ..] => n.first().is_some_and(|c| *c != '/') && go(rest, &n[1..]),
            [c, rest @ ..] => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// GitHub's message when a rule refuses `change` to the reference `full_ref` (`refs/tags/v1`),
/// `None` when no rule applies.
pub(crate) fn refusal(r: &RepoState, full_ref: &str, change: RefChange) -> Option<String> {
    let tag = full_ref.strip_prefix("refs/tags/")?;
    let protected = r
        .tag_rules
        .iter()
        .any(|pattern| glob_match(pattern.strip_prefix("refs/tags/").unwrap_or(pattern), tag));
    protected.then(|| {
        format!(
            "Repository rule violations found\n\n{}\n\n",
            change.rule_text()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn patterns_match_as_rulesets_do() {
        assert!(glob_match("v*", "v1.2.3"));
        assert!(glob_match("v*", "v"));
        assert!(!glob_match("v*", "release-1"));
        assert!(!glob_match("v*", "v1/extra"));
        assert!(glob_match("**", "a/b"));
        assert!(glob_match("core-v?.*", "core-v1.0"));
        assert!(!glob_match("core-v?.*", "core-v10.0"));
    }
}
