//! The version-file updaters: each edits only the version and keeps every other byte.

use proptest::prelude::*;
use semver::Version;
use tidegate_core::versionfile::{
    CrateVersions, FileError, FileKind, KeyPath, WORKSPACE_VERSION, read_version, set_version,
};

fn v(s: &str) -> Version {
    Version::parse(s).expect("valid version")
}

fn set(kind: &FileKind, text: &str, version: &str) -> String {
    set_version(kind, text, &v(version), &CrateVersions::new())
        .expect("updated")
        .text
}

fn crates(list: &[(&str, &str)]) -> CrateVersions {
    list.iter()
        .map(|(n, ver)| ((*n).to_string(), v(ver)))
        .collect()
}

fn path(p: &str) -> KeyPath {
    p.parse().expect("valid key path")
}

#[test]
fn cargo_manifest_keeps_comments_order_and_unrelated_equal_versions() {
    let before = r#"# The widget crate.
[package]
name    = "widget"   # aligned on purpose
version = "1.2.3"
edition = "2021"

[dependencies]
serde = "1.2.3"          # a registry crate pinned at the same number
gadget = { path = "../gadget", version = "=1.2.3" }
other = { version = "1.2.3" }

[target.'cfg(unix)'.dependencies]
gadget = { path = "../gadget", version = "^1.2", features = ["x"] }

[dev-dependencies.gadget]
path = "../gadget"
version = '1.2.3'
"#;
    let after = set_version(
        &FileKind::CargoManifest,
        before,
        &v("1.3.0"),
        &crates(&[("widget", "1.3.0"), ("gadget", "2.0.0")]),
    )
    .expect("updated");
    let expected = before
        .replace(
            "version = \"1.2.3\"\nedition",
            "version = \"1.3.0\"\nedition",
        )
        .replace("version = \"=1.2.3\"", "version = \"=2.0.0\"")
        .replace("version = \"^1.2\"", "version = \"^2.0.0\"")
        .replace("version = '1.2.3'", "version = '2.0.0'");
    assert_eq!(after.text, expected);
    let locations: Vec<&str> = after.edits.iter().map(|e| e.location.as_str()).collect();
    assert_eq!(
        locations,
        [
            "$.package.version",
            "[dependencies].gadget.version",
            "[target.\"cfg(unix)\".dependencies].gadget.version",
            "[dev-dependencies].gadget.version"
        ]
    );
    assert_eq!(
        read_version(&FileKind::CargoManifest, &after.text),
        Ok(v("1.3.0"))
    );
}

#[test]
fn cargo_workspace_manifest_sets_the_shared_version_and_workspace_dependencies() {
    let before = r#"[workspace]
members = ["crates/*"]

[workspace.package]
version = "0.4.1"

[workspace.dependencies]
core = { path = "crates/core", version = "0.4.1" }
serde = { version = "0.4.1" }
"#;
    let after = set(&FileKind::CargoManifest, before, "0.5.0");
    // `core` is not being released in this call, so only the shared version moves.
    assert_eq!(after, before.replacen("0.4.1", "0.5.0", 1));

    // Only `core`: the shared version stays.
    let only_core = set_version(
        &FileKind::CargoManifest,
        before,
        &v("9.9.9"),
        &crates(&[("core", "0.5.0")]),
    )
    .expect("updated")
    .text;
    assert_eq!(only_core, before.replacen("\"0.4.1\" }", "\"0.5.0\" }", 1));
    let after = set_version(
        &FileKind::CargoManifest,
        before,
        &v("0.5.0"),
        &crates(&[("core", "0.5.0"), (WORKSPACE_VERSION, "0.5.0")]),
    )
    .expect("updated")
    .text;
    assert_eq!(
        after,
        before.replacen("0.4.1", "0.5.0", 2).replace(
            "serde = { version = \"0.5.0\" }",
            "serde = { version = \"0.4.1\" }"
        )
    );
}

#[test]
fn dependency_ranges_are_kept_when_they_admit_the_new_version_else_refused() {
    let manifest = "[package]\nname = \"app\"\nversion = \"1.0.0\"\n\n[dependencies]\ncore = { path = \"../core\", version = \">=1.0, <3\" }\nutil = { path = \"../util\", version = \"*\" }\n";
    let after = set_version(
        &FileKind::CargoManifest,
        manifest,
        &v("1.0.0"),
        &crates(&[("app", "1.0.0"), ("core", "2.0.0"), ("util", "9.0.0")]),
    )
    .expect("both ranges admit the new versions");
    assert_eq!(after.text, manifest);
    assert_eq!(
        set_version(
            &FileKind::CargoManifest,
            manifest,
            &v("1.0.0"),
            &crates(&[("core", "3.0.0")]),
        ),
        Err(FileError::Requirement {
            location: "[dependencies].core.version".into(),
            requirement: ">=1.0, <3".into(),
            version: "3.0.0".into()
        })
    );
}

