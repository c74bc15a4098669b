//! The shared installer: release pins download a checked archive into the tool cache once;
//! other refs build from source; bad downloads install nothing.

use crate::{failed_with, succeeded, token_stays_hidden};
use action_runner::{Runner, StaticServer, built_binaries, checkout_actions_at, parse_env_file};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use testkit::TestRepo;

const TARGET: &str = "x86_64-unknown-linux-musl";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// An archive's name, bytes and SHA-256.
type Packed = (String, Vec<u8>, String);

/// `BINARY-TARGET.tar.gz` holding the binary this test run built, as the release workflow packs
/// it, with its SHA-256. Packed once per test process: debug binaries are large.
fn archive(binary: &str) -> Packed {
    static PACKED: OnceLock<Mutex<BTreeMap<String, Packed>>> = OnceLock::new();
    let mut packed = PACKED.get_or_init(Mutex::default).lock().expect("lock");
    packed
        .entry(binary.to_string())
        .or_insert_with(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let name = format!("{binary}-{TARGET}.tar.gz");
            let path = dir.path().join(&name);
            let status = Command::new("tar")
                .arg("-czf")
                .arg(&path)
                .arg("-C")
                .arg(built_binaries())
                .arg(binary)
                .status()
                .expect("tar");
            assert!(status.success());
            let out = Command::new("sha256sum")
                .arg(&path)
                .output()
                .expect("sha256sum");
            let sum = String::from_utf8_lossy(&out.stdout)[..64].to_string();
            (name, std::fs::read(&path).expect("archive"), sum)
        })
        .clone()
}

/// A release `TAG` on a local server: an archive per binary and SHA256SUMS (each line's checksum
/// passed through `checksum`, so a test can lie).
struct Release {
    server: StaticServer,
    scratch: tempfile::TempDir,
}

impl Release {
    fn new(tag: &str, binaries: &[&str], checksum: impl Fn(&str) -> String) -> Self {
        let server = StaticServer::start();
        let scratch = tempfile::tempdir().expect("temp dir");
        let mut sums = String::new();
        for binary in binaries {
            let (name, bytes, sum) = archive(binary);
            sums.push_str(&format!("{}  {name}\n", checksum(&sum)));
            server.put(&format!("/dl/{tag}/{name}"), bytes);
        }
        server.put(&format!("/dl/{tag}/SHA256SUMS"), sums);
        Self { server, scratch }
    }

    fn honest(tag: &str, binaries: &[&str]) -> Self {
        Self::new(tag, binaries, str::to_string)
    }

    fn download_url(&self) -> String {
        format!("{}/dl", self.server.url())
    }

    /// The project's actions as a runner fetches `tidegate/tidegate/actions/NAME@REF`.
    fn action_at(&self, git_ref: &str, name: &str) -> PathBuf {
        let root = self.scratch.path().join("runner");
        checkout_actions_at(&root, "tidegate", "tidegate", git_ref)
            .join("actions")
            .join(name)
    }
}

fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    repo.commit("fix: second");
    repo
}

#[test]
fn a_release_pin_downloads_a_checked_archive_once_per_job() {
    let release = Release::honest("v1.2.3", &["changelog"]);
    let repo = project();
    let tool_cache = tempfile::tempdir().expect("tool cache");
    let runner = Runner::new(release.action_at("v1.2.3", "changelog"))
        .env("TIDEGATE_DOWNLOAD_URL", release.download_url())
        .tool_cache(tool_cache.path())
        .workspace(repo.path());

    let first = runner.run().expect("harness");
    succeeded(&first);
    assert_eq!(
        release.server.requests(),
        [
            format!("/dl/v1.2.3/changelog-{TARGET}.tar.gz"),
            "/dl/v1.2.3/SHA256SUMS".to_string()
        ]
    );
    assert_eq!(first.step_outputs["install"]["method"], "release");
    assert_eq!(first.step_outputs["install"]["version"], "1.2.3");
    let installed = tool_cache.path().join("tidegate/1.2.3/x64/changelog");
    assert_eq!(
        first.step_outputs["install"]["path"],
        installed.display().to_string()
    );
    assert!(
        first.uses.is_empty(),
        "a release needs no actions/cache step"
    );
    assert_eq!(first.outputs["version"], "1.0.1");
    assert_eq!(first.outputs["tag"], "v1.0.1");

    // A second step in the same job: nothing downloaded, same answer.
    let second = runner.run().expect("harness");
    succeeded(&second);
    assert_eq!(release.server.requests().len(), 2, "no new download");
    assert!(second.log.contains("already installed"), "{}", second.log);
    assert_eq!(second.outputs, first.outputs);
}

