//! The `changelog` binary, run as a user runs it, on real repositories.

mod files;
mod injection;
mod overrides;
mod robust;
mod trust;

use assert_cmd::Command;
use testkit::TestRepo;

fn changelog(repo: &TestRepo) -> Command {
    let mut cmd = Command::cargo_bin("changelog").expect("binary");
    cmd.arg("--repo")
        .arg(repo.path())
        .env("SOURCE_DATE_EPOCH", "1795305600")
        .env_remove("GITHUB_ACTIONS");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Runs expecting failure; returns (exit code, stderr).
fn failure(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().expect("runs");
    assert!(!out.status.success(), "unexpected success");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

/// A project with two releases and unreleased work, on GitHub.
fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.set_remote("https://github.com/octo/demo.git");
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    repo.commit("fix(parser): handle tabs (#3)");
    repo.annotated_tag("v1.0.1");
    repo.commit("feat(api): add widgets (#5)");
    repo.commit("docs: explain widgets");
    repo
}

#[test]
fn unreleased_notes_are_headed_by_the_next_version() {
    let repo = project();
    let text = stdout(&mut changelog(&repo));
    let first = text.lines().next().expect("heading");
    assert_eq!(
        first,
        "## [1.1.0](https://github.com/octo/demo/compare/v1.0.1...v1.1.0) (2026-11-22)"
    );
    assert!(
        text.contains(
            "### Features\n\n* **api:** add widgets ([#5](https://github.com/octo/demo/issues/5))"
        ),
        "{text}"
    );
    assert!(
        !text.contains("explain widgets"),
        "docs are hidden by default"
    );
}

#[test]
fn tag_gives_that_release_with_its_own_date() {
    let repo = project();
    let text = stdout(changelog(&repo).args(["--tag", "v1.0.1"]));
    // 2026-01-01 plus two one-hour commits: the annotated tag's own time.
    assert!(
        text.starts_with(
            "## [1.0.1](https://github.com/octo/demo/compare/v1.0.0...v1.0.1) (2026-01-01)\n"
        ),
        "{text}"
    );
    assert!(text.contains("* **parser:** handle tabs"));
    assert!(!text.contains("widgets"));
}

#[test]
fn all_writes_a_whole_changelog_newest_first() {
    let repo = project();
    let text = stdout(changelog(&repo).arg("--all"));
    let headings: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('#') && !l.starts_with("###"))
        .collect();
    assert_eq!(headings.len(), 3, "{text}");
    assert_eq!(headings[0], "# Changelog");
    assert!(headings[1].starts_with("## [1.0.1]"));
    assert!(
        headings[2].starts_with("## 1.0.0 ("),
        "the first release has no compare link"
    );
}

