//! Eight `where --river --notify` runs started at once (a push and a schedule firing together),
//! against one fake GitHub: each PR still has one comment, as one run leaves.

use crate::with_github::{NAME, OWNER, World};
use std::process::Command;
use testkit::concurrent::{all_succeeded, at_once};

#[test]
fn eight_notify_runs_at_once_leave_one_comment_per_pr() {
    let world = World::new();
    let runs = at_once((0..8).map(|_| {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("where"));
        cmd.args(["--river", "--notify", "--repo"])
            .arg(world.checkout.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", world.checkout.path())
            .env("GITHUB_API_URL", world.fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", world.fake.token())
            .env("TIDEGATE_RETRY_BASE_MS", "1")
            .env("TIDEGATE_NOTIFY_INTERVAL_MS", "0")
            .env("TIDEGATE_NOTIFY_PER_MINUTE", "0");
        cmd
    }));
    all_succeeded(&runs);
    // The one PR merged on main since the last release, #1 (in stable via #2), is told once.
    let pr = 1;
    let marked: Vec<String> = world
        .fake
        .comments(OWNER, NAME, pr)
        .into_iter()
        .map(|c| c.body)
        .filter(|b| b.contains("<!-- tidegate:where -->"))
        .collect();
    assert_eq!(
        marked.len(),
        1,
        "PR #{pr}: {:?} {:?}",
        world.fake.comments(OWNER, NAME, pr),
        runs.iter().map(|r| r.stderr.clone()).collect::<Vec<_>>()
    );
}
