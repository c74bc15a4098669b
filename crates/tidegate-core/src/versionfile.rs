//! Version files: where a package keeps its version, and the edit that sets a new one.
//!
//! Every updater finds the byte ranges that hold a version (a TOML, JSON or YAML scalar, a marked
//! line…) with a real parser, then splices the new version into those ranges only, so comments,
//! key order, quoting, indentation and the trailing newline stay exactly as they were.

use regex_lite::Regex;
use semver::Version;
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

/// What kind of file holds the version, which decides how it is found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type", content = "path")]
pub enum FileKind {
    /// `Cargo.toml`: `[package] version`, `[workspace.package] version`, and the `version` of path
    /// dependencies on crates being released.
    CargoManifest,
    /// `Cargo.lock`: the `[[package]]` entries of crates being released.
    CargoLock,
    /// `package.json`: `version`.
    PackageJson,
    /// `package-lock.json` / `npm-shrinkwrap.json`: `version` and `packages[""].version`.
    PackageLock,
    /// `package.json` in an npm workspace (release-please's `node-workspace` plugin): `version`,
    /// and the range of each dependency on a package being released (`dependencies`,
    /// `devDependencies`, `optionalDependencies`, and `peerDependencies` when asked).
    NpmPackage { peer_dependencies: bool },
    /// A `package-lock.json` in an npm workspace: the entries of the packages being released
    /// (their `version` and their dependencies' ranges); `own` also sets the lock's `version`
    /// and `packages[""].version` (a package's own lock).
    NpmLock { own: bool },
    /// `pyproject.toml`: `[project] version` or `[tool.poetry] version`.
    Pyproject,
    /// `setup.cfg`: `version` in `[metadata]`.
    SetupCfg,
    /// A Python file with `__version__ = "…"`.
    PythonVersion,
    /// Helm's `Chart.yaml`: `version` and, when present, `appVersion`.
    HelmChart,
    /// A file that holds only the version (`VERSION`, `version.txt`).
    Plain,
    /// A JSON file, by key path.
    Json(KeyPath),
    /// A YAML file, by key path.
    Yaml(KeyPath),
    /// A TOML file, by key path.
    Toml(KeyPath),
    /// Any text file with `x-release-please-version` / `tidegate-version` markers.
    Generic,
}

impl FileKind {
    /// What the file is expected to hold, for error messages.
    /// Whether the file names npm packages, which the npm workspace's versions apply to (rather
    /// than crates').
    pub fn is_npm(&self) -> bool {
        matches!(self, Self::NpmPackage { .. } | Self::NpmLock { .. })
    }

    fn expected(&self) -> String {
        match self {
            Self::CargoManifest => "a `version` in [package] or [workspace.package]".into(),
            Self::CargoLock => "a [[package]] entry for the crate".into(),
            Self::PackageJson
            | Self::PackageLock
            | Self::NpmPackage { .. }
            | Self::NpmLock { own: true } => "a top-level \"version\"".into(),
            Self::NpmLock { own: false } => "an entry of a package being released".into(),
            Self::Pyproject => "a `version` in [project] or [tool.poetry]".into(),
            Self::SetupCfg => "a `version = …` line in [metadata]".into(),
            Self::PythonVersion => "a `__version__ = \"…\"` line".into(),
            Self::HelmChart => "a `version:` key".into(),
            Self::Plain => "a semantic version as the whole content".into(),
            Self::Json(path) | Self::Yaml(path) | Self::Toml(path) => format!("a value at {path}"),
            Self::Generic => {
                "an `x-release-please-version` (or `tidegate-version`) marker with a version".into()
            }
        }
    }
}

/// Why a file could not be updated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    #[error("is not valid {format}: {message}")]
    Malformed {
        format: &'static str,
        message: String,
    },
    #[error("has no version where one was expected: {expected}")]
    NoVersion { expected: String },
    #[error("{location} holds `{value}`, which is not a semantic version such as 1.2.3")]
    NotAVersion { location: String, value: String },
    #[error(
        "holds more than a version (line {line}: `{text}`); a version file holds only the version: move the rest elsewhere, or list the file in extra-files with an x-release-please-version marker"
    )]
    MoreThanAVersion { line: usize, text: String },
    #[error("{location} is not a string, so its version cannot be set")]
    NotAString { location: String },
    #[error(
        "{location} requires `{requirement}`, which does not admit {version}; write a single requirement such as \"{version}\""
    )]
    Requirement {
        location: String,
        requirement: String,
        version: String,
    },
}

