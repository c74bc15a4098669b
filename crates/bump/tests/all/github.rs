//! `bump pr` and `bump release` against the fake GitHub, from real git histories: the release PR
//! opened, kept up to date and merged three ways, then exactly one tag and one release.

use assert_cmd::Command;
use fake_github::{FakeGitHub, Faults, Pull};
use std::path::PathBuf;
use testkit::TestRepo;

pub const OWNER: &str = "acme";
pub const NAME: &str = "widgets";
pub const BRANCH: &str = "release-please--branches--main";

/// A node package on the fake GitHub released as 1.0.0, a developer's clone that pushes to it,
/// and the runner's checkout (`fetch-depth: 0`).
pub struct World {
    pub fake: FakeGitHub,
    origin: PathBuf,
    pub dev: TestRepo,
    pub checkout: TestRepo,
    home: tempfile::TempDir,
}

const PACKAGE_JSON: &str = "{\n  \"name\": \"widgets\",\n  \"version\": \"1.0.0\",\n  \"main\": \"index.js\",\n  \"description\": \"Widgets\"\n}\n";

impl World {
    pub fn new() -> Self {
        Self::with_fake(FakeGitHub::start())
    }

    pub fn with_fake(fake: FakeGitHub) -> Self {
        Self::with_files(
            fake,
            &[
                ("package.json", PACKAGE_JSON),
                (
                    "CHANGELOG.md",
                    "# Changelog\n\n## 1.0.0 (2026-01-01)\n\n* the first\n",
                ),
            ],
            &["v1.0.0"],
        )
    }

    /// A repository whose first commit holds `files`, tagged with `tags`.
    pub fn with_files(fake: FakeGitHub, files: &[(&str, &str)], tags: &[&str]) -> Self {
        let origin = fake.create_repo(OWNER, NAME);
        let dev = TestRepo::new();
        dev.set_remote(&origin.display().to_string());
        for (path, text) in files {
            dev.write(path, text);
        }
        dev.commit_all("feat: the first version");
        for tag in tags {
            dev.tag(tag);
        }
        dev.git(&["push", "-q", "origin", "main", "--tags"]);
        // The runner's remote is GitHub's URL (for the changelog's links); fetches read the fake.
        let checkout = TestRepo::new();
        checkout.set_remote(&format!("https://github.com/{OWNER}/{NAME}.git"));
        let world = Self {
            origin,
            fake,
            dev,
            checkout,
            home: tempfile::tempdir().expect("temp dir"),
        };
        world.fetch();
        // Adopting `bump release`: the current version's tag gets its GitHub release.
        world.release();
        assert_eq!(world.fake.releases(OWNER, NAME).len(), tags.len());
        world
    }

    /// The runner's checkout of origin's `main`, with every tag.
    pub fn fetch(&self) {
        let origin = self.origin.display().to_string();
        self.checkout.git(&[
            "fetch",
            "-q",
            "--tags",
            "--force",
            &origin,
            "+refs/heads/*:refs/remotes/origin/*",
        ]);
        self.checkout
            .git(&["checkout", "-q", "-B", "main", "origin/main"]);
    }

    /// The developer pulls origin's main (after a merge on GitHub).
    pub fn pull(&self) {
        self.dev.git(&["pull", "-q", "--ff-only", "origin", "main"]);
    }

    /// Commits on the developer's `main`, pushes, and checks out the new tip.
    pub fn push(&self, messages: &[&str]) {
        self.pull();
        for (i, message) in messages.iter().enumerate() {
            let file = format!("src/{}-{i}.txt", &self.dev.head()[..7]);
            self.dev.commit_file(&file, message, message);
        }
        self.dev.git(&["push", "-q", "origin", "main"]);
        self.fetch();
    }

