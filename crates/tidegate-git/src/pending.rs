//! What is pending release on a branch: the facts gathered from history, settled by the core.

use crate::{Commits, GitError, History, ReleaseTag, ReleaseTags};
use git2::Oid;
use semver::Version;
use tidegate_core::config::PackageConfig;
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
    pub fn of(history: &History, package: &PackageConfig, target: Oid) -> Result<Self, GitError> {
        let tags = history.release_tags(&package.tag, package.rules.counts_prereleases())?;
        let previous = history.previous_release(target, &tags, false)?.cloned();
        let commits = history.commits(target, previous.as_ref().map(|t| t.commit))?;
        let analysis = Analysis::of(&commits.commits, package);
        // A project moving from release-please may have its version only in the manifest.
        let previous_version = previous.as_ref().map(|t| t.version.clone()).or_else(|| {
            package
                .manifest_version
                .clone()
                .filter(|v| *v != Version::new(0, 0, 0))
        });
        let decision = analysis.decide(previous_version.as_ref(), package);
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
        format!(
            "nothing to release since {since}: {} commits, none user-facing",
            self.commits.commits.len()
        )
    }

    /// The tag the next release would get.
    pub fn next_tag(&self, package: &PackageConfig) -> Option<String> {
        self.decision.next.as_ref().map(|v| package.tag.tag_name(v))
    }
}