/// A key path such as `$.version`, `$.app.release`, `$.packages[""].version` or `$.items[0].tag`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPath(Vec<Segment>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for KeyPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("$")?;
        for segment in &self.0 {
            match segment {
                Segment::Key(key) if is_plain_key(key) => write!(f, ".{key}")?,
                Segment::Key(key) => write!(f, "[{key:?}]")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

impl Serialize for KeyPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl std::str::FromStr for KeyPath {
    type Err = String;

    /// Reads the plain subset of JSONPath that names one value: dotted keys, quoted keys in
    /// brackets and array indexes. Wildcards and filters name many values, so they are refused.
    fn from_str(text: &str) -> Result<Self, String> {
        let unsupported = || {
            format!(
                "key path `{text}` is not supported; write a path to one value such as $.version, $.app.release or $['key.with.dots'][0]"
            )
        };
        let mut rest = text.trim().strip_prefix('$').unwrap_or(text.trim());
        let mut segments = Vec::new();
        if !rest.is_empty() && !rest.starts_with(['.', '[']) {
            rest = text.trim();
            let (first, tail) = rest.split_at(rest.find(['.', '[']).unwrap_or(rest.len()));
            segments.push(Segment::Key(first.to_string()));
            rest = tail;
        }
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('.') {
                let end = after.find(['.', '[']).unwrap_or(after.len());
                let key = &after[..end];
                if key.is_empty() || key == "*" {
                    return Err(unsupported());
                }
                segments.push(Segment::Key(key.to_string()));
                rest = &after[end..];
            } else if let Some(after) = rest.strip_prefix('[') {
                let end = after.find(']').ok_or_else(unsupported)?;
                let inner = after[..end].trim();
                let quoted = ['"', '\'']
                    .iter()
                    .find_map(|q| inner.strip_prefix(*q)?.strip_suffix(*q));
                if let Some(key) = quoted {
                    segments.push(Segment::Key(key.to_string()));
                } else {
                    segments.push(Segment::Index(inner.parse().map_err(|_| unsupported())?));
                }
                rest = &after[end + 1..];
            } else {
                return Err(unsupported());
            }
        }
        if segments.is_empty() {
            return Err(unsupported());
        }
        Ok(Self(segments))
    }
}

impl KeyPath {
    pub fn key(key: &str) -> Self {
        Self(vec![Segment::Key(key.into())])
    }

    fn keys(keys: &[&str]) -> Self {
        Self(keys.iter().map(|k| Segment::Key((*k).into())).collect())
    }
}

/// Crates being released, by name, with their new versions: a Cargo manifest's path dependencies
/// on them, and their `Cargo.lock` entries, follow.
pub type CrateVersions = BTreeMap<String, Version>;

/// The key of [`CrateVersions`] that sets a workspace's shared `[workspace.package] version`.
pub const WORKSPACE_VERSION: &str = "[workspace.package]";

/// One value changed in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValueEdit {
    /// Where in the file, such as `[package].version`, `$.version` or `line 12`.
    pub location: String,
    pub from: String,
    pub to: String,
}

/// What setting a version in a file does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Updated {
    pub text: String,
    pub edits: Vec<ValueEdit>,
}

/// A place in a file that holds a version: the byte range of the text to replace (inside any
/// quotes) and how to describe it.
#[derive(Clone, Debug)]
struct Slot {
    range: Range<usize>,
    location: String,
    /// What replaces the text: the package's own version, or a bare number of it (markers).
    part: Part,
    /// A dependency requirement keeps its operator (`=`, `^`, `~`…).
    requirement: bool,
    /// The new version, when it is not the package's own (a dependency's, a lock entry's).
    version: Option<Version>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Full,
    /// An npm dependency range: release-please keeps `^`, `~`, `>=`, `<=`, `>` or `<` before the
    /// new version, and writes any other range as the bare version.
    NpmRange,
    Major,
    Minor,
    Patch,
}

impl Slot {
    fn new(range: Range<usize>, location: impl Into<String>) -> Self {
        Self {
            range,
            location: location.into(),
            part: Part::Full,
            requirement: false,
            version: None,
        }
    }
}

