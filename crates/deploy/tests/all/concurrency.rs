//! Eight `deploy --status` reports started at once for one deployment, against one fake GitHub:
//! the deployment ends as one report leaves it. (Eight deploys at once each make a deployment and
//! a dispatch: a deployment belongs to its workflow run; see the README's "Concurrent runs".)

use crate::support::{NAME, OWNER, World};
use testkit::Run;
use testkit::concurrent::{all_succeeded, at_once};

const RUNS: usize = 8;

/// Eight `deploy ARGS` at once; `same_run` gives them one Actions run key.
fn eight(world: &World, args: &[&str], same_run: bool) -> Vec<Run> {
    at_once((0..RUNS).map(|i| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("deploy"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", world.home.path())
            .env("GITHUB_API_URL", world.fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", world.fake.token())
            .env("GITHUB_ACTOR", "ada")
            .env(
                "GITHUB_RUN_ID",
                if same_run { 7000 } else { 7000 + i }.to_string(),
            )
            .env("GITHUB_RUN_ATTEMPT", "1")
            .env("GITHUB_JOB", "deploy")
            .env("GITHUB_ACTION", "deploy")
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        cmd
    }))
}

const DEPLOY: [&str; 9] = [
    "--env",
    "production",
    "--version",
    "v1.4.0",
    "--workflow",
    "deploy.yml",
    "--reason",
    "weekly",
    "--json",
];

#[test]
fn eight_status_reports_at_once_leave_the_deployment_successful() {
    let world = World::new();
    let id = world.run(&DEPLOY).json()["deployment_id"]
        .as_u64()
        .expect("id");
    let id_text = id.to_string();
    let runs = eight(
        &world,
        &[
            "--env",
            "production",
            "--status",
            "success",
            "--deployment-id",
            &id_text,
        ],
        false,
    );
    all_succeeded(&runs);
    let deployments = world.fake.deployments(OWNER, NAME);
    assert_eq!(deployments.len(), 1);
    let last = deployments[0].statuses.last().expect("a status");
    assert_eq!(last.state, "success");
    let live = world
        .run(&["--env", "production", "--list", "--json"])
        .json();
    assert_eq!(live["live"], "v1.4.0");
}
