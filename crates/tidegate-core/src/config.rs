//! Configuration: `tidegate.toml` (native), or release-please's `release-please-config.json` with
//! its manifest, read with release-please's own key names so a project can switch unchanged.

use crate::tag::{TagFilter, TagFormat};
use crate::version::{Strategy, VersionRules};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const NATIVE_FILE: &str = "tidegate.toml";
pub const RELEASE_PLEASE_FILE: &str = "release-please-config.json";
pub const RELEASE_PLEASE_MANIFEST: &str = ".release-please-manifest.json";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{file}:{line}: unknown key `{key}`; {hint}")]
    UnknownKey {
        file: String,
        line: usize,
        key: String,
        hint: String,
    },
    #[error("{file}{location}: {message}")]
    Invalid {
        file: String,
        location: String,
        message: String,
    },
}

impl ConfigError {
    fn invalid(file: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            file: file.into(),
            location: String::new(),
            message: message.into(),
        }
    }
}

/// The kind of project, which decides the default first version (and, later, its version files).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReleaseType {
    #[default]
    Simple,
    Rust,
    Node,
    Python,
    Helm,
    Go,
}

impl ReleaseType {
    /// Every release type Tidegate supports, by its release-please name.
    pub const ALL: [(&'static str, Self); 6] = [
        ("simple", Self::Simple),
        ("rust", Self::Rust),
        ("node", Self::Node),
        ("python", Self::Python),
        ("helm", Self::Helm),
        ("go", Self::Go),
    ];

    fn from_release_please(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, kind)| *kind)
    }

    /// The release type's name, as release-please spells it.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, kind)| *kind == self)
            .map_or("simple", |(name, _)| name)
    }
}

impl std::str::FromStr for ReleaseType {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Self::from_release_please(name).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|(n, _)| *n).collect();
            format!(
                "unknown release type `{name}`; the supported ones are {}",
                known.join(", ")
            )
        })
    }
}

/// A changelog section: which commit type goes under which heading.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogSection {
    /// The conventional commit type (`feat`, `fix`…); `other` is commits that are not conventional.
    #[serde(rename = "type")]
    pub kind: String,
    /// The heading, such as "Features".
    pub section: String,
    /// Hidden sections are left out of the notes, and commits of only hidden types make no release.
    #[serde(default)]
    pub hidden: bool,
}

/// The options of `tidegate.toml`: every key applies to the whole repository, and a
/// `[packages."path"]` table overrides them for one package.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[schemars(title = "tidegate.toml")]
pub struct Options {
    /// The kind of project: simple, rust, node, python, helm or go. Decides the first version
    /// (0.1.0 for rust and python, else 1.0.0).
    pub release_type: Option<ReleaseType>,
    /// How the next version is chosen from the commits.
    pub versioning: Option<Strategy>,
    /// With `versioning = "prerelease"`: keep making pre-releases (true) or graduate (false).
    pub prerelease: Option<bool>,
    /// The pre-release label, such as "beta" or "rc".
    pub prerelease_type: Option<String>,
    /// Before 1.0.0, a breaking change bumps the minor version instead of the major.
    pub bump_minor_pre_major: Option<bool>,
    /// Before 1.0.0, a feature bumps the patch version instead of the minor.
    pub bump_patch_for_minor_pre_major: Option<bool>,
    /// The first version, when there is no release yet.
    pub initial_version: Option<String>,
    /// Release exactly this version next, whatever the commits say.
    pub release_as: Option<String>,
    /// The changelog's sections, in order.
    pub changelog_sections: Option<Vec<ChangelogSection>>,
    /// Whether tags are `v1.2.3` (true, the default) or `1.2.3`.
    pub include_v_in_tag: Option<bool>,
    /// Whether tags carry the component name (`api-v1.2.3`).
    pub include_component_in_tag: Option<bool>,
    /// Between the component and the version in a tag: "-" (default) or "/".
    pub tag_separator: Option<String>,
    /// A regular expression a tag must match to be a release (git-cliff's `tag_pattern`), such
    /// as "^v[0-9]" to leave `0.0.1`-style tags out.
    pub tag_pattern: Option<String>,
    /// A regular expression for tags that are not releases: their commits belong to the next
    /// release (git-cliff's `ignore_tags`), such as "-next\\." for nightly tags.
    pub ignore_tags: Option<String>,
    /// A regular expression for releases left out of `changelog --all` (git-cliff's
    /// `skip_tags`); they still end the previous release's notes.
    pub skip_tags: Option<String>,
    /// The package's component name, used in its tags. Defaults to the package's own name
    /// (package.json `name` without its scope, Cargo.toml or pyproject.toml `name`, Chart.yaml
    /// `name`), except for the root package of `tidegate.toml`, which has none.
    pub component: Option<String>,
    /// The package's name, when its files do not say it (release-please's `package-name`).
    pub package_name: Option<String>,
    /// The changelog, relative to the package ("/" starts at the repository root).
    pub changelog_path: Option<String>,
    /// Leave the changelog alone.
    pub skip_changelog: Option<bool>,
    /// The file holding only the version (simple; default `version.txt`), or a Python file with
    /// `__version__ = "…"` (python).
    pub version_file: Option<String>,
    /// More files that carry the version: a path (updated by its `x-release-please-version` /
    /// `tidegate-version` markers), or `{ type = "json" | "yaml" | "toml" | "generic", path,
    /// jsonpath }`.
    pub extra_files: Option<Vec<ExtraFileOption>>,
    /// Groups of packages whose versions move together (top level only).
    pub linked_versions: Option<Vec<LinkedVersions>>,
    /// Packages of a monorepo, by path relative to the repository root ("." is the root).
    pub packages: Option<BTreeMap<String, Options>>,
    /// Release lines: the branches `bump cut` makes, their candidates, and the commit types they
    /// take (top level only).
    pub release_lines: Option<crate::release_line::LineOptions>,
    /// Approval gates for `gate-check`, by name (`[gates.production]`): read and checked by
    /// gate-check; `bump` and `changelog` leave them be (top level only).
    pub gates: Option<BTreeMap<String, serde_json::Value>>,
    /// The river: the chain of branches a change flows down, its deployment environments and an
    /// optional downstream repository (`[river]`), read by `where` (top level only).
    pub river: Option<crate::river::RiverOptions>,
}

