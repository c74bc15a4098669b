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
    let err = sunday_runner(&fake, "push").run().map(|_| ()).unwrap_err();
    assert!(err.contains("does not run on `push`"), "{err}");
    let err = sunday_runner(&fake, "workflow_dispatch")
        .input("nope", "x")
        .run()
        .map(|_| ())
        .unwrap_err();
    assert!(err.contains("no input `nope`"), "{err}");
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
fn a_run_on_a_branch_says_its_ref_type_as_github_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("where.yml");
    std::fs::write(
        &file,
        "on: push\njobs:\n  say:\n    runs-on: ubuntu-latest\n\
         \x20   outputs:\n      ref: ${{ steps.say.outputs.ref }}\n      type: ${{ github.ref_type }}\n\
         \x20   steps:\n      - id: say\n        run: echo \"ref=$GITHUB_REF_TYPE:$GITHUB_REF_NAME\" >> \"$GITHUB_OUTPUT\"\n",
    )
    .expect("write");
    let run_at = |git_ref: &str| {
        WorkflowRunner::new(&file)
            .event("push", json!({}))
            .repository("acme/widgets")
            .token("ghs_unused")
            .at(git_ref, "")
            .run()
            .expect("harness")
    };
    let on_branch = run_at("refs/heads/release/1.0");
    assert_eq!(on_branch.job("say").outputs["ref"], "branch:release/1.0");
    let on_tag = run_at("refs/tags/v1.0.0");
    assert_eq!(on_tag.job("say").outputs["type"], "tag");
}
