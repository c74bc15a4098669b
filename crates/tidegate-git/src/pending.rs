//! What is pending release on a branch: the facts gathered from history, settled by the core.

use crate::graph::{Graph, Owners};
use crate::{Commits, GitError, History, ReleaseTag, ReleaseTags};
use git2::Oid;
use semver::Version;
use tidegate_core::config::{Config, PackageConfig};
use tidegate_core::release::Analysis;
use tidegate_core::version::Decision;

/// The release that `target` would make for one package.
pub struct Pending {
    pub tags: ReleaseTags,
    pub previous: Option<ReleaseTag>,
    /// The previous release's version: its tag's, else the release-please manifest's.
    pub previous_version: Option<Version>,
    pub commits: Commits,
    pub analysis: Analysis,
    pub decision: Decision,
    /// Neither a release nor `bootstrap-sha` bounds the history: every commit since the
    /// repository's first counts.
    pub full_history: bool,
}

impl Pending {
    /// Gathers the facts for `target` (usually HEAD) and decides the next version.
    /// Every commit since the previous release counts, whatever it touches: for a repository
    /// with one package. [`Pending::all`] assigns commits to the packages of a monorepo.
    pub fn of(history: &History, package: &PackageConfig, target: Oid) -> Result<Self, GitError> {
        let tags = history.release_tags(&package.tag, package.rules.counts_prereleases())?;
        let baseline = history.baseline(target, &tags, false)?;
        let floor = history.floor(&baseline, package);
        let previous = baseline.tag.cloned();
        let commits = history.commits_hiding(target, &floor)?;
        Self::settle(package, tags, previous, commits, floor.is_empty())
    }

    /// What every configured package would release at `target`, in the configuration's order.
    /// Each package gets the commits since its own previous release that touch it: a commit
    /// belongs to the package whose path is the longest prefix of a file it changes (so it can
    /// belong to several), commits touching no package belong to the root package, if any, and
    /// empty commits to every package (see [`Owners::touched`] for release-please's rules).
    /// Tags are read once and history once, however many packages there are.
    pub fn all(history: &History, config: &Config, target: Oid) -> Result<Vec<Self>, GitError> {
        // With only a root package, every commit is its own: the plain walk is cheapest.
        if let [only] = config.packages.as_slice() {
            if only.path == "." {
                return Ok(vec![Self::of(history, only, target)?]);
            }
        }
        let all_tags = history.all_tags()?;
        let graph = Graph::load(history, target)?;
        let mut ranges = Vec::with_capacity(config.packages.len());
        for package in &config.packages {
            let tags =
                ReleaseTags::select(&all_tags, &package.tag, package.rules.counts_prereleases());
            let baseline = graph.baseline(&tags)?;
            let floor = history.floor(&baseline, package);
            let previous = baseline.tag.cloned();
            let range = graph.range(&floor);
            ranges.push((tags, previous, range, floor));
        }
        let owners = owners_of(config);
        let mut per_package: Vec<Vec<Oid>> = vec![Vec::new(); config.packages.len()];
        for (position, id) in graph.ids.iter().enumerate() {
            if !ranges.iter().any(|(_, _, range, _)| range[position]) {
                continue;
            }
            for package in owners.touched(history, *id)? {
                if ranges[package].2[position] {
                    per_package[package].push(*id);
                }
            }
        }
        let mut out = Vec::with_capacity(config.packages.len());
        for ((package, (tags, previous, _, floor)), ids) in
            config.packages.iter().zip(ranges).zip(per_package)
        {
            let commits = history.read_commits(&ids, &floor)?;
            let full_history = floor.is_empty();
            out.push(Self::settle(
                package,
                tags,
                previous,
                commits,
                full_history,
            )?);
        }
        Ok(out)
    }

    fn settle(
        package: &PackageConfig,
        tags: ReleaseTags,
        previous: Option<ReleaseTag>,
        commits: Commits,
        full_history: bool,
    ) -> Result<Self, GitError> {
        let analysis = Analysis::of(&commits.commits, package);
        // A project moving from release-please may have its version only in the manifest.
        let previous_version = previous.as_ref().map(|t| t.version.clone()).or_else(|| {
            package
                .manifest_version
                .clone()
                .filter(|v| *v != Version::new(0, 0, 0))
        });
        let decision = analysis.decide(previous_version.as_ref(), package)?;
        Ok(Self {
            tags,
            previous,
            previous_version,
            commits,
            analysis,
            decision,
            full_history,
        })
    }

