//! `actions/backport` against the fake GitHub: inputs become flags, the token only the
//! environment, the binary's outputs the action's.

use crate::{failed_with, local_runner, succeeded, token_stays_hidden};
use fake_github::FakeGitHub;
use testkit::TestRepo;

struct Repo {
    fake: FakeGitHub,
    checkout: TestRepo,
    number: u64,
}

/// A fix merged (squash) into `main`, and `release/1` cut before it.
fn repo() -> Repo {
    let fake = FakeGitHub::start();
    let origin = fake.create_repo("acme", "widgets");
    let dev = TestRepo::new();
    dev.set_remote(&origin.display().to_string());
    dev.commit_file("app.txt", "one\n", "feat: the first version");
    dev.git(&["branch", "release/1"]);
    dev.git(&["push", "-q", "origin", "main", "release/1"]);
    dev.git(&["checkout", "-q", "-b", "fix"]);
    dev.commit_file("app.txt", "one\ntwo\n", "fix: add two");
    dev.git(&["push", "-q", "origin", "fix"]);
    let number = fake.open_pull("acme", "widgets", "fix", "main", "Add two", "");
    fake.set_labels("acme", "widgets", number, &["bug"]);
    fake.merge_pull("acme", "widgets", number, "squash");
    let checkout = TestRepo::new();
    checkout.set_remote(&origin.display().to_string());
    checkout.git(&["fetch", "-q", "origin"]);
    checkout.git(&["checkout", "-q", "-B", "main", "origin/main"]);
    Repo {
        fake,
        checkout,
        number,
    }
}

fn runner(repo: &Repo) -> action_runner::Runner {
    local_runner("backport")
        .workspace(repo.checkout.path())
        .repository("acme/widgets")
        .token(&repo.fake.token())
        .env("GITHUB_API_URL", repo.fake.api_url())
        .env("TIDEGATE_RETRY_BASE_MS", "1")
}

#[test]
fn backports_a_merged_pr_and_maps_its_outputs() {
    let repo = repo();
    let runner = runner(&repo)
        .input("pr", &repo.number.to_string())
        .input("to", "release/1")
        .input("labels", "backport");
    let run = runner.run().expect("harness");
    succeeded(&run);
    let pulls: Vec<_> = repo
        .fake
        .pulls("acme", "widgets")
        .into_iter()
        .filter(|p| p.base_ref == "release/1")
        .collect();
    assert_eq!(pulls.len(), 1);
    assert_eq!(pulls[0].title, "[Backport release/1] Add two");
    assert_eq!(pulls[0].labels, ["bug", "backport"]);
    assert_eq!(run.outputs["created"], pulls[0].number.to_string());
    let results: serde_json::Value =
        serde_json::from_str(&run.outputs["results"]).expect("JSON results");
    assert_eq!(results[0]["status"], "created");
    assert!(run.summary.contains("release/1"), "{}", run.summary);
    token_stays_hidden(&run, runner.token_value());
    // Again: found, nothing new.
    let again = runner.run().expect("harness");
    succeeded(&again);
    assert_eq!(again.outputs["created"], "");
    assert!(again.outputs["results"].contains("\"exists\""));
}

#[test]
fn a_pr_that_is_not_a_number_is_refused_before_the_binary_runs() {
    let repo = repo();
    let run = runner(&repo)
        .input("pr", "1; rm -rf /")
        .input("to", "release/1")
        .run()
        .expect("harness");
    let line = failed_with(&run, "run", 2);
    assert!(
        line.contains("input 'pr' must be a pull request's number"),
        "{line}"
    );
    assert_eq!(repo.fake.total_requests(), 0);
}
