//! Eight `backport` runs started at once for one merged pull request (a label event and a comment
//! event arriving together, each its own workflow run and checkout), against one fake GitHub:
//! one backport pull request per line and one result comment, as one run leaves.

use crate::{NAME, OWNER, RESULTS, World};
use std::process::Command;
use testkit::TestRepo;
use testkit::concurrent::{all_succeeded, at_once};

const RUNS: usize = 8;

#[test]
fn eight_backports_at_once_open_one_pr_per_line_and_one_result_comment() {
    let w = World::new();
    let number = w.open_pr(
        "fix-count",
        "Fix the widget count",
        &[(
            "app.txt",
            "one\ntwo\nthree\nfour\n",
            "fix: count the fourth widget",
        )],
    );
    w.fake.merge_pull(OWNER, NAME, number, "squash");
    let origin = w.origin.display().to_string();
    let home = tempfile::tempdir().expect("temp dir");
    let checkouts: Vec<TestRepo> = (0..RUNS)
        .map(|_| {
            let checkout = TestRepo::new();
            checkout.set_remote(&origin);
            checkout.git(&["fetch", "-q", "origin"]);
            checkout.git(&["checkout", "-q", "-B", "main", "origin/main"]);
            checkout
        })
        .collect();
    let n = number.to_string();
    let runs = at_once(checkouts.iter().map(|checkout| {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("backport"));
        cmd.current_dir(checkout.path())
            .args([
                "--pr",
                &n,
                "--to",
                "release/1",
                "--to",
                "release/2",
                "--json",
            ])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("GITHUB_API_URL", w.fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", w.fake.token())
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        cmd
    }));
    all_succeeded(&runs);
    for target in ["release/1", "release/2"] {
        let pulls = w.backports_to(target);
        assert_eq!(pulls.len(), 1, "{pulls:?}");
        assert_eq!(pulls[0].head_ref, format!("backport/{number}-to-{target}"));
        assert_eq!(pulls[0].state, "open");
        let picks = w.log(&format!("{target}..{}", pulls[0].head_ref), "%s%x1e");
        assert_eq!(picks.len(), 1, "{picks:?}");
    }
    let comments = w.comments_with(number, RESULTS);
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(
        comments[0].body.contains("`release/1`") && comments[0].body.contains("`release/2`"),
        "{}",
        comments[0].body
    );
    // Each run reports each line as made by it or found made.
    for run in &runs {
        let doc = run.json();
        for result in doc["results"].as_array().expect("results") {
            let status = result["status"].as_str().unwrap_or_default();
            assert!(status == "created" || status == "exists", "{doc}");
        }
    }
}
