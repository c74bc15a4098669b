//! A release in the working tree: which files each released package's version lives in, every
//! edit computed in memory first, then written all or nothing.

use crate::pending::{Concern, ConcernKind, Pending};
use crate::safe_write::{FileWrite, WriteError, replace_files};
use crate::{GitError, History};
use git2::Oid;
use semver::Version;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use tidegate_core::changelog::{self, ReleaseHeading};
use tidegate_core::config::{
    Config, NodeWorkspace, PackageConfig, RELEASE_PLEASE_MANIFEST, ReleaseType,
};
use tidegate_core::links::Links;
use tidegate_core::plan::{self, Candidate, Ecosystem, Reason};
use tidegate_core::version::Bump;
use tidegate_core::versionfile::{
    CargoFacts, CrateVersions, FileError, FileKind, ValueEdit, WORKSPACE_VERSION, cargo_facts,
    npm_facts, read_version, set_version,
};

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// A file the release must edit is missing, unreadable or malformed (exit 2: the user fixes
    /// the file or the configuration).
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Git(#[from] GitError),
}

impl ReleaseError {
    pub fn is_usage(&self) -> bool {
        matches!(self, Self::File { .. } | Self::Config(_))
    }

    fn file(path: &str, message: impl Into<String>) -> Self {
        Self::File {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// What `bump apply` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Package paths to release (empty: every package with something to release).
    pub packages: Vec<String>,
    pub release_as: Option<Version>,
    /// The date for changelog headings, `YYYY-MM-DD`.
    pub date: String,
    /// Only the versions: no file is read beyond what decides them (`bump version`).
    pub versions_only: bool,
}

/// One package's part of the plan.
#[derive(Clone, Debug, Serialize)]
pub struct PackagePlan {
    pub path: String,
    pub component: Option<String>,
    pub previous: Option<String>,
    pub previous_tag: Option<String>,
    pub next: Option<String>,
    pub tag: Option<String>,
    pub bump: Bump,
    pub reasons: Vec<Reason>,
    pub commits: usize,
    pub changes: usize,
    pub dependency_updates: Vec<plan::DependencyUpdate>,
    /// Files this package's release edits (a shared file is listed under each package).
    pub files: Vec<String>,
}

/// A file the release writes.
#[derive(Clone, Debug, Serialize)]
pub struct FileChange {
    pub path: String,
    pub created: bool,
    pub edits: Vec<Edit>,
    #[serde(skip)]
    pub before: String,
    #[serde(skip)]
    pub after: String,
}

/// One value changed in a file, and for which package.
#[derive(Clone, Debug, Serialize)]
pub struct Edit {
    pub package: String,
    #[serde(flatten)]
    pub value: ValueEdit,
}

/// Everything a release changes in the working tree.
#[derive(Serialize)]
pub struct ReleasePlan {
    pub packages: Vec<PackagePlan>,
    pub files: Vec<FileChange>,
    #[serde(skip)]
    pub pending: Vec<Pending>,
    /// What may be wrong with the packages' versions; the caller decides what stops it.
    #[serde(skip)]
    pub concerns: Vec<Concern>,
}

impl ReleasePlan {
    /// The first concern that stops a release of these packages (all of them when empty).
    pub fn refusal(&self, packages: &[&str], allow_full_history: bool) -> Option<&Concern> {
        self.concerns.iter().find(|c| {
            c.refuses(allow_full_history)
                && (packages.is_empty()
                    || c.packages.iter().any(|p| packages.contains(&p.as_str())))
        })
    }
}

impl ReleasePlan {
    /// The packages being released.
    pub fn released(&self) -> impl Iterator<Item = &PackagePlan> {
        self.packages.iter().filter(|p| p.next.is_some())
    }
}

/// A file to edit for one package, and what it must hold.
struct Task {
    path: String,
    kind: FileKind,
    /// Configured files must exist and hold a version; a release type's usual files are
    /// updated when they exist.
    required: bool,
}

/// Computes the release of `target` in memory: versions, notes and every file edit. Nothing is
/// written; a missing or malformed file fails the whole plan.
pub fn plan_release(
    history: &History,
    config: &Config,
    target: Oid,
    request: &Request,
) -> Result<ReleasePlan, ReleaseError> {
    if history.is_bare() && !request.versions_only {
        return Err(ReleaseError::Config(format!(
            "{} is a bare repository, which has no working tree to write the release into; run in a checkout (`git clone`, or `git worktree add`)",
            history.root().display()
        )));
    }
    let root = history.root().to_path_buf();
    if !request.versions_only {
        check_changelogs_apart(config)?;
    }
    let pending = Pending::all(history, config, target)?;
    let selected = selection(config, &request.packages)?;
    let mut concerns = crate::pending::concerns(history, config, &pending, target)?;

    // Cargo facts of every Rust package, for the dependency cascade.
    let workspace = CargoWorkspace::find(&root, config)?;
    let mut candidates = Vec::with_capacity(config.packages.len());
    // Crates that inherit a workspace version no workspace sets (their Cargo.toml).
    let mut orphans: Vec<Option<String>> = Vec::with_capacity(config.packages.len());
    for (package, facts) in config.packages.iter().zip(&pending) {
        let cargo = match package.release_type {
            // A missing manifest is reported by its update, below.
            ReleaseType::Rust => {
                let path = join(&package.path, "Cargo.toml")?;
                match read_optional(&root, &path)? {
                    Some(text) => Some(
                        cargo_facts(&text).map_err(|e| ReleaseError::file(&path, e.to_string()))?,
                    ),
                    None => None,
                }
            }
            _ => None,
        };
        // With the node-workspace plugin, node packages depend on each other by name.
        let npm = match (package.release_type, config.node_workspace) {
            (ReleaseType::Node, Some(options)) => {
                let path = join(&package.path, "package.json")?;
                match read_optional(&root, &path)? {
                    Some(text) => Some(
                        npm_facts(&text, options.update_peer_dependencies)
                            .map_err(|e| ReleaseError::file(&path, e.to_string()))?,
                    ),
                    None => None,
                }
            }
            _ => None,
        };
        orphans.push(
            cargo
                .as_ref()
                .filter(|c| c.inherits_version && !workspace.shared_version)
                .map(|_| join(&package.path, "Cargo.toml"))
                .transpose()?,
        );
        let (ecosystem, name, dependencies) = match (&cargo, npm) {
            (Some(c), _) => (
                Some(Ecosystem::Cargo),
                c.name.clone(),
                workspace.path_dependencies(c),
            ),
            (None, Some(n)) => (Some(Ecosystem::Npm), n.name, n.dependencies),
            (None, None) => (None, None, Vec::new()),
        };
        candidates.push(Candidate {
            package,
            previous: facts.previous_version.clone(),
            own: facts.decision.clone(),
            released_with_workspace: ecosystem == Some(Ecosystem::Npm)
                && config.node_workspace.is_some_and(|w| w.update_all_packages),
            ecosystem,
            name,
            dependencies,
            // A virtual workspace's root package is its shared version.
            inherits_workspace_version: cargo
                .as_ref()
                .is_some_and(|c| c.inherits_version || (c.name.is_none() && c.workspace.is_some())),
        });
    }
    let releases = plan::settle(
        &candidates,
        &config.linked_versions,
        &selected,
        request.release_as.as_ref(),
    )
    .map_err(|e| ReleaseError::Config(e.0))?;
    for ((package, facts), release) in config.packages.iter().zip(&pending).zip(&releases) {
        if let Some(release) = release {
            concerns.extend(existing_tag(
                history,
                package,
                facts,
                &release.next,
                release.bump,
            )?);
            if let Some(previous) = facts
                .previous_version
                .as_ref()
                .filter(|p| release.next < **p)
            {
                concerns.push(Concern {
                    packages: vec![package.path.clone()],
                    message: format!(
                        "package `{}` is released as {}, lower than its previous release {previous}: versions go backwards (is the `release-as` right?)",
                        package.path, release.next
                    ),
                    kind: ConcernKind::Warning,
                });
            }
        }
    }
    if !request.versions_only {
        if let Some(path) = orphans
            .iter()
            .zip(&releases)
            .find_map(|(orphan, release)| orphan.as_ref().filter(|_| release.is_some()))
        {
            return Err(ReleaseError::file(
                path,
                "has `version.workspace = true`, but the repository's root Cargo.toml has no [workspace.package] version to set; add one there, or give the crate its own version",
            ));
        }
    }

    let mut crates: CrateVersions = CrateVersions::new();
    // The npm workspace's packages being released, by name (node-workspace only).
    let mut npm: CrateVersions = CrateVersions::new();
    for (candidate, release) in candidates.iter().zip(&releases) {
        let Some(release) = release else { continue };
        if let Some(name) = &candidate.name {
            match candidate.ecosystem {
                Some(Ecosystem::Cargo) => crates.insert(name.clone(), release.next.clone()),
                Some(Ecosystem::Npm) => npm.insert(name.clone(), release.next.clone()),
                None => None,
            };
        }
        // Crates sharing `[workspace.package] version` are one linked group: one version.
        if candidate.inherits_workspace_version {
            crates.insert(WORKSPACE_VERSION.to_string(), release.next.clone());
        }
    }
    // A root `rust` package whose Cargo.toml is the workspace releases every member crate that
    // is not a package of its own at its version, as release-please's rust strategy does: their
    // `[package] version`, the path-dependency requirements on them and their lock entries.
    for (candidate, release) in candidates.iter().zip(&releases) {
        let (Some(release), ReleaseType::Rust, ".") = (
            release,
            candidate.package.release_type,
            candidate.package.path.as_str(),
        ) else {
            continue;
        };
        for (dir, name) in &workspace.members {
            if !config.packages.iter().any(|p| p.path == *dir) {
                crates
                    .entry(name.clone())
                    .or_insert_with(|| release.next.clone());
            }
        }
    }

    // Every file edit, in memory, in order: later edits of a shared file see earlier ones.
    let mut files = Files::new(&root);
    let mut package_plans = Vec::with_capacity(config.packages.len());
    let links = history.remote_url().as_deref().and_then(Links::from_remote);
    for (i, (package, facts)) in config.packages.iter().zip(&pending).enumerate() {
        let release = releases[i].as_ref();
        let mut plan = PackagePlan {
            path: package.path.clone(),
            component: package.component.clone(),
            previous: facts.previous_version.as_ref().map(ToString::to_string),
            previous_tag: facts.previous.as_ref().map(|t| t.name.clone()),
            next: release.map(|r| r.next.to_string()),
            tag: release.map(|r| package.tag.tag_name(&r.next)),
            bump: release.map_or(Bump::None, |r| r.bump),
            reasons: release.map(|r| r.reasons.clone()).unwrap_or_default(),
            commits: facts.commits.commits.len(),
            changes: facts.analysis.changes.len(),
            dependency_updates: release
                .map(|r| r.dependency_updates.clone())
                .unwrap_or_default(),
            files: Vec::new(),
        };
        if let Some(release) = release.filter(|_| !request.versions_only) {
            let tasks = tasks(
                &root,
                package,
                &workspace,
                &candidates[i],
                config.node_workspace,
            )?;
            for task in tasks {
                let versions = if task.kind.is_npm() { &npm } else { &crates };
                if files.apply(&task, &release.next, versions, &package.path)? {
                    plan.files.push(task.path.clone());
                }
            }
            if let Some(changelog_path) = &package.changelog_path {
                let path = resolve(&package.path, changelog_path)?;
                let mut notes = changelog::build(
                    ReleaseHeading {
                        version: release.next.to_string(),
                        tag: plan.tag.clone(),
                        previous_tag: plan.previous_tag.clone(),
                        date: request.date.clone(),
                    },
                    &facts.analysis.changes,
                    facts.commits.commits.len(),
                    package,
                    links.as_ref(),
                );
                notes.dependencies = release.dependency_updates.clone();
                let section = changelog::render_markdown(&notes);
                files.prepend_changelog(&path, &section, &release.next, &package.path)?;
                plan.files.push(path);
            }
        }
        package_plans.push(plan);
    }
    // The release-please manifest records each released package's new version.
    if config.source.ends_with(".json") {
        let path = Path::new(&config.source)
            .parent()
            .map(|p| p.join(RELEASE_PLEASE_MANIFEST))
            .and_then(|p| p.strip_prefix(&root).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from(RELEASE_PLEASE_MANIFEST));
        let path = path.to_string_lossy().into_owned();
        let released: Vec<(String, String)> = package_plans
            .iter()
            .filter_map(|p| Some((p.path.clone(), p.next.clone()?)))
            .collect();
        if !released.is_empty() && !request.versions_only {
            files.set_manifest(&path, &released)?;
        }
    }
    Ok(ReleasePlan {
        packages: package_plans,
        files: files.into_changes(),
        pending,
        concerns,
    })
}

/// A release whose tag exists already: it was released before (on another branch, or this
/// branch does not reach it), and a second release of it cannot be right.
fn existing_tag(
    history: &History,
    package: &PackageConfig,
    facts: &Pending,
    next: &Version,
    bump: Bump,
) -> Result<Option<Concern>, ReleaseError> {
    let Some(existing) = facts.tag_of(history, package, next)? else {
        return Ok(None);
    };
    let newest = facts
        .tags
        .tags
        .iter()
        .chain(&facts.tags.uncounted)
        .filter(|t| t.version.pre.is_empty())
        .max_by(|a, b| a.version.cmp(&b.version));
    let hint = match newest {
        _ if facts.previous.as_ref().is_some_and(|p| p.name == existing) => {
            "that is HEAD's previous release; a new release needs a higher version".to_string()
        }
        Some(newest) if newest.version >= *next => {
            let v = &newest.version;
            let free = match bump {
                Bump::Major => Version::new(v.major.saturating_add(1), 0, 0),
                Bump::Minor => Version::new(v.major, v.minor.saturating_add(1), 0),
                _ => Version::new(v.major, v.minor, v.patch.saturating_add(1)),
            };
            format!(
                "the package's newest release is `{}`; if this branch continues it, release {free} (`bump apply --release-as {free}`, or `release-as` in the configuration), else release from the branch that has `{existing}`",
                newest.name
            )
        }
        _ => "pass --release-as with a version not released yet".to_string(),
    };
    let previous = facts
        .previous
        .as_ref()
        .map_or_else(|| "no release".to_string(), |t| format!("`{}`", t.name));
    Ok(Some(Concern {
        packages: vec![package.path.clone()],
        message: format!(
            "package `{}` would be released as {next}, but tag `{existing}` exists already (HEAD reaches {previous} as its previous release); {hint}",
            package.path
        ),
        kind: ConcernKind::ExistingTag,
    }))
}

/// Refuses two packages writing their notes into one changelog: each run would insert one
/// section above the other's and, run again, repeat the one that is no longer on top.
fn check_changelogs_apart(config: &Config) -> Result<(), ReleaseError> {
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    for package in &config.packages {
        let Some(configured) = &package.changelog_path else {
            continue;
        };
        let path = resolve(&package.path, configured)?;
        if let Some(first) = owners.insert(path.clone(), &package.path) {
            return Err(ReleaseError::Config(format!(
                "packages `{first}` and `{}` both write their notes into {path}; give each its own changelog-path, or set skip-changelog = true on one",
                package.path
            )));
        }
    }
    Ok(())
}

/// The packages asked for by path, or all of them.
fn selection(config: &Config, asked: &[String]) -> Result<Vec<usize>, ReleaseError> {
    if asked.is_empty() {
        return Ok((0..config.packages.len()).collect());
    }
    asked
        .iter()
        .map(|path| {
            let wanted = config
                .package(Some(path))
                .map_err(|e| ReleaseError::Config(e.to_string()))?;
            Ok(config
                .packages
                .iter()
                .position(|p| p.path == wanted.path)
                .unwrap_or_default())
        })
        .collect()
}

/// The files a release type keeps its version in, plus the configured ones.
fn tasks(
    root: &Path,
    package: &PackageConfig,
    workspace: &CargoWorkspace,
    candidate: &Candidate<'_>,
    node_workspace: Option<NodeWorkspace>,
) -> Result<Vec<Task>, ReleaseError> {
    let at = |file: &str| join(&package.path, file);
    let task = |path: String, kind: FileKind, required: bool| Task {
        path,
        kind,
        required,
    };
    let mut out = Vec::new();
    match package.release_type {
        ReleaseType::Rust => {
            // A crate inheriting the workspace's version has none of its own to set.
            let own = at("Cargo.toml")?;
            out.push(task(
                own.clone(),
                FileKind::CargoManifest,
                !candidate.inherits_workspace_version,
            ));
            // The workspace's manifests and lock follow: each version field moves only for a
            // released crate (or the shared version), requirements for released dependencies.
            for manifest in &workspace.manifests {
                if *manifest != own {
                    out.push(task(manifest.clone(), FileKind::CargoManifest, false));
                }
            }
            let lock = workspace.lock.clone().unwrap_or(at("Cargo.lock")?);
            out.push(task(lock, FileKind::CargoLock, false));
        }
        ReleaseType::Node if node_workspace.is_some() => {
            // release-please's node-workspace: dependency ranges on released packages follow,
            // in package.json, the package's own lock files and the workspace's root lock.
            let peer_dependencies = node_workspace.is_some_and(|w| w.update_peer_dependencies);
            out.push(task(
                at("package.json")?,
                FileKind::NpmPackage { peer_dependencies },
                true,
            ));
            for lock in ["package-lock.json", "npm-shrinkwrap.json"] {
                out.push(task(at(lock)?, FileKind::NpmLock { own: true }, false));
            }
            if package.path != "." {
                out.push(task(
                    "package-lock.json".into(),
                    FileKind::NpmLock { own: false },
                    false,
                ));
            }
        }
        ReleaseType::Node => {
            out.push(task(at("package.json")?, FileKind::PackageJson, true));
            out.push(task(at("package-lock.json")?, FileKind::PackageLock, false));
            out.push(task(
                at("npm-shrinkwrap.json")?,
                FileKind::PackageLock,
                false,
            ));
        }
        ReleaseType::Python => {
            out.push(task(at("pyproject.toml")?, FileKind::Pyproject, false));
            out.push(task(at("setup.cfg")?, FileKind::SetupCfg, false));
            // release-please's usual places for `__version__`, by the project's name.
            let name = crate::checkout::name_in_files(root, package);
            if let Some(name) = name.map(|n| n.replace('-', "_")) {
                for file in [
                    format!("{name}/__init__.py"),
                    format!("src/{name}/__init__.py"),
                    format!("{name}/version.py"),
                ] {
                    out.push(task(at(&file)?, FileKind::PythonVersion, false));
                }
            }
        }
        ReleaseType::Helm => out.push(task(at("Chart.yaml")?, FileKind::HelmChart, true)),
        ReleaseType::Simple => {
            if package.version_file.is_none() {
                out.push(task(at("version.txt")?, FileKind::Plain, false));
                out.push(task(at("VERSION")?, FileKind::Plain, false));
            }
        }
        ReleaseType::Go => {}
    }
    if let Some(file) = &package.version_file {
        let kind = if file.ends_with(".py") {
            FileKind::PythonVersion
        } else {
            FileKind::Plain
        };
        out.push(task(resolve(&package.path, file)?, kind, true));
    }
    for extra in &package.extra_files {
        out.push(task(
            resolve(&package.path, &extra.path)?,
            extra.kind.clone(),
            true,
        ));
    }
    Ok(out)
}

/// The Cargo workspace the Rust packages live in: its manifests (root and members) and lock.
#[derive(Default)]
struct CargoWorkspace {
    /// Repository-relative paths of every manifest: the workspace root's first, then members'.
    manifests: Vec<String>,
    lock: Option<String>,
    /// The root's `[workspace.dependencies]` entries that have a path: (key, crate name).
    path_dependencies: Vec<(String, String)>,
    /// Every member crate other than the root: (folder, `[package] name`).
    members: Vec<(String, String)>,
    /// The root sets `[workspace.package] version`, which members may inherit.
    shared_version: bool,
}

impl CargoWorkspace {
    /// Reads the workspace at the repository root, when there are Rust packages and one exists.
    fn find(root: &Path, config: &Config) -> Result<Self, ReleaseError> {
        if !config
            .packages
            .iter()
            .any(|p| p.release_type == ReleaseType::Rust)
        {
            return Ok(Self::default());
        }
        let Some(text) = read_optional(root, "Cargo.toml")? else {
            return Ok(Self::default());
        };
        let facts =
            cargo_facts(&text).map_err(|e| ReleaseError::file("Cargo.toml", e.to_string()))?;
        let Some((members, exclude)) = facts.workspace.clone() else {
            return Ok(Self::default());
        };
        let mut manifests = vec!["Cargo.toml".to_string()];
        let mut names = Vec::new();
        let excluded: BTreeSet<String> = exclude.iter().map(|e| normalize(e)).collect();
        for pattern in members {
            let full = root.join(&pattern).join("Cargo.toml");
            let Ok(paths) = glob::glob(&full.to_string_lossy()) else {
                return Err(ReleaseError::file(
                    "Cargo.toml",
                    format!("workspace member pattern `{pattern}` is not a valid glob"),
                ));
            };
            for path in paths.flatten() {
                let Ok(relative) = path.strip_prefix(root) else {
                    continue;
                };
                let relative = relative.to_string_lossy().replace('\\', "/");
                let dir = relative.trim_end_matches("/Cargo.toml").to_string();
                if !excluded.contains(&dir) && !manifests.contains(&relative) {
                    let name = match read_optional(root, &relative)? {
                        Some(text) => {
                            cargo_facts(&text)
                                .map_err(|e| ReleaseError::file(&relative, e.to_string()))?
                                .name
                        }
                        None => None,
                    };
                    if let Some(name) = name {
                        names.push((dir, name));
                    }
                    manifests.push(relative);
                }
            }
        }
        let lock = root
            .join("Cargo.lock")
            .exists()
            .then(|| "Cargo.lock".to_string());
        let shared_version = "$.workspace.package.version"
            .parse()
            .is_ok_and(|path| read_version(&FileKind::Toml(path), &text).is_ok());
        Ok(Self {
            manifests,
            lock,
            path_dependencies: facts.workspace_path_dependencies,
            members: names,
            shared_version,
        })
    }

    /// The crates a member depends on by path, its `workspace = true` ones included.
    fn path_dependencies(&self, crate_facts: &CargoFacts) -> Vec<String> {
        let mut out = crate_facts.path_dependencies.clone();
        out.extend(crate_facts.inherited_dependencies.iter().filter_map(|d| {
            self.path_dependencies
                .iter()
                .find(|(key, _)| key == d)
                .map(|(_, name)| name.clone())
        }));
        out.sort();
        out.dedup();
        out
    }
}

/// The files of the plan: what each held before, and what it holds now.
struct Files<'a> {
    root: &'a Path,
    /// Path → (original text or None when created, current text, edits).
    texts: BTreeMap<String, (Option<String>, String, Vec<Edit>)>,
    /// Files known to be absent (optional ones are skipped).
    absent: BTreeSet<String>,
}

impl<'a> Files<'a> {
    fn new(root: &'a Path) -> Self {
        Self {
            root,
            texts: BTreeMap::new(),
            absent: BTreeSet::new(),
        }
    }

