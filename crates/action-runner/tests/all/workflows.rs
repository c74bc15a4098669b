//! Whole workflows run by the harness's workflow runner: jobs, reusable workflows, checkout over
//! HTTP from the fake GitHub, and the project's actions inside them.

use action_runner::{WorkflowRunner, built_binaries, workspace_root};
use fake_github::FakeGitHub;
use serde_json::json;
use testkit::TestRepo;

fn sunday_runner(fake: &FakeGitHub, event: &str) -> WorkflowRunner {
    WorkflowRunner::new(workspace_root().join(".github/workflows/promote-main-to-stable.yml"))
        .event(event, json!({}))
        .repository("acme/widgets")
        .token(&fake.token())
        .git_url(&format!("{}/{{repository}}.git", fake.web_url()))
        .env("GITHUB_API_URL", fake.api_url())
        .env("TIDEGATE_BIN_DIR", built_binaries())
        .env("TIDEGATE_RETRY_BASE_MS", "1")
}

#[test]
fn the_sunday_workflow_opens_the_promotion_and_a_dispatch_updates_it_in_place() {
    let fake = FakeGitHub::start();
    let bare = fake.create_repo("acme", "widgets");
    let dev = TestRepo::new();
    dev.set_remote(&bare.display().to_string());
    dev.commit_file("app.txt", "one\n", "feat: the first version");
    dev.git(&["push", "-q", "origin", "main", "main:stable"]);
    dev.commit_file("a.txt", "a\n", "feat(api): add the widgets endpoint (#1)");
    dev.git(&["push", "-q", "origin", "main"]);

    let run = sunday_runner(&fake, "schedule").run().expect("harness");
    assert!(run.succeeded(), "{}\n{}", run.summary(), run.failure_logs());
    assert_eq!(run.job("promote/pr").result, "success");
    assert_eq!(run.job("promote/direct").result, "skipped");
    assert_eq!(run.job("promote").outputs["operation"], "created");
    let pulls = fake.pulls("acme", "widgets");
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    assert_eq!(
        (pulls[0].head_ref.as_str(), pulls[0].base_ref.as_str()),
        ("main", "stable")
    );
    assert!(
        pulls[0]
            .body
            .as_deref()
            .unwrap_or("")
            .contains("add the widgets endpoint")
    );
    assert!(
        !run.exposed().contains(&fake.token()),
        "the token reached the log"
    );

    dev.commit_file("b.txt", "b\n", "fix: a late fix (#2)");
    dev.git(&["push", "-q", "origin", "main"]);
    let run = sunday_runner(&fake, "workflow_dispatch")
        .input("mode", "pr")
        .run()
        .expect("harness");
    assert!(run.succeeded(), "{}\n{}", run.summary(), run.failure_logs());
    let pulls = fake.pulls("acme", "widgets");
    assert_eq!(pulls.len(), 1, "updated in place, not a second PR");
    assert!(
        pulls[0]
            .body
            .as_deref()
            .unwrap_or("")
            .contains("a late fix")
    );
}

#[test]
fn an_event_the_workflow_does_not_listen_to_and_an_unknown_input_are_harness_errors() {
    let fake = FakeGitHub::start();
    let err = sunday_runner(&fake, "push").run().err().unwrap_or_default();
    assert!(err.contains("does not run on `push`"), "{err}");
    let err = sunday_runner(&fake, "workflow_dispatch")
        .input("nope", "x")
        .run()
        .err()
        .unwrap_or_default();
    assert!(err.contains("no input `nope`"), "{err}");
}

