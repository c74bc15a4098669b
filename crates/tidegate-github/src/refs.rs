//! Branches moved through the API: a fast-forward, a forced snapshot, a merge commit.

use crate::{Call, Error, GitHub, encode_path};
use http::{Method, StatusCode};
use serde_json::{Value, json};

// GitHub answers 422 for a missing ref or commit, so a 404 here means the repository.
const UPDATE_REF: Call = Call::on_repo("move the branch", "contents: write");
const GET_REF: Call = Call::on_item("read the branch", "contents: read");
const CREATE_REF: Call = Call::on_repo("create the branch", "contents: write");
const MERGE: Call = Call::on_repo("merge the branches", "contents: write");

/// What creating a ref that is never moved found.
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    Created,
    /// It already pointed at the wanted commit.
    Existed,
    /// It exists on another commit.
    Elsewhere(String),
}

/// What a merge through the API did.
#[derive(Debug, PartialEq, Eq)]
pub enum Merge {
    /// The merge commit's SHA.
    Merged(String),
    /// The base already contained the head.
    NothingToMerge,
}

impl GitHub {
    /// Moves `branch` to `sha` only if that is a fast-forward; GitHub's 422 "Update is not a fast
    /// forward" comes back as an [`Error::Refused`].
    pub async fn fast_forward(&self, branch: &str, sha: &str) -> Result<(), Error> {
        self.update_branch(branch, sha, false).await
    }

    /// Points `branch` at `sha`, creating it if needed and moving it whatever it held before.
    pub async fn force_branch(&self, branch: &str, sha: &str) -> Result<(), Error> {
        match self.update_branch(branch, sha, true).await {
            Err(e) if e.is_refusal(422, "Reference does not exist") => {
                self.create_branch(branch, sha).await
            }
            other => other,
        }
    }

    /// Creates `branch` at `sha`; if it exists meanwhile (another run, or a retried create whose
    /// answer was lost), points it at `sha` whatever it held.
    pub async fn create_branch(&self, branch: &str, sha: &str) -> Result<(), Error> {
        if !self.post_branch(branch, sha).await? {
            self.update_branch(branch, sha, true).await?;
        }
        Ok(())
    }

    /// Creates `branch` at `sha`; `false` when it exists already (GitHub's 422).
    async fn post_branch(&self, branch: &str, sha: &str) -> Result<bool, Error> {
        let request = json!({ "ref": format!("refs/heads/{branch}"), "sha": sha });
        match self
            .send(
                Method::POST,
                &self.repo_path("/git/refs"),
                Some(&request),
                CREATE_REF,
            )
            .await
        {
            Err(e) if e.is_refusal(422, "Reference already exists") => Ok(false),
            other => other.map(|_| true),
        }
    }

    /// Creates `branch` at `sha` unless it exists; an existing branch is never moved, and what it
    /// points at is returned instead (a rerun, or another run, found it made).
    pub async fn create_branch_once(&self, branch: &str, sha: &str) -> Result<Created, Error> {
        if self.post_branch(branch, sha).await? {
            return Ok(Created::Created);
        }
        let there = self.branch_sha(branch).await?;
        Ok(if there == sha {
            Created::Existed
        } else {
            Created::Elsewhere(there)
        })
    }

    async fn update_branch(&self, branch: &str, sha: &str, force: bool) -> Result<(), Error> {
        let path = self.repo_path(&format!("/git/refs/heads/{}", encode_path(branch)));
        let request = json!({ "sha": sha, "force": force });
        self.send(Method::PATCH, &path, Some(&request), UPDATE_REF)
            .await
            .map(drop)
    }

    /// The commit a branch points to on GitHub.
    pub async fn branch_sha(&self, branch: &str) -> Result<String, Error> {
        let path = self.repo_path(&format!("/git/ref/heads/{}", encode_path(branch)));
        let reply = self.send(Method::GET, &path, None, GET_REF).await?;
        reply
            .body
            .pointer("/object/sha")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::Unexpected("GitHub's ref answer has no commit SHA".into()))
    }

    /// Merges `head` (a SHA or branch) into the branch `base` with a merge commit. A merge conflict
    /// comes back as GitHub's 409 [`Error::Refused`].
    pub async fn merge(&self, base: &str, head: &str, message: &str) -> Result<Merge, Error> {
        let request = json!({ "base": base, "head": head, "commit_message": message });
        let reply = self
            .send(
                Method::POST,
                &self.repo_path("/merges"),
                Some(&request),
                MERGE,
            )
            .await?;
        if reply.status == StatusCode::NO_CONTENT {
            return Ok(Merge::NothingToMerge);
        }
        reply
            .body
            .get("sha")
            .and_then(Value::as_str)
            .map(|sha| Merge::Merged(sha.to_string()))
            .ok_or_else(|| Error::Unexpected("GitHub's merge answer has no commit SHA".into()))
    }
}
