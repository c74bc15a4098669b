//! Each kind of rule through the binary: the facts read from the fake GitHub and the checkout,
//! the verdict's exit code (0 passed, 1 failed, 4 pending), the record and its replay.

use assert_cmd::Command;
use fake_github::FakeGitHub;
use std::path::PathBuf;
use testkit::{Run, TestRepo};

const OWNER: &str = "acme";
const NAME: &str = "widgets";

/// A repository whose `main` holds `policy` as tidegate.toml, a pull request from `feature`
/// (one commit) opened by `dev`, and the runner's checkout of its head with full history.
struct World {
    fake: FakeGitHub,
    origin: PathBuf,
    dev: TestRepo,
    checkout: TestRepo,
    pr: u64,
    home: tempfile::TempDir,
}

impl World {
    fn new(policy: &str) -> Self {
        let fake = FakeGitHub::start();
        let origin = fake.create_repo(OWNER, NAME);
        let dev = TestRepo::new();
        dev.set_remote(&origin.display().to_string());
        dev.write("tidegate.toml", policy);
        dev.commit_all("chore: start");
        dev.git(&["push", "-q", "origin", "main"]);
        dev.git(&["checkout", "-q", "-b", "feature"]);
        dev.commit_file("src/a.txt", "a", "fix: a thing (PROJ-12)");
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
        for (login, role) in [
            ("ada", "write"),
            ("grace", "maintain"),
            ("linus", "write"),
            ("margaret", "write"),
            ("reader", "read"),
            ("dev", "write"),
        ] {
            fake.add_collaborator_with_role(OWNER, NAME, login, role);
        }
        let world = Self {
            fake,
            origin,
            dev,
            checkout: TestRepo::new(),
            pr,
            home: tempfile::tempdir().expect("temp dir"),
        };
        world.fetch();
        world
    }

    fn fetch(&self) {
        let origin = self.origin.display().to_string();
        self.checkout.git(&[
            "fetch",
            "-q",
            "--force",
            &origin,
            "+refs/heads/*:refs/remotes/origin/*",
        ]);
        self.checkout
            .git(&["checkout", "-q", "--detach", "origin/feature"]);
    }

    fn head(&self) -> String {
        self.checkout.git(&["rev-parse", "origin/feature"])
    }

    /// A new commit on the PR's branch.
    fn push(&self, message: &str) -> String {
        let n = self.dev.git(&["rev-list", "--count", "HEAD"]);
        self.dev
            .commit_file(&format!("src/{n}.txt"), message, message);
        self.dev.git(&["push", "-q", "origin", "feature"]);
        self.fetch();
        self.head()
    }

