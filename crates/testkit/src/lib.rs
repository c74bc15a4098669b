//! Real git repositories in temporary directories, built with the `git` command line and a fixed
//! identity and clock, so every test sees the same SHAs and dates on every run.

pub mod concurrent;
pub mod gpg;
pub mod hostile;
pub mod robust;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch repository that is deleted when dropped.
pub struct TestRepo {
    dir: tempfile::TempDir,
    /// Seconds since the epoch of the next commit; each commit advances it by an hour.
    clock: std::cell::Cell<i64>,
}

/// 2026-01-01T00:00:00Z, the first commit's date.
const START: i64 = 1_767_225_600;

impl Default for TestRepo {
    fn default() -> Self {
        Self::new()
    }
}

impl TestRepo {
    /// An empty repository on branch `main`.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("tidegate-test")
            .tempdir()
            .expect("temp dir");
        let repo = Self {
            dir,
            clock: std::cell::Cell::new(START),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository with the fixed identity and clock; panics with git's stderr
    /// if it fails, and returns its trimmed stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_command(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A `git` command prepared with the fixed identity and the current clock.
    pub fn git_command(&self, args: &[&str]) -> Command {
        let date = format!("@{} +0000", self.clock.get());
        let mut cmd = Command::new("git");
        cmd.current_dir(self.path())
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(["-c", "init.defaultBranch=main", "-c", "core.autocrlf=false"])
            .args(args)
            .env("GIT_AUTHOR_NAME", "Ada Lovelace")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada Lovelace")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.path());
        cmd
    }

    fn tick(&self) {
        self.clock.set(self.clock.get() + 3600);
    }

    /// Writes a file (creating folders) relative to the repository root.
    pub fn write(&self, path: &str, contents: &str) -> &Self {
        let full = self.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(full, contents).expect("write file");
        self
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).expect("read file")
    }

    /// Commits a change to a file named after the commit count, with the given message; returns
    /// the new commit's SHA.
    pub fn commit(&self, message: &str) -> String {
        let n = self.clock.get();
        self.write(&format!("changes/{n}.txt"), message);
        self.commit_all(message)
    }

    /// Commits a change to `path` with the given message.
    pub fn commit_file(&self, path: &str, contents: &str, message: &str) -> String {
        self.write(path, contents);
        self.commit_all(message)
    }

    /// Commits everything in the working tree.
    pub fn commit_all(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&[
            "commit",
            "-q",
            "--allow-empty",
            "--cleanup=verbatim",
            "-m",
            message,
        ]);
        self.tick();
        self.head()
    }

    /// Commits raw message bytes (for messages that are not UTF-8, which `git commit` would
    /// re-encode): the commit object is written by hand.
    pub fn commit_bytes(&self, message: &[u8]) -> String {
        let n = self.clock.get();
        self.write(&format!("changes/{n}.txt"), "bytes");
        self.git(&["add", "-A"]);
        let tree = self.git(&["write-tree"]);
        let parent = self
            .git_command(&["rev-parse", "-q", "--verify", "HEAD"])
            .output()
            .expect("git");
        let mut object = format!("tree {tree}\n").into_bytes();
        if parent.status.success() {
            object.extend_from_slice(b"parent ");
            object.extend_from_slice(String::from_utf8_lossy(&parent.stdout).trim().as_bytes());
            object.push(b'\n');
        }
        let who = format!("Ada Lovelace <ada@example.com> {n} +0000");
        object.extend_from_slice(format!("author {who}\ncommitter {who}\n\n").as_bytes());
        object.extend_from_slice(message);
        let file = self.path().join(".git").join("TEST_COMMIT");
        std::fs::write(&file, &object).expect("write object");
        let file = file.to_string_lossy().into_owned();
        let sha = self.git(&["hash-object", "-t", "commit", "-w", "--literally", &file]);
        self.git(&["update-ref", "HEAD", &sha]);
        self.tick();
        sha
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    /// A lightweight tag on HEAD.
    pub fn tag(&self, name: &str) -> &Self {
        self.git(&["tag", name]);
        self
    }

    /// An annotated tag on HEAD, dated by the clock.
    pub fn annotated_tag(&self, name: &str) -> &Self {
        self.git(&["tag", "-a", name, "-m", &format!("Release {name}")]);
        self.tick();
        self
    }

    pub fn checkout(&self, args: &[&str]) -> &Self {
        let mut all = vec!["checkout", "-q"];
        all.extend_from_slice(args);
        self.git(&all);
        self
    }

    /// Merges `branch` into the current branch with a merge commit and the given message.
    pub fn merge(&self, branch: &str, message: &str) -> String {
        self.git(&["merge", "-q", "--no-ff", "-m", message, branch]);
        self.tick();
        self.head()
    }

    pub fn set_remote(&self, url: &str) -> &Self {
        self.git(&["remote", "add", "origin", url]);
        self
    }

    /// A shallow clone of this repository with `depth` commits, in a new temporary directory.
    pub fn shallow_clone(&self, depth: u32) -> TestRepo {
        let clone = TestRepo::new();
        let url = format!("file://{}", self.path().display());
        clone.git(&[
            "fetch",
            "-q",
            "--no-tags",
            "--depth",
            &depth.to_string(),
            &url,
            "main",
        ]);
        clone.git(&["reset", "-q", "--hard", "FETCH_HEAD"]);
        clone
    }
}

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("workspace root")
        .to_path_buf()
}

/// Reads `$GITHUB_OUTPUT`: `name=value` lines and the `name<<DELIMITER` heredoc form.
pub fn parse_outputs(text: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        }
    }
    out
}

/// A finished run of one of the project's binaries: its exit code and what it printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(cmd: &mut assert_cmd::Command) -> Self {
        let out = cmd.output().expect("the binary runs");
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts success (showing both streams otherwise).
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts success and returns the JSON document printed by `--json`.
    pub fn json(&self) -> serde_json::Value {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        serde_json::from_str(&self.stdout).expect("one JSON document on stdout")
    }

    /// Asserts a failure with `code`, a single `error:` line containing `text`, and no panic or
    /// backtrace.
    pub fn fails_with(&self, code: i32, text: &str) {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        let errors: Vec<_> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(errors.len(), 1, "{}", self.stderr);
        assert!(errors[0].contains(text), "`{text}` not in {}", errors[0]);
        assert!(!self.stderr.contains("panicked") && !self.stderr.contains("stack backtrace"));
    }
}
