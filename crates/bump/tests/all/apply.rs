//! `bump apply`: the release written into a real working tree.

use assert_cmd::Command;
use testkit::TestRepo;

use crate::{bump_apply, ok};

fn plan(repo: &TestRepo, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--json", "--dry-run"];
    args.extend(extra);
    serde_json::from_str(&ok(&bump_apply(repo, &args))).expect("json")
}

/// The working tree's changes, as `git status --porcelain` lists them.
fn changed(repo: &TestRepo) -> Vec<String> {
    let mut files: Vec<String> = repo
        .git(&["ls-files", "--modified", "--others", "--exclude-standard"])
        .lines()
        .map(String::from)
        .collect();
    files.sort();
    files
}

fn package<'a>(plan: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    plan["packages"]
        .as_array()
        .and_then(|list| list.iter().find(|p| p["path"] == path))
        .expect("the plan lists every configured package")
}

#[test]
fn a_rust_workspace_moves_every_version_and_nothing_else() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"crates/core\"]\nrelease-type = \"rust\"\n\n[packages.\"crates/cli\"]\nrelease-type = \"rust\"\n\n[packages.\"crates/extra\"]\nrelease-type = \"rust\"\n",
    );
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\ncore = { path = \"crates/core\", version = \"1.0.0\" }  # keep this comment\nserde = \"1.0.0\"\n",
    );
    let core = "[package]\nname = \"core\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = \"1.0.0\" # the same number, another crate\n";
    repo.write("crates/core/Cargo.toml", core);
    repo.write(
        "crates/cli/Cargo.toml",
        "[package]\nname = \"cli\"\nversion = \"0.3.0\"\n\n[dependencies]\ncore = { workspace = true }\n\n[target.'cfg(windows)'.dependencies]\ncore = { path = \"../core\", version = \"=1.0.0\" }\n",
    );
    repo.write(
        "crates/extra/Cargo.toml",
        "[package]\nname = \"extra\"\nversion = \"2.0.0\"\n",
    );
    let lock = "version = 4\n\n[[package]]\nname = \"cli\"\nversion = \"0.3.0\"\ndependencies = [\n \"core\",\n]\n\n[[package]]\nname = \"core\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"extra\"\nversion = \"2.0.0\"\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
    repo.write("Cargo.lock", lock);
    repo.commit_all("chore: initial");
    repo.tag("core-v1.0.0")
        .tag("cli-v0.3.0")
        .tag("extra-v2.0.0");
    repo.commit_file(
        "crates/core/src/lib.rs",
        "pub fn widget() {}\n",
        "feat: add widgets",
    );
    repo.commit_file("docs/guide.md", "words\n", "docs: a guide (no package)");

    let plan = plan(&repo, &[]);
    let core_plan = package(&plan, "crates/core");
    assert_eq!(core_plan["next"], "1.1.0");
    assert_eq!(core_plan["tag"], "core-v1.1.0");
    let cli = package(&plan, "crates/cli");
    assert_eq!(cli["next"], "0.3.1", "a dependent gets a patch release");
    assert_eq!(cli["reasons"][0]["kind"], "dependencies");
    assert_eq!(cli["dependency_updates"][0]["name"], "core");
    assert_eq!(
        package(&plan, "crates/extra")["next"],
        serde_json::Value::Null
    );

    ok(&bump_apply(&repo, &[]));
    assert_eq!(
        repo.read("crates/core/Cargo.toml"),
        core.replacen("version = \"1.0.0\"", "version = \"1.1.0\"", 1),
        "only the crate's own version moved; serde 1.0.0 stayed"
    );
    assert_eq!(
        repo.read("crates/cli/Cargo.toml"),
        "[package]\nname = \"cli\"\nversion = \"0.3.1\"\n\n[dependencies]\ncore = { workspace = true }\n\n[target.'cfg(windows)'.dependencies]\ncore = { path = \"../core\", version = \"=1.1.0\" }\n"
    );
    assert!(
        repo.read("Cargo.toml").contains(
            "core = { path = \"crates/core\", version = \"1.1.0\" }  # keep this comment\nserde = \"1.0.0\"\n"
        ),
        "{}",
        repo.read("Cargo.toml")
    );
    assert_eq!(
        repo.read("Cargo.lock"),
        lock.replace("version = \"0.3.0\"", "version = \"0.3.1\"")
            .replacen(
                "name = \"core\"\nversion = \"1.0.0\"",
                "name = \"core\"\nversion = \"1.1.0\"",
                1
            )
    );
    let cli_changelog = repo.read("crates/cli/CHANGELOG.md");
    assert!(
        cli_changelog.starts_with("# Changelog\n\n## 0.3.1 (2026-11-21)\n")
            && cli_changelog.contains(
                "### Dependencies\n\n* The following workspace dependencies were updated\n  * core bumped from 1.0.0 to 1.1.0\n"
            ),
        "{cli_changelog}"
    );
    let core_changelog = repo.read("crates/core/CHANGELOG.md");
    assert!(
        core_changelog.contains("* add widgets ("),
        "{core_changelog}"
    );
    assert!(!core_changelog.contains("guide"), "{core_changelog}");
    let mut files = changed(&repo);
    files.sort();
    assert_eq!(
        files,
        [
            "Cargo.lock",
            "Cargo.toml",
            "crates/cli/CHANGELOG.md",
            "crates/cli/Cargo.toml",
            "crates/core/CHANGELOG.md",
            "crates/core/Cargo.toml"
        ]
    );
    // Nothing is committed or tagged.
    assert_eq!(repo.git(&["tag", "--points-at", "HEAD"]).trim(), "");
}