    fn review(&self, login: &str, state: &str, commit: &str) -> u64 {
        self.fake.add_review_at(
            OWNER,
            NAME,
            self.pr,
            login,
            state,
            commit,
            "2026-12-01T10:00:00Z",
        )
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("gate-check").expect("the binary");
        cmd.current_dir(self.checkout.path())
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("GITHUB_API_URL", self.fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", self.fake.token())
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        cmd
    }

    /// `gate-check --gate GATE --pr N ARGS`.
    fn gate(&self, gate: &str, args: &[&str]) -> Run {
        let pr = self.pr.to_string();
        let mut all = vec!["--gate", gate, "--pr", &pr];
        all.extend_from_slice(args);
        Run::of(&mut self.command(&all))
    }
}

fn code(run: &Run) -> i32 {
    run.code
}

const APPROVALS: &str = r#"
[gates.review]
approvals = { min = 1 }
"#;

#[test]
fn an_approval_counts_on_its_commit_only_and_a_later_change_request_cancels_it() {
    let world = World::new(APPROVALS);
    let first = world.head();
    // The author approving their own PR, a reader and a bot: none count.
    world.review("dev", "APPROVED", &first);
    world.review("reader", "APPROVED", &first);
    world.review("ci-bot[bot]", "APPROVED", &first);
    let waiting = world.gate("review", &["--explain"]);
    assert_eq!(code(&waiting), 4, "{}{}", waiting.stdout, waiting.stderr);
    for why in ["author", "write", "bot"] {
        assert!(waiting.stdout.contains(why), "{why}: {}", waiting.stdout);
    }
    world.review("ada", "APPROVED", &first);
    assert_eq!(code(&world.gate("review", &[])), 0);
    // A new commit: the approval was for the older one.
    let second = world.push("fix: another");
    assert_eq!(code(&world.gate("review", &[])), 4);
    world.review("ada", "APPROVED", &second);
    assert_eq!(code(&world.gate("review", &[])), 0);
    // The same person asking for changes afterwards: failed, not passed.
    world.review("ada", "CHANGES_REQUESTED", &second);
    let failed = world.gate("review", &[]);
    assert_eq!(code(&failed), 1, "{}", failed.stdout);
}

#[test]
fn checks_and_statuses_both_count_and_one_not_reported_is_pending() {
    let world = World::new(
        r#"
[gates.ci]
checks = ["ci / test", "e2e", "lint"]
"#,
    );
    let head = world.head();
    // The same name from two apps: both must pass.
    world.fake.add_check_run_of_app(
        OWNER,
        NAME,
        &head,
        "ci / test",
        "github-actions",
        "completed",
        Some("success"),
    );
    world.fake.add_check_run_of_app(
        OWNER,
        NAME,
        &head,
        "ci / test",
        "circleci",
        "completed",
        Some("failure"),
    );
    // CI reporting only a status.
    world.fake.add_status(OWNER, NAME, &head, "e2e", "success");
    let run = world.gate("ci", &[]);
    assert_eq!(code(&run), 1, "{}", run.stdout);
    world.fake.add_check_run_of_app(
        OWNER,
        NAME,
        &head,
        "ci / test",
        "circleci",
        "completed",
        Some("success"),
    );
    // `lint` has not reported: pending, never passed.
    let run = world.gate("ci", &[]);
    assert_eq!(code(&run), 4, "{}", run.stdout);
    world.fake.add_status(OWNER, NAME, &head, "lint", "success");
    assert_eq!(code(&world.gate("ci", &[])), 0);
}

#[test]
fn a_freeze_holds_until_it_ends_and_its_override_adds_an_approval() {
    let world = World::new(
        r#"
[gates.production]
approvals = { min = 1 }
freeze = { windows = ["2026-12-20T00:00/2026-12-28T08:00"], time-zone = "Europe/Paris", override-label = "freeze-exception" }
"#,
    );
    let head = world.head();
    world.review("ada", "APPROVED", &head);
    let inside = ["--at", "2026-12-24T10:00:00Z"];
    let frozen = world.gate("production", &["--at", "2026-12-24T10:00:00Z", "--explain"]);
    assert_eq!(code(&frozen), 1, "{}", frozen.stdout);
    assert!(frozen.stdout.contains("2026-12-28"), "{}", frozen.stdout);
    assert_eq!(
        code(&world.gate("production", &["--at", "2026-12-28T07:30:00Z"])),
        0
    );
    // The exception label asks for one approval more; it does not lift the freeze alone.
    world
        .fake
        .set_labels(OWNER, NAME, world.pr, &["freeze-exception"]);
    assert_ne!(code(&world.gate("production", &inside)), 0);
    world.review("grace", "APPROVED", &head);
    let overridden = world.gate("production", &["--at", "2026-12-24T10:00:00Z", "--json"]);
    let record = overridden.json();
    assert!(
        record["verdict"]["freeze_override"].is_string(),
        "{}",
        record["verdict"]
    );
}

#[test]
fn a_binding_veto_fails_until_its_author_withdraws_it_and_the_window_holds_the_vote_open() {
    let world = World::new(
        r#"
[gates.vote]
votes = { voters = ["ada", "grace", "linus", "margaret"], binding-min = 3, veto = true, window-hours = 72 }
"#,
    );
    let at = |t: &str| t.to_string();
    world.fake.add_comment_at(
        OWNER,
        NAME,
        world.pr,
        "dev",
        "[VOTE] release 1.4.0",
        &at("2026-12-01T00:00:00Z"),
    );
    for voter in ["ada", "grace", "linus"] {
        world.fake.add_comment_at(
            OWNER,
            NAME,
            world.pr,
            voter,
            "+1",
            &at("2026-12-01T01:00:00Z"),
        );
    }
    world.fake.add_comment_at(
        OWNER,
        NAME,
        world.pr,
        "margaret",
        "-1 the migration is not reversible",
        &at("2026-12-01T02:00:00Z"),
    );
    let vetoed = world.gate("vote", &["--at", "2026-12-05T00:00:00Z"]);
    assert_eq!(code(&vetoed), 1, "{}", vetoed.stdout);
    assert!(
        vetoed.stdout.contains("not reversible"),
        "{}",
        vetoed.stdout
    );
    // Another voter cannot withdraw it; its author can.
    world.fake.add_comment_at(
        OWNER,
        NAME,
        world.pr,
        "ada",
        "+1",
        &at("2026-12-01T03:00:00Z"),
    );
    assert_eq!(
        code(&world.gate("vote", &["--at", "2026-12-05T00:00:00Z"])),
        1
    );
    world.fake.add_comment_at(
        OWNER,
        NAME,
        world.pr,
        "margaret",
        "+1",
        &at("2026-12-01T04:00:00Z"),
    );
    // Still inside the 72 hours: pending; after them, passed.
    assert_eq!(
        code(&world.gate("vote", &["--at", "2026-12-02T00:00:00Z"])),
        4
    );
    assert_eq!(
        code(&world.gate("vote", &["--at", "2026-12-05T00:00:00Z"])),
        0
    );
}

#[test]
fn an_unreadable_team_is_said_never_taken_for_no_members() {
    let world = World::new(
        r#"
[gates.review]
approvals = { min = 1, teams = ["acme/release-managers"] }
"#,
    );
    world.fake.add_team(OWNER, "release-managers", &["ada"]);
    world.review("ada", "APPROVED", &world.head());
    assert_eq!(code(&world.gate("review", &[])), 0);
    world.fake.forbid_team_reads(true);
    world.gate("review", &[]).fails_with(2, "members: read");
}

#[test]
fn a_stage_after_another_needs_its_check_run_and_a_record_replays_to_the_same_verdict() {
    let world = World::new(
        r#"
[gates.staging]
ticket = { pattern = "[A-Z][A-Z0-9]+-[0-9]+", in = ["title", "body"] }

[gates.production]
after = "staging"
"#,
    );
    assert_eq!(code(&world.gate("production", &[])), 4);
    world.gate("staging", &["--post-check"]).ok();
    let live = world.gate("production", &["--json"]);
    assert_eq!(code(&live), 0, "{}", live.stdout);
    let file = world.home.path().join("record.json");
    std::fs::write(&file, &live.stdout).expect("write");
    // Offline: no token, no network.
    let replayed = Run::of(
        world
            .command(&["--replay", file.to_str().expect("utf-8")])
            .env_remove("GITHUB_TOKEN")
            .env("GITHUB_API_URL", "http://127.0.0.1:9"),
    );
    assert_eq!(code(&replayed), 0, "{}{}", replayed.stdout, replayed.stderr);
    // A record whose verdict was edited is refused.
    let tampered = live.stdout.replacen("\"passed\"", "\"failed\"", 1);
    std::fs::write(&file, tampered).expect("write");
    Run::of(&mut world.command(&["--replay", file.to_str().expect("utf-8")])).fails_with(2, "");
}

#[test]
fn the_policy_comes_from_the_base_branch_not_the_pull_request() {
    let world = World::new(APPROVALS);
    // The PR loosens its own gate: ignored.
    world.dev.write(
        "tidegate.toml",
        "[gates.review]\nticket = { pattern = \".\", in = [\"title\"] }\n",
    );
    world.dev.commit_all("chore: loosen the gate");
    world.dev.git(&["push", "-q", "origin", "feature"]);
    world.fetch();
    assert_eq!(code(&world.gate("review", &[])), 4);
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let world = World::new(
        r#"
[gates.review]
approvals = { min = 1 }
"#,
    );
    world.gate("nope", &[]).fails_with(2, "review");
    let bad = [
        ("[gates.x]\napprovalz = { min = 1 }\n", "approvalz"),
        (
            "[gates.x]\napprovals = { min = 3, users = [\"ada\"] }\n",
            "min",
        ),
        (
            "[gates.x]\nfreeze = { windows = [\"2026-12-20T00:00/2026-12-28T08:00\"], time-zone = \"Mars/Olympus\" }\n",
            "Mars/Olympus",
        ),
    ];
    for (policy, said) in bad {
        let world = World::new(policy);
        let run = world.gate("x", &[]);
        run.fails_with(2, said);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    }
    let file = world.home.path().join("bad.json");
    std::fs::write(&file, "{ not json").expect("write");
    Run::of(&mut world.command(&["--replay", file.to_str().expect("utf-8")]))
        .fails_with(2, "record");
    world
        .gate("review", &["--at", "tomorrow"])
        .fails_with(2, "RFC 3339");
}

/// Appends `messages` as commits on the developer's `feature` (oldest first) with
/// `git fast-import`: thousands of commits in well under a second.
fn many_commits(world: &World, messages: &[String]) {
    let mut stream = String::new();
    for (i, message) in messages.iter().enumerate() {
        let from = if i == 0 {
            "from refs/heads/feature^0\n".to_string()
        } else {
            String::new()
        };
        let content = format!("{i}\n");
        stream.push_str(&format!(
            "commit refs/heads/feature\ncommitter Dev <dev@example.invalid> {} +0000\ndata {}\n{message}\n{from}M 100644 inline src/many.txt\ndata {}\n{content}\n",
            1_790_000_000 + i,
            message.len() + 1,
            content.len()
        ));
    }
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(world.dev.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("git fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream.as_bytes())
        .expect("stream");
    assert!(child.wait().expect("fast-import").success());
    world.dev.git(&["push", "-q", "origin", "feature"]);
    world.fetch();
}

#[test]
fn a_promotion_of_3000_commits_is_read_whole_and_300_reviews_and_200_checks_count() {
    let world = World::new(
        r#"
[gates.big]
approvals = { min = 2 }
checks = ["build *"]
commits = { types = ["fix", "chore"] }
"#,
    );
    // The oldest of 3,000 commits is a feature: GitHub's PR commit list stops at 250.
    let mut messages = vec!["feat: sneaked in early".to_string()];
    messages.extend((1..3000).map(|i| format!("fix: step {i}")));
    many_commits(&world, &messages);
    let head = world.head();
    for i in 0..300 {
        let state = if i == 299 { "APPROVED" } else { "COMMENTED" };
        world.review(["ada", "grace", "linus"][i % 3], state, &head);
    }
    world.review("margaret", "APPROVED", &head);
    for i in 0..200 {
        world.fake.add_check_run(
            OWNER,
            NAME,
            &head,
            &format!("build {i}"),
            "completed",
            Some("success"),
        );
    }
    world.fake.reset_counts();
    let run = world.gate("big", &["--json"]);
    assert_eq!(code(&run), 1, "{}", run.stdout);
    let record: serde_json::Value = serde_json::from_str(&run.stdout).expect("the record");
    assert_eq!(
        record["facts"]["commits"].as_array().map(Vec::len),
        Some(3001)
    );
    let rules = record["verdict"]["rules"].to_string();
    assert!(rules.contains("sneaked in early"), "{rules}");
    // Approvals and checks passed: only the commit rule failed.
    for row in record["verdict"]["rules"].as_array().expect("rules") {
        let passed = row["outcome"] == "passed";
        assert_eq!(passed, row["rule"] != "commits", "{row}");
    }
    // One read per kind (paginated), plus each reviewer's permission: the pull, 4 pages of
    // reviews, 4 permissions, 2 pages of check runs, the statuses.
    let reads = world.fake.read_count();
    println!(
        "api cost | gate-check, 300 reviews, 200 checks, 3,000 commits | {reads} reads | 0 writes"
    );
    assert!(reads <= 13, "{:?}", world.fake.request_counts());
    assert_eq!(world.fake.write_count(), 0);
}

#[test]
fn the_api_cost_is_flat_in_the_number_of_rules() {
    let few = World::new("[gates.g]\napprovals = { min = 1 }\n");
    let many = World::new(
        r#"
[gates.g]
approvals = { min = 1 }
sign-off = { each-of = [["ada"], ["grace", "linus"]] }
checks = ["a", "b", "c"]
ticket = { pattern = "PROJ-[0-9]+", in = ["title", "body"] }
commits = { types = ["fix"] }
any = [{ approvals = { min = 2 } }, { checks = ["d"] }]
not = { approvals = { min = 3, permission = "admin" } }
"#,
    );
    let mut counts = Vec::new();
    for world in [&few, &many] {
        world.review("ada", "APPROVED", &world.head());
        world.fake.reset_counts();
        let _ = world.gate("g", &[]);
        counts.push(world.fake.read_count());
    }
    println!(
        "api cost | gate-check, 1 rule / 9 rules | {} / {} reads",
        counts[0], counts[1]
    );
    // The second gate adds the check runs and statuses (two kinds), nothing per rule.
    assert!(counts[1] <= counts[0] + 2, "{counts:?}");
}

#[test]
fn a_stage_passed_on_the_pull_request_counts_for_what_was_merged_with_the_same_tree() {
    let world = World::new(
        r#"
[gates.staging]
ticket = { pattern = "PROJ-[0-9]+", in = ["body"] }

[gates.production]
after = "staging"
"#,
    );
    world.gate("staging", &["--post-check"]).ok();
    let merged = world.fake.merge_pull(OWNER, NAME, world.pr, "squash");
    world.fetch();
    world.checkout.git(&["checkout", "-q", "--detach", &merged]);
    let production =
        Run::of(&mut world.command(&["--gate", "production", "--ref", &merged, "--base", "main"]));
    assert_eq!(
        code(&production),
        0,
        "{}{}",
        production.stdout,
        production.stderr
    );
}
