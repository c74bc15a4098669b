//! One release process at a time, end to end: a team's repository on the fake GitHub, the
//! example workflows of `examples/<process>/` run by the workflow runner for each event (a cron
//! tick, a dispatch, a push after a merge, a review, a comment), and GitHub's state read back
//! after every step. The same scenario runs again with faults injected and must end in the same
//! state ([`Scenario::snapshot`] leaves out what differs between two healthy runs too: SHAs,
//! times, ids).
//!
//! Every run is also checked for leaks: no token, App token or secret in what a reader of the
//! run can see (logs unmasked, summaries, outputs) nor in GitHub's state, and no workflow command
//! a step did not mean to print.

// Test support: a broken expectation is a test failure, which is a panic.
#![allow(clippy::panic)]

use action_runner::{WorkflowRun, WorkflowRunner, built_binaries, workspace_root};
use fake_github::{FakeGitHub, Faults, TokenPerms};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use testkit::TestRepo;

/// The token a job gets when its `permissions:` write nothing, and the one when they write.
const READ_TOKEN: &str = "ghs_scenarioReadOnlyJobToken000000000001";
const WRITE_TOKEN: &str = "ghs_scenarioWritingJobToken0000000000002";
/// What `actions/create-github-app-token` hands out: may push workflow changes too.
pub const APP_TOKEN: &str = "ghs_scenarioAppInstallationToken00000003";

/// Workflow commands a step may print; anything else in a log was injected.
const ALLOWED_COMMANDS: [&str; 7] = [
    "error", "warning", "notice", "add-mask", "group", "endgroup", "debug",
];

pub struct Scenario {
    pub fake: FakeGitHub,
    pub owner: String,
    pub name: String,
    /// The fake's bare repository.
    pub bare: PathBuf,
    /// A developer's clone, `origin` the bare repository.
    pub dev: TestRepo,
    /// `examples/<process>/`.
    pub examples: PathBuf,
    secrets: BTreeMap<String, String>,
    /// The seed of the injected faults, if any.
    faults: Option<u64>,
    vars: BTreeMap<String, String>,
}

impl Scenario {
    /// A repository `owner/name` on a fresh fake GitHub, for the process in
    /// `examples/<process>/`; with `faults`, every request after the setup may fail (502, 429,
    /// secondary-rate-limit 403, a write applied and its answer dropped), seeded.
    pub fn new(process: &str, repository: &str, faults: Option<u64>) -> Self {
        let (owner, name) = repository.split_once('/').expect("OWNER/NAME");
        let fake = FakeGitHub::start();
        let bare = fake.create_repo(owner, name);
        for (token, write) in [(READ_TOKEN, false), (WRITE_TOKEN, true)] {
            let perms = TokenPerms {
                write,
                ..TokenPerms::default()
            };
            fake.add_token(token, &[repository], perms);
        }
        let app = TokenPerms {
            write: true,
            workflows: true,
            ..TokenPerms::default()
        };
        fake.add_token(APP_TOKEN, &[repository], app);
        if let Some(seed) = faults {
            fake.set_faults(Faults {
                seed,
                rate: 0.15,
                retry_after_secs: 0,
                delay: Duration::ZERO,
                drop_after_write: 0.1,
            });
        }
        let dev = TestRepo::new();
        dev.set_remote(&bare.display().to_string());
        Self {
            fake,
            owner: owner.into(),
            name: name.into(),
            bare,
            dev,
            examples: workspace_root().join("examples").join(process),
            secrets: BTreeMap::new(),
            faults,
            vars: BTreeMap::new(),
        }
    }