    /// Commits on the developer's copy of `branch` (as on GitHub), pushes, and checks it out in
    /// the runner's checkout.
    pub fn push_on(&self, branch: &str, messages: &[&str]) {
        let origin = self.origin.display().to_string();
        self.dev.git(&["fetch", "-q", &origin, branch]);
        self.dev
            .git(&["checkout", "-q", "-B", branch, "FETCH_HEAD"]);
        for (i, message) in messages.iter().enumerate() {
            let file = format!("src/{}-{i}.txt", &self.dev.head()[..7]);
            self.dev.commit_file(&file, message, message);
        }
        self.dev.git(&["push", "-q", "origin", branch]);
        self.dev.git(&["checkout", "-q", "main"]);
        self.check_out(branch);
    }

    /// The runner's checkout of origin's `branch`, with every tag.
    pub fn check_out(&self, branch: &str) {
        self.fetch();
        self.checkout
            .git(&["checkout", "-q", "-B", branch, &format!("origin/{branch}")]);
    }

    /// The reads and writes `run` makes, printed for the README's API cost table (`--nocapture`).
    pub fn cost(&self, label: &str, run: &dyn Fn()) -> (usize, usize) {
        self.fake.reset_counts();
        run();
        let (reads, writes) = (self.fake.read_count(), self.fake.write_count());
        println!("api cost | {label} | {reads} reads | {writes} writes");
        (reads, writes)
    }

    pub fn output_file(&self) -> PathBuf {
        self.home.path().join("output")
    }

    /// `bump ARGS` in the checkout, with a workflow step's environment.
    pub fn command(&self, args: &[&str]) -> Command {
        Command::from_std(self.std_command(args))
    }

