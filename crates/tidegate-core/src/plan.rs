//! Which packages of a repository release, and at which version: each package's own decision,
//! then what other packages force on it (a Cargo path dependency or an npm workspace dependency
//! that moved, a linked group, a version shared through `[workspace.package]`), settled until
//! nothing changes.

use crate::commit::Change;
use crate::config::{LinkedVersions, PackageConfig};
use crate::version::{Bump, Decision, decide};
use semver::Version;
use serde::Serialize;

/// One package's facts going into the plan.
#[derive(Clone, Debug)]
pub struct Candidate<'a> {
    pub package: &'a PackageConfig,
    pub previous: Option<Version>,
    /// What its own commits decide.
    pub own: Decision,
    /// The workspace whose packages depend on each other by name: a Cargo workspace (always),
    /// or an npm one (release-please's `node-workspace` plugin).
    pub ecosystem: Option<Ecosystem>,
    /// Its name in that workspace (a crate's `[package] name`, an npm package's `name` with its
    /// scope) and the names it depends on there (by path for Cargo; any dependency for npm).
    pub name: Option<String>,
    pub dependencies: Vec<String>,
    /// Its Cargo.toml says `version.workspace = true`.
    pub inherits_workspace_version: bool,
    /// Released whenever any package of its workspace is (the `node-workspace` plugin's
    /// `updateAllPackages`).
    pub released_with_workspace: bool,
}

/// A kind of workspace whose packages depend on each other by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ecosystem {
    Cargo,
    Npm,
}

/// Why a package is released.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Reason {
    /// Its own commits.
    Commits,
    /// `--release-as` asked for this version.
    ReleaseAs,
    /// Packages of its workspace it depends on are released.
    Dependencies,
    /// Another package of its npm workspace is released (`updateAllPackages`).
    Workspace,
    /// Its linked-versions group (or the shared workspace version) moved.
    Linked { group: String },
}

/// A package of its workspace this package depends on, moving to a new version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DependencyUpdate {
    pub name: String,
    pub from: Option<String>,
    pub to: String,
}

/// A package being released.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    pub next: Version,
    pub bump: Bump,
    pub reasons: Vec<Reason>,
    pub dependency_updates: Vec<DependencyUpdate>,
}

/// The name of the group formed by crates sharing `[workspace.package] version`.
pub const WORKSPACE_GROUP: &str = "[workspace.package] version";

