//! Workspaces released as release-please releases them: a root `rust` package whose Cargo.toml
//! is the workspace, and npm workspaces under the `node-workspace` plugin.

use testkit::TestRepo;

use crate::{bump_apply, ok};

fn cargo(repo: &TestRepo, target: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(repo.path())
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

#[test]
fn a_root_rust_workspace_moves_every_member_its_requirements_and_its_lock() {
    let repo = TestRepo::new();
    let target = tempfile::tempdir().expect("temp dir");
    repo.write(
        "release-please-config.json",
        r#"{"packages": {".": {"release-type": "rust"}}}"#,
    );
    repo.write(".release-please-manifest.json", "{\".\": \"1.4.2\"}\n");
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"lib\", \"app\", \"cli\"]\nresolver = \"2\"\n\n[workspace.package]\nversion = \"1.4.2\"\nedition = \"2021\"\n",
    );
    repo.write(
        "lib/Cargo.toml",
        "[package]\nname = \"demo-lib\"\nversion = \"1.4.2\"\nedition = \"2021\"\n",
    );
    repo.write("lib/src/lib.rs", "pub fn answer() -> u32 { 42 }\n");
    repo.write(
        "app/Cargo.toml",
        "[package]\nname = \"demo-app\"\nversion = \"1.4.2\"\nedition = \"2021\"\n\n[dependencies]\ndemo-lib = { path = \"../lib\", version = \"1.4.2\" }\n",
    );
    repo.write(
        "app/src/main.rs",
        "fn main() { println!(\"{}\", demo_lib::answer()); }\n",
    );
    repo.write(
        "cli/Cargo.toml",
        "[package]\nname = \"demo-cli\"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\ndemo-lib = { path = \"../lib\", version = \"=1.4.2\" }\n",
    );
    repo.write(
        "cli/src/main.rs",
        "fn main() { println!(\"{}\", demo_lib::answer()); }\n",
    );
    repo.write(".gitignore", "target/\n");
    let locked = cargo(&repo, target.path(), &["generate-lockfile", "--offline"]);
    assert!(
        locked.status.success(),
        "{}",
        String::from_utf8_lossy(&locked.stderr)
    );
    repo.commit_all("chore: initial");
    repo.tag("v1.4.2");
    repo.commit_file(
        "lib/src/lib.rs",
        "pub fn answer() -> u32 { 43 }\n",
        "feat: a better answer",
    );

    ok(&bump_apply(&repo, &[]));
    assert_eq!(
        repo.read("lib/Cargo.toml"),
        "[package]\nname = \"demo-lib\"\nversion = \"1.5.0\"\nedition = \"2021\"\n"
    );
    assert_eq!(
        repo.read("app/Cargo.toml"),
        "[package]\nname = \"demo-app\"\nversion = \"1.5.0\"\nedition = \"2021\"\n\n[dependencies]\ndemo-lib = { path = \"../lib\", version = \"1.5.0\" }\n"
    );
    assert_eq!(
        repo.read("cli/Cargo.toml"),
        "[package]\nname = \"demo-cli\"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\ndemo-lib = { path = \"../lib\", version = \"=1.5.0\" }\n",
        "inheritance kept; the exact requirement stays exact"
    );
    assert!(
        repo.read("Cargo.toml")
            .contains("[workspace.package]\nversion = \"1.5.0\"\n"),
        "{}",
        repo.read("Cargo.toml")
    );
    let lock = repo.read("Cargo.lock");
    for name in ["demo-app", "demo-cli", "demo-lib"] {
        assert!(
            lock.contains(&format!("name = \"{name}\"\nversion = \"1.5.0\"\n")),
            "{lock}"
        );
    }
    assert!(!lock.contains("1.4.2"), "{lock}");
    assert_eq!(
        repo.read(".release-please-manifest.json"),
        "{\".\": \"1.5.0\"}\n"
    );

    // The released workspace builds as committed: nothing for cargo to rewrite.
    let build = cargo(
        &repo,
        target.path(),
        &["build", "--locked", "--offline", "--quiet"],
    );
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
}

