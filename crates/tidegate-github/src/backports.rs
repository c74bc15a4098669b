//! What `backport` asks of GitHub: a merged pull request and its commits' subjects, the backport
//! pull request found again by its head branch, an issue dressed in one PATCH, comments kept to
//! one per marker, and reactions. Its commits are written with `gitdata`'s trees and commits.

use crate::{Call, Error, GitHub, encode_query};
use http::Method;
use serde_json::{Value, json};

const READ_PULL: Call = Call::on_item("read the pull request", "pull-requests: read");
const LIST_PULLS: Call = Call::on_repo("list pull requests", "pull-requests: read");
const PULL_COMMITS: Call = Call::on_item("list the pull request's commits", "pull-requests: read");
const DRESS: Call = Call::on_item(
    "set the backport pull request's labels, milestone and assignees",
    "issues: write",
);
const COMMENTS: Call = Call::on_item("read the comments", "issues: read");
const COMMENT: Call = Call::on_item("comment", "issues: write");
const EDIT_COMMENT: Call = Call::on_item("update a comment", "issues: write");
const DELETE_COMMENT: Call = Call::on_item("delete a duplicate comment", "issues: write");
const REACT: Call = Call::on_item("react to the comment", "issues: write");

/// The fields of a pull request a backport reads.
#[derive(Clone, Debug)]
pub struct PullDetails {
    pub number: u64,
    pub title: String,
    pub html_url: String,
    /// `open` or `closed`.
    pub state: String,
    pub merged: bool,
    pub merge_commit_sha: Option<String>,
    pub base: String,
    pub head: String,
    /// How many commits the pull request had.
    pub commits: usize,
    pub labels: Vec<String>,
    /// The milestone's number.
    pub milestone: Option<u64>,
    pub author: String,
    pub draft: bool,
}

