//! Response bodies, shaped as GitHub's schemas require (the contract tests check each one).

use serde_json::{Value, json};

use crate::git::{CommitInfo, FileChange};
use crate::state::AssetState;
use crate::state::{
    CheckRun, CommitStatus, Issue, IssueComment, Label, Milestone, PullData, PullStats,
    ReleaseState, RepoState, Review,
};
use crate::util::{enc, iso8601, user_id};

/// The fake's bases: the API (`http://127.0.0.1:PORT/api/v3`) and the web pages
/// (`http://127.0.0.1:PORT`), as on GitHub Enterprise Server, and the asset storage on a port of
/// its own (`http://127.0.0.1:PORT2`): another host to a client, as GitHub's storage is.
#[derive(Clone, Debug)]
pub(crate) struct Urls {
    pub api: String,
    pub web: String,
    pub storage: String,
}

impl Urls {
    pub(crate) fn repo_api(&self, r: &RepoState) -> String {
        format!("{}/repos/{}/{}", self.api, enc(&r.owner), enc(&r.name))
    }

    pub(crate) fn repo_web(&self, r: &RepoState) -> String {
        format!("{}/{}/{}", self.web, enc(&r.owner), enc(&r.name))
    }
}

/// A `simple-user`. Logins ending in `[bot]` are bots; repository owners are organizations.
pub(crate) fn user(u: &Urls, login: &str) -> Value {
    let id = user_id(login);
    let kind = if login.ends_with("[bot]") {
        "Bot"
    } else {
        "User"
    };
    user_of_type(u, login, id, kind)
}

pub(crate) fn org(u: &Urls, login: &str) -> Value {
    user_of_type(u, login, user_id(login), "Organization")
}

fn user_of_type(u: &Urls, login: &str, id: u64, kind: &str) -> Value {
    let api = format!("{}/users/{}", u.api, enc(login));
    json!({
        "login": login,
        "id": id,
        "node_id": format!("MDQ6VXNlcj{id}"),
        "avatar_url": format!("{}/avatars/u/{id}?v=4", u.web),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("{}/{}", u.web, enc(login)),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": kind,
        "user_view_type": "public",
        "site_admin": false,
    })
}

/// A repository: the fields of `full-repository`, which also satisfy `repository` and
/// `minimal-repository`.
pub(crate) fn repository(u: &Urls, r: &RepoState, pushed_at: &str) -> Value {
    let api = u.repo_api(r);
    let web = u.repo_web(r);
    let host = u.web.trim_start_matches("http://");
    json!({
        "id": r.id,
        "node_id": format!("R_kgDO{}", r.id),
        "name": r.name,
        "full_name": r.full_name(),
        "owner": org(u, &r.owner),
        "private": false,
        "visibility": "public",
        "html_url": web,
        "description": null,
        "fork": false,
        "url": api,
        "archive_url": format!("{api}/{{archive_format}}{{/ref}}"),
        "assignees_url": format!("{api}/assignees{{/user}}"),
        "blobs_url": format!("{api}/git/blobs{{/sha}}"),
        "branches_url": format!("{api}/branches{{/branch}}"),
        "collaborators_url": format!("{api}/collaborators{{/collaborator}}"),
        "comments_url": format!("{api}/comments{{/number}}"),
        "commits_url": format!("{api}/commits{{/sha}}"),
        "compare_url": format!("{api}/compare/{{base}}...{{head}}"),
        "contents_url": format!("{api}/contents/{{+path}}"),
        "contributors_url": format!("{api}/contributors"),
        "deployments_url": format!("{api}/deployments"),
        "downloads_url": format!("{api}/downloads"),
        "events_url": format!("{api}/events"),
        "forks_url": format!("{api}/forks"),
        "git_commits_url": format!("{api}/git/commits{{/sha}}"),
        "git_refs_url": format!("{api}/git/refs{{/sha}}"),
        "git_tags_url": format!("{api}/git/tags{{/sha}}"),
        "git_url": format!("git://{host}/{}.git", r.full_name()),
        "issue_comment_url": format!("{api}/issues/comments{{/number}}"),
        "issue_events_url": format!("{api}/issues/events{{/number}}"),
        "issues_url": format!("{api}/issues{{/number}}"),
        "keys_url": format!("{api}/keys{{/key_id}}"),
        "labels_url": format!("{api}/labels{{/name}}"),
        "languages_url": format!("{api}/languages"),
        "merges_url": format!("{api}/merges"),
        "milestones_url": format!("{api}/milestones{{/number}}"),
        "notifications_url": format!("{api}/notifications{{?since,all,participating}}"),
        "pulls_url": format!("{api}/pulls{{/number}}"),
        "releases_url": format!("{api}/releases{{/id}}"),
        "ssh_url": format!("git@{host}:{}.git", r.full_name()),
        "stargazers_url": format!("{api}/stargazers"),
        "statuses_url": format!("{api}/statuses/{{sha}}"),
        "subscribers_url": format!("{api}/subscribers"),
        "subscription_url": format!("{api}/subscription"),
        "tags_url": format!("{api}/tags"),
        "teams_url": format!("{api}/teams"),
        "trees_url": format!("{api}/git/trees{{/sha}}"),
        "clone_url": format!("{web}.git"),
        "mirror_url": null,
        "hooks_url": format!("{api}/hooks"),
        "svn_url": web,
        "homepage": null,
        "language": null,
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "default_branch": "main",
        "open_issues_count": r.issues.values().filter(|i| i.state == "open").count(),
        "open_issues": r.issues.values().filter(|i| i.state == "open").count(),
        "is_template": false,
        "topics": [],
        "has_issues": true,
        "has_projects": true,
        "has_wiki": true,
        "has_pages": false,
        "has_downloads": true,
        "has_discussions": false,
        "archived": false,
        "disabled": false,
        "pushed_at": pushed_at,
        "created_at": r.created_at,
        "updated_at": pushed_at,
        "permissions": { "admin": false, "maintain": false, "push": true, "triage": true, "pull": true },
        "allow_rebase_merge": true,
        "allow_squash_merge": true,
        "allow_merge_commit": true,
        "allow_auto_merge": false,
        "delete_branch_on_merge": false,
        "allow_update_branch": false,
        "allow_forking": true,
        "web_commit_signoff_required": false,
        "subscribers_count": 0,
        "network_count": 0,
        "license": null,
    })
}

