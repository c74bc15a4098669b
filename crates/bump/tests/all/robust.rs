//! Bad input to `bump`: one line saying what is wrong, the documented exit code, no panic.

use assert_cmd::Command;
use testkit::TestRepo;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(repo: &TestRepo, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::cargo_bin("bump")
        .expect("binary")
        .args(args)
        .current_dir(repo.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("RUST_BACKTRACE", "1")
        .env("SOURCE_DATE_EPOCH", "1795219200")
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Run {
    /// Exit `code`, and stderr exactly one `error:` line containing `text`.
    fn fails_with(&self, code: i32, text: &str) {
        assert_eq!(self.code, code, "{}", self.stderr);
        assert_eq!(self.stderr.lines().count(), 1, "one line: {}", self.stderr);
        assert!(
            self.stderr.starts_with("error: ") && self.stderr.contains(text),
            "`{text}` not in {}",
            self.stderr
        );
    }
}

#[test]
fn a_version_at_the_largest_number_is_refused_not_wrapped_to_zero() {
    let repo = TestRepo::new();
    repo.commit("feat: the start");
    repo.tag("v18446744073709551615.0.0");
    repo.commit("feat!: drop the old API");
    run(&repo, &["version"], &[]).fails_with(
        2,
        "18446744073709551615.0.0 cannot take a major bump: its major number is already the largest there is",
    );
    run(&repo, &["apply"], &[]).fails_with(2, "set `release-as`");
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "nothing written");
}

#[test]
fn usage_errors_are_one_line() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    run(&repo, &["version", "--pakage", "x"], &[])
        .fails_with(2, "unexpected argument '--pakage' found (tip: a similar argument exists: '--package'); usage: bump version");
    run(&repo, &[], &[]).fails_with(
        2,
        "a command is required: `bump version`, `apply`, `pr`, `release`, `cut` or `promote`",
    );
    run(&repo, &["apply", "--release-as", "one"], &[]).fails_with(2, "invalid value 'one'");
    let help = run(&repo, &["--help"], &[]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Usage: bump"), "{}", help.stdout);
}

#[test]
fn a_release_without_files_says_so_and_counts_in_words() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "release-type = \"go\"\nskip-changelog = true\n",
    );
    repo.commit_all("feat: the start");
    repo.tag("v1.0.0");
    repo.commit("chore: tidy");
    let nothing = run(&repo, &["version"], &[]);
    assert_eq!(nothing.code, 0, "{}", nothing.stderr);
    assert!(
        nothing
            .stderr
            .contains("since v1.0.0: 1 commit, none user-facing"),
        "{}",
        nothing.stderr
    );
    repo.commit("fix: a bug");
    let applied = run(&repo, &["apply"], &[]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(
        applied.stdout,
        ".: 1.0.0 → 1.0.1 (v1.0.1)\nno file holds the version, so none was written\n"
    );
}

#[test]
fn malformed_values_are_refused_not_ignored() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    run(&repo, &["version"], &[("SOURCE_DATE_EPOCH", "yesterday")]).fails_with(
        2,
        "SOURCE_DATE_EPOCH is `yesterday`, not a number of seconds since 1970-01-01",
    );
    for (config, text) in [
        ("tag-separator = \"::\"\n", "`tag-separator` is `::`"),
        (
            "[packages.\"../outside\"]\n",
            "package path `../outside` is not a folder inside the repository",
        ),
        (
            "release-type = node\n",
            "tidegate.toml:1: the value of `release-type` must be a quoted string: release-type = \"node\"",
        ),
        (
            "[packages.\".\"]\n[packages.\"./\"]\n",
            "packages `.` and `./` are the same folder `.`",
        ),
    ] {
        repo.write("tidegate.toml", config);
        run(&repo, &["version"], &[]).fails_with(2, text);
    }
}

#[test]
fn a_damaged_repository_is_a_git_failure() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    std::fs::write(repo.path().join(".git/HEAD"), "garbage\n").expect("write");
    run(&repo, &["version"], &[]).fails_with(
        3,
        "the repository is damaged: corrupted loose reference file: HEAD; check it with `git fsck`",
    );
}

#[test]
fn bad_flags_and_config_values_are_refused_in_one_line() {
    let repo = TestRepo::new();
    repo.commit("feat: the start");
    repo.tag("v1.0.0");
    repo.commit("fix: a fix");
    let rows: &[(&[&str], &str, &str)] = &[
        (
            &["version", "--release-as", "1.x"],
            "",
            "invalid value '1.x' for '--release-as <X.Y.Z>'",
        ),
        (
            &["version", "--release-type", "cobol"],
            "",
            "unknown release type `cobol`; the supported ones are",
        ),
        (
            &["version", "--package", "nowhere"],
            "",
            "no package at `nowhere`",
        ),
        (
            &["version"],
            "release-as = \"1.x\"\n",
            "`release-as` is `1.x`, which is not a semantic version",
        ),
        (
            &["version"],
            "tag-pattern = \"(\"\n",
            "`tag-pattern` is not a valid regular expression",
        ),
        (
            &["version"],
            "[[changelog-sections]]\ntype = 3\n",
            "tidegate.toml:2: invalid type: integer `3`, expected a string",
        ),
    ];
    for (args, config, words) in rows {
        eprintln!("row: {args:?} {config:?}");
        if config.is_empty() {
            let _ = std::fs::remove_file(repo.path().join("tidegate.toml"));
        } else {
            repo.write("tidegate.toml", config);
        }
        let refused = run(&repo, args, &[]);
        assert!(refused.stdout.is_empty() && !refused.stderr.contains("panicked"));
        refused.fails_with(2, words);
    }
}
