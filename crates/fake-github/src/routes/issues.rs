//! Issues (pull requests included, as GitHub lists them), their labels and comments.

use serde_json::{Value, json};

use super::pulls::MAX_BODY_CHARS;
use super::{Rq, paginate, repo};
use crate::json;
use crate::reply::{Handled, Reply};
use crate::state::{IssueComment, RepoState, State};
use crate::util::{next_id, now_iso};

pub(crate) fn list(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let state = rq.q("state").unwrap_or("open");
    let wanted: Vec<&str> = rq
        .q("labels")
        .map(|l| {
            l.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    // `milestone`: a number, `*` (any) or `none`.
    let milestone = rq.q("milestone");
    let mut issues: Vec<_> = r
        .issues
        .values()
        .filter(|i| state == "all" || i.state == state)
        .filter(|i| match milestone {
            None => true,
            Some("*") => i.milestone.is_some(),
            Some("none") => i.milestone.is_none(),
            Some(n) => n
                .parse::<u64>()
                .ok()
                .is_some_and(|n| i.milestone == Some(n)),
        })
        .filter(|i| {
            wanted
                .iter()
                .all(|w| i.labels.iter().any(|l| l.eq_ignore_ascii_case(w)))
        })
        .collect();
    let sort = rq.q("sort").unwrap_or("created");
    match sort {
        "updated" => issues.sort_by(|a, b| {
            a.updated_at
                .cmp(&b.updated_at)
                .then(a.number.cmp(&b.number))
        }),
        _ => issues.sort_by_key(|i| i.number),
    }
    if rq.q("direction").unwrap_or("desc") == "desc" {
        issues.reverse();
    }
    let items: Vec<Value> = issues.iter().map(|i| json::issue(rq.urls, r, i)).collect();
    Ok(paginate(rq, items))
}

fn issue_exists(r: &RepoState, rq: &Rq<'_>) -> Result<u64, Reply> {
    let number = rq.number("issue_number")?;
    if r.issues.contains_key(&number) {
        Ok(number)
    } else {
        Err(rq.not_found())
    }
}

pub(crate) fn labels(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let number = issue_exists(r, rq)?;
    let names = r
        .issues
        .get(&number)
        .map(|i| i.labels.clone())
        .unwrap_or_default();
    Ok(paginate(rq, json::labels_of(rq.urls, r, &names)))
}

/// The label names of an add-labels body: `{"labels": [...]}` or a bare array, of names or of
/// `{"name": ...}` objects.
fn label_names(body: &Value) -> Vec<String> {
    let list = match body {
        Value::Array(a) => a.as_slice(),
        Value::Object(_) => body
            .get("labels")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]),
        _ => &[],
    };
    list.iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
        .collect()
}

pub(crate) fn add_labels(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let number = issue_exists(r, rq)?;
    let names = label_names(rq.body);
    if names.is_empty() {
        return Err(Reply::invalid_field(
            "Label",
            "labels",
            "missing_field",
            rq.docs(),
        ));
    }
    let canonical: Vec<String> = names.iter().map(|n| r.ensure_label(n)).collect();
    let now = now_iso();
    if let Some(issue) = r.issues.get_mut(&number) {
        for name in canonical {
            if !issue.labels.iter().any(|l| l.eq_ignore_ascii_case(&name)) {
                issue.labels.push(name);
            }
        }
        issue.updated_at = now;
    }
    let names = r
        .issues
        .get(&number)
        .map(|i| i.labels.clone())
        .unwrap_or_default();
    Ok(Reply::ok(Value::Array(json::labels_of(rq.urls, r, &names))))
}

/// Removes one label from an issue or pull request, answering the labels left; 404 "Label does
/// not exist" when the issue does not carry it.
pub(crate) fn remove_label(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let number = issue_exists(r, rq)?;
    let name = rq.p("name");
    let issue = r.issues.get_mut(&number).ok_or_else(|| rq.not_found())?;
    let before = issue.labels.len();
    issue.labels.retain(|l| !l.eq_ignore_ascii_case(name));
    if issue.labels.len() == before {
        return Err(Reply::error(404, "Label does not exist", rq.docs()));
    }
    issue.updated_at = now_iso();
    let names = issue.labels.clone();
    Ok(Reply::ok(Value::Array(json::labels_of(rq.urls, r, &names))))
}

/// Adds assignees as GitHub does: users who cannot be assigned (not collaborators) are ignored,
/// existing assignees stay.
pub(crate) fn add_assignees(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let number = issue_exists(r, rq)?;
    let wanted: Vec<String> = rq
        .body
        .get("assignees")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|login| r.is_collaborator(login))
        .map(str::to_string)
        .collect();
    let now = now_iso();
    if let Some(issue) = r.issues.get_mut(&number) {
        for login in wanted {
            if !issue
                .assignees
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&login))
            {
                issue.assignees.push(login);
            }
        }
        issue.updated_at = now;
    }
    let issue = r.issues.get(&number).ok_or_else(|| rq.not_found())?;
    Ok(Reply::json(201, json::issue(rq.urls, r, issue)))
}

pub(crate) fn comments(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let number = issue_exists(r, rq)?;
    let items: Vec<Value> = r
        .comments
        .iter()
        .filter(|c| c.issue_number == number)
        .map(|c| json::comment(rq.urls, r, c))
        .collect();
    Ok(paginate(rq, items))
}

pub(crate) fn add_comment(st: &mut State, rq: &Rq<'_>) -> Handled {
    let actor = rq.actor.to_string();
    let r = repo(st, rq)?;
    let number = issue_exists(r, rq)?;
    let Some(body) = rq.s("body") else {
        return Err(Reply::invalid_field(
            "IssueComment",
            "body",
            "missing_field",
            rq.docs(),
        ));
    };
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(Reply::validation(
            vec![json!({
                "resource": "IssueComment",
                "code": "custom",
                "field": "body",
                "message": format!("body is too long (maximum is {MAX_BODY_CHARS} characters)"),
            })],
            rq.docs(),
        ));
    }
    let now = now_iso();
    let comment = IssueComment {
        id: next_id(),
        issue_number: number,
        user: actor,
        body: body.to_string(),
        created_at: now.clone(),
        updated_at: now,
    };
    let v = json::comment(rq.urls, r, &comment);
    r.comments.push(comment);
    let location = v["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::json(201, v).header("location", location))
}

pub(crate) fn reactions(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    issue_exists(r, rq)?;
    Ok(paginate(rq, Vec::new()))
}