pub(crate) fn label(u: &Urls, r: &RepoState, l: &Label) -> Value {
    json!({
        "id": l.id,
        "node_id": format!("LA_kwDO{}", l.id),
        "url": format!("{}/labels/{}", u.repo_api(r), enc(&l.name)),
        "name": l.name,
        "description": l.description,
        "color": l.color,
        "default": false,
    })
}

/// The labels of an issue, as label objects (labels deleted meanwhile are left out).
pub(crate) fn labels_of(u: &Urls, r: &RepoState, names: &[String]) -> Vec<Value> {
    names
        .iter()
        .filter_map(|n| r.label(n))
        .map(|l| label(u, r, l))
        .collect()
}

/// A pull request's labels. `pull-request-simple` documents a label's `description` as a string
/// (not nullable), so a label without one carries `""` there.
fn pull_labels(u: &Urls, r: &RepoState, names: &[String], full: bool) -> Vec<Value> {
    let mut labels = labels_of(u, r, names);
    if !full {
        for l in &mut labels {
            if l["description"].is_null() {
                l["description"] = json!("");
            }
        }
    }
    labels
}

/// A milestone, with its issue counts.
pub(crate) fn milestone(u: &Urls, r: &RepoState, m: &Milestone) -> Value {
    let api = format!("{}/milestones/{}", u.repo_api(r), m.number);
    let count = |state: &str| {
        r.issues
            .values()
            .filter(|i| i.milestone == Some(m.number) && i.state == state)
            .count()
    };
    json!({
        "url": api,
        "html_url": format!("{}/milestone/{}", u.repo_web(r), m.number),
        "labels_url": format!("{api}/labels"),
        "id": m.id,
        "node_id": format!("MI_kwDO{}", m.id),
        "number": m.number,
        "state": m.state,
        "title": m.title,
        "description": null,
        "creator": user(u, &m.creator),
        "open_issues": count("open"),
        "closed_issues": count("closed"),
        "created_at": m.created_at,
        "updated_at": m.created_at,
        "closed_at": null,
        "due_on": null,
    })
}

/// The milestone numbered so, or `null`.
fn milestone_of(u: &Urls, r: &RepoState, number: Option<u64>) -> Value {
    number
        .and_then(|n| r.milestones.iter().find(|m| m.number == n))
        .map_or(Value::Null, |m| milestone(u, r, m))
}

