//! Which release GitHub shows as "latest": the one set with `make_latest: "true"`, or by the legacy
//! rule (the newest non-draft, non-prerelease release by the date of its commit, then by the higher
//! semantic version).

use crate::git;
use crate::state::RepoState;

/// `(major, minor, patch, not a pre-release)` of a tag like `v1.2.3` or `pkg-v1.2.3-rc.1`.
fn semver_key(tag: &str) -> Option<(u64, u64, u64, bool)> {
    let start = tag.find(|c: char| c.is_ascii_digit())?;
    let version = &tag[start..];
    let (core, pre) = match version.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (version.split('+').next().unwrap_or(version), None),
    };
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let key = (
        parts.next()??,
        parts.next()??,
        parts.next()??,
        pre.is_none(),
    );
    parts.next().is_none().then_some(key)
}

/// The latest release by the legacy rule, leaving out `except`.
pub(crate) fn legacy(r: &RepoState, except: Option<u64>) -> Option<u64> {
    let g = git::open(&r.git_dir).ok();
    let commit_time = |spec: &str| {
        g.as_ref()
            .and_then(|g| git::resolve_commit(g, spec).and_then(|o| git::commit_info(g, o)))
            .map_or(0, |c| c.committer_time)
    };
    r.releases
        .iter()
        .filter(|rel| rel.can_be_latest() && Some(rel.id) != except)
        .max_by_key(|rel| {
            (
                commit_time(&rel.tag_name),
                semver_key(&rel.tag_name),
                rel.id,
            )
        })
        .map(|rel| rel.id)
}

/// The release GitHub shows as latest now.
pub(crate) fn latest(r: &RepoState) -> Option<u64> {
    let chosen = r.latest_release.filter(|id| {
        r.releases
            .iter()
            .any(|rel| rel.id == *id && rel.can_be_latest())
    });
    chosen.or_else(|| legacy(r, None))
}

/// Applies `make_latest` (`true`, `false`, `legacy`) of the published release `id`.
pub(crate) fn apply(r: &mut RepoState, id: u64, make_latest: &str) {
    match make_latest {
        "false" => {
            // Whatever was latest stays so; the legacy rule must not pick this one later.
            if r.latest_release.is_none_or(|current| current == id) {
                r.latest_release = legacy(r, Some(id));
            }
        }
        "legacy" => r.latest_release = None,
        _ => r.latest_release = Some(id),
    }
}

#[cfg(test)]
mod tests {
    use super::semver_key;

    #[test]
    fn versions_order_numerically_and_releases_after_prereleases() {
        assert!(semver_key("v1.10.0") > semver_key("v1.9.9"));
        assert!(semver_key("pkg-v2.0.0") > semver_key("pkg-v2.0.0-rc.1"));
        assert_eq!(semver_key("latest"), None);
        assert_eq!(semver_key("v1.2"), None);
    }
}