#[test]
fn a_member_inheriting_the_workspace_version_has_nothing_of_its_own_to_set() {
    let member = "[package]\nname = \"a\"\nversion.workspace = true\n";
    assert_eq!(
        set_version(
            &FileKind::CargoManifest,
            member,
            &v("1.0.0"),
            &CrateVersions::new()
        ),
        Err(FileError::NoVersion {
            expected: "a `version` in [package] or [workspace.package]".into()
        })
    );
    // …but its path dependencies on released crates still follow.
    let member = "[package]\nname = \"a\"\nversion = { workspace = true }\n\n[dependencies]\nb = { path = \"../b\", version = \"0.1.0\" }\n";
    let after = set_version(
        &FileKind::CargoManifest,
        member,
        &v("1.0.0"),
        &crates(&[("b", "0.2.0")]),
    )
    .expect("updated");
    assert_eq!(after.text, member.replace("0.1.0", "0.2.0"));
}

#[test]
fn cargo_lock_moves_only_local_crates_being_released() {
    let before = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "gadget"
version = "1.2.3"

[[package]]
name = "gadget"
version = "1.2.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "abc"

[[package]]
name = "widget"
version = "1.2.3"
dependencies = [
 "gadget 1.2.3",
]
"#;
    let after = set_version(
        &FileKind::CargoLock,
        before,
        &v("9.9.9"),
        &crates(&[("gadget", "1.3.0")]),
    )
    .expect("updated");
    assert_eq!(after.text, before.replacen("1.2.3", "1.3.0", 1));
    assert_eq!(after.edits.len(), 1);
}

#[test]
fn package_json_and_lock_keep_their_layout() {
    let before = "{\n  \"name\": \"@acme/web\",\n  \"version\": \"2.0.0-beta.1\",\n  \"dependencies\": {\n    \"left-pad\": \"2.0.0-beta.1\"\n  }\n}\n";
    let after = set(&FileKind::PackageJson, before, "2.0.0");
    assert_eq!(
        after,
        before.replacen("\"version\": \"2.0.0-beta.1\"", "\"version\": \"2.0.0\"", 1)
    );

    let lock = "{\n\t\"name\": \"web\",\n\t\"version\": \"1.0.0\",\n\t\"lockfileVersion\": 3,\n\t\"packages\": {\n\t\t\"\": {\"name\": \"web\", \"version\": \"1.0.0\"},\n\t\t\"node_modules/x\": {\"version\": \"1.0.0\"}\n\t}\n}";
    let after = set(&FileKind::PackageLock, lock, "1.1.0");
    assert_eq!(
        after,
        lock.replacen("1.0.0", "1.1.0", 2),
        "the root and packages[\"\"], not a dependency at the same version"
    );
}

#[test]
fn npm_workspace_ranges_keep_release_pleases_prefixes() {
    let cases = [
        ("^1.2.3", "^1.3.0"),
        ("~1.2.3", "~1.3.0"),
        (">=1.0.0", ">=1.3.0"),
        ("<=1.2.3", "<=1.3.0"),
        (">1.0.0", ">1.3.0"),
        ("<2.0.0", "<1.3.0"),
        ("1.2.3", "1.3.0"),
        ("=1.2.3", "1.3.0"),
        ("*", "1.3.0"),
        ("workspace:^", "workspace:^"),
        ("workspace:*", "workspace:*"),
        ("npm:@acme/core@^1.2.3", "npm:@acme/core@^1.2.3"),
        ("file:../core", "file:../core"),
    ];
    let peer = |p| FileKind::NpmPackage {
        peer_dependencies: p,
    };
    for (before_range, after_range) in cases {
        let text = format!(
            "{{\n  \"name\": \"@acme/ui\",\n  \"version\": \"2.0.0\",\n  \"dependencies\": {{\"@acme/core\": \"{before_range}\", \"left-pad\": \"^1.2.3\"}},\n  \"peerDependencies\": {{\"@acme/core\": \"{before_range}\"}}\n}}\n"
        );
        let updated = set_version(
            &peer(false),
            &text,
            &v("2.0.1"),
            &crates(&[("@acme/core", "1.3.0")]),
        )
        .expect("updated");
        let expected = text.replacen("\"2.0.0\"", "\"2.0.1\"", 1).replacen(
            &format!("\"@acme/core\": \"{before_range}\""),
            &format!("\"@acme/core\": \"{after_range}\""),
            1,
        );
        assert_eq!(updated.text, expected, "{before_range}: peers left alone");
        let with_peers = set_version(
            &peer(true),
            &text,
            &v("2.0.1"),
            &crates(&[("@acme/core", "1.3.0")]),
        )
        .expect("updated");
        assert_eq!(
            with_peers.text,
            text.replacen("\"2.0.0\"", "\"2.0.1\"", 1).replace(
                &format!("\"@acme/core\": \"{before_range}\""),
                &format!("\"@acme/core\": \"{after_range}\""),
            ),
            "{before_range}: peers too"
        );
    }
}