/// An npm workspace of five packages (release-please config naming no type: all `node`), with
/// its root lock file; `plugins` is the config's plugin list.
fn npm_workspace(plugins: &str) -> TestRepo {
    let repo = TestRepo::new();
    let packages = [
        ("core", "1.2.3", ""),
        (
            "ui",
            "2.0.0",
            r#", "dependencies": {"@acme/core": "^1.2.3"}, "devDependencies": {"left-pad": "^1.0.0"}"#,
        ),
        (
            "app",
            "3.1.0",
            r#", "dependencies": {"@acme/ui": "~2.0.0"}, "optionalDependencies": {"@acme/core": "1.2.3"}"#,
        ),
        (
            "tool",
            "0.4.0",
            r#", "devDependencies": {"@acme/core": "workspace:*"}"#,
        ),
        (
            "other",
            "5.0.0",
            r#", "peerDependencies": {"@acme/core": "^1.0.0"}"#,
        ),
    ];
    let mut config = Vec::new();
    let mut manifest = Vec::new();
    let mut lock = vec![
        r#"    "": {"name": "monorepo", "workspaces": ["packages/*"]}"#.to_string(),
        r#"    "node_modules/left-pad": {"version": "1.3.0", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz", "integrity": "sha512-x"}"#.to_string(),
    ];
    for (name, version, deps) in packages {
        repo.write(
            &format!("packages/{name}/package.json"),
            &format!("{{\"name\": \"@acme/{name}\", \"version\": \"{version}\"{deps}}}\n"),
        );
        config.push(format!("\"packages/{name}\": {{}}"));
        manifest.push(format!("\"packages/{name}\": \"{version}\""));
        lock.push(format!(
            "    \"node_modules/@acme/{name}\": {{\"resolved\": \"packages/{name}\", \"link\": true}}"
        ));
        lock.push(format!(
            "    \"packages/{name}\": {{\"name\": \"@acme/{name}\", \"version\": \"{version}\"{deps}}}"
        ));
    }
    repo.write(
        "release-please-config.json",
        &format!(
            "{{\"packages\": {{{}}}, \"plugins\": {plugins}}}",
            config.join(", ")
        ),
    );
    repo.write(
        ".release-please-manifest.json",
        &format!("{{{}}}\n", manifest.join(", ")),
    );
    repo.write(
        "package-lock.json",
        &format!(
            "{{\n  \"name\": \"monorepo\",\n  \"lockfileVersion\": 3,\n  \"packages\": {{\n{}\n  }}\n}}\n",
            lock.join(",\n")
        ),
    );
    repo.commit_all("chore: initial");
    for (name, version, _) in packages {
        repo.tag(&format!("{name}-v{version}"));
    }
    repo.commit_file("packages/core/index.js", "1", "feat: core learns a trick");
    repo
}

