//! Eight runs of `promote-branch` started at once, each in its own checkout as eight workflow runs
//! would be, against one fake GitHub: they leave the state one run leaves.

use crate::{NAME, OWNER, Run, World};
use fake_github::{FakeGitHub, TokenPerms};
use std::process::Command;
use testkit::TestRepo;
use testkit::concurrent::{all_succeeded, at_once};

const RUNS: usize = 8;

/// A runner's checkout of `origin` (`fetch-depth: 0`), `main` checked out.
fn checkout_of(origin: &str) -> TestRepo {
    let checkout = TestRepo::new();
    checkout.set_remote(origin);
    checkout.git(&["fetch", "-q", "origin"]);
    checkout.git(&["checkout", "-q", "-B", "main", "origin/main"]);
    checkout
}

/// `promote-branch ARGS` in `checkout`, with a workflow step's environment.
fn command(
    fake: &FakeGitHub,
    checkout: &TestRepo,
    home: &std::path::Path,
    args: &[&str],
) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("promote-branch"));
    cmd.current_dir(checkout.path())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GITHUB_API_URL", fake.api_url())
        .env("GITHUB_SERVER_URL", fake.web_url())
        .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
        .env("GITHUB_TOKEN", fake.token())
        .env("TIDEGATE_RETRY_BASE_MS", "1");
    cmd
}

/// Eight runs of `promote-branch ARGS`, each in a fresh checkout of the world's repository.
fn eight_runs(world: &World, args: &[&str]) -> Vec<Run> {
    let origin = world.origin.display().to_string();
    let home = tempfile::tempdir().expect("temp dir");
    let checkouts: Vec<TestRepo> = (0..RUNS).map(|_| checkout_of(&origin)).collect();
    at_once(
        checkouts
            .iter()
            .map(|c| command(&world.fake, c, home.path(), args)),
    )
}