#[test]
fn an_npm_workspace_lock_moves_linked_packages_not_registry_copies() {
    let lock = r#"{
  "name": "mono",
  "version": "0.0.0",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "mono", "version": "0.0.0"},
    "node_modules/@acme/core": {"resolved": "packages/core", "link": true},
    "node_modules/@acme/ui": {"resolved": "packages/ui", "link": true},
    "packages/core": {"name": "@acme/core", "version": "1.2.3"},
    "packages/ui": {"name": "@acme/ui", "version": "2.0.0", "dependencies": {"@acme/core": "^1.2.3"}},
    "packages/ui/node_modules/@acme/core": {"version": "1.2.3", "resolved": "https://registry.npmjs.org/@acme/core/-/core-1.2.3.tgz"}
  }
}"#;
    let versions = crates(&[("@acme/core", "1.3.0"), ("@acme/ui", "2.0.1")]);
    let updated = set_version(
        &FileKind::NpmLock { own: false },
        lock,
        &v("9.9.9"),
        &versions,
    )
    .expect("updated");
    let expected = lock
        .replace(
            r#""packages/core": {"name": "@acme/core", "version": "1.2.3"}"#,
            r#""packages/core": {"name": "@acme/core", "version": "1.3.0"}"#,
        )
        .replace(
            r#""version": "2.0.0", "dependencies": {"@acme/core": "^1.2.3"}"#,
            r#""version": "2.0.1", "dependencies": {"@acme/core": "^1.3.0"}"#,
        );
    assert_eq!(updated.text, expected);
    assert_eq!(updated.edits.len(), 3);
    // Nothing of the workspace released: no entry to move, which an optional lock skips.
    assert!(matches!(
        set_version(
            &FileKind::NpmLock { own: false },
            lock,
            &v("9.9.9"),
            &crates(&[("left-pad", "2.0.0")])
        ),
        Err(FileError::NoVersion { .. })
    ));
}

#[test]
fn python_files() {
    let pyproject = "[project]\nname = \"tool\"\nversion = \"0.3.0\"  # bumped by CI\n\n[tool.other]\nversion = \"0.3.0\"\n";
    assert_eq!(
        set(&FileKind::Pyproject, pyproject, "0.4.0"),
        pyproject.replacen("0.3.0", "0.4.0", 1)
    );
    let poetry = "[tool.poetry]\nname = \"tool\"\nversion = '0.3.0'\n";
    assert_eq!(
        set(&FileKind::Pyproject, poetry, "0.4.0"),
        poetry.replace("0.3.0", "0.4.0")
    );
    let dynamic = "[project]\nname = \"tool\"\ndynamic = [\"version\"]\n";
    assert!(matches!(
        set_version(
            &FileKind::Pyproject,
            dynamic,
            &v("1.0.0"),
            &CrateVersions::new()
        ),
        Err(FileError::NoVersion { .. })
    ));

    let setup_cfg = "[options]\nversion = 9.9.9\n\n[metadata]\nname = tool\nversion = 0.3.0\n";
    assert_eq!(
        set(&FileKind::SetupCfg, setup_cfg, "0.4.0"),
        setup_cfg.replace("version = 0.3.0", "version = 0.4.0")
    );

    let module = "\"\"\"Tool.\"\"\"\n\n__version__: str = '0.3.0'\nOTHER = \"0.3.0\"\n";
    assert_eq!(
        set(&FileKind::PythonVersion, module, "0.4.0"),
        module.replacen("0.3.0", "0.4.0", 1)
    );
}