/// Sets `version` in `text`, a file of `kind`. For Cargo files, `crates` gives the versions of every
/// crate being released (the package's own included).
pub fn set_version(
    kind: &FileKind,
    text: &str,
    version: &Version,
    crates: &CrateVersions,
) -> Result<Updated, FileError> {
    let slots = find_slots(kind, text, crates)?;
    if slots.is_empty() {
        return Err(FileError::NoVersion {
            expected: kind.expected(),
        });
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut edits = Vec::new();
    let mut last = 0;
    for slot in slots {
        let old = &text[slot.range.clone()];
        let target = slot.version.as_ref().unwrap_or(version);
        let new = replacement(old, target, &slot);
        out.push_str(&text[last..slot.range.start]);
        out.push_str(&new);
        last = slot.range.end;
        if old != new {
            edits.push(ValueEdit {
                location: slot.location,
                from: old.to_string(),
                to: new,
            });
        }
    }
    out.push_str(&text[last..]);
    Ok(Updated { text: out, edits })
}

/// The version a file holds (the first place it is found), for checks and tests.
pub fn read_version(kind: &FileKind, text: &str) -> Result<Version, FileError> {
    let no_version = || FileError::NoVersion {
        expected: kind.expected(),
    };
    let slots = find_slots(kind, text, &CrateVersions::new())?;
    let slot = slots
        .into_iter()
        .find(|s| s.part == Part::Full)
        .ok_or_else(no_version)?;
    let raw = &text[slot.range];
    let found = if kind == &FileKind::Generic {
        SEMVER.find(raw).map(|m| m.as_str())
    } else {
        Some(raw.strip_prefix('v').unwrap_or(raw))
    };
    found
        .and_then(|v| Version::parse(v).ok())
        .ok_or_else(no_version)
}

/// The text of a string value, such as a package's name: `kind` is a Json, Yaml or Toml key path.
/// None when the key is missing (or holds an escaped string).
pub fn read_string(kind: &FileKind, text: &str) -> Result<Option<String>, FileError> {
    let slots = places(kind, text, &CrateVersions::new())?;
    Ok(slots
        .first()
        .map(|slot| text[slot.range.clone()].to_string()))
}

/// The text that replaces `old` in a slot.
fn replacement(old: &str, version: &Version, slot: &Slot) -> String {
    match slot.part {
        Part::Major => version.major.to_string(),
        Part::Minor => version.minor.to_string(),
        Part::Patch => version.patch.to_string(),
        Part::NpmRange => {
            let prefix = ["^", "~", ">=", "<=", ">", "<"]
                .into_iter()
                .find(|p| old.starts_with(p))
                .unwrap_or_default();
            format!("{prefix}{version}")
        }
        Part::Full if slot.requirement => {
            let operator_end = old.find(|c: char| c.is_ascii_digit()).unwrap_or(old.len());
            format!("{}{version}", &old[..operator_end])
        }
        // A `v` before the version is kept, as in `appVersion: v1.2.3`.
        Part::Full if old.starts_with('v') => format!("v{version}"),
        Part::Full => version.to_string(),
    }
}

fn find_slots(kind: &FileKind, text: &str, crates: &CrateVersions) -> Result<Vec<Slot>, FileError> {
    let mut slots = places(kind, text, crates)?;
    // A configured place must hold a version to be replaced; Helm's `appVersion` may name
    // something else (`latest`) and is then left alone.
    let holds_version = |slot: &Slot| {
        let raw = &text[slot.range.clone()];
        slot.requirement
            || kind == &FileKind::Generic
            || Version::parse(raw.strip_prefix('v').unwrap_or(raw)).is_ok()
    };
    if let Some(bad) = slots
        .iter()
        .find(|s| !holds_version(s) && !s.location.starts_with("$.appVersion"))
    {
        return Err(FileError::NotAVersion {
            location: bad.location.clone(),
            value: text[bad.range.clone()].to_string(),
        });
    }
    slots.retain(holds_version);
    // Chart.yaml needs `version`; `appVersion` alone is not enough.
    if kind == &FileKind::HelmChart && !slots.iter().any(|s| s.location.starts_with("$.version")) {
        slots.clear();
    }
    Ok(slots)
}

/// Where a file of `kind` keeps values, whether or not they are versions.
fn places(kind: &FileKind, text: &str, crates: &CrateVersions) -> Result<Vec<Slot>, FileError> {
    let mut slots = match kind {
        FileKind::CargoManifest => cargo_manifest_slots(text, crates)?,
        FileKind::CargoLock => cargo_lock_slots(text, crates)?,
        FileKind::PackageJson => json_slots(text, &[KeyPath::key("version")])?,
        FileKind::PackageLock => json_slots(
            text,
            &[
                KeyPath::key("version"),
                KeyPath::keys(&["packages", "", "version"]),
            ],
        )?,
        FileKind::Pyproject => toml_slots(
            text,
            &[
                KeyPath::keys(&["project", "version"]),
                KeyPath::keys(&["tool", "poetry", "version"]),
            ],
        )?,
        FileKind::SetupCfg => setup_cfg_slots(text),
        FileKind::PythonVersion => python_slots(text),
        FileKind::HelmChart => {
            yaml_slots(text, &[KeyPath::key("version"), KeyPath::key("appVersion")])?
        }
        FileKind::NpmPackage { peer_dependencies } => {
            let mut slots = json_slots(text, &[KeyPath::key("version")])?;
            let parsed = json_ast(text)?;
            let mut tables = vec!["dependencies", "devDependencies", "optionalDependencies"];
            if *peer_dependencies {
                tables.push("peerDependencies");
            }
            if let Some(root) = parsed.value.as_ref() {
                npm_dependency_slots(text, root, crates, &tables, "$", &mut slots);
            }
            slots
        }
        FileKind::NpmLock { own } => {
            let mut slots = if *own {
                json_slots(
                    text,
                    &[
                        KeyPath::key("version"),
                        KeyPath::keys(&["packages", "", "version"]),
                    ],
                )?
            } else {
                Vec::new()
            };
            let parsed = json_ast(text)?;
            if let Some(root) = parsed.value.as_ref() {
                npm_lock_slots(text, root, crates, &mut slots);
            }
            slots
        }
        FileKind::Plain => plain_slots(text)?,
        FileKind::Json(path) => json_slots(text, std::slice::from_ref(path))?,
        FileKind::Yaml(path) => yaml_slots(text, std::slice::from_ref(path))?,
        FileKind::Toml(path) => toml_slots(text, std::slice::from_ref(path))?,
        FileKind::Generic => generic_slots(text),
    };
    slots.sort_by_key(|s| s.range.start);
    slots.dedup_by_key(|s| s.range.start);
    Ok(slots)
}

// --- TOML -------------------------------------------------------------------------------------

fn parse_toml(text: &str) -> Result<toml_edit::Document<&str>, FileError> {
    toml_edit::Document::parse(text).map_err(|e| FileError::Malformed {
        format: "TOML",
        message: e.message().trim().replace('\n', " "),
    })
}

/// The range inside the quotes of a TOML string value, or why it is not one.
fn toml_string_range(
    text: &str,
    item: &toml_edit::Item,
    location: &str,
) -> Result<Option<Range<usize>>, FileError> {
    let Some(value) = item.as_value() else {
        return Ok(None);
    };
    if !value.is_str() {
        // `version.workspace = true` inherits the version: nothing to set here.
        if value.is_inline_table() {
            return Ok(None);
        }
        return Err(FileError::NotAString {
            location: location.into(),
        });
    }
    Ok(value.span().and_then(|span| quoted_inner(text, span)))
}

/// The inside of a quoted scalar's span (`"…"`, `'…'`, or TOML's tripled quotes).
fn quoted_inner(text: &str, span: Range<usize>) -> Option<Range<usize>> {
    let raw = text.get(span.clone())?;
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if raw.len() >= 2 * quote.len() && raw.starts_with(quote) && raw.ends_with(quote) {
            let inner = span.start + quote.len()..span.end - quote.len();
            // An escape would make the raw text differ from the value; such values are not
            // versions anyway, and splicing into them could corrupt the file.
            return (!text[inner.clone()].contains('\\')).then_some(inner);
        }
    }
    None
}

