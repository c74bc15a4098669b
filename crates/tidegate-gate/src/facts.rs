//! What the gate is evaluated against: everything read from GitHub, as plain values. The same
//! values are the body of the audit record, so a verdict can be recomputed later without a token.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub repo: String,
    pub base: Ref,
    pub head: Ref,
    /// `None` when a bare `--ref` is evaluated.
    #[serde(default)]
    pub pull: Option<Pull>,
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// Login (lowercase) → `admin`, `maintain`, `write`, `triage`, `read` or `none`.
    #[serde(default)]
    pub permissions: BTreeMap<String, String>,
    /// `org/slug` → its members, or why the token could not read them.
    #[serde(default)]
    pub teams: BTreeMap<String, Team>,
    #[serde(default)]
    pub checks: Vec<Check>,
    #[serde(default)]
    pub statuses: Vec<Status>,
    /// Open issues and pull requests carrying a label some rule may ask about.
    #[serde(default)]
    pub blockers: Vec<Blocker>,
    #[serde(default)]
    pub comments: Vec<Comment>,
    #[serde(default)]
    pub commits: Vec<Commit>,
    /// `tidegate/gate: X` check runs on the head commit and on commits with the head's tree.
    #[serde(default)]
    pub gate_runs: Vec<GateRun>,
    /// Whether the release notes of the version exist; `None` when not looked up.
    #[serde(default)]
    pub notes_present: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ref {
    pub name: String,
    pub sha: String,
    pub tree: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pull {
    pub number: u64,
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub author: String,
    #[serde(default)]
    pub author_is_bot: bool,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub milestone: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    #[serde(default)]
    pub url: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: u64,
    pub user: String,
    #[serde(default)]
    pub user_is_bot: bool,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED` or `DISMISSED`.
    pub state: String,
    pub commit_id: String,
    /// The tree of `commit_id`, when it was read.
    #[serde(default)]
    pub commit_tree: Option<String>,
    /// RFC 3339.
    pub submitted_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Team {
    /// Member logins.
    Members(Vec<String>),
    /// Why the token could not read the team.
    Unreadable(String),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub id: u64,
    pub name: String,
    /// The GitHub App's slug.
    #[serde(default)]
    pub app: Option<String>,
    /// `queued`, `in_progress`, `completed`…
    pub status: String,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub context: String,
    /// `success`, `pending`, `failure` or `error`.
    pub state: String,
    #[serde(default)]
    pub url: Option<String>,
    pub created_at: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocker {
    pub number: u64,
    pub title: String,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub is_pull: bool,
    #[serde(default)]
    pub milestone: Option<String>,
    #[serde(default)]
    pub url: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: u64,
    pub user: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    pub sha: String,
    pub message: String,
    #[serde(default)]
    pub author_login: Option<String>,
    #[serde(default)]
    pub author_name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRun {
    pub gate: String,
    pub sha: String,
    pub tree: String,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
}
