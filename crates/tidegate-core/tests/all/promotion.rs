//! Promotion PR text: entries that add up to the range, a body that keeps people's words and never
//! passes GitHub's limit, and titles from templates.

use tidegate_core::commit::CommitInfo;
use tidegate_core::promotion::{
    BLOCK_BEGIN, BLOCK_END, BODY_LIMIT, DEFAULT_TITLE, Facts, RangeCommit, TargetOnly, body,
    entries, squashed_promotions, title,
};

fn commit(n: usize, message: &str, email: &str) -> RangeCommit {
    RangeCommit {
        info: CommitInfo {
            id: format!("{n:040x}"),
            message: message.to_string(),
            author: format!("Author {n}"),
            time: n as i64,
            merged_pr: None,
        },
        email: email.to_string(),
        is_merge: false,
    }
}

fn facts(commits: Vec<RangeCommit>) -> Facts {
    Facts {
        source: "main".into(),
        target: "stable".into(),
        source_sha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678".into(),
        target_sha: "ffeeddccbbaa99887766554433221100ffeeddcc".into(),
        commits,
        links: tidegate_core::links::Links::from_remote("https://github.com/acme/widgets"),
        ..Facts::default()
    }
}

/// Newest first: a GitHub merge of PR 7 with its two branch commits, a squash merge, a plain
/// merge record, and a commit pushed directly.
fn mixed_range() -> Vec<RangeCommit> {
    let mut merge = commit(
        1,
        "Merge pull request #7 from acme/x\n\nfeat(ui): dark mode",
        "gh@x",
    );
    merge.is_merge = true;
    let mut branch_a = commit(2, "wip", "9+grace@users.noreply.github.com");
    branch_a.info.merged_pr = Some(7);
    let mut branch_b = commit(3, "more wip", "linus@example.org");
    branch_b.info.merged_pr = Some(7);
    let squash = commit(
        4,
        "fix(api): stop dropping the last page (#8)",
        "ada@users.noreply.github.com",
    );
    let mut record = commit(5, "Merge branch 'stable' into main", "x@y");
    record.is_merge = true;
    let direct = commit(6, "tidy the readme", "x@y");
    vec![merge, branch_a, branch_b, squash, record, direct]
}

#[test]
fn every_commit_is_counted_once_and_pull_requests_roll_up() {
    let range = mixed_range();
    let listed = entries(&range);
    assert_eq!(listed.iter().map(|e| e.commits).sum::<usize>(), range.len());
    let pr7 = listed
        .iter()
        .find(|e| e.pull_requests == [7])
        .expect("PR 7 listed once");
    assert_eq!(
        (pr7.kind.as_str(), pr7.description.as_str(), pr7.commits),
        ("feat", "dark mode", 3)
    );
    // The PR's authors are its commits' authors, not whoever merged it.
    let logins: Vec<_> = pr7.authors.iter().map(|a| a.login.clone()).collect();
    assert_eq!(logins, [Some("grace".to_string()), None]);
    assert_eq!(listed.len(), 4, "{listed:#?}");
}

#[test]
fn the_block_groups_by_type_links_authors_without_mentioning_them_and_escapes_text() {
    let mut range = mixed_range();
    range.push(commit(
        9,
        "feat: greet @everyone <script>alert(1)</script>, closes #3",
        "x@y",
    ));
    let text = body(None, &facts(range));
    assert!(
        text.starts_with(BLOCK_BEGIN) && text.ends_with(BLOCK_END),
        "{text}"
    );
    assert!(
        text.contains("**7 commits** from 2 pull requests, `main` a1b2c3d → `stable` ffeeddc"),
        "{text}"
    );
    let features = text.find("### Features").expect("features");
    let fixes = text.find("### Bug fixes").expect("fixes");
    let other = text.find("### Other").expect("other");
    assert!(features < fixes && fixes < other);
    assert!(
        text.contains(
            "* **ui:** dark mode (#7) · 3 commits · [grace](https://github.com/grace), Author 3"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "* **api:** stop dropping the last page (#8) · [ada](https://github.com/ada)"
        )
    );
    assert!(
        !text.contains("<script>") && !text.contains(" @everyone"),
        "{text}"
    );
    assert!(!text.to_lowercase().contains("closes #3"), "{text}");
    assert!(text.contains("Trial merge: clean"));
}