fn toml_lookup<'a>(root: &'a toml_edit::Item, path: &KeyPath) -> Option<&'a toml_edit::Item> {
    let mut current = root;
    for segment in &path.0 {
        current = match segment {
            Segment::Key(key) => current.get(key.as_str())?,
            Segment::Index(i) => current.get(*i)?,
        };
    }
    Some(current)
}

fn toml_slots(text: &str, paths: &[KeyPath]) -> Result<Vec<Slot>, FileError> {
    let document = parse_toml(text)?;
    let root = document.as_item();
    let mut slots = Vec::new();
    for path in paths {
        if let Some(item) = toml_lookup(root, path) {
            let location = path.to_string();
            if let Some(range) = toml_string_range(text, item, &location)? {
                slots.push(Slot::new(range, location));
            }
        }
    }
    Ok(slots)
}

const DEPENDENCY_TABLES: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];

fn cargo_manifest_slots(text: &str, crates: &CrateVersions) -> Result<Vec<Slot>, FileError> {
    let document = parse_toml(text)?;
    let root = document.as_item();
    let mut slots = Vec::new();
    // With crates given, each version field moves only when its crate (or the shared workspace
    // version) is released; with none, both take the version (reading, simple use).
    let name = root
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str());
    for (path, key) in [
        (KeyPath::keys(&["package", "version"]), name),
        (
            KeyPath::keys(&["workspace", "package", "version"]),
            Some(WORKSPACE_VERSION),
        ),
    ] {
        let version = match key.and_then(|k| crates.get(k)) {
            Some(version) => Some(version.clone()),
            None if crates.is_empty() => None,
            None => continue,
        };
        if let Some(item) = toml_lookup(root, &path) {
            let location = path.to_string();
            if let Some(range) = toml_string_range(text, item, &location)? {
                slots.push(Slot {
                    version,
                    ..Slot::new(range, location)
                });
            }
        }
    }
    // Every dependency table: top level, per target, and the workspace's shared ones.
    let mut tables: Vec<(String, &toml_edit::Item)> = Vec::new();
    for name in DEPENDENCY_TABLES {
        if let Some(table) = root.get(name) {
            tables.push((name.to_string(), table));
        }
    }
    if let Some(targets) = root.get("target").and_then(|t| t.as_table_like()) {
        for (target, item) in targets.iter() {
            for name in DEPENDENCY_TABLES {
                if let Some(table) = item.get(name) {
                    tables.push((format!("target.{target:?}.{name}"), table));
                }
            }
        }
    }
    if let Some(table) = root.get("workspace").and_then(|w| w.get("dependencies")) {
        tables.push(("workspace.dependencies".into(), table));
    }
    for (table_name, table) in tables {
        let Some(table) = table.as_table_like() else {
            continue;
        };
        for (key, dependency) in table.iter() {
            let Some(dependency) = dependency.as_table_like() else {
                continue;
            };
            let crate_name = dependency
                .get("package")
                .and_then(|p| p.as_str())
                .unwrap_or(key);
            let (Some(new), Some(_), Some(requirement)) = (
                crates.get(crate_name),
                dependency.get("path"),
                dependency.get("version"),
            ) else {
                continue;
            };
            let location = format!("[{table_name}].{key}.version");
            let Some(range) = toml_string_range(text, requirement, &location)? else {
                continue;
            };
            // One comparator (`1.2`, `=1.2.3`, `^1`, `~1.2`) is rewritten to the new version;
            // a range or wildcard is kept when it admits the new version, else refused.
            let written = &text[range.clone()];
            let single = written
                .trim_start_matches(['=', '^', '~', '>', '<'])
                .trim()
                .starts_with(|c: char| c.is_ascii_digit())
                && !written.contains([',', '*', 'x', 'X', ' ']);
            if !single {
                let admits = semver::VersionReq::parse(written).is_ok_and(|req| req.matches(new));
                if admits {
                    continue;
                }
                return Err(FileError::Requirement {
                    location,
                    requirement: written.to_string(),
                    version: new.to_string(),
                });
            }
            slots.push(Slot {
                requirement: true,
                version: Some(new.clone()),
                ..Slot::new(range, location)
            });
        }
    }
    Ok(slots)
}

