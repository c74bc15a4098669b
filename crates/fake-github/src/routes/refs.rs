//! The git references API: read one, list by prefix, create, move, delete.

use serde_json::Value;

use super::{Rq, open_git, repo};
use crate::git;
use crate::json;
use crate::reply::{Handled, Reply};
use crate::rules::{self, RefChange};
use crate::state::{RepoState, State};

fn full_name(param: &str) -> String {
    format!("refs/{}", param.trim_start_matches("refs/"))
}

/// GitHub's 422 when a ruleset refuses the change.
fn check_rules(r: &RepoState, rq: &Rq<'_>, name: &str, change: RefChange) -> Result<(), Reply> {
    match rules::refusal(r, name, change) {
        Some(message) => Err(Reply::error(422, &message, rq.docs())),
        None => Ok(()),
    }
}

pub(crate) fn get(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let info = git::find_ref(&g, &full_name(rq.p("ref"))).ok_or_else(|| rq.not_found())?;
    Ok(Reply::ok(json::git_ref(
        rq.urls,
        r,
        &info.name,
        &info.target.to_string(),
        info.kind,
    )))
}

pub(crate) fn matching(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let items: Vec<Value> = git::refs_with_prefix(&g, &full_name(rq.p("ref")))
        .iter()
        .map(|i| json::git_ref(rq.urls, r, &i.name, &i.target.to_string(), i.kind))
        .collect();
    Ok(Reply::ok(Value::Array(items)))
}

pub(crate) fn create(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let plain = |m: &str| Reply::error(422, m, rq.docs());
    let name = rq
        .s("ref")
        .ok_or_else(|| plain("Invalid request.\n\n\"ref\" wasn't supplied."))?;
    let sha = rq
        .s("sha")
        .ok_or_else(|| plain("Invalid request.\n\n\"sha\" wasn't supplied."))?;
    if !name.starts_with("refs/") || name.matches('/').count() < 2 {
        return Err(plain(
            "Reference name must contain at least three slash-separated components.",
        ));
    }
    if !git2::Reference::is_valid_name(name) {
        return Err(plain(&format!("{name} is not a valid ref name.")));
    }
    if git::find_ref(&g, name).is_some() {
        return Err(plain("Reference already exists"));
    }
    let target = git::find_object(&g, sha)
        .filter(|oid| oid.to_string() == sha)
        .ok_or_else(|| plain("Object does not exist"))?;
    check_rules(r, rq, name, RefChange::Create)?;
    g.reference(name, target, false, "fake-github: create ref")
        .map_err(|_| plain("Reference update failed"))?;
    let info = git::find_ref(&g, name).ok_or_else(|| plain("Reference update failed"))?;
    let body = json::git_ref(rq.urls, r, &info.name, &info.target.to_string(), info.kind);
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::json(201, body).header("location", location))
}

pub(crate) fn update(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let plain = |m: &str| Reply::error(422, m, rq.docs());
    let name = full_name(rq.p("ref"));
    let sha = rq
        .s("sha")
        .ok_or_else(|| plain("Invalid request.\n\n\"sha\" wasn't supplied."))?;
    let force = rq.flag("force").unwrap_or(false);
    let current = git::find_ref(&g, &name).ok_or_else(|| plain("Reference does not exist"))?;
    let target = git::find_object(&g, sha)
        .filter(|oid| oid.to_string() == sha)
        .ok_or_else(|| plain("Object does not exist"))?;
    if !force && !git::contains(&g, target, current.target) {
        return Err(plain("Update is not a fast forward"));
    }
    check_rules(r, rq, &name, RefChange::Update)?;
    g.reference_matching(
        &name,
        target,
        true,
        current.target,
        "fake-github: update ref",
    )
    .map_err(|_| plain("Reference cannot be updated"))?;
    let info = git::find_ref(&g, &name).ok_or_else(|| plain("Reference cannot be updated"))?;
    Ok(Reply::ok(json::git_ref(
        rq.urls,
        r,
        &info.name,
        &info.target.to_string(),
        info.kind,
    )))
}

pub(crate) fn delete(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let name = full_name(rq.p("ref"));
    let mut reference = g
        .find_reference(&name)
        .ok()
        .filter(|_| git::find_ref(&g, &name).is_some())
        .ok_or_else(|| Reply::error(422, "Reference does not exist", rq.docs()))?;
    check_rules(r, rq, &name, RefChange::Delete)?;
    reference.delete().map_err(|e| super::server_error(rq, e))?;
    // GitHub closes the open pull requests whose head branch is deleted.
    if let Some(branch) = name.strip_prefix("refs/heads/") {
        let now = crate::util::now_iso();
        for issue in r.issues.values_mut() {
            let from_branch = issue.pull.as_ref().is_some_and(|p| p.head_ref == branch);
            if from_branch && issue.state == "open" {
                issue.state = "closed".into();
                issue.closed_at = Some(now.clone());
                issue.updated_at = now.clone();
            }
        }
    }
    Ok(Reply::empty(204))
}