    /// The current text of a file, read once.
    fn text(&mut self, path: &str) -> Result<Option<String>, ReleaseError> {
        if let Some((_, current, _)) = self.texts.get(path) {
            return Ok(Some(current.clone()));
        }
        if self.absent.contains(path) {
            return Ok(None);
        }
        match read_optional(self.root, path)? {
            Some(text) => {
                self.texts.insert(
                    path.to_string(),
                    (Some(text.clone()), text.clone(), Vec::new()),
                );
                Ok(Some(text))
            }
            None => {
                self.absent.insert(path.to_string());
                Ok(None)
            }
        }
    }

    /// Refuses two packages setting one place to different versions (two packages listing the
    /// same file): one of them would silently lose.
    fn check_conflicts(
        &self,
        path: &str,
        edits: &[ValueEdit],
        package: &str,
    ) -> Result<(), ReleaseError> {
        let Some((_, _, earlier)) = self.texts.get(path) else {
            return Ok(());
        };
        for edit in edits {
            if let Some(other) = earlier.iter().find(|e| {
                e.package != package && e.value.location == edit.location && e.value.to != edit.to
            }) {
                return Err(ReleaseError::file(
                    path,
                    format!(
                        "{}: packages `{}` and `{package}` both set this version ({} and {}); list the file under one package, or link their versions",
                        edit.location, other.package, other.value.to, edit.to
                    ),
                ));
            }
        }
        Ok(())
    }

