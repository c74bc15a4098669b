//! Eight `deploy` runs started at once for one version and environment (the same step started
//! twice, or several triggers of one release), against one fake GitHub: one deployment and one
//! dispatched workflow run, as one run leaves.

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

fn deployment_ids(runs: &[Run]) -> std::collections::BTreeSet<u64> {
    runs.iter()
        .map(|r| r.json()["deployment_id"].as_u64().expect("an id"))
        .collect()
}

#[test]
fn eight_deploys_of_one_run_at_once_make_one_deployment_and_one_dispatch() {
    let world = World::new();
    let runs = eight(&world, &DEPLOY, true);
    all_succeeded(&runs);
    let deployments = world.fake.deployments(OWNER, NAME);
    assert_eq!(deployments.len(), 1, "{deployments:?}");
    assert_eq!(world.fake.dispatches(OWNER, NAME).len(), 1);
    assert_eq!(
        deployment_ids(&runs).into_iter().collect::<Vec<_>>(),
        [deployments[0].id]
    );
}

#[test]
fn eight_deploy_runs_of_one_version_at_once_make_one_deployment_and_one_dispatch() {
    let world = World::new();
    let runs = eight(&world, &DEPLOY, false);
    all_succeeded(&runs);
    let deployments = world.fake.deployments(OWNER, NAME);
    assert_eq!(deployments.len(), 1, "{deployments:?}");
    assert_eq!(world.fake.dispatches(OWNER, NAME).len(), 1);
    assert_eq!(
        deployment_ids(&runs).into_iter().collect::<Vec<_>>(),
        [deployments[0].id]
    );
}

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

#[test]
fn eight_rollbacks_at_once_make_one_rollback_deployment() {
    let world = World::new();
    for version in ["v1.3.0", "v1.4.0"] {
        let mut args = DEPLOY;
        args[3] = version;
        let id = world.run(&args).json()["deployment_id"]
            .as_u64()
            .expect("id");
        world.report("production", id, "success");
    }
    let runs = eight(
        &world,
        &[
            "--env",
            "production",
            "--rollback",
            "--reason",
            "the error rate doubled",
            "--json",
        ],
        false,
    );
    all_succeeded(&runs);
    let rollbacks: Vec<_> = world
        .fake
        .deployments(OWNER, NAME)
        .into_iter()
        .filter(|d| d.payload.get("rollback_of").is_some())
        .collect();
    assert_eq!(rollbacks.len(), 1, "{rollbacks:?}");
    assert_eq!(rollbacks[0].git_ref, "v1.3.0");
    assert_eq!(world.fake.dispatches(OWNER, NAME).len(), 3);
}
