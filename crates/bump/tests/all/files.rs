//! How `bump apply` reads and writes files: never into git's own, never a stale version with
//! exit 0, the files' line endings and modes kept, no temporary file left behind.

use testkit::TestRepo;

use crate::{bump_apply, ok};

/// Exit code and stderr of a run expected to fail.
fn refused(out: &std::process::Output) -> (Option<i32>, String) {
    assert!(!out.status.success(), "unexpected success");
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    (out.status.code(), err)
}

/// Every file under the folder (git's own included) with its bytes.
fn snapshot(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn nothing_is_written_into_the_git_directory() {
    for config in [
        "changelog-path = \"/.git/config\"\n",
        "changelog-path = \"sub/../.git/hooks/CHANGELOG.md\"\n",
        "extra-files = [\"/.GIT/HEAD\"]\n",
        "version-file = \"vendor/lib/.git/version.txt\"\n",
    ] {
        let repo = TestRepo::new();
        repo.write("tidegate.toml", config);
        repo.commit_all("feat: one");
        let before = snapshot(repo.path());
        let (code, err) = refused(&bump_apply(&repo, &[]));
        assert_eq!(code, Some(2), "{config}");
        assert!(err.contains("is inside the git directory"), "{err}");
        assert_eq!(snapshot(repo.path()), before, "{config}");
    }
}

#[test]
fn a_bare_repository_is_refused() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.commit_all("feat: one");
    let bare = tempfile::tempdir().expect("temp dir");
    let bare = bare.path().join("repo.git");
    repo.git(&["clone", "-q", "--bare", ".", bare.to_str().expect("utf-8")]);
    let before = snapshot(&bare);
    let out = assert_cmd::Command::cargo_bin("bump")
        .expect("binary")
        .args(["apply", "--repo"])
        .arg(&bare)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("runs");
    let (code, err) = refused(&out);
    assert_eq!(code, Some(2));
    assert!(err.contains("is a bare repository"), "{err}");
    assert_eq!(snapshot(&bare), before);
}

#[test]
fn version_files_are_set_completely_or_refused_by_name() {
    // A byte-order mark: kept, and the version after it set.
    let repo = TestRepo::new();
    repo.write("version.txt", "\u{feff}1.0.0\n");
    repo.commit_all("chore: initial");
    repo.tag("v1.0.0");
    repo.commit("feat: one");
    ok(&bump_apply(&repo, &[]));
    assert_eq!(repo.read("version.txt"), "\u{feff}1.1.0\n");

    // Two lines: refused, naming the file.
    let repo = TestRepo::new();
    repo.write("version.txt", "1.0.0\nbuilt by CI\n");
    repo.commit_all("chore: initial");
    repo.tag("v1.0.0");
    repo.commit("feat: one");
    let (code, err) = refused(&bump_apply(&repo, &[]));
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: version.txt: holds more than a version (line 2: `built by CI`)"),
        "{err}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    // Every `__version__` of a Python file, and every document of a YAML stream.
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "version-file = \"tool/_version.py\"\nextra-files = [{ type = \"yaml\", path = \"deploy.yaml\", jsonpath = \"$.app.version\" }]\n",
    );
    let module = "__version__ = \"1.0.0\"\ntry:\n    from ._local import *\nexcept ImportError:\n    __version__ = \"1.0.0\"\n";
    repo.write("tool/_version.py", module);
    let stream = "app:\n  version: 1.0.0\n---\napp:\n  version: 1.0.0\n";
    repo.write("deploy.yaml", stream);
    repo.commit_all("chore: initial");
    repo.tag("v1.0.0");
    repo.commit("feat: one");
    ok(&bump_apply(&repo, &[]));
    assert_eq!(
        repo.read("tool/_version.py"),
        module.replace("1.0.0", "1.1.0")
    );
    assert_eq!(repo.read("deploy.yaml"), stream.replace("1.0.0", "1.1.0"));

    // A crate inheriting a workspace version that no workspace sets.
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "release-type = \"rust\"\n");
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"solo\"\nversion = { workspace = true }\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("v1.0.0");
    repo.commit("feat: one");
    let (code, err) = refused(&bump_apply(&repo, &[]));
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: Cargo.toml: has `version.workspace = true`, but the repository's root Cargo.toml has no [workspace.package] version"),
        "{err}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[cfg(unix)]