    fn store(&mut self, path: &str, text: String, edits: Vec<ValueEdit>, package: &str) {
        let entry = self
            .texts
            .entry(path.to_string())
            .or_insert_with(|| (None, String::new(), Vec::new()));
        entry.1 = text;
        entry.2.extend(edits.into_iter().map(|value| Edit {
            package: package.to_string(),
            value,
        }));
        self.absent.remove(path);
    }

    /// Sets the version in one file; false when an optional file is absent or holds none.
    fn apply(
        &mut self,
        task: &Task,
        version: &Version,
        crates: &CrateVersions,
        package: &str,
    ) -> Result<bool, ReleaseError> {
        let Some(text) = self.text(&task.path)? else {
            if task.required {
                return Err(ReleaseError::file(
                    &task.path,
                    format!(
                        "not found; the configuration says it holds the version of package `{package}`"
                    ),
                ));
            }
            return Ok(false);
        };
        // Cargo files (and a workspace's npm lock) move by package name; with none released
        // there is nothing to do.
        let by_name = matches!(
            task.kind,
            FileKind::CargoManifest | FileKind::CargoLock | FileKind::NpmLock { own: false }
        );
        if by_name && crates.is_empty() {
            return Ok(false);
        }
        match set_version(&task.kind, &text, version, crates) {
            Ok(updated) => {
                self.check_conflicts(&task.path, &updated.edits, package)?;
                let changed = !updated.edits.is_empty();
                self.store(&task.path, updated.text, updated.edits, package);
                Ok(changed || task.required)
            }
            Err(FileError::NoVersion { .. }) if !task.required => Ok(false),
            Err(e) => Err(ReleaseError::file(&task.path, e.to_string())),
        }
    }