#[test]
fn people_keep_what_they_wrote_around_the_block() {
    let first = body(None, &facts(mixed_range()[..4].to_vec()));
    let edited =
        format!("Release captain: please check the migration.\n\n{first}\n\n- [ ] QA signed off\n");
    let updated = body(Some(&edited), &facts(mixed_range()));
    assert!(updated.starts_with(&format!(
        "Release captain: please check the migration.\n\n{BLOCK_BEGIN}"
    )));
    assert!(updated.ends_with("\n\n- [ ] QA signed off\n"), "{updated}");
    assert_eq!(updated.matches(BLOCK_BEGIN).count(), 1);
    assert!(updated.contains("**6 commits**") && !updated.contains("**4 commits**"));
    // Markers removed by hand: the text is kept and a fresh block follows it.
    let unmarked = body(Some("just my notes"), &facts(mixed_range()));
    assert!(unmarked.starts_with("just my notes\n\n") && unmarked.ends_with(BLOCK_END));
}

#[test]
fn a_huge_promotion_fits_githubs_limit_and_says_how_many_are_left_out() {
    let range: Vec<RangeCommit> = (0..3_000)
        .map(|n| {
            commit(
                n,
                &format!("feat(area{n}): a change described at some length, number {n} (#{n})"),
                "x@y",
            )
        })
        .collect();
    let people = "notes ".repeat(3_000);
    let edited = format!("{people}\n{BLOCK_BEGIN}\nold\n{BLOCK_END}");
    for existing in [None, Some(edited.as_str())] {
        let text = body(existing, &facts(range.clone()));
        assert!(text.encode_utf16().count() < BODY_LIMIT, "{}", text.len());
        let shown = text.lines().filter(|l| l.starts_with("* **area")).count();
        let more = format!("…and {} more commits", 3_000 - shown);
        assert!(
            text.contains(&more),
            "missing `{more}` in …{}",
            &text[text.len() - 400..]
        );
        assert!(text.contains("/compare/ffeeddccbbaa99887766554433221100ffeeddcc...a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"));
        assert!(text.ends_with(BLOCK_END));
    }
}

#[test]
fn divergence_and_conflicts_are_reported() {
    let mut facts = facts(mixed_range());
    facts.target_only = vec![
        TargetOnly {
            id: "1".repeat(40),
            subject: "fix: hotfix on stable".into(),
            equivalent_on_source: true,
            ..TargetOnly::default()
        },
        TargetOnly {
            id: "2".repeat(40),
            subject: "chore: stable only".into(),
            equivalent_on_source: false,
            ..TargetOnly::default()
        },
    ];
    facts.conflicts = vec!["src/lib.rs".into(), "weird `name`.txt".into()];
    let text = body(None, &facts);
    assert!(
        text.contains("Only on `stable`: 2 commits (1 already on `main` as an equivalent patch)"),
        "{text}"
    );
    assert!(text.contains("* fix: hotfix on stable ([1111111](https://github.com/acme/widgets/commit/1111111111111111111111111111111111111111)) · equivalent patch on the source"), "{text}");
    assert!(text.contains("Trial merge: **conflicts** in 2 files"));
    assert!(text.contains("* ``weird `name`.txt``"), "{text}");
}

#[test]
fn titles_fill_placeholders_and_reject_unknown_ones() {
    let facts = facts(mixed_range());
    assert_eq!(
        title(tidegate_core::promotion::DEFAULT_TITLE, &facts).expect("title"),
        "chore: promote main → stable (6 commits, a1b2c3d)"
    );
    assert_eq!(
        title("{{{count}}} {target}", &facts).expect("title"),
        "{6} stable"
    );
    let error = title("promote {branch}", &facts).expect_err("unknown placeholder");
    assert!(
        error.0.contains("{branch}") && error.0.contains("{source}"),
        "{}",
        error.0
    );
}

#[test]
fn a_marker_quoted_in_a_commit_cannot_end_the_block_and_updates_converge() {
    let range = vec![
        commit(
            1,
            "fix: handle `<!-- tidegate:promotion:end -->` in bodies",
            "x@y",
        ),
        commit(2, "docs: <!-- tidegate:promotion:begin --> as text", "x@y"),
    ];
    let facts = facts(range);
    let first = body(Some("people's words"), &facts);
    let second = body(Some(&first), &facts);
    assert_eq!(first, second, "a second update changes nothing");
    assert_eq!(second.lines().filter(|l| *l == BLOCK_END).count(), 1);
    assert!(second.starts_with("people's words\n\n"));
}

#[test]
fn a_revert_is_not_folded_into_the_change_it_reverts() {
    let range = vec![
        commit(1, "Revert \"feat: add x (#12)\" (#13)", "x@y"),
        commit(2, "feat: add x (#12)", "x@y"),
    ];
    let listed = entries(&range);
    let prs: Vec<_> = listed
        .iter()
        .map(|e| (e.kind.as_str(), e.commits))
        .collect();
    // Git's own revert subject (the revert button's) is a revert: listed under Reverts, and the
    // feature keeps its own line.
    assert_eq!(prs, [("revert", 1), ("feat", 1)], "{listed:#?}");
}