#[test]
fn the_ref_type_is_given_as_a_runner_gives_it() {
    let dir = TestRepo::new();
    dir.write(
        "wf.yml",
        "on: workflow_dispatch\njobs:\n  show:\n    runs-on: ubuntu-latest\n    steps:\n      - env:\n          FROM_CONTEXT: ${{ github.ref_type }}\n        run: echo \"type=$GITHUB_REF_TYPE/$FROM_CONTEXT\"\n",
    );
    for (git_ref, expected) in [
        ("refs/heads/release/1.4.0", "branch"),
        ("refs/tags/v1.4.0", "tag"),
    ] {
        let run = WorkflowRunner::new(dir.path().join("wf.yml"))
            .event("workflow_dispatch", json!({}))
            .repository("acme/widgets")
            .at(git_ref, "0123456789012345678901234567890123456789")
            .run()
            .expect("harness");
        let log = &run.job("show").raw_log;
        assert!(
            log.contains(&format!("type={expected}/{expected}")),
            "{log}"
        );
    }
}

#[test]
fn an_app_token_is_exposed_only_when_a_step_passes_it_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workflow = dir.path().join("app.yml");
    std::fs::write(
        &workflow,
        r#"on: workflow_dispatch
permissions: {}
jobs:
  quiet:
    runs-on: ubuntu-latest
    steps:
      - id: app
        uses: actions/create-github-app-token@df432ceedc7162793a195dd1713ff69aefc7379e # v2.0.6
        with:
          app-id: "1"
          private-key: key
      - run: echo "made a token"
  loud:
    runs-on: ubuntu-latest
    steps:
      - id: app
        uses: actions/create-github-app-token@df432ceedc7162793a195dd1713ff69aefc7379e # v2.0.6
        with:
          app-id: "1"
          private-key: key
      - env:
          TOKEN: ${{ steps.app.outputs.token }}
        run: echo "token=$TOKEN" >>"$GITHUB_OUTPUT"
"#,
    )
    .expect("workflow");
    let app = "ghs_appTokenForTheExposureTest0000000001";
    let run = WorkflowRunner::new(&workflow)
        .app_token(app)
        .run()
        .expect("harness");
    assert!(run.succeeded(), "{}", run.failure_logs());
    assert!(!run.job("quiet").exposed().contains(app));
    assert!(run.job("loud").exposed().contains(app));
}

#[test]
fn kept_artifacts_outlive_the_run_for_the_test_to_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workflow = dir.path().join("keep.yml");
    std::fs::write(
        &workflow,
        r#"on: workflow_dispatch
permissions: {}
jobs:
  record:
    runs-on: ubuntu-latest
    steps:
      - id: write
        run: |
          echo '{"verdict": "passed"}' >"$RUNNER_TEMP/record.json"
          echo "path=$RUNNER_TEMP/record.json" >>"$GITHUB_OUTPUT"
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2
        with:
          name: records
          path: ${{ steps.write.outputs.path }}
"#,
    )
    .expect("write the workflow");
    let kept = dir.path().join("artifacts");
    let run = WorkflowRunner::new(&workflow)
        .keep_artifacts(&kept)
        .run()
        .expect("the harness runs it");
    assert!(run.succeeded(), "{}", run.failure_logs());
    drop(run);
    let text = std::fs::read_to_string(kept.join("records/record.json")).expect("kept");
    assert_eq!(text.trim(), r#"{"verdict": "passed"}"#);
}

#[test]
fn an_environment_named_by_an_expression_waits_for_that_environments_approval() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("deploy.yml");
    std::fs::write(
        &file,
        "on:\n  workflow_dispatch:\n    inputs:\n      environment:\n        type: string\n\
         jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: ${{ inputs.environment }}\n\
         \x20   steps:\n      - run: echo deployed\n",
    )
    .expect("write");
    let run_for = |environment: &str| {
        WorkflowRunner::new(&file)
            .repository("acme/widgets")
            .token("ghs_unused")
            .input("environment", environment)
            .approve_environment("staging")
            .run()
            .expect("harness")
    };
    let staging = run_for("staging");
    assert_eq!(staging.job("deploy").result, "success");
    assert_eq!(
        staging.job("deploy").environment.as_deref(),
        Some("staging")
    );
    let production = run_for("production");
    assert_eq!(production.job("deploy").result, "waiting");
    assert_eq!(
        production.job("deploy").environment.as_deref(),
        Some("production")
    );
}

