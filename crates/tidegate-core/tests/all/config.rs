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
    assert!(
        warnings.contains("packages.\".\".changelog-path"),
        "{warnings}"
    );
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
