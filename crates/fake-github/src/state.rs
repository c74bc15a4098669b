//! What the fake remembers besides git: issues and pull requests, labels, comments, reviews, check
//! runs, statuses, releases, collaborators and teams. All of it sits behind one mutex that a
//! request holds from start to end, so every request is atomic (one open PR per head and base).

use std::collections::BTreeMap;
use std::path::PathBuf;

/// A snapshot of one pull request, for assertions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pull {
    pub number: u64,
    /// `open` or `closed`.
    pub state: String,
    pub merged: bool,
    pub title: String,
    /// `None` when the PR was opened without a body.
    pub body: Option<String>,
    pub head_ref: String,
    /// The head branch's current tip (the last one seen if the branch is gone or the PR merged).
    pub head_sha: String,
    pub base_ref: String,
    pub draft: bool,
    pub labels: Vec<String>,
    pub requested_reviewers: Vec<String>,
    pub requested_teams: Vec<String>,
    pub assignees: Vec<String>,
    /// Login of the author (the token's user for PRs opened through the API).
    pub user: String,
    /// The merge, squash or rebase result on the base branch, once merged.
    pub merge_commit_sha: Option<String>,
}

/// A snapshot of one issue comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub issue_number: u64,
    pub user: String,
    pub body: String,
}

/// A snapshot of one release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    pub id: u64,
    pub tag_name: String,
    pub target_commitish: String,
    pub name: Option<String>,
    pub body: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
    /// Whether GitHub would show it as the repository's latest release.
    pub latest: bool,
    /// Published while the repository had immutable releases on: its assets are frozen.
    pub immutable: bool,
}

/// A snapshot of one release asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    pub id: u64,
    /// The name as GitHub stores it (after renaming special characters).
    pub name: String,
    pub label: Option<String>,
    pub content_type: String,
    pub size: u64,
    /// `uploaded`, or `open` for an upload that never finished (GitHub's docs call it `starter`;
    /// its schema allows `uploaded` and `open` only).
    pub state: String,
    /// `sha256:<hex>` of the bytes, for uploaded assets.
    pub digest: Option<String>,
}

/// A recorded `workflow_dispatch` (`POST actions/workflows/{workflow_id}/dispatches`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispatch {
    /// The workflow's file name (`release-image.yml`), whichever way it was named.
    pub workflow: String,
    /// The `ref` as sent (branch or tag name).
    pub git_ref: String,
    /// The `inputs` as sent; values that are not strings are kept as their JSON text.
    pub inputs: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    /// By lower-case `owner/name` (GitHub's names are case-insensitive).
    pub repos: BTreeMap<String, RepoState>,
    /// Team members by lower-case `org/slug`.
    pub teams: BTreeMap<String, Vec<String>>,
    /// The login of the token's user.
    pub actor: String,
    /// The slug of the GitHub App the token belongs to (`github-actions` for `GITHUB_TOKEN`):
    /// the app of the check runs it creates, and the only app whose runs it may update.
    pub token_app: String,
    /// `GET /orgs/{org}/teams/{slug}/members` answers 403, as it does for `GITHUB_TOKEN`.
    pub forbid_team_reads: bool,
    /// Tokens besides the default one, each reaching only its repositories (by lower-case key).
    pub tokens: BTreeMap<String, TokenGrant>,
    /// Git smart-HTTP requests served, as `service owner/name` (not in the REST counts).
    pub git_requests: Vec<String>,
}

/// What a token added with `FakeGitHub::add_token` may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenPerms {
    /// May write (REST writes, git pushes); else it reads only.
    pub write: bool,
    /// May push commits that change `.github/workflows/` (`workflows: write` of an App token,
    /// the `workflow` scope of a classic PAT).
    pub workflows: bool,
    /// A classic personal access token: every answer carries `X-OAuth-Scopes`.
    pub classic: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct TokenGrant {
    /// Lower-case `owner/name` keys.
    pub repos: Vec<String>,
    pub perms: TokenPerms,
}

impl TokenGrant {
    pub(crate) fn reaches(&self, key: &str) -> bool {
        self.repos.iter().any(|r| r == key)
    }

