//! Deployments and their statuses, and the workflow runs that `workflow_dispatch` starts (recorded,
//! never run). A `success` status marks the earlier successful deployments of the same
//! non-transient, non-production environment `inactive`, as GitHub documents `auto_inactive`.

use serde_json::{Value, json};

use super::{Rq, open_git, paginate, repo};
use crate::json;
use crate::reply::{Handled, Reply};
use crate::state::{
    DeploymentState, DeploymentStatusState, RepoState, State, Workflow, WorkflowRun,
};
use crate::util::{next_id, now_iso};
use crate::{git, util};

const STATES: [&str; 7] = [
    "error",
    "failure",
    "inactive",
    "in_progress",
    "queued",
    "pending",
    "success",
];

fn deployment_json(rq: &Rq<'_>, r: &RepoState, d: &DeploymentState) -> Value {
    let api = rq.urls.repo_api(r);
    json!({
        "url": format!("{api}/deployments/{}", d.id),
        "id": d.id,
        "node_id": format!("DE_kwDO{}", d.id),
        "sha": d.sha,
        "ref": d.git_ref,
        "task": d.task,
        "payload": d.payload,
        "original_environment": d.environment,
        "environment": d.environment,
        "description": d.description,
        "creator": json::user(rq.urls, &d.creator),
        "created_at": d.created_at,
        "updated_at": d.statuses.last().map_or(&d.created_at, |s| &s.created_at),
        "statuses_url": format!("{api}/deployments/{}/statuses", d.id),
        "repository_url": api,
        "transient_environment": d.transient,
        "production_environment": d.production,
    })
}

fn status_json(
    rq: &Rq<'_>,
    r: &RepoState,
    d: &DeploymentState,
    s: &DeploymentStatusState,
) -> Value {
    let api = rq.urls.repo_api(r);
    let mut v = json!({
        "url": format!("{api}/deployments/{}/statuses/{}", d.id, s.id),
        "id": s.id,
        "node_id": format!("DES_kwDO{}", s.id),
        "state": s.state,
        "creator": json::user(rq.urls, &s.creator),
        "description": s.description,
        "environment": d.environment,
        "target_url": s.log_url,
        "created_at": s.created_at,
        "updated_at": s.created_at,
        "deployment_url": format!("{api}/deployments/{}", d.id),
        "repository_url": api,
    });
    // GitHub always sends `target_url` (required), "" when no URL was given; the schema's `uri`
    // format rejects "", so the fake leaves it out then, as it does the optional URLs.
    for (key, url) in [
        ("log_url", &s.log_url),
        ("environment_url", &s.environment_url),
    ] {
        if !url.is_empty() {
            v[key] = Value::from(url.as_str());
        }
    }
    v
}

fn find<'r>(r: &'r mut RepoState, rq: &Rq<'_>) -> Result<&'r mut DeploymentState, Reply> {
    let id = rq.number("deployment_id")?;
    r.deployments
        .iter_mut()
        .find(|d| d.id == id)
        .ok_or_else(|| rq.not_found())
}

pub(crate) fn create(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let git_ref = rq.s("ref").unwrap_or_default().to_string();
    let sha = {
        let g = open_git(r, rq)?;
        git::resolve_commit(&g, &git_ref)
            .ok_or_else(|| Reply::error(422, &format!("No ref found for: {git_ref}"), rq.docs()))?
            .to_string()
    };
    let required_contexts = rq
        .body
        .get("required_contexts")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
    // Required contexts must be green on the commit (none sent: every context there is).
    let wanted: Vec<String> = match &required_contexts {
        Some(list) => list.clone(),
        None => r
            .statuses
            .iter()
            .filter(|s| s.sha == sha)
            .map(|s| s.context.clone())
            .collect(),
    };
    let failing: Vec<&String> = wanted
        .iter()
        .filter(|c| {
            r.statuses
                .iter()
                .rev()
                .find(|s| s.sha == sha && &s.context == *c)
                .is_none_or(|s| s.state != "success")
        })
        .collect();
    if !failing.is_empty() {
        let names: Vec<&str> = failing.iter().map(|c| c.as_str()).collect();
        return Err(Reply::error(
            409,
            &format!(
                "Conflict: Commit status checks failed for {git_ref}: {}",
                names.join(", ")
            ),
            rq.docs(),
        ));
    }
    let environment = rq.s("environment").unwrap_or("production").to_string();
    let production = rq
        .flag("production_environment")
        .unwrap_or(environment == "production");
    let d = DeploymentState {
        id: next_id(),
        git_ref,
        sha,
        task: rq.s("task").unwrap_or("deploy").to_string(),
        payload: rq.body.get("payload").cloned().unwrap_or_else(|| json!({})),
        description: rq.s("description").map(str::to_string),
        creator: rq.actor.to_string(),
        created_at: now_iso(),
        transient: rq.flag("transient_environment").unwrap_or(false),
        production,
        required_contexts,
        auto_merge: rq.flag("auto_merge"),
        environment,
        statuses: Vec::new(),
    };
    let v = deployment_json(rq, r, &d);
    r.deployments.push(d);
    Ok(Reply::json(201, v))
}

