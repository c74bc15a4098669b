//! Releases: list, create, get by tag, update, generated notes. Publishing a release whose tag
//! does not exist creates the tag at `target_commitish`, as GitHub does.

use serde_json::{Value, json};

use super::{Rq, open_git, paginate, repo, server_error};
use crate::reply::{Handled, Reply};
use crate::rules::{self, RefChange};
use crate::state::{ReleaseState, RepoState, State};
use crate::util::{enc, next_id, now_iso};
use crate::{git, json, latest};

fn already_exists(rq: &Rq<'_>) -> Reply {
    Reply::validation(
        vec![json!({ "resource": "Release", "code": "already_exists", "field": "tag_name" })],
        rq.docs(),
    )
}

/// Creates the tag of a published release when it does not exist yet (unless a tag rule
/// restricts its creation: GitHub then answers with the pre-receive hook's message).
fn ensure_tag(r: &RepoState, rq: &Rq<'_>, tag: &str, target: &str) -> Result<(), Reply> {
    let g = open_git(r, rq)?;
    if g.find_reference(&format!("refs/tags/{tag}")).is_ok() {
        return Ok(());
    }
    if let Some(message) = rules::refusal(r, &format!("refs/tags/{tag}"), RefChange::Create) {
        return Err(Reply::validation(
            vec![json!({
                "resource": "Release",
                "code": "custom",
                "field": "pre_receive",
                "message": format!("pre_receive {message}"),
            })],
            rq.docs(),
        ));
    }
    let commit = git::resolve_commit(&g, target)
        .ok_or_else(|| Reply::invalid_field("Release", "target_commitish", "invalid", rq.docs()))?;
    if !git2::Reference::is_valid_name(&format!("refs/tags/{tag}")) {
        return Err(Reply::invalid_field(
            "Release",
            "tag_name",
            "invalid",
            rq.docs(),
        ));
    }
    g.reference(
        &format!("refs/tags/{tag}"),
        commit,
        false,
        "fake-github: release",
    )
    .map_err(|e| server_error(rq, e))?;
    Ok(())
}

pub(crate) fn list(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let items: Vec<Value> = r
        .releases
        .iter()
        .rev()
        .map(|rel| json::release(rq.urls, r, rel))
        .collect();
    Ok(paginate(rq, items))
}

pub(crate) fn create(st: &mut State, rq: &Rq<'_>) -> Handled {
    let actor = rq.actor.to_string();
    let r = repo(st, rq)?;
    let tag = rq
        .s("tag_name")
        .ok_or_else(|| Reply::invalid_field("Release", "tag_name", "missing_field", rq.docs()))?;
    let target = rq.s("target_commitish").unwrap_or("main").to_string();
    let draft = rq.flag("draft").unwrap_or(false);
    // GitHub keeps one published release a tag, but any number of drafts.
    if !draft
        && r.releases
            .iter()
            .any(|rel| rel.tag_name == tag && !rel.draft)
    {
        return Err(already_exists(rq));
    }
    {
        let g = open_git(r, rq)?;
        let tag_exists = g.find_reference(&format!("refs/tags/{tag}")).is_ok();
        if !tag_exists && git::resolve_commit(&g, &target).is_none() {
            return Err(Reply::invalid_field(
                "Release",
                "target_commitish",
                "invalid",
                rq.docs(),
            ));
        }
    }
    let prerelease = rq.flag("prerelease").unwrap_or(false);
    if !draft {
        ensure_tag(r, rq, tag, &target)?;
    }
    let now = now_iso();
    let release = ReleaseState {
        id: next_id(),
        tag_name: tag.to_string(),
        target_commitish: target,
        name: rq.s("name").map(str::to_string),
        body: rq.s("body").map(str::to_string),
        draft,
        prerelease,
        author: actor,
        created_at: now.clone(),
        published_at: (!draft).then_some(now),
        make_latest: rq.s("make_latest").map(str::to_string),
        immutable: !draft && r.immutable_releases,
        assets: Vec::new(),
    };
    let body = json::release(rq.urls, r, &release);
    let (id, make_latest) = (release.id, release.make_latest.clone());
    let publishes = release.can_be_latest();
    r.releases.push(release);
    if publishes {
        latest::apply(r, id, make_latest.as_deref().unwrap_or("true"));
    }
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::json(201, body).header("location", location))
}

pub(crate) fn by_tag(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let tag = rq.p("tag");
    let rel = r
        .releases
        .iter()
        .find(|rel| rel.tag_name == tag && !rel.draft)
        .ok_or_else(|| rq.not_found())?;
    Ok(Reply::ok(json::release(rq.urls, r, rel)))
}

