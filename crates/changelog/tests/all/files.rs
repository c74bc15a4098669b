//! How `--output` and `--prepend` write: regular files whole, everything else in place.

use crate::{changelog, failure, project, stdout};
use testkit::TestRepo;

fn notes(repo: &TestRepo) -> String {
    stdout(&mut changelog(repo))
}

#[cfg(unix)]
#[test]
fn special_files_are_written_in_place_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let repo = project();
    let expected = notes(&repo);
    let dir = tempfile::tempdir().expect("temp dir");

    // `-` and /dev/stdout are standard output, even when it is a regular file a shell holds.
    for path in ["-", "/dev/stdout"] {
        assert_eq!(
            stdout(changelog(&repo).args(["--output", path])),
            expected,
            "{path}"
        );
    }
    let held = dir.path().join("held.md");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(r#"{ echo header; "$0" --repo "$1" --output /dev/stdout; echo footer; } > "$2""#)
        .arg(assert_cmd::cargo::cargo_bin("changelog"))
        .arg(repo.path())
        .arg(&held)
        .env("SOURCE_DATE_EPOCH", "1795305600")
        .status()
        .expect("bash");
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(&held).expect("read"),
        format!("header\n{expected}footer\n")
    );

    // A FIFO stays a FIFO, and its reader gets the notes.
    let fifo = dir.path().join("notes.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let mut reader = std::process::Command::new("cat")
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("cat");
    stdout(changelog(&repo).arg("--output").arg(&fifo));
    let kind = std::fs::symlink_metadata(&fifo).expect("stat").file_type();
    if !kind.is_fifo() {
        let _ = reader.kill();
    }
    assert!(kind.is_fifo(), "the FIFO was replaced by a {kind:?}");
    let read = reader.wait_with_output().expect("cat");
    assert_eq!(String::from_utf8_lossy(&read.stdout), expected);

    // A character device (a null device made here: the machine's own is not touched) stays one.
    let device = dir.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .output()
        .is_ok_and(|out| out.status.success());
    if made {
        stdout(changelog(&repo).arg("--output").arg(&device));
        stdout(changelog(&repo).arg("--prepend").arg(&device));
        let meta = std::fs::symlink_metadata(&device).expect("stat");
        assert!(meta.file_type().is_char_device(), "{meta:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed_and_stays_a_link() {
    let repo = project();
    let dir = tempfile::tempdir().expect("temp dir");
    let real = dir.path().join("docs").join("CHANGELOG.md");
    std::fs::create_dir(dir.path().join("docs")).expect("mkdir");
    std::fs::write(&real, "# Changelog\n").expect("write");
    let link = dir.path().join("CHANGELOG.md");
    std::os::unix::fs::symlink("docs/CHANGELOG.md", &link).expect("link");

    stdout(changelog(&repo).arg("--prepend").arg(&link));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("stat")
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(&real).expect("read");
    assert!(text.starts_with("# Changelog\n\n## [1.1.0]"), "{text}");

    stdout(changelog(&repo).arg("--output").arg(&link));
    assert_eq!(std::fs::read_to_string(&real).expect("read"), notes(&repo));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("stat")
            .file_type()
            .is_symlink()
    );

    let dangling = dir.path().join("dangling.md");
    std::os::unix::fs::symlink("missing/file.md", &dangling).expect("link");
    let (code, err) = failure(changelog(&repo).arg("--output").arg(&dangling));
    assert_eq!(code, 2);
    assert!(
        err.contains("is a symbolic link to a file that does not exist"),
        "{err}"
    );
    assert!(!dir.path().join("missing").exists());
}

#[test]
fn folders_and_prepend_to_standard_output_are_refused() {
    let repo = project();
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, err) = failure(changelog(&repo).arg("--output").arg(dir.path()));
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("is a folder; name a file"), "{err}");
    let (code, err) = failure(changelog(&repo).args(["--prepend", "-"]));
    assert_eq!(code, 2);
    assert!(err.contains("--prepend edits a file in place"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[cfg(unix)]
#[test]
fn prepend_keeps_the_files_mode_and_line_endings() {
    use std::os::unix::fs::PermissionsExt;
    let repo = project();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("CHANGELOG.md");
    std::fs::write(
        &path,
        "# Changelog\r\n\r\n## 1.0.0 (2026-01-01)\r\n\r\n* first\r\n",
    )
    .expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");

    stdout(changelog(&repo).arg("--prepend").arg(&path));
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o444);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF: {text:?}"
    );
    let section = notes(&repo).replace('\n', "\r\n");
    assert_eq!(
        text,
        format!("# Changelog\r\n\r\n{section}\r\n## 1.0.0 (2026-01-01)\r\n\r\n* first\r\n")
    );
    // Nothing else was left in the folder.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
}

#[test]
fn prepend_goes_below_the_title_whatever_is_above_it() {
    let repo = project();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("CHANGELOG.md");
    let head = "<!-- markdownlint-disable MD024 -->\n\n# Changelog\n\nAll notable changes.\n\n";
    let old = "## 1.0.0 (2026-01-01)\n\n* first\n";
    std::fs::write(&path, format!("{head}{old}")).expect("write");
    stdout(changelog(&repo).arg("--prepend").arg(&path));
    let section = notes(&repo);
    let expected = format!("{head}{section}\n{old}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), expected);
    // Again: the section for the same version is replaced, not repeated.
    stdout(changelog(&repo).arg("--prepend").arg(&path));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), expected);
}
