//! Check runs and commit statuses.

use serde_json::{Value, json};

use super::{Page, Rq, open_git, repo};
use crate::git;
use crate::json;
use crate::reply::{Handled, Reply};
use crate::state::{CheckRun, CommitStatus, RepoState, State};
use crate::util::{next_id, now_iso};

fn no_commit(rq: &Rq<'_>, sha: &str) -> Reply {
    Reply::error(422, &format!("No commit found for SHA: {sha}"), rq.docs())
}

fn apply_run_fields(run: &mut CheckRun, body: &Value) {
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(name) = text("name") {
        run.name = name;
    }
    if let Some(v) = text("details_url") {
        run.details_url = Some(v);
    }
    if let Some(v) = text("external_id") {
        run.external_id = Some(v);
    }
    if let Some(v) = text("started_at") {
        run.started_at = Some(v);
    }
    // A completed run stays completed (GitHub keeps its conclusion, and a run cannot go back to
    // `queued` or `in_progress`); a new conclusion may replace the old one.
    if let Some(v) = text("status") {
        if run.status != "completed" {
            run.status = v;
        }
    }
    if let Some(v) = text("conclusion") {
        // A conclusion completes the run, as GitHub documents.
        run.conclusion = Some(v);
        run.status = "completed".into();
    }
    if let Some(v) = text("completed_at") {
        run.completed_at = Some(v);
    }
    if run.status == "completed" && run.completed_at.is_none() {
        run.completed_at = Some(now_iso());
    }
    if let Some(output) = body.get("output") {
        let field = |k: &str| output.get(k).and_then(Value::as_str).map(str::to_string);
        run.output_title = field("title").or(run.output_title.take());
        run.output_summary = field("summary").or(run.output_summary.take());
        run.output_text = field("text").or(run.output_text.take());
    }
}

/// GitHub's limit on `output.summary` and `output.text`, in characters.
const OUTPUT_LIMIT: usize = 65_535;

/// 422 when the output's summary or text is longer than GitHub takes.
fn check_output(rq: &Rq<'_>) -> Result<(), Reply> {
    for field in ["summary", "text"] {
        let length = rq
            .body
            .pointer(&format!("/output/{field}"))
            .and_then(Value::as_str)
            .map_or(0, |t| t.chars().count());
        if length > OUTPUT_LIMIT {
            return Err(Reply::validation(
                vec![json!({
                    "resource": "CheckRun",
                    "code": "custom",
                    "field": field,
                    "message": format!("Only {OUTPUT_LIMIT} characters are allowed; {length} were supplied."),
                })],
                rq.docs(),
            ));
        }
    }
    Ok(())
}

pub(crate) fn create_run(st: &mut State, rq: &Rq<'_>) -> Handled {
    check_output(rq)?;
    let app_slug = st.token_app.clone();
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let missing = |f: &str| Reply::invalid_field("CheckRun", f, "missing_field", rq.docs());
    let name = rq.s("name").ok_or_else(|| missing("name"))?;
    let head_sha = rq.s("head_sha").ok_or_else(|| missing("head_sha"))?;
    let commit = git::resolve_commit(&g, head_sha)
        .filter(|oid| oid.to_string() == head_sha)
        .ok_or_else(|| no_commit(rq, head_sha))?;
    let mut run = CheckRun {
        id: next_id(),
        head_sha: commit.to_string(),
        name: name.to_string(),
        app_slug,
        status: "queued".into(),
        conclusion: None,
        started_at: Some(now_iso()),
        completed_at: None,
        details_url: None,
        external_id: None,
        output_title: None,
        output_summary: None,
        output_text: None,
    };
    apply_run_fields(&mut run, rq.body);
    let body = json::check_run(rq.urls, r, &run);
    r.check_runs.push(run);
    Ok(Reply::json(201, body))
}

pub(crate) fn update_run(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = rq.number("check_run_id")?;
    check_output(rq)?;
    let app_slug = st.token_app.clone();
    let r = repo(st, rq)?;
    let run = r
        .check_runs
        .iter_mut()
        .find(|c| c.id == id)
        .ok_or_else(|| rq.not_found())?;
    // An app may update only its own check runs.
    if run.app_slug != app_slug {
        return Err(Reply::error(403, "Invalid app", rq.docs()));
    }
    apply_run_fields(run, rq.body);
    let run = run.clone();
    Ok(Reply::ok(json::check_run(rq.urls, r, &run)))
}