    /// The `X-OAuth-Scopes` a classic token's answers carry.
    pub(crate) fn scopes(&self) -> Option<String> {
        self.perms.classic.then(|| {
            if self.perms.workflows {
                "repo, workflow".to_string()
            } else {
                "repo".to_string()
            }
        })
    }
}

pub(crate) fn repo_key(owner: &str, name: &str) -> String {
    format!("{}/{}", owner.to_lowercase(), name.to_lowercase())
}

#[derive(Debug)]
pub(crate) struct RepoState {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub git_dir: PathBuf,
    pub created_at: String,
    /// Issues and pull requests share one number sequence.
    pub last_number: u64,
    pub issues: BTreeMap<u64, Issue>,
    pub labels: Vec<Label>,
    pub milestones: Vec<Milestone>,
    pub comments: Vec<IssueComment>,
    pub reviews: Vec<Review>,
    pub check_runs: Vec<CheckRun>,
    pub statuses: Vec<CommitStatus>,
    pub releases: Vec<ReleaseState>,
    /// Permission (`admin`, `maintain`, `write`, `triage`, `read`) by lower-case login.
    pub collaborators: BTreeMap<String, String>,
    /// The release set as latest (`make_latest: "true"`); `None`: GitHub's legacy rule decides.
    pub latest_release: Option<u64>,
    /// Tag name patterns of a ruleset restricting creation, update and deletion.
    pub tag_rules: Vec<String>,
    pub workflows: Vec<Workflow>,
    pub dispatches: Vec<Dispatch>,
    /// The repository setting "immutable releases": releases published while it is on freeze
    /// their assets.
    pub immutable_releases: bool,
    /// Deployments (oldest first) with their statuses; ids grow with time.
    pub deployments: Vec<DeploymentState>,
    /// Workflow runs started by `workflow_dispatch`, oldest first.
    pub runs: Vec<WorkflowRun>,
    /// Reactions on issue comments (backport).
    pub comment_reactions: Vec<CommentReaction>,
}

impl RepoState {
    pub(crate) fn new(id: u64, owner: &str, name: &str, git_dir: PathBuf, now: String) -> Self {
        RepoState {
            id,
            owner: owner.to_string(),
            name: name.to_string(),
            git_dir,
            created_at: now,
            last_number: 0,
            issues: BTreeMap::new(),
            labels: Vec::new(),
            milestones: Vec::new(),
            comments: Vec::new(),
            reviews: Vec::new(),
            check_runs: Vec::new(),
            statuses: Vec::new(),
            releases: Vec::new(),
            collaborators: BTreeMap::new(),
            latest_release: None,
            tag_rules: Vec::new(),
            workflows: Vec::new(),
            dispatches: Vec::new(),
            immutable_releases: false,
            deployments: Vec::new(),
            runs: Vec::new(),
            comment_reactions: Vec::new(),
        }
    }

    pub(crate) fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    pub(crate) fn next_number(&mut self) -> u64 {
        self.last_number += 1;
        self.last_number
    }

    pub(crate) fn label(&self, name: &str) -> Option<&Label> {
        self.labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
    }

    /// The label named so, created (grey, no description) when the repository has none yet.
    pub(crate) fn ensure_label(&mut self, name: &str) -> String {
        if let Some(l) = self.label(name) {
            return l.name.clone();
        }
        self.labels.push(Label {
            id: crate::util::next_id(),
            name: name.to_string(),
            color: "ededed".to_string(),
            description: None,
        });
        name.to_string()
    }

    pub(crate) fn is_collaborator(&self, login: &str) -> bool {
        login.eq_ignore_ascii_case(&self.owner)
            || self.collaborators.contains_key(&login.to_lowercase())
    }

