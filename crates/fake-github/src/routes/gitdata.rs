//! The git data API: blobs, trees and commits written into the bare repository, and commits read
//! back. Nothing moves a branch here; `git/refs` does.

use git2::{ObjectType, Oid, Signature, Time};
use serde_json::{Value, json};

use super::{Rq, open_git, repo, server_error};
use crate::git::{self, TreeEdit};
use crate::json;
use crate::reply::{Handled, Reply};
use crate::state::State;
use crate::util::{base64_decode, parse_iso8601};

/// An object of `kind` named by its full SHA.
fn object_of_kind(g: &git2::Repository, sha: &str, kind: ObjectType) -> Option<Oid> {
    let oid = Oid::from_str(sha).ok().filter(|_| sha.len() == 40)?;
    let object = g.find_object(oid, None).ok()?;
    (object.kind() == Some(kind)).then_some(oid)
}

fn created(body: Value) -> Reply {
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Reply::json(201, body).header("location", location)
}

pub(crate) fn create_blob(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let content = rq
        .s("content")
        .ok_or_else(|| Reply::invalid_field("Blob", "content", "missing_field", rq.docs()))?;
    let bytes = match rq.s("encoding").unwrap_or("utf-8") {
        "utf-8" | "utf8" => content.as_bytes().to_vec(),
        "base64" => base64_decode(content)
            .ok_or_else(|| Reply::invalid_field("Blob", "content", "invalid", rq.docs()))?,
        _ => {
            return Err(Reply::invalid_field(
                "Blob",
                "encoding",
                "invalid",
                rq.docs(),
            ));
        }
    };
    let oid = g.blob(&bytes).map_err(|e| server_error(rq, e))?;
    Ok(created(json!({
        "sha": oid.to_string(),
        "url": format!("{}/git/blobs/{oid}", rq.urls.repo_api(r)),
    })))
}

/// One entry of a create-tree body as an edit; 422 with GitHub's message when it names an object
/// that is not there.
fn tree_edit(g: &git2::Repository, entry: &Value, rq: &Rq<'_>) -> Result<TreeEdit, Reply> {
    let plain = |m: &str| Reply::error(422, m, rq.docs());
    let path: Vec<String> = entry
        .get("path")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    if path.is_empty() {
        return Err(plain("tree.path is missing"));
    }
    let kind = entry.get("type").and_then(Value::as_str).unwrap_or("blob");
    let default_mode = match kind {
        "tree" => "040000",
        "commit" => "160000",
        _ => "100644",
    };
    let mode_text = entry
        .get("mode")
        .and_then(Value::as_str)
        .unwrap_or(default_mode);
    let mode = i32::from_str_radix(mode_text, 8)
        .map_err(|_| plain(&format!("tree.mode {mode_text} is not valid")))?;
    let object = match (entry.get("content"), entry.get("sha")) {
        (Some(Value::String(_)), Some(Value::String(_))) => {
            return Err(plain(
                "Must supply either tree.sha or tree.content, not both",
            ));
        }
        (Some(Value::String(text)), _) => {
            Some(g.blob(text.as_bytes()).map_err(|e| server_error(rq, e))?)
        }
        (_, Some(Value::Null)) => None,
        (_, Some(Value::String(sha))) => {
            let oid = match kind {
                "tree" => object_of_kind(g, sha, ObjectType::Tree),
                // A submodule's commit lives in another repository.
                "commit" => Oid::from_str(sha).ok(),
                _ => object_of_kind(g, sha, ObjectType::Blob),
            };
            Some(oid.ok_or_else(|| plain(&format!("tree.sha {sha} is not a valid {kind}")))?)
        }
        _ => return Err(plain("Must supply either tree.sha or tree.content")),
    };
    Ok(TreeEdit {
        path,
        entry: object.map(|oid| (oid, mode)),
    })
}

pub(crate) fn create_tree(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let base = match rq.s("base_tree") {
        Some(sha) => Some(
            object_of_kind(&g, sha, ObjectType::Tree)
                .and_then(|oid| g.find_tree(oid).ok())
                .ok_or_else(|| Reply::error(422, "base_tree is not a valid tree oid", rq.docs()))?,
        ),
        None => None,
    };
    let entries = rq
        .body
        .get("tree")
        .and_then(Value::as_array)
        .ok_or_else(|| Reply::invalid_field("Tree", "tree", "missing_field", rq.docs()))?;
    let edits = entries
        .iter()
        .map(|e| tree_edit(&g, e, rq))
        .collect::<Result<Vec<_>, _>>()?;
    let oid = git::edit_tree(&g, base.as_ref(), &edits).map_err(|e| server_error(rq, e))?;
    let tree = g.find_tree(oid).map_err(|e| server_error(rq, e))?;
    Ok(created(json::git_tree(rq.urls, r, &tree, &g)))
}

/// The `author` or `committer` of a create-commit body, if given.
fn signature(v: Option<&Value>, rq: &Rq<'_>) -> Result<Option<Signature<'static>>, Reply> {
    let Some(v) = v.filter(|v| v.is_object()) else {
        return Ok(None);
    };
    let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    let made = match v.get("date").and_then(Value::as_str) {
        Some(date) => {
            let (secs, offset) = parse_iso8601(date)
                .ok_or_else(|| Reply::invalid_field("Commit", "date", "invalid", rq.docs()))?;
            Signature::new(field("name"), field("email"), &Time::new(secs, offset))
        }
        None => Signature::now(field("name"), field("email")),
    };
    made.map(Some)
        .map_err(|_| Reply::invalid_field("Commit", "author", "invalid", rq.docs()))
}

pub(crate) fn create_commit(st: &mut State, rq: &Rq<'_>) -> Handled {
    let actor = rq.actor.to_string();
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let plain = |m: &str| Reply::error(422, m, rq.docs());
    let message = rq.s("message").unwrap_or_default();
    let tree = rq
        .s("tree")
        .and_then(|sha| object_of_kind(&g, sha, ObjectType::Tree))
        .and_then(|oid| g.find_tree(oid).ok())
        .ok_or_else(|| plain("Tree SHA does not exist"))?;
    let mut parents = Vec::new();
    for sha in rq
        .body
        .get("parents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let commit = sha
            .as_str()
            .and_then(|s| object_of_kind(&g, s, ObjectType::Commit))
            .and_then(|oid| g.find_commit(oid).ok())
            .ok_or_else(|| plain("Parent SHA does not exist or is not a commit object"))?;
        parents.push(commit);
    }
    // Unset, the author is the token's user and the committer the author (GitHub's defaults).
    let author = match signature(rq.body.get("author"), rq)? {
        Some(s) => s,
        None => {
            git::github_signature(&actor)
                .map_err(|e| server_error(rq, e))?
                .0
        }
    };
    let committer = signature(rq.body.get("committer"), rq)?.unwrap_or_else(|| author.clone());
    let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    let oid = g
        .commit(None, &author, &committer, message, &tree, &parent_refs)
        .map_err(|e| server_error(rq, e))?;
    let info = git::commit_info(&g, oid).ok_or_else(|| server_error(rq, "commit not found"))?;
    Ok(created(json::git_commit(rq.urls, r, &info)))
}

pub(crate) fn get_commit(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let info = object_of_kind(&g, rq.p("commit_sha"), ObjectType::Commit)
        .and_then(|oid| git::commit_info(&g, oid))
        .ok_or_else(|| rq.not_found())?;
    Ok(Reply::ok(json::git_commit(rq.urls, r, &info)))
}