pub(crate) fn team(u: &Urls, org_login: &str, slug: &str) -> Value {
    let id = user_id(&format!("team:{org_login}/{slug}"));
    let api = format!("{}/organizations/{}/team/{id}", u.api, user_id(org_login));
    json!({
        "id": id,
        "node_id": format!("T_kwDO{id}"),
        "url": api,
        "html_url": format!("{}/orgs/{}/teams/{}", u.web, enc(org_login), enc(slug)),
        "name": slug,
        "slug": slug,
        "description": null,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": format!("{api}/members{{/member}}"),
        "repositories_url": format!("{api}/repos"),
        "type": "organization",
        "parent": null,
    })
}

/// What a pull request shows that comes from git, computed by the caller.
#[derive(Clone, Debug)]
pub(crate) struct PullFacts {
    pub head_sha: String,
    pub base_sha: String,
    pub stats: PullStats,
    pub mergeable: Option<bool>,
    pub mergeable_state: &'static str,
    pub repo_pushed_at: String,
}

fn pull_urls(u: &Urls, r: &RepoState, number: u64) -> (String, String, String) {
    (
        format!("{}/pulls/{number}", u.repo_api(r)),
        format!("{}/pull/{number}", u.repo_web(r)),
        format!("{}/issues/{number}", u.repo_api(r)),
    )
}

/// A pull request: `pull-request` when `full`, else `pull-request-simple`.
pub(crate) fn pull(
    u: &Urls,
    r: &RepoState,
    issue: &Issue,
    p: &PullData,
    facts: &PullFacts,
    full: bool,
) -> Value {
    let number = issue.number;
    let (api, web, issue_api) = pull_urls(u, r, number);
    let repo_json = repository(u, r, &facts.repo_pushed_at);
    let owner = org(u, &r.owner);
    let statuses = format!("{}/statuses/{}", u.repo_api(r), facts.head_sha);
    let side = |branch: &str, sha: &str| {
        json!({
            "label": format!("{}:{branch}", r.owner),
            "ref": branch,
            "sha": sha,
            "user": owner,
            "repo": repo_json,
        })
    };
    let reviewers: Vec<Value> = p.requested_reviewers.iter().map(|l| user(u, l)).collect();
    let teams: Vec<Value> = p
        .requested_teams
        .iter()
        .map(|s| team(u, &r.owner, s))
        .collect();
    let assignees: Vec<Value> = issue.assignees.iter().map(|l| user(u, l)).collect();
    let mut v = json!({
        "url": api,
        "id": p.id,
        "node_id": format!("PR_kwDO{}", p.id),
        "html_url": web,
        "diff_url": format!("{web}.diff"),
        "patch_url": format!("{web}.patch"),
        "issue_url": issue_api,
        "commits_url": format!("{api}/commits"),
        "review_comments_url": format!("{api}/comments"),
        "review_comment_url": format!("{}/pulls/comments{{/number}}", u.repo_api(r)),
        "comments_url": format!("{issue_api}/comments"),
        "statuses_url": statuses,
        "number": number,
        "state": issue.state,
        "locked": false,
        "title": issue.title,
        "user": user(u, &issue.user),
        "body": issue.body,
        "labels": pull_labels(u, r, &issue.labels, full),
        "milestone": milestone_of(u, r, issue.milestone),
        "active_lock_reason": null,
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_at": issue.closed_at,
        "merged_at": p.merged_at,
        "merge_commit_sha": p.merge_commit_sha,
        "assignee": assignees.first().cloned().unwrap_or(Value::Null),
        "assignees": assignees,
        "requested_reviewers": reviewers,
        "requested_teams": teams,
        "head": side(&p.head_ref, &facts.head_sha),
        "base": side(&p.base_ref, &facts.base_sha),
        "_links": {
            "self": { "href": api },
            "html": { "href": web },
            "issue": { "href": issue_api },
            "comments": { "href": format!("{issue_api}/comments") },
            "review_comments": { "href": format!("{api}/comments") },
            "review_comment": { "href": format!("{}/pulls/comments{{/number}}", u.repo_api(r)) },
            "commits": { "href": format!("{api}/commits") },
            "statuses": { "href": format!("{}/statuses/{}", u.repo_api(r), facts.head_sha) },
        },
        "author_association": association(r, &issue.user),
        "auto_merge": null,
        "draft": p.draft,
    });
    if full {
        let merged_by = p.merged_by.as_deref().map_or(Value::Null, |l| user(u, l));
        let extra = json!({
            "merged": p.merged_at.is_some(),
            "mergeable": facts.mergeable,
            "rebaseable": facts.mergeable,
            "mergeable_state": facts.mergeable_state,
            "merged_by": merged_by,
            "comments": r.comments.iter().filter(|c| c.issue_number == number).count(),
            "review_comments": 0,
            "maintainer_can_modify": p.maintainer_can_modify,
            "commits": facts.stats.commits,
            "additions": facts.stats.additions,
            "deletions": facts.stats.deletions,
            "changed_files": facts.stats.changed_files,
        });
        if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), extra) {
            obj.extend(extra);
        }
    }
    v
}