#[test]
fn a_range_lists_what_is_between() {
    let repo = project();
    let text =
        stdout(changelog(&repo).args(["--from", "v1.0.0", "--to", "HEAD", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(json["commit_count"], 3);
    assert_eq!(json["version"], "1.1.0");
    assert_eq!(
        json["compare_url"],
        "https://github.com/octo/demo/compare/v1.0.0...v1.1.0"
    );
    let titles: Vec<&str> = json["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| s["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, vec!["Features", "Bug Fixes"]);
}

#[test]
fn prepend_inserts_under_the_title_and_converges() {
    let repo = project();
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [1.0.1](old) (2026-01-01)\n\n* kept exactly\n",
    );
    stdout(
        changelog(&repo)
            .args(["--prepend"])
            .arg(repo.path().join("CHANGELOG.md")),
    );
    let once = repo.read("CHANGELOG.md");
    assert!(once.starts_with("# Changelog\n\n## [1.1.0]"), "{once}");
    assert!(
        once.ends_with("\n## [1.0.1](old) (2026-01-01)\n\n* kept exactly\n"),
        "{once}"
    );
    stdout(
        changelog(&repo)
            .args(["--prepend"])
            .arg(repo.path().join("CHANGELOG.md")),
    );
    assert_eq!(
        repo.read("CHANGELOG.md"),
        once,
        "a second run changes nothing"
    );
}

#[test]
fn templates_replace_the_layout() {
    let repo = project();
    repo.write("notes.j2", "{{ version }}:{% for s in sections %}{% for e in s.entries %} {{ e.description }}{% endfor %}{% endfor %}\n");
    let text = stdout(
        changelog(&repo)
            .arg("--template")
            .arg(repo.path().join("notes.j2")),
    );
    assert_eq!(text, "1.1.0: add widgets\n");
    repo.write("bad.j2", "{% for %}");
    let (code, err) = failure(
        changelog(&repo)
            .arg("--template")
            .arg(repo.path().join("bad.j2")),
    );
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: template ") && err.contains("bad.j2:1"),
        "{err}"
    );
}

#[test]
fn output_file_is_written_whole() {
    let repo = project();
    let target = repo.path().join("notes.md");
    stdout(changelog(&repo).arg("--output").arg(&target));
    assert!(repo.read("notes.md").starts_with("## [1.1.0]"));
    let leftovers: Vec<_> = std::fs::read_dir(repo.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn bad_input_gets_one_line_and_the_right_exit_code() {
    let repo = project();
    let outside = tempfile::tempdir().expect("temp dir");
    let mut not_repo = Command::cargo_bin("changelog").expect("binary");
    not_repo.arg("--repo").arg(outside.path());
    let empty = TestRepo::new();
    let shallow = project().shallow_clone(1);
    let cases: Vec<(Command, i32, &str)> = vec![
        (not_repo, 3, "is not inside a git repository"),
        (changelog(&empty), 3, "no commits yet"),
        (changelog(&shallow), 2, "fetch-depth: 0"),
        (
            {
                let mut c = changelog(&repo);
                c.args(["--tag", "v9.9.9"]);
                c
            },
            2,
            "there is no tag `v9.9.9`",
        ),
        (
            {
                let mut c = changelog(&repo);
                c.args(["--from", "nope"]);
                c
            },
            2,
            "unknown revision `nope`",
        ),
        (
            {
                let mut c = changelog(&repo);
                c.args(["--tag", "v1.0.0", "--all"]);
                c
            },
            2,
            "cannot be used with",
        ),
    ];
    for (mut cmd, expected, needle) in cases {
        let (code, err) = failure(&mut cmd);
        assert_eq!(code, expected, "{err}");
        assert!(err.contains(needle), "{err}");
        assert!(
            !err.contains("panicked") && !err.contains("stack backtrace"),
            "{err}"
        );
        if expected == 3 || needle.starts_with("unknown") {
            assert_eq!(err.lines().count(), 1, "one line: {err}");
        }
    }
}

#[test]
fn a_malformed_config_is_a_usage_error_naming_the_line() {
    let repo = project();
    repo.write(
        "tidegate.toml",
        "release-type = \"rust\"\nversionning = \"default\"\n",
    );
    let (code, err) = failure(&mut changelog(&repo));
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: tidegate.toml:2: unknown key `versionning`; did you mean `versioning`?\n"
    );
}

#[test]
fn a_one_megabyte_message_is_fine() {
    let repo = project();
    repo.commit_bytes(format!("fix: huge\n\n{}\n", "x".repeat(1 << 20)).as_bytes());
    let text = stdout(&mut changelog(&repo));
    assert!(text.contains("* huge ("));
}

#[test]
fn on_actions_warnings_are_annotations() {
    let repo = project();
    repo.commit("fix: x\n\nRelease-As: soon");
    let out = changelog(&repo)
        .env("GITHUB_ACTIONS", "true")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(err.starts_with("::warning::commit "), "{err}");
}

#[test]
fn a_monorepo_package_lists_only_the_commits_that_touch_it() {
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "[packages.\"api\"]\n[packages.\"web\"]\n");
    repo.commit_all("chore: initial");
    repo.tag("api-v1.0.0").tag("web-v1.0.0");
    repo.commit_file("api/a.rs", "1", "feat: api endpoint");
    repo.commit_file("web/a.js", "1", "fix: web button");
    repo.tag("api-v1.1.0");
    repo.commit_file("api/b.rs", "1", "fix: api crash");
    let unreleased = stdout(changelog(&repo).args(["--package", "api"]));
    assert!(unreleased.starts_with("## 1.1.1 ("), "{unreleased}");
    assert!(
        unreleased.contains("api crash") && !unreleased.contains("web button"),
        "{unreleased}"
    );
    let release = stdout(changelog(&repo).args(["--package", "api", "--tag", "api-v1.1.0"]));
    assert!(
        release.contains("api endpoint") && !release.contains("web"),
        "{release}"
    );
    let web = stdout(changelog(&repo).args(["--package", "web", "--all"]));
    assert!(!web.contains("api"), "{web}");
    let pending_web = stdout(changelog(&repo).args(["--package", "web"]));
    assert!(
        pending_web.contains("web button") && !pending_web.contains("api"),
        "{pending_web}"
    );
}

/// What the step writes to `$GITHUB_OUTPUT`, and its stdout.
fn step_outputs(cmd: &mut Command) -> (std::collections::BTreeMap<String, String>, String) {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let text = stdout(cmd.env("GITHUB_OUTPUT", file.path()));
    let written = std::fs::read_to_string(file.path()).expect("outputs");
    (testkit::parse_outputs(&written), text)
}

#[test]
fn step_outputs_carry_the_release_and_its_notes() {
    let repo = project();
    let (outputs, text) = step_outputs(&mut changelog(&repo));
    assert_eq!(outputs["version"], "1.1.0");
    assert_eq!(outputs["tag"], "v1.1.0");
    assert_eq!(outputs["previous-tag"], "v1.0.1");
    assert_eq!(outputs["commit-count"], "2");
    assert_eq!(
        outputs["notes"],
        text.trim_end(),
        "the notes, multi-line and whole"
    );
    assert!(outputs["notes"].lines().count() > 3);

    let (outputs, _) = step_outputs(changelog(&repo).arg("--tag").arg("v1.0.1"));
    assert_eq!(outputs["version"], "1.0.1");
    assert_eq!(outputs["previous-tag"], "v1.0.0");

    let (outputs, _) = step_outputs(changelog(&repo).arg("--all"));
    assert_eq!(outputs["version"], "1.0.1", "the newest release");
    assert!(
        !outputs.contains_key("notes"),
        "a whole document is no output"
    );
}

#[test]
fn release_type_gives_that_types_sections() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v0.3.0");
    repo.commit("docs: explain the cache");
    // The default type hides docs: nothing user-facing, so no version.
    let plain = stdout(&mut changelog(&repo));
    assert!(plain.starts_with("## Unreleased"), "{plain}");
    assert!(!plain.contains("Documentation"), "{plain}");
    // release-please's python sections show them, and so make a patch release.
    let python = stdout(changelog(&repo).args(["--release-type", "python"]));
    assert!(python.starts_with("## 0.3.1 (2026-11-22)"), "{python}");
    assert!(
        python.contains("### Documentation\n\n* explain the cache"),
        "{python}"
    );
    let (code, err) = failure(changelog(&repo).args(["--release-type", "perl"]));
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        "error: --release-type: unknown release type `perl`; the supported ones are simple, rust, node, python, helm, go"
    );
}

