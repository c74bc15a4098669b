//! Pull requests: list, create, get, update, merge, commits, reviews, review requests.

use serde_json::{Value, json};

use super::{Page, Rq, open_git, paginate, pull_json, pull_stats, repo, server_error};
use crate::git::{self, MergeError};
use crate::json;
use crate::reply::{Handled, Reply};
use crate::state::{Issue, PullData, RepoState, State};
use crate::util::{next_id, now_iso};

/// GitHub's limit on issue and pull request bodies, in characters.
pub(crate) const MAX_BODY_CHARS: usize = 65_536;

fn body_too_long(rq: &Rq<'_>) -> Option<Reply> {
    let body = rq.s("body")?;
    (body.chars().count() > MAX_BODY_CHARS).then(|| {
        Reply::validation(
            vec![json!({
                "resource": "Issue",
                "code": "custom",
                "field": "body",
                "message": format!("body is too long (maximum is {MAX_BODY_CHARS} characters)"),
            })],
            rq.docs(),
        )
    })
}

fn already_exists(r: &RepoState, head_ref: &str, rq: &Rq<'_>) -> Reply {
    Reply::custom_422(
        "PullRequest",
        &format!("A pull request already exists for {}:{head_ref}.", r.owner),
        rq.docs(),
    )
}

pub(crate) fn list(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let state = rq.q("state").unwrap_or("open");
    // `head` filters only as `owner:branch`; a bare branch name is ignored, as on GitHub.
    let head = rq.q("head").and_then(|h| h.split_once(':'));
    let base = rq.q("base");
    let mut numbers: Vec<(u64, String, usize)> = r
        .issues
        .values()
        .filter_map(|i| {
            let p = i.pull.as_ref()?;
            let state_ok = state == "all" || i.state == state;
            let head_ok = head.is_none_or(|(owner, branch)| {
                owner.eq_ignore_ascii_case(&r.owner) && p.head_ref == branch
            });
            let base_ok = base.is_none_or(|b| p.base_ref == b);
            let comments = r
                .comments
                .iter()
                .filter(|c| c.issue_number == i.number)
                .count();
            (state_ok && head_ok && base_ok).then(|| (i.number, i.updated_at.clone(), comments))
        })
        .collect();
    let sort = rq.q("sort").unwrap_or("created");
    match sort {
        "updated" => numbers.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0))),
        "popularity" => numbers.sort_by(|a, b| a.2.cmp(&b.2).then(a.0.cmp(&b.0))),
        _ => numbers.sort_by_key(|n| n.0),
    }
    let descending = match rq.q("direction") {
        Some(d) => d == "desc",
        None => sort == "created",
    };
    if descending {
        numbers.reverse();
    }
    let page = Page::of(rq, numbers.len());
    let mut body = Vec::new();
    for (number, ..) in &numbers[page.start..page.end] {
        body.push(pull_json(rq, r, &g, *number, false)?);
    }
    Ok(page.reply(Value::Array(body)))
}