    pub fn std_command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("bump"));
        cmd.current_dir(self.checkout.path())
            .args(args)
            .args(["--release-type", "node"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            // Temporary files of a run the tests kill stay in the test's own folder.
            .env("TMPDIR", self.home.path())
            .env("GITHUB_API_URL", self.fake.api_url())
            .env("GITHUB_SERVER_URL", "https://github.example")
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", self.fake.token())
            .env("GITHUB_OUTPUT", self.output_file())
            .env("SOURCE_DATE_EPOCH", "1795219200")
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        cmd
    }

    /// `bump ARGS` with no token in the environment.
    pub fn run_without_token(&self, args: &[&str]) -> Run {
        Run::of(self.command(args).env_remove("GITHUB_TOKEN"))
    }

    /// Starts `n` runs of `bump ARGS` at once and waits for them; each must succeed.
    pub fn concurrently(&self, n: usize, args: &[&str]) {
        let runs: Vec<_> = (0..n)
            .map(|_| {
                self.std_command(args)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in runs {
            let out = child.wait_with_output().expect("wait");
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{said}");
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let _ = std::fs::remove_file(self.output_file());
        Run::of(&mut self.command(args))
    }

    /// `bump pr`, which must succeed.
    pub fn pr(&self) -> Run {
        self.run(&["pr"]).ok()
    }

    /// `bump release`, which must succeed.
    pub fn release(&self) -> Run {
        self.run(&["release"]).ok()
    }

    pub fn pulls(&self) -> Vec<Pull> {
        self.fake.pulls(OWNER, NAME)
    }

    pub fn open_pull(&self) -> Pull {
        let open: Vec<Pull> = self
            .pulls()
            .into_iter()
            .filter(|p| p.state == "open")
            .collect();
        assert_eq!(open.len(), 1, "{open:?}");
        open[0].clone()
    }

    /// Merges the open release PR with `method` and checks out the result.
    pub fn merge(&self, method: &str) -> String {
        let number = self.open_pull().number;
        let tip = self.fake.merge_pull(OWNER, NAME, number, method);
        self.fetch();
        self.pull();
        tip
    }

    /// A file on a branch of the repository on GitHub.
    pub fn file_on(&self, branch: &str, path: &str) -> String {
        let origin = self.origin.display().to_string();
        self.checkout.git(&["fetch", "-q", &origin, branch]);
        self.checkout.git(&["show", &format!("FETCH_HEAD:{path}")])
    }

    pub fn outputs(&self) -> std::collections::BTreeMap<String, String> {
        testkit::parse_outputs(&std::fs::read_to_string(self.output_file()).unwrap_or_default())
    }

    pub fn tags(&self) -> Vec<String> {
        self.fake
            .tags(OWNER, NAME)
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    /// The requests since the counts were reset: at most `reads` reads and `writes` writes.
    pub fn assert_cost_at_most(&self, reads: usize, writes: usize) {
        let counts = self.fake.request_counts();
        assert!(self.fake.read_count() <= reads, "{counts:?}");
        assert!(self.fake.write_count() <= writes, "{counts:?}");
    }

    pub fn assert_clean_contract(&self) {
        let violations = self.fake.contract_violations();
        assert!(violations.is_empty(), "{violations:?}");
    }
}

pub use testkit::Run;

#[test]
fn a_feat_opens_the_release_pr_with_every_file_bump_apply_writes() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    let pull = world.open_pull();
    assert_eq!(pull.title, "chore(main): release 1.1.0");
    assert_eq!(pull.head_ref, BRANCH);
    assert_eq!(pull.base_ref, "main");
    assert_eq!(pull.labels, ["autorelease: pending"]);
    let body = pull.body.clone().unwrap_or_default();
    assert!(
        body.starts_with(":robot: I have created a release *beep* *boop*\n---\n\n\n## [1.1.0]"),
        "{body}"
    );
    assert!(body.contains("* add the sprocket API"), "{body}");

    // The branch holds exactly what `bump apply` writes, as one commit on main's tip.
    let applied = tempfile::tempdir().expect("temp dir");
    let cloned = std::process::Command::new("git")
        .args(["clone", "-q"])
        .arg(world.checkout.path())
        .arg(applied.path())
        .status()
        .expect("git");
    assert!(cloned.success());
    let remote = std::process::Command::new("git")
        .args(["remote", "set-url", "origin"])
        .arg(format!("https://github.com/{OWNER}/{NAME}.git"))
        .current_dir(applied.path())
        .status()
        .expect("git");
    assert!(remote.success());
    let out = Command::cargo_bin("bump")
        .expect("binary")
        .current_dir(applied.path())
        .args(["apply", "--release-type", "node"])
        .env("SOURCE_DATE_EPOCH", "1795219200")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in ["package.json", "CHANGELOG.md"] {
        let written = std::fs::read_to_string(applied.path().join(file)).expect("written");
        assert_eq!(world.file_on(BRANCH, file), written.trim_end(), "{file}");
    }
    let parent = world.checkout.git(&["rev-parse", "FETCH_HEAD^"]);
    assert_eq!(parent, world.checkout.head());
    let outputs = world.outputs();
    assert_eq!(outputs["prs_created"], "true");
    let pr: serde_json::Value = serde_json::from_str(&outputs["pr"]).expect("json");
    assert_eq!(pr["number"], pull.number);
    world.assert_clean_contract();
}

#[test]
fn more_commits_update_the_same_pr_and_a_run_with_nothing_new_writes_nothing() {
    let world = World::new();
    world.push(&["fix: stop dropping the last page (#5)"]);
    world.pr();
    let first = world.open_pull();
    assert_eq!(first.title, "chore(main): release 1.0.1");
    world.push(&["feat: add the sprocket API (#6)"]);
    world.pr();
    let second = world.open_pull();
    assert_eq!(second.number, first.number);
    assert_eq!(second.title, "chore(main): release 1.1.0");
    assert!(
        second
            .body
            .as_deref()
            .unwrap_or_default()
            .contains("stop dropping the last page")
    );
    assert!(
        world
            .file_on(BRANCH, "package.json")
            .contains("\"version\": \"1.1.0\"")
    );
    assert_eq!(world.pulls().len(), 1);

    world.fake.reset_counts();
    world.pr();
    world.assert_cost_at_most(4, 0);
    assert_eq!(world.outputs()["prs_created"], "false");
    world.assert_clean_contract();
}

#[test]
fn a_version_file_changed_on_main_after_the_pr_opened_is_not_reverted_by_merging() {
    for method in ["merge", "squash", "rebase"] {
        let world = World::new();
        world.push(&["feat: add the sprocket API (#4)"]);
        world.pr();
        // A person changes package.json on main; the PR is not rebuilt before the merge.
        world.pull();
        world.dev.write(
            "package.json",
            &PACKAGE_JSON.replace("\"Widgets\"", "\"Widgets, now with sprockets\""),
        );
        world.dev.commit_all("docs: describe the package better");
        world.dev.git(&["push", "-q", "origin", "main"]);
        world.fetch();
        world.merge(method);
        let merged = world.checkout.read("package.json");
        assert!(merged.contains("now with sprockets"), "{method}: {merged}");
        assert!(
            merged.contains("\"version\": \"1.1.0\""),
            "{method}: {merged}"
        );
    }
}

#[test]
fn merging_then_releasing_makes_one_tag_and_one_release_and_a_rerun_changes_nothing() {
    for method in ["merge", "squash", "rebase"] {
        let world = World::new();
        world.push(&["feat: add the sprocket API (#4)"]);
        world.pr();
        let pr_head = world.open_pull().head_sha;
        world.merge(method);
        let run = world.release();
        assert!(
            run.stdout.contains("released . 1.1.0 (v1.1.0)"),
            "{method}: {}",
            run.stdout
        );
        let tag = world.fake.tag_sha(OWNER, NAME, "v1.1.0").expect("tagged");
        // The reviewed commit: the PR's head when main contains it (a merge commit), else HEAD.
        let expected = if method == "merge" {
            pr_head.clone()
        } else {
            world.checkout.head()
        };
        assert_eq!(tag, expected, "{method}");
        let releases = world.fake.releases(OWNER, NAME);
        assert_eq!(releases.len(), 2, "{method}: {releases:?}");
        let release = releases
            .iter()
            .find(|r| r.tag_name == "v1.1.0")
            .expect("release");
        assert_eq!(release.tag_name, "v1.1.0");
        assert_eq!(release.name.as_deref(), Some("v1.1.0"));
        let body = release.body.clone().unwrap_or_default();
        assert!(
            body.starts_with("## [1.1.0]") && body.contains("add the sprocket API"),
            "{body}"
        );
        assert!(
            !body.contains("## 1.0.0"),
            "only this version's notes: {body}"
        );
        let outputs = world.outputs();
        assert_eq!(outputs["releases_created"], "true");
        assert_eq!(outputs["release_created"], "true");
        assert_eq!(outputs["tag_name"], "v1.1.0");
        assert_eq!(outputs["version"], "1.1.0");
        assert_eq!(outputs["minor"], "1");
        assert_eq!(outputs["paths_released"], "[\".\"]");
        // The merged PR learns its release.
        let pull = world
            .pulls()
            .into_iter()
            .find(|p| p.merged)
            .expect("merged");
        assert_eq!(pull.labels, ["autorelease: tagged"], "{method}");
        let comments = world.fake.comments(OWNER, NAME, pull.number);
        assert_eq!(comments.len(), 1);
        assert!(
            comments[0].body.contains("Created releases:") && comments[0].body.contains("v1.1.0")
        );

        // The rerun's checkout has the new tag, as `actions/checkout` fetches it.
        world.fetch();
        world.fake.reset_counts();
        let again = world.release();
        assert!(
            again.stderr.contains("nothing to release"),
            "{}",
            again.stderr
        );
        world.assert_cost_at_most(2, 0);
        assert_eq!(world.outputs()["releases_created"], "false");
        assert_eq!(world.fake.releases(OWNER, NAME).len(), 2);
        assert_eq!(world.comments_total(), 1);
        // And the next release PR starts after 1.1.0.
        world.pr();
        assert!(world.pulls().iter().all(|p| p.state == "closed"));
        world.assert_clean_contract();
    }
}

impl World {
    fn comments_total(&self) -> usize {
        self.pulls()
            .iter()
            .map(|p| self.fake.comments(OWNER, NAME, p.number).len())
            .sum()
    }
}

#[test]
fn a_release_that_failed_after_its_tag_is_finished_by_the_rerun() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("squash");
    // The first run made the tag and died before the release.
    let head = world.checkout.head();
    world.dev.git(&["tag", "v1.1.0", &head]);
    world.dev.git(&["push", "-q", "origin", "v1.1.0"]);
    world.fetch();
    world.release();
    let releases = world.fake.releases(OWNER, NAME);
    assert_eq!(releases.len(), 2, "{releases:?}");
    assert!(releases.iter().any(|r| r.tag_name == "v1.1.0"));
    assert_eq!(
        world.fake.tag_sha(OWNER, NAME, "v1.1.0").as_deref(),
        Some(head.as_str())
    );
    world.release();
    assert_eq!(world.fake.releases(OWNER, NAME).len(), 2);
}

#[test]
fn eight_concurrent_releases_leave_one_tag_and_one_release() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("merge");
    world.concurrently(8, &["release"]);
    let tags: Vec<String> = world.tags().into_iter().filter(|t| t == "v1.1.0").collect();
    assert_eq!(tags.len(), 1);
    assert_eq!(world.fake.releases(OWNER, NAME).len(), 2);
    let merged = world
        .pulls()
        .into_iter()
        .find(|p| p.merged)
        .expect("merged");
    assert_eq!(world.fake.comments(OWNER, NAME, merged.number).len(), 1);
}

#[test]
fn eight_concurrent_draft_releases_leave_one_draft_which_a_rerun_keeps() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("squash");
    world.concurrently(8, &["release", "--draft"]);
    let drafts = || {
        world
            .fake
            .releases(OWNER, NAME)
            .into_iter()
            .filter(|r| r.tag_name == "v1.1.0")
            .collect::<Vec<_>>()
    };
    let found = drafts();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].draft);
    assert_eq!(
        world.fake.tag_sha(OWNER, NAME, "v1.1.0"),
        Some(world.checkout.head())
    );
    world.fetch();
    world.run(&["release", "--draft"]).ok();
    assert_eq!(drafts(), found);
}

