//! Repository-level reads (repository, branches, commits, compare, contents, tags,
//! collaborators, teams) and the branch merge API.

use serde_json::{Value, json};

use super::{Page, Rq, open_git, paginate, repo, server_error};
use crate::git::{self, Content, MergeError};
use crate::json;
use crate::reply::{Handled, Reply};
use crate::state::{RepoState, State};
use crate::util::{base64_lines, enc, iso8601};

/// When the repository was last pushed to: its default branch's last commit, else its creation.
fn pushed_at(r: &RepoState, g: &git2::Repository) -> String {
    git::branch_tip(g, "main")
        .and_then(|tip| git::commit_info(g, tip))
        .map_or_else(|| r.created_at.clone(), |c| iso8601(c.committer_time))
}

pub(crate) fn get_repo(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    Ok(Reply::ok(json::repository(rq.urls, r, &pushed_at(r, &g))))
}

fn commit_json(
    rq: &Rq<'_>,
    r: &RepoState,
    g: &git2::Repository,
    oid: git2::Oid,
) -> Result<Value, Reply> {
    let info = git::commit_info(g, oid).ok_or_else(|| rq.not_found())?;
    Ok(json::commit(rq.urls, r, &info, None))
}

pub(crate) fn get_branch(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let name = rq.p("branch");
    let tip = git::branch_tip(&g, name)
        .ok_or_else(|| Reply::error(404, "Branch not found", rq.docs()))?;
    let api = format!("{}/branches/{}", rq.urls.repo_api(r), enc(name));
    Ok(Reply::ok(json!({
        "name": name,
        "commit": commit_json(rq, r, &g, tip)?,
        "_links": {
            "html": format!("{}/tree/{}", rq.urls.repo_web(r), enc(name)),
            "self": api,
        },
        "protected": false,
        "protection": {
            "enabled": false,
            "required_status_checks": { "enforcement_level": "off", "contexts": [], "checks": [] },
        },
        "protection_url": format!("{api}/protection"),
    })))
}

pub(crate) fn get_protection(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    if git::branch_tip(&g, rq.p("branch")).is_none() {
        return Err(Reply::error(404, "Branch not found", rq.docs()));
    }
    Err(Reply::error(404, "Branch not protected", rq.docs()))
}

pub(crate) fn get_rules(st: &mut State, rq: &Rq<'_>) -> Handled {
    repo(st, rq)?;
    Ok(paginate(rq, Vec::new()))
}

pub(crate) fn get_permission(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let login = rq.p("username");
    // Apps' bot accounts are no users to GitHub.
    if login.ends_with("[bot]") {
        return Err(Reply::error(
            404,
            &format!("{login} is not a user"),
            rq.docs(),
        ));
    }
    let role = if login.eq_ignore_ascii_case(&r.owner) {
        "admin".to_string()
    } else {
        r.collaborators
            .get(&login.to_lowercase())
            .cloned()
            .unwrap_or_else(|| "read".to_string())
    };
    // The legacy `permission` knows only admin, write and read.
    let permission = match role.as_str() {
        "admin" => "admin",
        "maintain" | "write" => "write",
        _ => "read",
    };
    let mut user = json::user(rq.urls, login);
    if let Some(o) = user.as_object_mut() {
        o.insert("role_name".into(), json!(role));
        o.insert(
            "permissions".into(),
            json!({
                "admin": role == "admin",
                "maintain": matches!(role.as_str(), "admin" | "maintain"),
                "push": matches!(role.as_str(), "admin" | "maintain" | "write"),
                "triage": role != "read",
                "pull": true,
            }),
        );
    }
    Ok(Reply::ok(json!({
        "permission": permission,
        "role_name": role,
        "user": user,
    })))
}

pub(crate) fn team_members(st: &mut State, rq: &Rq<'_>) -> Handled {
    if st.forbid_team_reads {
        // What an installation token without the organization permission `members: read`
        // (GITHUB_TOKEN among them) gets.
        return Err(Reply::error(
            403,
            "Resource not accessible by integration",
            rq.docs(),
        ));
    }
    let key = format!(
        "{}/{}",
        rq.p("org").to_lowercase(),
        rq.p("team_slug").to_lowercase()
    );
    let members = st.teams.get(&key).ok_or_else(|| rq.not_found())?;
    let items = members.iter().map(|l| json::user(rq.urls, l)).collect();
    Ok(paginate(rq, items))
}