/// The `operation` each run reports (`--json`), sorted.
fn operations(runs: &[Run]) -> Vec<String> {
    let mut ops: Vec<String> = runs
        .iter()
        .map(|r| {
            r.json()["operation"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    ops.sort();
    ops
}

#[test]
fn eight_runs_update_the_open_promotion_pr_in_place_and_leave_one() {
    let world = World::new();
    world.promote(&[]).ok();
    let number = world.open_pulls()[0].number;
    world.push_commits(&["feat: the export button (#3)"]);

    let runs = eight_runs(&world, &["--from", "main", "--to", "stable", "--json"]);
    all_succeeded(&runs);
    let ops = operations(&runs);
    // Whichever run is first rewrites the body; the others find it already says everything.
    assert!(ops.contains(&"updated".to_string()), "{ops:?}");
    assert!(
        ops.iter().all(|o| o == "updated" || o == "skipped"),
        "{ops:?}"
    );
    let pulls = world.pulls();
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    assert_eq!(pulls[0].number, number);
    let body = pulls[0].body.clone().unwrap_or_default();
    assert!(body.contains("the export button"), "{body}");
    assert_eq!(body.matches("<!-- tidegate:promotion:begin -->").count(), 1);
}

#[test]
fn eight_runs_with_a_snapshot_branch_leave_one_branch_and_one_pr() {
    let world = World::new();
    let runs = eight_runs(
        &world,
        &[
            "--from",
            "main",
            "--to",
            "stable",
            "--snapshot-branch",
            "promote/stable",
            "--json",
        ],
    );
    all_succeeded(&runs);
    let pulls = world.pulls();
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    assert_eq!(pulls[0].head_ref, "promote/stable");
    assert_eq!(
        world.fake.branch_sha(OWNER, NAME, "promote/stable"),
        Some(world.sha("main"))
    );
    let ops = operations(&runs);
    assert_eq!(ops.iter().filter(|o| *o == "created").count(), 1, "{ops:?}");
}

#[test]
fn eight_fast_forwards_at_once_move_the_target_once_and_all_succeed() {
    let world = World::new();
    let runs = eight_runs(
        &world,
        &[
            "--from",
            "main",
            "--to",
            "stable",
            "--mode",
            "fast-forward",
            "--json",
        ],
    );
    all_succeeded(&runs);
    assert_eq!(
        world.fake.branch_sha(OWNER, NAME, "stable"),
        Some(world.sha("main"))
    );
    assert!(world.pulls().is_empty());
    let ops = operations(&runs);
    assert!(ops.iter().all(|o| o == "fast-forwarded"), "{ops:?}");
}

#[test]
fn eight_merges_at_once_make_one_merge_commit_and_all_report_it() {
    let world = World::new();
    // `stable` has a hotfix of its own, so the promotion needs a merge commit.
    world.dev.git(&["checkout", "-q", "stable"]);
    world
        .dev
        .commit_file("hotfix.txt", "h\n", "fix: the hotfix on stable");
    world.dev.git(&["push", "-q", "origin", "stable"]);
    world.dev.git(&["checkout", "-q", "main"]);
    let stable_before = world.sha("stable");

    let runs = eight_runs(
        &world,
        &[
            "--from", "main", "--to", "stable", "--mode", "merge", "--json",
        ],
    );
    all_succeeded(&runs);
    let tip = world
        .fake
        .branch_sha(OWNER, NAME, "stable")
        .expect("stable");
    world.dev.git(&["fetch", "-q", "origin", "stable"]);
    let parents = world.dev.git(&["rev-list", "--parents", "-n", "1", &tip]);
    let parents: Vec<&str> = parents.split_whitespace().skip(1).collect();
    assert_eq!(
        parents,
        [stable_before.as_str(), world.sha("main").as_str()]
    );
    let ops = operations(&runs);
    assert!(ops.iter().all(|o| o == "merged"), "{ops:?}");
    let merge_shas: std::collections::BTreeSet<String> = runs
        .iter()
        .map(|r| {
            r.json()["merge-sha"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(merge_shas.into_iter().collect::<Vec<_>>(), [tip]);
}

const DOWN_OWNER: &str = "ocean";
const DOWN_TOKEN: &str = "ghs_downstreamconcurrentconcurrent0008";
const SYNC_BRANCH: &str = "tidegate/sync/acme-widgets/main";

#[test]
fn eight_downstream_syncs_at_once_push_one_sync_branch_and_open_one_pr() {
    let fake = FakeGitHub::start();
    let upstream = fake.create_repo(OWNER, NAME);
    let downstream = fake.create_repo(DOWN_OWNER, NAME);
    fake.add_token(
        DOWN_TOKEN,
        &["ocean/widgets"],
        TokenPerms {
            write: true,
            workflows: true,
            ..TokenPerms::default()
        },
    );
    let dev = TestRepo::new();
    dev.set_remote(&upstream.display().to_string());
    dev.commit_file("app.txt", "one\n", "feat: the first version");
    dev.git(&["push", "-q", &downstream.display().to_string(), "main"]);
    dev.commit_file("a.txt", "a\n", "feat(api): add the widgets endpoint (#1)");
    dev.git(&["push", "-q", "origin", "main"]);
    let source = dev.head();

    let home = tempfile::tempdir().expect("temp dir");
    let checkouts: Vec<TestRepo> = (0..RUNS)
        .map(|_| checkout_of(&upstream.display().to_string()))
        .collect();
    let runs = at_once(checkouts.iter().map(|c| {
        let mut cmd = command(
            &fake,
            c,
            home.path(),
            &[
                "--from",
                "main",
                "--to",
                "main",
                "--to-repo",
                "ocean/widgets",
                "--json",
            ],
        );
        cmd.env("DOWNSTREAM_TOKEN", DOWN_TOKEN);
        cmd
    }));
    all_succeeded(&runs);
    assert_eq!(
        fake.branch_sha(DOWN_OWNER, NAME, SYNC_BRANCH),
        Some(source.clone())
    );
    let pulls = fake.pulls(DOWN_OWNER, NAME);
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    assert_eq!(pulls[0].head_ref, SYNC_BRANCH);
    assert_eq!(pulls[0].base_ref, "main");
    let ops = operations(&runs);
    assert_eq!(ops.iter().filter(|o| *o == "created").count(), 1, "{ops:?}");
}
