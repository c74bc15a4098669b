//! With a token: PRs confirmed through GitHub, the environments' live deployments (deployed and
//! rolled back), and the downstream repository by one compare request.

use crate::support::{RIVER, branch, command};
use fake_github::FakeGitHub;
use std::process::Command as Git;
use testkit::Run;

pub const OWNER: &str = "acme";
pub const NAME: &str = "widgets";

pub fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Git::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub struct World {
    pub fake: FakeGitHub,
    origin: std::path::PathBuf,
    pub checkout: tempfile::TempDir,
}

impl World {
    /// `fix: the thing` squash-merged to main as PR #2, promoted to stable by PR #3 (a merge
    /// commit), and a checkout cloned from the fake.
    pub fn new() -> Self {
        let fake = FakeGitHub::start();
        let origin = fake.create_repo(OWNER, NAME);
        let start = fake.commit_file(OWNER, NAME, "main", "README", "r\n", "chore: start");
        fake.create_branch(OWNER, NAME, "stable", &start);
        fake.commit_file(OWNER, NAME, "fix-it", "a.txt", "fixed\n", "fix: the thing");
        let pr = fake.open_pull(OWNER, NAME, "fix-it", "main", "fix: the thing", "");
        fake.merge_pull(OWNER, NAME, pr, "squash");
        let promotion = fake.open_pull(OWNER, NAME, "main", "stable", "chore: promote", "");
        fake.merge_pull(OWNER, NAME, promotion, "merge");
        let checkout = tempfile::tempdir().expect("temp dir");
        git(
            checkout.path(),
            &["clone", "-q", &origin.display().to_string(), "."],
        );
        std::fs::write(checkout.path().join("tidegate.toml"), RIVER).expect("config");
        Self {
            fake,
            origin,
            checkout,
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = command(self.checkout.path(), args);
        cmd.env("GITHUB_API_URL", self.fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", self.fake.token())
            .env("TIDEGATE_RETRY_BASE_MS", "1")
            .env("TIDEGATE_NOTIFY_INTERVAL_MS", "0")
            .env("TIDEGATE_NOTIFY_PER_MINUTE", "0");
        Run::of(&mut cmd)
    }

    /// Tags `revision` in the fake and fetches the tag.
    pub fn tag(&self, tag: &str, revision: &str) {
        let sha = git(&self.origin, &["rev-parse", revision]);
        git(&self.origin, &["tag", tag, &sha]);
        git(self.checkout.path(), &["fetch", "-q", "--tags", "origin"]);
    }

    pub fn deploy(&self, environment: &str, tag: &str) {
        let payload = serde_json::json!({ "version": tag });
        self.fake
            .add_deployments(OWNER, NAME, environment, tag, &payload, "success", 1);
    }
}

#[test]
fn follows_a_pr_through_promotion_release_deployment_and_rollback() {
    let world = World::new();
    let pulls = world.fake.pulls(OWNER, NAME);
    assert_eq!(pulls.len(), 2);

    // The PR is found through GitHub (pulls/get), the promotion PR confirmed.
    world.fake.reset_counts();
    let json = world.run(&["--pr", "1", "--json"]).json();
    assert_eq!(branch(&json, "main")["contains"], true);
    let stable = branch(&json, "stable");
    assert_eq!(stable["arrived_by"]["pr"], 2);
    assert_eq!(stable["arrived_by"]["pr_confirmed"], true);
    assert_eq!(json["environments"][0]["version"], serde_json::Value::Null);
    assert_eq!(json["environments"][0]["contains"], false);
    let counts = world.fake.request_counts();
    assert_eq!(world.fake.write_count(), 0, "{counts:?}");

    // Released as a candidate and deployed to staging: staging has it, production not.
    world.tag("v1.0.0-rc.1", "stable");
    world.tag("v0.9.0", "stable~1");
    world.deploy("production", "v0.9.0");
    world.deploy("staging", "v1.0.0-rc.1");
    let json = world.run(&["--pr", "1", "--json"]).json();
    assert_eq!(json["prerelease"]["tag"], "v1.0.0-rc.1");
    assert_eq!(json["environments"][0]["environment"], "staging");
    assert_eq!(json["environments"][0]["version"], "v1.0.0-rc.1");
    assert_eq!(json["environments"][0]["contains"], true);
    assert_eq!(json["environments"][1]["version"], "v0.9.0");
    assert_eq!(json["environments"][1]["contains"], false);

    // The final release reaches production, then production is rolled back to v0.9.0.
    world.tag("v1.0.0", "stable");
    world.deploy("production", "v1.0.0");
    let json = world.run(&["--pr", "1", "--json"]).json();
    assert_eq!(json["release"]["tag"], "v1.0.0");
    assert_eq!(json["environments"][1]["contains"], true);
    world.deploy("production", "v0.9.0");
    let json = world.run(&["--pr", "1", "--json"]).json();
    assert_eq!(json["environments"][1]["version"], "v0.9.0");
    assert_eq!(json["environments"][1]["contains"], false);
    let text = world.run(&["--pr", "1"]).ok().stdout;
    assert!(text.contains("not yet (v0.9.0 deployed)"), "{text}");
}

#[test]
fn the_downstream_branch_is_asked_with_one_compare() {
    let world = World::new();
    let downstream = world.fake.create_repo("ocean", "widgets-downstream");
    // The downstream repository holds main as it was after the fix.
    git(
        world.checkout.path(),
        &[
            "push",
            "-q",
            &downstream.display().to_string(),
            "origin/main:refs/heads/main",
        ],
    );
    std::fs::write(
        world.checkout.path().join("tidegate.toml"),
        format!("{RIVER}[river.downstream]\nrepo = \"ocean/widgets-downstream\"\n"),
    )
    .expect("config");
    world.fake.reset_counts();
    let json = world.run(&["--pr", "1", "--json"]).json();
    assert_eq!(json["downstream"]["contains"], true);
    assert_eq!(json["downstream"]["read_from"], "api");
    let compares = world
        .fake
        .request_counts()
        .into_iter()
        .filter(|(k, _)| k.contains("compare"))
        .map(|(_, n)| n)
        .sum::<usize>();
    assert_eq!(compares, 1);

    // A token that reaches only this repository (GITHUB_TOKEN's lot): downstream is unknown,
    // said once, never "not yet"; the river report still comes out.
    world.fake.add_token(
        "only-upstream",
        &["acme/widgets"],
        fake_github::TokenPerms {
            write: false,
            workflows: false,
            classic: false,
        },
    );
    let limited = |args: &[&str]| {
        let mut cmd = command(world.checkout.path(), args);
        cmd.env("GITHUB_API_URL", world.fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", "only-upstream")
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        testkit::Run::of(&mut cmd).ok()
    };
    let run = limited(&["--pr", "1", "--json"]);
    let json = run.json();
    assert!(json["downstream"]["contains"].is_null(), "{json}");
    assert!(
        run.stderr.contains("cannot read ocean/widgets-downstream"),
        "{}",
        run.stderr
    );
    let river = limited(&["--river", "--json"]);
    assert!(
        river
            .stderr
            .contains("cannot read ocean/widgets-downstream"),
        "{}",
        river.stderr
    );
}

#[test]
fn an_unknown_or_open_pr_is_one_line() {
    let world = World::new();
    world
        .run(&["--pr", "99"])
        .fails_with(2, "pull request #99 does not exist in acme/widgets");
    world
        .fake
        .commit_file(OWNER, NAME, "wip", "w.txt", "w\n", "feat: wip");
    let open = world
        .fake
        .open_pull(OWNER, NAME, "wip", "main", "feat: wip", "");
    world
        .run(&["--pr", &open.to_string()])
        .fails_with(2, "is not merged");
}

/// The river report after `extra` more changes merged on main, with an open promotion PR whose
/// gate ran, and both environments deployed: the report and the requests it made.
fn river_report_after(extra: usize) -> (serde_json::Value, usize, String) {
    let world = World::new();
    world.tag("v1.0.0", "stable");
    world.deploy("staging", "v1.0.0");
    for i in 0..extra {
        world.fake.commit_file(
            OWNER,
            NAME,
            "main",
            &format!("f{i}.txt"),
            "x\n",
            &format!("fix: change {i}"),
        );
    }
    let sha = world.fake.branch_sha(OWNER, NAME, "main").expect("main");
    let open = world.fake.open_pull(
        OWNER,
        NAME,
        "main",
        "stable",
        "chore: promote main → stable",
        "",
    );
    world.fake.add_check_run(
        OWNER,
        NAME,
        &sha,
        "tidegate/gate: soak",
        "completed",
        Some("failure"),
    );
    git(world.checkout.path(), &["fetch", "-q", "origin"]);
    world.fake.reset_counts();
    let json = world.run(&["--river", "--json"]).json();
    let requests = world.fake.total_requests();
    assert_eq!(json["hops"][0]["open_promotion"]["pr"], open);
    let log = git(
        world.checkout.path(),
        &[
            "log",
            "--no-merges",
            "--format=%H",
            "origin/stable..origin/main",
        ],
    );
    (json, requests, log)
}

#[test]
fn the_river_report_costs_the_same_requests_for_any_history_and_matches_git_log() {
    let (small, small_requests, small_log) = river_report_after(2);
    let (large, large_requests, large_log) = river_report_after(25);
    assert_eq!(
        small_requests, large_requests,
        "requests flat in the number of commits"
    );
    for (json, log) in [(&small, &small_log), (&large, &large_log)] {
        let hop = &json["hops"][0];
        assert_eq!(hop["waiting_commits"], log.lines().count());
        assert_eq!(hop["open_promotion"]["gates"][0]["gate"], "soak");
        assert_eq!(hop["open_promotion"]["gates"][0]["verdict"], "failure");
        assert_eq!(json["environments"][0]["environment"], "staging");
        assert_eq!(json["environments"][0]["version"], "v1.0.0");
        assert_eq!(json["environments"][0]["releases_behind"], 0);
        assert!(json["environments"][1]["version"].is_null());
    }
    assert_eq!(large["hops"][0]["waiting_commits"], 25);
}