/// How a login relates to the repository, as `author_association` says it.
pub(crate) fn association(r: &RepoState, login: &str) -> &'static str {
    if login.eq_ignore_ascii_case(&r.owner) {
        "OWNER"
    } else if r.collaborators.contains_key(&login.to_lowercase()) {
        "COLLABORATOR"
    } else {
        "NONE"
    }
}

/// An `issue` (pull requests carry the `pull_request` key, as in GitHub's issue lists).
pub(crate) fn issue(u: &Urls, r: &RepoState, i: &Issue) -> Value {
    let api = format!("{}/issues/{}", u.repo_api(r), i.number);
    let web_kind = if i.pull.is_some() { "pull" } else { "issues" };
    let web = format!("{}/{web_kind}/{}", u.repo_web(r), i.number);
    let assignees: Vec<Value> = i.assignees.iter().map(|l| user(u, l)).collect();
    let mut v = json!({
        "id": i.id,
        "node_id": format!("I_kwDO{}", i.id),
        "url": api,
        "repository_url": u.repo_api(r),
        "labels_url": format!("{api}/labels{{/name}}"),
        "comments_url": format!("{api}/comments"),
        "events_url": format!("{api}/events"),
        "html_url": web,
        "number": i.number,
        "state": i.state,
        "state_reason": null,
        "title": i.title,
        "body": i.body,
        "user": user(u, &i.user),
        "labels": labels_of(u, r, &i.labels),
        "assignee": assignees.first().cloned().unwrap_or(Value::Null),
        "assignees": assignees,
        "milestone": milestone_of(u, r, i.milestone),
        "locked": false,
        "active_lock_reason": null,
        "comments": r.comments.iter().filter(|c| c.issue_number == i.number).count(),
        "closed_at": i.closed_at,
        "created_at": i.created_at,
        "updated_at": i.updated_at,
        "author_association": association(r, &i.user),
    });
    if let (Some(p), Some(obj)) = (&i.pull, v.as_object_mut()) {
        let pull_api = format!("{}/pulls/{}", u.repo_api(r), i.number);
        obj.insert(
            "pull_request".into(),
            json!({
                "url": pull_api,
                "html_url": web,
                "diff_url": format!("{web}.diff"),
                "patch_url": format!("{web}.patch"),
                "merged_at": p.merged_at,
            }),
        );
        obj.insert("draft".into(), json!(p.draft));
    }
    v
}

pub(crate) fn comment(u: &Urls, r: &RepoState, c: &IssueComment) -> Value {
    let issue_kind = match r.issues.get(&c.issue_number) {
        Some(i) if i.pull.is_some() => "pull",
        _ => "issues",
    };
    json!({
        "id": c.id,
        "node_id": format!("IC_kwDO{}", c.id),
        "url": format!("{}/issues/comments/{}", u.repo_api(r), c.id),
        "html_url": format!("{}/{issue_kind}/{}#issuecomment-{}", u.repo_web(r), c.issue_number, c.id),
        "body": c.body,
        "user": user(u, &c.user),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "issue_url": format!("{}/issues/{}", u.repo_api(r), c.issue_number),
        "author_association": association(r, &c.user),
    })
}