#[test]
fn a_shared_workspace_version_moves_its_crates_together() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"a\"]\nrelease-type = \"rust\"\n\n[packages.\"b\"]\nrelease-type = \"rust\"\n",
    );
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"a\", \"b\"]\n\n[workspace.package]\nversion = \"0.2.0\" # shared\n",
    );
    repo.write(
        "a/Cargo.toml",
        "[package]\nname = \"a\"\nversion.workspace = true\n",
    );
    repo.write(
        "b/Cargo.toml",
        "[package]\nname = \"b\"\nversion.workspace = true\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("a-v0.2.0").tag("b-v0.2.0");
    repo.commit_file("b/src/lib.rs", "//\n", "fix: b only");
    let plan = plan(&repo, &[]);
    assert_eq!(package(&plan, "b")["next"], "0.2.1");
    assert_eq!(
        package(&plan, "a")["next"],
        "0.2.1",
        "linked by the shared version"
    );
    ok(&bump_apply(&repo, &[]));
    assert!(
        repo.read("Cargo.toml")
            .contains("version = \"0.2.1\" # shared\n")
    );
    assert_eq!(
        repo.read("a/Cargo.toml"),
        "[package]\nname = \"a\"\nversion.workspace = true\n"
    );
}

#[test]
fn node_python_helm_simple_and_configured_files_are_all_updated() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        r#"
[packages."web"]
release-type = "node"

[packages."py"]
release-type = "python"
version-file = "src/tool/__init__.py"

[packages."chart"]
release-type = "helm"
extra-files = [
    "/README.md",
    { type = "yaml", path = "/config/environment.yaml", jsonpath = "$.package_version" },
    { type = "json", path = "meta.json", jsonpath = "$.app.release" },
    { type = "toml", path = "settings.toml", jsonpath = "$.app.version" },
]