#[test]
fn a_merge_without_its_pr_title_takes_its_branchs_most_telling_change() {
    let mut merge = commit(1, "Merge pull request #20 from acme/topic", "gh@x");
    merge.is_merge = true;
    let mut breaking = commit(2, "feat(api)!: drop the v1 endpoint", "x@y");
    breaking.info.merged_pr = Some(20);
    let mut fix = commit(3, "fix: typo", "x@y");
    fix.info.merged_pr = Some(20);
    let text = body(None, &facts(vec![merge, breaking, fix]));
    let breaking_at = text
        .find("### ⚠ Breaking changes")
        .expect("breaking section");
    let line = text[breaking_at..].lines().nth(1).unwrap_or_default();
    assert_eq!(
        line, "* **api:** drop the v1 endpoint (#20) · 3 commits · Author 2, Author 3",
        "{text}"
    );
}

#[test]
fn long_divergence_and_conflict_lists_still_fit() {
    let mut facts = facts(vec![commit(1, "feat: one", "x@y")]);
    let long = "x".repeat(2_000);
    facts.target_only = (0..500)
        .map(|n| TargetOnly {
            id: format!("{n:040x}"),
            subject: format!("fix: {long}"),
            equivalent_on_source: false,
            ..TargetOnly::default()
        })
        .collect();
    facts.conflicts = (0..500).map(|n| format!("{long}/{n}.rs")).collect();
    let text = body(None, &facts);
    assert!(text.encode_utf16().count() < BODY_LIMIT, "{}", text.len());
    assert!(
        text.contains("* …and 480 more ([compare](https://github.com/acme/widgets/compare/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678...ffeeddccbbaa99887766554433221100ffeeddcc))"),
        "{text}"
    );
    assert!(text.contains("Trial merge: **conflicts** in 500 files"));
}

#[test]
fn merges_that_bring_nothing_are_counted_after_the_real_divergence_not_listed() {
    let mut facts = facts(vec![commit(1, "feat: one", "x@y")]);
    let merge = |n: u8| TargetOnly {
        id: n.to_string().repeat(40),
        subject: format!("Merge pull request #{n} from acme/main"),
        is_merge: true,
        clean_merge: true,
        ..TargetOnly::default()
    };
    facts.target_only = vec![merge(3), merge(4)];
    let text = body(None, &facts);
    assert!(
        text.contains(
            "Only on `stable`: 2 merge commits that bring no change of their own ([compare]("
        ),
        "{text}"
    );
    assert!(!text.contains("Merge pull request"), "{text}");

    facts.target_only.insert(
        1,
        TargetOnly {
            id: "5".repeat(40),
            subject: "fix: hotfix".into(),
            ..TargetOnly::default()
        },
    );
    let text = body(None, &facts);
    assert!(
        text.contains("Only on `stable`: 1 commit, besides 2 merge commits that bring no change of their own ([compare]("),
        "{text}"
    );
    assert!(text.contains("* fix: hotfix ([5555555]("), "{text}");
    assert!(!text.contains("1 commits"), "{text}");
}

#[test]
fn squashed_promotions_are_found_by_title_or_by_a_tree_the_range_leads_to() {
    let only = |subject: &str, same_tree: bool, is_merge: bool| TargetOnly {
        id: "6".repeat(40),
        subject: subject.into(),
        is_merge,
        same_tree_as: same_tree.then(|| "7".repeat(40)),
        ..TargetOnly::default()
    };
    let found = |c: TargetOnly, template: &str| !squashed_promotions(&[c], template).is_empty();
    assert!(found(
        only(
            "chore: promote main → stable (12 commits, a1b2c3d) (#40)",
            false,
            false
        ),
        DEFAULT_TITLE
    ));
    assert!(found(
        only(
            "chore: promote main → stable (1 commit, a1b2c3d)",
            false,
            false
        ),
        DEFAULT_TITLE
    ));
    assert!(found(
        only("Weekly: main to stable (#3)", false, false),
        "Weekly: {source} to {target}"
    ));
    assert!(found(only("anything at all", true, false), DEFAULT_TITLE));
    assert!(!found(only("fix: hotfix", false, false), DEFAULT_TITLE));
    assert!(
        !found(
            only("chore: promote main → stable (2 commits, abc)", false, true),
            DEFAULT_TITLE
        ),
        "a merge commit is not a squash"
    );
    assert!(
        !found(only("main", false, false), "{source}"),
        "a template of placeholders alone matches too much to tell"
    );
}

#[test]
fn an_empty_title_is_refused() {
    let facts = facts(mixed_range());
    for template in ["", "   "] {
        let error = title(template, &facts).expect_err("empty");
        assert!(error.0.contains("--title is empty"), "{}", error.0);
    }
}
