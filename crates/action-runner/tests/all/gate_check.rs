//! `actions/gate-check`: a stand-in `gate-check` records the call (inputs become its arguments,
//! the token reaches it only in the environment, a pending verdict ends the step as the
//! `fail-on-pending` input says); then the real binary on the fake GitHub, through the action:
//! an approval on the head passes a `review` gate and its check run is posted.

use crate::{action, failed_with, local_runner, succeeded, token_stays_hidden};
use action_runner::Runner;
use fake_github::FakeGitHub;
use std::collections::BTreeMap;
use testkit::TestRepo;

/// A folder holding a stand-in `gate-check` that appends its arguments to `calls`, leaves its
/// environment in `env`, prints a record and exits with the code in `exit` (0 when absent).
struct Stub {
    dir: tempfile::TempDir,
}

impl Stub {
    fn exiting(code: i32) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let script = dir.path().join("gate-check");
        std::fs::write(
            &script,
            r#"#!/usr/bin/env bash
here=$(dirname "$0")
env -0 >"$here/env"
{ printf '%s\n' "$@"; echo --end--; } >>"$here/calls"
code=$(cat "$here/exit")
case $code in 0) outcome=passed ;; 1) outcome=failed ;; 4) outcome=pending ;; *) outcome= ;; esac
if [[ -n $outcome ]]; then
  { echo "outcome=$outcome"; echo "passed=$([[ $outcome == passed ]] && echo true || echo false)"; } >>"$GITHUB_OUTPUT"
  echo '{"format": 1, "stand-in": true}'
else
  echo '{"half'
  echo "::error::stand-in refusal" >&2
fi
exit "$code"
"#,
        )
        .expect("write stub");
        std::fs::write(dir.path().join("exit"), code.to_string()).expect("write exit");
        let mut perms = std::fs::metadata(&script).expect("stat").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&script, perms).expect("chmod");
        Self { dir }
    }

    fn runner(&self) -> Runner {
        Runner::new(action("gate-check"))
            .env("TIDEGATE_BIN_DIR", self.dir.path())
            .env("GITHUB_EVENT_NAME", "schedule")
            .input("gate", "review")
    }

    /// Each call's arguments.
    fn calls(&self) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(self.dir.path().join("calls")).unwrap_or_default();
        text.split_terminator("--end--\n")
            .map(|call| call.lines().map(String::from).collect())
            .collect()
    }

    /// The last call's environment.
    fn env(&self) -> BTreeMap<String, String> {
        let raw = std::fs::read(self.dir.path().join("env")).expect("env");
        String::from_utf8_lossy(&raw)
            .split_terminator('\0')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn inputs_become_gate_check_arguments_and_the_token_only_its_environment() {
    let stub = Stub::exiting(0);
    let runner = stub
        .runner()
        .input("pr", "7")
        .input("config", ".github/gates.toml")
        .input("working-directory", "checkout");
    let token = runner.token_value().to_string();
    let run = runner.run().expect("harness");
    succeeded(&run);
    assert_eq!(
        stub.calls(),
        [args(&[
            "--gate",
            "review",
            "--pr",
            "7",
            "--config",
            ".github/gates.toml",
            "--repo",
            "checkout",
            "--post-check",
            "--explain",
            "--json",
        ])]
    );
    assert_eq!(stub.env()["GITHUB_TOKEN"], token);
    token_stays_hidden(&run, &token);
    assert_eq!(run.outputs["outcome"], "passed");
    assert_eq!(run.outputs["passed"], "true");
    // The record is the binary's --json output, in a file under RUNNER_TEMP.
    let record = &run.outputs["record"];
    assert!(
        record.ends_with("/tidegate-gate-review-pr-7.json"),
        "{record}"
    );
    let text = std::fs::read_to_string(record).expect("the record");
    assert!(text.contains("\"stand-in\": true"), "{text}");

    // The event's pull request when pr is empty; ref instead of a pull request; switches off.
    let stub = Stub::exiting(0);
    let run = stub
        .runner()
        .event("pull_request.number", "12")
        .run()
        .expect("harness");
    succeeded(&run);
    assert_eq!(
        stub.calls()[0][..4],
        args(&["--gate", "review", "--pr", "12"])
    );
    let stub = Stub::exiting(0);
    let run = stub
        .runner()
        .event("pull_request.number", "12")
        .input("ref", "v1.2.0")
        .input("post-check", "false")
        .input("explain", "false")
        .run()
        .expect("harness");
    succeeded(&run);
    assert_eq!(
        stub.calls(),
        [args(&[
            "--gate", "review", "--ref", "v1.2.0", "--repo", ".", "--json"
        ])]
    );
    assert!(run.outputs["record"].ends_with("/tidegate-gate-review-ref-v1.2.0.json"));
}

#[test]
fn pending_succeeds_unless_fail_on_pending_and_failed_always_fails() {
    let stub = Stub::exiting(4);
    let run = stub.runner().input("pr", "7").run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["outcome"], "pending");
    assert_eq!(run.outputs["passed"], "false");
    assert!(
        run.log.contains("::notice::gate review is pending"),
        "{}",
        run.log
    );

    let stub = Stub::exiting(4);
    let run = stub
        .runner()
        .input("pr", "7")
        .input("fail-on-pending", "true")
        .run()
        .expect("harness");
    let error = failed_with(&run, "run", 4);
    assert!(
        error.contains("pending and fail-on-pending is true"),
        "{error}"
    );
    assert_eq!(run.step_outputs["run"]["outcome"], "pending");

    let stub = Stub::exiting(1);
    // Kept alive: its RUNNER_TEMP, with the record, goes with it.
    let runner = stub.runner().input("pr", "7");
    let run = runner.run().expect("harness");
    let error = failed_with(&run, "run", 1);
    assert!(error.contains("gate review failed"), "{error}");
    let record = &run.step_outputs["run"]["record"];
    assert!(std::path::Path::new(record).is_file(), "{record}");

    // Not evaluated (gate-check refused): its one error line, its code, no record left behind.
    let stub = Stub::exiting(2);
    let runner = stub.runner().input("pr", "7");
    let run = runner.run().expect("harness");
    let error = failed_with(&run, "run", 2);
    assert!(error.contains("stand-in refusal"), "{error}");
    assert!(!run.step_outputs["run"].contains_key("record"));
    let temp = std::fs::read_dir(std::path::Path::new(&stub.env()["RUNNER_TEMP"]))
        .expect("runner temp")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("tidegate-gate-"))
        .collect::<Vec<_>>();
    assert!(temp.is_empty(), "{temp:?}");
}