pub(crate) fn create(st: &mut State, rq: &Rq<'_>) -> Handled {
    let actor = rq.actor.to_string();
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let docs = rq.docs();
    let missing = |field: &str| Reply::invalid_field("PullRequest", field, "missing_field", docs);
    let head_raw = rq.s("head").ok_or_else(|| missing("head"))?;
    let base = rq.s("base").ok_or_else(|| missing("base"))?;
    let title = rq.s("title").ok_or_else(|| missing("title"))?;
    if let Some(e) = body_too_long(rq) {
        return Err(e);
    }
    let head_ref = match head_raw.split_once(':') {
        Some((owner, branch)) if owner.eq_ignore_ascii_case(&r.owner) => branch,
        Some(_) => return Err(Reply::invalid_field("PullRequest", "head", "invalid", docs)),
        None => head_raw,
    };
    let base_tip = git::branch_tip(&g, base)
        .ok_or_else(|| Reply::invalid_field("PullRequest", "base", "invalid", docs))?;
    let head_tip = git::branch_tip(&g, head_ref)
        .ok_or_else(|| Reply::invalid_field("PullRequest", "head", "invalid", docs))?;
    if r.open_pull_for(head_ref, base).is_some() {
        return Err(already_exists(r, head_ref, rq));
    }
    if git::contains(&g, base_tip, head_tip) {
        return Err(Reply::custom_422(
            "PullRequest",
            &format!("No commits between {base} and {head_raw}"),
            docs,
        ));
    }
    let number = r.next_number();
    let now = now_iso();
    r.issues.insert(
        number,
        Issue {
            id: next_id(),
            number,
            title: title.to_string(),
            body: rq.s("body").map(str::to_string),
            state: "open".into(),
            user: actor,
            labels: Vec::new(),
            assignees: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
            closed_at: None,
            milestone: None,
            pull: Some(PullData {
                id: next_id(),
                head_ref: head_ref.to_string(),
                head_sha: head_tip.to_string(),
                base_ref: base.to_string(),
                draft: rq.flag("draft").unwrap_or(false),
                maintainer_can_modify: rq.flag("maintainer_can_modify").unwrap_or(false),
                merged_at: None,
                merge_commit_sha: None,
                merged_by: None,
                merged_base_sha: None,
                requested_reviewers: Vec::new(),
                requested_teams: Vec::new(),
                frozen: None,
            }),
        },
    );
    let body = pull_json(rq, r, &g, number, true)?;
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::json(201, body).header("location", location))
}

pub(crate) fn get(st: &mut State, rq: &Rq<'_>) -> Handled {
    let number = rq.number("pull_number")?;
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    Ok(Reply::ok(pull_json(rq, r, &g, number, true)?))
}

fn pull_issue<'r>(r: &'r mut RepoState, number: u64, rq: &Rq<'_>) -> Result<&'r mut Issue, Reply> {
    r.issues
        .get_mut(&number)
        .filter(|i| i.pull.is_some())
        .ok_or_else(|| rq.not_found())
}

pub(crate) fn update(st: &mut State, rq: &Rq<'_>) -> Handled {
    let number = rq.number("pull_number")?;
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let docs = rq.docs();
    if let Some(e) = body_too_long(rq) {
        return Err(e);
    }
    let current = pull_issue(r, number, rq)?.clone();
    let Some(p) = &current.pull else {
        return Err(rq.not_found());
    };
    let new_base = rq.s("base").unwrap_or(&p.base_ref).to_string();
    if git::branch_tip(&g, &new_base).is_none() {
        return Err(Reply::invalid_field("PullRequest", "base", "invalid", docs));
    }
    let new_state = rq.s("state").unwrap_or(&current.state).to_string();
    if new_state == "open" {
        let other = r
            .open_pull_for(&p.head_ref, &new_base)
            .filter(|n| *n != number);
        if other.is_some() {
            return Err(already_exists(r, &p.head_ref, rq));
        }
        if current.state == "closed" && p.merged_at.is_some() {
            return Err(Reply::custom_422(
                "PullRequest",
                "state cannot be changed. The pull request has been merged.",
                docs,
            ));
        }
        if current.state == "closed" && git::branch_tip(&g, &p.head_ref).is_none() {
            return Err(Reply::custom_422(
                "PullRequest",
                "state cannot be changed. The head branch has been deleted.",
                docs,
            ));
        }
    }
    let now = now_iso();
    let issue = pull_issue(r, number, rq)?;
    if let Some(title) = rq.s("title") {
        issue.title = title.to_string();
    }
    if let Some(body) = rq.body.get("body") {
        issue.body = body.as_str().map(str::to_string);
    }
    if new_state != issue.state {
        issue.closed_at = (new_state == "closed").then(|| now.clone());
        issue.state = new_state;
    }
    if let Some(p) = issue.pull.as_mut() {
        p.base_ref = new_base;
        if let Some(m) = rq.flag("maintainer_can_modify") {
            p.maintainer_can_modify = m;
        }
    }
    issue.updated_at = now;
    Ok(Reply::ok(pull_json(rq, r, &g, number, true)?))
}

fn plain(status: u16, message: &str, rq: &Rq<'_>) -> Reply {
    Reply::error(status, message, rq.docs())
}

