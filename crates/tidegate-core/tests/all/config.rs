//! tidegate.toml and release-please-config.json.

use tidegate_core::config::{Config, ConfigError, ReleaseType, json_schema};
use tidegate_core::version::Strategy;

#[test]
fn reads_every_native_key() {
    let text = r#"
release-type = "rust"
versioning = "prerelease"
prerelease = true
prerelease-type = "rc"
bump-minor-pre-major = true
bump-patch-for-minor-pre-major = true
initial-version = "0.0.1"
include-v-in-tag = false
include-component-in-tag = true
tag-separator = "/"
component = "engine"

[[changelog-sections]]
type = "docs"
section = "Docs"
"#;
    let config = Config::from_toml("tidegate.toml", text).expect("valid");
    let p = config.package(None).expect("one package");
    assert_eq!(p.release_type, ReleaseType::Rust);
    assert_eq!(p.rules.strategy, Strategy::Prerelease);
    assert_eq!(p.rules.prerelease, Some(true));
    assert_eq!(p.rules.prerelease_type.as_deref(), Some("rc"));
    assert!(p.rules.bump_minor_pre_major && p.rules.bump_patch_for_minor_pre_major);
    assert_eq!(p.rules.initial_version, Some(semver::Version::new(0, 0, 1)));
    assert_eq!(
        p.tag.tag_name(&semver::Version::new(1, 0, 0)),
        "engine/1.0.0"
    );
    assert!(p.is_visible("docs"));
    assert!(
        !p.is_visible("feat"),
        "configured sections replace the defaults"
    );
}

#[test]
fn unknown_keys_are_rejected_with_line_and_suggestion() {
    let text = "release-type = \"node\"\n\nrelase-as = \"2.0.0\"\n";
    let err = Config::from_toml("tidegate.toml", text).expect_err("unknown key");
    assert_eq!(
        err.to_string(),
        "tidegate.toml:3: unknown key `relase-as`; did you mean `release-as`?"
    );
    let nested = "[[changelog-sections]]\ntype = \"feat\"\nsection = \"F\"\nhiden = true\n";
    let err = Config::from_toml("tidegate.toml", nested).expect_err("unknown nested key");
    assert!(
        matches!(&err, ConfigError::UnknownKey { line: 4, key, .. } if key == "hiden"),
        "{err}"
    );
}

#[test]
fn malformed_values_name_the_file_and_line() {
    let err =
        Config::from_toml("tidegate.toml", "versioning = \"sideways\"\n").expect_err("bad value");
    assert!(err.to_string().starts_with("tidegate.toml:1: "), "{err}");
    let err =
        Config::from_toml("tidegate.toml", "release-as = \"two\"\n").expect_err("bad version");
    assert!(err.to_string().contains("not a semantic version"), "{err}");
    let err = Config::from_toml("tidegate.toml", "this is = not toml [").expect_err("bad toml");
    assert!(err.to_string().starts_with("tidegate.toml:1"), "{err}");
}

#[test]
fn release_please_config_is_read_with_its_key_names() {
    let text = r#"{
  "$schema": "https://raw.githubusercontent.com/googleapis/release-please/main/schemas/config.json",
  "release-type": "python",
  "bump-minor-pre-major": true,
  "draft": true,
  "packages": {
    ".": { "include-v-in-tag": false, "changelog-path": "CHANGES.md" }
  }
}"#;
    let config = Config::from_release_please(
        "release-please-config.json",
        text,
        Some(r#"{".": "0.4.1"}"#),
    )
    .expect("valid");
    let p = config.package(None).expect("root");
    assert_eq!(p.release_type, ReleaseType::Python);
    assert!(p.rules.bump_minor_pre_major);
    assert!(!p.tag.include_v);
    assert_eq!(p.manifest_version, Some(semver::Version::new(0, 4, 1)));
    let warnings = config.warnings.join("\n");
    assert!(warnings.contains("draft"), "{warnings}");
    assert_eq!(p.changelog_path.as_deref(), Some("CHANGES.md"));
    assert!(!warnings.contains("changelog-path"), "{warnings}");
    assert!(!warnings.contains("$schema"), "{warnings}");
}