[packages."svc"]
release-type = "simple"
"#,
    );
    let package_json = "{\n  \"name\": \"@acme/web\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\n    \"left-pad\": \"1.0.0\"\n  }\n}\n";
    repo.write("web/package.json", package_json);
    repo.write(
        "web/package-lock.json",
        "{\n  \"name\": \"@acme/web\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n      \"name\": \"@acme/web\",\n      \"version\": \"1.0.0\"\n    },\n    \"node_modules/left-pad\": {\n      \"version\": \"1.0.0\"\n    }\n  }\n}\n",
    );
    repo.write(
        "py/pyproject.toml",
        "[project]\nname = \"tool\"\nversion = \"0.1.0\"\n",
    );
    repo.write("py/setup.cfg", "[metadata]\nname = tool\nversion = 0.1.0\n");
    repo.write("py/src/tool/__init__.py", "__version__ = \"0.1.0\"\n");
    repo.write(
        "chart/Chart.yaml",
        "apiVersion: v2\nname: web-chart\nversion: 3.0.0\nappVersion: \"3.0.0\"\n",
    );
    repo.write("chart/meta.json", "{\"app\": {\"release\": \"3.0.0\"}}\n");
    repo.write("chart/settings.toml", "[app]\nversion = '3.0.0'\n");
    repo.write(
        "config/environment.yaml",
        "version: 9.9.9\npackage_version: \"3.0.0\" # set by the release\n",
    );
    repo.write(
        "README.md",
        "Install: `helm install web --version 3.0.0` <!-- x-release-please-version -->\n",
    );
    repo.write("svc/VERSION", "4.0.0\n");
    repo.commit_all("chore: initial");
    repo.tag("web-v1.0.0")
        .tag("tool-v0.1.0")
        .tag("web-chart-v3.0.0")
        .tag("svc-v4.0.0");
    for dir in ["web", "py", "chart", "svc"] {
        repo.commit_file(&format!("{dir}/src/x"), dir, &format!("feat({dir}): new"));
    }
    let plan = plan(&repo, &[]);
    assert_eq!(
        package(&plan, "chart")["tag"],
        "web-chart-v3.1.0",
        "named after Chart.yaml"
    );
    assert_eq!(
        package(&plan, "web")["tag"],
        "web-v1.1.0",
        "named after package.json"
    );
    assert_eq!(
        package(&plan, "svc")["tag"],
        "svc-v4.1.0",
        "named after its folder"
    );
    ok(&bump_apply(
        &repo,
        &[
            "--package",
            "web,py",
            "--package",
            "chart",
            "--package",
            "svc",
        ],
    ));
    assert_eq!(
        repo.read("web/package.json"),
        package_json.replacen("\"version\": \"1.0.0\"", "\"version\": \"1.1.0\"", 1)
    );
    let lock = repo.read("web/package-lock.json");
    assert_eq!(lock.matches("1.1.0").count(), 2, "{lock}");
    assert!(lock.contains("\"node_modules/left-pad\": {\n      \"version\": \"1.0.0\""));
    assert_eq!(
        repo.read("py/pyproject.toml"),
        "[project]\nname = \"tool\"\nversion = \"0.2.0\"\n"
    );
    assert_eq!(
        repo.read("py/setup.cfg"),
        "[metadata]\nname = tool\nversion = 0.2.0\n"
    );
    assert_eq!(
        repo.read("py/src/tool/__init__.py"),
        "__version__ = \"0.2.0\"\n"
    );
    assert_eq!(
        repo.read("chart/Chart.yaml"),
        "apiVersion: v2\nname: web-chart\nversion: 3.1.0\nappVersion: \"3.1.0\"\n"
    );
    assert_eq!(
        repo.read("chart/meta.json"),
        "{\"app\": {\"release\": \"3.1.0\"}}\n"
    );
    assert_eq!(
        repo.read("chart/settings.toml"),
        "[app]\nversion = '3.1.0'\n"
    );
    assert_eq!(
        repo.read("config/environment.yaml"),
        "version: 9.9.9\npackage_version: \"3.1.0\" # set by the release\n"
    );
    assert_eq!(
        repo.read("README.md"),
        "Install: `helm install web --version 3.1.0` <!-- x-release-please-version -->\n"
    );
    assert_eq!(repo.read("svc/VERSION"), "4.1.0\n");
    assert!(
        repo.read("svc/CHANGELOG.md")
            .starts_with("# Changelog\n\n## 4.1.0 (2026-11-21)\n")
    );
}

#[test]
fn commits_belong_to_the_package_with_the_longest_path_prefix() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\".\"]\n[packages.\"libs\"]\n[packages.\"libs/inner\"]\n[packages.\"app\"]\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("v1.0.0")
        .tag("libs-v1.0.0")
        .tag("inner-v1.0.0")
        .tag("app-v1.0.0");
    repo.commit_file("libs/inner/a.txt", "1", "feat: only the inner package");
    repo.commit_file("libs/b.txt", "1", "fix: only libs");
    repo.write("app/c.txt", "1");
    repo.write("libs/inner/c.txt", "1");
    repo.commit_all("feat!: app and inner at once");
    repo.commit_file("tools/script.sh", "1", "fix: outside every package");
    repo.commit("chore: empty-ish root change");
    repo.commit_file(
        "apps/x.txt",
        "1",
        "fix: a sibling folder whose name starts like app",
    );

    let plan = plan(&repo, &[]);
    let changes = |path: &str| package(&plan, path)["changes"].as_u64();
    assert_eq!(changes("libs/inner"), Some(2));
    assert_eq!(changes("libs"), Some(1));
    assert_eq!(changes("app"), Some(1));
    assert_eq!(changes("."), Some(3));
    assert_eq!(package(&plan, "libs/inner")["next"], "2.0.0");
    assert_eq!(package(&plan, "libs")["next"], "1.0.1");
    assert_eq!(package(&plan, "app")["next"], "2.0.0");
    assert_eq!(package(&plan, ".")["next"], "1.0.1");
    // Each package counts its own commits since its own tag.
    repo.tag("inner-v2.0.0");
    repo.commit_file("libs/inner/d.txt", "1", "fix: after the inner release");
    let plan = self::plan(&repo, &[]);
    assert_eq!(package(&plan, "libs/inner")["changes"], 1);
    assert_eq!(package(&plan, "libs/inner")["next"], "2.0.1");
    assert_eq!(package(&plan, "app")["changes"], 1);
}