pub(crate) fn merge(st: &mut State, rq: &Rq<'_>) -> Handled {
    let number = rq.number("pull_number")?;
    let actor = rq.actor.to_string();
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let full_name = r.full_name();
    let issue = pull_issue(r, number, rq)?.clone();
    let Some(p) = &issue.pull else {
        return Err(rq.not_found());
    };
    let not_mergeable = || plain(405, "Pull Request is not mergeable", rq);
    if issue.state != "open" {
        return Err(not_mergeable());
    }
    if p.draft {
        return Err(plain(405, "Pull Request is still a draft", rq));
    }
    let head = git::branch_tip(&g, &p.head_ref).ok_or_else(not_mergeable)?;
    let base = git::branch_tip(&g, &p.base_ref).ok_or_else(not_mergeable)?;
    if let Some(sha) = rq.s("sha") {
        if sha != head.to_string() {
            return Err(plain(
                409,
                "Head branch was modified. Review and try the merge again.",
                rq,
            ));
        }
    }
    let method = rq.s("merge_method").unwrap_or("merge");
    let owner = full_name.split('/').next().unwrap_or_default();
    let (default_title, default_message) = match method {
        "squash" => (
            format!("{} (#{number})", issue.title),
            git::commits_between(&g, Some(base), head)
                .into_iter()
                .filter_map(|c| git::commit_info(&g, c))
                .map(|c| format!("* {}", c.message.trim_end()))
                .collect::<Vec<_>>()
                .join("\n\n"),
        ),
        _ => (
            format!("Merge pull request #{number} from {owner}/{}", p.head_ref),
            issue.title.clone(),
        ),
    };
    let title = rq.s("commit_title").unwrap_or(&default_title);
    let message = rq.s("commit_message").unwrap_or(&default_message);
    let full_message = if message.is_empty() {
        title.to_string()
    } else {
        format!("{title}\n\n{message}")
    };
    let stats = pull_stats(&g, base, head);
    let result = match method {
        "squash" => git::squash_commit(&g, base, head, &full_message, &actor),
        "rebase" => git::rebase_commits(&g, base, head, &actor),
        _ => git::merge_commit(&g, base, head, &full_message, &actor),
    };
    let new_tip = match result {
        Ok(oid) => oid,
        Err(MergeError::Conflict) => return Err(not_mergeable()),
        Err(MergeError::Git(e)) => return Err(server_error(rq, e)),
    };
    if git::move_branch(&g, &p.base_ref, new_tip, base).is_err() {
        return Err(plain(
            409,
            "Base branch was modified. Review and try the merge again.",
            rq,
        ));
    }
    let now = now_iso();
    let issue = pull_issue(r, number, rq)?;
    issue.state = "closed".into();
    issue.closed_at = Some(now.clone());
    issue.updated_at = now.clone();
    if let Some(p) = issue.pull.as_mut() {
        p.merged_at = Some(now);
        p.merge_commit_sha = Some(new_tip.to_string());
        p.merged_by = Some(actor);
        p.merged_base_sha = Some(base.to_string());
        p.head_sha = head.to_string();
        p.frozen = Some(stats);
    }
    Ok(Reply::ok(json!({
        "sha": new_tip.to_string(),
        "merged": true,
        "message": "Pull Request successfully merged",
    })))
}

pub(crate) fn commits(st: &mut State, rq: &Rq<'_>) -> Handled {
    let number = rq.number("pull_number")?;
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let issue = pull_issue(r, number, rq)?.clone();
    let Some(p) = &issue.pull else {
        return Err(rq.not_found());
    };
    let head = git::branch_tip(&g, &p.head_ref)
        .filter(|_| p.merged_at.is_none())
        .or_else(|| git2::Oid::from_str(&p.head_sha).ok())
        .ok_or_else(|| rq.not_found())?;
    let base = match &p.merged_base_sha {
        Some(sha) => git2::Oid::from_str(sha).ok(),
        None => git::branch_tip(&g, &p.base_ref),
    };
    // GitHub lists at most 250 commits of a pull request.
    let items: Vec<Value> = git::commits_between(&g, base, head)
        .into_iter()
        .take(250)
        .filter_map(|c| git::commit_info(&g, c))
        .map(|c| json::commit(rq.urls, r, &c, None))
        .collect();
    Ok(paginate(rq, items))
}