#[test]
fn helm_chart_keeps_quoting_as_it_was() {
    let chart = "apiVersion: v2\nname: web   # the chart\nversion: 1.4.0\nappVersion: \"v1.4.0\"\ndependencies:\n  - name: redis\n    version: 1.4.0\n";
    let after = set_version(
        &FileKind::HelmChart,
        chart,
        &v("1.5.0"),
        &CrateVersions::new(),
    )
    .expect("updated");
    assert_eq!(
        after.text,
        "apiVersion: v2\nname: web   # the chart\nversion: 1.5.0\nappVersion: \"v1.5.0\"\ndependencies:\n  - name: redis\n    version: 1.4.0\n"
    );
    let single = "name: web\nappVersion: '2.0.0'\nversion: '2.0.0' # quoted\n";
    assert_eq!(
        set(&FileKind::HelmChart, single, "2.1.0"),
        single.replace("2.0.0", "2.1.0")
    );
    let no_version = "name: web\nappVersion: 2.0.0\n";
    assert!(matches!(
        set_version(
            &FileKind::HelmChart,
            no_version,
            &v("2.1.0"),
            &CrateVersions::new()
        ),
        Err(FileError::NoVersion { .. })
    ));
}

#[test]
fn plain_version_files_keep_surrounding_whitespace() {
    assert_eq!(set(&FileKind::Plain, "1.2.3\n", "1.2.4"), "1.2.4\n");
    assert_eq!(set(&FileKind::Plain, "v1.2.3", "2.0.0"), "v2.0.0");
    assert!(matches!(
        set_version(
            &FileKind::Plain,
            "latest\n",
            &v("1.0.0"),
            &CrateVersions::new()
        ),
        Err(FileError::NoVersion { .. })
    ));
}

#[test]
fn version_files_are_set_whole_or_refused_never_left_stale() {
    // A byte-order mark is kept and the version after it set.
    assert_eq!(
        set(&FileKind::Plain, "\u{feff}1.2.3\r\n", "1.3.0"),
        "\u{feff}1.3.0\r\n"
    );
    // A version with more lines after it: which line is the version would be a guess.
    let err = set_version(
        &FileKind::Plain,
        "1.2.3\nbuilt by CI\n",
        &v("1.3.0"),
        &CrateVersions::new(),
    )
    .expect_err("refused");
    assert_eq!(
        err,
        FileError::MoreThanAVersion {
            line: 2,
            text: "built by CI".into()
        }
    );
    // Python keeps the last `__version__`: every one moves.
    let module = "__version__ = \"1.2.3\"\nif DEV:\n    __version__ = '1.2.3'\n";
    assert_eq!(
        set(&FileKind::PythonVersion, module, "1.3.0"),
        module.replace("1.2.3", "1.3.0")
    );
    // Every document of a YAML stream that has the key.
    let stream = "app:\n  version: 1.2.3\n---\nkind: other\n---\napp:\n  version: \"1.2.3\"\n";
    let updated = set_version(
        &FileKind::Yaml(path("$.app.version")),
        stream,
        &v("1.3.0"),
        &CrateVersions::new(),
    )
    .expect("updated");
    assert_eq!(updated.text, stream.replace("1.2.3", "1.3.0"));
    let locations: Vec<&str> = updated.edits.iter().map(|e| e.location.as_str()).collect();
    assert_eq!(locations, ["$.app.version", "$.app.version (document 3)"]);
}