#[test]
fn release_please_components_build_tags() {
    let text = r#"{"packages": {"packages/api": {"component": "api", "tag-separator": "/"}, "packages/web": {"component": "web", "include-component-in-tag": false}}}"#;
    let config =
        Config::from_release_please("release-please-config.json", text, None).expect("valid");
    let v = semver::Version::new(1, 2, 3);
    assert_eq!(
        config
            .package(Some("packages/api"))
            .expect("api")
            .tag
            .tag_name(&v),
        "api/v1.2.3"
    );
    assert_eq!(
        config
            .package(Some("packages/web/"))
            .expect("web")
            .tag
            .tag_name(&v),
        "v1.2.3"
    );
    let err = config.package(None).expect_err("two packages, no root");
    assert!(err.to_string().contains("--package"), "{err}");
}

#[test]
fn release_please_errors_are_clear() {
    let err = Config::from_release_please("release-please-config.json", "{ nope", None)
        .expect_err("bad json");
    assert!(
        err.to_string().starts_with("release-please-config.json:1"),
        "{err}"
    );
    let err = Config::from_release_please(
        "release-please-config.json",
        r#"{"versioning": "weird"}"#,
        None,
    )
    .expect_err("bad strategy");
    assert!(err.to_string().contains("weird"), "{err}");
    let text = r#"{"release-type": "ruby"}"#;
    let config = Config::from_release_please("release-please-config.json", text, None)
        .expect("unknown type warns");
    assert!(
        config.warnings.iter().any(|w| w.contains("`ruby`")),
        "{:?}",
        config.warnings
    );
}

#[test]
fn the_checked_in_schema_is_current() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schema/tidegate.schema.json"
    );
    let current = json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &current).expect("write schema");
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == current,
        "schema/tidegate.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test -p tidegate-core` and commit it"
    );
    let schema: serde_json::Value = serde_json::from_str(&checked_in).expect("schema is JSON");
    assert_eq!(
        schema["additionalProperties"],
        serde_json::json!(false),
        "unknown keys are rejected"
    );
    assert!(schema["properties"]["release-type"].is_object());
}

#[test]
fn version_files_and_changelog_paths_are_configured_per_package() {
    use tidegate_core::versionfile::FileKind;
    let text = r#"
extra-files = ["README.md"]

[packages."charts/web"]
release-type = "helm"
skip-changelog = true
extra-files = [
    "/docs/install.md",
    { type = "yaml", path = "/config/environment.yaml", jsonpath = "$.package_version" },
    { type = "json", path = "meta.json", jsonpath = "$['app.info'].version" },
]

[packages."py"]
release-type = "python"
version-file = "src/tool/__init__.py"
changelog-path = "docs/CHANGES.md"
"#;
    let config = Config::from_toml("tidegate.toml", text).expect("valid");
    let web = config.package(Some("charts/web")).expect("web");
    assert_eq!(web.changelog_path, None);
    let files: Vec<(String, FileKind)> = web
        .extra_files
        .iter()
        .map(|f| (f.path.clone(), f.kind.clone()))
        .collect();
    assert_eq!(
        files.len(),
        3,
        "a package's list replaces the top-level one"
    );
    assert_eq!(files[0], ("/docs/install.md".into(), FileKind::Generic));
    assert_eq!(
        files[1],
        (
            "/config/environment.yaml".into(),
            FileKind::Yaml("$.package_version".parse().expect("path"))
        )
    );
    assert_eq!(
        web.tag.component.as_deref(),
        None,
        "named later, from Chart.yaml"
    );
    let py = config.package(Some("py")).expect("py");
    assert_eq!(py.changelog_path.as_deref(), Some("docs/CHANGES.md"));
    assert_eq!(py.version_file.as_deref(), Some("src/tool/__init__.py"));
    assert_eq!(
        py.extra_files[0].path, "README.md",
        "inherited from the top level"
    );

    for (bad, expected) in [
        (
            "extra-files = [{ type = \"xml\", path = \"pom.xml\", jsonpath = \"$.v\" }]",
            "type `xml`",
        ),
        (
            "extra-files = [{ type = \"yaml\", path = \"a.yaml\" }]",
            "no `jsonpath`",
        ),
        (
            "extra-files = [{ type = \"json\", path = \"a.json\", jsonpath = \"$..version\" }]",
            "not supported",
        ),
        (
            "extra-files = [{ type = \"json\", path = \"a.json\", json-path = \"$.v\" }]",
            "extra-files",
        ),
    ] {
        let err = Config::from_toml("tidegate.toml", bad).expect_err(bad);
        assert!(err.to_string().contains(expected), "{bad}: {err}");
    }
}