#[test]
fn with_thirty_percent_of_requests_failing_every_seeded_run_ends_with_one_tag_release_and_pr() {
    let mut retried = 0;
    for seed in 0..20 {
        let world = World::new();
        world.push(&["feat: add the sprocket API (#4)"]);
        world.fake.set_faults(Faults {
            seed,
            rate: 0.3,
            retry_after_secs: 0,
            drop_after_write: 0.2,
            ..Faults::default()
        });
        let opened = world.run(&["pr"]).ok();
        world.push(&["fix: one more (#9)"]);
        let updated = world.run(&["pr"]).ok();
        assert_eq!(world.pulls().len(), 1, "seed {seed}: {:?}", world.pulls());
        assert_eq!(world.open_pull().title, "chore(main): release 1.1.0");
        world.merge("squash");
        // Half the seeds make draft releases, which GitHub lets a retried create double.
        let released = if seed % 2 == 1 {
            world.run(&["release", "--draft"]).ok()
        } else {
            world.run(&["release"]).ok()
        };
        retried += [opened, updated, released]
            .iter()
            .map(|r| r.stderr.matches("retrying").count())
            .sum::<usize>();
        assert_eq!(
            world.tags().iter().filter(|t| *t == "v1.1.0").count(),
            1,
            "seed {seed}"
        );
        let releases = world.fake.releases(OWNER, NAME);
        assert_eq!(releases.len(), 2, "seed {seed}: {releases:?}");
        assert_eq!(world.pulls().len(), 1, "seed {seed}");
        world.assert_clean_contract();
    }
    assert!(retried >= 20, "only {retried} retries in 20 seeded runs");
}

