//! The operations the fake serves, by documented operation key, and what they share.

mod assets;
mod checks;
mod deletions;
mod deployments;
mod gitdata;
pub(crate) mod graphql;
mod issue_edits;
mod issues;
mod pulls;
mod refs;
mod releases;
mod repos;
pub(crate) mod smart_http;
mod workflows;

pub(crate) use assets::STORAGE_PREFIX;

use git2::Repository;
use serde_json::Value;

use crate::contract::Matched;
use crate::json::{self, PullFacts, Urls};
use crate::reply::{Handled, Reply};
use crate::state::{PullData, PullStats, RepoState, State, repo_key};
use crate::{git, util};

/// One request, parsed and matched, as handlers see it.
pub(crate) struct Rq<'a> {
    pub urls: &'a Urls,
    pub m: &'a Matched,
    pub query: &'a [(String, String)],
    /// The JSON body (`Null` when there is none).
    pub body: &'a Value,
    /// The login of the token's user.
    pub actor: &'a str,
    /// The request path, without the `/api/v3` prefix.
    pub path: &'a str,
    /// The `Accept` header (empty when none was sent).
    pub accept: &'a str,
    /// The body of an asset upload, already on disk.
    pub upload: Option<&'a Upload>,
}

/// An uploaded body, streamed to a file in the fake's temporary directory as it arrived. The
/// asset made of it keeps the file; the server removes it when the upload is refused.
#[derive(Debug)]
pub(crate) struct Upload {
    pub file: std::path::PathBuf,
    pub size: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub content_type: Option<String>,
}

impl Rq<'_> {
    pub(crate) fn docs(&self) -> &str {
        &self.m.op.docs_url
    }

    pub(crate) fn p(&self, name: &str) -> &str {
        self.m.param(name)
    }

    /// A query parameter (the last one when repeated).
    pub(crate) fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn s(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(Value::as_str)
    }

    pub(crate) fn flag(&self, key: &str) -> Option<bool> {
        self.body.get(key).and_then(Value::as_bool)
    }

    /// A numeric path parameter; not a number → 404, as GitHub answers.
    pub(crate) fn number(&self, name: &str) -> Result<u64, Reply> {
        self.p(name)
            .parse()
            .map_err(|_| Reply::not_found(self.docs()))
    }

    pub(crate) fn not_found(&self) -> Reply {
        Reply::not_found(self.docs())
    }
}

