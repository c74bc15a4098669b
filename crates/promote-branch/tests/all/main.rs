//! `promote-branch` run as a workflow runs it: in a clone of a repository that the fake GitHub
//! keeps, reaching the fake through `GITHUB_API_URL`.

mod concurrency;
mod errors;
mod faults;
mod injection;
mod modes;
mod pull_request;
mod review;
mod robust;
mod sync;

use assert_cmd::Command;
use fake_github::{FakeGitHub, Pull};
use std::path::{Path, PathBuf};
use testkit::TestRepo;

pub const OWNER: &str = "acme";
pub const NAME: &str = "widgets";

/// A repository on the fake GitHub, a developer's clone that pushes to it, and the runner's
/// checkout (`actions/checkout` with `fetch-depth: 0`).
pub struct World {
    pub fake: FakeGitHub,
    pub origin: PathBuf,
    pub dev: TestRepo,
    pub checkout: TestRepo,
    outputs: tempfile::TempDir,
}

impl Default for World {
    /// `main` two commits ahead of `stable`.
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
        dev.commit_file("app.txt", "one\n", "feat: the first version");
        dev.git(&["branch", "stable"]);
        dev.commit_file("a.txt", "a\n", "feat(api): add the widgets endpoint (#1)");
        dev.commit_file("b.txt", "b\n", "fix: stop dropping the last page (#2)");
        dev.git(&["push", "-q", "origin", "main", "stable"]);
        let checkout = TestRepo::new();
        checkout.set_remote(&origin.display().to_string());
        let world = Self {
            fake,
            origin,
            dev,
            checkout,
            outputs: tempfile::tempdir().expect("temp dir"),
        };
        world.fetch();
        world
    }

    /// The runner's checkout after `actions/checkout`: origin's branches as `origin/*`, `main`
    /// checked out.
    pub fn fetch(&self) {
        self.checkout.git(&["fetch", "-q", "origin"]);
        self.checkout
            .git(&["checkout", "-q", "-B", "main", "origin/main"]);
    }

    /// Commits on the developer's `main` and pushes them.
    pub fn push_commits(&self, messages: &[&str]) {
        for (i, message) in messages.iter().enumerate() {
            let file = format!("f{}-{i}.txt", self.dev.head());
            self.dev.commit_file(&file, message, message);
        }
        self.dev.git(&["push", "-q", "origin", "main"]);
        self.fetch();
    }

    pub fn output_file(&self) -> PathBuf {
        self.outputs.path().join("output")
    }

    pub fn summary_file(&self) -> PathBuf {
        self.outputs.path().join("summary")
    }

    /// The binary, in the checkout, with the environment a workflow step has (and nothing leaking
    /// in from the environment the tests run in).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("promote-branch").expect("binary");
        cmd.current_dir(self.checkout.path())
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.outputs.path())
            .env("GITHUB_API_URL", self.fake.api_url())
            .env("GITHUB_SERVER_URL", "https://github.example")
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", self.fake.token())
            .env("GITHUB_OUTPUT", self.output_file())
            .env("GITHUB_STEP_SUMMARY", self.summary_file())
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        cmd
    }

    /// Runs a promotion of main into stable with extra flags; returns stdout, stderr and the exit
    /// code.
    pub fn promote(&self, extra: &[&str]) -> Run {
        let mut args = vec!["--from", "main", "--to", "stable"];
        args.extend_from_slice(extra);
        Run::of(&mut self.command(&args))
    }

    pub fn pulls(&self) -> Vec<Pull> {
        self.fake.pulls(OWNER, NAME)
    }

    pub fn open_pulls(&self) -> Vec<Pull> {
        self.pulls()
            .into_iter()
            .filter(|p| p.state == "open")
            .collect()
    }

    /// The `$GITHUB_OUTPUT` values written so far (the last value of each name wins).
    pub fn outputs(&self) -> std::collections::BTreeMap<String, String> {
        testkit::parse_outputs(&std::fs::read_to_string(self.output_file()).unwrap_or_default())
    }

    pub fn sha(&self, branch: &str) -> String {
        self.dev.git(&["rev-parse", branch])
    }
}

pub use testkit::Run;

/// Whether `ancestor` is an ancestor of `descendant` in the repository at `path`.
pub fn is_ancestor(path: &Path, ancestor: &str, descendant: &str) -> bool {
    std::process::Command::new("git")
        .args(["merge-base", "--is-ancestor", ancestor, descendant])
        .current_dir(path)
        .status()
        .expect("git")
        .success()
}
