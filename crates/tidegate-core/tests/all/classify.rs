//! Commit classification: messages read as release-please reads them.

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

fn summary(changes: &[tidegate_core::commit::Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            let scope = c
                .scope
                .as_deref()
                .map(|s| format!("({s})"))
                .unwrap_or_default();
            let bang = if c.breaking { "!" } else { "" };
            format!("{}{scope}{bang}: {}", c.kind, c.description)
        })
        .collect()
}

#[test]
fn github_squash_bullets_are_not_changes() {
    // GitHub's default squash body lists the branch's commits as bullets; the PR title is the change.
    let message = "feat: adds v4 UUID (#12)\n\n* fix(utils): unicode no longer throws\n\n* feat!: drop node 14\n\n* chore: fix lint\n";
    assert_eq!(summary(&changes(message)), vec!["feat: adds v4 UUID"]);
    let dashes = "fix: a (#3)\n\n- feat!: not a change\n- fix: nor this\n";
    assert_eq!(summary(&changes(dashes)), vec!["fix: a"]);
}

#[test]
fn a_blank_line_then_a_known_header_starts_another_message() {
    let message = "feat: one\n\nfix(utils): two\n\nSome prose about two.\n\ndocs: three\n";
    assert_eq!(
        summary(&changes(message)),
        vec!["feat: one", "fix(utils): two", "docs: three"]
    );
    // `deps` and `feat!` are not in release-please's list of types that split a message: such a
    // line is a footer of the message before it, and a footer with a type is a change too.
    // A title that is not conventional over such messages is dropped for them.
    let title = "Big PR (#9)\n\nfeat: one\n\nfix: two\n";
    assert_eq!(summary(&changes(title)), vec!["feat: one", "fix: two"]);
    let bang = "fix: a\n\nfeat!: b\n";
    assert_eq!(summary(&changes(bang)), vec!["feat!: b", "fix: a"]);
}

#[test]
fn conventional_lines_in_the_footer_block_are_further_changes() {
    let message = "chore: release 2.0.0\n\nSome context.\n\nfeat!: remove the command option\nrefactor!: rewrite in TypeScript\ndeps!: upgrade to v16\n  with the new engine\nSigned-off-by: Ada <ada@example.com>\n";
    let c = changes(message);
    assert_eq!(
        summary(&c),
        vec![
            "feat!: remove the command option",
            "refactor!: rewrite in TypeScript",
            "deps!: upgrade to v16",
            "chore: release 2.0.0",
        ],
        "a trailer such as Signed-off-by is not a change"
    );
    assert_eq!(
        c[2].breaking_note.as_deref(),
        Some("upgrade to v16"),
        "the footer's own header is its note"
    );
    assert_eq!(c[2].body.as_deref(), Some("with the new engine"));
}

#[test]
fn nested_commit_blocks_are_further_messages() {
    let message = "chore: googleapis update\n\nBEGIN_NESTED_COMMIT\nfix(api): one\n\nPiperOrigin-RevId: 1\nEND_NESTED_COMMIT\nBEGIN_NESTED_COMMIT\nfeat(b)!: two\nEND_NESTED_COMMIT\n";
    assert_eq!(
        summary(&changes(message)),
        vec!["chore: googleapis update", "fix(api): one", "feat(b)!: two"]
    );
    // An unterminated block runs to the end, and its text still parses.
    let open = "fix: a\n\nBEGIN_NESTED_COMMIT\nfeat: b\n";
    assert_eq!(summary(&changes(open)), vec!["fix: a", "feat: b"]);
}

#[test]
fn a_body_line_repeating_the_header_is_read_as_release_please_reads_it() {
    // The repeated line is a footer of the header (release-please lists both); as a bullet it is
    // prose.
    let repeated = "feat(deps)!: update octokit to v20\n\nfeat(deps)!: update octokit to v20\n";
    assert_eq!(
        summary(&changes(repeated)),
        vec![
            "feat(deps)!: update octokit to v20",
            "feat(deps)!: update octokit to v20"
        ]
    );
    let bullet = "feat(deps)!: update octokit to v20\n\n* feat(deps)!: update octokit to v20\n";
    assert_eq!(summary(&changes(bullet)).len(), 1);
}

#[test]
fn breaking_markers_after_trailers_and_in_indented_footer_commits() {
    let after_trailers = "fix: x\n\nSigned-off-by: Ada <a@example.com>\nCo-authored-by: Bo <b@example.com>\nBREAKING CHANGE: the default moved\n";
    let c = changes(after_trailers);
    assert_eq!(summary(&c), vec!["fix!: x"]);
    assert_eq!(c[0].breaking_note.as_deref(), Some("the default moved"));

    let indented =
        "chore: sync\n\nfeat(utils): update encode\n  BREAKING-CHANGE: encode no longer throws.\n";
    let c = changes(indented);
    assert_eq!(
        summary(&c),
        vec!["chore: sync", "feat(utils)!: update encode"]
    );
    assert_eq!(
        c[1].breaking_note.as_deref(),
        Some("encode no longer throws.")
    );
}

