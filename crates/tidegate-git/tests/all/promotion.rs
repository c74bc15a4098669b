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
