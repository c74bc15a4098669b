//! `actions/deploy`: the real `deploy` binary on the fake GitHub, through the action: a version
//! deployed (the deploy workflow dispatched), its status reported as the workflow's last step
//! does, a rollback to the version before, the history listed to a JSON file; inputs refused before anything runs; the example
//! workflows pass only what the action declares.

use crate::{action, failed_with, local_runner, succeeded, token_stays_hidden};
use action_runner::{Runner, workspace_root};
use fake_github::FakeGitHub;
use std::process::Command;

fn runner(fake: &FakeGitHub) -> Runner {
    local_runner("deploy")
        .repository("acme/widgets")
        .token(&fake.token())
        .env("GITHUB_API_URL", fake.api_url())
        .env("GITHUB_ACTOR", "ada")
        .env("TIDEGATE_RETRY_BASE_MS", "1")
}

#[test]
fn a_version_is_deployed_reported_rolled_back_and_listed() {
    let fake = FakeGitHub::start();
    let origin = fake.create_repo("acme", "widgets");
    // v1.3.0 was in production before; v1.4.0 is the version to deploy.
    for version in ["v1.3.0", "v1.4.0"] {
        let sha = fake.commit_file(
            "acme",
            "widgets",
            "main",
            "VERSION",
            version,
            &format!("chore: release {version}"),
        );
        let tagged = Command::new("git")
            .arg("--git-dir")
            .arg(&origin)
            .args(["tag", version, &sha])
            .status()
            .expect("git runs");
        assert!(tagged.success());
    }
    fake.add_deployments(
        "acme",
        "widgets",
        "production",
        "v1.3.0",
        &serde_json::json!({ "version": "v1.3.0" }),
        "success",
        1,
    );
    let example = std::fs::read_to_string(workspace_root().join("examples/deploy.yml"))
        .expect("examples/deploy.yml");
    fake.add_workflow_file("acme", "widgets", "deploy.yml", &example);

    // Deploy: a deployment of the tag, the workflow dispatched with its id.
    let deploying = runner(&fake)
        .input("environment", "production")
        .input("version", "v1.4.0")
        .input("reason", "weekly");
    let run = deploying.run().expect("harness");
    succeeded(&run);
    token_stays_hidden(&run, &fake.token());
    let recorded = fake.deployments("acme", "widgets");
    assert_eq!(recorded.len(), 2, "{}", run.log);
    let deployment = &recorded[1];
    assert_eq!(
        (deployment.git_ref.as_str(), deployment.environment.as_str()),
        ("v1.4.0", "production")
    );
    assert_eq!(deployment.payload["reason"], "weekly");
    assert_eq!(run.outputs["deployment-id"], deployment.id.to_string());
    assert_eq!(run.outputs["version"], "v1.4.0");
    assert_eq!(run.outputs["rollback-of"], "");
    let run_url = &run.outputs["run-url"];
    assert!(run_url.contains("/actions/runs/"), "{run_url}");
    assert_eq!(
        deployment.statuses.last().map(|s| s.state.as_str()),
        Some("in_progress")
    );
    assert_eq!(
        deployment.statuses.last().map(|s| &s.log_url),
        Some(run_url)
    );
    let dispatched = fake.dispatches("acme", "widgets");
    assert_eq!(dispatched.len(), 1);
    assert_eq!(dispatched[0].inputs["version"], "v1.4.0");
    assert_eq!(dispatched[0].inputs["environment"], "production");
    assert_eq!(
        dispatched[0].inputs["deployment-id"],
        deployment.id.to_string()
    );

    // The deploy workflow's last step, as examples/deploy.yml has it.
    let reporting = runner(&fake)
        .input("mode", "status")
        .input("environment", "production")
        .input("deployment-id", &dispatched[0].inputs["deployment-id"])
        .input("status", "success");
    let run = reporting.run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["state"], "success");
    assert_eq!(run.outputs["deployment-id"], deployment.id.to_string());
    let states: Vec<String> = fake.deployments("acme", "widgets")[1]
        .statuses
        .iter()
        .map(|s| s.state.clone())
        .collect();
    assert_eq!(states, ["queued", "in_progress", "success"]);

    // Rollback: the version live before, with the reason.
    let rolling_back = runner(&fake)
        .input("mode", "rollback")
        .input("environment", "production")
        .input("reason", "errors up 5%");
    let run = rolling_back.run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["version"], "v1.3.0");
    assert_eq!(run.outputs["rollback-of"], "v1.4.0");
    let recorded = fake.deployments("acme", "widgets");
    assert_eq!(recorded.len(), 3);
    assert_eq!(run.outputs["deployment-id"], recorded[2].id.to_string());
    assert_eq!(recorded[2].git_ref, "v1.3.0");
    assert_eq!(recorded[2].payload["reason"], "errors up 5%");
    // No `workflow` input: the one the live deployment was started with (the deploy step's
    // default, recorded in its payload).
    assert_eq!(recorded[1].payload["workflow"], "deploy.yml");
    assert_eq!(fake.dispatches("acme", "widgets")[1].workflow, "deploy.yml");
    assert_eq!(
        fake.dispatches("acme", "widgets")[1].inputs["version"],
        "v1.3.0"
    );

    // The history, as a JSON file under RUNNER_TEMP: the rollback is under way, v1.4.0 is live.
    let listing = runner(&fake)
        .input("mode", "list")
        .input("environment", "production");
    let run = listing.run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["live"], "v1.4.0");
    let history: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&run.outputs["list"]).expect("the history file"),
    )
    .expect("JSON");
    assert_eq!(history["live"], "v1.4.0");
    assert_eq!(history["deployments"][0]["status"], "in_progress");
    assert_eq!(history["deployments"][0]["rollback_of"], "v1.4.0");
    assert_eq!(history["deployments"][1]["status"], "success");
    assert_eq!(history["deployments"][1]["reason"], "weekly");
    assert_eq!(fake.contract_violations(), Vec::<String>::new());
}