#[test]
fn components_follow_release_please_naming() {
    // release-please: every package is named after itself unless `component` says otherwise.
    let text = r#"{
  "packages": {
    ".": {"release-type": "node"},
    "packages/ui": {"release-type": "node", "tag-separator": "/"},
    "crates/core": {"release-type": "rust", "component": "engine"},
    "tools/x": {"release-type": "simple", "package-name": "@acme/x-tool", "include-component-in-tag": false},
    "legacy": {"component": ""}
  },
  "plugins": ["cargo-workspace", {"type": "linked-versions", "groupName": "sdk", "components": ["ui", "engine"]}, "node-workspace"]
}"#;
    let mut config =
        Config::from_release_please("release-please-config.json", text, None).expect("valid");
    let v = semver::Version::new(1, 2, 3);
    let names = [
        (".", Some("@acme/app".to_string())),
        ("packages/ui", Some("@acme/ui".to_string())),
        ("crates/core", Some("core".to_string())),
        ("tools/x", None),
        ("legacy", Some("legacy-name".to_string())),
    ];
    for (path, name) in names {
        let package = config
            .packages
            .iter_mut()
            .find(|p| p.path == path)
            .expect("configured");
        package.name_component(name);
    }
    let tags: Vec<String> = config.packages.iter().map(|p| p.tag.tag_name(&v)).collect();
    assert_eq!(
        tags,
        [
            "app-v1.2.3",
            "engine-v1.2.3",
            "v1.2.3",
            "ui/v1.2.3",
            "v1.2.3"
        ]
    );
    let x = config.package(Some("tools/x")).expect("x");
    assert_eq!(
        x.component.as_deref(),
        Some("x-tool"),
        "package-name, scope removed"
    );
    assert_eq!(config.linked_versions.len(), 1);
    assert_eq!(config.linked_versions[0].group, "sdk");
    assert_eq!(config.linked_versions[0].components, ["ui", "engine"]);
    assert_eq!(
        config.node_workspace,
        Some(tidegate_core::config::NodeWorkspace::default())
    );
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);

    // tidegate.toml: packages are named after themselves, the root package is not.
    let text = "release-type = \"node\"\n[packages.\".\"]\n[packages.\"web\"]\n[packages.\"api\"]\ncomponent = \"backend\"\n";
    let mut config = Config::from_toml("tidegate.toml", text).expect("valid");
    for package in &mut config.packages {
        package.name_component(Some(format!("@acme/{}-pkg", package.path)));
    }
    let tags: Vec<String> = config.packages.iter().map(|p| p.tag.tag_name(&v)).collect();
    assert_eq!(tags, ["v1.2.3", "backend-v1.2.3", "web-pkg-v1.2.3"]);
}

