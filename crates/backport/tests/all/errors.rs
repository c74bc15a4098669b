//! Bad inputs: one line each, and nothing made.

use crate::{NAME, OWNER, World};

fn fix(w: &World) -> u64 {
    w.merged_pr(
        "fix-count",
        "Fix the widget count",
        &[(
            "app.txt",
            "one\ntwo\nthree\nfour\n",
            "fix: count the fourth widget",
        )],
        "squash",
    )
}

fn nothing_made(w: &World, before: usize) {
    assert_eq!(w.pulls().len(), before);
    assert_eq!(w.fake.write_count(), 0, "no write");
}

#[test]
fn a_target_branch_that_does_not_exist_is_refused_before_anything_is_made() {
    let w = World::new();
    let number = fix(&w);
    let before = w.pulls().len();
    w.run(&["--pr", &number.to_string(), "--to", "release/1,release/9"])
        .fails_with(2, "branch `release/9` does not exist");
    nothing_made(&w, before);
}

#[test]
fn a_pr_not_merged_is_refused() {
    let w = World::new();
    let number = w.open_pr(
        "idea",
        "An idea",
        &[("idea.txt", "idea\n", "feat: an idea")],
    );
    w.run(&["--pr", &number.to_string(), "--to", "release/1"])
        .fails_with(2, &format!("pull request #{number} is not merged"));
    nothing_made(&w, 1);
}

#[test]
fn an_unknown_pr_is_refused() {
    let w = World::new();
    w.run(&["--pr", "404", "--to", "release/1"])
        .fails_with(2, "there is no pull request #404 in acme/widgets");
    nothing_made(&w, 0);
}

#[test]
fn usage_mistakes_are_one_line() {
    let w = World::new();
    w.run(&["--pr", "1"])
        .fails_with(2, "--pr 1 needs --to BRANCH");
    w.run(&[]).fails_with(2, "nothing says what to backport");
    let number = fix(&w);
    w.run(&["--pr", &number.to_string(), "--to", "main"])
        .fails_with(2, "was merged into `main` itself");
    nothing_made(&w, 1);
}

#[test]
fn a_branch_someone_else_made_is_never_moved() {
    let w = World::new();
    let number = fix(&w);
    let head = format!("backport/{number}-to-release/1");
    let theirs = w
        .fake
        .commit_file(OWNER, NAME, &head, "other.txt", "x\n", "wip: mine");
    let run = w.run(&[
        "--pr",
        &number.to_string(),
        "--to",
        "release/1,release/2",
        "--json",
    ]);
    run.fails_with(1, "commits this backport did not make");
    assert_eq!(
        w.fake.branch_sha(OWNER, NAME, &head).as_deref(),
        Some(theirs.as_str())
    );
    assert!(w.backports_to("release/1").is_empty());
    assert_eq!(
        w.backports_to("release/2").len(),
        1,
        "the other target is done"
    );
    assert!(w.outputs()["results"].contains("\"failed\""));
}