pub(crate) fn get(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = rq.number("release_id")?;
    let r = repo(st, rq)?;
    let rel = r
        .releases
        .iter()
        .find(|rel| rel.id == id)
        .ok_or_else(|| rq.not_found())?;
    Ok(Reply::ok(json::release(rq.urls, r, rel)))
}

pub(crate) fn update(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = rq.number("release_id")?;
    let r = repo(st, rq)?;
    let current = r
        .releases
        .iter()
        .find(|rel| rel.id == id)
        .cloned()
        .ok_or_else(|| rq.not_found())?;
    let mut next = current.clone();
    if let Some(tag) = rq.s("tag_name") {
        next.tag_name = tag.to_string();
    }
    if let Some(v) = rq.s("target_commitish") {
        next.target_commitish = v.to_string();
    }
    if let Some(v) = rq.body.get("name") {
        next.name = v.as_str().map(str::to_string);
    }
    if let Some(v) = rq.body.get("body") {
        next.body = v.as_str().map(str::to_string);
    }
    if let Some(v) = rq.flag("prerelease") {
        next.prerelease = v;
    }
    if let Some(v) = rq.flag("draft") {
        next.draft = v;
    }
    if let Some(v) = rq.s("make_latest") {
        next.make_latest = Some(v.to_string());
    }
    // An immutable release keeps its tag, commit and kind; only its title and notes change.
    if current.immutable
        && (next.tag_name != current.tag_name
            || next.target_commitish != current.target_commitish
            || next.draft
            || next.prerelease != current.prerelease)
    {
        return Err(Reply::error(
            422,
            "Cannot modify an immutable release: only its title and notes can change.",
            rq.docs(),
        ));
    }
    if current.draft && !next.draft {
        next.immutable = r.immutable_releases;
    }
    // One published release a tag (drafts may share it).
    if !next.draft
        && r.releases
            .iter()
            .any(|rel| rel.tag_name == next.tag_name && rel.id != id && !rel.draft)
    {
        return Err(already_exists(rq));
    }
    if !next.draft {
        ensure_tag(r, rq, &next.tag_name, &next.target_commitish)?;
        if next.published_at.is_none() {
            next.published_at = Some(now_iso());
        }
    }
    let body = json::release(rq.urls, r, &next);
    // Publishing applies the `make_latest` sent now or at creation; on a published release
    // only one sent now changes anything.
    let make_latest = match (current.draft, rq.s("make_latest")) {
        (_, Some(v)) => Some(v.to_string()),
        (true, None) => Some(next.make_latest.clone().unwrap_or_else(|| "true".into())),
        (false, None) => None,
    };
    let publishes = next.can_be_latest();
    if let Some(slot) = r.releases.iter_mut().find(|rel| rel.id == id) {
        *slot = next;
    }
    if let (true, Some(make_latest)) = (publishes, make_latest) {
        latest::apply(r, id, &make_latest);
    }
    Ok(Reply::ok(body))
}

pub(crate) fn generate_notes(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let tag = rq
        .s("tag_name")
        .ok_or_else(|| Reply::invalid_field("Release", "tag_name", "missing_field", rq.docs()))?;
    let target = rq.s("target_commitish").unwrap_or("main");
    let head = git::resolve_commit(&g, tag)
        .or_else(|| git::resolve_commit(&g, target))
        .ok_or_else(|| rq.not_found())?;
    let previous = match rq.s("previous_tag_name") {
        Some(p) => Some(p.to_string()),
        None => git::tags(&g)
            .into_iter()
            .find(|(name, oid)| name != tag && git::contains(&g, head, *oid))
            .map(|(name, _)| name),
    };
    let base = previous.as_deref().and_then(|p| git::resolve_commit(&g, p));
    let mut body = String::from("## What's Changed\n");
    for oid in git::commits_between(&g, base, head).into_iter().rev() {
        if let Some(c) = git::commit_info(&g, oid) {
            let subject = c.message.lines().next().unwrap_or_default().to_string();
            body.push_str(&format!("* {subject} by {}\n", c.author_name));
        }
    }
    let compare = match &previous {
        Some(p) => format!("{}/compare/{}...{}", rq.urls.repo_web(r), enc(p), enc(tag)),
        None => format!("{}/commits/{}", rq.urls.repo_web(r), enc(tag)),
    };
    body.push_str(&format!("\n\n**Full Changelog**: {compare}"));
    Ok(Reply::ok(json!({ "name": tag, "body": body })))
}

pub(crate) fn delete(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = rq.number("release_id")?;
    let r = repo(st, rq)?;
    let at = r
        .releases
        .iter()
        .position(|rel| rel.id == id)
        .ok_or_else(|| rq.not_found())?;
    for asset in &r.releases.remove(at).assets {
        asset.remove_file();
    }
    Ok(Reply::empty(204))
}