    /// Why there is nothing to release, for a notice.
    pub fn nothing_to_release(&self) -> String {
        let since = self
            .previous
            .as_ref()
            .map_or("the first commit", |t| t.name.as_str());
        let count = self.commits.commits.len();
        let commits = if count == 1 { "commit" } else { "commits" };
        format!("nothing to release since {since}: {count} {commits}, none user-facing")
    }

    /// The tag the next release would get.
    pub fn next_tag(&self, package: &PackageConfig) -> Option<String> {
        self.decision.next.as_ref().map(|v| package.tag.tag_name(v))
    }
}

/// Who owns which commit, by the configuration's rule for the root package.
fn owners_of(config: &Config) -> Owners {
    Owners::new(
        config.packages.iter().map(|p| p.path.as_str()),
        config.root_takes_all,
    )
}

/// Keeps only the commits that touch one package of a monorepo (longest-prefix rule, as
/// [`Pending::all`]); a repository whose only package is the root keeps them all.
pub fn keep_package_commits(
    history: &History,
    config: &Config,
    package: &PackageConfig,
    commits: &mut Commits,
) -> Result<(), GitError> {
    if matches!(config.packages.as_slice(), [only] if only.path == ".") {
        return Ok(());
    }
    let Some(index) = config.packages.iter().position(|p| p.path == package.path) else {
        return Ok(());
    };
    let owners = owners_of(config);
    let mut kept = Vec::with_capacity(commits.commits.len());
    for commit in std::mem::take(&mut commits.commits) {
        let id = Oid::from_str(&commit.id)?;
        if owners.touched(history, id)?.contains(&index) {
            kept.push(commit);
        }
    }
    commits.commits = kept;
    Ok(())
}

/// Something about a package's baseline that makes its version doubtful.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Concern {
    /// The packages it is about.
    pub packages: Vec<String>,
    pub message: String,
    pub kind: ConcernKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcernKind {
    /// No release bounds the history (`bump` refuses unless `--allow-full-history`).
    FullHistory,
    /// The next release's tag exists already (`bump` refuses).
    ExistingTag,
    /// A doubt worth a warning: newer tags of the package do not count here, or the version
    /// goes backwards.
    Warning,
}

impl Concern {
    /// Whether `bump` stops for it.
    pub fn refuses(&self, allow_full_history: bool) -> bool {
        match self.kind {
            ConcernKind::FullHistory => !allow_full_history,
            ConcernKind::ExistingTag => true,
            ConcernKind::Warning => false,
        }
    }
}

/// What may be wrong with each package's baseline: every commit since the repository's first
/// counted because no release tag was found, or newer tags of the package not counted.
pub fn concerns(
    history: &History,
    config: &Config,
    pending: &[Pending],
    target: Oid,
) -> Result<Vec<Concern>, GitError> {
    let mut out = Vec::new();
    let any_tag = pending
        .iter()
        .any(|p| !p.tags.tags.is_empty() || !p.tags.uncounted.is_empty());
    // Packages counting every commit because the repository shows no release at all: one
    // concern for all of them (a 200-package monorepo gets one line, not 200).
    let mut untagged: Vec<(&PackageConfig, usize)> = Vec::new();
    for (package, facts) in config.packages.iter().zip(pending) {
        if facts.full_history && facts.previous.is_none() && !facts.commits.commits.is_empty() {
            if let Some(version) = &facts.previous_version {
                out.push(Concern {
                    packages: vec![package.path.clone()],
                    message: format!(
                        "package `{}` is at {version} (the manifest says so) but no tag `{}` of it is reachable from HEAD, so all {} since the repository's first would count; {FETCH_OR_ALLOW}",
                        package.path,
                        package.tag.tag_name(version),
                        commits_in_words(facts.commits.commits.len()),
                    ),
                    kind: ConcernKind::FullHistory,
                });
            } else if !any_tag {
                untagged.push((package, facts.commits.commits.len()));
            }
        }
        if let Some(message) = facts.newer_tags(history, package, target)? {
            out.push(Concern {
                packages: vec![package.path.clone()],
                message,
                kind: ConcernKind::Warning,
            });
        }
    }
    if !untagged.is_empty() {
        out.push(untagged_concern(history, &untagged)?);
    }
    Ok(out)
}

const FETCH_OR_ALLOW: &str = "fetch the tags (actions/checkout with `fetch-depth: 0`, or `git fetch --tags`), or pass --allow-full-history for a first release (or set `bootstrap-sha`)";