/// An entry of `extra-files`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ExtraFileOption {
    /// A text file with version markers.
    Path(String),
    /// A structured file and the key path of its version.
    Typed(TypedExtraFile),
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypedExtraFile {
    /// json, yaml, toml or generic.
    #[serde(rename = "type")]
    pub kind: String,
    /// Relative to the package ("/" starts at the repository root).
    pub path: String,
    /// The key path of the version, such as `$.version` or `$.app.release` (json, yaml, toml).
    pub jsonpath: Option<String>,
}

/// Packages released together at one version, the highest any of them needs.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LinkedVersions {
    /// A name for the group, for messages.
    pub group: String,
    /// The packages, by component name or path.
    pub components: Vec<String>,
}

/// release-please's `node-workspace` plugin: the `node` packages form an npm workspace, and a
/// package depending on a released one is released too, its dependency range updated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeWorkspace {
    /// `updateAllPackages`: any package released releases every one.
    pub update_all_packages: bool,
    /// `updatePeerDependencies`: `peerDependencies` count and are updated too.
    pub update_peer_dependencies: bool,
}

/// A file besides the release type's own that carries the version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraFile {
    /// As configured: relative to the package, or to the root with a leading "/".
    pub path: String,
    pub kind: crate::versionfile::FileKind,
}

/// The settled configuration of one package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageConfig {
    /// Relative to the repository root; "." for the root package.
    pub path: String,
    /// The path as the configuration writes it (`./`), for messages.
    pub written_path: String,
    pub release_type: ReleaseType,
    pub rules: VersionRules,
    pub sections: Vec<ChangelogSection>,
    pub tag: TagFormat,
    /// The version the manifest records, when a release-please manifest is used.
    pub manifest_version: Option<semver::Version>,
    /// release-please's `bootstrap-sha`: before a package's first release, its history starts
    /// after this commit instead of at the repository's first commit.
    pub bootstrap_sha: Option<String>,
    /// release-please's `sentence-case` plugin: each entry's first letter in upper case, except
    /// for these special words.
    pub sentence_case: Option<Vec<String>>,
    /// The component name as configured; [`PackageConfig::name_component`] fills it from the
    /// package's own name when it is not.
    pub component: Option<String>,
    /// Whether the component goes into tags.
    pub include_component_in_tag: bool,
    /// Whether a missing component comes from the package's own name.
    pub derive_component: bool,
    /// Whether, with no name in its files, the package is named after its folder
    /// (`tidegate.toml`; release-please leaves such packages without a component).
    pub name_from_path: bool,
    /// release-please's `package-name`.
    pub package_name: Option<String>,
    /// Whether git's and GitHub's `Revert "…"` commits are revert changes (shown under Reverts,
    /// a patch release). release-please cannot read them, so its configurations say no.
    pub git_reverts: bool,
    /// The changelog (as configured), or None to leave it alone.
    pub changelog_path: Option<String>,
    pub version_file: Option<String>,
    pub extra_files: Vec<ExtraFile>,
}

