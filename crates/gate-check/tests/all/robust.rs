//! The bad-input table for `gate-check` (README, "Exit codes and errors"): bad flags, bad
//! policies and bad records, each one line with exit 2, with RUST_BACKTRACE=1; nothing is
//! posted.

use assert_cmd::Command;
use fake_github::FakeGitHub;
use testkit::{Run, TestRepo};

const OWNER: &str = "acme";
const NAME: &str = "widgets";

/// A repository whose `main` holds `policy` as tidegate.toml and an open PR #1 from `feature`,
/// the runner's checkout of its head, and the fake.
struct Small {
    fake: FakeGitHub,
    checkout: TestRepo,
    home: tempfile::TempDir,
}

impl Small {
    fn new(policy: &str) -> Self {
        let fake = FakeGitHub::start();
        let origin = fake.create_repo(OWNER, NAME).display().to_string();
        let dev = TestRepo::new();
        dev.set_remote(&origin);
        dev.write("tidegate.toml", policy);
        dev.commit_all("chore: start");
        dev.git(&["push", "-q", "origin", "main"]);
        dev.git(&["checkout", "-q", "-b", "feature"]);
        dev.commit_file("a.txt", "a", "fix: a thing");
        dev.git(&["push", "-q", "origin", "feature"]);
        fake.open_pull(OWNER, NAME, "feature", "main", "fix: a thing", "");
        let checkout = TestRepo::new();
        checkout.git(&[
            "fetch",
            "-q",
            &origin,
            "+refs/heads/*:refs/remotes/origin/*",
        ]);
        checkout.git(&["checkout", "-q", "--detach", "origin/feature"]);
        fake.reset_counts();
        Self {
            fake,
            checkout,
            home: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn run(&self, args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
        let mut cmd = Command::cargo_bin("gate-check").expect("the binary");
        cmd.current_dir(self.checkout.path())
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("GITHUB_API_URL", self.fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", self.fake.token())
            .env("TIDEGATE_RETRY_BASE_MS", "1")
            .env("RUST_BACKTRACE", "1");
        for (name, value) in env {
            match value {
                Some(value) => cmd.env(name, value),
                None => cmd.env_remove(name),
            };
        }
        Run::of(&mut cmd)
    }
}

const GOOD: &str = "[gates.review]\napprovals = { min = 1 }\n";

#[test]
fn bad_flags_and_files_are_refused_in_one_line() {
    let w = Small::new(GOOD);
    let record = w.home.path().join("record.json");
    let not_utf8 = w.home.path().join("binary.json");
    std::fs::write(&not_utf8, [0xff, 0xfe, 0x00]).expect("write");
    let future = w.home.path().join("future.json");
    std::fs::write(&future, r#"{"format": 99}"#).expect("write");
    let no_format = w.home.path().join("no-format.json");
    std::fs::write(&no_format, r#"{"gate": "review"}"#).expect("write");
    let record_path = record.to_str().expect("utf-8");
    type Row<'a> = (
        &'a [&'a str],
        &'a [(&'a str, Option<&'a str>)],
        &'a [&'a str],
    );
    let rows: &[Row] = &[
        (&["--pr", "1"], &[], &["--gate", "usage: gate-check"]),
        (&["--gate", "review"], &[], &["--pr"]),
        (
            &["--gate", "review", "--pr", "1", "--ref", "HEAD"],
            &[],
            &["cannot be used with"],
        ),
        (&["--gate", "review", "--pr", "one"], &[], &["one", "--pr"]),
        (
            &[
                "--gate",
                "review",
                "--pr",
                "1",
                "--at",
                "2026-13-01T00:00:00Z",
            ],
            &[],
            &["--at", "RFC 3339"],
        ),
        (
            &["--replay", record_path],
            &[],
            &["record.json", "no such file"],
        ),
        (
            &["--replay", not_utf8.to_str().expect("utf-8")],
            &[],
            &["binary.json", "it is not UTF-8 text"],
        ),
        (
            &["--replay", future.to_str().expect("utf-8")],
            &[],
            &["format 99 is not known"],
        ),
        (
            &["--replay", no_format.to_str().expect("utf-8")],
            &[],
            &["it has no format field"],
        ),
        (
            &["--gate", "review", "--pr", "1", "--config", "nope.toml"],
            &[],
            &["nope.toml"],
        ),
        (
            &["--gate", "review", "--pr", "1"],
            &[("GITHUB_TOKEN", None)],
            &["no GitHub token"],
        ),
        (
            &["--gate", "review", "--pr", "1"],
            &[("GITHUB_REPOSITORY", None)],
            &["OWNER/NAME"],
        ),
        (
            &["--gate", "review", "--pr", "1", "--github-repo", "acme/.."],
            &[],
            &["`acme/..`", "OWNER/NAME"],
        ),
        (
            &["--gate", "review", "--pr", "999"],
            &[],
            &[
                "there is no pull request #999 in acme/widgets",
                "check --pr",
            ],
        ),
    ];
    for (args, env, words) in rows {
        eprintln!("row: {args:?} {env:?}");
        w.run(args, env).refused(2, words);
    }
    assert_eq!(w.fake.write_count(), 0, "nothing posted");
}

#[test]
fn bad_policies_are_refused_in_one_line_naming_the_gate() {
    let rows: &[(&str, &[&str])] = &[
        ("[gates.x\napprovals = 1\n", &["not valid TOML", "line 1"]),
        (
            "[gates.x]\napprovals = { min = 0 }\n",
            &["gate `x`", "min must be at least 1"],
        ),
        (
            "[gates.x]\napprovals = { min = 1, teams = [\"acme\"] }\n",
            &["team \"acme\" is not written org/slug"],
        ),
        (
            "[gates.x]\nsign-off = { each-of = [[\"ada\"], []] }\n",
            &["sign-off: group 2 of each-of is empty"],
        ),
        ("[gates.x]\nchecks = []\n", &["checks lists no check"]),
        (
            "[gates.x]\nblockers = { labels = [] }\n",
            &["blockers: labels lists no label"],
        ),
        (
            "[gates.x]\nticket = { pattern = \"(\", in = [\"title\"] }\n",
            &["ticket: pattern \"(\" is not a regex"],
        ),
        (
            "[gates.x]\nfreeze = { windows = [\"2026-12-20T00:00\"] }\n",
            &["gate `x`", "freeze"],
        ),
        (
            "[gates.x]\nfreeze = { holidays = [\"2026-02-30\"] }\n",
            &["holiday \"2026-02-30\" is not a date"],
        ),
        (
            "[gates.x]\nvotes = { voters = [\"ada\"], binding-min = 2 }\n",
            &["votes: binding-min = 2"],
        ),
        (
            "[gates.x]\nvotes = { voters = [\"ada\"], window-hours = 0 }\n",
            &["window-hours must be at least 1"],
        ),
        ("[gates.x]\nafter = \" \"\n", &["after names no gate"]),
        (
            "[gates.x]\napprovals = { min = -1 }\n",
            &["gate `x`: approvals: invalid value: integer `-1`"],
        ),
    ];
    for (policy, words) in rows {
        eprintln!("row: {policy:?}");
        let w = Small::new(policy);
        w.run(&["--gate", "x", "--pr", "1"], &[]).refused(2, words);
        assert_eq!(w.fake.write_count(), 0, "nothing posted for {policy}");
    }
}