#[test]
fn key_paths_in_json_yaml_and_toml() {
    let environment = "# deployed by the pipeline\nversion: 3.1.0\npackage_version: \"3.1.0\"\nservices:\n  - name: api\n    image: api:3.1.0\napp:\n  release: '3.1.0'   # keep\n";
    let after = set(&FileKind::Yaml(path("$.version")), environment, "3.2.0");
    assert_eq!(after, environment.replacen("3.1.0", "3.2.0", 1));
    let after = set(&FileKind::Yaml(path("$.package_version")), &after, "3.2.0");
    let after = set(&FileKind::Yaml(path("$.app.release")), &after, "3.2.0");
    assert_eq!(
        after,
        environment
            .replace("version: 3.1.0", "version: 3.2.0")
            .replace("\"3.1.0\"", "\"3.2.0\"")
            .replace("'3.1.0'", "'3.2.0'")
    );
    assert_eq!(
        set_version(
            &FileKind::Yaml(path("$.services[0].image")),
            environment,
            &v("3.2.0"),
            &CrateVersions::new()
        ),
        Err(FileError::NotAVersion {
            location: "$.services[0].image".into(),
            value: "api:3.1.0".into()
        }),
        "a configured place must hold a version"
    );

    let json = "{\"app\": {\"release\": \"1.0.0\", \"list\": [\"1.0.0\", \"1.0.0\"]}}";
    assert_eq!(
        set(&FileKind::Json(path("$.app.list[1]")), json, "1.0.1"),
        "{\"app\": {\"release\": \"1.0.0\", \"list\": [\"1.0.0\", \"1.0.1\"]}}"
    );
    let toml = "[app]\nrelease = \"1.0.0\" # here\n";
    assert_eq!(
        set(&FileKind::Toml(path("$.app.release")), toml, "1.0.1"),
        "[app]\nrelease = \"1.0.1\" # here\n"
    );
    // A key path that names no value is an error, as is a value that is not a string.
    assert!(matches!(
        set_version(
            &FileKind::Json(path("$.app.missing")),
            json,
            &v("1.0.0"),
            &CrateVersions::new()
        ),
        Err(FileError::NoVersion { .. })
    ));
    assert_eq!(
        set_version(
            &FileKind::Json(path("$.app")),
            json,
            &v("1.0.0"),
            &CrateVersions::new()
        ),
        Err(FileError::NotAString {
            location: "$.app".into()
        })
    );
}

#[test]
fn yaml_positions_count_bytes_after_non_ascii_text() {
    let text = "name: \"café ☕ — ünïcode\"\nversion: 1.0.0\n";
    assert_eq!(
        set(&FileKind::Yaml(path("$.version")), text, "1.0.1"),
        "name: \"café ☕ — ünïcode\"\nversion: 1.0.1\n"
    );
}

#[test]
fn generic_markers_in_any_text_file() {
    let readme = "\
Install:

    cargo install tool --version 1.2.3 # x-release-please-version
    curl -L https://x/1.2.3/tool-1.2.3.tgz  <!-- tidegate-version -->

Not this one: 1.2.3

<!-- x-release-please-start-version -->
```
image: tool:1.2.3
pin: tool@1.2.3 and 1.2.3-rc.1
```
<!-- x-release-please-end -->
major: 1 # x-release-please-major
<!-- tidegate-start-minor -->
minor 2, port 8080 <!-- tidegate-end -->
Download tool-1.2.3-x86_64.zip or tool-1.2.3-rc.1-linux-amd64.tar.gz # x-release-please-version
";
    let after = set(&FileKind::Generic, readme, "2.3.4");
    assert_eq!(
        after,
        "\
Install:

    cargo install tool --version 2.3.4 # x-release-please-version
    curl -L https://x/2.3.4/tool-1.2.3.tgz  <!-- tidegate-version -->

Not this one: 1.2.3

<!-- x-release-please-start-version -->
```
image: tool:2.3.4
pin: tool@2.3.4 and 2.3.4
```
<!-- x-release-please-end -->
major: 2 # x-release-please-major
<!-- tidegate-start-minor -->
minor 3, port 8080 <!-- tidegate-end -->
Download tool-2.3.4-x86_64.zip or tool-1.2.3-rc.1-linux-amd64.tar.gz # x-release-please-version
"
    );
    assert!(matches!(
        set_version(
            &FileKind::Generic,
            "no markers 1.2.3\n",
            &v("2.0.0"),
            &CrateVersions::new()
        ),
        Err(FileError::NoVersion { .. })
    ));
}

#[test]
fn malformed_files_are_errors_not_guesses() {
    for (kind, text) in [
        (FileKind::CargoManifest, "[package\nversion = \"1.0.0\""),
        (FileKind::PackageJson, "{\"version\": \"1.0.0\",}"),
        (FileKind::HelmChart, "version: [1.0.0\n"),
    ] {
        assert!(
            matches!(
                set_version(&kind, text, &v("2.0.0"), &CrateVersions::new()),
                Err(FileError::Malformed { .. })
            ),
            "{kind:?}"
        );
    }
}