#[test]
fn a_bad_checksum_stops_the_install_and_caches_nothing() {
    let release = Release::new("v1.2.3", &["changelog"], |_| "0".repeat(64));
    let tool_cache = tempfile::tempdir().expect("tool cache");
    let repo = project();
    let runner = Runner::new(release.action_at("v1.2.3", "changelog"))
        .env("TIDEGATE_DOWNLOAD_URL", release.download_url())
        .tool_cache(tool_cache.path())
        .workspace(repo.path());
    let run = runner.run().expect("harness");
    let error = failed_with(&run, "install", 1);
    assert!(
        error.contains(&format!("checksum mismatch for changelog-{TARGET}.tar.gz"))
            && error.contains("nothing was installed"),
        "{}",
        error
    );
    assert!(
        !run.step_outputs.contains_key("run"),
        "the binary never ran"
    );
    let leftovers: Vec<_> = walk(tool_cache.path());
    assert!(leftovers.is_empty(), "the tool cache holds {leftovers:?}");
    token_stays_hidden(&run, runner.token_value());
}

#[test]
fn an_archive_missing_from_the_checksums_or_the_release_is_refused() {
    let release = Release::honest("v1.2.3", &["bump"]);
    let repo = project();
    let run = Runner::new(release.action_at("v1.2.3", "changelog"))
        .env("TIDEGATE_DOWNLOAD_URL", release.download_url())
        .workspace(repo.path())
        .run()
        .expect("harness");
    assert!(failed_with(&run, "install", 1).contains("cannot download"));

    release.server.put(
        &format!("/dl/v1.2.3/changelog-{TARGET}.tar.gz"),
        b"x".to_vec(),
    );
    let run = Runner::new(release.action_at("v1.2.3", "changelog"))
        .env("TIDEGATE_DOWNLOAD_URL", release.download_url())
        .workspace(repo.path())
        .run()
        .expect("harness");
    assert!(failed_with(&run, "install", 1).contains("does not list changelog-"));
}

#[test]
fn plain_http_is_refused_but_on_localhost() {
    let release = Release::honest("v1.2.3", &["changelog"]);
    let repo = project();
    let run = Runner::new(release.action_at("v1.2.3", "changelog"))
        .env("TIDEGATE_DOWNLOAD_URL", "http://mirror.example/dl")
        .workspace(repo.path())
        .run()
        .expect("harness");
    assert!(failed_with(&run, "install", 1).contains("must be an https:// URL"));
    assert!(release.server.requests().is_empty());
}