/// Serves a matched request; `None` when the fake does not implement the operation.
pub(crate) fn dispatch(st: &mut State, rq: &Rq<'_>) -> Option<Reply> {
    let key = rq.m.op.key();
    let handled: Handled = match key.as_str() {
        "GET /repos/{owner}/{repo}" => repos::get_repo(st, rq),
        "GET /repos/{owner}/{repo}/branches/{branch}" => repos::get_branch(st, rq),
        "GET /repos/{owner}/{repo}/branches/{branch}/protection" => repos::get_protection(st, rq),
        "GET /repos/{owner}/{repo}/rules/branches/{branch}" => repos::get_rules(st, rq),
        "GET /repos/{owner}/{repo}/collaborators/{username}/permission" => {
            repos::get_permission(st, rq)
        }
        "GET /orgs/{org}/teams/{team_slug}/members" => repos::team_members(st, rq),
        "GET /repos/{owner}/{repo}/commits" => repos::list_commits(st, rq),
        "GET /repos/{owner}/{repo}/commits/{ref}" => repos::get_commit(st, rq),
        "GET /repos/{owner}/{repo}/compare/{basehead}" => repos::compare(st, rq),
        "POST /repos/{owner}/{repo}/merges" => repos::merge_branches(st, rq),
        "GET /repos/{owner}/{repo}/contents/{path}" => repos::contents(st, rq),
        "GET /repos/{owner}/{repo}/tags" => repos::tags(st, rq),
        "GET /repos/{owner}/{repo}/pulls" => pulls::list(st, rq),
        "POST /repos/{owner}/{repo}/pulls" => pulls::create(st, rq),
        "GET /repos/{owner}/{repo}/pulls/{pull_number}" => pulls::get(st, rq),
        "PATCH /repos/{owner}/{repo}/pulls/{pull_number}" => pulls::update(st, rq),
        "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge" => pulls::merge(st, rq),
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits" => pulls::commits(st, rq),
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews" => pulls::reviews(st, rq),
        "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers" => {
            pulls::request_reviewers(st, rq)
        }
        "GET /repos/{owner}/{repo}/issues" => issues::list(st, rq),
        "GET /repos/{owner}/{repo}/issues/{issue_number}/labels" => issues::labels(st, rq),
        "POST /repos/{owner}/{repo}/issues/{issue_number}/labels" => issues::add_labels(st, rq),
        "POST /repos/{owner}/{repo}/issues/{issue_number}/assignees" => {
            issues::add_assignees(st, rq)
        }
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments" => issues::comments(st, rq),
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments" => issues::add_comment(st, rq),
        "GET /repos/{owner}/{repo}/issues/{issue_number}/reactions" => issues::reactions(st, rq),
        "GET /repos/{owner}/{repo}/git/ref/{ref}" => refs::get(st, rq),
        "GET /repos/{owner}/{repo}/git/matching-refs/{ref}" => refs::matching(st, rq),
        "POST /repos/{owner}/{repo}/git/refs" => refs::create(st, rq),
        "PATCH /repos/{owner}/{repo}/git/refs/{ref}" => refs::update(st, rq),
        "DELETE /repos/{owner}/{repo}/git/refs/{ref}" => refs::delete(st, rq),
        "POST /repos/{owner}/{repo}/check-runs" => checks::create_run(st, rq),
        "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}" => checks::update_run(st, rq),
        "GET /repos/{owner}/{repo}/commits/{ref}/check-runs" => checks::runs_for_ref(st, rq),
        "POST /repos/{owner}/{repo}/statuses/{sha}" => checks::create_status(st, rq),
        "GET /repos/{owner}/{repo}/commits/{ref}/status" => checks::combined_status(st, rq),
        "GET /repos/{owner}/{repo}/releases" => releases::list(st, rq),
        "POST /repos/{owner}/{repo}/releases" => releases::create(st, rq),
        "GET /repos/{owner}/{repo}/releases/tags/{tag}" => releases::by_tag(st, rq),
        "PATCH /repos/{owner}/{repo}/releases/{release_id}" => releases::update(st, rq),
        "POST /repos/{owner}/{repo}/releases/generate-notes" => releases::generate_notes(st, rq),
        "GET /repos/{owner}/{repo}/releases/{release_id}" => releases::get(st, rq),
        "DELETE /repos/{owner}/{repo}/releases/{release_id}" => releases::delete(st, rq),
        "POST /repos/{owner}/{repo}/releases/{release_id}/assets" => assets::upload(st, rq),
        "GET /repos/{owner}/{repo}/releases/{release_id}/assets" => assets::list(st, rq),
        "GET /repos/{owner}/{repo}/releases/assets/{asset_id}" => assets::get(st, rq),
        "DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}" => assets::delete(st, rq),
        "POST /repos/{owner}/{repo}/git/blobs" => gitdata::create_blob(st, rq),
        "POST /repos/{owner}/{repo}/git/trees" => gitdata::create_tree(st, rq),
        "POST /repos/{owner}/{repo}/git/commits" => gitdata::create_commit(st, rq),
        "GET /repos/{owner}/{repo}/git/commits/{commit_sha}" => gitdata::get_commit(st, rq),
        "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}" => {
            issues::remove_label(st, rq)
        }
        "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls" => pulls::of_commit(st, rq),
        "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}" => workflows::get(st, rq),
        "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches" => {
            workflows::dispatch(st, rq)
        }
        "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs" => {
            deployments::runs(st, rq)
        }
        "POST /repos/{owner}/{repo}/deployments" => deployments::create(st, rq),
        "GET /repos/{owner}/{repo}/deployments" => deployments::list(st, rq),
        "GET /repos/{owner}/{repo}/deployments/{deployment_id}" => deployments::get(st, rq),
        "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses" => {
            deployments::statuses(st, rq)
        }
        "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses" => {
            deployments::create_status(st, rq)
        }
        "GET /repos/{owner}/{repo}/issues/{issue_number}" => issue_edits::get(st, rq),
        "PATCH /repos/{owner}/{repo}/issues/{issue_number}" => issue_edits::update(st, rq),
        "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}" => {
            issue_edits::update_comment(st, rq)
        }
        "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions" => {
            issue_edits::react_to_comment(st, rq)
        }
        // Concurrent runs (issue 18).
        "DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}" => {
            deletions::delete_comment(st, rq)
        }
        "DELETE /repos/{owner}/{repo}/deployments/{deployment_id}" => {
            deletions::delete_deployment(st, rq)
        }
        _ => return None,
    };
    Some(handled.unwrap_or_else(|e| e))
}

/// The repository named by the `owner` and `repo` parameters, or 404.
pub(crate) fn repo<'s>(st: &'s mut State, rq: &Rq<'_>) -> Result<&'s mut RepoState, Reply> {
    st.repos
        .get_mut(&repo_key(rq.p("owner"), rq.p("repo")))
        .ok_or_else(|| rq.not_found())
}

/// The repository's git repository.
pub(crate) fn open_git(r: &RepoState, rq: &Rq<'_>) -> Result<Repository, Reply> {
    git::open(&r.git_dir)
        .map_err(|e| Reply::error(500, &format!("fake-github: git: {e}"), rq.docs()))
}

pub(crate) fn server_error(rq: &Rq<'_>, what: impl std::fmt::Display) -> Reply {
    Reply::error(500, &format!("fake-github: {what}"), rq.docs())
}

/// One page of a list: the window to answer and GitHub's `Link` header (`per_page` defaults to
/// 30, at most 100; links are absolute, under the API base, and keep the other query parameters).
pub(crate) struct Page {
    pub start: usize,
    pub end: usize,
    link: Option<String>,
}