pub(crate) fn list(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let matches = |d: &&DeploymentState| {
        rq.q("environment").is_none_or(|e| d.environment == e)
            && rq.q("ref").is_none_or(|x| d.git_ref == x)
            && rq.q("sha").is_none_or(|x| d.sha == x)
            && rq.q("task").is_none_or(|x| d.task == x)
    };
    let items: Vec<Value> = r
        .deployments
        .iter()
        .rev()
        .filter(matches)
        .map(|d| deployment_json(rq, r, d))
        .collect();
    Ok(paginate(rq, items))
}

pub(crate) fn get(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let d = find(r, rq)?.clone();
    Ok(Reply::ok(deployment_json(rq, r, &d)))
}

pub(crate) fn statuses(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let d = find(r, rq)?.clone();
    let items = d
        .statuses
        .iter()
        .rev()
        .map(|s| status_json(rq, r, &d, s))
        .collect();
    Ok(paginate(rq, items))
}

pub(crate) fn create_status(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let state = rq.s("state").unwrap_or_default().to_string();
    if !STATES.contains(&state.as_str()) {
        return Err(Reply::invalid_field(
            "DeploymentStatus",
            "state",
            "invalid",
            rq.docs(),
        ));
    }
    let description = rq.s("description").unwrap_or_default().to_string();
    if description.chars().count() > 140 {
        return Err(Reply::custom_422(
            "DeploymentStatus",
            "description is too long (maximum is 140 characters)",
            rq.docs(),
        ));
    }
    let log_url = rq
        .s("log_url")
        .or_else(|| rq.s("target_url"))
        .unwrap_or_default()
        .to_string();
    let status = DeploymentStatusState {
        id: next_id(),
        state: state.clone(),
        description,
        log_url,
        environment_url: rq.s("environment_url").unwrap_or_default().to_string(),
        creator: rq.actor.to_string(),
        created_at: now_iso(),
    };
    let d = find(r, rq)?;
    d.statuses.push(status.clone());
    let d = d.clone();
    // GitHub documents `auto_inactive` as reaching only earlier non-transient, non-production
    // deployments: in production, the earlier successful ones keep `success`.
    if state == "success" && rq.flag("auto_inactive").unwrap_or(true) {
        for other in r.deployments.iter_mut().filter(|o| {
            o.id != d.id
                && o.environment == d.environment
                && !o.transient
                && !o.production
                && o.latest_state() == Some("success")
        }) {
            other.statuses.push(DeploymentStatusState {
                id: next_id(),
                state: "inactive".to_string(),
                description: String::new(),
                log_url: String::new(),
                environment_url: String::new(),
                creator: rq.actor.to_string(),
                created_at: now_iso(),
            });
        }
    }
    Ok(Reply::json(201, status_json(rq, r, &d, &status)))
}

