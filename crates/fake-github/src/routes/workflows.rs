//! GitHub Actions workflows: read one by id or file name, and `workflow_dispatch` runs (recorded,
//! not run).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Rq, open_git, repo};
use crate::reply::{Handled, Reply};
use crate::state::{Dispatch, RepoState, State, Workflow};
use crate::util::enc;

/// The workflow named by the `workflow_id` parameter: its id or its file name.
fn find<'r>(r: &'r RepoState, rq: &Rq<'_>) -> Result<&'r Workflow, Reply> {
    let wanted = rq.p("workflow_id");
    r.workflows
        .iter()
        .find(|w| w.id.to_string() == wanted || w.file == wanted)
        .ok_or_else(|| rq.not_found())
}

fn workflow_json(rq: &Rq<'_>, r: &RepoState, w: &Workflow) -> Value {
    let path = format!(".github/workflows/{}", w.file);
    let web = rq.urls.repo_web(r);
    json!({
        "id": w.id,
        "node_id": format!("W_kwDO{}", w.id),
        "name": w.file.trim_end_matches(".yml").trim_end_matches(".yaml"),
        "path": path,
        "state": "active",
        "created_at": w.created_at,
        "updated_at": w.created_at,
        "url": format!("{}/actions/workflows/{}", rq.urls.repo_api(r), w.id),
        "html_url": format!("{web}/blob/main/{}", enc(&path)),
        "badge_url": format!("{web}/workflows/{}/badge.svg", enc(&w.file)),
    })
}

pub(crate) fn get(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let w = find(r, rq)?;
    Ok(Reply::ok(workflow_json(rq, r, w)))
}

pub(crate) fn dispatch(st: &mut State, rq: &Rq<'_>) -> Handled {
    let r = repo(st, rq)?;
    let found = find(r, rq)?.clone();
    let workflow = found.file.clone();
    let git_ref = rq.s("ref").unwrap_or_default().to_string();
    {
        let g = open_git(r, rq)?;
        let bare = git_ref.trim_start_matches("refs/");
        let found = [
            format!("refs/heads/{bare}"),
            format!("refs/tags/{bare}"),
            format!("refs/{bare}"),
        ]
        .iter()
        .any(|name| g.find_reference(name).is_ok());
        if !found {
            return Err(Reply::error(
                422,
                &format!("No ref found for: {git_ref}"),
                rq.docs(),
            ));
        }
    }
    let inputs: BTreeMap<String, String> = rq
        .body
        .get("inputs")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    (k.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default();
    let run = super::deployments::start_run(rq, r, &found, &git_ref);
    r.dispatches.push(Dispatch {
        workflow,
        git_ref,
        inputs,
    });
    if rq.flag("return_run_details") == Some(true) {
        Ok(Reply::ok(run))
    } else {
        Ok(Reply::empty(204))
    }
}