pub(crate) fn reviews(st: &mut State, rq: &Rq<'_>) -> Handled {
    let number = rq.number("pull_number")?;
    let r = repo(st, rq)?;
    pull_issue(r, number, rq)?;
    let items: Vec<Value> = r
        .reviews
        .iter()
        .filter(|rv| rv.pull_number == number)
        .map(|rv| json::review(rq.urls, r, rv))
        .collect();
    Ok(paginate(rq, items))
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn request_reviewers(st: &mut State, rq: &Rq<'_>) -> Handled {
    let number = rq.number("pull_number")?;
    let reviewers = strings(rq.body, "reviewers");
    let teams = strings(rq.body, "team_reviewers");
    let owner = rq.p("owner").to_lowercase();
    let known_teams: Vec<String> = st
        .teams
        .keys()
        .filter_map(|k| k.strip_prefix(&format!("{owner}/")).map(str::to_string))
        .collect();
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let author = pull_issue(r, number, rq)?.user.clone();
    if reviewers.iter().any(|l| l.eq_ignore_ascii_case(&author)) {
        return Err(plain(
            422,
            "Review cannot be requested from pull request author.",
            rq,
        ));
    }
    let outsider = reviewers.iter().any(|l| !r.is_collaborator(l))
        || teams
            .iter()
            .any(|t| !known_teams.contains(&t.to_lowercase()));
    if outsider {
        return Err(plain(
            422,
            &format!(
                "Reviews may only be requested from collaborators. One or more of the users or \
                 teams you specified is not a collaborator of the {} repository.",
                r.full_name()
            ),
            rq,
        ));
    }
    let issue = pull_issue(r, number, rq)?;
    if let Some(p) = issue.pull.as_mut() {
        for login in reviewers {
            if !p
                .requested_reviewers
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&login))
            {
                p.requested_reviewers.push(login);
            }
        }
        for team in teams {
            if !p
                .requested_teams
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&team))
            {
                p.requested_teams.push(team.to_lowercase());
            }
        }
    }
    issue.updated_at = now_iso();
    Ok(Reply::json(201, pull_json(rq, r, &g, number, false)?))
}

/// The pull requests of a commit, as GitHub lists them: when the default branch has the commit,
/// the merged pull request that brought it there; otherwise the merged and open pull requests
/// that carry it in their head or landed it on their base. A merge's landed commits are the base's
/// new commits: the merge commit and the PR's commits, the squash commit, or every rebased commit.
pub(crate) fn of_commit(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let name = rq.p("commit_sha");
    let sha = git::resolve_commit(&g, name)
        .ok_or_else(|| Reply::error(422, &format!("No commit found for SHA: {name}"), rq.docs()))?;
    let oid = |s: &Option<String>| s.as_deref().and_then(|s| git2::Oid::from_str(s).ok());
    let on_default = g
        .head()
        .ok()
        .and_then(|h| h.target())
        .is_some_and(|tip| git::contains(&g, tip, sha));
    let mut numbers = Vec::new();
    for issue in r.issues.values() {
        let Some(p) = &issue.pull else { continue };
        let merged = p.merged_at.is_some();
        let landed = match (oid(&p.merged_base_sha), oid(&p.merge_commit_sha)) {
            (Some(base), Some(tip)) => git::commits_between(&g, Some(base), tip).contains(&sha),
            _ => false,
        };
        let keep = if on_default {
            merged && landed
        } else if merged || issue.state == "open" {
            let head = if merged {
                oid(&Some(p.head_sha.clone()))
            } else {
                git::branch_tip(&g, &p.head_ref)
            };
            let base = oid(&p.merged_base_sha).or_else(|| git::branch_tip(&g, &p.base_ref));
            let carried =
                head.is_some_and(|head| git::commits_between(&g, base, head).contains(&sha));
            landed || carried
        } else {
            false
        };
        if keep {
            numbers.push(issue.number);
        }
    }
    let items = numbers
        .into_iter()
        .map(|n| pull_json(rq, r, &g, n, false))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(paginate(rq, items))
}