#[test]
fn bad_inputs_stop_with_one_error_before_gate_check_runs() {
    let refused: &[(&[(&str, &str)], &str)] = &[
        (&[("gate", "")], "input 'gate' is empty"),
        (
            &[("gate", "prod\n::warning::x")],
            "input 'gate' 'prod%0A::warning::x' is not a gate name",
        ),
        (
            &[],
            "input 'pr' is empty and the schedule event has no pull request",
        ),
        (
            &[("pr", "7"), ("ref", "abc")],
            "input 'ref' and pr are both given",
        ),
        (
            &[("pr", "#7")],
            "input 'pr' must be a pull request's number, not '#7'",
        ),
        (
            &[("pr", "7"), ("post-check", "yes")],
            "input 'post-check' must be true or false",
        ),
        (
            &[("pr", "7"), ("explain", "1")],
            "input 'explain' must be true or false",
        ),
        (
            &[("pr", "7"), ("fail-on-pending", "True ")],
            "input 'fail-on-pending' must be true or false",
        ),
    ];
    for (inputs, message) in refused {
        let stub = Stub::exiting(0);
        let mut runner = stub.runner();
        for (name, value) in *inputs {
            runner = runner.input(name, value);
        }
        let run = runner.run().expect("harness");
        let error = failed_with(&run, "check", 2);
        assert!(error.contains(message), "{inputs:?}: {error}");
        assert!(stub.calls().is_empty(), "{inputs:?}: gate-check ran");
    }
}