/// The installer's `plan` for an action fetched at `git_ref`, on `os`/`arch`.
fn plan(
    release: &Release,
    git_ref: &str,
    os: &str,
    arch: &str,
) -> (BTreeMap<String, String>, String) {
    let action = release.action_at(git_ref, "changelog");
    let output = release
        .scratch
        .path()
        .join(format!("plan-{}", git_ref.replace('/', "-")));
    std::fs::write(&output, "").expect("output file");
    let out = Command::new("bash")
        .arg(action.join("../setup/install.sh"))
        .args(["plan", "changelog"])
        .env("GITHUB_ACTION_PATH", &action)
        .env("GITHUB_OUTPUT", &output)
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env("RUNNER_TOOL_CACHE", release.scratch.path().join("cache"))
        .env("TIDEGATE_DOWNLOAD_URL", release.download_url())
        .env_remove("TIDEGATE_BIN_DIR")
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&output).expect("outputs");
    (
        parse_env_file(&text),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_ref_decides_between_a_release_and_a_build_from_source() {
    let release_commit = "0123456789abcdef0123456789abcdef01234567";
    let release = Release::honest(&format!("v{VERSION}"), &["changelog"]);
    release.server.put(
        &format!("/dl/v{VERSION}/source-commit.txt"),
        format!("{release_commit}\n"),
    );
    let method = |git_ref: &str| {
        let (outputs, _) = plan(&release, git_ref, "Linux", "X64");
        (outputs["method"].clone(), outputs["version"].clone())
    };
    assert_eq!(method("v1.2.3"), ("release".into(), "1.2.3".into()));
    assert_eq!(
        method("v2.0.0-rc.1"),
        ("release".into(), "2.0.0-rc.1".into())
    );
    // A major (or minor) tag is the release of the version its source carries.
    assert_eq!(method("v1"), ("release".into(), VERSION.into()));
    assert_eq!(method("v1.4"), ("release".into(), VERSION.into()));
    // A commit pin is a release only when that release was built from this very commit.
    assert_eq!(method(release_commit), ("release".into(), VERSION.into()));
    let (other, _) = method(&"f".repeat(40));
    assert_eq!(other, "source");
    // Branches (with slashes too) build from source, cached under the source's hash.
    let (outputs, _) = plan(&release, "main", "Linux", "X64");
    assert_eq!(outputs["method"], "source");
    let hash = outputs["version"]
        .strip_prefix("source-")
        .expect("source-HASH");
    assert_eq!(hash.len(), 16);
    assert_eq!(
        outputs["cache-key"],
        format!("tidegate-Linux-x64-changelog-{hash}")
    );
    assert!(outputs["cache-path"].ends_with(&format!("tidegate/source-{hash}/x64/changelog")));
    let (feature, _) = plan(&release, "feature/faster", "Linux", "X64");
    assert_eq!(
        feature["version"], outputs["version"],
        "same source, same cache"
    );
}

#[test]
fn every_supported_platform_has_its_archive_and_others_build_from_source() {
    let release = Release::honest("v1.2.3", &["changelog"]);
    for (os, arch) in [
        ("Linux", "X64"),
        ("Linux", "ARM64"),
        ("macOS", "ARM64"),
        ("macOS", "X64"),
        ("Windows", "X64"),
    ] {
        let (outputs, _) = plan(&release, "v1.2.3", os, arch);
        assert_eq!(outputs["method"], "release", "{os}/{arch}");
    }
    let (outputs, log) = plan(&release, "v1.2.3", "Windows", "ARM64");
    assert_eq!(outputs["method"], "source");
    assert!(
        log.contains("::warning::Tidegate has no prebuilt binary for Windows/ARM64"),
        "{log}"
    );
}

#[test]
fn a_branch_pin_caches_its_build_and_needs_cargo() {
    let release = Release::honest("v1.2.3", &["changelog"]);
    let repo = project();
    let run = Runner::new(release.action_at("main", "changelog"))
        .env("PATH", "/usr/bin:/bin")
        .workspace(repo.path())
        .run()
        .expect("harness");
    // The cache step is asked for the plan's folder and key, before the build.
    let plan = &run.step_outputs["plan"];
    assert_eq!(run.uses.len(), 1);
    let (uses, with) = &run.uses[0];
    assert!(uses.starts_with("actions/cache@"), "{uses}");
    let with: BTreeMap<_, _> = with.iter().cloned().collect();
    assert_eq!(with["path"], plan["cache-path"]);
    assert_eq!(with["key"], plan["cache-key"]);
    // Without cargo on PATH, the build cannot happen, and says what to do instead.
    let error = failed_with(&run, "install", 1);
    assert!(
        error.contains("needs cargo; install Rust first, or pin the action to a release tag"),
        "{error}"
    );
}

#[test]
fn the_setup_action_installs_several_binaries_onto_path() {
    let release = Release::honest("v1.2.3", &["changelog", "bump"]);
    let tool_cache = tempfile::tempdir().expect("tool cache");
    let run = Runner::new(release.action_at("v1.2.3", "setup"))
        .env("TIDEGATE_DOWNLOAD_URL", release.download_url())
        .tool_cache(tool_cache.path())
        .input("binaries", "changelog, bump")
        .run()
        .expect("harness");
    succeeded(&run);
    let dir = tool_cache.path().join("tidegate/1.2.3/x64");
    assert!(dir.join("changelog").is_file() && dir.join("bump").is_file());
    assert_eq!(run.path_added, [dir.display().to_string()]);
    assert_eq!(run.outputs["version"], "1.2.3");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
