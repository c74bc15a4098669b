//! `bump apply` interrupted at any point (SIGKILL, SIGTERM, SIGINT) on a 200-package monorepo:
//! a rerun always completes the release, and no temporary file is left behind.

use assert_cmd::cargo::cargo_bin;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use testkit::TestRepo;

const PACKAGES: usize = 200;
const RUNS: usize = 32;

/// A release-please monorepo of `simple`, `node`, `python` and `helm` packages, half of them
/// with a changelog already, and one feature commit touching every package.
fn monorepo() -> TestRepo {
    let repo = TestRepo::new();
    let mut config = serde_json::Map::new();
    let mut manifest = serde_json::Map::new();
    for i in 0..PACKAGES {
        let (path, name) = (format!("packages/p{i:03}"), format!("p{i:03}"));
        let release_type = match i % 4 {
            0 => {
                repo.write(&format!("{path}/version.txt"), "1.0.0\n");
                "simple"
            }
            1 => {
                repo.write(
                    &format!("{path}/package.json"),
                    &format!("{{\n  \"name\": \"@acme/{name}\",\n  \"version\": \"1.0.0\"\n}}\n"),
                );
                "node"
            }
            2 => {
                repo.write(
                    &format!("{path}/pyproject.toml"),
                    &format!("[project]\nname = \"{name}\"\nversion = \"1.0.0\"\n"),
                );
                "python"
            }
            _ => {
                repo.write(
                    &format!("{path}/Chart.yaml"),
                    &format!(
                        "apiVersion: v2\nname: {name}\nversion: 1.0.0\nappVersion: \"1.0.0\"\n"
                    ),
                );
                "helm"
            }
        };
        if i % 2 == 0 {
            repo.write(
                &format!("{path}/CHANGELOG.md"),
                "# Changelog\n\n## 1.0.0 (2026-01-01)\n\n* first\n",
            );
        }
        repo.write(&format!("{path}/src.txt"), "1\n");
        config.insert(
            path.clone(),
            serde_json::json!({ "release-type": release_type, "component": name }),
        );
        manifest.insert(path, "1.0.0".into());
    }
    let config = serde_json::json!({ "packages": config });
    repo.write("release-please-config.json", &format!("{config:#}\n"));
    repo.write(
        ".release-please-manifest.json",
        &format!("{:#}\n", serde_json::Value::Object(manifest)),
    );
    repo.commit_all("chore: initial");
    for i in 0..PACKAGES {
        repo.write(&format!("packages/p{i:03}/src.txt"), "2\n");
    }
    repo.commit_all("feat: a feature in every package");
    repo
}

/// Every file of the working tree (not git's) with its bytes.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("dir").flatten() {
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                out.insert(name, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

fn temporary_files(files: &BTreeMap<String, Vec<u8>>) -> usize {
    files
        .keys()
        .filter(|name| {
            Path::new(name)
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".tidegate-"))
        })
        .count()
}

fn apply(repo: &TestRepo, extra: &[&str]) -> Command {
    let mut cmd = Command::new(cargo_bin("bump"));
    // Every package's first release: no tag bounds the history, as intended here.
    cmd.arg("apply")
        .arg("--allow-full-history")
        .args(extra)
        .arg("--repo")
        .arg(repo.path())
        .env_remove("GITHUB_ACTIONS")
        .env("SOURCE_DATE_EPOCH", "1795219200")
        // Piped, not /dev/null: on a machine whose /dev/null was replaced by a regular file (the
        // bug this guards against), the output would pile up there.
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn reset(repo: &TestRepo) {
    repo.git(&["checkout", "-q", "--", "."]);
    repo.git(&["clean", "-qfd"]);
}

/// When a complete run starts writing (its first temporary file appears: the manifest's, at the
/// root, comes first) and when it ends; the faster of two runs.
fn timed(repo: &TestRepo) -> (Duration, Duration) {
    let mut best = (Duration::MAX, Duration::MAX);
    for _ in 0..2 {
        reset(repo);
        let start = Instant::now();
        // Its output goes to a file: a pipe nobody reads would block it once full.
        let log = tempfile::tempfile().expect("temp file");
        let mut child = apply(repo, &[])
            .stdout(Stdio::from(log.try_clone().expect("clone")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn");
        let mut writing = None;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if writing.is_none() && temporary_files_at(repo.path()) > 0 {
                writing = Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_micros(200));
        };
        let whole = start.elapsed();
        assert!(status.success(), "an uninterrupted run succeeds");
        let writing = writing.unwrap_or(whole);
        if whole < best.1 {
            best = (writing, whole);
        }
    }
    best
}

fn temporary_files_at(folder: &Path) -> usize {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(".tidegate-"))
                .count()
        })
        .unwrap_or_default()
}