    pub(crate) fn open_pull_for(&self, head_ref: &str, base_ref: &str) -> Option<u64> {
        self.issues.values().find_map(|i| {
            let p = i.pull.as_ref()?;
            (i.state == "open" && p.head_ref == head_ref && p.base_ref == base_ref)
                .then_some(i.number)
        })
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Workflow {
    pub id: u64,
    /// The file name under `.github/workflows/`.
    pub file: String,
    pub created_at: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Label {
    pub id: u64,
    pub name: String,
    pub color: String,
    pub description: Option<String>,
}

/// A milestone; issues refer to it by number.
#[derive(Clone, Debug)]
pub(crate) struct Milestone {
    pub id: u64,
    pub number: u64,
    pub title: String,
    /// `open` or `closed`.
    pub state: String,
    pub creator: String,
    pub created_at: String,
}

/// An issue, or the issue half of a pull request.
#[derive(Clone, Debug)]
pub(crate) struct Issue {
    pub id: u64,
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    /// `open` or `closed`.
    pub state: String,
    pub user: String,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    /// The number of its milestone.
    pub milestone: Option<u64>,
    pub pull: Option<PullData>,
}

#[derive(Clone, Debug)]
pub(crate) struct PullData {
    pub id: u64,
    pub head_ref: String,
    /// The head tip last seen (updated whenever the PR is read while its branch exists).
    pub head_sha: String,
    pub base_ref: String,
    pub draft: bool,
    pub maintainer_can_modify: bool,
    pub merged_at: Option<String>,
    pub merge_commit_sha: Option<String>,
    pub merged_by: Option<String>,
    /// The base tip the PR was merged onto (its commits stay listable after the merge).
    pub merged_base_sha: Option<String>,
    pub requested_reviewers: Vec<String>,
    pub requested_teams: Vec<String>,
    /// Commit and line counts frozen when the PR was merged.
    pub frozen: Option<PullStats>,
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PullStats {
    pub commits: usize,
    pub additions: usize,
    pub deletions: usize,
    pub changed_files: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct IssueComment {
    pub id: u64,
    pub issue_number: u64,
    pub user: String,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Review {
    pub id: u64,
    pub pull_number: u64,
    pub user: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED` or `PENDING`.
    pub state: String,
    pub body: String,
    pub commit_id: String,
    pub submitted_at: String,
}

#[derive(Clone, Debug)]
pub(crate) struct CheckRun {
    pub id: u64,
    pub head_sha: String,
    pub name: String,
    /// The slug of the app that made it (`github-actions`, `circleci-checks`…).
    pub app_slug: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub details_url: Option<String>,
    pub external_id: Option<String>,
    pub output_title: Option<String>,
    pub output_summary: Option<String>,
    pub output_text: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct CommitStatus {
    pub id: u64,
    pub sha: String,
    pub state: String,
    pub context: String,
    pub description: Option<String>,
    pub target_url: Option<String>,
    pub creator: String,
    pub created_at: String,
}

#[derive(Clone, Debug)]
pub(crate) struct ReleaseState {
    pub id: u64,
    pub tag_name: String,
    pub target_commitish: String,
    pub name: Option<String>,
    pub body: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
    pub author: String,
    pub created_at: String,
    pub published_at: Option<String>,
    /// `make_latest` as last sent (applied when the release is published).
    pub make_latest: Option<String>,
    /// Published while the repository had immutable releases on.
    pub immutable: bool,
    pub assets: Vec<AssetState>,
}

/// A release asset. Its bytes live in a file in the fake's temporary directory, never in memory,
/// so tests can upload hundreds of megabytes.
#[derive(Clone, Debug)]
pub(crate) struct AssetState {
    pub id: u64,
    pub name: String,
    pub label: Option<String>,
    pub content_type: String,
    pub size: u64,
    /// `uploaded` or `open` (an interrupted upload).
    pub state: String,
    /// Lower-case hex SHA-256 of the bytes (uploaded assets only).
    pub sha256: Option<String>,
    pub uploader: String,
    pub created_at: String,
    /// The bytes (none for an interrupted upload).
    pub file: Option<PathBuf>,
}

impl AssetState {
    pub(crate) fn snapshot(&self) -> Asset {
        Asset {
            id: self.id,
            name: self.name.clone(),
            label: self.label.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            state: self.state.clone(),
            digest: self.sha256.as_ref().map(|h| format!("sha256:{h}")),
        }
    }

    /// Removes the bytes from disk (the asset or its release was deleted).
    pub(crate) fn remove_file(&self) {
        if let Some(file) = &self.file {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// GitHub's renaming of an uploaded asset's name: each run of characters other than ASCII
/// letters, digits, `-`, `_` and `+` (dots included) becomes one `.`, and leading and trailing
/// dots go (`My App (1).zip` → `My.App.1.zip`). GitHub transliterates some
/// non-ASCII letters (`ŋ` → `ng`) where the fake writes a dot.
pub(crate) fn github_asset_name(name: &str) -> String {
    let kept = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+');
    let mut out = String::new();
    let mut run = String::new();
    for c in name.chars() {
        if kept(c) {
            if !run.is_empty() {
                out.push('.');
                run.clear();
            }
            out.push(c);
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        out.push('.');
    }
    out.trim_matches('.').to_string()
}

impl ReleaseState {
    pub(crate) fn snapshot(&self, latest: Option<u64>) -> Release {
        Release {
            id: self.id,
            tag_name: self.tag_name.clone(),
            target_commitish: self.target_commitish.clone(),
            name: self.name.clone(),
            body: self.body.clone(),
            draft: self.draft,
            prerelease: self.prerelease,
            latest: latest == Some(self.id),
            immutable: self.immutable,
        }
    }

    /// Drafts and prereleases are never the latest release.
    pub(crate) fn can_be_latest(&self) -> bool {
        !self.draft && !self.prerelease
    }
}

/// A snapshot of one deployment, for assertions.
#[derive(Clone, Debug, PartialEq)]
pub struct Deployment {
    pub id: u64,
    /// The ref as sent (a tag, branch or SHA).
    pub git_ref: String,
    pub sha: String,
    pub environment: String,
    pub task: String,
    /// The payload as sent (an object, or a string when sent as one).
    pub payload: serde_json::Value,
    pub description: Option<String>,
    pub creator: String,
    /// `required_contexts` as sent (`None`: not sent, GitHub checks every context).
    pub required_contexts: Option<Vec<String>>,
    /// `auto_merge` as sent (`None`: not sent, GitHub's default is `true`).
    pub auto_merge: Option<bool>,
    /// Its statuses, oldest first.
    pub statuses: Vec<DeploymentStatus>,
}

/// A snapshot of one deployment status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentStatus {
    pub state: String,
    pub description: String,
    pub log_url: String,
    pub creator: String,
}

#[derive(Clone, Debug)]
pub(crate) struct DeploymentState {
    pub id: u64,
    pub git_ref: String,
    pub sha: String,
    pub environment: String,
    pub task: String,
    pub payload: serde_json::Value,
    pub description: Option<String>,
    pub creator: String,
    pub created_at: String,
    pub transient: bool,
    pub production: bool,
    pub required_contexts: Option<Vec<String>>,
    pub auto_merge: Option<bool>,
    pub statuses: Vec<DeploymentStatusState>,
}

#[derive(Clone, Debug)]
pub(crate) struct DeploymentStatusState {
    pub id: u64,
    pub state: String,
    pub description: String,
    pub log_url: String,
    pub environment_url: String,
    pub creator: String,
    pub created_at: String,
}

impl DeploymentState {
    pub(crate) fn snapshot(&self) -> Deployment {
        Deployment {
            id: self.id,
            git_ref: self.git_ref.clone(),
            sha: self.sha.clone(),
            environment: self.environment.clone(),
            task: self.task.clone(),
            payload: self.payload.clone(),
            description: self.description.clone(),
            creator: self.creator.clone(),
            required_contexts: self.required_contexts.clone(),
            auto_merge: self.auto_merge,
            statuses: self
                .statuses
                .iter()
                .map(|s| DeploymentStatus {
                    state: s.state.clone(),
                    description: s.description.clone(),
                    log_url: s.log_url.clone(),
                    creator: s.creator.clone(),
                })
                .collect(),
        }
    }

    /// The state of its newest status, if any.
    pub(crate) fn latest_state(&self) -> Option<&str> {
        self.statuses.last().map(|s| s.state.as_str())
    }
}

/// A workflow run a dispatch started (never actually run).
#[derive(Clone, Debug)]
pub(crate) struct WorkflowRun {
    pub id: u64,
    pub workflow_id: u64,
    pub workflow_file: String,
    pub run_number: u64,
    /// The branch or tag dispatched on.
    pub head_branch: String,
    pub head_sha: String,
    pub actor: String,
    pub created_at: String,
}

/// A reaction on an issue comment.
#[derive(Clone, Debug)]
pub(crate) struct CommentReaction {
    pub id: u64,
    pub comment_id: u64,
    pub user: String,
    /// `+1`, `eyes`…
    pub content: String,
    pub created_at: String,
}