/// Settles the releases of every candidate. `selected` limits the packages released for their
/// own commits (and `release_as` to them); packages they force to move are added, because
/// leaving them behind would ship a workspace whose versions disagree.
pub fn settle(
    candidates: &[Candidate<'_>],
    linked: &[LinkedVersions],
    selected: &[usize],
    release_as: Option<&Version>,
) -> Result<Vec<Option<Release>>, crate::UsageError> {
    let mut releases: Vec<Option<Release>> = vec![None; candidates.len()];
    for &i in selected {
        let candidate = &candidates[i];
        releases[i] = match release_as {
            Some(version) => Some(Release {
                next: version.clone(),
                bump: Bump::ReleaseAs,
                reasons: vec![Reason::ReleaseAs],
                dependency_updates: Vec::new(),
            }),
            None => candidate.own.next.clone().map(|next| Release {
                next,
                bump: candidate.own.bump,
                reasons: vec![Reason::Commits],
                dependency_updates: Vec::new(),
            }),
        };
    }
    let groups = groups(candidates, linked)?;
    // Each pass can only add releases or raise versions, so it ends within a pass per package.
    for _ in 0..=candidates.len() {
        let mut changed = false;
        for (i, candidate) in candidates.iter().enumerate() {
            let updates: Vec<DependencyUpdate> = candidate
                .dependencies
                .iter()
                .filter_map(|dep| {
                    let j = candidates.iter().position(|c| {
                        c.ecosystem.is_some()
                            && c.ecosystem == candidate.ecosystem
                            && c.name.as_deref() == Some(dep.as_str())
                    })?;
                    let release = releases[j].as_ref()?;
                    Some(DependencyUpdate {
                        name: dep.clone(),
                        from: candidates[j].previous.as_ref().map(ToString::to_string),
                        to: release.next.to_string(),
                    })
                })
                .collect();
            if updates.is_empty() {
                continue;
            }
            if releases[i].is_none() {
                changed = true;
                releases[i] = Some(Release {
                    next: dependency_bump(candidate)?,
                    bump: Bump::Patch,
                    reasons: Vec::new(),
                    dependency_updates: Vec::new(),
                });
            }
            let Some(release) = releases[i].as_mut() else {
                continue;
            };
            if release.dependency_updates != updates {
                release.dependency_updates = updates;
                changed = true;
            }
            if !release.reasons.contains(&Reason::Dependencies) {
                release.reasons.push(Reason::Dependencies);
            }
        }
        // `updateAllPackages`: one package of the workspace released releases them all.
        let workspace_moves = candidates
            .iter()
            .zip(&releases)
            .any(|(c, r)| c.released_with_workspace && r.is_some());
        for (i, candidate) in candidates.iter().enumerate() {
            if workspace_moves && candidate.released_with_workspace && releases[i].is_none() {
                releases[i] = Some(Release {
                    next: dependency_bump(candidate)?,
                    bump: Bump::Patch,
                    reasons: vec![Reason::Workspace],
                    dependency_updates: Vec::new(),
                });
                changed = true;
            }
        }
        for (name, members) in &groups {
            let Some(highest) = members
                .iter()
                .filter_map(|&m| releases[m].as_ref().map(|r| &r.next))
                .max()
                .cloned()
            else {
                continue;
            };
            for &m in members {
                // Moving a member backwards (or re-releasing its version) is never right.
                if let Some(previous) = candidates[m].previous.as_ref().filter(|p| **p >= highest) {
                    return Err(crate::UsageError(format!(
                        "linked-versions group `{name}`: `{}` is already at {previous}, not below the group's next version {highest}; bring the group to one version first (for example with --release-as)",
                        candidates[m].package.path
                    )));
                }
                let reason = Reason::Linked {
                    group: name.clone(),
                };
                let release = releases[m].get_or_insert_with(|| Release {
                    next: highest.clone(),
                    bump: Bump::Minor,
                    reasons: Vec::new(),
                    dependency_updates: Vec::new(),
                });
                if release.next < highest {
                    release.next = highest.clone();
                    changed = true;
                }
                if !release.reasons.contains(&reason) {
                    release.reasons.push(reason);
                    changed = true;
                }
                release.bump = bump_between(candidates[m].previous.as_ref(), &release.next);
            }
        }
        if !changed {
            break;
        }
    }
    Ok(releases)
}

/// The version a package released only for its dependencies gets: what a fix would give it.
fn dependency_bump(candidate: &Candidate<'_>) -> Result<Version, crate::UsageError> {
    let fix = Change {
        kind: "fix".into(),
        ..Change::default()
    };
    decide(
        candidate.previous.as_ref(),
        std::slice::from_ref(&fix),
        &candidate.package.rules,
        |_| true,
    )
    .map(|d| {
        d.next
            .unwrap_or_else(|| candidate.package.rules.first_release.clone())
    })
}

fn bump_between(previous: Option<&Version>, next: &Version) -> Bump {
    match previous {
        None => Bump::Initial,
        Some(p) if p.major != next.major => Bump::Major,
        Some(p) if p.minor != next.minor => Bump::Minor,
        Some(p) if p.patch != next.patch || p.pre != next.pre => Bump::Patch,
        Some(_) => Bump::ReleaseAs,
    }
}

/// The linked groups by member position: configured groups (members named by component or
/// path), and the crates that share the workspace's version.
fn groups(
    candidates: &[Candidate<'_>],
    linked: &[LinkedVersions],
) -> Result<Vec<(String, Vec<usize>)>, crate::UsageError> {
    let mut out = Vec::new();
    for group in linked {
        let mut members = Vec::new();
        for name in &group.components {
            let found = candidates.iter().position(|c| {
                c.package.component.as_deref() == Some(name.as_str()) || c.package.path == *name
            });
            match found {
                Some(i) => members.push(i),
                None => {
                    return Err(crate::UsageError(format!(
                        "linked-versions group `{}` names `{name}`, which is no package's component or path",
                        group.group
                    )));
                }
            }
        }
        out.push((group.group.clone(), members));
    }
    let shared: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].inherits_workspace_version)
        .collect();
    if shared.len() > 1 {
        out.push((WORKSPACE_GROUP.to_string(), shared));
    }
    Ok(out)
}