    fn prepend_changelog(
        &mut self,
        path: &str,
        section: &str,
        version: &Version,
        package: &str,
    ) -> Result<(), ReleaseError> {
        let existing = self.text(path)?.unwrap_or_default();
        let text = changelog::prepend(&existing, section, &version.to_string());
        let edit = ValueEdit {
            location: "top".into(),
            from: String::new(),
            to: format!("release notes for {version}"),
        };
        self.store(path, text, vec![edit], package);
        Ok(())
    }

    fn set_manifest(
        &mut self,
        path: &str,
        released: &[(String, String)],
    ) -> Result<(), ReleaseError> {
        let Some(text) = self.text(path)? else {
            // A project converting from release-please without a manifest starts one.
            let mut map = serde_json::Map::new();
            for (package, version) in released {
                map.insert(package.clone(), version.clone().into());
            }
            let mut text = serde_json::to_string_pretty(&map).unwrap_or_default();
            text.push('\n');
            self.store(path, text, Vec::new(), ".");
            return Ok(());
        };
        let parse = jsonc_parser::ParseOptions::default();
        let document = jsonc_parser::cst::CstRootNode::parse(&text, &parse)
            .map_err(|e| ReleaseError::file(path, format!("is not valid JSON: {}", e.kind())))?;
        let object = document.object_value().ok_or_else(|| {
            ReleaseError::file(path, "expected an object of package paths to versions")
        })?;
        let mut edits = Vec::new();
        for (package, version) in released {
            let from = match object.get(package) {
                Some(prop) => {
                    let from = prop
                        .value()
                        .and_then(|v| v.as_string_lit())
                        .and_then(|s| s.decoded_value().ok())
                        .unwrap_or_default();
                    prop.set_value(jsonc_parser::json!(version.as_str()));
                    from
                }
                None => {
                    object.append(package, jsonc_parser::json!(version.as_str()));
                    String::new()
                }
            };
            edits.push(ValueEdit {
                location: format!("$[{package:?}]"),
                from,
                to: version.clone(),
            });
        }
        self.store(path, document.to_string(), edits, ".");
        Ok(())
    }

