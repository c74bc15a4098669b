//! Eight runs of one write started at once against one fake GitHub leave what one run leaves:
//! eight deploys of one version make one deployment and one dispatch (the later runs join the
//! first), eight rollbacks one rollback, eight status reports one successful deployment.

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

/// The deployments left (deleted duplicates are gone) and the dispatches made.
fn deployments_and_dispatches(world: &World) -> (Vec<fake_github::Deployment>, usize) {
    (
        world.fake.deployments(OWNER, NAME),
        world.fake.dispatches(OWNER, NAME).len(),
    )
}

#[test]
fn eight_deploys_of_one_version_at_once_make_one_deployment_and_one_dispatch() {
    // Eight workflow runs (eight run keys); one step never runs twice at once on GitHub.
    {
        let same_run = false;
        let world = World::new();
        let runs = eight(&world, &DEPLOY, same_run);
        all_succeeded(&runs);
        let (deployments, dispatches) = deployments_and_dispatches(&world);
        assert_eq!(
            deployments.len(),
            1,
            "same run: {same_run}: {:?}",
            runs.iter().map(|r| &r.stdout).collect::<Vec<_>>()
        );
        assert_eq!(dispatches, 1, "same run: {same_run}");
        let id = deployments[0].id;
        for run in &runs {
            assert_eq!(
                run.json()["deployment_id"],
                id,
                "every run reports the one deployment"
            );
        }
        let joined = runs.iter().filter(|r| r.json()["joined"] == true).count();
        assert_eq!(joined, RUNS - 1, "all but the first joined it");
    }
}

#[test]
fn eight_rollbacks_at_once_roll_back_once() {
    let world = World::new();
    for version in ["v1.3.0", "v1.4.0"] {
        let mut args = DEPLOY.to_vec();
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
            "--workflow",
            "deploy.yml",
            "--reason",
            "broken",
            "--json",
        ],
        false,
    );
    all_succeeded(&runs);
    let (deployments, dispatches) = deployments_and_dispatches(&world);
    let rollbacks: Vec<_> = deployments
        .iter()
        .filter(|d| d.payload.get("rollback_of").is_some())
        .collect();
    assert_eq!(rollbacks.len(), 1, "{deployments:?}");
    assert_eq!(rollbacks[0].git_ref, "v1.3.0");
    assert_eq!(dispatches, 3, "two deploys, then one rollback");
}
