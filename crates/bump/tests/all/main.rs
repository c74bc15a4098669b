//! The `bump` binary, run as a user runs it.

mod apply;
mod assets;
mod concurrency;
mod files;
mod github;
mod github_errors;
mod kill;
mod lines;
mod overrides;
mod release_types;
mod robust;
mod trust;
mod workspaces;

use assert_cmd::Command;
use testkit::TestRepo;

/// Runs `bump version [extra…] --repo REPO`.
fn bump_version(repo: &TestRepo, extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("bump")
        .expect("binary")
        .arg("version")
        .args(extra)
        .arg("--repo")
        .arg(repo.path())
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("runs")
}

/// Runs `bump apply [extra…] --repo REPO` on a fixed date.
pub(crate) fn bump_apply(repo: &TestRepo, extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("bump")
        .expect("binary")
        .arg("apply")
        .args(extra)
        .arg("--repo")
        .arg(repo.path())
        .env_remove("GITHUB_ACTIONS")
        .env("SOURCE_DATE_EPOCH", "1795219200")
        .output()
        .expect("runs")
}

/// A successful run's standard output.
pub(crate) fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

pub(crate) fn bump_json(repo: &TestRepo) -> serde_json::Value {
    bump_json_with(repo, &[])
}

/// `bump version --json` with more arguments.
pub(crate) fn bump_json_with(repo: &TestRepo, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    let out = bump_version(repo, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(text.lines().count(), 1, "exactly one JSON object: {text}");
    serde_json::from_str(&text).expect("json")
}

#[test]
fn json_reports_the_facts_behind_the_version() {
    let repo = TestRepo::new();
    repo.commit("feat: one");
    repo.tag("v1.4.2").tag("nightly");
    repo.commit("feat(ui): two");
    repo.commit("fix: three");
    repo.commit("Update README");
    repo.commit("docs: four");
    let json = bump_json(&repo);
    assert_eq!(json["previous"], "1.4.2");
    assert_eq!(json["next"], "1.5.0");
    assert_eq!(json["tag"], "v1.5.0");
    assert_eq!(json["bump"], "minor");
    assert_eq!(json["commits"], 4);
    assert_eq!(
        json["types"],
        serde_json::json!({"feat": 1, "fix": 1, "docs": 1, "other": 1})
    );
    assert_eq!(json["ignored_tags"], 1);
}

#[test]
fn squash_merged_history_follows_the_pr_titles_not_the_bullets() {
    let repo = TestRepo::new();
    repo.commit("feat: one");
    repo.tag("v1.4.2");
    // GitHub's default squash bodies: one bullet per branch commit, a `feat!` among them.
    repo.commit("feat: widgets (#21)\n\n* feat!: first try\n\n* fix: typo\n\n* chore: lint\n");
    repo.commit("fix: last page (#22)\n\n* fix(api)!: wip\n");
    let json = bump_json(&repo);
    assert_eq!(json["next"], "1.5.0", "{json}");
    assert_eq!(json["bump"], "minor");
    assert_eq!(json["breaking"], 0);
    assert_eq!(json["changes"], 2);
    // A conventional footer line is a change release-please counts: here a breaking one.
    repo.commit("chore: sync (#23)\n\nfeat!: remove the old option\n");
    let json = bump_json(&repo);
    assert_eq!(json["next"], "2.0.0", "{json}");
}

#[test]
fn nothing_user_facing_means_next_is_null() {
    let repo = TestRepo::new();
    repo.commit("feat: one");
    repo.tag("v1.0.0");
    repo.commit("chore: tidy");
    repo.commit("ci: faster");
    let json = bump_json(&repo);
    assert_eq!(json["next"], serde_json::Value::Null);
    assert_eq!(json["tag"], serde_json::Value::Null);
    assert_eq!(json["bump"], "none");
    assert_eq!(json["commits"], 2);
    let out = bump_version(&repo, &[]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to release since v1.0.0"));
}

#[test]
fn first_release_follows_the_release_type() {
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "release-type = \"rust\"\n");
    repo.commit("feat: one");
    let json = bump_json_with(&repo, &["--allow-full-history"]);
    assert_eq!(json["previous"], serde_json::Value::Null);
    assert_eq!(json["next"], "0.1.0");
    assert_eq!(json["bump"], "initial");
}

#[test]
fn release_please_projects_migrate_unchanged() {
    let repo = TestRepo::new();
    repo.write(
        "release-please-config.json",
        r#"{"packages": {".": {"release-type": "node", "bump-minor-pre-major": true, "include-component-in-tag": true, "component": "app", "draft": true}}}"#,
    );
    repo.write(".release-please-manifest.json", r#"{".": "0.3.0"}"#);
    repo.commit("chore: config");
    repo.tag("app-v0.3.0");
    repo.commit("feat!: drop the old API");
    let out = bump_version(&repo, &["--json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["next"], "0.4.0");
    assert_eq!(json["tag"], "app-v0.4.0");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not supported yet") && err.contains("draft"),
        "{err}"
    );
}

#[test]
fn the_manifest_version_stands_in_for_a_missing_tag() {
    let repo = TestRepo::new();
    repo.write("release-please-config.json", r#"{"packages": {".": {}}}"#);
    repo.write(".release-please-manifest.json", r#"{".": "2.3.4"}"#);
    repo.commit("fix: one");
    // Without a tag, every commit ever made would count: said, and refused unless allowed.
    let out = bump_version(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is at 2.3.4")
            && err.contains("`v2.3.4`")
            && err.contains("--allow-full-history"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let json = bump_json_with(&repo, &["--allow-full-history"]);
    assert_eq!(json["next"], "2.3.5");
    assert!(
        json["warnings"].to_string().contains("no tag `v2.3.4`"),
        "the warning stays: {json}"
    );
}

#[test]
fn plain_output_is_the_version() {
    let repo = TestRepo::new();
    repo.commit("feat: one");
    repo.tag("v0.9.0");
    repo.commit("fix: two");
    let out = bump_version(&repo, &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0.9.1\n");
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::cargo_bin("bump")
        .expect("binary")
        .args(["version", "--nope"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let repo = TestRepo::new();
    repo.write("release-please-config.json", "{\"packages\": ");
    repo.commit("fix: one");
    let out = bump_version(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: release-please-config.json:1: not valid JSON"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

/// Runs `bump ARGS --repo REPO` as a workflow step does, and returns what it wrote to
/// `$GITHUB_OUTPUT`.
fn step_outputs(repo: &TestRepo, args: &[&str]) -> std::collections::BTreeMap<String, String> {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let out = Command::cargo_bin("bump")
        .expect("binary")
        .args(args)
        .arg("--repo")
        .arg(repo.path())
        .env("GITHUB_OUTPUT", file.path())
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    testkit::parse_outputs(&std::fs::read_to_string(file.path()).expect("outputs"))
}

#[test]
fn step_outputs_use_release_please_names() {
    let repo = TestRepo::new();
    repo.commit("feat: one");
    repo.tag("v1.4.2");
    repo.commit("feat: two");
    let outputs = step_outputs(&repo, &["version"]);
    assert_eq!(outputs["release_needed"], "true");
    assert_eq!(outputs["version"], "1.5.0");
    assert_eq!(
        (&*outputs["major"], &*outputs["minor"], &*outputs["patch"]),
        ("1", "5", "0")
    );
    assert_eq!(outputs["tag_name"], "v1.5.0");
    assert_eq!(outputs["previous_version"], "1.4.2");
    assert_eq!(outputs["previous_tag"], "v1.4.2");
    assert_eq!(outputs["bump"], "minor");
    let packages: serde_json::Value = serde_json::from_str(&outputs["packages"]).expect("json");
    assert_eq!(packages[0]["version"], "1.5.0");
}

#[test]
fn step_outputs_say_when_nothing_is_due() {
    let repo = TestRepo::new();
    repo.commit("feat: one");
    repo.tag("v1.0.0");
    repo.commit("chore: tidy");
    let outputs = step_outputs(&repo, &["version"]);
    assert_eq!(outputs["release_needed"], "false");
    assert_eq!(outputs["version"], "");
    assert_eq!(outputs["bump"], "none");
    assert_eq!(outputs["packages"], "[]");
}

#[test]
fn apply_outputs_name_the_files_written() {
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "release-type = \"rust\"\n");
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.commit("feat: one");
    repo.tag("v0.1.0");
    repo.commit("fix: two");
    let outputs = step_outputs(&repo, &["apply"]);
    assert_eq!(outputs["version"], "0.1.1");
    assert_eq!(outputs["tag_name"], "v0.1.1");
    let files: Vec<&str> = outputs["files"].lines().collect();
    assert!(
        files.contains(&"Cargo.toml") && files.contains(&"CHANGELOG.md"),
        "{files:?}"
    );
    assert!(repo.read("Cargo.toml").contains("version = \"0.1.1\""));
}