#[test]
fn linked_versions_move_to_the_highest_bump() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[[linked-versions]]\ngroup = \"sdk\"\ncomponents = [\"js\", \"py\"]\n\n[packages.\"js\"]\n[packages.\"py\"]\n[packages.\"other\"]\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("js-v1.2.0").tag("py-v1.2.0").tag("other-v1.2.0");
    repo.commit_file("js/a", "1", "feat: js feature");
    repo.commit_file("other/a", "1", "fix: unrelated");
    let plan = plan(&repo, &[]);
    assert_eq!(package(&plan, "js")["next"], "1.3.0");
    assert_eq!(package(&plan, "py")["next"], "1.3.0");
    assert_eq!(package(&plan, "py")["reasons"][0]["group"], "sdk");
    assert_eq!(package(&plan, "other")["next"], "1.2.1");
}

#[test]
fn release_please_projects_keep_their_tags_and_manifest() {
    let repo = TestRepo::new();
    repo.write(
        "release-please-config.json",
        r#"{"packages": {"packages/ui": {"release-type": "node"}, "crates/core": {"release-type": "rust", "include-component-in-tag": false}}}"#,
    );
    let manifest = "{\n  \"packages/ui\": \"2.0.0\",\n  \"crates/core\": \"0.5.0\"\n}\n";
    repo.write(".release-please-manifest.json", manifest);
    repo.write(
        "packages/ui/package.json",
        "{\"name\": \"@acme/ui\", \"version\": \"2.0.0\"}\n",
    );
    repo.write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"core\"\nversion = \"0.5.0\"\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("ui-v2.0.0").tag("v0.5.0");
    repo.commit_file("packages/ui/x.js", "1", "fix(ui): a fix");
    let plan = plan(&repo, &[]);
    let ui = package(&plan, "packages/ui");
    assert_eq!(
        ui["previous_tag"], "ui-v2.0.0",
        "component from package.json without @scope/"
    );
    assert_eq!(ui["tag"], "ui-v2.0.1");
    assert_eq!(
        package(&plan, "crates/core")["next"],
        serde_json::Value::Null
    );
    ok(&bump_apply(&repo, &[]));
    assert_eq!(
        repo.read(".release-please-manifest.json"),
        manifest.replace("\"2.0.0\"", "\"2.0.1\"")
    );
}