fn versions(plan: &serde_json::Value) -> Vec<(String, String)> {
    plan["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| !p["next"].is_null())
        .map(|p| {
            (
                p["component"].as_str().unwrap_or_default().to_string(),
                p["next"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect()
}

#[test]
fn node_workspace_releases_dependents_and_updates_their_ranges() {
    let repo = npm_workspace(r#"["node-workspace"]"#);
    let plan: serde_json::Value =
        serde_json::from_str(&ok(&bump_apply(&repo, &["--json", "--dry-run"]))).expect("json");
    // ui depends on core, app on ui (and core), tool on core through `workspace:`; other's peer
    // dependency does not count without `updatePeerDependencies`.
    assert_eq!(
        versions(&plan),
        pairs(&[
            ("app", "3.1.1"),
            ("core", "1.3.0"),
            ("tool", "0.4.1"),
            ("ui", "2.0.1")
        ])
    );

    ok(&bump_apply(&repo, &[]));
    assert_eq!(
        repo.read("packages/ui/package.json"),
        "{\"name\": \"@acme/ui\", \"version\": \"2.0.1\", \"dependencies\": {\"@acme/core\": \"^1.3.0\"}, \"devDependencies\": {\"left-pad\": \"^1.0.0\"}}\n"
    );
    assert_eq!(
        repo.read("packages/app/package.json"),
        "{\"name\": \"@acme/app\", \"version\": \"3.1.1\", \"dependencies\": {\"@acme/ui\": \"~2.0.1\"}, \"optionalDependencies\": {\"@acme/core\": \"1.3.0\"}}\n",
        "`~` kept, an exact version stays exact"
    );
    assert_eq!(
        repo.read("packages/tool/package.json"),
        "{\"name\": \"@acme/tool\", \"version\": \"0.4.1\", \"devDependencies\": {\"@acme/core\": \"workspace:*\"}}\n",
        "a workspace: range is left as written"
    );
    assert_eq!(
        repo.read("packages/other/package.json"),
        "{\"name\": \"@acme/other\", \"version\": \"5.0.0\", \"peerDependencies\": {\"@acme/core\": \"^1.0.0\"}}\n"
    );
    let lock = repo.read("package-lock.json");
    for line in [
        r#""packages/core": {"name": "@acme/core", "version": "1.3.0"}"#,
        r#""packages/ui": {"name": "@acme/ui", "version": "2.0.1", "dependencies": {"@acme/core": "^1.3.0"}, "devDependencies": {"left-pad": "^1.0.0"}}"#,
        r#""packages/app": {"name": "@acme/app", "version": "3.1.1", "dependencies": {"@acme/ui": "~2.0.1"}, "optionalDependencies": {"@acme/core": "1.3.0"}}"#,
        r#""packages/other": {"name": "@acme/other", "version": "5.0.0", "peerDependencies": {"@acme/core": "^1.0.0"}}"#,
        r#""node_modules/left-pad": {"version": "1.3.0","#,
        r#""": {"name": "monorepo", "workspaces": ["packages/*"]}"#,
    ] {
        assert!(lock.contains(line), "{line}\n{lock}");
    }
    let notes = repo.read("packages/app/CHANGELOG.md");
    assert!(
        notes.ends_with("### Dependencies\n\n* The following workspace dependencies were updated\n  * `@acme/core` bumped from 1.2.3 to 1.3.0\n  * `@acme/ui` bumped from 2.0.0 to 2.0.1\n"),
        "{notes}"
    );
    assert_eq!(
        repo.read(".release-please-manifest.json"),
        "{\"packages/core\": \"1.3.0\", \"packages/ui\": \"2.0.1\", \"packages/app\": \"3.1.1\", \"packages/tool\": \"0.4.1\", \"packages/other\": \"5.0.0\"}\n"
    );
}

#[test]
fn node_workspace_options_count_peers_and_release_everything() {
    let repo = npm_workspace(r#"[{"type": "node-workspace", "updatePeerDependencies": true}]"#);
    ok(&bump_apply(&repo, &[]));
    assert_eq!(
        repo.read("packages/other/package.json"),
        "{\"name\": \"@acme/other\", \"version\": \"5.0.1\", \"peerDependencies\": {\"@acme/core\": \"^1.3.0\"}}\n"
    );

    let repo =
        npm_workspace(r#"[{"type": "node-workspace", "updateAllPackages": true, "merge": false}]"#);
    let plan: serde_json::Value =
        serde_json::from_str(&ok(&bump_apply(&repo, &["--json", "--dry-run"]))).expect("json");
    assert_eq!(
        versions(&plan),
        pairs(&[
            ("app", "3.1.1"),
            ("core", "1.3.0"),
            ("other", "5.0.1"),
            ("tool", "0.4.1"),
            ("ui", "2.0.1")
        ]),
        "every package of the workspace"
    );
    let other = plan["packages"]
        .as_array()
        .and_then(|l| l.iter().find(|p| p["component"] == "other"))
        .expect("other");
    assert_eq!(other["reasons"][0]["kind"], "workspace");
}

#[test]
fn without_the_plugin_dependents_stay_as_they_are() {
    let repo = npm_workspace("[]");
    let plan: serde_json::Value =
        serde_json::from_str(&ok(&bump_apply(&repo, &["--json", "--dry-run"]))).expect("json");
    assert_eq!(versions(&plan), pairs(&[("core", "1.3.0")]));
    ok(&bump_apply(&repo, &[]));
    assert!(repo.read("packages/ui/package.json").contains("\"^1.2.3\""));
    assert!(
        repo.read("package-lock.json")
            .contains("\"version\": \"1.2.3\"")
    );
}
