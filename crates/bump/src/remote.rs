//! What `bump pr` and `bump release` share on GitHub's side: the repository they work on, the
//! client, and errors turned into one line and an exit code.

use anyhow::Result;
use std::future::Future;
use tidegate_core::UsageError;
use tidegate_git::History;
use tidegate_github::overrides::{Read, branch_of, repo_of};
use tidegate_github::{GitHub, RepoId};

#[derive(clap::Args, Clone)]
pub struct Remote {
    /// OWNER/NAME on GitHub [default: $GITHUB_REPOSITORY, else the origin remote's].
    #[arg(long, value_name = "OWNER/NAME")]
    pub github_repo: Option<String>,
    /// The environment variable holding the token.
    #[arg(long, default_value = "GITHUB_TOKEN", value_name = "NAME")]
    pub token_env: String,
}

/// A failure with its exit code, for errors that are not a `UsageError` (2) or a git error.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

impl Exit {
    /// A check that did not pass (exit 1): the release or PR cannot be made as things are.
    pub fn declined(message: impl Into<String>) -> anyhow::Error {
        Exit {
            code: 1,
            message: message.into(),
        }
        .into()
    }
}

impl From<tidegate_github::Error> for Exit {
    fn from(e: tidegate_github::Error) -> Self {
        Exit {
            code: e.exit_code(),
            message: e.to_string(),
        }
    }
}

/// The exit code of any error a run can end with.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if let Some(exit) = e.downcast_ref::<Exit>() {
        return exit.code;
    }
    if let Some(github) = e.downcast_ref::<tidegate_github::Error>() {
        return github.exit_code();
    }
    tidegate_git::exit_code(e.as_ref())
}

impl Remote {
    /// The repository: `--github-repo`, else `GITHUB_REPOSITORY`, else the origin remote's.
    pub fn repo(&self, history: &History) -> Result<RepoId> {
        let named = self
            .github_repo
            .clone()
            .or_else(|| repo_of(history))
            .ok_or_else(|| {
                UsageError(
                    "cannot tell which GitHub repository this is: pass --github-repo OWNER/NAME (or set GITHUB_REPOSITORY)".into(),
                )
            })?;
        RepoId::parse(&named).map_err(|e| Exit::from(e).into())
    }

    /// Runs `work` with a client for `repo` on a single-threaded runtime.
    pub fn run<T, F, Fut>(&self, repo: RepoId, work: F) -> Result<T>
    where
        F: FnOnce(GitHub) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        tidegate_github::block_on_client(&self.token_env, repo, work)
    }
}

/// `?` for GitHub calls inside `anyhow` code, keeping the exit code.
pub trait GitHubResult<T> {
    fn gh(self) -> Result<T>;
}

impl<T> GitHubResult<T> for std::result::Result<T, tidegate_github::Error> {
    fn gh(self) -> Result<T> {
        self.map_err(|e| Exit::from(e).into())
    }
}

/// The branch the release PR goes into: `--base`, else the checkout's branch, else
/// `GITHUB_REF_NAME` (a detached checkout in a workflow).
pub fn base_branch(history: &History, asked: Option<&str>) -> Result<String> {
    if let Some(base) = asked.filter(|b| !b.trim().is_empty()) {
        return Ok(base.trim().trim_start_matches("origin/").to_string());
    }
    branch_of(history).ok_or_else(|| {
        UsageError(
            "the checkout is on no branch: pass --base BRANCH (the branch the release PR goes into)"
                .into(),
        )
        .into()
    })
}

/// The branch the run is on: `GITHUB_REF_NAME` on a branch push, else the checkout's.
pub fn branch_of_checkout(history: &History) -> Option<String> {
    branch_of(history)
}

/// Said once at the end of a run that succeeded without reading overrides (a refusal says more).
static UNREAD_OVERRIDES: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Says that commit overrides were not read, when they were not.
pub fn say_unread_overrides() {
    if let Some(message) = UNREAD_OVERRIDES.get() {
        tidegate_actions::notice(message);
    }
}

/// Reads the commit overrides of the PRs merged since the oldest commit `history` has read, when a
/// token is set; without one, says once (at the end) that they are not read. Returns whether any
/// override applies.
pub fn read_overrides(remote: &Remote, history: &mut History) -> Result<bool> {
    let named = remote
        .github_repo
        .as_deref()
        .map(RepoId::parse)
        .transpose()
        .gh()?;
    match tidegate_github::overrides::read(history, &remote.token_env, named).gh()? {
        Read::NoToken => {
            let _ = UNREAD_OVERRIDES.set(tidegate_git::Overrides::unread_notice(&remote.token_env));
            Ok(false)
        }
        Read::Unknown(why) => {
            tidegate_actions::warning(&format!("commit overrides are not read: {why}"));
            Ok(false)
        }
        Read::Applied(n) => Ok(n > 0),
    }
}