impl Page {
    pub(crate) fn of(rq: &Rq<'_>, total: usize) -> Page {
        let per_page = rq
            .q("per_page")
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(30)
            .min(100);
        let page = rq
            .q("page")
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(1);
        let last = total.div_ceil(per_page).max(1);
        let start = (page - 1).saturating_mul(per_page).min(total);
        let end = start.saturating_add(per_page).min(total);
        let mut links = Vec::new();
        if page > 1 {
            links.push((page - 1, "prev"));
        }
        if page < last {
            links.push((page + 1, "next"));
            links.push((last, "last"));
        }
        if page > 1 {
            links.push((1, "first"));
        }
        let link = (!links.is_empty()).then(|| {
            links
                .iter()
                .map(|(n, rel)| format!("<{}>; rel=\"{rel}\"", page_url(rq, *n)))
                .collect::<Vec<_>>()
                .join(", ")
        });
        Page { start, end, link }
    }

    /// The answer: `body` (already this page's items) with the `Link` header.
    pub(crate) fn reply(self, body: Value) -> Reply {
        let reply = Reply::ok(body);
        match self.link {
            Some(link) => reply.header("link", link),
            None => reply,
        }
    }
}

/// Answers one page of `items`.
pub(crate) fn paginate(rq: &Rq<'_>, items: Vec<Value>) -> Reply {
    let page = Page::of(rq, items.len());
    let body: Vec<Value> = items
        .into_iter()
        .skip(page.start)
        .take(page.end - page.start)
        .collect();
    page.reply(Value::Array(body))
}

fn page_url(rq: &Rq<'_>, page: usize) -> String {
    let path = rq.path;
    let mut parts: Vec<String> = rq
        .query
        .iter()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| format!("{}={}", util::enc_query(k), util::enc_query(v)))
        .collect();
    parts.push(format!("page={page}"));
    format!("{}{path}?{}", rq.urls.api, parts.join("&"))
}

/// Reads what a pull request shows from git, and remembers the head tip of an open PR.
pub(crate) fn pull_facts(
    repo: &Repository,
    r: &RepoState,
    p: &mut PullData,
    open: bool,
    full: bool,
) -> PullFacts {
    let head_tip = git::branch_tip(repo, &p.head_ref);
    if open {
        if let Some(tip) = head_tip {
            p.head_sha = tip.to_string();
        }
    }
    let base_tip = git::branch_tip(repo, &p.base_ref);
    let head = git2::Oid::from_str(&p.head_sha).ok();
    let stats = match (full, p.frozen, head, base_tip) {
        (false, ..) => PullStats::default(),
        (true, Some(frozen), _, _) => frozen,
        (true, None, Some(head), Some(base)) => pull_stats(repo, base, head),
        _ => PullStats::default(),
    };
    let (mergeable, state) = match (full && open, head, base_tip) {
        (true, Some(head), Some(base)) => {
            if git::mergeable(repo, base, head) {
                (Some(true), if p.draft { "draft" } else { "clean" })
            } else {
                (Some(false), "dirty")
            }
        }
        _ => (None, "unknown"),
    };
    PullFacts {
        head_sha: p.head_sha.clone(),
        base_sha: match (&p.merged_base_sha, base_tip) {
            (Some(sha), _) => sha.clone(),
            (None, Some(tip)) => tip.to_string(),
            (None, None) => p.head_sha.clone(),
        },
        stats,
        mergeable,
        mergeable_state: state,
        repo_pushed_at: r.created_at.clone(),
    }
}

/// Commits, lines and files a PR of `head` into `base` brings.
pub(crate) fn pull_stats(repo: &Repository, base: git2::Oid, head: git2::Oid) -> PullStats {
    let commits = git::commits_between(repo, Some(base), head).len();
    let from = git::merge_base(repo, base, head);
    let files = git::diff(repo, from, head);
    PullStats {
        commits,
        additions: files.iter().map(|f| f.additions).sum(),
        deletions: files.iter().map(|f| f.deletions).sum(),
        changed_files: files.len(),
    }
}

/// The JSON of pull request `number` (full or simple), refreshing its head tip.
pub(crate) fn pull_json(
    rq: &Rq<'_>,
    r: &mut RepoState,
    repo: &Repository,
    number: u64,
    full: bool,
) -> Result<Value, Reply> {
    let mut issue = r
        .issues
        .get(&number)
        .cloned()
        .ok_or_else(|| rq.not_found())?;
    let Some(mut p) = issue.pull.take() else {
        return Err(rq.not_found());
    };
    let facts = pull_facts(repo, r, &mut p, issue.state == "open", full);
    let v = json::pull(rq.urls, r, &issue, &p, &facts, full);
    if let Some(stored) = r.issues.get_mut(&number).and_then(|i| i.pull.as_mut()) {
        stored.head_sha = p.head_sha;
    }
    Ok(v)
}