#[test]
fn a_monorepo_gets_one_grouped_pr_and_releases_every_package_once() {
    let package = |name: &str, version: &str| {
        format!("{{\n  \"name\": \"{name}\",\n  \"version\": \"{version}\"\n}}\n")
    };
    let (a, b) = (package("a", "1.0.0"), package("b", "2.0.0"));
    let world = World::with_files(
        FakeGitHub::start(),
        &[
            (
                "release-please-config.json",
                r#"{"packages": {"packages/a": {"release-type": "node"}, "packages/b": {"release-type": "node"}}}"#,
            ),
            (
                ".release-please-manifest.json",
                "{\"packages/a\": \"1.0.0\", \"packages/b\": \"2.0.0\"}\n",
            ),
            ("packages/a/package.json", &a),
            ("packages/b/package.json", &b),
        ],
        &["a-v1.0.0", "b-v2.0.0"],
    );
    world.pull();
    world
        .dev
        .commit_file("packages/a/index.js", "a\n", "feat(a): add the thing (#1)");
    world
        .dev
        .commit_file("packages/b/index.js", "b\n", "fix(b): mend the other (#2)");
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.fetch();
    world.pr();
    let pull = world.open_pull();
    assert_eq!(pull.title, "chore: release main");
    let body = pull.body.clone().unwrap_or_default();
    assert!(
        body.contains("<details><summary>a: 1.1.0</summary>"),
        "{body}"
    );
    assert!(
        body.contains("<details><summary>b: 2.0.1</summary>"),
        "{body}"
    );
    assert!(
        world
            .file_on(BRANCH, ".release-please-manifest.json")
            .contains("\"packages/a\": \"1.1.0\"")
    );
    world.merge("squash");
    world.release();
    let releases = world.fake.releases(OWNER, NAME);
    for (tag, name) in [("a-v1.1.0", "a: v1.1.0"), ("b-v2.0.1", "b: v2.0.1")] {
        let found: Vec<_> = releases.iter().filter(|r| r.tag_name == tag).collect();
        assert_eq!(found.len(), 1, "{tag}: {releases:?}");
        assert_eq!(found[0].name.as_deref(), Some(name));
        assert!(world.tags().iter().any(|t| t == tag));
    }
    // The merged PR's comment names this merge's releases, not the ones made before.
    let merged = world
        .pulls()
        .into_iter()
        .find(|p| p.merged)
        .expect("merged");
    let comments = world.fake.comments(OWNER, NAME, merged.number);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.contains("a-v1.1.0") && comments[0].body.contains("b-v2.0.1"));
    assert!(
        !comments[0].body.contains("a-v1.0.0"),
        "{}",
        comments[0].body
    );
    let outputs = world.outputs();
    assert_eq!(outputs["packages/a--tag_name"], "a-v1.1.0");
    assert_eq!(outputs["packages/b--version"], "2.0.1");
    assert_eq!(outputs["paths_released"], "[\"packages/a\",\"packages/b\"]");
    assert!(!outputs.contains_key("tag_name"));
    world.fetch();
    world.release();
    assert_eq!(world.fake.releases(OWNER, NAME).len(), 4);
    world.assert_clean_contract();
}