impl PackageConfig {
    /// The types that may open a further message inside a commit body.
    pub fn known_types(&self) -> Vec<&str> {
        let mut types: Vec<&str> = crate::commit::DEFAULT_TYPES.to_vec();
        for section in &self.sections {
            if !types.contains(&section.kind.as_str()) {
                types.push(&section.kind);
            }
        }
        types
    }

    /// Sets the component from the package's own name (from its files) when none is configured,
    /// and settles the tag format. `name` has any npm `@scope/` already removed.
    pub fn name_component(&mut self, name: Option<String>) {
        if self.component.is_none() && self.derive_component {
            let folder = self
                .path
                .rsplit('/')
                .next()
                .filter(|_| self.name_from_path && self.path != ".")
                .map(String::from);
            self.component = self.package_name.clone().or(name).or(folder).map(|n| {
                n.rsplit_once('/')
                    .filter(|_| n.starts_with('@'))
                    .map_or(n.clone(), |(_, bare)| bare.to_string())
            });
        }
        self.settle_tag();
    }

    /// Puts the component (when there is one and tags include it) into the tag format.
    fn settle_tag(&mut self) {
        self.tag.component = self
            .component
            .clone()
            .filter(|c| self.include_component_in_tag && !c.is_empty());
    }

    /// Whether changes of this type are shown (and so can make a release).
    pub fn is_visible(&self, kind: &str) -> bool {
        self.sections.iter().any(|s| s.kind == kind && !s.hidden)
    }
}

/// The whole configuration: every package, plus what the user should know about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Where it came from, for messages: a file name, or "defaults".
    pub source: String,
    pub packages: Vec<PackageConfig>,
    pub linked_versions: Vec<LinkedVersions>,
    /// The `node-workspace` plugin, when configured.
    pub node_workspace: Option<NodeWorkspace>,
    /// release-please's commit split, where the root package `.` takes every commit (true for a
    /// `release-please-config.json`); in `tidegate.toml` it takes only the commits no other package
    /// claims.
    pub root_takes_all: bool,
    /// `[release-lines]`, settled (the defaults without one).
    pub lines: crate::release_line::LineConfig,
    /// `[river]`, settled and checked (`None` without one).
    pub river: Option<crate::river::River>,
    pub warnings: Vec<String>,
}

impl Config {
    /// The defaults, for a repository with no configuration file.
    pub fn defaults() -> Self {
        Self::for_release_type(None)
    }

    /// A repository with no configuration file: one root package of `release_type` (default
    /// `simple`) with that type's defaults, as release-please-action's `release-type` input alone.
    pub fn for_release_type(release_type: Option<ReleaseType>) -> Self {
        let package = settle(
            ".",
            &Options::default(),
            &Options::default(),
            None,
            "defaults",
            release_type.unwrap_or_default(),
        )
        .expect("the defaults are valid");
        // A release type alone is release-please-action's `release-type` input: release-please
        // reads messages, so the revert button's are not changes.
        let package = PackageConfig {
            git_reverts: release_type.is_none(),
            ..package
        };
        Self {
            source: "defaults".into(),
            packages: vec![package],
            linked_versions: Vec::new(),
            node_workspace: None,
            root_takes_all: false,
            lines: crate::release_line::LineConfig::settle(None).expect("the defaults are valid"),
            river: None,
            warnings: Vec::new(),
        }
    }

