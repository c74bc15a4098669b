//! Pull requests: find the open one from a head into a base, create it without ever creating two,
//! update it in place, and dress it with labels, reviewers and assignees.

use crate::{Call, Error, GitHub, encode_query};
use http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Clone, Debug, Deserialize)]
pub struct BranchRef {
    #[serde(rename = "ref")]
    pub name: String,
    pub sha: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Label {
    pub name: String,
}

/// The fields of a pull request Tidegate reads.
#[derive(Clone, Debug, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub html_url: String,
    pub title: String,
    pub body: Option<String>,
    pub head: BranchRef,
    pub base: BranchRef,
    #[serde(default)]
    pub labels: Vec<Label>,
}

/// What to create.
#[derive(Clone, Debug)]
pub struct NewPullRequest<'a> {
    pub title: &'a str,
    /// A branch of the repository itself.
    pub head: &'a str,
    pub base: &'a str,
    pub body: &'a str,
    pub draft: bool,
}

/// A created pull request, or the one that already existed (another run won the race, or a retried
/// create whose first answer was lost).
#[derive(Debug)]
pub struct Created {
    pub pull: PullRequest,
    pub existed: bool,
}

const LIST: Call = Call::on_repo("list pull requests", "pull-requests: read");
const CREATE: Call = Call::on_repo("create the pull request", "pull-requests: write");
const UPDATE: Call = Call::on_item("update the pull request", "pull-requests: write");
const LABEL: Call = Call::on_item("label the pull request", "pull-requests: write");
const REVIEWERS: Call = Call::on_item("request reviewers", "pull-requests: write");
const ASSIGN: Call = Call::on_item("assign the pull request", "pull-requests: write");

fn parse(value: Value) -> Result<PullRequest, Error> {
    serde_json::from_value(value).map_err(|e| {
        Error::Unexpected(format!(
            "GitHub sent a pull request Tidegate cannot read: {e}"
        ))
    })
}

impl GitHub {
    /// The open pull request from `head` (a branch of this repository) into `base`, the oldest if
    /// several.
    pub async fn find_open_pull(
        &self,
        head: &str,
        base: &str,
    ) -> Result<Option<PullRequest>, Error> {
        let path = self.repo_path(&format!(
            "/pulls?state=open&head={}&base={}",
            encode_query(&format!("{}:{head}", self.repo().owner)),
            encode_query(base)
        ));
        let mut found = Vec::new();
        for item in self.list_all(&path, LIST).await? {
            let pull = parse(item)?;
            // GitHub filters already; checking again costs nothing and guards a server that ignores
            // the filter.
            if pull.head.name == head && pull.base.name == base {
                found.push(pull);
            }
        }
        Ok(found.into_iter().min_by_key(|p| p.number))
    }