    fn into_changes(self) -> Vec<FileChange> {
        self.texts
            .into_iter()
            .filter(|(_, (before, after, _))| before.as_ref() != Some(after))
            .map(|(path, (before, after, edits))| FileChange {
                path,
                created: before.is_none(),
                edits,
                before: before.unwrap_or_default(),
                after,
            })
            .collect()
    }
}

/// Writes every change as one transaction of the safe writer: every file is written to a
/// temporary file beside it first, and only when all are written are they renamed into place.
/// Returns how many temporary files of an interrupted earlier run were removed.
pub fn write_all(root: &Path, changes: &[FileChange]) -> Result<usize, ReleaseError> {
    let files: Vec<FileWrite<'_>> = changes
        .iter()
        .map(|change| FileWrite {
            name: &change.path,
            path: root.join(&change.path),
            contents: change.after.as_bytes(),
        })
        .collect();
    Ok(replace_files(&files)?)
}

/// A path from the configuration: relative to the package, or to the repository root with a
/// leading "/". Paths that leave the repository are refused.
/// A package's changelog, relative to the repository root (`None` without one).
pub fn changelog_file(package: &PackageConfig) -> Result<Option<String>, ReleaseError> {
    package
        .changelog_path
        .as_deref()
        .map(|configured| resolve(&package.path, configured))
        .transpose()
}

fn resolve(package: &str, configured: &str) -> Result<String, ReleaseError> {
    match configured.strip_prefix('/') {
        Some(from_root) => join(".", from_root),
        None => join(package, configured),
    }
}

fn join(base: &str, file: &str) -> Result<String, ReleaseError> {
    let joined = Path::new(base).join(file);
    let mut parts: Vec<&str> = Vec::new();
    for component in joined.components() {
        match component {
            // Git's own files (`.git/config`), a submodule's included: never a release's.
            Component::Normal(part) if part.eq_ignore_ascii_case(".git") => {
                return Err(ReleaseError::Config(format!(
                    "`{file}` (package `{base}`) is inside the git directory; release files must be in the working tree"
                )));
            }
            Component::Normal(part) => parts.push(part.to_str().unwrap_or_default()),
            Component::CurDir => {}
            Component::ParentDir if parts.pop().is_some() => {}
            _ => {
                return Err(ReleaseError::Config(format!(
                    "`{file}` (package `{base}`) leaves the repository; version files must be inside it"
                )));
            }
        }
    }
    Ok(parts.join("/"))
}

fn normalize(path: &str) -> String {
    join(".", path).unwrap_or_else(|_| path.to_string())
}

fn read_optional(root: &Path, path: &str) -> Result<Option<String>, ReleaseError> {
    let full = root.join(path);
    check_inside(root, path, &full)?;
    // Reading a FIFO would wait forever, and a release never replaces a device.
    if full.metadata().is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return Err(ReleaseError::file(
            path,
            "is not a regular file (a device, FIFO or socket); release files must be regular files",
        ));
    }
    match std::fs::read(&full) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ReleaseError::file(path, "is not UTF-8 text")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
            Err(ReleaseError::file(path, "is a folder, not a file"))
        }
        Err(e) => Err(ReleaseError::file(
            path,
            format!("cannot be read: {}", e.kind()),
        )),
    }
}