#[test]
fn breaking_change_may_stand_where_the_bang_goes() {
    // The grammar release-please uses takes `BREAKING CHANGE` wherever it takes `!`.
    let c = changes("feat(a)BREAKING CHANGE: x\n");
    assert_eq!(summary(&c), vec!["feat(a)!: x"]);
    // In a footer it is a breaking change of its own and, as a `BREAKING CHANGE` token, notes the
    // header too.
    let c = changes("feat: x\n\nfix(a)BREAKING-CHANGE: gone\n  really\n");
    assert_eq!(summary(&c), vec!["fix(a)!: gone", "feat!: x"]);
    assert_eq!(c[1].breaking_note.as_deref(), Some("really"));
}

#[test]
fn a_breaking_note_keeps_a_list_under_it() {
    let message =
        "feat: x\n\nBREAKING CHANGE: endpoints were removed\n#### Deleted\n- one\n- two\n";
    assert_eq!(
        changes(message)[0].breaking_note.as_deref(),
        Some("endpoints were removed\n    #### Deleted\n    - one\n    - two")
    );
    // Lines of a plain note are joined; the note ends at a blank line.
    let plain = "fix: y\n\nBREAKING CHANGE: first\nsecond\n\nnot part of it\n";
    assert_eq!(
        changes(plain)[0].breaking_note.as_deref(),
        Some("first second")
    );
}

#[test]
fn footer_references_are_kept() {
    let c = &changes("fix: z\n\nCloses #7\nRefs: #9\nFixes: #1, #2\n")[0];
    assert_eq!(c.references, vec!["7", "9"], "a list is not one reference");
    // Written as they are: release-please keeps leading zeros and numbers of any length.
    let c = &changes("fix: z\n\nCloses #0012\nRefs #99999999999999999999999\n")[0];
    assert_eq!(c.references, vec!["0012", "99999999999999999999999"]);
}

#[test]
fn odd_input_parses_without_panic() {
    // A word followed by an unclosed parenthesis makes release-please give up on the message; it is
    // then not conventional.
    assert_eq!(changes("fix: a\n\ncall(foo: bar\n")[0].kind, "other");
    // Footers that only look like a type are trailers; the message still counts.
    assert_eq!(summary(&changes("fix: a\n\nNote: slow\n")), vec!["fix: a"]);
    for message in [
        "",
        "\n\n",
        "feat(",
        "BEGIN_NESTED_COMMIT",
        "END_NESTED_COMMIT feat: x",
        "feat: x\n\nBREAKING CHANGE:",
        "Revert \"feat: x\"\n\nThis reverts commit 123.",
        "feat: \u{feff}\u{a0}x\r\r\nBREAKING-CHANGE:\r\n",
    ] {
        let c = changes(message);
        assert!(!c.is_empty(), "{message:?}");
    }
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

/// Shapes from release-please's own parser tests, in messages of our own.
#[test]
fn release_please_test_suite_shapes() {
    // A header that names no known type, prose, then a block of footer commits with indented
    // trailers; one of them breaking through an indented BREAKING-CHANGE.
    let meta = "meta: several changes\n\nSome context.\n\nfix: handle #12\nfeat(billing): move to the new client\n  Committer: someone\n  BREAKING-CHANGE: the client options changed.\n  Source-Link: example/repo@abc1234\n\nfix(auth): refresh tokens.\n  Source-Link: example/repo@def5678\n";
    let c = changes(meta);
    assert_eq!(
        summary(&c),
        vec![
            "meta: several changes",
            "feat(billing)!: move to the new client",
            "fix: handle #12",
            "fix(auth): refresh tokens."
        ]
    );
    // A squash body whose bullets are prose, with a BREAKING CHANGE line of its own.
    let squash = "fix: some fix (#1234)\n\n* first commit\n\nbody\n\n* second commit\n\nBREAKING CHANGE: the default moved\n";
    let c = changes(squash);
    assert_eq!(summary(&c), vec!["fix!: some fix"]);
    assert_eq!(c[0].breaking_note.as_deref(), Some("the default moved"));
    // `feat!(scope):` is not a header (the `!` goes after the scope), so that line is prose.
    let misplaced = "chore: regenerate (#5)\n\nChanges:\n\nfeat!(storage): update a request\nfeat(pubsub): add a field\n";
    assert_eq!(
        summary(&changes(misplaced)),
        vec!["feat(pubsub): add a field", "chore: regenerate"]
    );
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