/// With no crates given (reading), every local crate's entry.
fn cargo_lock_slots(text: &str, crates: &CrateVersions) -> Result<Vec<Slot>, FileError> {
    let document = parse_toml(text)?;
    let mut slots = Vec::new();
    let Some(packages) = document
        .as_table()
        .get("package")
        .and_then(|p| p.as_array_of_tables())
    else {
        return Ok(slots);
    };
    for package in packages.iter() {
        let name = package.get("name").and_then(|n| n.as_str());
        // Only local crates: a registry crate of the same name has a `source`.
        let (Some(name), None) = (name, package.get("source")) else {
            continue;
        };
        let Some(version) = package.get("version") else {
            continue;
        };
        let new = match crates.get(name) {
            Some(new) => Some(new.clone()),
            None if crates.is_empty() => None,
            None => continue,
        };
        let location = format!("[[package]] {name}");
        if let Some(range) = toml_string_range(text, version, &location)? {
            slots.push(Slot {
                version: new,
                ..Slot::new(range, location)
            });
        }
    }
    Ok(slots)
}

/// What a `Cargo.toml` says about its crate and its workspace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CargoFacts {
    /// `[package] name`.
    pub name: Option<String>,
    /// `version.workspace = true`.
    pub inherits_version: bool,
    /// Crates it depends on by path (directly, or through `workspace = true` when the
    /// workspace's entry has a path, which the caller resolves with `workspace_dependencies`).
    pub path_dependencies: Vec<String>,
    /// Dependencies declared `workspace = true`, to resolve against the workspace's table.
    pub inherited_dependencies: Vec<String>,
    /// A `[workspace]` table: its `members` and `exclude` patterns.
    pub workspace: Option<(Vec<String>, Vec<String>)>,
    /// `[workspace.dependencies]` entries that have a path: (key, crate name).
    pub workspace_path_dependencies: Vec<(String, String)>,
}

/// Reads the facts of a `Cargo.toml` that the release plan needs.
pub fn cargo_facts(text: &str) -> Result<CargoFacts, FileError> {
    let document = parse_toml(text)?;
    let root = document.as_item();
    let strings = |item: Option<&toml_edit::Item>| -> Vec<String> {
        item.and_then(|i| i.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut facts = CargoFacts {
        name: root
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(String::from),
        inherits_version: root
            .get("package")
            .and_then(|p| p.get("version"))
            .and_then(|v| v.get("workspace"))
            .and_then(|w| w.as_bool())
            .unwrap_or(false),
        ..CargoFacts::default()
    };
    let mut tables: Vec<&toml_edit::Item> = DEPENDENCY_TABLES
        .iter()
        .filter_map(|name| root.get(name))
        .collect();
    if let Some(targets) = root.get("target").and_then(|t| t.as_table_like()) {
        for (_, item) in targets.iter() {
            tables.extend(DEPENDENCY_TABLES.iter().filter_map(|name| item.get(name)));
        }
    }
    for table in tables.into_iter().filter_map(|t| t.as_table_like()) {
        for (key, dependency) in table.iter() {
            let Some(dependency) = dependency.as_table_like() else {
                continue;
            };
            let name = dependency
                .get("package")
                .and_then(|p| p.as_str())
                .unwrap_or(key)
                .to_string();
            if dependency.contains_key("path") {
                facts.path_dependencies.push(name);
            } else if dependency.get("workspace").and_then(|w| w.as_bool()) == Some(true) {
                facts.inherited_dependencies.push(key.to_string());
            }
        }
    }
    if let Some(workspace) = root.get("workspace") {
        facts.workspace = Some((
            strings(workspace.get("members")),
            strings(workspace.get("exclude")),
        ));
        if let Some(table) = workspace
            .get("dependencies")
            .and_then(|d| d.as_table_like())
        {
            for (key, dependency) in table.iter() {
                if dependency.get("path").is_some() {
                    let name = dependency
                        .get("package")
                        .and_then(|p| p.as_str())
                        .unwrap_or(key);
                    facts
                        .workspace_path_dependencies
                        .push((key.to_string(), name.to_string()));
                }
            }
        }
    }
    facts.path_dependencies.sort();
    facts.path_dependencies.dedup();
    Ok(facts)
}

// --- JSON -------------------------------------------------------------------------------------

/// Parses JSON strictly (no comments, no trailing commas: what npm and serde accept).
fn json_ast(text: &str) -> Result<jsonc_parser::ParseResult<'_>, FileError> {
    let strict = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    jsonc_parser::parse_to_ast(text, &Default::default(), &strict).map_err(|e| {
        FileError::Malformed {
            format: "JSON",
            message: format!("line {}: {}", e.line_display(), e.kind()),
        }
    })
}

fn json_slots(text: &str, paths: &[KeyPath]) -> Result<Vec<Slot>, FileError> {
    use jsonc_parser::ast::Value;
    let parsed = json_ast(text)?;
    let mut slots = Vec::new();
    for path in paths {
        let mut current = parsed.value.as_ref();
        for segment in &path.0 {
            current = match (segment, current) {
                (Segment::Key(key), Some(Value::Object(object))) => object
                    .properties
                    .iter()
                    .rev()
                    .find(|p| p.name.as_str() == key)
                    .map(|p| &p.value),
                (Segment::Index(i), Some(Value::Array(array))) => array.elements.get(*i),
                _ => None,
            };
        }
        match current {
            None => {}
            Some(Value::StringLit(string)) => {
                if let Some(range) = quoted_inner(text, string.range.start..string.range.end) {
                    slots.push(Slot::new(range, path.to_string()));
                }
            }
            Some(_) => {
                return Err(FileError::NotAString {
                    location: path.to_string(),
                });
            }
        }
    }
    Ok(slots)
}

/// The value of `key` in a JSON object (the last one, as JSON parsers read duplicates).
fn json_get<'a>(
    value: &'a jsonc_parser::ast::Value<'a>,
    key: &str,
) -> Option<&'a jsonc_parser::ast::Value<'a>> {
    match value {
        jsonc_parser::ast::Value::Object(object) => object
            .properties
            .iter()
            .rev()
            .find(|p| p.name.as_str() == key)
            .map(|p| &p.value),
        _ => None,
    }
}