/// A deterministic sequence in [0, 1) (a linear congruential generator; the seed is fixed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(unix)]
#[test]
fn an_interrupted_apply_then_a_rerun_always_gives_the_complete_release() {
    let repo = monorepo();
    let original = tree(repo.path());
    // The complete release, from uninterrupted runs, and when their writing starts.
    let (writing, whole) = timed(&repo);
    let complete = tree(repo.path());
    let written: Vec<&String> = complete
        .iter()
        .filter(|(name, bytes)| original.get(*name) != Some(*bytes))
        .map(|(name, _)| name)
        .collect();
    assert!(written.len() > PACKAGES * 2, "{} files", written.len());

    let mut random = Lcg(0x7469_6465_6761_7465);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for run in 0..RUNS {
        // Back to the commit: the files the release writes as they were (git would stat and
        // hash the whole tree for this).
        for name in &written {
            let path = repo.path().join(name);
            match original.get(*name) {
                Some(bytes) => std::fs::write(path, bytes).expect("restore"),
                None => std::fs::remove_file(path).expect("remove"),
            }
        }
        let signal = ["KILL", "KILL", "TERM", "KILL", "INT", "KILL"][run % 6];
        // Half the delays spread over the whole run, half over where the writing happens.
        let (from, to) = if run % 2 == 0 {
            (Duration::ZERO, whole.mul_f64(1.1))
        } else {
            (writing.mul_f64(0.9), whole)
        };
        let delay = from + (to.saturating_sub(from)).mul_f64(random.next());
        let child = apply(&repo, &[]).spawn().expect("spawn");
        std::thread::sleep(delay);
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .stderr(Stdio::piped())
            .output()
            .expect("kill")
            .status;
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();

        let after_kill = tree(repo.path());
        let temps = temporary_files(&after_kill);
        let done = written
            .iter()
            .filter(|name| after_kill.get(**name) == complete.get(**name))
            .count();
        let state = if !sent.success() || out.status.success() {
            "finished before the signal"
        } else if err.contains("before any file was replaced") {
            "during the temporary writes (removed them, exit 128+signal)"
        } else if err.contains("while files were being replaced") {
            "during the renames (finished them, exit 128+signal)"
        } else if done == written.len() {
            "after the writes (complete)"
        } else if done > 0 {
            "during the renames (old and new mixed)"
        } else if temps > 0 {
            "during the temporary writes (temporary files left)"
        } else {
            "before any write"
        };
        *counts.entry(format!("SIG{signal}: {state}")).or_default() += 1;
        if signal != "KILL" {
            // A catchable signal never leaves a mix, nor a temporary file.
            assert_eq!(temps, 0, "run {run}, SIG{signal}: {err}");
            assert!(
                done == 0 || done == written.len(),
                "run {run}, SIG{signal}: {done} of {} written: {err}",
                written.len()
            );
        }

        let rerun = apply(&repo, &[]).output().expect("rerun");
        assert!(
            rerun.status.success(),
            "run {run}: {}",
            String::from_utf8_lossy(&rerun.stderr)
        );
        let after_rerun = tree(repo.path());
        assert_eq!(temporary_files(&after_rerun), 0, "run {run}");
        for name in complete.keys().chain(after_rerun.keys()) {
            assert!(
                after_rerun.get(name) == complete.get(name),
                "run {run} (SIG{signal} after {delay:?}, {state}): {name} differs from the complete release"
            );
        }
    }
    eprintln!(
        "{RUNS} interrupted runs of bump apply on {PACKAGES} packages ({} files written; a whole run {whole:?}, writing from {writing:?}):",
        written.len()
    );
    for (state, count) in &counts {
        eprintln!("  {count:>3}  {state}");
    }
}
