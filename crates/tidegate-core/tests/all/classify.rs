//! Commit classification with git-conventional.

use crate::changes;

#[test]
fn reads_type_scope_description_body_and_footers() {
    let c = &changes("feat(api): add widgets (#101)\n\nA longer body.\n\nRefs: #7\n")[0];
    assert_eq!(c.kind, "feat");
    assert_eq!(c.scope.as_deref(), Some("api"));
    assert_eq!(c.description, "add widgets");
    assert_eq!(c.prs, vec![101]);
    assert_eq!(c.body.as_deref(), Some("A longer body."));
    assert!(!c.breaking);
}

#[test]
fn breaking_comes_from_bang_or_a_real_footer_only() {
    assert!(changes("feat!: x")[0].breaking);
    let footer = &changes("fix: x\n\nBREAKING CHANGE: the API moved\n")[0];
    assert!(footer.breaking);
    assert_eq!(footer.breaking_note.as_deref(), Some("the API moved"));
    assert!(changes("fix: x\n\nBREAKING-CHANGE: hyphenated\n")[0].breaking);
    // Prose that mentions the phrase is not a footer.
    let prose =
        "fix: x\n\nThis is not a BREAKING CHANGE: we only mention it.\n\nMore prose here.\n";
    assert!(!changes(prose)[0].breaking);
}

#[test]
fn types_are_lowercased_and_hyphenated_types_parse() {
    assert_eq!(changes("FEAT: shout")[0].kind, "feat");
    assert_eq!(changes("security-fix: patch\n")[0].kind, "security-fix");
}

#[test]
fn non_conventional_messages_are_kept_as_other() {
    let c = changes("Update README.md");
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].kind, "other");
    assert_eq!(c[0].description, "Update README.md");
}

#[test]
fn squash_bodies_hold_several_messages() {
    let message = "feat: adds v4 UUID (#12)\n\n* fix(utils): unicode no longer throws\n\n* feat(utils): update encode to support unicode\n  BREAKING-CHANGE: encode method no longer throws.\n\nNote: this paragraph is prose, not a change.\n";
    let c = changes(message);
    let kinds: Vec<(&str, Option<&str>)> = c
        .iter()
        .map(|c| (c.kind.as_str(), c.scope.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("feat", None),
            ("fix", Some("utils")),
            ("feat", Some("utils"))
        ]
    );
    assert!(c[2].breaking, "the footer belongs to the third message");
    assert!(!c[1].breaking);
    assert_eq!(
        c[2].breaking_note.as_deref(),
        Some("encode method no longer throws.")
    );
}

#[test]
fn a_non_conventional_squash_title_over_conventional_bodies_is_dropped_for_them() {
    let c = changes("Big PR (#9)\n\n* feat: one\n\n* fix: two\n");
    let kinds: Vec<&str> = c.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, vec!["feat", "fix"]);
}

#[test]
fn release_as_footer_is_case_insensitive_and_accepts_v() {
    assert_eq!(
        changes("chore: x\n\nRelease-As: v2.0.0")[0].release_as,
        Some(semver::Version::new(2, 0, 0))
    );
    assert_eq!(
        changes("chore: x\n\nrelease-as: 2.1.0")[0].release_as,
        Some(semver::Version::new(2, 1, 0))
    );
    // Also in a message that is not conventional.
    assert_eq!(
        changes("Release it\n\nRelease-As: 3.0.0")[0].release_as,
        Some(semver::Version::new(3, 0, 0))
    );
}

#[test]
fn an_invalid_release_as_is_ignored_with_a_warning() {
    let commit = tidegate_core::commit::CommitInfo {
        id: "abcdef0123".into(),
        message: "chore: x\n\nRelease-As: banana".into(),
        ..Default::default()
    };
    let out = tidegate_core::commit::classify(&commit, tidegate_core::commit::DEFAULT_TYPES);
    assert_eq!(out.changes[0].release_as, None);
    assert_eq!(out.warnings.len(), 1);
    assert!(out.warnings[0].contains("banana"), "{}", out.warnings[0]);
}

#[test]
fn merge_records_are_recognised() {
    use tidegate_core::commit::{is_merge_record, merged_pull_request};
    assert_eq!(
        merged_pull_request("Merge pull request #42 from octo/topic"),
        Some(42)
    );
    assert!(is_merge_record("Merge branch 'topic' into main"));
    assert!(is_merge_record(
        "Merge remote-tracking branch 'origin/main'"
    ));
    assert!(!is_merge_record("Merged the docs"));
    assert!(!is_merge_record("feat: merge widgets"));
}

#[test]
fn huge_messages_classify() {
    let body = "line of text\n".repeat(80_000);
    let c = changes(&format!("fix: big\n\n{body}"));
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].kind, "fix");
}

proptest::proptest! {
    /// Pull request references are found and removed exactly as the regex `\s*\(#(\d+)\)` (with
    /// `replace_all`) does, which the hand-written scan replaces.
    #[test]
    fn pr_references_match_the_regex(tail in "[ \t\x0B\x0C\r(#)0-9a]{0,40}") {
        let message = format!("Update x{tail}");
        let re = regex_lite::Regex::new(r"\s*\(#(\d+)\)").expect("valid regex");
        let header = message.trim();
        let prs: Vec<u64> = re
            .captures_iter(header)
            .filter_map(|c| c[1].parse().ok())
            .collect();
        let description = re.replace_all(header, "").trim().to_string();
        let change = &changes(&message)[0];
        proptest::prop_assert_eq!(&change.description, &description);
        proptest::prop_assert_eq!(&change.prs, &prs);
    }
}