#[test]
fn a_patch_of_an_older_line_does_not_become_latest() {
    let world = World::new();
    // 2.0.0 is released from another branch.
    world.pull();
    world.dev.git(&["checkout", "-q", "-b", "next"]);
    world
        .dev
        .write("package.json", &PACKAGE_JSON.replace("1.0.0", "2.0.0"));
    world.dev.commit_all("feat!: the next major");
    world.dev.tag("v2.0.0");
    world.dev.git(&["push", "-q", "origin", "next", "--tags"]);
    world.dev.git(&["checkout", "-q", "main"]);
    world.fetch();
    world
        .checkout
        .git(&["checkout", "-q", "-B", "next", "origin/next"]);
    world.run(&["release"]).ok();
    assert_eq!(
        world.fake.latest_release(OWNER, NAME).as_deref(),
        Some("v2.0.0")
    );
    world.fetch();
    world.push(&["fix: a fix for the 1.x line (#5)"]);
    world.pr();
    world.merge("squash");
    world.release();
    assert!(world.tags().iter().any(|t| t == "v1.0.1"));
    assert_eq!(
        world.fake.latest_release(OWNER, NAME).as_deref(),
        Some("v2.0.0")
    );
}

#[test]
fn dry_runs_need_no_token_and_send_nothing() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.fake.reset_counts();
    let pr = world.run_without_token(&["pr", "--dry-run"]).ok();
    assert!(
        pr.stdout.contains("title: chore(main): release 1.1.0"),
        "{}",
        pr.stdout
    );
    assert!(
        pr.stdout.contains("files: CHANGELOG.md, package.json"),
        "{}",
        pr.stdout
    );
    assert!(pr.stdout.contains("add the sprocket API"), "{}", pr.stdout);
    world.pr();
    world.merge("squash");
    world.fake.reset_counts();
    let release = world.run_without_token(&["release", "--dry-run"]).ok();
    assert!(
        release.stdout.contains("would tag v1.1.0"),
        "{}",
        release.stdout
    );
    assert_eq!(world.fake.total_requests(), 0);
    assert!(world.pulls().iter().all(|p| p.merged));
}