#[test]
fn the_default_release_type_depends_on_the_file_and_the_flag() {
    let rp = r#"{"packages": {"a": {}, "b": {"release-type": "rust"}}}"#;
    let config = Config::from_release_please("release-please-config.json", rp, None).expect("ok");
    let types: Vec<ReleaseType> = config.packages.iter().map(|p| p.release_type).collect();
    assert_eq!(
        types,
        [ReleaseType::Node, ReleaseType::Rust],
        "release-please: node"
    );

    let config = Config::from_release_please_with(
        "release-please-config.json",
        rp,
        None,
        Some(ReleaseType::Python),
    )
    .expect("ok");
    let types: Vec<ReleaseType> = config.packages.iter().map(|p| p.release_type).collect();
    assert_eq!(
        types,
        [ReleaseType::Python, ReleaseType::Rust],
        "the flag replaces the default only"
    );

    let toml = "[packages.\"a\"]\n[packages.\"b\"]\nrelease-type = \"helm\"\n";
    let config = Config::from_toml("tidegate.toml", toml).expect("ok");
    let types: Vec<ReleaseType> = config.packages.iter().map(|p| p.release_type).collect();
    assert_eq!(
        types,
        [ReleaseType::Simple, ReleaseType::Helm],
        "tidegate.toml: simple"
    );
    let config = Config::from_toml_with("tidegate.toml", toml, Some(ReleaseType::Go)).expect("ok");
    let types: Vec<ReleaseType> = config.packages.iter().map(|p| p.release_type).collect();
    assert_eq!(types, [ReleaseType::Go, ReleaseType::Helm]);

    let config = Config::for_release_type(Some(ReleaseType::Rust));
    let root = config.package(None).expect("one root package");
    assert_eq!(
        (root.path.as_str(), root.release_type),
        (".", ReleaseType::Rust)
    );
    assert_eq!(root.rules.first_release, semver::Version::new(0, 1, 0));
    assert_eq!(root.tag.tag_name(&semver::Version::new(1, 2, 3)), "v1.2.3");
}

#[test]
fn python_has_release_pleases_python_sections_unless_configured() {
    let config = Config::for_release_type(Some(ReleaseType::Python));
    let root = config.package(None).expect("root");
    for visible in ["feat", "fix", "perf", "deps", "revert", "docs"] {
        assert!(root.is_visible(visible), "{visible}");
    }
    for hidden in ["chore", "style", "refactor", "test", "build", "ci", "other"] {
        assert!(!root.is_visible(hidden), "{hidden}");
    }
    let titles: Vec<&str> = root.sections.iter().map(|s| s.section.as_str()).collect();
    assert_eq!(
        &titles[..6],
        [
            "Features",
            "Bug Fixes",
            "Performance Improvements",
            "Dependencies",
            "Reverts",
            "Documentation"
        ]
    );

    // Every other type keeps release-please's defaults: docs hidden, no deps section.
    for kind in [
        ReleaseType::Node,
        ReleaseType::Rust,
        ReleaseType::Simple,
        ReleaseType::Go,
        ReleaseType::Helm,
    ] {
        let config = Config::for_release_type(Some(kind));
        let root = config.package(None).expect("root");
        assert!(
            !root.is_visible("docs") && !root.is_visible("deps"),
            "{kind:?}"
        );
    }
    // Sections the configuration gives replace the type's.
    let toml =
        "release-type = \"python\"\n[[changelog-sections]]\ntype = \"feat\"\nsection = \"New\"\n";
    let config = Config::from_toml("tidegate.toml", toml).expect("ok");
    assert!(!config.package(None).expect("root").is_visible("docs"));
}

#[test]
fn release_types_parse_by_name() {
    assert_eq!("python".parse::<ReleaseType>(), Ok(ReleaseType::Python));
    assert_eq!(ReleaseType::Helm.name(), "helm");
    assert_eq!(
        "java".parse::<ReleaseType>(),
        Err("unknown release type `java`; the supported ones are simple, rust, node, python, helm, go".to_string())
    );
}