    /// Reads `tidegate.toml` text.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, ConfigError> {
        Self::from_toml_with(file, text, None)
    }

    /// Reads `tidegate.toml` text; `release_type` (`--release-type`) replaces the built-in default
    /// type (`simple`) of packages whose configuration names none.
    pub fn from_toml_with(
        file: &str,
        text: &str,
        release_type: Option<ReleaseType>,
    ) -> Result<Self, ConfigError> {
        let fallback = release_type.unwrap_or_default();
        let options: Options =
            toml_edit::de::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let mut packages = Vec::new();
        match &options.packages {
            Some(map) if !map.is_empty() => {
                for (path, package) in map {
                    for (key, nested) in [
                        ("packages", package.packages.is_some()),
                        ("linked-versions", package.linked_versions.is_some()),
                        ("release-lines", package.release_lines.is_some()),
                        ("gates", package.gates.is_some()),
                        ("river", package.river.is_some()),
                    ] {
                        if nested {
                            return Err(ConfigError::invalid(
                                file,
                                format!(
                                    "packages.\"{path}\" has its own `{key}`; set it at the top level"
                                ),
                            ));
                        }
                    }
                    packages.push(settle(path, &options, package, None, file, fallback)?);
                }
            }
            _ => packages.push(settle(
                ".",
                &options,
                &Options::default(),
                None,
                file,
                fallback,
            )?),
        }
        // Packages other than the root are named after themselves unless configured otherwise.
        for package in &mut packages {
            package.derive_component = package.path != ".";
            package.name_from_path = true;
            package.settle_tag();
        }
        Ok(Self {
            source: file.into(),
            packages,
            linked_versions: options.linked_versions.clone().unwrap_or_default(),
            node_workspace: None,
            root_takes_all: false,
            lines: crate::release_line::LineConfig::settle(options.release_lines.as_ref())
                .map_err(|e| ConfigError::invalid(file, e))?,
            river: options
                .river
                .as_ref()
                .map(crate::river::River::settle)
                .transpose()
                .map_err(|e| ConfigError::invalid(file, e))?,
            warnings: Vec::new(),
        })
    }

    /// Reads release-please's configuration and (optional) manifest.
    pub fn from_release_please(
        file: &str,
        text: &str,
        manifest: Option<&str>,
    ) -> Result<Self, ConfigError> {
        Self::from_release_please_with(file, text, manifest, None)
    }

    /// Reads release-please's configuration; a package whose configuration names no
    /// `release-type` is `node` (release-please's default), or `release_type` when given
    /// (`--release-type`).
    pub fn from_release_please_with(
        file: &str,
        text: &str,
        manifest: Option<&str>,
        release_type: Option<ReleaseType>,
    ) -> Result<Self, ConfigError> {
        let fallback = release_type.unwrap_or(ReleaseType::Node);
        let root: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ConfigError::Invalid {
                file: file.into(),
                location: format!(":{}", e.line()),
                message: format!("not valid JSON ({e})"),
            })?;
        let root = root
            .as_object()
            .ok_or_else(|| ConfigError::invalid(file, "expected a JSON object"))?;
        let versions: BTreeMap<String, String> = match manifest {
            Some(text) => serde_json::from_str(text).map_err(|e| {
                ConfigError::invalid(
                    RELEASE_PLEASE_MANIFEST,
                    format!("expected an object of package paths to versions ({e})"),
                )
            })?,
            None => BTreeMap::new(),
        };
        let mut warnings = Vec::new();
        let defaults = release_please_options(root, "", file, &mut warnings)?;
        let mut packages = Vec::new();
        let listed = root.get("packages").and_then(|p| p.as_object());
        let entries: Vec<(String, Options)> = match listed {
            Some(map) if !map.is_empty() => map
                .iter()
                .map(|(path, value)| {
                    let object = value.as_object().ok_or_else(|| {
                        ConfigError::invalid(file, format!("packages.\"{path}\" must be an object"))
                    })?;
                    let options = release_please_options(
                        object,
                        &format!("packages.\"{path}\"."),
                        file,
                        &mut warnings,
                    )?;
                    Ok((path.clone(), options))
                })
                .collect::<Result<_, ConfigError>>()?,
            _ => vec![(".".to_string(), Options::default())],
        };
        for (path, options) in &entries {
            let recorded = versions
                .get(path)
                .map(|v| {
                    semver::Version::parse(v.trim_start_matches('v')).map_err(|_| {
                        ConfigError::invalid(
                            RELEASE_PLEASE_MANIFEST,
                            format!(
                                "\"{path}\" is `{v}`, which is not a semantic version such as 1.2.3"
                            ),
                        )
                    })
                })
                .transpose()?;
            let mut package = settle(path, &defaults, options, recorded, file, fallback)?;
            package.bootstrap_sha = root
                .get("bootstrap-sha")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            package.derive_component = true;
            package.git_reverts = false;
            package.settle_tag();
            packages.push(package);
        }
        let (linked_versions, node_workspace, sentence_case) =
            release_please_plugins(root.get("plugins"), file, &mut warnings)?;
        for package in &mut packages {
            package.sentence_case.clone_from(&sentence_case);
        }
        Ok(Self {
            source: file.into(),
            packages,
            linked_versions,
            node_workspace,
            root_takes_all: true,
            lines: crate::release_line::LineConfig::settle(None).expect("the defaults are valid"),
            river: None,
            warnings,
        })
    }

    /// Refuses two packages at the same folder (`.` and `./`), and two packages whose tags would
    /// look the same: each would take the other's releases for its own. One pass with a map, so
    /// a configuration of thousands of packages loads in linear time.
    pub fn check_tags(&self) -> Result<(), ConfigError> {
        let example = semver::Version::new(1, 2, 3);
        let mut paths: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(self.packages.len());
        let mut tags: std::collections::HashMap<String, usize> =
            std::collections::HashMap::with_capacity(self.packages.len());
        for (i, package) in self.packages.iter().enumerate() {
            if let Some(&first) = paths.get(package.path.as_str()) {
                return Err(ConfigError::invalid(
                    &self.source,
                    format!(
                        "packages `{}` and `{}` are the same folder `{}`; keep one of them",
                        self.packages[first].written_path, package.written_path, package.path
                    ),
                ));
            }
            paths.insert(&package.path, i);
            let tag = package.tag.tag_name(&example);
            if let Some(&first) = tags.get(&tag) {
                return Err(ConfigError::invalid(
                    &self.source,
                    format!(
                        "packages `{}` and `{}` would both be tagged like `{tag}`; give one of them its own `component`",
                        self.packages[first].path, package.path
                    ),
                ));
            }
            tags.insert(tag, i);
        }
        Ok(())
    }

    /// The package at `path`, or the only one.
    pub fn package(&self, path: Option<&str>) -> Result<&PackageConfig, ConfigError> {
        let wanted = path.map(normalize_path);
        match wanted {
            Some(p) => self
                .packages
                .iter()
                .find(|pkg| pkg.path == p)
                .ok_or_else(|| {
                    ConfigError::invalid(
                        &self.source,
                        format!("no package at `{p}`; {}", self.packages_hint(&p)),
                    )
                }),
            None => match self.packages.as_slice() {
                [only] => Ok(only),
                _ => self.packages.iter().find(|p| p.path == ".").ok_or_else(|| {
                    ConfigError::invalid(
                        &self.source,
                        format!(
                            "{} packages are configured and none is the root; pass --package PATH (such as `{}`)",
                            self.packages.len(),
                            self.packages.first().map_or("", |p| p.path.as_str())
                        ),
                    )
                }),
            },
        }
    }

    /// How many packages there are and the paths closest to `wanted`: a message never lists a
    /// large monorepo's packages on one line.
    pub fn packages_hint(&self, wanted: &str) -> String {
        // `gcf-utils` is closest to `packages/gcf-utils`: by its path, folder or component.
        let candidates = self.packages.iter().map(|p| {
            let folder = p.path.rsplit('/').next().unwrap_or(&p.path);
            let mut names = vec![p.path.as_str(), folder];
            names.extend(p.component.as_deref());
            (p.path.as_str(), names)
        });
        let closest: Vec<String> = crate::nearest(wanted, candidates, 3)
            .into_iter()
            .map(|p| format!("`{p}`"))
            .collect();
        let count = self.packages.len();
        match count {
            1 => format!("the configured package is {}", closest.join("")),
            2 | 3 => format!("the configured packages are {}", closest.join(", ")),
            _ => format!(
                "{count} packages are configured; the closest are {}",
                closest.join(", ")
            ),
        }
    }
}

