//! `actions/where`: the real `where` binary on the fake GitHub, through the action: the river
//! report into the step summary (a Mermaid flowchart) and a JSON file; `pr` and `commit` together
//! refused.

use crate::{failed_with, local_runner, succeeded, token_stays_hidden};
use action_runner::Runner;
use fake_github::FakeGitHub;
use testkit::TestRepo;

/// `main` two changes ahead of `stable`, and the runner's checkout of it with a river config.
fn river(fake: &FakeGitHub) -> TestRepo {
    let origin = fake.create_repo("acme", "widgets");
    let start = fake.commit_file("acme", "widgets", "main", "README", "r\n", "chore: start");
    fake.create_branch("acme", "widgets", "stable", &start);
    fake.commit_file(
        "acme",
        "widgets",
        "main",
        "a.txt",
        "a\n",
        "fix: <b>a</b> (#7)",
    );
    fake.commit_file("acme", "widgets", "main", "b.txt", "b\n", "feat: b (#8)");
    let checkout = TestRepo::new();
    checkout.git(&[
        "fetch",
        "-q",
        &origin.display().to_string(),
        "+refs/heads/*:refs/remotes/origin/*",
    ]);
    checkout.git(&["checkout", "-q", "--detach", "origin/main"]);
    checkout.write(
        "tidegate.toml",
        "[river]\nbranches = [\"main\", \"stable\"]\nenvironments = [\"production\"]\n",
    );
    checkout
}

fn runner(fake: &FakeGitHub, checkout: &TestRepo) -> Runner {
    local_runner("where")
        .workspace(checkout.path())
        .repository("acme/widgets")
        .token(&fake.token())
        .env("GITHUB_API_URL", fake.api_url())
        .env("TIDEGATE_RETRY_BASE_MS", "1")
}

#[test]
fn the_river_report_reaches_the_step_summary_and_a_json_file() {
    let fake = FakeGitHub::start();
    let checkout = river(&fake);
    // The runner keeps RUNNER_TEMP, where the files are, while it lives.
    let reporting = runner(&fake, &checkout);
    let run = reporting.run().expect("harness");
    succeeded(&run);
    token_stays_hidden(&run, &fake.token());
    assert!(
        run.summary.contains("```mermaid\nflowchart LR"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("2 commits, 2 PRs waiting"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("&lt;b&gt;"),
        "escaped: {}",
        run.summary
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&run.outputs["json"]).expect("the JSON file"),
    )
    .expect("JSON");
    assert_eq!(json["hops"][0]["waiting_commits"], 2);
    assert_eq!(json["environments"][0]["environment"], "production");
    let markdown = std::fs::read_to_string(&run.outputs["markdown"]).expect("the Markdown file");
    assert!(markdown.contains("flowchart LR"));
}

#[test]
fn pr_and_commit_together_are_refused() {
    let fake = FakeGitHub::start();
    let checkout = river(&fake);
    let run = runner(&fake, &checkout)
        .input("pr", "7")
        .input("commit", "abc1234")
        .run()
        .expect("harness");
    let error = failed_with(&run, "run", 2);
    assert!(error.contains("'pr' and 'commit' both given"), "{error}");
}