/// A squash-merged history of the shapes release-please meets, whose notes must be the ones
/// release-please writes for it, byte for byte (the expected text was checked against
/// release-please 17.11.2's own notes for the same commits with `bench/oracle/notes.js`).
#[test]
fn notes_are_release_pleases_bytes_for_a_squash_merged_history() {
    let repo = TestRepo::new();
    repo.set_remote("https://github.com/octo/demo.git");
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    repo.commit("feat(api): add the widgets endpoint (#101)\n\n* feat!: first try\n\n* fix: typo\n\n* chore: lint\n");
    repo.commit("fix: keep the last page (#102)\n\nThe pager dropped it.\n\nCloses #7\nRefs: #8\nSigned-off-by: Ada <ada@example.com>\n");
    repo.commit("feat(cli)!: rename the --to flag (#103)\n\nBREAKING CHANGE: `--to` is now `--target`.\nScripts must change.\n");
    repo.commit("chore: sync generated code (#104)\n\nfix(gen): handle empty files\nfeat(gen): support ESM & CJS, see #99\n");
    repo.commit("deps!: drop node 14 (#105)");
    repo.commit("docs: explain widgets (#106)");
    repo.tag("v2.0.0");
    let text = stdout(changelog(&repo).args(["--tag", "v2.0.0"]));
    let expected = "## [2.0.0](https://github.com/octo/demo/compare/v1.0.0...v2.0.0) (2026-01-01)\n\n\n### ⚠ BREAKING CHANGES\n\n* drop node 14 ([#105](https://github.com/octo/demo/issues/105))\n* **cli:** `--to` is now `--target`. Scripts must change.\n\n### deps\n\n* drop node 14 ([#105](https://github.com/octo/demo/issues/105)) ([5337728](https://github.com/octo/demo/commit/533772814601e77b8015cfa9f07ed2a4a5086c1d))\n\n\n### Features\n\n* **api:** add the widgets endpoint ([#101](https://github.com/octo/demo/issues/101)) ([2eb91a7](https://github.com/octo/demo/commit/2eb91a75b62544c2697bfc9fae275573a7db6135))\n* **cli:** rename the --to flag ([#103](https://github.com/octo/demo/issues/103)) ([0be9537](https://github.com/octo/demo/commit/0be9537f9accd904fb49e2d6a7962b5525f3901d))\n* **gen:** support ESM & CJS, see [#99](https://github.com/octo/demo/issues/99) ([e970692](https://github.com/octo/demo/commit/e970692938bce4c475840566356f9e2afd8b8dad))\n\n\n### Bug Fixes\n\n* **gen:** handle empty files ([e970692](https://github.com/octo/demo/commit/e970692938bce4c475840566356f9e2afd8b8dad))\n* keep the last page ([#102](https://github.com/octo/demo/issues/102)) ([7ba9206](https://github.com/octo/demo/commit/7ba9206536b641509a0b5fa5d4c26ff5f0154ee5)), refs [#7](https://github.com/octo/demo/issues/7) [#8](https://github.com/octo/demo/issues/8)\n";
    assert_eq!(text, expected);
}