/// How a message names a package's options: `packages."api":`, or nothing for the root.
fn package_label(path: &str) -> String {
    if path == "." {
        String::new()
    } else {
        format!("packages.\"{path}\": ")
    }
}

fn normalize_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    let trimmed = trimmed.strip_prefix("./").unwrap_or(trimmed);
    if trimmed.is_empty() {
        ".".into()
    } else {
        trimmed.into()
    }
}

/// The key names release-please documents that Tidegate reads.
const RELEASE_PLEASE_KEYS: &[&str] = &[
    "release-type",
    "versioning",
    "prerelease",
    "prerelease-type",
    "bump-minor-pre-major",
    "bump-patch-for-minor-pre-major",
    "initial-version",
    "release-as",
    "changelog-sections",
    "include-v-in-tag",
    "include-component-in-tag",
    "tag-separator",
    // Tidegate's own (git-cliff's knobs); release-please does not read them.
    "tag-pattern",
    "ignore-tags",
    "skip-tags",
    "component",
    "package-name",
    "changelog-path",
    "skip-changelog",
    "version-file",
    "extra-files",
];

/// release-please's `plugins`: `linked-versions` groups and `node-workspace` are read;
/// `cargo-workspace` is what Tidegate always does; others are reported as not supported.
fn release_please_plugins(
    plugins: Option<&serde_json::Value>,
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<Plugins, ConfigError> {
    let mut groups = Vec::new();
    let mut node_workspace = None;
    let mut sentence_case = None;
    let Some(plugins) = plugins else {
        return Ok((groups, node_workspace, sentence_case));
    };
    let list = plugins
        .as_array()
        .ok_or_else(|| ConfigError::invalid(file, "`plugins` must be a list"))?;
    for plugin in list {
        let kind = plugin
            .as_str()
            .or_else(|| plugin.get("type").and_then(|t| t.as_str()))
            .unwrap_or_default();
        match kind {
            "cargo-workspace" => {}
            "sentence-case" => {
                // release-please's default special words, kept as written.
                let words = plugin
                    .get("specialWords")
                    .and_then(|w| w.as_array())
                    .map(|w| {
                        w.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_else(|| vec!["gRPC".to_string(), "npm".to_string()]);
                sentence_case = Some(words);
            }
            "node-workspace" => {
                node_workspace = Some(node_workspace_options(plugin, file, warnings)?);
            }
            "linked-versions" => {
                let group = plugin
                    .get("groupName")
                    .and_then(|g| g.as_str())
                    .unwrap_or("linked")
                    .to_string();
                let components: Vec<String> = plugin
                    .get("components")
                    .and_then(|c| c.as_array())
                    .map(|c| {
                        c.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                if components.is_empty() {
                    return Err(ConfigError::invalid(
                        file,
                        format!("the linked-versions plugin `{group}` lists no `components`"),
                    ));
                }
                groups.push(LinkedVersions { group, components });
            }
            other => warnings.push(format!(
                "{file}: plugin `{other}` is not supported yet, so ignored"
            )),
        }
    }
    Ok((groups, node_workspace, sentence_case))
}

/// What the `plugins` list configures: linked-version groups, the npm workspace cascade, and the
/// sentence-case plugin's special words.
type Plugins = (
    Vec<LinkedVersions>,
    Option<NodeWorkspace>,
    Option<Vec<String>>,
);

/// The `node-workspace` plugin's options (an entry that is only the name has the defaults).
fn node_workspace_options(
    plugin: &serde_json::Value,
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<NodeWorkspace, ConfigError> {
    let mut options = NodeWorkspace::default();
    let Some(object) = plugin.as_object() else {
        return Ok(options);
    };
    for (key, value) in object {
        let flag = || {
            value.as_bool().ok_or_else(|| {
                ConfigError::invalid(
                    file,
                    format!("the node-workspace plugin's `{key}` must be true or false"),
                )
            })
        };
        match key.as_str() {
            "type" => {}
            "updateAllPackages" => options.update_all_packages = flag()?,
            "updatePeerDependencies" => options.update_peer_dependencies = flag()?,
            // `merge` puts every package in one pull request, which is what one `bump apply`
            // writes anyway; release-please itself never reads `alwaysLinkLocal`.
            "merge" | "alwaysLinkLocal" => {
                flag()?;
            }
            other => warnings.push(format!(
                "{file}: the node-workspace plugin's `{other}` is not supported yet, so ignored"
            )),
        }
    }
    Ok(options)
}

/// Reads release-please's options from one JSON object, warning about keys not supported yet.
fn release_please_options(
    object: &serde_json::Map<String, serde_json::Value>,
    prefix: &str,
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<Options, ConfigError> {
    let mut known = serde_json::Map::new();
    let mut unsupported = Vec::new();
    for (key, value) in object {
        if RELEASE_PLEASE_KEYS.contains(&key.as_str()) {
            known.insert(key.clone(), value.clone());
        } else if !(prefix.is_empty()
            && matches!(
                key.as_str(),
                "packages" | "plugins" | "$schema" | "bootstrap-sha"
            ))
        {
            unsupported.push(format!("{prefix}{key}"));
        }
    }
    if !unsupported.is_empty() {
        warnings.push(format!(
            "{file}: not supported yet, so ignored: {}",
            unsupported.join(", ")
        ));
    }
    // A release type Tidegate does not know yet behaves as "simple", with a warning.
    if let Some(serde_json::Value::String(kind)) = known.get("release-type") {
        if ReleaseType::from_release_please(kind).is_none() {
            warnings.push(format!(
                "{file}: {prefix}release-type `{kind}` is not supported yet; treated as `simple`"
            ));
            known.insert("release-type".into(), "simple".into());
        }
    }
    serde_json::from_value(serde_json::Value::Object(known)).map_err(|e| {
        ConfigError::invalid(file, format!("{prefix}{}", plain_message(&e.to_string())))
    })
}

/// Settles one package's options over the repository-wide ones.
fn settle(
    path: &str,
    defaults: &Options,
    own: &Options,
    manifest_version: Option<semver::Version>,
    file: &str,
    fallback_type: ReleaseType,
) -> Result<PackageConfig, ConfigError> {
    macro_rules! pick {
        ($field:ident) => {
            own.$field.clone().or_else(|| defaults.$field.clone())
        };
    }
    let written_path = path.to_string();
    let path = package_path(path, file)?;
    let release_type = pick!(release_type).unwrap_or(fallback_type);
    let parse_version = |key: &str,
                         value: Option<String>|
     -> Result<Option<semver::Version>, ConfigError> {
        value
            .map(|v| {
                semver::Version::parse(v.trim_start_matches('v')).map_err(|_| {
                    ConfigError::invalid(
                        file,
                        format!("`{key}` is `{v}`, which is not a semantic version such as 1.2.3"),
                    )
                })
            })
            .transpose()
    };
    let rules = VersionRules {
        strategy: pick!(versioning).unwrap_or_default(),
        prerelease: pick!(prerelease),
        prerelease_type: pick!(prerelease_type),
        bump_minor_pre_major: pick!(bump_minor_pre_major).unwrap_or(false),
        bump_patch_for_minor_pre_major: pick!(bump_patch_for_minor_pre_major).unwrap_or(false),
        initial_version: parse_version("initial-version", pick!(initial_version))?,
        release_as: parse_version("release-as", pick!(release_as))?,
        first_release: match release_type {
            ReleaseType::Rust | ReleaseType::Python => semver::Version::new(0, 1, 0),
            _ => semver::Version::new(1, 0, 0),
        },
    };
    let separator = pick!(tag_separator).unwrap_or_else(|| "-".into());
    if !is_tag_separator(&separator) {
        return Err(ConfigError::invalid(
            file,
            format!(
                "`tag-separator` is `{}`; use one character a git tag may hold between the component and the version, such as \"-\" or \"/\"",
                separator.escape_debug()
            ),
        ));
    }
    let filter = TagFilter {
        pattern: pick!(tag_pattern),
        ignore: pick!(ignore_tags),
        skip: pick!(skip_tags),
    };
    filter
        .compile()
        .map_err(|e| ConfigError::invalid(file, format!("{}{e}", package_label(&path))))?;
    let extra_files = pick!(extra_files)
        .unwrap_or_default()
        .iter()
        .map(|entry| extra_file(entry, &path, file))
        .collect::<Result<_, _>>()?;
    let changelog_path = match pick!(skip_changelog) {
        Some(true) => None,
        _ => Some(pick!(changelog_path).unwrap_or_else(|| "CHANGELOG.md".into())),
    };
    Ok(PackageConfig {
        release_type,
        rules,
        sections: pick!(changelog_sections).unwrap_or_else(|| sections_for(release_type)),
        tag: TagFormat {
            component: None,
            separator,
            include_v: pick!(include_v_in_tag).unwrap_or(true),
            filter,
        },
        manifest_version,
        bootstrap_sha: None,
        sentence_case: None,
        // A component of "" means none (release-please's way to keep a root package's tags bare).
        component: own.component.clone().or_else(|| {
            // A component set at the top level applies to the root package only.
            defaults.component.clone().filter(|_| path == ".")
        }),
        include_component_in_tag: pick!(include_component_in_tag).unwrap_or(true),
        derive_component: false,
        name_from_path: false,
        git_reverts: true,
        package_name: own
            .package_name
            .clone()
            .or_else(|| defaults.package_name.clone().filter(|_| path == ".")),
        changelog_path,
        version_file: pick!(version_file),
        extra_files,
        path,
        written_path,
    })
}

/// A package's folder, relative to the repository root: never absolute, never above the root.
fn package_path(path: &str, file: &str) -> Result<String, ConfigError> {
    let normalized = normalize_path(path);
    let escapes = path.starts_with('/')
        || path.contains('\\')
        || normalized.split('/').any(|part| part == "..");
    if escapes || normalized.chars().any(char::is_control) {
        return Err(ConfigError::invalid(
            file,
            format!(
                "package path `{}` is not a folder inside the repository; write it relative to the repository root, without `..` (such as \"packages/api\")",
                path.escape_debug()
            ),
        ));
    }
    Ok(normalized)
}

/// One punctuation character that git allows in a tag name (not `:`, `~`, `^`, `?`, `*`, `[`
/// or `\\`): what tags are read with, so what they may be written with.
fn is_tag_separator(separator: &str) -> bool {
    let mut chars = separator.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some(c), None) if c.is_ascii_punctuation() && !matches!(c, ':' | '~' | '^' | '?' | '*' | '[' | '\\')
    )
}

/// Reads one `extra-files` entry, checking its type and key path.
fn extra_file(
    entry: &ExtraFileOption,
    package: &str,
    file: &str,
) -> Result<ExtraFile, ConfigError> {
    use crate::versionfile::{FileKind, KeyPath};
    let invalid = |message: String| {
        ConfigError::invalid(
            file,
            format!("packages.\"{package}\" extra-files: {message}"),
        )
    };
    let (path, kind) = match entry {
        ExtraFileOption::Path(path) => (path.clone(), FileKind::Generic),
        ExtraFileOption::Typed(typed) => {
            let key_path = || -> Result<KeyPath, ConfigError> {
                let text = typed.jsonpath.as_deref().ok_or_else(|| {
                    invalid(format!(
                        "`{}` has type `{}` but no `jsonpath`; add one such as \"$.version\"",
                        typed.path, typed.kind
                    ))
                })?;
                text.parse()
                    .map_err(|e: String| invalid(format!("`{}`: {e}", typed.path)))
            };
            let kind = match typed.kind.as_str() {
                "generic" => FileKind::Generic,
                "json" => FileKind::Json(key_path()?),
                "yaml" => FileKind::Yaml(key_path()?),
                "toml" => FileKind::Toml(key_path()?),
                other => {
                    return Err(invalid(format!(
                        "`{}` has type `{other}`, which Tidegate cannot update; use json, yaml, toml, or generic markers",
                        typed.path
                    )));
                }
            };
            (typed.path.clone(), kind)
        }
    };
    if path.trim_matches('/').is_empty() {
        return Err(invalid("an entry has an empty path".into()));
    }
    Ok(ExtraFile { path, kind })
}

/// The default sections of a release type: release-please's `python` strategy has its own
/// (Dependencies and Documentation shown); every other type Tidegate supports uses the defaults.
pub fn sections_for(release_type: ReleaseType) -> Vec<ChangelogSection> {
    match release_type {
        ReleaseType::Python => python_sections(),
        _ => default_sections(),
    }
}

fn section(kind: &str, title: &str, hidden: bool) -> ChangelogSection {
    ChangelogSection {
        kind: kind.into(),
        section: title.into(),
        hidden,
    }
}

/// release-please's `python` strategy's sections (`strategies/python.js`).
fn python_sections() -> Vec<ChangelogSection> {
    vec![
        section("feat", "Features", false),
        section("fix", "Bug Fixes", false),
        section("perf", "Performance Improvements", false),
        section("deps", "Dependencies", false),
        section("revert", "Reverts", false),
        section("docs", "Documentation", false),
        section("style", "Styles", true),
        section("chore", "Miscellaneous Chores", true),
        section("refactor", "Code Refactoring", true),
        section("test", "Tests", true),
        section("build", "Build System", true),
        section("ci", "Continuous Integration", true),
    ]
}

/// release-please's default sections.
pub fn default_sections() -> Vec<ChangelogSection> {
    vec![
        section("feat", "Features", false),
        section("feature", "Features", false),
        section("fix", "Bug Fixes", false),
        section("perf", "Performance Improvements", false),
        section("revert", "Reverts", false),
        section("docs", "Documentation", true),
        section("style", "Styles", true),
        section("chore", "Miscellaneous Chores", true),
        section("refactor", "Code Refactoring", true),
        section("test", "Tests", true),
        section("build", "Build System", true),
        section("ci", "Continuous Integration", true),
        section("other", "Other Changes", true),
    ]
}

/// Turns a TOML error into one line with the file, the line and, for an unknown key, the nearest
/// known key.
fn toml_error(file: &str, text: &str, error: &toml_edit::de::Error) -> ConfigError {
    let line = error
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
        .unwrap_or(1);
    let message = error.message().trim();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let nearest = expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|known| (strsim::jaro_winkler(key, known), known))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let hint = match nearest {
            Some((_, known)) => format!("did you mean `{known}`?"),
            None => "the README lists every key".into(),
        };
        return ConfigError::UnknownKey {
            file: file.into(),
            line,
            key: key.into(),
            hint,
        };
    }
    let message = text
        .lines()
        .nth(line - 1)
        .and_then(unquoted_value)
        .unwrap_or_else(|| plain_message(message));
    ConfigError::Invalid {
        file: file.into(),
        location: format!(":{line}"),
        message,
    }
}

/// `key = word` with the quotes forgotten (`release-type = node`), which TOML reads as a
/// malformed number ("invalid float, expected `nan`"): say what to write instead.
fn unquoted_value(line: &str) -> Option<String> {
    let code = line.split('#').next()?;
    let (key, value) = code.split_once('=')?;
    let (key, value) = (key.trim(), value.trim());
    let bare = value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !matches!(value, "true" | "false" | "inf" | "nan");
    bare.then(|| format!("the value of `{key}` must be a quoted string: {key} = \"{value}\""))
}

/// serde's message for a malformed `extra-files` entry names a Rust type; say what to write.
fn plain_message(message: &str) -> String {
    if message.contains("untagged enum ExtraFileOption") {
        return "an `extra-files` entry is a path, or a table with `type`, `path` and `jsonpath` (no other keys)".into();
    }
    message.replace('\n', " ")
}

/// The JSON schema of `tidegate.toml`, as checked in at `schema/tidegate.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Options);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}