pub(crate) fn list_commits(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let start = rq.q("sha").unwrap_or("main");
    let Some(head) = git::resolve_commit(&g, start) else {
        if git::refs_with_prefix(&g, "refs/heads/").is_empty() {
            return Err(Reply::error(409, "Git Repository is empty.", rq.docs()));
        }
        return Err(rq.not_found());
    };
    let all = git::log(&g, head, rq.q("path"), 100_000);
    let page = Page::of(rq, all.len());
    let mut items = Vec::new();
    for oid in &all[page.start..page.end] {
        items.push(commit_json(rq, r, &g, *oid)?);
    }
    Ok(page.reply(Value::Array(items)))
}

pub(crate) fn get_commit(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let name = rq.p("ref");
    let oid = git::resolve_commit(&g, name)
        .ok_or_else(|| Reply::error(422, &format!("No commit found for SHA: {name}"), rq.docs()))?;
    let info = git::commit_info(&g, oid).ok_or_else(|| rq.not_found())?;
    let parent = info
        .parents
        .first()
        .and_then(|p| git2::Oid::from_str(p).ok());
    let files = git::diff(&g, parent, oid);
    Ok(Reply::ok(json::commit(rq.urls, r, &info, Some(&files))))
}

/// One side of `compare/{base}...{head}`: a ref of this repository, maybe as `owner:ref`.
fn side(r: &RepoState, g: &git2::Repository, spec: &str) -> Option<git2::Oid> {
    let name = match spec.split_once(':') {
        Some((owner, name)) if owner.eq_ignore_ascii_case(&r.owner) => name,
        Some(_) => return None,
        None => spec,
    };
    git::resolve_commit(g, name)
}

pub(crate) fn compare(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let basehead = rq.p("basehead");
    let (base_spec, head_spec) = basehead
        .split_once("...")
        .or_else(|| basehead.split_once(".."))
        .ok_or_else(|| rq.not_found())?;
    let base = side(r, &g, base_spec).ok_or_else(|| rq.not_found())?;
    let head = side(r, &g, head_spec).ok_or_else(|| rq.not_found())?;
    let merge_base = git::merge_base(&g, base, head).ok_or_else(|| {
        Reply::error(
            404,
            &format!("No common ancestor between {base_spec} and {head_spec}."),
            rq.docs(),
        )
    })?;
    let (ahead, behind) = git::ahead_behind(&g, head, base);
    let status = match (ahead, behind) {
        (0, 0) => "identical",
        (_, 0) => "ahead",
        (0, _) => "behind",
        _ => "diverged",
    };
    let all = git::commits_between(&g, Some(base), head);
    // Without paging parameters GitHub lists at most 250 commits; with them, pages of commits.
    let paged = rq.q("per_page").is_some() || rq.q("page").is_some();
    let page = paged.then(|| Page::of(rq, all.len()));
    let window = match &page {
        Some(p) => &all[p.start..p.end],
        None => &all[..all.len().min(250)],
    };
    let mut commits = Vec::new();
    for oid in window {
        commits.push(commit_json(rq, r, &g, *oid)?);
    }
    let files: Vec<Value> = git::diff(&g, Some(merge_base), head)
        .iter()
        .take(300)
        .map(|f| json::file(rq.urls, r, &head.to_string(), f))
        .collect();
    let web = rq.urls.repo_web(r);
    let short = |o: git2::Oid| o.to_string()[..7].to_string();
    let body = json!({
        "url": format!("{}/compare/{}", rq.urls.repo_api(r), enc(basehead)),
        "html_url": format!("{web}/compare/{}", enc(basehead)),
        "permalink_url": format!("{web}/compare/{}:{}...{}:{}", enc(&r.owner), short(base), enc(&r.owner), short(head)),
        "diff_url": format!("{web}/compare/{}.diff", enc(basehead)),
        "patch_url": format!("{web}/compare/{}.patch", enc(basehead)),
        "base_commit": commit_json(rq, r, &g, base)?,
        "merge_base_commit": commit_json(rq, r, &g, merge_base)?,
        "status": status,
        "ahead_by": ahead,
        "behind_by": behind,
        "total_commits": all.len(),
        "commits": commits,
        "files": files,
    });
    Ok(match page {
        Some(p) => p.reply(body),
        None => Reply::ok(body),
    })
}

