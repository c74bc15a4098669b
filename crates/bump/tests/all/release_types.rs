//! Release types: release-please's default (`node`), and `--release-type` with or without a
//! configuration file.

use assert_cmd::Command;
use testkit::TestRepo;

fn bump(repo: &TestRepo, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("bump")
        .expect("binary")
        .args(args)
        .arg("--repo")
        .arg(repo.path())
        .env_remove("GITHUB_ACTIONS")
        .env("SOURCE_DATE_EPOCH", "1795219200")
        .output()
        .expect("runs")
}

fn ok_json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn released(plan: &serde_json::Value) -> Vec<(String, String, String)> {
    plan["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| !p["next"].is_null())
        .map(|p| {
            (
                p["path"].as_str().unwrap_or_default().to_string(),
                p["previous_tag"].as_str().unwrap_or_default().to_string(),
                p["tag"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_release_please_config_without_a_type_is_an_npm_monorepo() {
    // 70 npm packages named `@acme/pkg-N`, no `release-type` anywhere: release-please reads them
    // as `node`, so their components are the names without the scope and their tags are found.
    let repo = TestRepo::new();
    let mut packages = Vec::new();
    let mut manifest = Vec::new();
    for n in 0..70 {
        let path = format!("packages/pkg-{n}");
        repo.write(
            &format!("{path}/package.json"),
            &format!("{{\n  \"name\": \"@acme/pkg-{n}\",\n  \"version\": \"1.2.3\"\n}}\n"),
        );
        packages.push(format!("\"{path}\": {{}}"));
        manifest.push(format!("\"{path}\": \"1.2.3\""));
    }
    repo.write(
        "release-please-config.json",
        &format!("{{\"packages\": {{{}}}}}", packages.join(", ")),
    );
    repo.write(
        ".release-please-manifest.json",
        &format!("{{{}}}\n", manifest.join(", ")),
    );
    repo.commit_all("chore: initial");
    for n in 0..70 {
        repo.tag(&format!("pkg-{n}-v1.2.3"));
    }
    repo.commit_file("packages/pkg-7/index.js", "1", "feat: seven learns a trick");
    repo.commit_file(
        "packages/pkg-42/index.js",
        "1",
        "fix: forty-two stops crashing",
    );

    let plan = ok_json(&bump(&repo, &["apply", "--json", "--dry-run"]));
    assert_eq!(
        released(&plan),
        [
            (
                "packages/pkg-42".to_string(),
                "pkg-42-v1.2.3".to_string(),
                "pkg-42-v1.2.4".to_string()
            ),
            (
                "packages/pkg-7".to_string(),
                "pkg-7-v1.2.3".to_string(),
                "pkg-7-v1.3.0".to_string()
            ),
        ]
    );
    // As node packages, their package.json carries the version.
    let files: Vec<&str> = plan["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(files.contains(&"packages/pkg-7/package.json"), "{files:?}");
    assert!(files.contains(&"packages/pkg-42/package.json"), "{files:?}");
}

#[test]
fn tidegate_toml_keeps_simple_as_its_default() {
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "[packages.\"a\"]\n[packages.\"b\"]\n");
    repo.write("a/VERSION", "1.0.0\n");
    repo.write("b/VERSION", "1.0.0\n");
    repo.commit_all("chore: initial");
    repo.tag("a-v1.0.0").tag("b-v1.0.0");
    repo.commit_file("a/x", "1", "fix: a");
    let plan = ok_json(&bump(&repo, &["apply", "--json", "--dry-run"]));
    assert_eq!(
        released(&plan),
        [(
            "a".to_string(),
            "a-v1.0.0".to_string(),
            "a-v1.0.1".to_string()
        )]
    );
    let files: Vec<&str> = plan["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(files, ["a/CHANGELOG.md", "a/VERSION"], "simple: VERSION");
}

/// A Python project with no configuration file.
fn python_project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"0.3.0\"\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("v0.3.0");
    repo.commit("docs: explain the cache");
    repo.commit("deps: bump requests to 2.32");
    repo
}

#[test]
fn release_type_alone_gives_that_types_defaults() {
    let repo = python_project();
    // The built-in default (simple) hides docs, and has no deps section: nothing to release.
    let plain = ok_json(&bump(&repo, &["version", "--json"]));
    assert!(plain["next"].is_null(), "{plain}");

    // python's own sections show Documentation and Dependencies, so these are a patch release.
    let json = ok_json(&bump(
        &repo,
        &["version", "--json", "--release-type", "python"],
    ));
    assert_eq!(json["next"], "0.3.1");
    assert_eq!(json["tag"], "v0.3.1");

    let out = bump(&repo, &["apply", "--release-type", "python"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        repo.read("pyproject.toml"),
        "[project]\nname = \"demo\"\nversion = \"0.3.1\"\n"
    );
    let changelog = repo.read("CHANGELOG.md");
    assert!(
        changelog.contains("### Dependencies\n\n* bump requests to 2.32")
            && changelog.contains("### Documentation\n\n* explain the cache"),
        "{changelog}"
    );
}

#[test]
fn release_type_is_the_default_under_a_config_file_not_an_override_of_its_keys() {
    let repo = TestRepo::new();
    repo.write(
        "release-please-config.json",
        r#"{"packages": {"py": {}, "web": {"release-type": "node"}}}"#,
    );
    repo.write(
        "py/pyproject.toml",
        "[project]\nname = \"pylib\"\nversion = \"1.0.0\"\n",
    );
    repo.write(
        "web/package.json",
        "{\"name\": \"web\", \"version\": \"2.0.0\"}\n",
    );
    repo.commit_all("chore: initial");
    repo.tag("pylib-v1.0.0").tag("web-v2.0.0");
    repo.commit_file("py/README.md", "1", "docs: py usage");
    repo.commit_file("web/README.md", "1", "docs: web usage");
    // Without the flag `py` is node (release-please's default): no package.json named it, and
    // docs are hidden, so nothing is released.
    let plan = ok_json(&bump(&repo, &["apply", "--json", "--dry-run"]));
    assert!(released(&plan).is_empty(), "{plan}");
    // With it, `py` (no type of its own) is python; `web` keeps the type its entry names.
    let plan = ok_json(&bump(
        &repo,
        &["apply", "--json", "--dry-run", "--release-type", "python"],
    ));
    assert_eq!(
        released(&plan),
        [(
            "py".to_string(),
            "pylib-v1.0.0".to_string(),
            "pylib-v1.0.1".to_string()
        )]
    );
}

#[test]
fn an_unknown_release_type_is_a_usage_error_naming_the_supported_ones() {
    let repo = python_project();
    for command in ["version", "apply"] {
        let out = bump(&repo, &[command, "--release-type", "cobol"]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("unknown release type `cobol`; the supported ones are simple, rust, node, python, helm, go"),
            "{err}"
        );
    }
}
