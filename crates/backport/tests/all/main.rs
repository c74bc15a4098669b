//! `backport` run as a workflow runs it: in a checkout of a repository the fake GitHub keeps,
//! backporting pull requests merged there by each of GitHub's three methods.

mod commands;
mod concurrency;
mod errors;
mod faults;
mod flows;
mod injection;
mod robust;

use assert_cmd::Command;
use fake_github::{FakeGitHub, Pull};
use std::path::PathBuf;
use testkit::{Run, TestRepo};

pub const OWNER: &str = "acme";
pub const NAME: &str = "widgets";

/// A repository on the fake with `main` and two release lines cut from its first commit, a
/// developer's clone, and the runner's checkout.
pub struct World {
    pub fake: FakeGitHub,
    pub origin: PathBuf,
    pub dev: TestRepo,
    pub checkout: TestRepo,
    files: tempfile::TempDir,
}

impl Default for World {
    fn default() -> Self {
        Self::with_fake(FakeGitHub::start())
    }
}

impl World {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_fake(fake: FakeGitHub) -> Self {
        let origin = fake.create_repo(OWNER, NAME);
        let dev = TestRepo::new();
        dev.set_remote(&origin.display().to_string());
        dev.commit_file("app.txt", "one\ntwo\nthree\n", "feat: the first version");
        dev.git(&["branch", "release/1"]);
        dev.git(&["branch", "release/2"]);
        dev.commit_file("main.txt", "only on main\n", "feat: something new on main");
        dev.git(&["push", "-q", "origin", "main", "release/1", "release/2"]);
        let checkout = TestRepo::new();
        checkout.set_remote(&origin.display().to_string());
        let world = Self {
            fake,
            origin,
            dev,
            checkout,
            files: tempfile::tempdir().expect("temp dir"),
        };
        world.fetch();
        world
    }

    /// The runner's checkout after `actions/checkout` of the base repository with full history.
    pub fn fetch(&self) {
        self.checkout.git(&["fetch", "-q", "origin"]);
        self.checkout
            .git(&["checkout", "-q", "-B", "main", "origin/main"]);
    }

    /// Opens a pull request of `commits` (file, content, message) from a new branch off `main`,
    /// and merges it with `method`; returns its number.
    pub fn merged_pr(
        &self,
        branch: &str,
        title: &str,
        commits: &[(&str, &str, &str)],
        method: &str,
    ) -> u64 {
        let number = self.open_pr(branch, title, commits);
        self.fake.merge_pull(OWNER, NAME, number, method);
        self.dev.git(&["fetch", "-q", "origin"]);
        self.dev
            .git(&["checkout", "-q", "-B", "main", "origin/main"]);
        self.fetch();
        number
    }

    pub fn open_pr(&self, branch: &str, title: &str, commits: &[(&str, &str, &str)]) -> u64 {
        self.dev.git(&["checkout", "-q", "-B", branch, "main"]);
        for (file, content, message) in commits {
            self.dev.commit_file(file, content, message);
        }
        self.dev.git(&["push", "-q", "origin", branch]);
        self.dev.git(&["checkout", "-q", "main"]);
        self.fake
            .open_pull(OWNER, NAME, branch, "main", title, "The body of the fix.")
    }

    pub fn event_file(&self, event: &serde_json::Value) -> PathBuf {
        let path = self.files.path().join("event.json");
        std::fs::write(&path, event.to_string()).expect("event written");
        path
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("backport").expect("binary");
        cmd.current_dir(self.checkout.path())
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.files.path())
            .env("GITHUB_API_URL", self.fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", self.fake.token())
            .env("GITHUB_OUTPUT", self.files.path().join("output"))
            .env("GITHUB_STEP_SUMMARY", self.files.path().join("summary"))
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(&mut self.command(args))
    }

    /// The `$GITHUB_OUTPUT` values of the last run (the last value of each name wins).
    pub fn outputs(&self) -> std::collections::BTreeMap<String, String> {
        testkit::parse_outputs(
            &std::fs::read_to_string(self.files.path().join("output")).unwrap_or_default(),
        )
    }

    pub fn summary(&self) -> String {
        std::fs::read_to_string(self.files.path().join("summary")).unwrap_or_default()
    }

    pub fn clear_summary(&self) {
        std::fs::write(self.files.path().join("summary"), "").expect("the summary file");
    }

    pub fn pulls(&self) -> Vec<Pull> {
        self.fake.pulls(OWNER, NAME)
    }

    /// The backport pull requests into `target`.
    pub fn backports_to(&self, target: &str) -> Vec<Pull> {
        self.pulls()
            .into_iter()
            .filter(|p| p.base_ref == target)
            .collect()
    }

    /// A file of `branch` on the fake.
    pub fn file_on(&self, branch: &str, path: &str) -> Option<String> {
        let out = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(&self.origin)
            .args(["show", &format!("{branch}:{path}")])
            .output()
            .expect("git");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// `git log` of `range` in the fake's repository, with `format`.
    pub fn log(&self, range: &str, format: &str) -> Vec<String> {
        let out = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(&self.origin)
            .args(["log", "--reverse", &format!("--format={format}"), range])
            .output()
            .expect("git");
        String::from_utf8_lossy(&out.stdout)
            .split('\u{1e}')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The comments on the original pull request holding `marker`.
    pub fn comments_with(&self, number: u64, marker: &str) -> Vec<fake_github::Comment> {
        self.fake
            .comments(OWNER, NAME, number)
            .into_iter()
            .filter(|c| c.body.contains(marker))
            .collect()
    }
}

pub const RESULTS: &str = "<!-- tidegate:backport-results -->";