/// A comment's id and body.
#[derive(Clone, Debug)]
pub struct CommentRef {
    pub id: u64,
    pub body: String,
    pub user: String,
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn details_of(v: &Value) -> Result<PullDetails, Error> {
    let number = v
        .get("number")
        .and_then(Value::as_u64)
        .ok_or_else(|| Error::Unexpected("GitHub sent a pull request without a number".into()))?;
    Ok(PullDetails {
        number,
        title: text(v, "/title"),
        html_url: text(v, "/html_url"),
        state: text(v, "/state"),
        merged: v.get("merged").and_then(Value::as_bool).unwrap_or(false)
            || v.get("merged_at").is_some_and(|m| !m.is_null()),
        merge_commit_sha: v
            .get("merge_commit_sha")
            .and_then(Value::as_str)
            .map(str::to_string),
        base: text(v, "/base/ref"),
        head: text(v, "/head/ref"),
        commits: v.get("commits").and_then(Value::as_u64).unwrap_or(0) as usize,
        labels: v
            .get("labels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|l| l.get("name").and_then(Value::as_str).map(str::to_string))
            .collect(),
        milestone: v.pointer("/milestone/number").and_then(Value::as_u64),
        author: text(v, "/user/login"),
        draft: v.get("draft").and_then(Value::as_bool).unwrap_or(false),
    })
}

impl GitHub {
    /// Pull request `number`, or `None` when there is none (an issue of that number is none).
    pub async fn pull_details(&self, number: u64) -> Result<Option<PullDetails>, Error> {
        let path = self.repo_path(&format!("/pulls/{number}"));
        match self.send(Method::GET, &path, None, READ_PULL).await {
            Ok(reply) => details_of(&reply.body).map(Some),
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The subjects (first lines) of the pull request's commits, oldest first.
    pub async fn pull_commit_subjects(&self, number: u64) -> Result<Vec<String>, Error> {
        let path = self.repo_path(&format!("/pulls/{number}/commits"));
        Ok(self
            .list_all(&path, PULL_COMMITS)
            .await?
            .iter()
            .map(|c| {
                text(c, "/commit/message")
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect())
    }

    /// The pull request from `head` (a branch of this repository) into `base`, open, merged or
    /// closed: the open one first, else the newest.
    pub async fn find_pull_any_state(
        &self,
        head: &str,
        base: &str,
    ) -> Result<Option<PullDetails>, Error> {
        let path = self.repo_path(&format!(
            "/pulls?state=all&head={}&base={}",
            encode_query(&format!("{}:{head}", self.repo().owner)),
            encode_query(base)
        ));
        let mut found: Vec<PullDetails> = self
            .list_all(&path, LIST_PULLS)
            .await?
            .iter()
            .map(details_of)
            .collect::<Result<_, _>>()?;
        found.retain(|p| p.head == head && p.base == base);
        found.sort_by_key(|p| (p.state != "open", std::cmp::Reverse(p.number)));
        Ok(found.into_iter().next())
    }

    /// Sets an issue's (or pull request's) labels, milestone and assignees in one request;
    /// repeating it changes nothing.
    pub async fn dress_issue(
        &self,
        number: u64,
        labels: &[String],
        milestone: Option<u64>,
        assignees: &[String],
    ) -> Result<(), Error> {
        let mut request = json!({ "labels": labels });
        if let Some(m) = milestone {
            request["milestone"] = json!(m);
        }
        if !assignees.is_empty() {
            request["assignees"] = json!(assignees);
        }
        let path = self.repo_path(&format!("/issues/{number}"));
        self.send(Method::PATCH, &path, Some(&request), DRESS)
            .await
            .map(drop)
    }

    /// The comments of an issue or pull request, oldest first.
    pub async fn comments_of(&self, number: u64) -> Result<Vec<CommentRef>, Error> {
        let path = self.repo_path(&format!("/issues/{number}/comments"));
        Ok(self
            .list_all(&path, COMMENTS)
            .await?
            .iter()
            .filter_map(|c| {
                Some(CommentRef {
                    id: c.get("id")?.as_u64()?,
                    body: text(c, "/body"),
                    user: text(c, "/user/login"),
                })
            })
            .collect())
    }

    /// The comment of `comments` that Tidegate wrote under `marker`: it starts with the marker,
    /// and its author is a bot or may write to the repository (a personal token's account).
    /// Anyone may post a comment holding the marker; theirs is never taken for ours, so its text
    /// is never read back nor edited.
    pub async fn marked_comment(
        &self,
        comments: &[CommentRef],
        marker: &str,
    ) -> Result<Option<CommentRef>, Error> {
        Ok(self
            .marked_comments(comments, marker, true)
            .await?
            .into_iter()
            .next())
    }

    /// Every comment of `comments` that Tidegate wrote under `marker` (as [`Self::marked_comment`]
    /// tells them), oldest first; only the first when `first_only`.
    async fn marked_comments(
        &self,
        comments: &[CommentRef],
        marker: &str,
        first_only: bool,
    ) -> Result<Vec<CommentRef>, Error> {
        let mut found = Vec::new();
        let (mut trusted, mut untrusted): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
        for comment in comments.iter().filter(|c| c.body.starts_with(marker)) {
            let login = comment.user.as_str();
            if untrusted.contains(&login) {
                continue;
            }
            if !login.ends_with("[bot]") && !trusted.contains(&login) {
                let role = self.permission(login).await?;
                if !matches!(role.as_str(), "admin" | "maintain" | "write") {
                    untrusted.push(login);
                    continue;
                }
                trusted.push(login);
            }
            found.push(comment.clone());
            if first_only {
                break;
            }
        }
        Ok(found)
    }

    /// After creating comment `made`: runs started at once each find no comment and create one,
    /// so the oldest of ours is kept (the same one for every run) and `made` is deleted when it
    /// is not that one. Returns the kept comment's id.
    async fn keep_oldest_marked(
        &self,
        number: u64,
        marker: &str,
        body: &str,
        made: u64,
    ) -> Result<u64, Error> {
        let comments = self.comments_of(number).await?;
        let ours = self.marked_comments(&comments, marker, false).await?;
        let Some(oldest) = ours.first().filter(|c| c.id != made) else {
            return Ok(made);
        };
        let path = self.repo_path(&format!("/issues/comments/{made}"));
        match self.send(Method::DELETE, &path, None, DELETE_COMMENT).await {
            Ok(_) => {}
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => {}
            Err(e) => return Err(e),
        }
        if oldest.body != body {
            let path = self.repo_path(&format!("/issues/comments/{}", oldest.id));
            self.send(
                Method::PATCH,
                &path,
                Some(&json!({ "body": body })),
                EDIT_COMMENT,
            )
            .await?;
        }
        Ok(oldest.id)
    }

    /// Keeps ONE comment holding `marker` on issue `number` with `body` (which must contain the
    /// marker): updated in place when there is one, else created. A create is sent once; when its
    /// answer is lost the comments are read again before trying again, so a lost answer never
    /// leaves two comments. Returns the comment's id.
    pub async fn upsert_marked_comment(
        &self,
        number: u64,
        marker: &str,
        body: &str,
    ) -> Result<u64, Error> {
        let mut last = None;
        for _ in 0..=self.retry.max_retries {
            let comments = self.comments_of(number).await?;
            let existing = self.marked_comment(&comments, marker).await?;
            if let Some(comment) = existing {
                if comment.body != body {
                    let path = self.repo_path(&format!("/issues/comments/{}", comment.id));
                    self.send(
                        Method::PATCH,
                        &path,
                        Some(&json!({ "body": body })),
                        EDIT_COMMENT,
                    )
                    .await?;
                }
                return Ok(comment.id);
            }
            let path = self.repo_path(&format!("/issues/{number}/comments"));
            match self
                .send_once(Method::POST, &path, Some(&json!({ "body": body })), COMMENT)
                .await
            {
                Ok(reply) => {
                    let made = reply
                        .body
                        .get("id")
                        .and_then(Value::as_u64)
                        .ok_or_else(|| {
                            Error::Unexpected("GitHub sent a comment without an id".into())
                        })?;
                    return self.keep_oldest_marked(number, marker, body, made).await;
                }
                // Made or not, the answer is lost: look again before another try.
                Err(e @ (Error::Unavailable { .. } | Error::Transport(_))) => {
                    tokio::time::sleep(self.retry.base_delay).await;
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::Unexpected("no attempt was made to comment".into())))
    }

    /// Adds reaction `content` (`+1`, `eyes`…) to issue comment `id`; the same one twice is one.
    pub async fn react_to_comment(&self, id: u64, content: &str) -> Result<(), Error> {
        let path = self.repo_path(&format!("/issues/comments/{id}/reactions"));
        self.send(
            Method::POST,
            &path,
            Some(&json!({ "content": content })),
            REACT,
        )
        .await
        .map(drop)
    }

    /// Whether branch `name` exists on GitHub.
    pub async fn branch_exists(&self, name: &str) -> Result<bool, Error> {
        Ok(self.ref_sha(&format!("heads/{name}")).await?.is_some())
    }
}
