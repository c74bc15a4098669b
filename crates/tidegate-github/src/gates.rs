//! What `gate-check` reads from GitHub (the pull request, its reviews and comments, who may
//! approve, the checks and statuses of a commit, the open blockers) and the one thing it writes:
//! a check run per gate on the head commit. Each read is one paginated walk of one resource.

use std::collections::{BTreeMap, HashSet};

use crate::{Call, Error, GitHub, encode_path, encode_query};
use http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

/// A pull request, as the gates read it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PullInfo {
    pub number: u64,
    pub title: String,
    /// Empty when the PR has no description.
    pub body: String,
    pub author: String,
    pub author_is_bot: bool,
    pub head_sha: String,
    pub head_ref: String,
    pub base_sha: String,
    pub base_ref: String,
    pub labels: Vec<String>,
    /// The milestone's title.
    pub milestone: Option<String>,
    pub created_at: String,
    pub html_url: String,
    /// `open` or `closed`.
    pub state: String,
    pub merged: bool,
}

/// One submitted review. GitHub lists every review, oldest first; the latest per reviewer is the
/// one that counts, and a dismissed one reads `DISMISSED`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ReviewInfo {
    pub id: u64,
    /// `ghost` for a deleted account.
    pub user: String,
    pub user_is_bot: bool,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED` or `PENDING`.
    pub state: String,
    /// The commit the review was given on.
    pub commit_id: String,
    /// `None` for a pending (unsubmitted) review.
    pub submitted_at: Option<String>,
}

/// What the token can tell of a team's members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TeamRead {
    Members(Vec<String>),
    /// The token cannot read the team (or it does not exist): why, in one line, and what to do.
    Unreadable(String),
}

/// One check run.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CheckInfo {
    pub id: u64,
    pub name: String,
    /// The slug of the app that made it (`github-actions` for workflow jobs).
    pub app_slug: String,
    /// `queued`, `in_progress`, `completed` (or `waiting`, `requested`, `pending`).
    pub status: String,
    /// For completed runs: `success`, `failure`, `neutral`, `cancelled`, `skipped`,
    /// `timed_out`, `action_required` or `stale`.
    pub conclusion: Option<String>,
    pub html_url: Option<String>,
    pub details_url: Option<String>,
    pub completed_at: Option<String>,
    pub started_at: Option<String>,
    /// The caller's own reference; [`GitHub::post_check_run`] marks its runs with it.
    pub external_id: Option<String>,
}

/// The latest commit status of one context.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct StatusInfo {
    pub context: String,
    /// `error`, `failure`, `pending` or `success`.
    pub state: String,
    pub target_url: Option<String>,
    pub created_at: String,
}

/// An open issue or pull request carrying a label asked for.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct IssueInfo {
    pub number: u64,
    pub title: String,
    pub labels: Vec<String>,
    pub is_pull: bool,
    /// The milestone's title.
    pub milestone: Option<String>,
    pub html_url: String,
}

/// A comment on an issue or pull request (not a review comment).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CommentInfo {
    pub id: u64,
    pub user: String,
    pub body: String,
    pub created_at: String,
    /// Later than `created_at` when the comment was edited.
    pub updated_at: String,
}

/// The `external_id` that marks the check runs [`GitHub::post_check_run`] made.
pub const CHECK_RUN_MARK: &str = "tidegate-gate-check";

/// GitHub's limit on a check run's `output.summary` and `output.text`, in characters.
pub const CHECK_OUTPUT_LIMIT: usize = 65_535;

const PULL: Call = Call::on_item("read the pull request", "pull-requests: read");
const REVIEWS: Call = Call::on_item("read the pull request's reviews", "pull-requests: read");
const PERMISSION: Call = Call::on_item(
    "read a reviewer's permission on the repository",
    "contents: read (a fine-grained token: metadata: read)",
);
const TEAM: Call = Call::on_item(
    "read a team's members",
    "members: read (an organization permission of a GitHub App)",
);
const CHECK_RUNS: Call = Call::on_item("read the commit's check runs", "checks: read");
const STATUSES: Call = Call::on_item("read the commit's statuses", "statuses: read");
const ISSUES: Call = Call::on_repo("list open issues by label", "issues: read");
const COMMENTS: Call = Call::on_item("read the comments of the pull request", "issues: read");
const CREATE_RUN: Call = Call::on_repo("create the gate's check run", "checks: write");
const UPDATE_RUN: Call = Call::on_item("update the gate's check run", "checks: write");

/// How many times a create whose answer was lost is tried again (after looking for what it made).
const CREATE_ATTEMPTS: usize = 4;

/// Reads `value` as `T`, or says which resource GitHub sent that Tidegate cannot read.
fn parse<T: serde::de::DeserializeOwned>(what: &str, value: Value) -> Result<T, Error> {
    serde_json::from_value(value)
        .map_err(|e| Error::Unexpected(format!("GitHub sent {what} Tidegate cannot read: {e}")))
}

/// `login` and whether the account is a bot, from a (nullable) `simple-user`.
fn user_of(user: &Value) -> (String, bool) {
    let login = user
        .get("login")
        .and_then(Value::as_str)
        .unwrap_or("ghost")
        .to_string();
    let is_bot = user.get("type").and_then(Value::as_str) == Some("Bot");
    (login, is_bot)
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn label_names(value: &Value) -> Vec<String> {
    value
        .get("labels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| match l {
            Value::String(name) => Some(name.clone()),
            other => other
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
        .collect()
}

fn milestone_title(value: &Value) -> Option<String> {
    value
        .get("milestone")
        .and_then(|m| m.get("title"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A check run as GitHub sends it, flattened.
fn check_of(value: Value) -> Result<CheckInfo, Error> {
    let app_slug = value
        .pointer("/app/slug")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut flat = value;
    if let Some(o) = flat.as_object_mut() {
        o.insert("app_slug".into(), json!(app_slug));
        if o.get("external_id").is_some_and(|v| v == "") {
            o.insert("external_id".into(), Value::Null);
        }
    }
    parse("a check run", flat)
}

/// The newest run of each name and app (GitHub ids grow with time): the one that counts.
pub fn latest_per_name_and_app(runs: &[CheckInfo]) -> Vec<CheckInfo> {
    let mut latest: BTreeMap<(&str, &str), &CheckInfo> = BTreeMap::new();
    for run in runs {
        let key = (run.name.as_str(), run.app_slug.as_str());
        if latest.get(&key).is_none_or(|seen| seen.id < run.id) {
            latest.insert(key, run);
        }
    }
    let mut out: Vec<CheckInfo> = latest.into_values().cloned().collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.id));
    out
}

/// `text` cut to at most `limit` characters, saying so at its end.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    const NOTE: &str = "\n\n… (cut at GitHub's limit)";
    let keep = limit - NOTE.chars().count();
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    format!("{}{NOTE}", &text[..end])
}

/// The roles GitHub grants on a repository, strongest first.
const ROLES: [&str; 5] = ["admin", "maintain", "write", "triage", "read"];

impl GitHub {
    /// The pull request `number` (one request).
    pub async fn pull_info(&self, number: u64) -> Result<PullInfo, Error> {
        let path = self.repo_path(&format!("/pulls/{number}"));
        let v = match self.send(Method::GET, &path, None, PULL).await {
            Ok(reply) => reply.body,
            // GitHub answers 404 for a number that does not exist, and for a repository the
            // token cannot see; the number is the likelier mistake, and both are said.
            Err(Error::Refused { status, .. }) if status == http::StatusCode::NOT_FOUND => {
                return Err(Error::Usage(format!(
                    "there is no pull request #{number} in {} (or the token cannot see the repository): check --pr",
                    self.repo()
                )));
            }
            Err(e) => return Err(e),
        };
        let (author, author_is_bot) = user_of(&v["user"]);
        let sha_ref = |side: &str| {
            (
                text(&v[side], "sha"),
                v[side]
                    .get("ref")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            )
        };
        let (head_sha, head_ref) = sha_ref("head");
        let (base_sha, base_ref) = sha_ref("base");
        if head_sha.is_empty() || base_sha.is_empty() {
            return Err(Error::Unexpected(format!(
                "GitHub sent pull request #{number} without its head or base commit"
            )));
        }
        Ok(PullInfo {
            number,
            title: text(&v, "title"),
            body: text(&v, "body"),
            author,
            author_is_bot,
            head_sha,
            head_ref,
            base_sha,
            base_ref,
            labels: label_names(&v),
            milestone: milestone_title(&v),
            created_at: text(&v, "created_at"),
            html_url: text(&v, "html_url"),
            state: text(&v, "state"),
            merged: v.get("merged").and_then(Value::as_bool).unwrap_or(false)
                || v.get("merged_at").is_some_and(|m| !m.is_null()),
        })
    }

    /// Every review of the pull request, oldest first (all pages).
    pub async fn reviews(&self, number: u64) -> Result<Vec<ReviewInfo>, Error> {
        let path = self.repo_path(&format!("/pulls/{number}/reviews"));
        self.list_all(&path, REVIEWS)
            .await?
            .into_iter()
            .map(|v| {
                let (user, user_is_bot) = user_of(&v["user"]);
                let id = v.get("id").and_then(Value::as_u64).ok_or_else(|| {
                    Error::Unexpected("GitHub sent a review without an id".to_string())
                })?;
                Ok(ReviewInfo {
                    id,
                    user,
                    user_is_bot,
                    state: text(&v, "state"),
                    commit_id: text(&v, "commit_id"),
                    submitted_at: v
                        .get("submitted_at")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                })
            })
            .collect()
    }

    /// `login`'s role on the repository: `admin`, `maintain`, `write`, `triage`, `read` or
    /// `none` (not a collaborator, or no such user). GitHub's `role_name` is used when it is one
    /// of these (it tells `maintain` and `triage` apart); a custom role falls back to the legacy
    /// `permission` (`admin`, `write`, `read`), which is its base role.
    pub async fn permission(&self, login: &str) -> Result<String, Error> {
        let path = self.repo_path(&format!(
            "/collaborators/{}/permission",
            encode_query(login)
        ));
        let v = match self.send(Method::GET, &path, None, PERMISSION).await {
            Ok(reply) => reply.body,
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => {
                return Ok("none".to_string());
            }
            Err(e) => return Err(e),
        };
        let role = text(&v, "role_name").to_lowercase();
        if ROLES.contains(&role.as_str()) {
            return Ok(role);
        }
        let permission = text(&v, "permission").to_lowercase();
        Ok(match permission.as_str() {
            "admin" | "maintain" | "write" | "triage" | "read" => permission,
            _ => "none".to_string(),
        })
    }

    /// The members of team `org/slug`. A token that may not read the organization's teams
    /// (GitHub answers 403, or 404 as if the team did not exist; `GITHUB_TOKEN` never can) gives
    /// [`TeamRead::Unreadable`] with the reason, never an empty team.
    pub async fn team_members(&self, org: &str, slug: &str) -> Result<TeamRead, Error> {
        let path = format!(
            "/orgs/{}/teams/{}/members",
            encode_query(org),
            encode_query(slug)
        );
        match self.list_all(&path, TEAM).await {
            Ok(members) => Ok(TeamRead::Members(
                members.iter().map(|m| user_of(m).0).collect(),
            )),
            Err(Error::Permission { message, .. }) => Ok(TeamRead::Unreadable(format!(
                "the token may not read the members of team @{org}/{slug} (403 {message}): use a GitHub App token with the organization permission `members: read` (GITHUB_TOKEN cannot have it)"
            ))),
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => {
                Ok(TeamRead::Unreadable(format!(
                    "team @{org}/{slug} was not found, or the token may not see it: check the team's name, and use a GitHub App token with the organization permission `members: read` (GITHUB_TOKEN cannot have it)"
                )))
            }
            Err(e) => Err(e),
        }
    }

    /// Every check run on commit `sha` (`filter=all`: older runs of a name too, so that the
    /// newest of each name and app can be told, see [`latest_per_name_and_app`]), newest first.
    pub async fn check_runs(&self, sha: &str) -> Result<Vec<CheckInfo>, Error> {
        self.check_runs_named(sha, None).await
    }

    async fn check_runs_named(
        &self,
        sha: &str,
        name: Option<&str>,
    ) -> Result<Vec<CheckInfo>, Error> {
        let mut path = self.repo_path(&format!(
            "/commits/{}/check-runs?filter=all",
            encode_path(sha)
        ));
        if let Some(name) = name {
            path.push_str(&format!("&check_name={}", encode_query(name)));
        }
        let mut runs = self
            .list_all_in(&path, "check_runs", CHECK_RUNS)
            .await?
            .into_iter()
            .map(check_of)
            .collect::<Result<Vec<_>, _>>()?;
        // Pages can shift while they are read (a run added meanwhile): one copy of each.
        let mut seen = HashSet::new();
        runs.retain(|r| seen.insert(r.id));
        runs.sort_by_key(|r| std::cmp::Reverse(r.id));
        Ok(runs)
    }

    /// The latest status of each context on commit `sha` (GitHub's combined status, all pages).
    pub async fn statuses(&self, sha: &str) -> Result<Vec<StatusInfo>, Error> {
        let path = self.repo_path(&format!("/commits/{}/status", encode_path(sha)));
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for v in self.list_all_in(&path, "statuses", STATUSES).await? {
            let status: StatusInfo = parse("a commit status", v)?;
            if seen.insert(status.context.clone()) {
                out.push(status);
            }
        }
        Ok(out)
    }

    /// The open issues and pull requests carrying any of `labels` (one list per label, since
    /// GitHub's `labels` filter asks for all of them at once), each once, by number; with
    /// `milestone`, only those in the milestone of that title (filtered here, which costs no
    /// request).
    pub async fn open_issues_with_labels(
        &self,
        labels: &[String],
        milestone: Option<&str>,
    ) -> Result<Vec<IssueInfo>, Error> {
        let mut found: BTreeMap<u64, IssueInfo> = BTreeMap::new();
        for label in labels {
            let path = self.repo_path(&format!(
                "/issues?state=open&labels={}",
                encode_query(label)
            ));
            for v in self.list_all(&path, ISSUES).await? {
                let issue = IssueInfo {
                    number: v.get("number").and_then(Value::as_u64).ok_or_else(|| {
                        Error::Unexpected("GitHub sent an issue without a number".to_string())
                    })?,
                    title: text(&v, "title"),
                    labels: label_names(&v),
                    is_pull: v.get("pull_request").is_some_and(|p| !p.is_null()),
                    milestone: milestone_title(&v),
                    html_url: text(&v, "html_url"),
                };
                // GitHub filtered already; a label holding a comma would be split by it.
                let labelled = issue.labels.iter().any(|l| l.eq_ignore_ascii_case(label));
                let in_milestone = milestone.is_none_or(|m| issue.milestone.as_deref() == Some(m));
                if labelled && in_milestone {
                    found.insert(issue.number, issue);
                }
            }
        }
        Ok(found.into_values().collect())
    }

    /// Every comment on issue or pull request `number`, oldest first (all pages).
    pub async fn issue_comments(&self, number: u64) -> Result<Vec<CommentInfo>, Error> {
        let path = self.repo_path(&format!("/issues/{number}/comments"));
        self.list_all(&path, COMMENTS)
            .await?
            .into_iter()
            .map(|v| {
                let id = v.get("id").and_then(Value::as_u64).ok_or_else(|| {
                    Error::Unexpected("GitHub sent a comment without an id".to_string())
                })?;
                let created_at = text(&v, "created_at");
                Ok(CommentInfo {
                    id,
                    user: user_of(&v["user"]).0,
                    body: text(&v, "body"),
                    updated_at: v
                        .get("updated_at")
                        .and_then(Value::as_str)
                        .map_or_else(|| created_at.clone(), str::to_string),
                    created_at,
                })
            })
            .collect()
    }

    /// Creates or updates the check run `name` on `head_sha`: `conclusion` `None` is
    /// `in_progress`, else the run completes with it. The summary and text are cut to GitHub's
    /// 65,535 characters.
    ///
    /// The run updated is the newest of that name on that commit marked [`CHECK_RUN_MARK`] and
    /// made by this token's app (another app's run answers 403 and is left alone). A completed run
    /// cannot go back to `in_progress` on GitHub, so a pending verdict after a completed one makes
    /// a new run (the newest of a name is the one branch protection reads). A create whose answer
    /// is lost is not sent again blindly: the runs are listed first, and a run that appeared is
    /// the one it made.
    #[allow(clippy::too_many_arguments)]
    pub async fn post_check_run(
        &self,
        name: &str,
        head_sha: &str,
        conclusion: Option<&str>,
        title: &str,
        summary: &str,
        text: &str,
    ) -> Result<CheckInfo, Error> {
        let mut fields = json!({
            "name": name,
            "external_id": CHECK_RUN_MARK,
            "output": {
                "title": cut(title, 255),
                "summary": cut(summary, CHECK_OUTPUT_LIMIT),
                "text": cut(text, CHECK_OUTPUT_LIMIT),
            },
        });
        match conclusion {
            Some(c) => {
                fields["status"] = json!("completed");
                fields["conclusion"] = json!(c);
            }
            None => fields["status"] = json!("in_progress"),
        }
        let ours = |runs: Vec<CheckInfo>| -> Vec<CheckInfo> {
            runs.into_iter()
                .filter(|r| r.name == name && r.external_id.as_deref() == Some(CHECK_RUN_MARK))
                .collect()
        };
        let before = ours(self.check_runs_named(head_sha, Some(name)).await?);
        // Only the newest counts: updating an older run would leave a newer verdict in force.
        let updatable = before
            .first()
            .filter(|r| conclusion.is_some() || r.status != "completed");
        if let Some(run) = updatable {
            let path = self.repo_path(&format!("/check-runs/{}", run.id));
            match self
                .send(Method::PATCH, &path, Some(&fields), UPDATE_RUN)
                .await
            {
                Ok(reply) => return check_of(reply.body),
                // Another app's run (the token changed): this app makes its own.
                Err(Error::Permission { .. }) => {}
                Err(Error::Refused { status, .. }) if status.as_u16() == 404 => {}
                Err(e) => return Err(e),
            }
        }
        let known: HashSet<u64> = before.iter().map(|r| r.id).collect();
        fields["head_sha"] = json!(head_sha);
        let path = self.repo_path("/check-runs");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self
                .send_once(Method::POST, &path, Some(&fields), CREATE_RUN)
                .await;
            let failure = match sent {
                Ok(reply) => return check_of(reply.body),
                Err(e @ (Error::Unavailable { .. } | Error::Transport(_))) => e,
                Err(e) => return Err(e),
            };
            let now = ours(self.check_runs_named(head_sha, Some(name)).await?);
            if let Some(made) = now.into_iter().find(|r| !known.contains(&r.id)) {
                return Ok(made);
            }
            if attempt >= CREATE_ATTEMPTS {
                return Err(failure);
            }
            let wait = self.retry.base_delay * 2u32.pow(attempt as u32 - 1);
            eprintln!(
                "creating the check run failed ({failure}); retrying in {:.1} s",
                wait.as_secs_f64()
            );
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_output_is_cut_at_the_limit_on_a_character_boundary() {
        let long = "é".repeat(CHECK_OUTPUT_LIMIT + 10);
        let kept = cut(&long, CHECK_OUTPUT_LIMIT);
        assert_eq!(kept.chars().count(), CHECK_OUTPUT_LIMIT);
        assert!(kept.ends_with("(cut at GitHub's limit)"));
        assert_eq!(cut("short", CHECK_OUTPUT_LIMIT), "short");
    }
}