#[test]
fn a_rerun_on_the_release_commit_finishes_the_prs_bookkeeping() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("merge");
    world.release();
    let pull = world
        .pulls()
        .into_iter()
        .find(|p| p.merged)
        .expect("merged");
    // Say the first run died before telling the PR: its label is back to pending.
    world
        .fake
        .set_labels(OWNER, NAME, pull.number, &["autorelease: pending"]);
    world.fetch();
    world.release();
    let pull = world
        .pulls()
        .into_iter()
        .find(|p| p.merged)
        .expect("merged");
    assert_eq!(pull.labels, ["autorelease: tagged"]);
    assert_eq!(world.fake.comments(OWNER, NAME, pull.number).len(), 1);
    assert_eq!(world.fake.releases(OWNER, NAME).len(), 2);
}

/// The requests each run costs, as the fake counts them; printed for the README
/// (`cargo test -p bump api_cost -- --nocapture`) and held to the goals.
#[test]
fn api_cost_of_each_run() {
    let world = World::new();
    let cost = |label: &str, run: &dyn Fn()| world.cost(label, run);
    world.push(&["feat: add the sprocket API (#4)"]);
    let created = cost("bump pr, PR created", &|| {
        world.pr();
    });
    world.push(&["fix: one more (#5)"]);
    let updated = cost("bump pr, PR updated", &|| {
        world.pr();
    });
    let same = cost("bump pr, nothing changed", &|| {
        world.pr();
    });
    let nothing = cost("bump release, nothing to release", &|| {
        world.release();
    });
    world.merge("merge");
    let one = cost("bump release, 1 package", &|| {
        world.release();
    });
    assert_eq!(same.1, 0);
    assert_eq!(nothing.1, 0);
    assert!(nothing.0 <= 2, "{nothing:?}");
    assert!(created.1 <= 5 && updated.1 <= 4, "{created:?} {updated:?}");
    assert!(same.0 <= 4, "{same:?}");
    assert!(one.1 <= 5, "{one:?}");
}

