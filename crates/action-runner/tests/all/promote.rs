//! `actions/promote-branch` against the fake GitHub.

use crate::{failed_with, local_runner, succeeded, token_stays_hidden};
use fake_github::FakeGitHub;
use testkit::TestRepo;

/// A repository on the fake GitHub with `main` two commits ahead of `stable`, and the runner's
/// checkout of it.
struct Repo {
    fake: FakeGitHub,
    checkout: TestRepo,
}

fn repo() -> Repo {
    let fake = FakeGitHub::start();
    let origin = fake.create_repo("acme", "widgets");
    let dev = TestRepo::new();
    dev.set_remote(&origin.display().to_string());
    dev.commit_file("app.txt", "one\n", "feat: the first version");
    dev.git(&["branch", "stable"]);
    dev.commit_file("a.txt", "a\n", "feat(api): add the widgets endpoint (#1)");
    dev.commit_file("b.txt", "b\n", "fix: stop dropping the last page (#2)");
    dev.git(&["push", "-q", "origin", "main", "stable"]);
    let checkout = TestRepo::new();
    checkout.set_remote(&origin.display().to_string());
    checkout.git(&["fetch", "-q", "origin"]);
    checkout.git(&["checkout", "-q", "-B", "main", "origin/main"]);
    Repo { fake, checkout }
}

fn runner(repo: &Repo) -> action_runner::Runner {
    local_runner("promote-branch")
        .workspace(repo.checkout.path())
        .repository("acme/widgets")
        .token(&repo.fake.token())
        .env("GITHUB_API_URL", repo.fake.api_url())
        .env("TIDEGATE_RETRY_BASE_MS", "1")
        .input("from", "main")
        .input("to", "stable")
}

#[test]
fn opens_the_promotion_pr_and_maps_its_outputs() {
    let repo = repo();
    for login in ["octocat", "hubot"] {
        repo.fake.add_collaborator("acme", "widgets", login);
    }
    let runner = runner(&repo)
        .input("labels", "promotion, weekly")
        .input("reviewers", "octocat\nhubot")
        .input("draft", "true");
    let run = runner.run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["operation"], "created");
    assert_eq!(run.outputs["pr-number"], "1");
    assert!(
        run.outputs["pr-url"].ends_with("/acme/widgets/pull/1"),
        "{:?}",
        run.outputs
    );
    assert_eq!(run.outputs["commit-count"], "2");
    assert_eq!(
        run.outputs["head-sha"],
        repo.checkout.git(&["rev-parse", "origin/main"])
    );
    assert_eq!(run.outputs["conflicts"], "");
    let pulls = repo.fake.pulls("acme", "widgets");
    assert_eq!(pulls.len(), 1);
    assert_eq!(pulls[0].labels, ["promotion", "weekly"]);
    assert_eq!(pulls[0].requested_reviewers, ["octocat", "hubot"]);
    assert!(pulls[0].draft);
    assert!(
        run.summary.contains("stable"),
        "the step summary reports: {}",
        run.summary
    );
    token_stays_hidden(&run, runner.token_value());
    // The installer's answer reached the run step through its output, not PATH.
    assert_eq!(run.step_outputs["install"]["method"], "local");
    assert!(run.uses.is_empty(), "no cache step for local binaries");

    // The second run (next Sunday, nothing new) leaves the PR as it is.
    let again = runner.run().expect("harness");
    succeeded(&again);
    assert_eq!(again.outputs["operation"], "skipped");
    assert_eq!(again.outputs["pr-number"], "1", "still names the open PR");
    assert_eq!(repo.fake.pulls("acme", "widgets").len(), 1);
}

#[test]
fn dry_run_needs_no_token_and_writes_nothing() {
    let repo = repo();
    let runner = runner(&repo).input("dry-run", "true").token("");
    let run = runner.run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["operation"], "pr", "the planned operation");
    assert_eq!(run.outputs["commit-count"], "2");
    assert!(
        run.log.contains("stop dropping the last page"),
        "{}",
        run.log
    );
    assert_eq!(repo.fake.total_requests(), 0);
}

#[test]
fn a_bad_boolean_input_stops_before_anything_is_written() {
    let repo = repo();
    let run = runner(&repo).input("draft", "yes").run().expect("harness");
    let error = failed_with(&run, "run", 2);
    assert!(
        error.contains("::error::input 'draft' must be true or false, not 'yes'"),
        "{error}"
    );
    assert_eq!(repo.fake.total_requests(), 0);
    assert!(run.outputs.is_empty());
}

#[test]
fn a_read_only_token_fails_with_the_permission_to_grant_and_stays_hidden() {
    let repo = repo();
    repo.fake.set_read_only_token(true);
    let runner = runner(&repo);
    let run = runner.run().expect("harness");
    let error = failed_with(&run, "run", 2);
    assert!(error.contains("pull-requests: write"), "{error}");
    token_stays_hidden(&run, runner.token_value());
}

#[test]
fn on_conflict_skip_and_a_body_header_reach_the_binary() {
    let repo = repo();
    let run = runner(&repo)
        .input(
            "body-header",
            "**Merge with a merge commit; do not squash.**\n",
        )
        .input("working-directory", ".")
        .run()
        .expect("harness");
    succeeded(&run);
    let body = repo.fake.pulls("acme", "widgets")[0]
        .body
        .clone()
        .expect("body");
    assert!(
        body.starts_with(
            "**Merge with a merge commit; do not squash.**\n\n<!-- tidegate:promotion:begin -->"
        ),
        "{body}"
    );

    // In another repository, a conflict with on-conflict: skip opens nothing.
    let conflicted = conflicting_repo();
    let run = runner(&conflicted)
        .input("on-conflict", "skip")
        .run()
        .expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["operation"], "conflict");
    assert_eq!(run.outputs["conflicts"], "app.txt");
    assert!(conflicted.fake.pulls("acme", "widgets").is_empty());

    let run = runner(&conflicted)
        .input("on-conflict", "sometimes")
        .run()
        .expect("harness");
    let error = failed_with(&run, "run", 2);
    assert!(error.contains("sometimes"), "{error}");
    assert!(conflicted.fake.pulls("acme", "widgets").is_empty());
}

#[test]
fn the_checkout_folder_input_is_working_directory() {
    let repo = repo();
    assert!(
        runner(&repo).input("path", ".").run().is_err(),
        "`path` is no longer the checkout folder of promote-branch"
    );
    let run = runner(&repo)
        .input("working-directory", "no-such-folder")
        .input("dry-run", "true")
        .token("")
        .run()
        .expect("harness");
    let error = failed_with(&run, "run", 3);
    assert!(error.contains("no-such-folder"), "{error}");
}

/// `main` and `stable` both changed `app.txt` since they parted.
fn conflicting_repo() -> Repo {
    let fake = FakeGitHub::start();
    let origin = fake.create_repo("acme", "widgets");
    let dev = TestRepo::new();
    dev.set_remote(&origin.display().to_string());
    dev.commit_file("app.txt", "one\n", "feat: the first version");
    dev.git(&["branch", "stable"]);
    dev.commit_file("app.txt", "main\n", "feat: main's app");
    dev.checkout(&["stable"]);
    dev.commit_file("app.txt", "stable\n", "fix: stable's app");
    dev.git(&["push", "-q", "origin", "main", "stable"]);
    let checkout = TestRepo::new();
    checkout.set_remote(&origin.display().to_string());
    checkout.git(&["fetch", "-q", "origin"]);
    checkout.git(&["checkout", "-q", "-B", "main", "origin/main"]);
    Repo { fake, checkout }
}