/// The range inside the quotes of a JSON string value.
fn json_string(text: &str, value: &jsonc_parser::ast::Value<'_>) -> Option<Range<usize>> {
    match value {
        jsonc_parser::ast::Value::StringLit(string) => {
            quoted_inner(text, string.range.start..string.range.end)
        }
        _ => None,
    }
}

/// A range with a protocol (`workspace:^`, `npm:`, `file:`, `link:`) names no version to update;
/// release-please leaves it as written.
fn has_protocol(range: &str) -> bool {
    range
        .split_once(':')
        .is_some_and(|(p, _)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

/// The ranges of `object`'s dependencies (in `tables`) on packages being released.
fn npm_dependency_slots(
    text: &str,
    object: &jsonc_parser::ast::Value<'_>,
    versions: &CrateVersions,
    tables: &[&str],
    at: &str,
    slots: &mut Vec<Slot>,
) {
    for table in tables {
        let Some(jsonc_parser::ast::Value::Object(dependencies)) = json_get(object, table) else {
            continue;
        };
        for dependency in &dependencies.properties {
            let name = dependency.name.as_str();
            let (Some(new), Some(range)) =
                (versions.get(name), json_string(text, &dependency.value))
            else {
                continue;
            };
            if has_protocol(&text[range.clone()]) {
                continue;
            }
            slots.push(Slot {
                part: Part::NpmRange,
                requirement: true,
                version: Some(new.clone()),
                ..Slot::new(range, format!("{at}.{table}[{name:?}]"))
            });
        }
    }
}

/// A lock file's entries for the packages being released: a workspace folder's entry (it has
/// their `name`), and the one a `node_modules/NAME` link resolves to. Copies installed from a
/// registry (not links) are left alone, as their `resolved` and `integrity` name that version.
fn npm_lock_slots(
    text: &str,
    root: &jsonc_parser::ast::Value<'_>,
    versions: &CrateVersions,
    slots: &mut Vec<Slot>,
) {
    use jsonc_parser::ast::Value;
    let Some(Value::Object(packages)) = json_get(root, "packages") else {
        return;
    };
    let mut targets: Vec<(&str, &Version)> = Vec::new();
    for entry in &packages.properties {
        let key = entry.name.as_str();
        let string = |field: &str| {
            json_get(&entry.value, field)
                .and_then(|v| json_string(text, v))
                .map(|r| &text[r])
        };
        if let Some(new) = key
            .strip_prefix("node_modules/")
            .and_then(|name| versions.get(name))
        {
            let link = matches!(
                json_get(&entry.value, "link"),
                Some(Value::BooleanLit(b)) if b.value
            );
            if let (true, Some(resolved)) = (link, string("resolved")) {
                targets.push((resolved, new));
            }
        } else if let Some(new) = string("name").and_then(|name| versions.get(name)) {
            targets.push((key, new));
        }
    }
    for (key, new) in targets {
        let Some(entry) = packages
            .properties
            .iter()
            .rev()
            .find(|p| p.name.as_str() == key)
        else {
            continue;
        };
        let at = format!("$.packages[{key:?}]");
        if let Some(range) = json_get(&entry.value, "version").and_then(|v| json_string(text, v)) {
            slots.push(Slot {
                version: Some(new.clone()),
                ..Slot::new(range, format!("{at}.version"))
            });
        }
        let tables = [
            "dependencies",
            "devDependencies",
            "optionalDependencies",
            "peerDependencies",
        ];
        npm_dependency_slots(text, &entry.value, versions, &tables, &at, slots);
    }
}

/// What a `package.json` says for the npm workspace: its `name`, and the names of everything it
/// depends on (`dependencies`, `devDependencies`, `optionalDependencies`, and `peerDependencies`
/// when they count).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NpmFacts {
    pub name: Option<String>,
    pub dependencies: Vec<String>,
}

/// Reads the facts of a `package.json` that the release plan needs.
pub fn npm_facts(text: &str, peer_dependencies: bool) -> Result<NpmFacts, FileError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| FileError::Malformed {
            format: "JSON",
            message: format!("line {}: {e}", e.line()),
        })?;
    let mut tables = vec!["dependencies", "devDependencies", "optionalDependencies"];
    if peer_dependencies {
        tables.push("peerDependencies");
    }
    let mut dependencies: Vec<String> = tables
        .iter()
        .filter_map(|t| value.get(t).and_then(|d| d.as_object()))
        .flat_map(|d| d.keys().cloned())
        .collect();
    dependencies.sort();
    dependencies.dedup();
    Ok(NpmFacts {
        name: value.get("name").and_then(|n| n.as_str()).map(String::from),
        dependencies,
    })
}

