//! `actions/promote-branch` with `to-repo`: the downstream hop, its token kept out of the log.

use crate::{local_runner, succeeded, token_stays_hidden};
use fake_github::{FakeGitHub, TokenPerms};
use testkit::TestRepo;

#[test]
fn to_repo_opens_the_sync_pull_request_downstream_with_its_own_token() {
    let fake = FakeGitHub::start();
    let upstream = fake.create_repo("acme", "widgets");
    let downstream = fake.create_repo("ocean", "widgets");
    let down_token = "ghs_actiondownstreamactiondownstream01";
    let perms = TokenPerms {
        write: true,
        workflows: true,
        ..TokenPerms::default()
    };
    fake.add_token(down_token, &["ocean/widgets"], perms);
    let dev = TestRepo::new();
    dev.set_remote(&upstream.display().to_string());
    dev.commit_file("app.txt", "one\n", "feat: the first version");
    dev.git(&["push", "-q", &downstream.display().to_string(), "main"]);
    dev.commit_file("a.txt", "a\n", "feat(api): add the widgets endpoint (#1)");
    dev.git(&["push", "-q", "origin", "main"]);
    let checkout = TestRepo::new();
    checkout.set_remote(&upstream.display().to_string());
    checkout.git(&["fetch", "-q", "origin"]);
    checkout.git(&["checkout", "-q", "-B", "main", "origin/main"]);

    let runner = local_runner("promote-branch")
        .workspace(checkout.path())
        .repository("acme/widgets")
        .token(&fake.token())
        .env("GITHUB_API_URL", fake.api_url())
        .env("TIDEGATE_RETRY_BASE_MS", "1")
        .input("from", "main")
        .input("to", "main")
        .input("to-repo", "ocean/widgets")
        .input("to-token", down_token);
    let run = runner.run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["operation"], "created");
    assert_eq!(run.outputs["downstream-only"], "0");
    assert_eq!(run.outputs["commit-count"], "1");
    let pulls = fake.pulls("ocean", "widgets");
    assert_eq!(pulls.len(), 1);
    assert_eq!(pulls[0].head_ref, "tidegate/sync/acme-widgets/main");
    assert!(fake.pulls("acme", "widgets").is_empty());
    token_stays_hidden(&run, down_token);
    token_stays_hidden(&run, runner.token_value());
}