#[test]
fn an_approval_on_the_head_passes_the_review_gate_and_posts_its_check_run() {
    let fake = FakeGitHub::start();
    let origin = fake.create_repo("acme", "widgets").display().to_string();
    let dev = TestRepo::new();
    dev.set_remote(&origin);
    dev.write("tidegate.toml", "[gates.review]\napprovals = { min = 1 }\n");
    dev.commit_all("chore: the review gate");
    dev.git(&["push", "-q", "origin", "main"]);
    dev.git(&["checkout", "-q", "-b", "feature"]);
    dev.commit_file("src/a.txt", "a", "fix: a thing");
    dev.git(&["push", "-q", "origin", "feature"]);
    fake.set_actor("dev");
    let pr = fake.open_pull("acme", "widgets", "feature", "main", "fix: a thing", "");
    for login in ["ada", "dev"] {
        fake.add_collaborator_with_role("acme", "widgets", login, "write");
    }
    // The runner's checkout, as the example workflow leaves it: the base branch, and the pull
    // request's head fetched as objects only.
    let checkout = TestRepo::new();
    checkout.git(&[
        "fetch",
        "-q",
        &origin,
        "+refs/heads/*:refs/remotes/origin/*",
    ]);
    checkout.git(&["checkout", "-q", "--detach", "origin/main"]);
    let head = checkout.git(&["rev-parse", "origin/feature"]);
    let runner = || {
        local_runner("gate-check")
            .workspace(checkout.path())
            .repository("acme/widgets")
            .token(&fake.token())
            .env("GITHUB_API_URL", fake.api_url())
            .env("TIDEGATE_RETRY_BASE_MS", "1")
            .env("GITHUB_EVENT_NAME", "pull_request_review")
            .event("pull_request.number", &pr.to_string())
            .input("gate", "review")
    };

    // No approval yet: pending, and the step is not red.
    let run = runner().run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["outcome"], "pending", "{}", run.log);

    fake.add_review_at(
        "acme",
        "widgets",
        pr,
        "ada",
        "APPROVED",
        &head,
        "2026-12-01T10:00:00Z",
    );
    // Kept alive: its RUNNER_TEMP, with the record, goes with it.
    let approved = runner();
    let run = approved.run().expect("harness");
    succeeded(&run);
    token_stays_hidden(&run, &fake.token());
    assert_eq!(run.outputs["outcome"], "passed", "{}", run.log);
    assert_eq!(run.outputs["passed"], "true");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&run.outputs["record"]).expect("the record"))
            .expect("the record is JSON");
    assert_eq!(record["gate"], "review");
    assert!(run.summary.contains("approvals"), "{}", run.summary);

    // The check run on the head commit, as GitHub lists it.
    let listed = std::process::Command::new("curl")
        .args(["--silent", "--fail", "--header"])
        .arg(format!("Authorization: Bearer {}", fake.token()))
        .arg(format!(
            "{}/repos/acme/widgets/commits/{head}/check-runs",
            fake.api_url()
        ))
        .output()
        .expect("curl");
    assert!(listed.status.success(), "listing check runs failed");
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let runs = listed["check_runs"].as_array().expect("check_runs");
    let gate: Vec<_> = runs
        .iter()
        .filter(|r| r["name"] == "tidegate/gate: review")
        .collect();
    assert_eq!(gate.len(), 1, "{listed}");
    assert_eq!(gate[0]["conclusion"], "success", "{listed}");
}

#[test]
fn the_gate_check_example_uses_only_what_the_action_declares() {
    let path = action_runner::workspace_root().join("examples/gate-check.yml");
    let text = std::fs::read_to_string(&path).expect("examples/gate-check.yml");
    let docs = <saphyr::Yaml as saphyr::LoadableYamlNode>::load_from_str(&text).expect("YAML");
    let declared = action_runner::Action::load(&action("gate-check")).expect("action.yml");
    let mut steps = 0;
    for (_, job) in docs[0]["jobs"].as_mapping().expect("jobs").iter() {
        for step in job["steps"].as_sequence().expect("steps").iter() {
            let Some(uses) = step.as_mapping_get("uses").and_then(|u| u.as_str()) else {
                continue;
            };
            if !uses.starts_with("tidegate/tidegate/actions/gate-check@") {
                continue;
            }
            steps += 1;
            let with: Vec<&str> = step["with"]
                .as_mapping()
                .expect("with")
                .iter()
                .map(|(k, _)| k.as_str().expect("input name"))
                .collect();
            for input in &with {
                assert!(
                    declared.inputs.iter().any(|i| i.name == *input),
                    "the example passes `{input}`, which actions/gate-check does not declare"
                );
            }
            for required in declared.inputs.iter().filter(|i| i.required) {
                assert!(
                    with.contains(&required.name.as_str()),
                    "`{}` missing",
                    required.name
                );
            }
            let id = step["id"].as_str().expect("the gate step has an id");
            for part in text.split(&format!("steps.{id}.outputs.")).skip(1) {
                let output: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                assert!(
                    declared.outputs.iter().any(|(o, _)| *o == output),
                    "the example reads output `{output}`, which actions/gate-check does not declare"
                );
            }
        }
    }
    assert_eq!(steps, 1);
}