#[test]
fn a_fifo_where_a_version_file_should_be_is_refused() {
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "version-file = \"VERSION\"\n");
    repo.commit_all("feat: one");
    let fifo = repo.path().join("VERSION");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let (code, err) = refused(&bump_apply(&repo, &[]));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("VERSION: is not a regular file (a device, FIFO or socket)"),
        "{err}"
    );
}

#[test]
fn two_packages_sharing_one_changelog_are_refused() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"a\"]\nchangelog-path = \"/CHANGELOG.md\"\n[packages.\"b\"]\nchangelog-path = \"../CHANGELOG.md\"\n",
    );
    repo.commit_all("chore: initial");
    repo.commit_file("a/x", "1", "feat: a");
    repo.commit_file("b/x", "1", "fix: b");
    let (code, err) = refused(&bump_apply(&repo, &[]));
    assert_eq!(code, Some(2));
    assert_eq!(
        err,
        "error: packages `a` and `b` both write their notes into CHANGELOG.md; give each its own changelog-path, or set skip-changelog = true on one"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[cfg(unix)]
#[test]
fn line_endings_mode_and_what_precedes_the_title_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\r\n");
    let head = "<!-- markdownlint-disable MD024 -->\r\n# Changelog\r\n\r\n";
    let old = "## 1.0.0 (2026-01-01)\r\n\r\n* first\r\n";
    repo.write("CHANGELOG.md", &format!("{head}{old}"));
    repo.commit_all("chore: initial");
    repo.tag("v1.0.0");
    repo.commit("feat: one");
    for file in ["VERSION", "CHANGELOG.md"] {
        std::fs::set_permissions(
            repo.path().join(file),
            std::fs::Permissions::from_mode(0o444),
        )
        .expect("chmod");
    }

    ok(&bump_apply(&repo, &[]));
    assert_eq!(repo.read("VERSION"), "1.1.0\r\n");
    let changelog = repo.read("CHANGELOG.md");
    assert!(
        changelog.starts_with(&format!("{head}## 1.1.0 (2026-11-21)\r\n")),
        "{changelog:?}"
    );
    assert!(changelog.ends_with(&format!("\r\n{old}")), "{changelog:?}");
    assert!(
        !changelog.replace("\r\n", "").contains('\n'),
        "{changelog:?}"
    );
    for file in ["VERSION", "CHANGELOG.md"] {
        let mode = std::fs::metadata(repo.path().join(file))
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o444, "{file}");
    }
    // A second run converges: the section is replaced, not repeated.
    ok(&bump_apply(&repo, &[]));
    assert_eq!(repo.read("CHANGELOG.md"), changelog);
}

#[test]
fn temporary_files_an_interrupted_run_left_are_removed() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.commit_all("chore: initial");
    repo.tag("v1.0.0");
    repo.commit("feat: one");
    // A process that has ended, as a killed run has.
    let mut gone = std::process::Command::new("true").spawn().expect("true");
    gone.wait().expect("wait");
    let leftover = format!(".tidegate-{}-aB3xY9.tmp", gone.id());
    repo.write(&leftover, "half a file");
    // Someone else's file that merely looks similar stays.
    repo.write(".tidegate-config", "mine");

    let out = bump_apply(&repo, &[]);
    ok(&out);
    assert!(!repo.path().join(&leftover).exists());
    assert_eq!(repo.read(".tidegate-config"), "mine");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("removed 1 temporary files an interrupted run had left"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(repo.read("VERSION"), "1.1.0\n");
}
