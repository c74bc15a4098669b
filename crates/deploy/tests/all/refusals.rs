//! Bad inputs and refusals: one line each, the right exit code, and nothing made.

use crate::support::{DEPLOY_YML, NAME, OWNER, World};
use serde_json::json;

const NO_DISPATCH: &str = "name: Deploy\non:\n  push:\n    tags: ['v*']\njobs: {}\n";
const OTHER_INPUTS: &str = "on:\n  workflow_dispatch:\n    inputs:\n      tag:\n        required: true\n      version: {}\n      environment: {}\n      deployment-id: {}\njobs: {}\n";

fn assert_nothing_made(world: &World) {
    assert!(world.fake.deployments(OWNER, NAME).is_empty());
    assert!(world.fake.dispatches(OWNER, NAME).is_empty());
    assert_eq!(world.fake.write_count(), 0);
}

#[test]
fn bad_inputs_say_what_is_wrong_and_make_nothing() {
    let world = World::new();
    world
        .fake
        .add_workflow_file(OWNER, NAME, "build.yml", NO_DISPATCH);
    world
        .fake
        .add_workflow_file(OWNER, NAME, "needs-tag.yml", OTHER_INPUTS);
    let deploy = |version: &str, workflow: &str| {
        world.run(&[
            "--env",
            "staging",
            "--version",
            version,
            "--workflow",
            workflow,
        ])
    };
    deploy("v9.9.9", "deploy.yml").fails_with(
        2,
        "version v9.9.9 was never released: acme/widgets has no tag v9.9.9",
    );
    deploy("v1.4.0", "nope.yml").fails_with(2, "no workflow nope.yml in acme/widgets");
    deploy("v1.4.0", "build.yml")
        .fails_with(2, "the workflow build.yml has no workflow_dispatch trigger");
    deploy("v1.4.0", "needs-tag.yml")
        .fails_with(2, "requires the input(s) tag that deploy does not send");
    world
        .run(&[
            "--env",
            "production",
            "--rollback",
            "--workflow",
            "deploy.yml",
        ])
        .fails_with(2, "a rollback needs --reason TEXT");
    world
        .run(&["--env", "staging", "--version", "v1.4.0"])
        .fails_with(2, "give --workflow FILE");
    world
        .run(&[
            "--env",
            "staging",
            "--version",
            "v1.4.0",
            "--workflow",
            "deploy.yml",
            "--input",
            "oops",
        ])
        .fails_with(2, "--input `oops` is not NAME=VALUE");
    assert_nothing_made(&world);
}

#[test]
fn require_assets_refuses_a_release_without_checksums() {
    let world = World::new();
    world.release("v1.4.0", &[("app.tar.gz", b"app")]);
    world.fake.reset_counts();
    let run = world.run(&[
        "--env",
        "production",
        "--version",
        "v1.4.0",
        "--workflow",
        "deploy.yml",
        "--require-assets",
    ]);
    run.fails_with(1, "the release of v1.4.0 has no SHA256SUMS asset");
    world
        .run(&[
            "--env",
            "production",
            "--version",
            "v1.4.0-rc.1",
            "--workflow",
            "deploy.yml",
            "--require-assets",
        ])
        .fails_with(1, "v1.4.0-rc.1 has no published release");
    assert_nothing_made(&world);
}

