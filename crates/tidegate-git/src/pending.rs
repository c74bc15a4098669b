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
}

impl Pending {
    /// Gathers the facts for `target` (usually HEAD) and decides the next version.
    /// Every commit since the previous release counts, whatever it touches: for a repository
    /// with one package. [`Pending::all`] assigns commits to the packages of a monorepo.
    pub fn of(history: &History, package: &PackageConfig, target: Oid) -> Result<Self, GitError> {
        let tags = history.release_tags(&package.tag, package.rules.counts_prereleases())?;
        let previous = history.previous_release(target, &tags, false)?.cloned();
        let floor = history.history_floor(previous.as_ref().map(|t| t.commit), package);
        let commits = history.commits(target, floor)?;
        Self::settle(package, tags, previous, commits)
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
            let previous = graph.previous_release(&tags)?.cloned();
            let floor = history.history_floor(previous.as_ref().map(|t| t.commit), package);
            let range = graph.range(floor);
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
            let commits = history.read_commits(&ids, floor)?;
            out.push(Self::settle(package, tags, previous, commits)?);
        }
        Ok(out)
    }

    fn settle(
        package: &PackageConfig,
        tags: ReleaseTags,
        previous: Option<ReleaseTag>,
        commits: Commits,
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