fn resolve_ref(r: &RepoState, rq: &Rq<'_>) -> Result<String, Reply> {
    let g = open_git(r, rq)?;
    let name = rq.p("ref");
    git::resolve_commit(&g, name)
        .map(|o| o.to_string())
        .ok_or_else(|| no_commit(rq, name))
}

pub(crate) fn runs_for_ref(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let sha = resolve_ref(r, rq)?;
    let mut runs: Vec<&CheckRun> = r
        .check_runs
        .iter()
        .filter(|c| c.head_sha == sha)
        .filter(|c| rq.q("check_name").is_none_or(|n| c.name == n))
        .filter(|c| rq.q("status").is_none_or(|s| c.status == s))
        .collect();
    runs.sort_by_key(|c| std::cmp::Reverse(c.id));
    // `latest` (the default) keeps the newest run of each name in each app's check suite.
    if rq.q("filter").unwrap_or("latest") == "latest" {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        runs.retain(|c| {
            let key = (c.name.as_str(), c.app_slug.as_str());
            let first = !seen.contains(&key);
            seen.push(key);
            first
        });
    }
    let page = Page::of(rq, runs.len());
    let items: Vec<Value> = runs[page.start..page.end]
        .iter()
        .map(|c| json::check_run(rq.urls, r, c))
        .collect();
    Ok(page.reply(json!({ "total_count": runs.len(), "check_runs": items })))
}

pub(crate) fn create_status(st: &mut State, rq: &Rq<'_>) -> Handled {
    let actor = rq.actor.to_string();
    let r = repo(st, rq)?;
    let g = open_git(r, rq)?;
    let sha = rq.p("sha");
    let commit = git::resolve_commit(&g, sha)
        .filter(|oid| oid.to_string() == sha)
        .ok_or_else(|| no_commit(rq, sha))?;
    let state = rq
        .s("state")
        .ok_or_else(|| Reply::invalid_field("Status", "state", "missing_field", rq.docs()))?;
    let status = CommitStatus {
        id: next_id(),
        sha: commit.to_string(),
        state: state.to_string(),
        context: rq.s("context").unwrap_or("default").to_string(),
        description: rq.s("description").map(str::to_string),
        target_url: rq.s("target_url").map(str::to_string),
        creator: actor,
        created_at: now_iso(),
    };
    let body = json::status(rq.urls, r, &status);
    r.statuses.push(status);
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::json(201, body).header("location", location))
}

/// The latest status of each context, newest first.
pub(crate) fn latest_statuses<'r>(r: &'r RepoState, sha: &str) -> Vec<&'r CommitStatus> {
    let mut latest: Vec<&CommitStatus> = Vec::new();
    for s in r.statuses.iter().rev().filter(|s| s.sha == sha) {
        if !latest.iter().any(|l| l.context == s.context) {
            latest.push(s);
        }
    }
    latest
}

/// GitHub's combined state: `failure` if any context failed or errored, `pending` if any is
/// pending or there are none, else `success`.
pub(crate) fn combined_state(statuses: &[&CommitStatus]) -> &'static str {
    if statuses
        .iter()
        .any(|s| s.state == "failure" || s.state == "error")
    {
        "failure"
    } else if statuses.is_empty() || statuses.iter().any(|s| s.state == "pending") {
        "pending"
    } else {
        "success"
    }
}

pub(crate) fn combined_status(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let sha = resolve_ref(r, rq)?;
    let latest = latest_statuses(r, &sha);
    // The state covers every context; `statuses` is paginated (30 a page unless `per_page`).
    let page = Page::of(rq, latest.len());
    let statuses: Vec<Value> = latest[page.start..page.end]
        .iter()
        .map(|s| {
            let mut v = json::status(rq.urls, r, s);
            if let Some(o) = v.as_object_mut() {
                o.remove("creator");
            }
            v
        })
        .collect();
    Ok(page.reply(json!({
        "state": combined_state(&latest),
        "statuses": statuses,
        "sha": sha,
        "total_count": latest.len(),
        "repository": json::repository(rq.urls, r, &r.created_at),
        "commit_url": format!("{}/commits/{sha}", rq.urls.repo_api(r)),
        "url": format!("{}/commits/{sha}/status", rq.urls.repo_api(r)),
    })))
}