/// Records the run a dispatch of `workflow` on `git_ref` starts; returns GitHub's
/// `workflow-dispatch-response`.
pub(crate) fn start_run(
    rq: &Rq<'_>,
    r: &mut RepoState,
    workflow: &Workflow,
    git_ref: &str,
) -> Value {
    let head_sha = open_git(r, rq)
        .ok()
        .and_then(|g| git::resolve_commit(&g, git_ref.trim_start_matches("refs/")))
        .map(|o| o.to_string())
        .unwrap_or_default();
    let run = WorkflowRun {
        id: next_id(),
        workflow_id: workflow.id,
        workflow_file: workflow.file.clone(),
        run_number: r
            .runs
            .iter()
            .filter(|x| x.workflow_id == workflow.id)
            .count() as u64
            + 1,
        head_branch: git_ref.to_string(),
        head_sha,
        actor: rq.actor.to_string(),
        created_at: now_iso(),
    };
    let v = json!({
        "workflow_run_id": run.id,
        "run_url": format!("{}/actions/runs/{}", rq.urls.repo_api(r), run.id),
        "html_url": format!("{}/actions/runs/{}", rq.urls.repo_web(r), run.id),
    });
    r.runs.push(run);
    v
}

fn run_json(rq: &Rq<'_>, r: &RepoState, run: &WorkflowRun) -> Value {
    let api = rq.urls.repo_api(r);
    let run_api = format!("{api}/actions/runs/{}", run.id);
    let repository = json::repository(rq.urls, r, &r.created_at);
    json!({
        "id": run.id,
        "name": run.workflow_file.trim_end_matches(".yml").trim_end_matches(".yaml"),
        "node_id": format!("WFR_kwLO{}", run.id),
        "check_suite_id": run.id + 1,
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": format!(".github/workflows/{}", run.workflow_file),
        "run_number": run.run_number,
        "run_attempt": 1,
        "event": "workflow_dispatch",
        "status": "queued",
        "conclusion": null,
        "workflow_id": run.workflow_id,
        "url": run_api,
        "html_url": format!("{}/actions/runs/{}", rq.urls.repo_web(r), run.id),
        "pull_requests": [],
        "created_at": run.created_at,
        "updated_at": run.created_at,
        "actor": json::user(rq.urls, &run.actor),
        "triggering_actor": json::user(rq.urls, &run.actor),
        "run_started_at": run.created_at,
        "jobs_url": format!("{run_api}/jobs"),
        "logs_url": format!("{run_api}/logs"),
        "check_suite_url": format!("{api}/check-suites/{}", run.id + 1),
        "artifacts_url": format!("{run_api}/artifacts"),
        "cancel_url": format!("{run_api}/cancel"),
        "rerun_url": format!("{run_api}/rerun"),
        "workflow_url": format!("{api}/actions/workflows/{}", run.workflow_id),
        "head_commit": null,
        "repository": repository,
        "head_repository": repository,
        "display_title": run.workflow_file.trim_end_matches(".yml").trim_end_matches(".yaml"),
    })
}

/// `GET actions/workflows/{workflow_id}/runs`, newest first; filters `event`, `branch` and
/// `created` (`>=TIME` only).
pub(crate) fn runs(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let wanted = rq.p("workflow_id");
    let workflow = r
        .workflows
        .iter()
        .find(|w| w.id.to_string() == wanted || w.file == wanted)
        .ok_or_else(|| rq.not_found())?
        .id;
    let since = rq
        .q("created")
        .and_then(|c| c.strip_prefix(">="))
        .and_then(util::parse_iso8601)
        .map(|(secs, _)| secs);
    let runs: Vec<Value> = r
        .runs
        .iter()
        .rev()
        .filter(|run| run.workflow_id == workflow)
        .filter(|_| rq.q("event").is_none_or(|e| e == "workflow_dispatch"))
        .filter(|run| rq.q("branch").is_none_or(|b| run.head_branch == b))
        .filter(|run| {
            since.is_none_or(|s| util::parse_iso8601(&run.created_at).is_some_and(|(t, _)| t >= s))
        })
        .map(|run| run_json(rq, r, run))
        .collect();
    let total = runs.len();
    let page = super::Page::of(rq, total);
    let body: Vec<Value> = runs
        .into_iter()
        .skip(page.start)
        .take(page.end - page.start)
        .collect();
    Ok(page.reply(json!({ "total_count": total, "workflow_runs": body })))
}