#[test]
fn a_job_after_a_skipped_job_runs_its_steps_when_its_condition_allows_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("after.yml");
    std::fs::write(
        &file,
        "on: push\njobs:\n  first:\n    if: github.event_name == 'workflow_dispatch'\n\
         \x20   runs-on: ubuntu-latest\n    steps:\n      - run: echo first\n\
         \x20 by-default:\n    needs: first\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo x\n\
         \x20 unless-failed:\n    needs: first\n    if: ${{ !failure() && !cancelled() }}\n\
         \x20   runs-on: ubuntu-latest\n    outputs:\n      said: ${{ steps.say.outputs.said }}\n\
         \x20   steps:\n      - id: say\n        run: echo said=yes >> \"$GITHUB_OUTPUT\"\n",
    )
    .expect("write");
    let run = WorkflowRunner::new(&file)
        .event("push", json!({}))
        .repository("acme/widgets")
        .token("ghs_unused")
        .run()
        .expect("harness");
    assert_eq!(run.job("first").result, "skipped");
    assert_eq!(
        run.job("by-default").result,
        "skipped",
        "success() is false"
    );
    assert_eq!(run.job("unless-failed").result, "success");
    assert_eq!(
        run.job("unless-failed").outputs["said"],
        "yes",
        "its steps ran"
    );
}

#[test]
fn the_app_token_reaches_later_steps_but_not_what_a_reader_sees() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("app.yml");
    std::fs::write(
        &file,
        "on: workflow_dispatch\npermissions: {}\njobs:\n  one:\n    runs-on: ubuntu-latest\n    steps:\n\
         \x20     - id: app\n\
         \x20       uses: actions/create-github-app-token@df432ceedc7162793a195dd1713ff69aefc7379e # v2.0.6\n\
         \x20     - env:\n\
         \x20         TOKEN: ${{ steps.app.outputs.token }}\n\
         \x20       run: test \"${#TOKEN}\" -gt 10 && echo got it\n",
    )
    .expect("write");
    let token = "ghs_appTokenNeverShown0000000000000001";
    let run = WorkflowRunner::new(&file)
        .event("workflow_dispatch", json!({}))
        .repository("acme/widgets")
        .token("ghs_jobToken")
        .app_token(token)
        .run()
        .expect("harness");
    assert!(run.succeeded(), "{}", run.failure_logs());
    assert_eq!(
        run.job("one").step("app").expect("step").outputs["token"],
        token
    );
    assert!(run.job("one").raw_log.contains("got it"));
    assert!(!run.exposed().contains(token), "{}", run.exposed());
}

#[test]
fn an_event_github_would_not_deliver_for_the_filters_is_a_harness_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("filtered.yml");
    std::fs::write(
        &file,
        "on:\n  push:\n    branches: [\"release/**\"]\n  pull_request_review:\n    types: [submitted]\n\
         jobs:\n  say:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ran\n",
    )
    .expect("write");
    let runner = |event: &str, payload: serde_json::Value, git_ref: &str| {
        WorkflowRunner::new(&file)
            .event(event, payload)
            .at(git_ref, "")
            .run()
    };
    let on_line = runner("push", json!({}), "refs/heads/release/1.4.x").expect("delivered");
    assert!(on_line.job("say").raw_log.contains("ran"));
    let err = runner("push", json!({}), "refs/heads/main")
        .err()
        .unwrap_or_default();
    assert!(err.contains("for branch `main`"), "{err}");
    let err = runner(
        "pull_request_review",
        json!({"action": "edited"}),
        "refs/heads/main",
    )
    .err()
    .unwrap_or_default();
    assert!(err.contains("with action `edited`"), "{err}");
    assert!(
        runner(
            "pull_request_review",
            json!({"action": "submitted"}),
            "refs/heads/main"
        )
        .is_ok()
    );
}