#[test]
fn a_missing_or_malformed_file_writes_nothing_at_all() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"a\"]\nrelease-type = \"node\"\n\n[packages.\"b\"]\nrelease-type = \"helm\"\nextra-files = [{ type = \"yaml\", path = \"values.yaml\", jsonpath = \"$.image.tag\" }]\n",
    );
    repo.write(
        "a/package.json",
        "{\"name\": \"a\", \"version\": \"1.0.0\"}\n",
    );
    repo.write("b/Chart.yaml", "name: b\nversion: 1.0.0\n");
    repo.write("b/values.yaml", "image:\n  repository: b\n");
    repo.commit_all("chore: initial");
    repo.tag("a-v1.0.0").tag("b-v1.0.0");
    repo.commit_file("a/x", "1", "feat: a");
    repo.commit_file("b/x", "1", "feat: b");

    let out = bump_apply(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "error: b/values.yaml: has no version where one was expected: a value at $.image.tag"
    );
    assert!(
        changed(&repo).is_empty(),
        "nothing written: {:?}",
        changed(&repo)
    );

    repo.write("b/values.yaml", "image:\n  tag: [1.0.0\n");
    let out = bump_apply(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: b/values.yaml: is not valid YAML: line "),
        "{err}"
    );
    assert_eq!(
        changed(&repo),
        ["b/values.yaml"],
        "only the test's own edit"
    );

    std::fs::remove_file(repo.path().join("b/values.yaml")).expect("removed");
    let out = bump_apply(&repo, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("b/values.yaml: not found"), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn paths_that_leave_the_repository_are_refused() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"a\"]\nextra-files = [\"../../etc/passwd\"]\n",
    );
    repo.commit_file("a/x", "1", "feat: a");
    let out = bump_apply(&repo, &["--allow-full-history"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("leaves the repository"), "{err}");
    assert!(changed(&repo).is_empty());
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "release-type = \"node\"\n");
    repo.write("package.json", "{\n  \"version\": \"1.0.0\"\n}\n");
    repo.commit_all("chore: initial");
    repo.tag("v1.0.0");
    repo.commit("feat: something");
    let diff = ok(&bump_apply(&repo, &["--dry-run"]));
    assert!(
        diff.contains("--- /dev/null\n+++ b/CHANGELOG.md\n"),
        "a new changelog: {diff}"
    );
    assert!(
        diff.contains("--- a/package.json\n+++ b/package.json\n@@ -1,3 +1,3 @@\n {\n-  \"version\": \"1.0.0\"\n+  \"version\": \"1.1.0\"\n }\n"),
        "{diff}"
    );
    assert!(changed(&repo).is_empty());

    // A second apply after the first converges: same files, no duplicate section.
    ok(&bump_apply(&repo, &[]));
    let first = repo.read("CHANGELOG.md");
    ok(&bump_apply(&repo, &[]));
    assert_eq!(repo.read("CHANGELOG.md"), first);
    assert_eq!(first.matches("## 1.1.0").count(), 1);
}

#[test]
fn nothing_to_release_writes_nothing() {
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "release-type = \"node\"\n");
    repo.write("package.json", "{\"version\": \"1.0.0\"}\n");
    repo.commit_all("chore: initial");
    repo.tag("v1.0.0");
    repo.commit("docs: only docs");
    let out = bump_apply(&repo, &[]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to release"));
    assert!(changed(&repo).is_empty());
}