    pub fn repository(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// A repository secret every workflow run gets (`secrets.NAME`); it is scanned for too.
    pub fn secret(&mut self, name: &str, value: &str) {
        self.secrets.insert(name.into(), value.into());
    }

    /// A repository variable (`vars.NAME`).
    pub fn var(&mut self, name: &str, value: &str) {
        self.vars.insert(name.into(), value.into());
    }

    /// Copies `examples/<process>/tidegate.toml` (or any file of the example) into the
    /// developer's clone at `dest`.
    pub fn install_example_file(&self, file: &str, dest: &str) {
        let text = std::fs::read_to_string(self.examples.join(file))
            .unwrap_or_else(|e| panic!("examples file {file}: {e}"));
        self.dev.write(dest, &text);
    }

    /// The developer commits `path` and pushes the current branch; returns the commit.
    pub fn push_change(&self, path: &str, contents: &str, message: &str) -> String {
        let sha = self.dev.commit_file(path, contents, message);
        self.dev.git(&["push", "-q", "origin", "HEAD"]);
        sha
    }

    /// Pushes local refs (`main`, `main:stable`, tags) to the repository.
    pub fn push(&self, refspecs: &[&str]) {
        let mut args = vec!["push", "-q", "origin"];
        args.extend_from_slice(refspecs);
        self.dev.git(&args);
    }

    /// The developer's clone brought up to date with GitHub (after merges made there).
    pub fn pull(&self, branch: &str) {
        self.dev.git(&["fetch", "-q", "--tags", "origin"]);
        self.dev
            .git(&["checkout", "-q", "-B", branch, &format!("origin/{branch}")]);
    }

    /// A run of `examples/<process>/FILE` for `event`, wired to this repository: checkout over
    /// HTTP, each job's token minted from its `permissions:` (write anywhere → a writing token,
    /// else a read-only one), the binaries this test run built, short retry delays, the
    /// secrets and variables. `github.ref`/`sha` default to `main`'s tip.
    pub fn workflow(&self, file: &str, event: &str, payload: Value) -> WorkflowRunner {
        let main = self
            .fake
            .branch_sha(&self.owner, &self.name, "main")
            .unwrap_or_default();
        let mut runner = WorkflowRunner::new(self.examples.join(file))
            .event(event, payload)
            .repository(&self.repository())
            .at("refs/heads/main", &main)
            .git_url(&format!("{}/{{repository}}.git", self.fake.web_url()))
            .tokens(|perms| {
                let writes = perms.values().any(|level| level == "write");
                if writes { WRITE_TOKEN } else { READ_TOKEN }.to_string()
            })
            .app_token(APP_TOKEN)
            .env("GITHUB_API_URL", self.fake.api_url())
            .env("TIDEGATE_BIN_DIR", built_binaries())
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        for (k, v) in &self.secrets {
            runner = runner.secret(k, v);
        }
        for (k, v) in &self.vars {
            runner = runner.var(k, v);
        }
        runner
    }

    /// Runs the workflow, asserts every job that ran succeeded, and checks for leaks.
    pub fn run(&self, runner: WorkflowRunner) -> WorkflowRun {
        let run = runner.run().unwrap_or_else(|e| panic!("harness: {e}"));
        assert!(
            run.succeeded(),
            "a job failed: {}\n{}",
            run.summary(),
            run.failure_logs()
        );
        self.assert_no_leak(&run);
        run
    }

    /// Runs the workflow expecting a job to fail; still checks for leaks.
    pub fn run_failing(&self, runner: WorkflowRunner) -> WorkflowRun {
        let run = runner.run().unwrap_or_else(|e| panic!("harness: {e}"));
        assert!(!run.succeeded(), "expected a failure: {}", run.summary());
        self.assert_no_leak(&run);
        run
    }

    /// Every secret this scenario knows.
    pub fn secrets(&self) -> Vec<String> {
        let mut all: Vec<String> = [READ_TOKEN, WRITE_TOKEN, APP_TOKEN]
            .iter()
            .map(|s| s.to_string())
            .collect();
        all.push(self.fake.token());
        all.extend(self.secrets.values().filter(|v| v.len() >= 6).cloned());
        all
    }

    /// No secret in what the run exposes or in GitHub's state, and only the workflow commands
    /// a step means to print.
    pub fn assert_no_leak(&self, run: &WorkflowRun) {
        let exposed = run.exposed();
        let state = self.full_state().to_string();
        for secret in self.secrets() {
            assert!(
                !exposed.contains(&secret),
                "a secret reached the run's log or outputs"
            );
            assert!(!state.contains(&secret), "a secret reached GitHub's state");
        }
        for (job, result) in &run.jobs {
            for command in result.workflow_commands() {
                let name = command.split([' ', ',']).next().unwrap_or("");
                assert!(
                    ALLOWED_COMMANDS.contains(&name),
                    "job {job} printed the workflow command `::{command}`"
                );
            }
        }
    }

    /// Merges a PR on GitHub (as a person pressing the button) and returns the merge commit.
    pub fn merge(&self, number: u64, method: &str) -> String {
        self.fake
            .merge_pull(&self.owner, &self.name, number, method)
    }

    /// A `push` event to `branch` at its tip, as GitHub sends after a merge.
    pub fn push_event(&self, file: &str, branch: &str) -> WorkflowRunner {
        let sha = self
            .fake
            .branch_sha(&self.owner, &self.name, branch)
            .unwrap_or_else(|| panic!("no branch {branch}"));
        self.workflow(
            file,
            "push",
            json!({"ref": format!("refs/heads/{branch}"), "after": sha}),
        )
        .at(&format!("refs/heads/{branch}"), &sha)
    }

    /// The open PR from `head` into `base`, if any.
    pub fn open_pull(&self, head: &str, base: &str) -> Option<fake_github::Pull> {
        self.fake
            .pulls(&self.owner, &self.name)
            .into_iter()
            .find(|p| p.state == "open" && p.head_ref == head && p.base_ref == base)
    }

    /// GitHub's state as it is, ids and SHAs included (for leak scans).
    fn full_state(&self) -> Value {
        self.state(false)
    }

    /// GitHub's state with what differs between two equally good runs left out (SHAs, times,
    /// ids): PRs, their comments, branches, tags, releases and assets, deployments and their
    /// statuses, dispatched workflows. Two runs of one scenario, with and without faults, must
    /// give the same snapshot.
    pub fn snapshot(&self) -> Value {
        if let Some(seed) = self.faults {
            // A faulted run that met no fault would prove nothing.
            let (faulted, dropped) = self.fake.faults_served();
            assert!(
                faulted > 0 && dropped > 0,
                "seed {seed}: {faulted} faults served and {dropped} answers dropped"
            );
        }
        self.state(true)
    }

    fn state(&self, normalized: bool) -> Value {
        let (o, r) = (self.owner.as_str(), self.name.as_str());
        let clean = |text: &str| {
            if normalized {
                normalize(text)
            } else {
                text.to_string()
            }
        };
        let pulls = self.fake.pulls(o, r);
        let last = pulls.iter().map(|p| p.number).max().unwrap_or(0) + 20;
        let comments: Vec<Value> = (1..=last)
            .flat_map(|n| self.fake.comments(o, r, n).into_iter().map(move |c| (n, c)))
            .map(|(n, c)| json!({"on": n, "by": c.user, "body": clean(&c.body)}))
            .collect();
        let releases: Vec<Value> = self
            .fake
            .releases(o, r)
            .into_iter()
            .map(|rel| {
                let assets: Vec<String> = self
                    .fake
                    .release_assets(o, r, &rel.tag_name)
                    .into_iter()
                    .map(|a| a.name)
                    .collect();
                json!({"tag": rel.tag_name, "name": rel.name, "draft": rel.draft,
                       "prerelease": rel.prerelease, "latest": rel.latest,
                       "body": rel.body.as_deref().map(clean), "assets": assets})
            })
            .collect();
        let deployments: Vec<Value> = self
            .fake
            .deployments(o, r)
            .into_iter()
            .map(|d| {
                let states: Vec<&str> = d.statuses.iter().map(|s| s.state.as_str()).collect();
                json!({"environment": d.environment, "ref": clean(&d.git_ref), "task": d.task,
                       "statuses": states})
            })
            .collect();
        json!({
            "pulls": pulls.iter().map(|p| json!({
                "number": p.number, "state": p.state, "merged": p.merged,
                "title": clean(&p.title), "body": p.body.as_deref().map(clean),
                "head": p.head_ref, "base": p.base_ref, "draft": p.draft,
                "labels": p.labels,
            })).collect::<Vec<_>>(),
            "comments": comments,
            "branches": branches(&self.bare)
                .into_iter()
                .map(|b| {
                    let subjects: Vec<String> =
                        subjects(&self.bare, &b).iter().map(|t| clean(t)).collect();
                    json!({"name": b, "commits": subjects})
                })
                .collect::<Vec<_>>(),
            "check_runs": self
                .fake
                .all_check_runs(o, r)
                .into_iter()
                .map(|(_, name, status, conclusion)| json!([name, status, conclusion]))
                .collect::<Vec<_>>(),
            "tags": self.fake.tags(o, r).into_iter().map(|(t, _)| t).collect::<Vec<_>>(),
            "releases": releases,
            "deployments": deployments,
            "dispatches": self.fake.dispatches(o, r).len(),
        })
    }
}

fn branches(bare: &Path) -> Vec<String> {
    let out = std::process::Command::new("git")
        .args(["for-each-ref", "--format=%(refname:short)", "refs/heads"])
        .current_dir(bare)
        .output()
        .expect("git for-each-ref");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

/// The subjects of a branch's newest 100 commits, newest first: a commit made twice shows.
fn subjects(bare: &Path, branch: &str) -> Vec<String> {
    let out = std::process::Command::new("git")
        .args([
            "log",
            "-n",
            "100",
            "--format=%s",
            &format!("refs/heads/{branch}"),
        ])
        .current_dir(bare)
        .output()
        .expect("git log");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

/// SHAs, dates and times, and the fake's address (each run has its own port) replaced by
/// placeholders.
pub fn normalize(text: &str) -> String {
    let fake = regex_lite::Regex::new(r"http://127\.0\.0\.1:\d+").expect("regex");
    let text = fake.replace_all(text, "<fake>");
    let sha = regex_lite::Regex::new(r"\b[0-9a-f]{7,40}\b").expect("regex");
    let time =
        regex_lite::Regex::new(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?Z?)?").expect("regex");
    let text = sha.replace_all(&text, "<sha>");
    time.replace_all(&text, "<time>").into_owned()
}

/// Asserts a faulted run ended in the healthy run's state, showing the lines that differ.
pub fn assert_same_state(faulted: &Value, healthy: &Value) {
    if faulted == healthy {
        return;
    }
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let (a, b) = (pretty(faulted), pretty(healthy));
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let differing: Vec<String> = (0..a.len().max(b.len()))
        .filter(|&i| a.get(i) != b.get(i))
        .take(12)
        .map(|i| format!("line {i}: faulted {:?} / healthy {:?}", a.get(i), b.get(i)))
        .collect();
    panic!(
        "the faulted run ended elsewhere than the healthy one:\n{}",
        differing.join("\n")
    );
}

// ---- stream → lake → ocean (issue 18, p1): the downstream repository ----
pub mod stream_lake_ocean;
