//! `bump pr` and `bump release` given what goes wrong in real repositories: each gets one clear
//! line, the right exit code, and nothing half-made.

use crate::github::{BRANCH, NAME, OWNER, World};

#[test]
fn no_token_is_refused_before_anything_is_read() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    for command in ["pr", "release"] {
        world.fake.reset_counts();
        let run = world.run_without_token(&[command]);
        run.fails_with(2, "no GitHub token: set GITHUB_TOKEN");
        assert_eq!(world.fake.total_requests(), 0);
    }
}

#[test]
fn a_read_only_token_is_told_to_ask_for_contents_write() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.fake.set_read_only_token(true);
    world.run(&["pr"]).fails_with(2, "contents: write");
    assert!(world.pulls().is_empty());
    assert_eq!(world.fake.branch_sha(OWNER, NAME, BRANCH), None);
}

#[test]
fn a_tag_ruleset_refusal_is_one_line_and_no_release_is_made() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("squash");
    world.fake.protect_tags(OWNER, NAME, "v*");
    let run = world.run(&["release"]);
    run.fails_with(2, "a tag ruleset refuses tag v1.1.0");
    assert_eq!(world.fake.releases(OWNER, NAME).len(), 1);
    assert_eq!(world.fake.tag_sha(OWNER, NAME, "v1.1.0"), None);
}

#[test]
fn the_base_branch_moving_during_the_run_changes_nothing() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    // Someone pushes after the runner checked out.
    world.pull();
    world
        .dev
        .commit_file("late.txt", "late\n", "fix: a late fix (#7)");
    world.dev.git(&["push", "-q", "origin", "main"]);
    let run = world.run(&["pr"]);
    run.fails_with(1, "moved during the run");
    assert!(world.pulls().is_empty());
    assert_eq!(world.fake.branch_sha(OWNER, NAME, BRANCH), None);
}

#[test]
fn a_version_file_broken_on_main_stops_both_commands_with_its_name() {
    let world = World::new();
    world.pull();
    world.dev.write(
        "package.json",
        "{\n  \"name\": \"widgets\",\n  \"version\": \n",
    );
    world.dev.commit_all("fix: oops (#8)");
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.fetch();
    world.fake.reset_counts();
    let release = world.run(&["release"]);
    assert_eq!(release.code, 2, "{}", release.stderr);
    assert!(
        release.stderr.contains("package.json"),
        "{}",
        release.stderr
    );
    let pr = world.run(&["pr"]);
    assert_eq!(pr.code, 2, "{}", pr.stderr);
    assert!(pr.stderr.contains("package.json"), "{}", pr.stderr);
    assert_eq!(world.fake.write_count(), 0);
    assert!(world.tags() == ["v1.0.0"]);
}

#[test]
fn a_dispatch_workflow_that_does_not_exist_is_refused_before_tagging() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("squash");
    world
        .run(&["release", "--dispatch", "images.yml"])
        .fails_with(2, "--dispatch images.yml: no such workflow");
    assert_eq!(world.fake.tag_sha(OWNER, NAME, "v1.1.0"), None);

    world.fake.add_workflow(OWNER, NAME, "images.yml");
    world.run(&["release", "--dispatch", "images.yml"]).ok();
    let dispatches = world.fake.dispatches(OWNER, NAME);
    assert_eq!(dispatches.len(), 1, "{dispatches:?}");
    assert_eq!(dispatches[0].workflow, "images.yml");
    assert_eq!(dispatches[0].git_ref, "v1.1.0");
    assert_eq!(dispatches[0].inputs["version"], "1.1.0");
    assert_eq!(dispatches[0].inputs["tag"], "v1.1.0");
    // A rerun starts nothing again.
    world.run(&["release", "--dispatch", "images.yml"]).ok();
    assert_eq!(world.fake.dispatches(OWNER, NAME).len(), 1);
}

#[test]
fn a_stale_release_pr_merged_late_is_refused_before_anything_is_written() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("squash");
    world.release();
    // Main now says 1.0.5 (a stale PR's files merged over the release).
    world.pull();
    world.dev.write(
        "package.json",
        &world.dev.read("package.json").replace("1.1.0", "1.0.5"),
    );
    world.dev.commit_all("chore(main): release 1.0.5");
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.fetch();
    world.fake.reset_counts();
    world
        .run(&["release"])
        .fails_with(1, "lower than its release v1.1.0");
    assert_eq!(world.fake.write_count(), 0);
}

#[test]
fn a_commit_a_person_added_to_the_release_branch_stops_the_rebuild_with_one_comment() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    let pull = world.open_pull();
    // A maintainer rewords the changelog on the release branch.
    let changelog = world.file_on(BRANCH, "CHANGELOG.md");
    let sha = world.fake.commit_files(
        OWNER,
        NAME,
        BRANCH,
        &[(
            "CHANGELOG.md",
            Some(&changelog.replace("add the sprocket API", "Sprockets!")),
        )],
        "Update CHANGELOG.md for @octocat, fixes #12",
    );
    world.push(&["fix: one more (#9)"]);
    for _ in 0..2 {
        let run = world.run(&["pr"]);
        run.fails_with(1, "made by hand");
        assert!(run.stderr.contains("Update CHANGELOG.md"), "{}", run.stderr);
    }
    // The person's commit is kept; one comment says why.
    assert_eq!(
        world.fake.branch_sha(OWNER, NAME, BRANCH).as_deref(),
        Some(sha.as_str())
    );
    let comments = world.fake.comments(OWNER, NAME, pull.number);
    assert_eq!(comments.len(), 1, "{comments:?}");
    // The subject is quoted escaped: no mention, no closing keyword.
    assert!(
        comments[0]
            .body
            .contains("Update CHANGELOG.md for `@octocat`, refs #12"),
        "{}",
        comments[0].body
    );
}

