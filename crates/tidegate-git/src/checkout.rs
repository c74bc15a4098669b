//! Reading a checkout's configuration file: `tidegate.toml`, else release-please's, else defaults.

use crate::History;
use std::path::Path;
use std::str::FromStr;
use tidegate_core::config::{
    Config, ConfigError, NATIVE_FILE, PackageConfig, RELEASE_PLEASE_FILE, RELEASE_PLEASE_MANIFEST,
    ReleaseType,
};
use tidegate_core::versionfile::{FileKind, KeyPath, read_string};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot read {path}: {reason}; check the path given to --config")]
    Read { path: String, reason: String },
}

/// Loads the configuration: the file given with `--config` (TOML, or release-please's JSON by its
/// `.json` name), else `tidegate.toml` at the root, else `release-please-config.json` with its
/// manifest, else the defaults. Paths are relative to the repository root; the working directory
/// is never consulted. `release_type` (`--release-type`) is the type of packages the file gives
/// none (in place of `simple` for `tidegate.toml`, `node` for release-please's), and with no file
/// the type of the one root package.
pub fn load_config(
    history: &History,
    explicit: Option<&Path>,
    release_type: Option<ReleaseType>,
) -> Result<Config, LoadError> {
    let root = history.root();
    let mut config = read_config(history, explicit, release_type)?;
    for package in &mut config.packages {
        let name = own_name(root, package);
        package.name_component(name);
    }
    config.check_tags()?;
    Ok(config)
}

/// A package's own name, from the file its release type keeps it in (release-please's rule for
/// naming components). A missing or unreadable file gives no name; updating it reports the error.
fn own_name(root: &Path, package: &PackageConfig) -> Option<String> {
    if package.component.is_some() || !package.derive_component {
        return None;
    }
    name_in_files(root, package)
}

/// The name a package's own files give it (package.json, Cargo.toml, pyproject.toml or
/// Chart.yaml, by release type), as written there.
pub fn name_in_files(root: &Path, package: &PackageConfig) -> Option<String> {
    let key = |path: &str| KeyPath::from_str(path).ok();
    let candidates: Vec<(&str, FileKind)> = match package.release_type {
        ReleaseType::Node => vec![("package.json", FileKind::Json(key("$.name")?))],
        ReleaseType::Rust => vec![("Cargo.toml", FileKind::Toml(key("$.package.name")?))],
        ReleaseType::Python => vec![
            ("pyproject.toml", FileKind::Toml(key("$.project.name")?)),
            ("pyproject.toml", FileKind::Toml(key("$.tool.poetry.name")?)),
        ],
        ReleaseType::Helm => vec![("Chart.yaml", FileKind::Yaml(key("$.name")?))],
        ReleaseType::Simple | ReleaseType::Go => Vec::new(),
    };
    candidates.into_iter().find_map(|(file, kind)| {
        let text = std::fs::read_to_string(root.join(&package.path).join(file)).ok()?;
        read_string(&kind, &text).ok().flatten()
    })
}

/// release-please's manifest as committed at HEAD, so that a second `bump apply` before the
/// release is committed starts from the same version as the first; the working tree's copy
/// when HEAD has none yet.
fn read_manifest(history: &History, path: &Path) -> Result<Option<String>, LoadError> {
    let relative = path.strip_prefix(history.root()).unwrap_or(path);
    match history.file_at_head(relative) {
        Some(text) => Ok(Some(text)),
        None => read_optional(path),
    }
}

fn read_config(
    history: &History,
    explicit: Option<&Path>,
    release_type: Option<ReleaseType>,
) -> Result<Config, LoadError> {
    let root = history.root();
    if let Some(path) = explicit {
        let path = root.join(path);
        let text = read(&path)?;
        let name = path.display().to_string();
        return if path.extension().is_some_and(|e| e == "json") {
            let manifest = read_manifest(history, &path.with_file_name(RELEASE_PLEASE_MANIFEST))?;
            Ok(Config::from_release_please_with(
                &name,
                &text,
                manifest.as_deref(),
                release_type,
            )?)
        } else {
            Ok(Config::from_toml_with(&name, &text, release_type)?)
        };
    }
    if let Some(text) = read_optional(&root.join(NATIVE_FILE))? {
        return Ok(Config::from_toml_with(NATIVE_FILE, &text, release_type)?);
    }
    if let Some(text) = read_optional(&root.join(RELEASE_PLEASE_FILE))? {
        let manifest = read_manifest(history, &root.join(RELEASE_PLEASE_MANIFEST))?;
        return Ok(Config::from_release_please_with(
            RELEASE_PLEASE_FILE,
            &text,
            manifest.as_deref(),
            release_type,
        )?);
    }
    Ok(Config::for_release_type(release_type))
}

fn read(path: &Path) -> Result<String, LoadError> {
    read_optional(path)?.ok_or_else(|| LoadError::Read {
        path: path.display().to_string(),
        reason: "no such file".to_string(),
    })
}

fn read_optional(path: &Path) -> Result<Option<String>, LoadError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LoadError::Read {
            path: path.display().to_string(),
            reason: tidegate_actions::io_reason(&e),
        }),
    }
}