// --- YAML -------------------------------------------------------------------------------------

/// Finds scalars by key path in every document of a YAML stream (as release-please's YAML updater
/// does), from the parser's events and spans.
fn yaml_slots(text: &str, paths: &[KeyPath]) -> Result<Vec<Slot>, FileError> {
    use saphyr_parser::{Event, Parser, ScalarStyle};
    // The parser counts positions in characters; splices need bytes.
    let byte_at: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let to_bytes = |chars: usize| byte_at.get(chars).copied().unwrap_or(text.len());

    enum Frame {
        /// A mapping, and the key of the value being read (None while a key is expected, or for
        /// a complex key no path can name).
        Map {
            key: Option<String>,
            want_key: bool,
        },
        Seq {
            index: usize,
        },
        /// A mapping or sequence used as a key, skipped to its end.
        ComplexKey {
            depth: usize,
        },
    }
    /// The value at the top has ended: its mapping expects a key again, its sequence moves on.
    fn value_done(stack: &mut [Frame]) {
        match stack.last_mut() {
            Some(Frame::Map { want_key, .. }) => *want_key = true,
            Some(Frame::Seq { index }) => *index += 1,
            _ => {}
        }
    }
    let path_here = |stack: &[Frame]| -> Option<Vec<Segment>> {
        stack
            .iter()
            .map(|frame| match frame {
                Frame::Map { key: Some(k), .. } => Some(Segment::Key(k.clone())),
                Frame::Seq { index } => Some(Segment::Index(*index)),
                _ => None,
            })
            .collect()
    };

    let mut stack: Vec<Frame> = Vec::new();
    let mut slots = Vec::new();
    let mut document = 1;
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| FileError::Malformed {
            format: "YAML",
            message: format!("line {}: {}", e.marker().line(), e.info()),
        })?;
        if let Some(Frame::ComplexKey { depth }) = stack.last_mut() {
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) => *depth += 1,
                Event::MappingEnd | Event::SequenceEnd => *depth -= 1,
                _ => {}
            }
            if matches!(stack.last(), Some(Frame::ComplexKey { depth: 0 })) {
                stack.pop();
                if let Some(Frame::Map { key, want_key }) = stack.last_mut() {
                    (*key, *want_key) = (None, false);
                }
            }
            continue;
        }
        if let Some(Frame::Map { key, want_key }) = stack.last_mut() {
            if *want_key {
                match event {
                    Event::Scalar(value, ..) => {
                        (*key, *want_key) = (Some(value.into_owned()), false)
                    }
                    Event::Alias(_) => (*key, *want_key) = (None, false),
                    Event::MappingStart(..) | Event::SequenceStart(..) => {
                        stack.push(Frame::ComplexKey { depth: 1 });
                    }
                    Event::MappingEnd => {
                        stack.pop();
                        value_done(&mut stack);
                    }
                    _ => {}
                }
                continue;
            }
        }
        match event {
            Event::DocumentEnd => {
                stack.clear();
                document += 1;
            }
            Event::MappingStart(..) => stack.push(Frame::Map {
                key: None,
                want_key: true,
            }),
            Event::SequenceStart(..) => stack.push(Frame::Seq { index: 0 }),
            Event::SequenceEnd => {
                stack.pop();
                value_done(&mut stack);
            }
            Event::Alias(_) => value_done(&mut stack),
            Event::Scalar(value, style, ..) => {
                let here = path_here(&stack);
                if let Some(wanted) = paths.iter().find(|p| Some(&p.0) == here.as_ref()) {
                    let range = to_bytes(span.start.index())..to_bytes(span.end.index());
                    let inner = match style {
                        ScalarStyle::Plain => text
                            .get(range.clone())
                            .map(|raw| range.start..range.start + raw.trim_end().len()),
                        // The text inside the quotes, when it is the value unescaped (a
                        // quoted span can run on past its closing quote).
                        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                            let inner = range.start + 1..range.start + 1 + value.len();
                            let quote = text.get(range.start..range.start + 1);
                            (text.get(inner.end..inner.end + 1) == quote).then_some(inner)
                        }
                        _ => None,
                    };
                    // Only a scalar whose text is exactly its value can be spliced safely.
                    match inner {
                        Some(inner) if text.get(inner.clone()) == Some(&*value) => {
                            slots.push(Slot::new(inner, yaml_location(wanted, document)));
                        }
                        _ => {
                            return Err(FileError::NotAString {
                                location: yaml_location(wanted, document),
                            });
                        }
                    }
                }
                value_done(&mut stack);
            }
            _ => {}
        }
    }
    Ok(slots)
}

/// A key path, with its document's number after the first (`$.version (document 2)`).
fn yaml_location(path: &KeyPath, document: usize) -> String {
    if document == 1 {
        path.to_string()
    } else {
        format!("{path} (document {document})")
    }
}

// --- Line-based files -------------------------------------------------------------------------

static SEMVER: LazyLock<Regex> = LazyLock::new(|| {
    // A pre-release part is taken only when it looks like one (`-rc.1`, `-beta`, `-0.3`), so
    // `tool-1.2.3-x86_64.zip` and `1.2.3-linux-amd64` keep their suffixes.
    Regex::new(
        r"\d+\.\d+\.\d+(?:-(?i:alpha|beta|rc|pre|preview|dev|snapshot|canary|next|nightly|\d)[0-9A-Za-z]*(?:\.[0-9A-Za-z]+)*)?(?:\+[0-9A-Za-z.-]+)?\b",
    )
    .expect("valid regex")
});