#[test]
fn release_as_and_unknown_packages() {
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "[packages.\"a\"]\n[packages.\"b\"]\n");
    repo.commit_all("chore: initial");
    let plan = plan(&repo, &["--package", "a", "--release-as", "3.0.0"]);
    assert_eq!(package(&plan, "a")["next"], "3.0.0");
    assert_eq!(package(&plan, "b")["next"], serde_json::Value::Null);
    let out = bump_apply(&repo, &["--package", "c"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no package at `c`"));
    let out = bump_apply(&repo, &["--release-as", "three"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn packages_whose_tags_would_collide_are_refused() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"a/web\"]\n[packages.\"b/web\"]\n",
    );
    repo.commit_all("feat: two packages named web");
    let out = bump_apply(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: tidegate.toml: packages `a/web` and `b/web` would both be tagged like `web-v1.2.3`; give one of them its own `component`"
    );
}

#[test]
fn bump_version_lists_every_package_of_a_monorepo() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"a\"]\n[packages.\"b\"]\n[packages.\"c\"]\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("a-v1.0.0").tag("b-v1.0.0").tag("c-v1.0.0");
    repo.commit_file("a/x", "1", "feat: a");
    repo.commit_file("c/x", "1", "fix: c");
    let version = |extra: &[&str]| {
        Command::cargo_bin("bump")
            .expect("binary")
            .arg("version")
            .args(extra)
            .arg("--repo")
            .arg(repo.path())
            .output()
            .expect("runs")
    };
    assert_eq!(ok(&version(&[])), "a 1.1.0\nc 1.0.1\n");
    assert_eq!(ok(&version(&["--package", "c"])), "1.0.1\n");
    let json: serde_json::Value = serde_json::from_str(&ok(&version(&["--json"]))).expect("json");
    let next: Vec<String> = json["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| p["next"].to_string())
        .collect();
    assert_eq!(next, ["\"1.1.0\"", "null", "\"1.0.1\""]);
    let json: serde_json::Value =
        serde_json::from_str(&ok(&version(&["--json", "--package", "a"]))).expect("json");
    assert_eq!(json["next"], "1.1.0");
    assert_eq!(json["packages"].as_array().map(Vec::len), Some(3));
}

#[test]
fn commits_split_between_packages_as_release_please_splits_them() {
    let repo = TestRepo::new();
    repo.write(
        "release-please-config.json",
        r#"{"release-type": "simple", "packages": {".": {"component": "root"}, "a": {"component": "a"}, "b": {"component": "b"}}}"#,
    );
    repo.commit_all("chore: initial");
    repo.tag("root-v1.0.0").tag("a-v1.0.0").tag("b-v1.0.0");
    // The root package of a release-please manifest takes every commit, not only unclaimed ones.
    repo.commit_file("a/x", "1", "feat: only in a");
    let next = || -> Vec<String> {
        crate::bump_json(&repo)["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .map(|p| format!("{} {}", p["path"].as_str().unwrap_or("?"), p["next"]))
            .collect()
    };
    assert_eq!(next(), [". \"1.1.0\"", "a \"1.1.0\"", "b null"]);
    // An empty commit (release-please's documented way to force a release) belongs to every
    // package.
    repo.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "fix: everything\n\nRelease-As: 3.0.0",
    ]);
    assert_eq!(next(), [". \"3.0.0\"", "a \"3.0.0\"", "b \"3.0.0\""]);
}

#[test]
fn bootstrap_sha_starts_a_first_release_after_that_commit() {
    let repo = TestRepo::new();
    repo.commit("feat!: an old rewrite, released by another tool");
    let start = repo.commit("chore: adopt release-please");
    repo.write(
        "release-please-config.json",
        &format!(
            r#"{{"release-type": "simple", "bootstrap-sha": "{start}", "packages": {{".": {{}}}}}}"#
        ),
    );
    repo.write(".release-please-manifest.json", r#"{".": "1.0.0"}"#);
    repo.commit_all("fix: first change after the bootstrap");
    let json = crate::bump_json(&repo);
    assert_eq!(json["next"], "1.0.1", "{json}");
    assert_eq!(json["commits"], 1);
    assert_eq!(json["warnings"], serde_json::json!([]));
}

#[cfg(unix)]
#[test]
fn symbolic_links_never_lead_writes_astray() {
    let outside = tempfile::tempdir().expect("temp dir");
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "changelog-path = \"docs/CHANGELOG.md\"\n");
    std::os::unix::fs::symlink(outside.path(), repo.path().join("docs")).expect("link");
    repo.commit("feat: one");
    let out = bump_apply(&repo, &["--allow-full-history"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("`docs/CHANGELOG.md` leads outside the repository"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(outside.path()).expect("dir").count(), 0);

    let repo = TestRepo::new();
    repo.write("tidegate.toml", "version-file = \"version.txt\"\n");
    repo.write("sub/VERSION", "1.0.0\n");
    std::os::unix::fs::symlink("sub/VERSION", repo.path().join("version.txt")).expect("link");
    repo.commit_all("feat: one");
    let out = bump_apply(&repo, &["--allow-full-history"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a symbolic link"));
    assert!(changed(&repo).is_empty());
}

#[cfg(unix)]
#[test]
fn new_files_are_readable_by_everyone_like_files_git_checks_out() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::new();
    repo.commit("feat: one");
    ok(&bump_apply(&repo, &["--allow-full-history"]));
    let mode = std::fs::metadata(repo.path().join("CHANGELOG.md"))
        .expect("created")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[test]
fn a_root_crate_and_the_shared_workspace_version_move_separately() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\".\"]\nrelease-type = \"rust\"\n[packages.\"a\"]\nrelease-type = \"rust\"\n[packages.\"b\"]\nrelease-type = \"rust\"\n",
    );
    let root = "[package]\nname = \"root\"\nversion = \"0.5.0\"\n\n[workspace]\nmembers = [\"a\", \"b\"]\n\n[workspace.package]\nversion = \"2.0.0\"\n";
    repo.write("Cargo.toml", root);
    repo.write(
        "a/Cargo.toml",
        "[package]\nname = \"a\"\nversion = \"1.0.0\"\n",
    );
    repo.write(
        "b/Cargo.toml",
        "[package]\nname = \"b\"\nversion.workspace = true\n",
    );
    let lock = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n\n[[package]]\nname = \"root\"\nversion = \"0.5.0\"\n";
    repo.write("Cargo.lock", lock);
    repo.commit_all("chore: initial");
    repo.tag("v0.5.0").tag("a-v1.0.0").tag("b-v2.0.0");
    repo.commit_file("a/src.rs", "1", "feat: a");
    ok(&bump_apply(&repo, &[]));
    assert_eq!(
        repo.read("Cargo.toml"),
        root,
        "neither the root crate nor the shared version"
    );
    assert_eq!(repo.read("Cargo.lock"), lock.replacen("1.0.0", "1.1.0", 1));

    repo.git(&["checkout", "--", "."]);
    repo.git(&["clean", "-qfd"]);
    repo.tag("a-v1.1.0");
    repo.commit_file("b/src.rs", "1", "fix: b");
    ok(&bump_apply(&repo, &[]));
    assert_eq!(repo.read("Cargo.toml"), root.replace("2.0.0", "2.0.1"));
    assert_eq!(repo.read("Cargo.lock"), lock.replace("2.0.0", "2.0.1"));
}

#[test]
fn a_renamed_workspace_dependency_still_cascades() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"core\"]\nrelease-type = \"rust\"\n[packages.\"app\"]\nrelease-type = \"rust\"\n",
    );
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"core\", \"app\"]\n\n[workspace.dependencies]\ncore-x = { path = \"core\", package = \"tg-core\", version = \"1.0.0\" }\n",
    );
    repo.write(
        "core/Cargo.toml",
        "[package]\nname = \"tg-core\"\nversion = \"1.0.0\"\n",
    );
    repo.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"3.0.0\"\n\n[dev-dependencies]\ncore-x = { workspace = true }\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("tg-core-v1.0.0").tag("app-v3.0.0");
    repo.commit_file("core/lib.rs", "1", "feat: core");
    let plan = plan(&repo, &[]);
    assert_eq!(package(&plan, "app")["next"], "3.0.1");
    ok(&bump_apply(&repo, &[]));
    assert!(repo.read("Cargo.toml").contains("version = \"1.1.0\" }"));
}

