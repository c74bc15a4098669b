//! Versions that cannot be right are never proposed silently.

use super::{bump_apply, bump_json, bump_json_with, bump_version, ok};
use testkit::TestRepo;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Releases made on release branches; `main` reaches only 0.0.1.
fn released_from_branches() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v0.0.1");
    repo.checkout(&["-b", "release/0.1"]);
    repo.commit("feat: on the release line");
    repo.tag("v0.1.0");
    repo.commit("fix: on the release line");
    repo.tag("v0.1.1");
    repo.checkout(&["main"]);
    repo.commit("feat: on main");
    repo
}

#[test]
fn an_existing_tag_is_never_proposed() {
    let repo = released_from_branches();
    let out = bump_version(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("would be released as 0.1.0, but tag `v0.1.0` exists already")
            && err.contains("newest release is `v0.1.1`")
            && err.contains("bump apply --release-as 0.2.0"),
        "{err}"
    );
    let error_lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(error_lines.len(), 1, "{err}");
    // bump apply refuses before writing anything.
    let out = bump_apply(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // The suggested version goes through, checked first with `bump version`.
    assert_eq!(
        ok(&bump_version(&repo, &["--release-as", "0.2.0"])),
        "0.2.0\n"
    );
    let out = ok(&bump_apply(&repo, &["--release-as", "0.2.0"]));
    assert!(out.contains("→ 0.2.0 (v0.2.0)"), "{out}");
}

#[test]
fn releasing_the_previous_version_again_is_refused() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    repo.commit("fix: second");
    let out = bump_apply(&repo, &["--release-as", "1.0.0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("tag `v1.0.0` exists already"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    // A branch that cannot reach v1.0.0 would propose 1.0.0 again.
    repo.checkout(&["--orphan", "fresh"]);
    repo.commit("feat: a new start");
    let out = bump_version(&repo, &["--allow-full-history"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("tag `v1.0.0` exists already"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn newer_releases_on_other_branches_are_said() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    repo.commit("feat!: second");
    repo.tag("v2.0.0");
    repo.checkout(&["-b", "release/1.x", "v1.0.0"]);
    repo.commit("fix: maintenance");
    let json = bump_json(&repo);
    assert_eq!(json["next"], "1.0.1");
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("counted from `v1.0.0`")
            && warnings.contains("`v2.0.0` (not reachable from HEAD"),
        "{warnings}"
    );
}

#[test]
fn skipped_pre_releases_above_the_next_version_are_said() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    for n in 1..=3 {
        repo.commit(&format!("feat: nightly {n}"));
        repo.tag(&format!("v2.0.0-next.{n}"));
    }
    repo.commit("fix: today");
    let json = bump_json(&repo);
    assert_eq!(json["next"], "1.1.0");
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("3 pre-releases up to `v2.0.0-next.3`")
            && warnings.contains("versioning"),
        "{warnings}"
    );
    // Under a strategy that counts them, they are the baseline and nothing is said.
    repo.write("tidegate.toml", "versioning = \"prerelease\"\n");
    let json = bump_json(&repo);
    assert_eq!(json["previous_tag"], "v2.0.0-next.3");
    assert_eq!(json["warnings"], serde_json::json!([]));
}

#[test]
fn no_tags_is_refused_unless_a_full_history_release_is_wanted() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.commit("feat!: second");
    let out = bump_version(&repo, &["--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("the repository has no tags, so all 2 commits")
            && err.contains("fetch-depth: 0")
            && err.contains("--allow-full-history"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no half answer on stdout");
    let json = bump_json_with(&repo, &["--allow-full-history"]);
    assert_eq!(json["next"], "1.0.0");
    assert!(json["warnings"].to_string().contains("no tags"), "{json}");

    // Tags that are not in the package's format are named as the likely cause.
    repo.tag("release-0.9");
    let out = bump_version(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("none of the repository's 1 tags"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_new_package_beside_released_ones_is_a_first_release() {
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "[packages.\"a\"]\n[packages.\"b\"]\n");
    repo.commit_file("a/x", "1", "feat: a");
    repo.tag("a-v1.0.0");
    repo.commit_file("b/x", "1", "feat: b, new");
    let json = bump_json_with(&repo, &["--package", "b"]);
    assert_eq!(json["next"], "1.0.0");
    assert_eq!(json["bump"], "initial");
}

#[test]
fn a_revert_button_commit_makes_a_patch_release() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    let fix = repo.commit("fix: cache");
    repo.tag("v1.0.1");
    repo.commit(&format!(
        "Revert \"fix: cache\"\n\nThis reverts commit {fix}."
    ));
    let json = bump_json(&repo);
    assert_eq!(json["next"], "1.0.2");
    assert_eq!(json["types"]["revert"], 1);
}

#[test]
fn a_monorepo_without_tags_is_one_concern_not_one_per_package() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"a\"]\n[packages.\"b\"]\n[packages.\"c\"]\n",
    );
    for name in ["a", "b", "c"] {
        repo.commit_file(&format!("{name}/x"), "1", &format!("feat: {name}"));
    }
    let out = bump_version(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the first release of 3 packages (`a`, …)"),
        "{}",
        stderr(&out)
    );
    let out = bump_apply(&repo, &["--allow-full-history"]);
    let err = stderr(&out);
    ok(&out);
    assert_eq!(
        err.matches("the repository has no tags").count(),
        1,
        "{err}"
    );
}

#[test]
fn a_second_apply_and_its_dry_run_say_the_files_hold_the_release() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    repo.commit("fix: second");
    ok(&bump_apply(&repo, &[]));
    let again = bump_apply(&repo, &[]);
    assert!(
        ok(&again).contains("every file already holds this release, so none was written"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let dry = bump_apply(&repo, &["--dry-run"]);
    assert!(ok(&dry).is_empty());
    assert!(
        stderr(&dry).contains("every file already holds this release"),
        "{}",
        stderr(&dry)
    );
}

#[test]
fn a_release_as_below_the_previous_release_is_warned_about() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v2.0.2");
    repo.commit("fix: second");
    let out = bump_apply(&repo, &["--release-as", "1.5.0", "--dry-run"]);
    ok(&out);
    assert!(
        stderr(&out).contains("lower than its previous release 2.0.2"),
        "{}",
        stderr(&out)
    );
}