/// Line start offsets and lines (without their line break).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let at = start;
        start += line.len();
        (at, line.trim_end_matches(['\n', '\r']))
    })
}

fn setup_cfg_slots(text: &str) -> Vec<Slot> {
    static VERSION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^version\s*[=:]\s*(\S.*?)\s*$").expect("valid regex"));
    let mut in_metadata = false;
    for (number, (at, line)) in lines(text).enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_metadata = trimmed == "[metadata]";
            continue;
        }
        if let (true, Some(caps)) = (in_metadata, VERSION.captures(line)) {
            let value = caps.get(1).map(|m| m.range()).unwrap_or_default();
            // `version = attr: pkg.__version__` keeps the version elsewhere.
            if Version::parse(line[value.clone()].trim_start_matches('v')).is_ok() {
                return vec![Slot::new(
                    at + value.start..at + value.end,
                    format!("line {}", number + 1),
                )];
            }
        }
    }
    Vec::new()
}

fn python_slots(text: &str) -> Vec<Slot> {
    static VERSION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*__version__\s*(?::\s*str\s*)?=\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)')"#)
            .expect("valid regex")
    });
    // Every assignment: Python keeps the last one, so all of them must move.
    lines(text)
        .enumerate()
        .filter_map(|(number, (at, line))| {
            let caps = VERSION.captures(line)?;
            let value = caps.get(1).or_else(|| caps.get(2))?.range();
            Some(Slot::new(
                at + value.start..at + value.end,
                format!("line {}", number + 1),
            ))
        })
        .collect()
}

fn plain_slots(text: &str) -> Result<Vec<Slot>, FileError> {
    // A byte-order mark stays, and is not part of the version.
    let body_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[body_start..];
    let start = body_start + body.len() - body.trim_start().len();
    let value = body.trim();
    let mut lines = value.lines();
    let first = lines.next().unwrap_or_default().trim_end();
    if Version::parse(first.strip_prefix('v').unwrap_or(first)).is_err() {
        return Ok(Vec::new());
    }
    // A version followed by more lines: which one is the version is a guess; none is made.
    if let Some((number, extra)) = lines.enumerate().find(|(_, l)| !l.trim().is_empty()) {
        let line = text[body_start..start].lines().count() + number + 2;
        return Err(FileError::MoreThanAVersion {
            line,
            text: extra.trim().to_string(),
        });
    }
    Ok(vec![Slot::new(start..start + first.len(), "content")])
}

/// Markers, in release-please's spelling and Tidegate's.
const MARKER_PREFIXES: [&str; 2] = ["x-release-please-", "tidegate-"];

fn generic_slots(text: &str) -> Vec<Slot> {
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d+\b").expect("valid regex"));
    let marker = |line: &str, name: &str| {
        MARKER_PREFIXES
            .iter()
            .any(|prefix| line.contains(&format!("{prefix}{name}")))
    };
    let parts = [
        ("version", Part::Full),
        ("major", Part::Major),
        ("minor", Part::Minor),
        ("patch", Part::Patch),
    ];
    let mut slots = Vec::new();
    let mut block: Option<Part> = None;
    for (number, (at, line)) in lines(text).enumerate() {
        let location = format!("line {}", number + 1);
        let slot = |range: Range<usize>, part: Part| Slot {
            part,
            ..Slot::new(at + range.start..at + range.end, location.clone())
        };
        if let Some(started) = parts
            .iter()
            .find(|(name, _)| marker(line, &format!("start-{name}")))
        {
            block = Some(started.1);
            continue;
        }
        if let Some(part) = block {
            // Every version in a block; a bare number only once per line (`port 8080` stays).
            if part == Part::Full {
                slots.extend(SEMVER.find_iter(line).map(|m| slot(m.range(), part)));
            } else if let Some(m) = NUMBER.find(line) {
                slots.push(slot(m.range(), part));
            }
            if marker(line, "end") {
                block = None;
            }
            continue;
        }
        for (name, part) in parts {
            if marker(line, name) {
                let pattern = if part == Part::Full {
                    &*SEMVER
                } else {
                    &*NUMBER
                };
                if let Some(m) = pattern.find(line) {
                    slots.push(slot(m.range(), part));
                }
                break;
            }
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_read_the_plain_subset_of_jsonpath() {
        let path: KeyPath = "$.app.release".parse().expect("valid");
        assert_eq!(path.to_string(), "$.app.release");
        let path: KeyPath = "$['a.b'][2].c".parse().expect("valid");
        assert_eq!(
            path.0,
            vec![
                Segment::Key("a.b".into()),
                Segment::Index(2),
                Segment::Key("c".into())
            ]
        );
        assert_eq!(path.to_string(), "$[\"a.b\"][2].c");
        let bare: KeyPath = "version".parse().expect("valid");
        assert_eq!(bare.to_string(), "$.version");
        for bad in ["$..version", "$.*", "$[?(@.x)]", "$", "$.a[", ""] {
            assert!(bad.parse::<KeyPath>().is_err(), "{bad}");
        }
    }
}