#[test]
fn nothing_left_to_release_closes_the_open_release_pr_with_a_comment() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    let pull = world.open_pull();
    // A maintainer releases 1.1.0 by hand instead.
    world.pull();
    world.dev.write(
        "package.json",
        &world.dev.read("package.json").replace("1.0.0", "1.1.0"),
    );
    world.dev.commit_all("chore: release 1.1.0 by hand");
    world.dev.tag("v1.1.0");
    world.dev.git(&["push", "-q", "origin", "main", "--tags"]);
    world.fetch();
    world.pr();
    let closed = world
        .pulls()
        .into_iter()
        .find(|p| p.number == pull.number)
        .expect("pr");
    assert_eq!(closed.state, "closed");
    assert!(!closed.merged);
    let comments = world.fake.comments(OWNER, NAME, pull.number);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.contains("nothing is left to release"));
}

#[test]
fn a_release_pr_closed_without_merging_releases_nothing() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    let pull = world.open_pull();
    world.fake.close_pull(OWNER, NAME, pull.number);
    world.fake.reset_counts();
    world.release();
    assert_eq!(world.fake.write_count(), 0);
    assert_eq!(world.fake.releases(OWNER, NAME).len(), 1);
    assert_eq!(world.tags(), ["v1.0.0"]);
}

#[test]
fn a_release_pr_closed_without_merging_stays_closed_until_there_is_more_to_release() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    let closed = world.open_pull();
    world.fake.close_pull(OWNER, NAME, closed.number);
    world.fake.reset_counts();
    let run = world.pr();
    assert!(
        run.stderr.contains("closed without merging"),
        "{}",
        run.stderr
    );
    assert_eq!(world.fake.write_count(), 0);
    assert!(world.pulls().iter().all(|p| p.state == "closed"));
    world.push(&["fix: one more (#9)"]);
    world.pr();
    let reopened = world.open_pull();
    assert_ne!(reopened.number, closed.number);
    assert_eq!(reopened.title, "chore(main): release 1.1.0");
}

#[test]
fn a_merged_release_not_yet_made_is_not_proposed_again() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("squash");
    world.run(&["pr"]).fails_with(1, "run `bump release` first");
    assert_eq!(world.pulls().len(), 1);
    // `bump release` tags the checkout too, so `bump pr` right after it in the same job agrees.
    world.release();
    assert!(
        world
            .checkout
            .git(&["tag", "--list", "v1.1.0"])
            .contains("v1.1.0")
    );
    world.pr();
    assert_eq!(
        world.pulls().len(),
        1,
        "no new release PR: nothing new to release"
    );
}

#[test]
fn a_tag_of_the_version_on_a_commit_head_lacks_is_an_error_naming_both_and_never_moved() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("squash");
    // Someone tagged v1.1.0 on another line, and pushed it after the runner's checkout.
    world.dev.git(&["checkout", "-q", "-b", "side", "v1.0.0"]);
    let side = world.dev.commit_file("side.txt", "x\n", "fix: elsewhere");
    world.dev.tag("v1.1.0");
    world.dev.git(&["push", "-q", "origin", "v1.1.0"]);
    world.dev.git(&["checkout", "-q", "main"]);
    let run = world.run(&["release"]);
    run.fails_with(1, "tag v1.1.0 exists on GitHub on commit");
    assert!(run.stderr.contains(&side), "{}", run.stderr);
    assert_eq!(
        world.fake.tag_sha(OWNER, NAME, "v1.1.0"),
        Some(side.clone())
    );
    assert_eq!(world.fake.releases(OWNER, NAME).len(), 1);
    // Once the checkout has it, the same from the checkout alone.
    world.fetch();
    world.run(&["release"]).fails_with(1, "which HEAD");
}

#[test]
fn a_tag_made_on_github_after_the_checkout_is_taken_where_it_is() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("merge");
    // A person tagged an earlier commit main contains (the merge's first parent), not the
    // reviewed one the run would pick.
    let earlier = world.checkout.git(&["rev-parse", "HEAD^1"]);
    world.dev.git(&["tag", "v1.1.0", &earlier]);
    world.dev.git(&["push", "-q", "origin", "v1.1.0"]);
    world.release();
    assert_eq!(
        world.fake.tag_sha(OWNER, NAME, "v1.1.0"),
        Some(earlier.clone())
    );
    assert_eq!(
        world.checkout.git(&["rev-parse", "v1.1.0^{commit}"]),
        earlier
    );
    assert_eq!(world.outputs()["sha"], earlier);
}

#[test]
fn an_annotated_tag_a_person_pushed_on_the_release_commit_is_used_as_it_is() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("squash");
    // Pushed by hand after the runner's checkout, annotated, on the commit the run would tag.
    world.dev.annotated_tag("v1.1.0");
    world.dev.git(&["push", "-q", "origin", "v1.1.0"]);
    world.release();
    assert!(
        world
            .fake
            .releases(OWNER, NAME)
            .iter()
            .any(|r| r.tag_name == "v1.1.0")
    );
    assert_eq!(world.outputs()["sha"], world.checkout.head());
    world.assert_clean_contract();
}