#[test]
fn rollback_defaults_and_refusals() {
    let world = World::new();
    let flags = [
        "--rollback",
        "--reason",
        "broken",
        "--workflow",
        "deploy.yml",
    ];
    let rollback = |env: &str, extra: &[&str]| {
        let mut args = vec!["--env", env];
        args.extend_from_slice(&flags);
        args.extend_from_slice(extra);
        world.run(&args)
    };
    rollback("production", &[]).fails_with(1, "nothing is live in production");
    let deployed = |version: &str, state: &str| {
        let out = world
            .run(&[
                "--env",
                "production",
                "--version",
                version,
                "--workflow",
                "deploy.yml",
                "--json",
            ])
            .json();
        let id = out["deployment_id"].as_u64().expect("id");
        world.report("production", id, state);
    };
    deployed("v1.4.0", "success");
    rollback("production", &[]).fails_with(
        1,
        "no earlier version ever succeeded in production besides the live v1.4.0",
    );
    rollback("production", &["--to", "v1.4.0"])
        .fails_with(1, "v1.4.0 is what is live in production already");
    rollback("production", &["--to", "v1.3.0"])
        .fails_with(1, "v1.3.0 never deployed successfully to production");
    rollback("production", &["--to", "v0.0.1", "--force"])
        .fails_with(2, "version v0.0.1 was never released");
    // A failed deploy of v1.3.0 does not make it a rollback target; a forced one goes.
    deployed("v1.3.0", "failure");
    rollback("production", &[]).fails_with(1, "no earlier version ever succeeded");
    let before = world.fake.deployments(OWNER, NAME).len();
    let forced = rollback("production", &["--to", "v1.3.0", "--force", "--json"]).json();
    assert_eq!(forced["rollback_of"], "v1.4.0");
    assert_eq!(world.fake.deployments(OWNER, NAME).len(), before + 1);
    // --status with no deployment waiting.
    world.report(
        "production",
        forced["deployment_id"].as_u64().expect("id"),
        "success",
    );
    world
        .run(&["--env", "production", "--status", "success"])
        .fails_with(2, "no deployment of production is waiting for a status");
    world
        .run(&[
            "--env",
            "staging",
            "--status",
            "success",
            "--deployment-id",
            &forced["deployment_id"].to_string(),
        ])
        .fails_with(2, "is to production, not staging");
}

#[test]
fn undeclared_inputs_and_a_branch_without_the_workflow_are_refused() {
    let world = World::new();
    let deploy = |extra: &[&str]| {
        let mut args = vec![
            "--env",
            "staging",
            "--version",
            "v1.4.0",
            "--workflow",
            "deploy.yml",
        ];
        args.extend_from_slice(extra);
        world.run(&args)
    };
    deploy(&["--input", "extra=1"]).fails_with(2, "does not declare the input(s) extra");
    deploy(&["--ref", "nope"]).fails_with(
        2,
        "the workflow .github/workflows/deploy.yml is not on nope",
    );
    assert_nothing_made(&world);
}

#[test]
fn a_rollback_starts_the_workflow_the_live_deployment_was_started_with_unless_told() {
    let world = World::new();
    world
        .fake
        .add_workflow_file(OWNER, NAME, "ship.yml", DEPLOY_YML);
    let rollback = |extra: &[&str]| {
        let mut args = vec!["--env", "production", "--rollback", "--reason", "broken"];
        args.extend_from_slice(extra);
        world.run(&args)
    };
    // History made by another tool records no workflow: one line, nothing made.
    world.fake.add_deployments(
        OWNER,
        NAME,
        "production",
        "v1.3.0",
        &json!({}),
        "success",
        1,
    );
    world.fake.add_deployments(
        OWNER,
        NAME,
        "production",
        "v1.4.0",
        &json!({}),
        "success",
        1,
    );
    world.fake.reset_counts();
    rollback(&[]).fails_with(
        2,
        "a rollback needs --workflow FILE: the live deployment of v1.4.0 in production",
    );
    assert_eq!(world.fake.write_count(), 0);
    assert!(world.fake.dispatches(OWNER, NAME).is_empty());
    // Deployed with ship.yml: a rollback without --workflow starts ship.yml.
    let out = world
        .run(&[
            "--env",
            "production",
            "--version",
            "v1.4.0",
            "--workflow",
            "ship.yml",
            "--json",
        ])
        .json();
    world.report(
        "production",
        out["deployment_id"].as_u64().expect("id"),
        "success",
    );
    let back = rollback(&["--json"]).json();
    assert_eq!(back["version"], "v1.3.0");
    let dispatched = world.fake.dispatches(OWNER, NAME);
    assert_eq!(
        dispatched.last().map(|d| d.workflow.as_str()),
        Some("ship.yml")
    );
    world.report(
        "production",
        back["deployment_id"].as_u64().expect("id"),
        "success",
    );
    // The rollback recorded ship.yml too; --workflow still overrides it.
    rollback(&["--to", "v1.4.0", "--workflow", "deploy.yml"]).ok();
    let dispatched = world.fake.dispatches(OWNER, NAME);
    assert_eq!(
        dispatched.last().map(|d| d.workflow.as_str()),
        Some("deploy.yml")
    );
    let history = world
        .run(&["--env", "production", "--list", "--json"])
        .json();
    assert_eq!(history["deployments"][0]["workflow"], "deploy.yml");
    assert_eq!(history["deployments"][1]["workflow"], "ship.yml");
}
