//! Promotion facts from real repositories: which tips GitHub would merge, the range, divergence
//! with equivalent patches, and the trial merge.

use testkit::TestRepo;
use tidegate_git::History;
use tidegate_git::promotion::PromoteError;

/// `main` three commits ahead of `stable`, which has a cherry-pick of one of them and a hotfix.
fn diverged() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_file("app.txt", "one\n", "feat: base");
    repo.git(&["branch", "stable"]);
    repo.commit_file("a.txt", "a\n", "feat: a");
    let fix = repo.commit_file("b.txt", "b\n", "fix: b");
    repo.commit_file("c.txt", "c\n", "docs: c");
    repo.checkout(&["stable"]);
    repo.git(&["cherry-pick", &fix]);
    repo.commit_file("hot.txt", "hot\n", "fix: hotfix only on stable");
    repo.checkout(&["main"]);
    repo
}

#[test]
fn the_range_lists_what_the_source_adds_and_marks_equivalent_patches_on_the_target() {
    let repo = diverged();
    let history = History::open(repo.path()).expect("open");
    let source = history.branch_tip("main").expect("main");
    let target = history.branch_tip("stable").expect("stable");
    let range = history
        .promotion_range(source.commit, target.commit)
        .expect("range");
    let subjects: Vec<_> = range
        .commits
        .iter()
        .map(|c| c.info.message.trim())
        .collect();
    assert_eq!(subjects, ["docs: c", "fix: b", "feat: a"]);
    assert!(!range.fast_forward);
    assert!(range.conflicts.is_empty(), "{:?}", range.conflicts);
    let only: Vec<_> = range
        .target_only
        .iter()
        .map(|c| (c.subject.as_str(), c.equivalent_on_source))
        .collect();
    assert_eq!(
        only,
        [("fix: hotfix only on stable", false), ("fix: b", true)]
    );
}

#[test]
fn the_trial_merge_names_the_conflicting_files_and_leaves_the_worktree_alone() {
    let repo = TestRepo::new();
    repo.commit_file("app.txt", "one\n", "feat: base");
    repo.git(&["branch", "stable"]);
    repo.commit_file("app.txt", "main's line\n", "feat: main edits");
    repo.commit_file("clean.txt", "x\n", "feat: no conflict here");
    repo.checkout(&["stable"]);
    repo.commit_file("app.txt", "stable's line\n", "fix: stable edits");
    repo.checkout(&["main"]);
    let history = History::open(repo.path()).expect("open");
    let (source, target) = (
        history.branch_tip("main").expect("main"),
        history.branch_tip("stable").expect("stable"),
    );
    let range = history
        .promotion_range(source.commit, target.commit)
        .expect("range");
    assert_eq!(range.conflicts, ["app.txt"]);
    assert_eq!(repo.read("app.txt"), "main's line\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn remote_tracking_branches_win_over_stale_local_ones() {
    let origin = diverged();
    let clone = TestRepo::new();
    clone.set_remote(&origin.path().display().to_string());
    clone.git(&["fetch", "-q", "origin"]);
    // A local `stable` left behind at an old commit, as on a runner that reuses a workspace.
    clone.git(&["branch", "stable", "origin/main~3"]);
    let history = History::open(clone.path()).expect("open");
    let tip = history.branch_tip("stable").expect("stable");
    assert_eq!(tip.found_as, "origin/stable");
    assert_eq!(tip.commit.to_string(), origin.git(&["rev-parse", "stable"]));
    // A branch only the local checkout has is still found.
    clone.git(&["branch", "local-only", "origin/main"]);
    assert_eq!(
        history.branch_tip("local-only").expect("local").found_as,
        "local-only"
    );
    assert!(matches!(
        history.branch_tip("nope"),
        Err(PromoteError::UnknownBranch(_))
    ));
}

#[test]
fn a_shallow_checkout_is_refused_with_the_fix() {
    let origin = diverged();
    let shallow = origin.shallow_clone(1);
    let history = History::open(shallow.path()).expect("open");
    let head = history.resolve("HEAD").expect("head");
    let error = history.promotion_range(head, head).expect_err("shallow");
    assert!(error.to_string().contains("fetch-depth: 0"), "{error}");
    assert_eq!(error.exit_code(), 2);
}

#[test]
fn a_target_behind_the_source_is_a_fast_forward() {
    let repo = TestRepo::new();
    repo.commit("feat: base");
    repo.git(&["branch", "stable"]);
    repo.commit("feat: next");
    let history = History::open(repo.path()).expect("open");
    let (source, target) = (
        history.branch_tip("main").expect("main"),
        history.branch_tip("stable").expect("stable"),
    );
    let range = history
        .promotion_range(source.commit, target.commit)
        .expect("range");
    assert!(range.fast_forward && range.target_only.is_empty() && range.conflicts.is_empty());
    assert_eq!(range.commits.len(), 1);
}

#[test]
fn merges_that_bring_nothing_of_their_own_and_squashed_trees_are_told_apart() {
    let repo = TestRepo::new();
    repo.commit_file("app.txt", "one\n", "feat: base");
    repo.git(&["branch", "stable"]);
    repo.commit_file("a.txt", "a\n", "feat: a");
    repo.checkout(&["stable"]);
    repo.commit_file("hot.txt", "hot\n", "fix: hotfix");
    // An earlier promotion's merge: nothing of its own.
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "main",
        "-m",
        "Merge pull request #1 from acme/main",
    ]);
    // A merge that changes something itself (an "evil" merge).
    repo.checkout(&["main"]);
    repo.commit_file("b.txt", "b\n", "feat: b");
    repo.checkout(&["stable"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "main"]);
    repo.write("own.txt", "the merge's own change\n");
    repo.commit_all("Merge branch 'main' into stable");
    repo.checkout(&["main"]);
    repo.commit_file("c.txt", "c\n", "feat: c");
    repo.commit_file("d.txt", "d\n", "feat: d");
    // main's c and d squashed onto a branch off stable: one commit with main's combined change.
    repo.git(&["checkout", "-q", "-b", "squashed", "stable"]);
    repo.git(&["merge", "-q", "--squash", "main"]);
    repo.commit_all("Weekly promotion");

    let history = History::open(repo.path()).expect("open");
    let source = history.branch_tip("main").expect("main");
    let target = history.branch_tip("squashed").expect("squashed");
    let range = history
        .promotion_range(source.commit, target.commit)
        .expect("range");
    let seen: Vec<_> = range
        .target_only
        .iter()
        .map(|c| {
            (
                c.subject.as_str(),
                c.is_merge,
                c.clean_merge,
                c.same_tree_as.is_some(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("Weekly promotion", false, false, false),
            ("Merge branch 'main' into stable", true, false, false),
            ("Merge pull request #1 from acme/main", true, true, false),
            ("fix: hotfix", false, false, false),
        ],
        "the squash's tree is not main's here: stable has its own commits"
    );

    // With nothing else on the target, a squash has exactly the tree of the source commit it
    // squashed up to.
    repo.git(&["checkout", "-q", "-b", "plain", "main~2"]);
    repo.git(&["merge", "-q", "--squash", "main"]);
    repo.commit_all("Weekly promotion");
    let target = history.branch_tip("plain").expect("plain");
    let range = history
        .promotion_range(source.commit, target.commit)
        .expect("range");
    assert_eq!(
        range.target_only[0].same_tree_as.as_deref(),
        Some(source.commit.to_string().as_str())
    );
}
