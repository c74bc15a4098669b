//! Reading merged PRs' commit overrides (`BEGIN_COMMIT_OVERRIDE`) into a history: what `bump`
//! and `changelog` share, so the repository, the branch and the range are found one way.

use crate::{Error, RepoId, merged_pulls_blocking};
use tidegate_git::{History, Overrides};

/// What reading the overrides came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    /// No token: overrides cannot be known.
    NoToken,
    /// The repository or the branch cannot be told; the reason, for a warning.
    Unknown(String),
    /// Read; this many commits take a PR's override.
    Applied(usize),
}

/// The GitHub repository of a checkout: `GITHUB_REPOSITORY`, else the origin remote's.
pub fn repo_of(history: &History) -> Option<String> {
    std::env::var("GITHUB_REPOSITORY")
        .ok()
        .filter(|r| !r.trim().is_empty())
        .or_else(|| {
            history
                .remote_url()
                .and_then(|u| tidegate_core::links::Links::from_remote(&u))
                .map(|l| l.slug)
        })
}

/// The branch a checkout is on: its own, else `GITHUB_REF_NAME` (a detached checkout in a
/// workflow run for a branch).
pub fn branch_of(history: &History) -> Option<String> {
    history.current_branch().or_else(|| {
        std::env::var("GITHUB_REF_NAME").ok().filter(|r| {
            !r.trim().is_empty() && std::env::var("GITHUB_REF_TYPE").as_deref() != Ok("tag")
        })
    })
}

/// Reads the overrides of the PRs merged into the checkout's branch since the oldest commit the
/// history has read so far (a day early: GitHub's clock and the committer's may disagree), and
/// sets them on `history`. `repo` is the repository when a flag names it.
pub fn read(history: &mut History, token_env: &str, repo: Option<RepoId>) -> Result<Read, Error> {
    let Some(oldest) = history.oldest_read() else {
        return Ok(Read::Applied(0));
    };
    if std::env::var(token_env).map_or(true, |t| t.trim().is_empty()) {
        return Ok(Read::NoToken);
    }
    let repo = match repo {
        Some(repo) => repo,
        None => match repo_of(history) {
            Some(name) => RepoId::parse(&name)?,
            None => {
                return Ok(Read::Unknown(
                    "cannot tell the GitHub repository (set GITHUB_REPOSITORY)".into(),
                ));
            }
        },
    };
    let Some(base) = branch_of(history) else {
        return Ok(Read::Unknown("the checkout is on no branch".into()));
    };
    let since = tidegate_core::release::utc_date(oldest - 86_400);
    let pulls = merged_pulls_blocking(token_env, repo, &base, &since)?.unwrap_or_default();
    let overrides = Overrides::from_pulls(history, &pulls);
    let applied = overrides.messages.len();
    history.set_overrides(overrides);
    Ok(Read::Applied(applied))
}
