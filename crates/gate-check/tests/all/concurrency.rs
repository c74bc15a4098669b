//! Eight `gate-check --post-check` runs started at once on one pull request (eight events of one
//! push, each its own workflow run and checkout), against one fake GitHub. GitHub cannot delete a
//! check run, and each run that finds none makes one: runs started together may leave several,
//! all of one name and one verdict, so what branch protection reads (the newest) is the verdict
//! one run gives. A later run updates the newest in place.

use fake_github::FakeGitHub;
use std::process::Command;
use testkit::TestRepo;
use testkit::concurrent::at_once;

const OWNER: &str = "acme";
const NAME: &str = "widgets";
const RUNS: usize = 8;

/// A repository whose `main` holds `policy`, a pull request from `feature`, and its head SHA.
fn repository(fake: &FakeGitHub, policy: &str) -> (String, u64, String) {
    let origin = fake.create_repo(OWNER, NAME).display().to_string();
    let dev = TestRepo::new();
    dev.set_remote(&origin);
    dev.write("tidegate.toml", policy);
    dev.commit_all("chore: start");
    dev.git(&["push", "-q", "origin", "main"]);
    dev.git(&["checkout", "-q", "-b", "feature"]);
    let head = dev.commit_file("src/a.txt", "a", "fix: a thing (PROJ-12)");
    dev.git(&["push", "-q", "origin", "feature"]);
    fake.set_actor("dev");
    let pr = fake.open_pull(
        OWNER,
        NAME,
        "feature",
        "main",
        "fix: a thing",
        "For PROJ-12.",
    );
    (origin, pr, head)
}

/// Eight runs of `gate-check --gate GATE --pr N --post-check`, each in its own checkout.
fn eight_posts(fake: &FakeGitHub, origin: &str, pr: u64, gate: &str) -> Vec<testkit::Run> {
    eight_posts_n(fake, origin, pr, gate, RUNS)
}

/// `n` runs of `gate-check --gate GATE --pr N --post-check` at once, each in its own checkout.
fn eight_posts_n(
    fake: &FakeGitHub,
    origin: &str,
    pr: u64,
    gate: &str,
    n: usize,
) -> Vec<testkit::Run> {
    let home = tempfile::tempdir().expect("temp dir");
    let checkouts: Vec<TestRepo> = (0..n)
        .map(|_| {
            let checkout = TestRepo::new();
            checkout.git(&["fetch", "-q", origin, "+refs/heads/*:refs/remotes/origin/*"]);
            checkout.git(&["checkout", "-q", "--detach", "origin/feature"]);
            checkout
        })
        .collect();
    let pr = pr.to_string();
    at_once(checkouts.iter().map(|checkout| {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("gate-check"));
        cmd.current_dir(checkout.path())
            .args(["--gate", gate, "--pr", &pr, "--post-check"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("GITHUB_API_URL", fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", fake.token())
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        cmd
    }))
}

#[test]
fn eight_passing_verdicts_posted_at_once_leave_only_successful_check_runs_and_the_next_adds_none() {
    let fake = FakeGitHub::start();
    let (origin, pr, head) = repository(
        &fake,
        "[gates.staging]\nticket = { pattern = \"[A-Z][A-Z0-9]+-[0-9]+\", in = [\"title\", \"body\"] }\n",
    );
    let runs = eight_posts(&fake, &origin, pr, "staging");
    for run in &runs {
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }
    let checks = fake.check_runs_on(OWNER, NAME, &head);
    assert!(!checks.is_empty() && checks.len() <= RUNS, "{checks:?}");
    for (name, status, conclusion, mark) in &checks {
        assert_eq!(name, &checks[0].0);
        assert!(name.contains("staging"), "{name}");
        assert_eq!(status, "completed");
        assert_eq!(conclusion.as_deref(), Some("success"));
        assert_eq!(mark.as_deref(), Some("tidegate-gate-check"));
    }
    // The next run updates the newest in place: no more runs.
    let again = eight_posts_n(&fake, &origin, pr, "staging", 1);
    assert_eq!(again[0].code, 0, "{}", again[0].stderr);
    assert_eq!(fake.check_runs_on(OWNER, NAME, &head).len(), checks.len());
}

#[test]
fn eight_pending_verdicts_posted_at_once_leave_only_runs_in_progress() {
    let fake = FakeGitHub::start();
    let (origin, pr, head) = repository(&fake, "[gates.review]\napprovals = { min = 1 }\n");
    let runs = eight_posts(&fake, &origin, pr, "review");
    // 4: the gate is waiting for an approval.
    for run in &runs {
        assert_eq!(run.code, 4, "{}{}", run.stdout, run.stderr);
    }
    let checks = fake.check_runs_on(OWNER, NAME, &head);
    assert!(!checks.is_empty() && checks.len() <= RUNS, "{checks:?}");
    assert!(checks.iter().all(|c| c.1 == "in_progress"), "{checks:?}");
}