#[test]
fn bad_inputs_stop_with_one_error_before_anything_runs() {
    let refused: &[(&[(&str, &str)], &str)] = &[
        (
            &[("mode", "ship")],
            "input 'mode' must be deploy, rollback, status or list",
        ),
        (&[("environment", " ")], "input 'environment' is empty"),
        (
            &[("environment", "prod\n::warning::x")],
            "input 'environment' 'prod%0A::warning::x' spans lines",
        ),
        (&[], "input 'version' is empty"),
        (
            &[("version", "v1 ; rm")],
            "input 'version' 'v1 ; rm' is not a tag name",
        ),
        (
            &[("version", "v1"), ("workflow", "../x.yml")],
            "input 'workflow' '../x.yml' is not a workflow file name",
        ),
        (
            &[("version", "v1"), ("workflow-inputs", "region")],
            "input 'workflow-inputs' line 'region' is not NAME=VALUE",
        ),
        (
            &[("version", "v1"), ("status", "success")],
            "input 'status' is for mode status, not deploy",
        ),
        (
            &[("version", "v1"), ("require-assets", "yes")],
            "input 'require-assets' must be true or false",
        ),
        (
            &[("mode", "rollback")],
            "input 'reason' is empty; a rollback says why",
        ),
        (
            &[("mode", "rollback"), ("reason", "x"), ("limit", "3")],
            "input 'limit' is for mode list, not rollback",
        ),
        (
            &[("version", "v1"), ("force", "true")],
            "input 'force' is for mode rollback, not deploy",
        ),
        (&[("mode", "status")], "input 'status' is empty"),
        (
            &[
                ("mode", "status"),
                ("status", "success"),
                ("workflow", "deploy.yml"),
            ],
            "input 'workflow' is for mode deploy/rollback, not status",
        ),
        (
            &[("mode", "status"), ("status", "done")],
            "input 'status' must be success, failure, error or in_progress",
        ),
        (
            &[
                ("mode", "status"),
                ("status", "success"),
                ("deployment-id", "#4"),
            ],
            "input 'deployment-id' must be a deployment's number",
        ),
        (
            &[("mode", "list"), ("limit", "0")],
            "input 'limit' must be a number of deployments",
        ),
    ];
    for (inputs, message) in refused {
        // No binary and no server: a run that got past the check would fail elsewhere.
        let mut runner = Runner::new(action("deploy"))
            .env("TIDEGATE_BIN_DIR", "/nonexistent")
            .input("environment", "production");
        for (name, value) in *inputs {
            runner = runner.input(name, value);
        }
        let run = runner.run().expect("harness");
        let error = failed_with(&run, "check", 2);
        assert!(error.contains(message), "{inputs:?}: {error}");
    }
}

/// The `uses: tidegate/tidegate/actions/deploy@…` steps of an example: each passes only inputs the
/// action declares, gives the required ones, and reads only outputs it declares.
fn deploy_steps_of(example: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(workspace_root().join("examples").join(example))
        .expect("the example");
    let docs = <saphyr::Yaml as saphyr::LoadableYamlNode>::load_from_str(&text).expect("YAML");
    let declared = action_runner::Action::load(&action("deploy")).expect("action.yml");
    let mut steps = Vec::new();
    for (_, job) in docs[0]["jobs"].as_mapping().expect("jobs").iter() {
        for step in job["steps"].as_sequence().expect("steps").iter() {
            let Some(uses) = step.as_mapping_get("uses").and_then(|u| u.as_str()) else {
                continue;
            };
            if !uses.starts_with("tidegate/tidegate/actions/deploy@") {
                continue;
            }
            let with: Vec<String> = step["with"]
                .as_mapping()
                .expect("with")
                .iter()
                .map(|(k, _)| k.as_str().expect("input name").to_string())
                .collect();
            for input in &with {
                assert!(
                    declared.inputs.iter().any(|i| &i.name == input),
                    "{example} passes `{input}`, which actions/deploy does not declare"
                );
            }
            for required in declared.inputs.iter().filter(|i| i.required) {
                assert!(
                    with.contains(&required.name),
                    "{example}: `{}` missing",
                    required.name
                );
            }
            if let Some(id) = step.as_mapping_get("id").and_then(|i| i.as_str()) {
                for part in text.split(&format!("steps.{id}.outputs.")).skip(1) {
                    let output: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                        .collect();
                    assert!(
                        declared.outputs.iter().any(|(o, _)| *o == output),
                        "{example} reads output `{output}`, which actions/deploy does not declare"
                    );
                }
            }
            steps.push(with);
        }
    }
    steps
}

#[test]
fn the_deploy_and_rollback_examples_use_only_what_the_action_declares() {
    let deploy = deploy_steps_of("deploy.yml");
    assert_eq!(deploy.len(), 1);
    assert!(deploy[0].contains(&"deployment-id".to_string()));
    let rollback = deploy_steps_of("rollback.yml");
    assert_eq!(rollback.len(), 1);
    for input in ["mode", "environment", "version", "reason"] {
        assert!(rollback[0].contains(&input.to_string()), "{input}");
    }
}