pub(crate) fn review(u: &Urls, r: &RepoState, rv: &Review) -> Value {
    let web = format!(
        "{}/pull/{}#pullrequestreview-{}",
        u.repo_web(r),
        rv.pull_number,
        rv.id
    );
    let pull_api = format!("{}/pulls/{}", u.repo_api(r), rv.pull_number);
    json!({
        "id": rv.id,
        "node_id": format!("PRR_kwDO{}", rv.id),
        "user": user(u, &rv.user),
        "body": rv.body,
        "state": rv.state,
        "html_url": web,
        "pull_request_url": pull_api,
        "_links": { "html": { "href": web }, "pull_request": { "href": pull_api } },
        "submitted_at": rv.submitted_at,
        "commit_id": rv.commit_id,
        "author_association": association(r, &rv.user),
    })
}

/// A `commit` (with `stats` and `files` when given, as the single-commit endpoint sends them).
pub(crate) fn commit(
    u: &Urls,
    r: &RepoState,
    c: &CommitInfo,
    files: Option<&[FileChange]>,
) -> Value {
    let api = format!("{}/commits/{}", u.repo_api(r), c.sha);
    let git_api = format!("{}/git/commits/{}", u.repo_api(r), c.sha);
    let parents: Vec<Value> = c
        .parents
        .iter()
        .map(|p| {
            json!({
                "sha": p,
                "url": format!("{}/commits/{p}", u.repo_api(r)),
                "html_url": format!("{}/commit/{p}", u.repo_web(r)),
            })
        })
        .collect();
    let mut v = json!({
        "sha": c.sha,
        "node_id": format!("C_kwDO{}", &c.sha[..12.min(c.sha.len())]),
        "url": api,
        "html_url": format!("{}/commit/{}", u.repo_web(r), c.sha),
        "comments_url": format!("{api}/comments"),
        "commit": {
            "url": git_api,
            "author": { "name": c.author_name, "email": c.author_email, "date": iso8601(c.author_time) },
            "committer": { "name": c.committer_name, "email": c.committer_email, "date": iso8601(c.committer_time) },
            "message": c.message.trim_end_matches('\n'),
            "comment_count": 0,
            "tree": { "sha": c.tree, "url": format!("{}/git/trees/{}", u.repo_api(r), c.tree) },
            "verification": { "verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null },
        },
        "author": null,
        "committer": null,
        "parents": parents,
    });
    if let (Some(files), Some(obj)) = (files, v.as_object_mut()) {
        let additions: usize = files.iter().map(|f| f.additions).sum();
        let deletions: usize = files.iter().map(|f| f.deletions).sum();
        obj.insert(
            "stats".into(),
            json!({ "additions": additions, "deletions": deletions, "total": additions + deletions }),
        );
        obj.insert(
            "files".into(),
            Value::Array(files.iter().map(|f| file(u, r, &c.sha, f)).collect()),
        );
    }
    v
}

/// A `diff-entry`.
pub(crate) fn file(u: &Urls, r: &RepoState, commit_sha: &str, f: &FileChange) -> Value {
    let mut v = json!({
        "sha": f.sha,
        "filename": f.filename,
        "status": f.status,
        "additions": f.additions,
        "deletions": f.deletions,
        "changes": f.additions + f.deletions,
        "blob_url": format!("{}/blob/{commit_sha}/{}", u.repo_web(r), enc(&f.filename)),
        "raw_url": format!("{}/raw/{commit_sha}/{}", u.repo_web(r), enc(&f.filename)),
        "contents_url": format!("{}/contents/{}?ref={commit_sha}", u.repo_api(r), enc(&f.filename)),
    });
    if let (Some(prev), Some(obj)) = (&f.previous_filename, v.as_object_mut()) {
        obj.insert("previous_filename".into(), json!(prev));
    }
    v
}

pub(crate) fn git_ref(u: &Urls, r: &RepoState, name: &str, target: &str, kind: &str) -> Value {
    let plural = match kind {
        "tag" => "tags",
        "tree" => "trees",
        "blob" => "blobs",
        _ => "commits",
    };
    json!({
        "ref": name,
        "node_id": format!("REF_kwDO{}", r.id),
        "url": format!("{}/git/{}", u.repo_api(r), enc(name)),
        "object": {
            "type": kind,
            "sha": target,
            "url": format!("{}/git/{plural}/{target}", u.repo_api(r)),
        },
    })
}

pub(crate) fn check_run(u: &Urls, r: &RepoState, c: &CheckRun) -> Value {
    let api = format!("{}/check-runs/{}", u.repo_api(r), c.id);
    json!({
        "id": c.id,
        "head_sha": c.head_sha,
        "node_id": format!("CR_kwDO{}", c.id),
        "external_id": c.external_id.clone().unwrap_or_default(),
        "url": api,
        "html_url": format!("{}/runs/{}", u.repo_web(r), c.id),
        "details_url": c.details_url.clone().unwrap_or_else(|| format!("{}/runs/{}", u.repo_web(r), c.id)),
        "status": c.status,
        "conclusion": c.conclusion,
        "started_at": c.started_at,
        "completed_at": c.completed_at,
        "output": {
            "title": c.output_title,
            "summary": c.output_summary,
            "text": c.output_text,
            "annotations_count": 0,
            "annotations_url": format!("{api}/annotations"),
        },
        "name": c.name,
        "check_suite": { "id": user_id(&format!("suite:{}", c.head_sha)) },
        "app": app(u, &c.app_slug),
        "pull_requests": [],
    })
}

/// The app of a check run: GitHub Actions (which owns runs made with an Actions token), or
/// another app named by its slug.
fn app(u: &Urls, slug: &str) -> Value {
    if slug == crate::fake::DEFAULT_APP {
        return github_actions_app(u);
    }
    let id = user_id(&format!("app:{slug}"));
    json!({
        "id": id,
        "slug": slug,
        "node_id": format!("A_kwDO{id}"),
        "owner": org(u, slug),
        "name": slug,
        "description": null,
        "external_url": format!("https://{slug}.example"),
        "html_url": format!("{}/apps/{}", u.web, enc(slug)),
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
        "permissions": { "checks": "write", "statuses": "write" },
        "events": ["check_run", "check_suite"],
    })
}

/// The GitHub Actions app, which owns check runs made with an Actions token.
fn github_actions_app(u: &Urls) -> Value {
    json!({
        "id": 15368,
        "slug": "github-actions",
        "node_id": "MDM6QXBwMTUzNjg=",
        "owner": org(u, "github"),
        "name": "GitHub Actions",
        "description": "Automate your workflow from idea to production",
        "external_url": "https://help.github.com/en/actions",
        "html_url": format!("{}/apps/github-actions", u.web),
        "created_at": "2018-07-30T09:30:17Z",
        "updated_at": "2024-04-10T20:33:16Z",
        "permissions": { "checks": "write", "contents": "write", "pull_requests": "write", "statuses": "write" },
        "events": ["check_run", "check_suite", "pull_request", "push", "status"],
    })
}

pub(crate) fn status(u: &Urls, r: &RepoState, s: &CommitStatus) -> Value {
    json!({
        "url": format!("{}/statuses/{}", u.repo_api(r), s.sha),
        "avatar_url": format!("{}/avatars/u/{}?v=4", u.web, user_id(&s.creator)),
        "id": s.id,
        "node_id": format!("SC_kwDO{}", s.id),
        "state": s.state,
        "description": s.description,
        "target_url": s.target_url,
        "context": s.context,
        "created_at": s.created_at,
        "updated_at": s.created_at,
        "creator": user(u, &s.creator),
    })
}

pub(crate) fn release(u: &Urls, r: &RepoState, rel: &ReleaseState) -> Value {
    let api = format!("{}/releases/{}", u.repo_api(r), rel.id);
    let web = if rel.draft {
        format!("{}/releases/tag/untagged-{}", u.repo_web(r), rel.id)
    } else {
        format!("{}/releases/tag/{}", u.repo_web(r), enc(&rel.tag_name))
    };
    json!({
        "url": api,
        "html_url": web,
        "assets_url": format!("{api}/assets"),
        "upload_url": format!("{}/repos/{}/{}/releases/{}/assets{{?name,label}}", u.api, enc(&r.owner), enc(&r.name), rel.id),
        "tarball_url": format!("{}/tarball/{}", u.repo_api(r), enc(&rel.tag_name)),
        "zipball_url": format!("{}/zipball/{}", u.repo_api(r), enc(&rel.tag_name)),
        "id": rel.id,
        "node_id": format!("RE_kwDO{}", rel.id),
        "tag_name": rel.tag_name,
        "target_commitish": rel.target_commitish,
        "name": rel.name,
        "body": rel.body,
        "draft": rel.draft,
        "prerelease": rel.prerelease,
        "immutable": rel.immutable,
        "created_at": rel.created_at,
        "updated_at": rel.published_at.clone().unwrap_or_else(|| rel.created_at.clone()),
        "published_at": rel.published_at,
        "author": user(u, &rel.author),
        "assets": rel.assets.iter().map(|a| asset(u, r, rel, a)).collect::<Vec<_>>(),
    })
}

/// The tag part of a release's download URLs (`untagged-ID` for a draft, as on GitHub).
fn download_tag(rel: &ReleaseState) -> String {
    if rel.draft {
        format!("untagged-{}", rel.id)
    } else {
        enc(&rel.tag_name)
    }
}

/// A `release-asset`, with GitHub's `digest` (`sha256:<hex>`).
pub(crate) fn asset(u: &Urls, r: &RepoState, rel: &ReleaseState, a: &AssetState) -> Value {
    json!({
        "url": format!("{}/releases/assets/{}", u.repo_api(r), a.id),
        "browser_download_url": format!(
            "{}/releases/download/{}/{}",
            u.repo_web(r),
            download_tag(rel),
            enc(&a.name)
        ),
        "id": a.id,
        "node_id": format!("RA_kwDO{}", a.id),
        "name": a.name,
        "label": a.label,
        "state": a.state,
        "content_type": a.content_type,
        "size": a.size,
        "digest": a.sha256.as_ref().map(|h| format!("sha256:{h}")),
        "download_count": 0,
        "created_at": a.created_at,
        "updated_at": a.created_at,
        "uploader": user(u, &a.uploader),
    })
}

pub(crate) fn tag(u: &Urls, r: &RepoState, name: &str, sha: &str) -> Value {
    json!({
        "name": name,
        "commit": { "sha": sha, "url": format!("{}/commits/{sha}", u.repo_api(r)) },
        "zipball_url": format!("{}/zipball/refs/tags/{}", u.repo_api(r), enc(name)),
        "tarball_url": format!("{}/tarball/refs/tags/{}", u.repo_api(r), enc(name)),
        "node_id": format!("REF_kwDO{}", user_id(name)),
    })
}

/// A `git-commit` (the git data API's view of a commit).
pub(crate) fn git_commit(u: &Urls, r: &RepoState, c: &CommitInfo) -> Value {
    let git_api = |sha: &str| format!("{}/git/commits/{sha}", u.repo_api(r));
    let parents: Vec<Value> = c
        .parents
        .iter()
        .map(|p| {
            json!({
                "sha": p,
                "url": git_api(p),
                "html_url": format!("{}/commit/{p}", u.repo_web(r)),
            })
        })
        .collect();
    json!({
        "sha": c.sha,
        "node_id": format!("C_kwDO{}", &c.sha[..12.min(c.sha.len())]),
        "url": git_api(&c.sha),
        "html_url": format!("{}/commit/{}", u.repo_web(r), c.sha),
        "author": { "name": c.author_name, "email": c.author_email, "date": iso8601(c.author_time) },
        "committer": { "name": c.committer_name, "email": c.committer_email, "date": iso8601(c.committer_time) },
        "message": c.message,
        "tree": { "sha": c.tree, "url": format!("{}/git/trees/{}", u.repo_api(r), c.tree) },
        "parents": parents,
        "verification": { "verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null },
    })
}

/// A `git-tree` listing the tree's own entries (not recursive).
pub(crate) fn git_tree(
    u: &Urls,
    r: &RepoState,
    tree: &git2::Tree<'_>,
    repo: &git2::Repository,
) -> Value {
    let entries: Vec<Value> = tree
        .iter()
        .map(|e| {
            let sha = e.id().to_string();
            let kind = match e.kind() {
                Some(git2::ObjectType::Tree) => "tree",
                Some(git2::ObjectType::Commit) => "commit",
                _ => "blob",
            };
            let mut v = json!({
                "path": e.name().unwrap_or_default(),
                "mode": format!("{:06o}", e.filemode()),
                "type": kind,
                "sha": sha,
                "url": format!("{}/git/{kind}s/{sha}", u.repo_api(r)),
            });
            if kind == "blob" {
                v["size"] = json!(repo.find_blob(e.id()).map(|b| b.size()).unwrap_or(0));
            }
            v
        })
        .collect();
    json!({
        "sha": tree.id().to_string(),
        "url": format!("{}/git/trees/{}", u.repo_api(r), tree.id()),
        "truncated": false,
        "tree": entries,
    })
}