    /// Creates the pull request; if one from the same head into the same base is already open
    /// (GitHub's 422 "A pull request already exists"), returns that one instead.
    pub async fn create_pull(&self, new: &NewPullRequest<'_>) -> Result<Created, Error> {
        let body = json!({
            "title": new.title,
            "head": new.head,
            "base": new.base,
            "body": new.body,
            "draft": new.draft,
            "maintainer_can_modify": false,
        });
        match self
            .send(Method::POST, &self.repo_path("/pulls"), Some(&body), CREATE)
            .await
        {
            Ok(reply) => Ok(Created {
                pull: parse(reply.body)?,
                existed: false,
            }),
            Err(e) if e.is_refusal(422, "A pull request already exists") => {
                match self.find_open_pull(new.head, new.base).await? {
                    Some(pull) => Ok(Created {
                        pull,
                        existed: true,
                    }),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    pub async fn update_pull(
        &self,
        number: u64,
        title: &str,
        body: &str,
    ) -> Result<PullRequest, Error> {
        let path = self.repo_path(&format!("/pulls/{number}"));
        let request = json!({ "title": title, "body": body });
        let reply = self
            .send(Method::PATCH, &path, Some(&request), UPDATE)
            .await?;
        parse(reply.body)
    }

    /// Adds labels (GitHub creates any that do not exist yet). Adding a label twice is harmless.
    pub async fn add_labels(&self, number: u64, labels: &[String]) -> Result<(), Error> {
        if labels.is_empty() {
            return Ok(());
        }
        let path = self.repo_path(&format!("/issues/{number}/labels"));
        let request = json!({ "labels": labels });
        self.send(Method::POST, &path, Some(&request), LABEL)
            .await
            .map(drop)
    }

    pub async fn request_reviewers(
        &self,
        number: u64,
        users: &[String],
        teams: &[String],
    ) -> Result<(), Error> {
        if users.is_empty() && teams.is_empty() {
            return Ok(());
        }
        let path = self.repo_path(&format!("/pulls/{number}/requested_reviewers"));
        let request = json!({ "reviewers": users, "team_reviewers": teams });
        self.send(Method::POST, &path, Some(&request), REVIEWERS)
            .await
            .map(drop)
    }

    pub async fn add_assignees(&self, number: u64, users: &[String]) -> Result<(), Error> {
        if users.is_empty() {
            return Ok(());
        }
        let path = self.repo_path(&format!("/issues/{number}/assignees"));
        let request = json!({ "assignees": users });
        self.send(Method::POST, &path, Some(&request), ASSIGN)
            .await
            .map(drop)
    }
}

const COMMENTS: Call = Call::on_item("read the pull request's comments", "pull-requests: read");
const COMMENT: Call = Call::on_item("comment on the pull request", "pull-requests: write");
const UNLABEL: Call = Call::on_item("remove a label", "pull-requests: write");
const CLOSE: Call = Call::on_item("close the pull request", "pull-requests: write");
const OF_COMMIT: Call = Call::on_item("find the pull request of a commit", "pull-requests: read");

/// A merged pull request as (number, merge commit SHA, body): what commit overrides are read from.
pub type MergedPull = (u64, String, String);

/// A merged (or closed) pull request as the lists show it.
#[derive(Clone, Debug, Deserialize)]
pub struct ClosedPull {
    pub number: u64,
    pub html_url: String,
    #[serde(default)]
    pub title: Option<String>,
    pub body: Option<String>,
    pub head: BranchRef,
    pub base: BranchRef,
    #[serde(default)]
    pub labels: Vec<Label>,
    pub merged_at: Option<String>,
    pub merge_commit_sha: Option<String>,
    pub updated_at: String,
}

impl GitHub {
    /// The bodies of the pull request's comments.
    pub async fn comment_bodies(&self, number: u64) -> Result<Vec<String>, Error> {
        let path = self.repo_path(&format!("/issues/{number}/comments"));
        Ok(self
            .list_all(&path, COMMENTS)
            .await?
            .into_iter()
            .filter_map(|c| c.get("body").and_then(Value::as_str).map(str::to_string))
            .collect())
    }

    pub async fn add_comment(&self, number: u64, body: &str) -> Result<(), Error> {
        let path = self.repo_path(&format!("/issues/{number}/comments"));
        self.send(Method::POST, &path, Some(&json!({ "body": body })), COMMENT)
            .await
            .map(drop)
    }

    /// Removes a label; one that is not there is no error.
    pub async fn remove_label(&self, number: u64, label: &str) -> Result<(), Error> {
        let path = self.repo_path(&format!(
            "/issues/{number}/labels/{}",
            crate::encode_query(label)
        ));
        match self.send(Method::DELETE, &path, None, UNLABEL).await {
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => Ok(()),
            other => other.map(drop),
        }
    }

    pub async fn close_pull(&self, number: u64) -> Result<(), Error> {
        let path = self.repo_path(&format!("/pulls/{number}"));
        self.send(
            Method::PATCH,
            &path,
            Some(&json!({ "state": "closed" })),
            CLOSE,
        )
        .await
        .map(drop)
    }

    /// The most recently closed pull request from `head` (a branch of this repository) into
    /// `base`, merged or not.
    pub async fn last_closed_pull(
        &self,
        head: &str,
        base: &str,
    ) -> Result<Option<ClosedPull>, Error> {
        let path = self.repo_path(&format!(
            "/pulls?state=closed&head={}&base={}&sort=updated&direction=desc&per_page=1",
            encode_query(&format!("{}:{head}", self.repo().owner)),
            encode_query(base)
        ));
        let reply = self.send(Method::GET, &path, None, LIST).await?;
        let pulls: Vec<ClosedPull> = serde_json::from_value(reply.body).map_err(|e| {
            Error::Unexpected(format!(
                "GitHub sent pull requests Tidegate cannot read: {e}"
            ))
        })?;
        Ok(pulls
            .into_iter()
            .find(|p| p.head.name == head && p.base.name == base))
    }

    /// The pull requests GitHub associates with a commit (the merged one whose merge, squash or
    /// rebase made it, and open ones containing it).
    pub async fn pulls_of_commit(&self, sha: &str) -> Result<Vec<ClosedPull>, Error> {
        let path = self.repo_path(&format!("/commits/{sha}/pulls?per_page=100"));
        let reply = self.send(Method::GET, &path, None, OF_COMMIT).await?;
        serde_json::from_value(reply.body).map_err(|e| {
            Error::Unexpected(format!(
                "GitHub sent pull requests Tidegate cannot read: {e}"
            ))
        })
    }

    /// The merged pull requests into `base` updated on or after `since` (a `YYYY-MM-DD` date),
    /// as (number, merge commit SHA, body): 100 a request, newest first, stopping at the first
    /// page that reaches back past `since` (a PR merged since then was updated since then too).
    pub async fn merged_pulls_since(
        &self,
        base: &str,
        since: &str,
    ) -> Result<Vec<MergedPull>, Error> {
        let pulls = self
            .closed_pulls_until(base, |p| p.updated_at.get(..10).is_some_and(|d| d < since))
            .await?;
        Ok(pulls
            .into_iter()
            .filter(|p| p.merged_at.is_some())
            .filter_map(|p| Some((p.number, p.merge_commit_sha?, p.body.unwrap_or_default())))
            .collect())
    }

    /// Closed pull requests into `base`, most recently updated first, page by page until
    /// `enough` says the page read reaches far enough back (or the list ends).
    pub async fn closed_pulls_until(
        &self,
        base: &str,
        enough: impl Fn(&ClosedPull) -> bool,
    ) -> Result<Vec<ClosedPull>, Error> {
        let mut out = Vec::new();
        for page in 1..=crate::MAX_PAGES {
            let path = self.repo_path(&format!(
                "/pulls?state=closed&base={}&sort=updated&direction=desc&per_page=100&page={page}",
                encode_query(base)
            ));
            let reply = self.send(Method::GET, &path, None, LIST).await?;
            let items: Vec<ClosedPull> = serde_json::from_value(reply.body).map_err(|e| {
                Error::Unexpected(format!(
                    "GitHub sent pull requests Tidegate cannot read: {e}"
                ))
            })?;
            let done = items.len() < 100 || items.iter().any(&enough);
            out.extend(items);
            if done {
                break;
            }
        }
        Ok(out)
    }
}