/// Refuses a file that is a symbolic link (writing would replace the link, not its target), or
/// whose nearest existing folder leads outside the repository (a linked folder).
fn check_inside(root: &Path, path: &str, full: &Path) -> Result<(), ReleaseError> {
    if full
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(ReleaseError::Config(format!(
            "`{path}` is a symbolic link; name the file it points to in the configuration"
        )));
    }
    let outside = || {
        ReleaseError::Config(format!(
            "`{path}` leads outside the repository; version files must be inside it"
        ))
    };
    let real_root = root.canonicalize().map_err(|_| outside())?;
    let existing = full.ancestors().find(|p| p.exists()).unwrap_or(root);
    let real = existing.canonicalize().map_err(|_| outside())?;
    if real.starts_with(&real_root) {
        Ok(())
    } else {
        Err(outside())
    }
}

/// The version a package's files hold now, and the file that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub version: Version,
    pub file: String,
}

/// The version each package's files hold in the checkout: the release-please manifest's entry;
/// else the package's own version file (`Cargo.toml`, `package.json`, `pyproject.toml`,
/// `Chart.yaml`, `version.txt`, the configured `version-file`); else its changelog's newest
/// release heading. `None` for a package none of them names. A version file that exists but
/// holds no readable version is an error: a release cannot be judged from a broken file.
pub fn held_versions(
    history: &History,
    config: &Config,
) -> Result<Vec<Option<Held>>, ReleaseError> {
    let root = history.root();
    let manifest = config.source.ends_with(".json");
    let mut out = Vec::with_capacity(config.packages.len());
    for package in &config.packages {
        if manifest {
            out.push(package.manifest_version.clone().map(|version| Held {
                version,
                file: RELEASE_PLEASE_MANIFEST.to_string(),
            }));
            continue;
        }
        let at = |file: &str| join(&package.path, file);
        let mut files: Vec<(String, FileKind)> = Vec::new();
        if let Some(file) = &package.version_file {
            let kind = if file.ends_with(".py") {
                FileKind::PythonVersion
            } else {
                FileKind::Plain
            };
            files.push((resolve(&package.path, file)?, kind));
        }
        match package.release_type {
            ReleaseType::Rust => files.push((at("Cargo.toml")?, FileKind::CargoManifest)),
            ReleaseType::Node => files.push((at("package.json")?, FileKind::PackageJson)),
            ReleaseType::Python => {
                files.push((at("pyproject.toml")?, FileKind::Pyproject));
                files.push((at("setup.cfg")?, FileKind::SetupCfg));
                // A `dynamic` version lives in the package's `__version__`, where apply writes it.
                if let Some(name) = crate::checkout::name_in_files(root, package) {
                    let name = name.replace('-', "_");
                    for file in [
                        format!("{name}/__init__.py"),
                        format!("src/{name}/__init__.py"),
                        format!("{name}/version.py"),
                    ] {
                        files.push((at(&file)?, FileKind::PythonVersion));
                    }
                }
            }
            ReleaseType::Helm => files.push((at("Chart.yaml")?, FileKind::HelmChart)),
            ReleaseType::Simple => {
                files.push((at("version.txt")?, FileKind::Plain));
                files.push((at("VERSION")?, FileKind::Plain));
            }
            ReleaseType::Go => {}
        }
        let mut held = None;
        for (path, kind) in files {
            let Some(text) = read_optional(root, &path)? else {
                continue;
            };
            match read_version(&kind, &text) {
                Ok(version) => {
                    held = Some(Held {
                        version,
                        file: path,
                    });
                    break;
                }
                // A file without a version of its own (a `dynamic` version in pyproject.toml, a
                // crate that takes the workspace's): the next place says.
                Err(FileError::NoVersion { .. }) => continue,
                Err(e) => return Err(ReleaseError::file(&path, e.to_string())),
            }
        }
        if held.is_none() {
            if let Some(changelog_path) = &package.changelog_path {
                let path = resolve(&package.path, changelog_path)?;
                if let Some(text) = read_optional(root, &path)? {
                    held = newest_heading(&text).map(|version| Held {
                        version,
                        file: path,
                    });
                }
            }
        }
        out.push(held);
    }
    Ok(out)
}

/// The highest version a changelog's release headings name (`## [1.2.3](…)`, `## 1.2.3 (…)`):
/// the highest rather than the first, as old lerna `# [1.0.0]` entries can sit above newer ones.
fn newest_heading(text: &str) -> Option<Version> {
    text.lines()
        .filter_map(changelog::release_heading)
        .filter_map(|v| Version::parse(v).ok())
        .max()
}
