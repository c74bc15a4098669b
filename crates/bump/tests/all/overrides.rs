//! `BEGIN_COMMIT_OVERRIDE` in a merged PR's body replaces its commits' messages, as in
//! release-please, when the run has a token; without one, the run says it could not read them.

use crate::github::{NAME, OWNER, World};

/// Pushes `messages` on a branch, opens a PR with `body` and merges it with `method`.
fn merge_pr(world: &World, branch: &str, messages: &[&str], body: &str, method: &str) {
    world.pull();
    world.dev.git(&["checkout", "-q", "-b", branch]);
    for (i, message) in messages.iter().enumerate() {
        world
            .dev
            .commit_file(&format!("{branch}-{i}.txt"), message, message);
    }
    world.dev.git(&["push", "-q", "origin", branch]);
    world.dev.git(&["checkout", "-q", "main"]);
    let number = world
        .fake
        .open_pull(OWNER, NAME, branch, "main", messages[0], body);
    world.fake.merge_pull(OWNER, NAME, number, method);
    world.fetch();
}

#[test]
fn an_override_turns_a_chore_into_a_fix_for_version_pr_and_notes() {
    let world = World::new();
    merge_pr(
        &world,
        "deps",
        &["chore(deps): update serde"],
        "Bumps serde.\n\nBEGIN_COMMIT_OVERRIDE\nfix(deps): update serde to 1.0.200\nEND_COMMIT_OVERRIDE\n",
        "squash",
    );
    let version = world.run(&["version"]).ok();
    assert_eq!(version.stdout.trim(), "1.0.1", "{}", version.stderr);

    let offline = world.run_without_token(&["version"]).ok();
    assert_eq!(offline.stdout.trim(), "", "{}", offline.stderr);
    assert_eq!(
        offline.stderr.matches("not read without a token").count(),
        1,
        "{}",
        offline.stderr
    );

    world.pr();
    let pull = world.open_pull();
    assert_eq!(pull.title, "chore(main): release 1.0.1");
    let body = pull.body.unwrap_or_default();
    assert!(body.contains("update serde to 1.0.200"), "{body}");
}

#[test]
fn an_override_on_a_merge_commit_stands_for_every_commit_it_brought_in() {
    let world = World::new();
    merge_pr(
        &world,
        "widgets",
        &["chore: wip", "fix: typo in wip"],
        "BEGIN_COMMIT_OVERRIDE\nfeat: the widget picker\n\nfix: the picker's scroll\nEND_COMMIT_OVERRIDE",
        "merge",
    );
    world.pr();
    let pull = world.open_pull();
    assert_eq!(pull.title, "chore(main): release 1.1.0");
    let body = pull.body.unwrap_or_default();
    assert!(
        body.contains("the widget picker") && body.contains("the picker's scroll"),
        "{body}"
    );
    assert!(!body.contains("typo in wip"), "{body}");
}

#[test]
fn a_token_without_github_leaves_version_usable_with_a_warning_but_pr_fails() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    let offline = |args: &[&str]| {
        crate::github::Run::of(
            world
                .command(args)
                .env("GITHUB_API_URL", "http://127.0.0.1:9")
                .env("TIDEGATE_RETRY_BASE_MS", "0"),
        )
    };
    let version = offline(&["version"]).ok();
    assert_eq!(version.stdout.trim(), "1.1.0");
    assert!(
        version.stderr.contains("commit overrides were not read"),
        "{}",
        version.stderr
    );
    // `bump pr` needs GitHub: the same failure is its failure.
    let pr = offline(&["pr"]);
    assert_eq!(pr.code, 3, "{}", pr.stderr);
}