#[test]
fn a_linked_group_never_moves_a_member_backwards() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[[linked-versions]]\ngroup = \"sdk\"\ncomponents = [\"a\", \"b\"]\n[packages.\"a\"]\n[packages.\"b\"]\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("a-v1.4.0").tag("b-v2.0.0");
    repo.commit_file("a/x", "1", "feat: a");
    let out = bump_apply(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("`b` is already at 2.0.0, not below the group's next version 1.5.0"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_packages_setting_one_place_differently_is_an_error() {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"a\"]\nextra-files = [\"/README.md\"]\n[packages.\"b\"]\nextra-files = [\"/README.md\"]\n",
    );
    repo.write(
        "README.md",
        "version 1.0.0 <!-- x-release-please-version -->\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("a-v1.0.0").tag("b-v5.0.0");
    repo.commit_file("a/x", "1", "feat: a");
    repo.commit_file("b/x", "1", "feat: b");
    let out = bump_apply(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: README.md: line 1: packages `a` and `b` both set this version (1.1.0 and 5.1.0); list the file under one package, or link their versions"
    );
    assert!(changed(&repo).is_empty());
}

#[test]
fn a_second_apply_before_committing_converges_even_without_tags() {
    let repo = TestRepo::new();
    // `simple`: release-please's default type (node) would need a package.json.
    repo.write(
        "release-please-config.json",
        "{\"packages\": {\".\": {\"release-type\": \"simple\"}}}",
    );
    repo.write(".release-please-manifest.json", "{\".\": \"1.0.0\"}\n");
    repo.commit_all("chore: initial");
    repo.commit("feat: one");
    ok(&bump_apply(&repo, &["--allow-full-history"]));
    let first = (
        repo.read(".release-please-manifest.json"),
        repo.read("CHANGELOG.md"),
    );
    assert_eq!(first.0, "{\".\": \"1.1.0\"}\n");
    ok(&bump_apply(&repo, &["--allow-full-history"]));
    assert_eq!(
        (
            repo.read(".release-please-manifest.json"),
            repo.read("CHANGELOG.md")
        ),
        first
    );
}