/// What releasing N packages at once costs (printed for the README with `--nocapture`).
#[test]
fn api_cost_of_releasing_five_packages() {
    let names = ["a", "b", "c", "d", "e"];
    let manifests: Vec<(String, String)> = names
        .iter()
        .map(|n| {
            (
                format!("packages/{n}/package.json"),
                format!("{{\n  \"name\": \"{n}\",\n  \"version\": \"1.0.0\"\n}}\n"),
            )
        })
        .collect();
    let config = format!(
        "{{\"packages\": {{{}}}}}",
        names
            .iter()
            .map(|n| format!("\"packages/{n}\": {{\"release-type\": \"node\"}}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let manifest = format!(
        "{{{}}}\n",
        names
            .iter()
            .map(|n| format!("\"packages/{n}\": \"1.0.0\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut files: Vec<(&str, &str)> = vec![
        ("release-please-config.json", &config),
        (".release-please-manifest.json", &manifest),
    ];
    files.extend(manifests.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let tags: Vec<String> = names.iter().map(|n| format!("{n}-v1.0.0")).collect();
    let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    let world = World::with_files(FakeGitHub::start(), &files, &tags);
    world.pull();
    for n in names {
        world.dev.commit_file(
            &format!("packages/{n}/x.js"),
            n,
            &format!("feat({n}): more {n}"),
        );
    }
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.fetch();
    world.pr();
    world.merge("merge");
    world.fake.reset_counts();
    world.release();
    let (reads, writes) = (world.fake.read_count(), world.fake.write_count());
    println!("api cost | bump release, 5 packages | {reads} reads | {writes} writes");
    assert_eq!(
        world.outputs()["paths_released"]
            .matches("packages/")
            .count(),
        5
    );
    // One tag and one release each, plus the PR's comment and two label edits.
    assert!(writes <= 5 * 2 + 3, "{:?}", world.fake.request_counts());
    world.fetch();
    world.fake.reset_counts();
    world.release();
    println!(
        "api cost | bump release, 5 packages, nothing to release | {} reads | {} writes",
        world.fake.read_count(),
        world.fake.write_count()
    );
    assert_eq!(world.fake.write_count(), 0);
}

#[test]
fn a_release_branch_of_its_own_name_is_still_found_after_the_merge() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.run(&["pr", "--branch", "release/next"]).ok();
    let pull = world.open_pull();
    assert_eq!(pull.head_ref, "release/next");
    let pr_head = pull.head_sha.clone();
    world.merge("merge");
    world.release();
    // The tag is on the reviewed commit and the PR is told, as with the default branch name.
    assert_eq!(world.fake.tag_sha(OWNER, NAME, "v1.1.0"), Some(pr_head));
    let merged = world
        .pulls()
        .into_iter()
        .find(|p| p.merged)
        .expect("merged");
    assert_eq!(merged.labels, ["autorelease: tagged"]);
    assert_eq!(world.outputs()["prNumber"], merged.number.to_string());
}

#[test]
fn an_open_release_please_pr_is_taken_over_not_doubled() {
    let world = World::new();
    world.push(&["fix: stop dropping the last page (#5)"]);
    // release-please's own PR, opened before the switch: its branch, commit and words.
    let base = world.checkout.head();
    world.fake.create_branch(OWNER, NAME, BRANCH, &base);
    world.fake.commit_files(
        OWNER,
        NAME,
        BRANCH,
        &[(
            "package.json",
            Some(&PACKAGE_JSON.replace("1.0.0", "1.0.1")),
        )],
        "chore(main): release 1.0.1",
    );
    let number = world.fake.open_pull(
        OWNER,
        NAME,
        BRANCH,
        "main",
        "chore(main): release 1.0.1",
        ":robot: I have created a release *beep* *boop*\n---\n\n\n## 1.0.1\n\n---\nThis PR was generated with [Release Please](https://github.com/googleapis/release-please).",
    );
    world.push(&["feat: add the sprocket API (#6)"]);
    world.pr();
    let pull = world.open_pull();
    assert_eq!(pull.number, number, "the same PR, updated in place");
    assert_eq!(pull.title, "chore(main): release 1.1.0");
    assert!(
        pull.body
            .unwrap_or_default()
            .contains("add the sprocket API")
    );
    assert!(
        world
            .file_on(BRANCH, "package.json")
            .contains("\"version\": \"1.1.0\"")
    );
    assert_eq!(world.pulls().len(), 1);
}
