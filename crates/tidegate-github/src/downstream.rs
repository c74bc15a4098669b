//! A downstream repository as a sync sees it: where git reaches it, and what the token may do
//! there, read before anything is pushed.

use crate::{Call, Error, GitHub};
use http::Method;
use serde_json::Value;

/// What `repos/get` tells about the repository and the token.
#[derive(Clone, Debug)]
pub struct RepoAccess {
    /// The HTTPS URL git fetches from and pushes to (GitHub Enterprise's host included).
    pub clone_url: String,
    /// The `X-OAuth-Scopes` of a classic personal access token; `None` for App and
    /// fine-grained tokens, which do not say.
    pub scopes: Option<Vec<String>>,
}

impl RepoAccess {
    /// Whether the token is known to lack the `workflow` scope (only a classic PAT tells).
    pub fn lacks_workflow_scope(&self) -> bool {
        self.scopes
            .as_ref()
            .is_some_and(|s| !s.iter().any(|scope| scope == "workflow"))
    }
}

const GET_REPO: Call = Call::on_repo(
    "read the downstream repository",
    "contents: write and pull-requests: write",
);

impl GitHub {
    /// Reads the repository: its clone URL, and the token's scopes when it is a classic PAT.
    pub async fn repository_access(&self) -> Result<RepoAccess, Error> {
        let reply = self
            .send(Method::GET, &self.repo_path(""), None, GET_REPO)
            .await?;
        let clone_url = reply
            .body
            .get("clone_url")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::Unexpected(format!(
                    "GitHub's answer for {} has no clone_url",
                    self.repo()
                ))
            })?
            .to_string();
        let scopes = reply
            .headers
            .get("x-oauth-scopes")
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            });
        Ok(RepoAccess { clone_url, scopes })
    }
}
