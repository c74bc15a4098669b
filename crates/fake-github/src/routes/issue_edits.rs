//! One issue read and edited (pull requests too: labels, milestone, assignees, state, title,
//! body), comments edited in place and reactions on comments: what `backport` needs.

use serde_json::{Value, json};

use super::pulls::MAX_BODY_CHARS;
use super::{Rq, repo};
use crate::json;
use crate::reply::{Handled, Reply};
use crate::state::{CommentReaction, State};
use crate::util::{next_id, now_iso};

pub(crate) fn get(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let number = rq.number("issue_number")?;
    let issue = r.issues.get(&number).ok_or_else(|| rq.not_found())?;
    Ok(Reply::ok(json::issue(rq.urls, r, issue)))
}

/// Names from a `labels` array of strings or `{"name": …}` objects.
fn names(list: &[Value]) -> Vec<String> {
    list.iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
        .collect()
}

/// Applies the fields given, as GitHub does: `labels` replaces the set (creating missing labels),
/// `assignees` replaces it (non-collaborators dropped), `milestone` is a number or `null`.
pub(crate) fn update(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let number = rq.number("issue_number")?;
    if !r.issues.contains_key(&number) {
        return Err(rq.not_found());
    }
    let body = rq.body;
    if let Some(state) = rq.s("state") {
        if state != "open" && state != "closed" {
            return Err(Reply::invalid_field("Issue", "state", "invalid", rq.docs()));
        }
    }
    if rq
        .s("body")
        .is_some_and(|b| b.chars().count() > MAX_BODY_CHARS)
    {
        return Err(Reply::invalid_field("Issue", "body", "custom", rq.docs()));
    }
    let milestone = match body.get("milestone") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => {
            let n = v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()));
            match n.filter(|n| r.milestones.iter().any(|m| m.number == *n)) {
                Some(n) => Some(Some(n)),
                None => {
                    return Err(Reply::invalid_field(
                        "Issue",
                        "milestone",
                        "invalid",
                        rq.docs(),
                    ));
                }
            }
        }
    };
    let labels = body.get("labels").and_then(Value::as_array).map(|l| {
        names(l)
            .iter()
            .map(|n| r.ensure_label(n))
            .collect::<Vec<_>>()
    });
    let assignees = body.get("assignees").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .filter(|login| r.is_collaborator(login))
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    let now = now_iso();
    let issue = r.issues.get_mut(&number).ok_or_else(|| rq.not_found())?;
    if let Some(title) = rq.s("title") {
        issue.title = title.to_string();
    }
    if let Some(text) = body.get("body") {
        issue.body = text.as_str().map(str::to_string);
    }
    if let Some(state) = rq.s("state") {
        if issue.state != state {
            issue.closed_at = (state == "closed").then(|| now.clone());
            issue.state = state.to_string();
        }
    }
    if let Some(m) = milestone {
        issue.milestone = m;
    }
    if let Some(l) = labels {
        issue.labels = l;
    }
    if let Some(a) = assignees {
        issue.assignees = a;
    }
    issue.updated_at = now;
    let issue = r.issues.get(&number).ok_or_else(|| rq.not_found())?;
    Ok(Reply::ok(json::issue(rq.urls, r, issue)))
}

fn comment_id(rq: &Rq<'_>) -> Result<u64, Reply> {
    rq.number("comment_id")
}

pub(crate) fn update_comment(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = comment_id(rq)?;
    let r = repo(st, rq)?;
    let Some(body) = rq.s("body") else {
        return Err(Reply::invalid_field(
            "IssueComment",
            "body",
            "missing_field",
            rq.docs(),
        ));
    };
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(Reply::invalid_field(
            "IssueComment",
            "body",
            "custom",
            rq.docs(),
        ));
    }
    let comment = r
        .comments
        .iter_mut()
        .find(|c| c.id == id)
        .ok_or_else(|| rq.not_found())?;
    comment.body = body.to_string();
    comment.updated_at = now_iso();
    let comment = comment.clone();
    Ok(Reply::ok(json::comment(rq.urls, r, &comment)))
}

/// Adds a reaction; the same user's same reaction again answers 200 with the existing one.
pub(crate) fn react_to_comment(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = comment_id(rq)?;
    let actor = rq.actor.to_string();
    let r = repo(st, rq)?;
    if !r.comments.iter().any(|c| c.id == id) {
        return Err(rq.not_found());
    }
    const KINDS: [&str; 8] = [
        "+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes",
    ];
    let content = rq
        .s("content")
        .filter(|c| KINDS.contains(c))
        .ok_or_else(|| Reply::invalid_field("Reaction", "content", "invalid", rq.docs()))?;
    let found = r
        .comment_reactions
        .iter()
        .find(|x| x.comment_id == id && x.user == actor && x.content == content)
        .cloned();
    let (status, reaction) = match found {
        Some(existing) => (200, existing),
        None => {
            let made = CommentReaction {
                id: next_id(),
                comment_id: id,
                user: actor,
                content: content.to_string(),
                created_at: now_iso(),
            };
            r.comment_reactions.push(made.clone());
            (201, made)
        }
    };
    Ok(Reply::json(
        status,
        json!({
            "id": reaction.id,
            "node_id": format!("REA_lADO{}", reaction.id),
            "user": json::user(rq.urls, &reaction.user),
            "content": reaction.content,
            "created_at": reaction.created_at,
        }),
    ))
}