#[test]
fn node_workspace_options_are_read_and_others_named() {
    let text = r#"{"plugins": [{"type": "node-workspace", "updateAllPackages": true, "updatePeerDependencies": true, "merge": false, "alwaysLinkLocal": false, "considerAllArtifacts": true}, "sentence-case", "maven-workspace"]}"#;
    let config =
        Config::from_release_please("release-please-config.json", text, None).expect("valid");
    assert_eq!(
        config.packages[0].sentence_case,
        Some(vec!["gRPC".to_string(), "npm".to_string()])
    );
    assert_eq!(
        config.node_workspace,
        Some(tidegate_core::config::NodeWorkspace {
            update_all_packages: true,
            update_peer_dependencies: true,
        })
    );
    let warnings = config.warnings.join("\n");
    assert!(
        warnings.contains("node-workspace plugin's `considerAllArtifacts` is not supported yet")
            && warnings.contains("plugin `maven-workspace` is not supported yet"),
        "{warnings}"
    );
    assert!(
        !warnings.contains("merge") && !warnings.contains("plugins,"),
        "{warnings}"
    );
    let err = Config::from_release_please(
        "release-please-config.json",
        r#"{"plugins": [{"type": "node-workspace", "updateAllPackages": "yes"}]}"#,
        None,
    )
    .expect_err("not a boolean");
    assert_eq!(
        err.to_string(),
        "release-please-config.json: the node-workspace plugin's `updateAllPackages` must be true or false"
    );
}

#[test]
fn the_root_package_takes_every_commit_only_under_release_pleases_rules() {
    // Whatever the file is called (`--config other.json` is read the same way).
    let json =
        Config::from_release_please("other.json", r#"{"packages": {".": {}, "a": {}}}"#, None)
            .expect("valid");
    assert!(json.root_takes_all);
    let toml =
        Config::from_toml("tidegate.toml", "[packages.\".\"]\n[packages.\"a\"]\n").expect("valid");
    assert!(!toml.root_takes_all);
}

const RIVER: &str = r#"
[river]
branches = ["main", "stable", "rhoai"]
environments = ["staging", "production"]

[river.downstream]
repo = "ocean-org/widgets-downstream"
branch = "main"
remote = "downstream"
"#;

#[test]
fn reads_the_river() {
    let config = Config::from_toml("tidegate.toml", RIVER).expect("valid");
    let river = config.river.expect("a river");
    assert_eq!(river.branches, ["main", "stable", "rhoai"]);
    assert_eq!(river.environments, ["staging", "production"]);
    let downstream = river.downstream.expect("a downstream hop");
    assert_eq!(downstream.repo(), "ocean-org/widgets-downstream");
    assert_eq!(downstream.branch, "main");
    assert_eq!(downstream.remote.as_deref(), Some("downstream"));
    // The rest of the configuration is untouched by it.
    assert_eq!(config.packages.len(), 1);
}

#[test]
fn refuses_a_bad_river_in_one_line() {
    for (text, wanted) in [
        ("[river]\nbranches = []", "`river.branches` is empty"),
        (
            "[river]\nbranches = [\"main\", \"stable\", \"main\"]",
            "names `main` twice, which would make the chain a cycle",
        ),
        (
            "[river]\nbranches = [\"main\"]\n[river.downstream]\nrepo = \"widgets\"",
            "write it as OWNER/NAME",
        ),
        ("[river]\nbranches = [\"ma in\"]", "not a branch name"),
        (
            "[river]\nbranches = [\"main\"]\nenvironments = [\"prod\", \"prod\"]",
            "names `prod` twice",
        ),
        ("[river]\nbranch = [\"main\"]", "unknown key `branch`"),
        (
            "[packages.\"a\"]\n[packages.\"a\".river]\nbranches = [\"main\"]",
            "has its own `river`",
        ),
    ] {
        let err = Config::from_toml("tidegate.toml", text).expect_err(text);
        let message = err.to_string();
        assert!(message.contains(wanted), "{text}: {message}");
        assert!(!message.contains('\n'), "{message}");
    }
}
