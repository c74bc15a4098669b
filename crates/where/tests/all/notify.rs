//! `--notify`: one comment per PR, created once, rewritten only when where the change has reached
//! changes, and a run stopped partway finished by the next.

use crate::support::RIVER;
use crate::with_github::{NAME, OWNER, World, git};

fn marked(world: &World, pr: u64) -> Vec<String> {
    world
        .fake
        .comments(OWNER, NAME, pr)
        .into_iter()
        .map(|c| c.body)
        .filter(|b| b.contains("<!-- tidegate:where -->"))
        .collect()
}

#[test]
fn each_pr_gets_one_comment_updated_in_place_and_a_stopped_run_converges() {
    let world = World::new();
    // Twelve more PRs squash-merged on main (#3..#14), promoted to stable by #15.
    let mut pulls = vec![1];
    for i in 0..12 {
        let branch = format!("topic-{i}");
        world.fake.commit_file(
            OWNER,
            NAME,
            &branch,
            &format!("t{i}.txt"),
            "x\n",
            &format!("fix: topic {i}"),
        );
        let pr = world.fake.open_pull(
            OWNER,
            NAME,
            &branch,
            "main",
            &format!("fix: topic {i} @someone"),
            "",
        );
        world.fake.merge_pull(OWNER, NAME, pr, "squash");
        pulls.push(pr);
    }
    let promotion = world
        .fake
        .open_pull(OWNER, NAME, "main", "stable", "chore: promote", "");
    world.fake.merge_pull(OWNER, NAME, promotion, "merge");
    git(
        world.checkout.path(),
        &["pull", "-q", "--ff-only", "origin", "main"],
    );
    git(world.checkout.path(), &["fetch", "-q", "origin"]);
    std::fs::write(world.checkout.path().join("tidegate.toml"), RIVER).expect("config");

    world.fake.reset_counts();
    world.run(&["--river", "--notify"]).ok();
    for &pr in &pulls {
        let comments = marked(&world, pr);
        assert_eq!(comments.len(), 1, "PR #{pr}: {comments:?}");
        // #1 reached stable with the World's first promotion, #2.
        let via = if pr == 1 { 2 } else { promotion };
        assert!(
            comments[0].contains(&format!("in `stable` via #{via}")),
            "{}",
            comments[0]
        );
        assert!(!comments[0].contains('@'), "no mention: {}", comments[0]);
    }
    assert_eq!(world.fake.write_count(), pulls.len());

    // Nothing changed: a second run writes nothing.
    world.fake.reset_counts();
    world.run(&["--river", "--notify"]).ok();
    assert_eq!(
        world.fake.write_count(),
        0,
        "{:?}",
        world.fake.request_counts()
    );

    // A candidate is tagged: every comment is out of date. A run limited to 5 writes stops
    // partway; the next one finishes the rest; a third writes nothing.
    world.tag("v1.0.0-rc.1", "stable");
    world.fake.reset_counts();
    let stopped = world
        .run(&["--river", "--notify", "--notify-max", "5"])
        .ok();
    assert!(stopped.stderr.contains("run again"), "{}", stopped.stderr);
    assert_eq!(world.fake.write_count(), 5);
    world.fake.reset_counts();
    world.run(&["--river", "--notify"]).ok();
    assert_eq!(world.fake.write_count(), pulls.len() - 5);
    for &pr in &pulls {
        let comments = marked(&world, pr);
        assert_eq!(comments.len(), 1, "PR #{pr}: {comments:?}");
        assert!(
            comments[0].contains("pre-released in `v1.0.0-rc.1`"),
            "{}",
            comments[0]
        );
    }
    world.fake.reset_counts();
    world.run(&["--river", "--notify"]).ok();
    assert_eq!(world.fake.write_count(), 0);

    // One PR alone, after a deployment: only its comment changes.
    world.deploy("staging", "v1.0.0-rc.1");
    world.fake.reset_counts();
    world.run(&["--pr", "1", "--notify"]).ok();
    assert_eq!(world.fake.write_count(), 1);
    assert!(marked(&world, 1)[0].contains("deployed to `staging`"));
}

#[test]
fn notify_without_a_token_is_one_line() {
    let world = World::new();
    let mut cmd = crate::support::command(world.checkout.path(), &["--river", "--notify"]);
    testkit::Run::of(&mut cmd).fails_with(2, "--notify writes comments on GitHub");
}