pub(crate) fn merge_branches(st: &mut State, rq: &Rq<'_>) -> Handled {
    let actor = rq.actor.to_string();
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let plain = |status: u16, m: &str| Reply::error(status, m, rq.docs());
    let base = rq.s("base").unwrap_or_default();
    let head = rq.s("head").unwrap_or_default();
    let base_tip = git::branch_tip(&g, base).ok_or_else(|| plain(404, "Base does not exist"))?;
    let head_oid =
        git::resolve_commit(&g, head).ok_or_else(|| plain(404, "Head does not exist"))?;
    if git::contains(&g, base_tip, head_oid) {
        return Ok(Reply::empty(204));
    }
    let default_message = format!("Merge {head} into {base}");
    let message = rq.s("commit_message").unwrap_or(&default_message);
    let merged = match git::merge_commit(&g, base_tip, head_oid, message, &actor) {
        Ok(oid) => oid,
        Err(MergeError::Conflict) => return Err(plain(409, "Merge conflict")),
        Err(MergeError::Git(e)) => return Err(server_error(rq, e)),
    };
    git::move_branch(&g, base, merged, base_tip).map_err(|_| {
        plain(
            409,
            "Base branch was modified. Review and try the merge again.",
        )
    })?;
    let body = commit_json(rq, r, &g, merged)?;
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::json(201, body).header("location", location))
}

pub(crate) fn contents(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let reference = rq.q("ref").unwrap_or("main");
    let commit = git::resolve_commit(&g, reference).ok_or_else(|| {
        Reply::error(
            404,
            &format!("No commit found for the ref {reference}"),
            rq.docs(),
        )
    })?;
    let path = rq.p("path").trim_matches('/');
    let content = git::contents(&g, commit, path).ok_or_else(|| rq.not_found())?;
    let api = rq.urls.repo_api(r);
    let web = rq.urls.repo_web(r);
    let entry = |name: &str, kind: &str, sha: &str, size: usize| {
        let entry_path = if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}/{name}")
        };
        let self_url = format!("{api}/contents/{}?ref={}", enc(&entry_path), enc(reference));
        let git_url = format!(
            "{api}/git/{}/{sha}",
            if kind == "dir" { "trees" } else { "blobs" }
        );
        let html_url = format!(
            "{web}/{}/{}/{}",
            if kind == "dir" { "tree" } else { "blob" },
            enc(reference),
            enc(&entry_path)
        );
        let download =
            (kind == "file").then(|| format!("{web}/raw/{}/{}", enc(reference), enc(&entry_path)));
        json!({
            "type": kind,
            "size": size,
            "name": name,
            "path": entry_path,
            "sha": sha,
            "url": self_url,
            "git_url": git_url,
            "html_url": html_url,
            "download_url": download,
            "_links": { "self": self_url, "git": git_url, "html": html_url },
        })
    };
    match content {
        Content::File { sha, data } => {
            let name = path.rsplit('/').next().unwrap_or(path);
            let mut v = entry(name, "file", &sha, data.len());
            if let Some(o) = v.as_object_mut() {
                o.insert("encoding".into(), json!("base64"));
                o.insert("content".into(), json!(base64_lines(&data)));
            }
            Ok(Reply::ok(v))
        }
        Content::Dir(entries) => Ok(Reply::ok(Value::Array(
            entries
                .iter()
                .map(|e| entry(&e.name, e.kind, &e.sha, e.size))
                .collect(),
        ))),
    }
}

pub(crate) fn tags(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let items = git::tags(&g)
        .iter()
        .map(|(name, oid)| json::tag(rq.urls, r, name, &oid.to_string()))
        .collect();
    Ok(paginate(rq, items))
}
