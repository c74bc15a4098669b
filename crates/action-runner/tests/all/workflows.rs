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
