//! fast-forward and merge modes: the target moves only when it safely can.

use crate::{NAME, OWNER, World, is_ancestor};

#[test]
fn fast_forward_moves_the_target_and_refuses_when_it_has_its_own_commits() {
    let world = World::new();
    let run = world.promote(&["--mode", "fast-forward", "--json"]).json();
    assert_eq!(run["operation"], "fast-forwarded");
    assert_eq!(
        world.fake.branch_sha(OWNER, NAME, "stable"),
        Some(world.sha("main"))
    );
    assert!(world.pulls().is_empty());
    world.fetch();
    assert_eq!(
        world.promote(&["--mode", "fast-forward", "--json"]).json()["operation"],
        "skipped"
    );

    world.dev.git(&["fetch", "-q", "origin"]);
    world.dev.checkout(&["-B", "stable", "origin/stable"]);
    world
        .dev
        .commit_file("hot.txt", "hot\n", "fix: hotfix on stable");
    world.dev.git(&["push", "-q", "origin", "stable"]);
    world.dev.checkout(&["main"]);
    world.push_commits(&["feat: next"]);
    let before = world.fake.branch_sha(OWNER, NAME, "stable");
    world.promote(&["--mode", "fast-forward"]).fails_with(
        1,
        "`stable` cannot be fast-forwarded to `main`: it has 1 commit that `main` lacks (",
    );
    let refused = world.promote(&["--mode", "fast-forward"]);
    assert!(
        refused
            .stderr
            .contains(" fix: hotfix on stable); promote with --mode pr"),
        "{}",
        refused.stderr
    );
    assert_eq!(world.fake.branch_sha(OWNER, NAME, "stable"), before);
    assert!(
        world.fake.contract_violations().is_empty(),
        "{:?}",
        world.fake.contract_violations()
    );
}

#[test]
fn merge_mode_merges_through_the_api_and_refuses_a_conflict() {
    let world = World::new();
    world.dev.checkout(&["stable"]);
    world
        .dev
        .commit_file("hot.txt", "hot\n", "fix: hotfix on stable");
    world.dev.git(&["push", "-q", "origin", "stable"]);
    world.dev.checkout(&["main"]);
    world.fetch();
    let run = world.promote(&["--mode", "merge", "--json"]).json();
    assert_eq!(run["operation"], "merged");
    let stable = world
        .fake
        .branch_sha(OWNER, NAME, "stable")
        .expect("stable");
    assert_eq!(run["merge-sha"], stable);
    world.dev.git(&["fetch", "-q", "origin"]);
    assert!(is_ancestor(world.dev.path(), &world.sha("main"), &stable));
    assert!(is_ancestor(
        world.dev.path(),
        &world.sha("origin/stable~1"),
        &stable
    ));

    world.dev.checkout(&["-B", "stable", "origin/stable"]);
    world
        .dev
        .commit_file("app.txt", "stable\n", "fix: stable's app");
    world.dev.git(&["push", "-q", "origin", "stable"]);
    world.dev.checkout(&["main"]);
    world
        .dev
        .commit_file("app.txt", "main\n", "feat: main's app");
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.fetch();
    let before = world.fake.branch_sha(OWNER, NAME, "stable");
    world
        .promote(&["--mode", "merge"])
        .fails_with(1, "would conflict in app.txt");
    assert_eq!(world.fake.branch_sha(OWNER, NAME, "stable"), before);
    assert!(
        world.fake.contract_violations().is_empty(),
        "{:?}",
        world.fake.contract_violations()
    );
}