/// Kinds whose version the round trip can read back.
fn kinds() -> Vec<FileKind> {
    vec![
        FileKind::CargoManifest,
        FileKind::CargoLock,
        FileKind::PackageJson,
        FileKind::PackageLock,
        FileKind::NpmPackage {
            peer_dependencies: true,
        },
        FileKind::NpmLock { own: true },
        FileKind::Pyproject,
        FileKind::SetupCfg,
        FileKind::PythonVersion,
        FileKind::HelmChart,
        FileKind::Plain,
        FileKind::Json(path("$.a.version")),
        FileKind::Yaml(path("$.a.version")),
        FileKind::Toml(path("$.a.version")),
        FileKind::Generic,
    ]
}

fn any_version() -> impl Strategy<Value = Version> {
    (
        0u64..1000,
        0u64..1000,
        0u64..1000,
        prop::option::of("(alpha|beta|rc)\\.[1-9][0-9]?"),
    )
        .prop_map(|(major, minor, patch, pre)| {
            let mut version = Version::new(major, minor, patch);
            if let Some(pre) = pre {
                version.pre = semver::Prerelease::new(&pre).expect("valid pre-release");
            }
            version
        })
}

/// A file of each kind with a version in it, wrapped in arbitrary surrounding text where the
/// format allows it.
fn seeded(kind: &FileKind, version: &Version, noise: &str) -> String {
    let comment = noise.replace(['\n', '\r'], " ");
    match kind {
        FileKind::CargoManifest => {
            format!("# {comment}\n[package]\nname = \"x\"\nversion = \"{version}\"\n")
        }
        FileKind::CargoLock => {
            format!("# {comment}\n[[package]]\nname = \"x\"\nversion = \"{version}\"\n")
        }
        FileKind::PackageJson
        | FileKind::PackageLock
        | FileKind::NpmPackage { .. }
        | FileKind::NpmLock { .. } => {
            format!(
                "{{\"name\": {}, \"version\": \"{version}\"}}",
                serde_json::json!(noise)
            )
        }
        FileKind::Pyproject => format!("# {comment}\n[project]\nversion = \"{version}\"\n"),
        FileKind::SetupCfg => format!("# {comment}\n[metadata]\nversion = {version}\n"),
        FileKind::PythonVersion => format!("# {comment}\n__version__ = \"{version}\"\n"),
        FileKind::HelmChart => format!("# {comment}\nversion: {version}\n"),
        FileKind::Plain => format!("{version}\n"),
        FileKind::Json(_) => format!(
            "{{\"n\": {}, \"a\": {{\"version\": \"{version}\"}}}}",
            serde_json::json!(noise)
        ),
        FileKind::Yaml(_) => format!("# {comment}\na:\n  version: \"{version}\"\n"),
        FileKind::Toml(_) => format!("# {comment}\n[a]\nversion = '{version}'\n"),
        FileKind::Generic => format!("{comment}\nv{version} # x-release-please-version\n"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary input never panics any updater: it gives an update or an error.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC*{0,400}", version in any_version()) {
        let crates = crates(&[("x", "1.0.0")]);
        for kind in kinds() {
            let _ = set_version(&kind, &text, &version, &crates);
            let _ = read_version(&kind, &text);
        }
    }

    /// Text shaped like the formats, with arbitrary bytes in the places that take them.
    #[test]
    fn structured_noise_never_panics(
        text in "([\\[\\]{}\"':=#\\-,\\n ]|version|package|x-release-please-(start-)?version|1\\.2\\.3|\\PC){0,200}",
        version in any_version(),
    ) {
        for kind in kinds() {
            let _ = set_version(&kind, &text, &version, &crates(&[("x", "1.0.0")]));
        }
    }

    /// Setting a version then reading it back gives the new version, and touches nothing else.
    #[test]
    fn set_then_read_gives_the_new_version(
        old in any_version(),
        new in any_version(),
        noise in "\\PC{0,60}",
    ) {
        for kind in kinds() {
            let text = seeded(&kind, &old, &noise);
            let new_crates = crates(&[("x", &new.to_string())]);
            let updated = set_version(&kind, &text, &new, &new_crates)
                .map_err(|e| TestCaseError::fail(format!("{kind:?}: {e}\n{text}")))?;
            prop_assert_eq!(read_version(&kind, &updated.text), Ok(new.clone()), "{:?}", kind);
            // Everything but the version is unchanged: swapping it back restores the file.
            let restored = set_version(&kind, &updated.text, &old, &crates(&[("x", &old.to_string())]))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&restored.text, &text, "{:?}", kind);
        }
    }
}