fn commits_in_words(count: usize) -> String {
    if count == 1 {
        "1 commit".to_string()
    } else {
        format!("{count} commits")
    }
}

/// Why counting the whole history is doubtful when no package has a release tag: the
/// repository has no tags, or none spelled like the packages'.
fn untagged_concern(
    history: &History,
    untagged: &[(&PackageConfig, usize)],
) -> Result<Concern, GitError> {
    let tags = history.all_tags()?.len();
    let counted = match untagged {
        [(package, count)] => format!(
            "all {} since its first count toward package `{}`'s release",
            commits_in_words(*count),
            package.path
        ),
        many => format!(
            "every commit since its first counts toward the first release of {} packages (`{}`, …)",
            many.len(),
            many[0].0.path
        ),
    };
    let example = untagged[0].0.tag.tag_name(&Version::new(1, 2, 3));
    let message = if tags == 0 {
        format!("the repository has no tags, so {counted}; {FETCH_OR_ALLOW}")
    } else {
        format!(
            "none of the repository's {tags} tags is a release (spelled like `{example}`), so {counted}; check the tag format (`include-v-in-tag`, `component`, `tag-separator`, `tag-pattern`), or {FETCH_OR_ALLOW}"
        )
    };
    Ok(Concern {
        packages: untagged.iter().map(|(p, _)| p.path.clone()).collect(),
        message,
        kind: ConcernKind::FullHistory,
    })
}

impl Pending {
    /// The next release's tag when the package already has a tag of that version (in any
    /// spelling), or the tag name itself exists.
    pub fn existing_tag(
        &self,
        history: &History,
        package: &PackageConfig,
    ) -> Result<Option<String>, GitError> {
        match &self.decision.next {
            Some(next) => self.tag_of(history, package, next),
            None => Ok(None),
        }
    }

    /// The tag of `version` when the package has one (in any spelling), or its tag name exists.
    pub fn tag_of(
        &self,
        history: &History,
        package: &PackageConfig,
        version: &Version,
    ) -> Result<Option<String>, GitError> {
        if let Some(tag) = self.tags.of_version(version) {
            return Ok(Some(tag.name.clone()));
        }
        let name = package.tag.tag_name(version);
        Ok(history.tag_exists(&name)?.then_some(name))
    }

    /// A warning when the package has tags of a higher version than the one this branch
    /// releases (or, with nothing to release, is at) that do not count here: releases made on
    /// another branch, or pre-releases the versioning does not count.
    fn newer_tags(
        &self,
        history: &History,
        package: &PackageConfig,
        target: Oid,
    ) -> Result<Option<String>, GitError> {
        let Some(reference) = self
            .decision
            .next
            .as_ref()
            .or(self.previous_version.as_ref())
        else {
            return Ok(None);
        };
        // Counted releases above it are not reachable here; uncounted pre-releases are skipped.
        let elsewhere: Vec<&ReleaseTag> = (self.tags.tags.iter())
            .filter(|t| t.version > *reference && t.version.pre.is_empty())
            .collect();
        let prereleases: Vec<&ReleaseTag> = (self.tags.uncounted.iter())
            .filter(|t| t.version > *reference && !t.version.pre.is_empty())
            .collect();
        let mut parts = Vec::new();
        if let Some(newest) = elsewhere.last() {
            let reachable = history.is_ancestor(newest.commit, target)?;
            let more = match elsewhere.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            parts.push(if reachable {
                format!("`{}`{more} (behind an older release on this branch)", newest.name)
            } else {
                format!(
                    "`{}`{more} (not reachable from HEAD: released on another branch or after this commit; expected on a maintenance branch)",
                    newest.name
                )
            });
        }
        if let Some(newest) = prereleases.last() {
            let count = prereleases.len();
            let which = if count == 1 {
                "the pre-release".to_string()
            } else {
                format!("{count} pre-releases up to")
            };
            parts.push(format!(
                "{which} `{}` (pre-releases count only with `versioning = \"prerelease\"` or `prerelease = true`; `ignore-tags` leaves such tags out)",
                newest.name
            ));
        }
        if parts.is_empty() {
            return Ok(None);
        }
        let from = self.previous.as_ref().map_or_else(
            || "no release reachable from HEAD".to_string(),
            |t| format!("`{}`, the newest release reachable from HEAD", t.name),
        );
        Ok(Some(format!(
            "package `{}`: versions are counted from {from}, but newer tags of it do not count: {}",
            package.path,
            parts.join("; ")
        )))
    }
}
