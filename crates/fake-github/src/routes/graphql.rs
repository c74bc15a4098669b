//! `POST /graphql` (`/api/graphql` on GitHub Enterprise Server) for exactly one query: the
//! deployment history `deploy` reads (operation `DeploymentHistory`). Any other query is a
//! contract violation, answered as GitHub answers a query it cannot run (200 with `errors`).

use serde_json::{Value, json};

use crate::reply::Reply;
use crate::state::{DeploymentState, State, repo_key};

/// The operation the fake serves, and the fields and arguments its query must use.
pub(crate) const OPERATION: &str = "DeploymentHistory";
const SHAPE: &[&str] = &[
    "repository(owner: $owner, name: $name)",
    "deployments(environments: [$environment], orderBy: {field: CREATED_AT, direction: DESC}, first: $first, after: $after)",
    "pageInfo { hasNextPage endCursor }",
    "databaseId",
    "ref { name }",
    "commitOid",
    "createdAt",
    "creator { login }",
    "payload",
    "state",
    "latestStatus { state createdAt description logUrl }",
    "statuses(first: 50) { nodes { state } }",
];

/// Whether `path` (as requested, prefix and all) is the GraphQL endpoint.
pub(crate) fn is_endpoint(method: &str, path: &str) -> bool {
    method == "POST" && matches!(path, "/graphql" | "/api/graphql")
}

fn errors(message: &str) -> Reply {
    Reply::ok(json!({ "errors": [{ "message": message }] }))
}

/// Serves one GraphQL request; a problem with its shape goes to `violation`.
pub(crate) fn serve(st: &State, body: &Value, violation: &mut dyn FnMut(String)) -> Reply {
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let normalized = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let operation = body.get("operationName").and_then(Value::as_str);
    let missing: Vec<&&str> = SHAPE.iter().filter(|s| !normalized.contains(*s)).collect();
    if operation != Some(OPERATION) || !missing.is_empty() {
        violation(format!(
            "POST /graphql: fake-github serves only the {OPERATION} query (operation {operation:?}, missing {missing:?})"
        ));
        return errors("fake-github: this query is not served");
    }
    let vars = body.get("variables").cloned().unwrap_or(Value::Null);
    let var = |name: &str| {
        vars.get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let first = vars.get("first").and_then(Value::as_u64).unwrap_or(0);
    if !(1..=100).contains(&first) {
        return errors(&format!(
            "Requesting {first} records on the `deployments` connection exceeds the `first` limit of 100 records."
        ));
    }
    let (owner, name, environment) = (var("owner"), var("name"), var("environment"));
    let Some(r) = st.repos.get(&repo_key(&owner, &name)) else {
        return Reply::ok(json!({
            "data": { "repository": null },
            "errors": [{
                "type": "NOT_FOUND",
                "path": ["repository"],
                "message": format!("Could not resolve to a Repository with the name '{owner}/{name}'."),
            }],
        }));
    };
    let offset = match vars.get("after").and_then(Value::as_str) {
        None => 0,
        Some(cursor) => match cursor.strip_prefix("cursor:").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => return errors(&format!("`{cursor}` does not appear to be a valid cursor.")),
        },
    };
    let all: Vec<&DeploymentState> = r
        .deployments
        .iter()
        .rev()
        .filter(|d| d.environment == environment)
        .collect();
    let end = (offset + first as usize).min(all.len());
    let nodes: Vec<Value> = all
        .get(offset..end)
        .unwrap_or_default()
        .iter()
        .map(|d| node(d))
        .collect();
    Reply::ok(json!({
        "data": { "repository": { "deployments": {
            "pageInfo": {
                "hasNextPage": end < all.len(),
                "endCursor": (end > offset).then(|| format!("cursor:{end}")),
            },
            "nodes": nodes,
        } } }
    }))
}

fn upper(state: &str) -> String {
    state.to_uppercase()
}

fn node(d: &DeploymentState) -> Value {
    let latest = d.statuses.last();
    let state = match latest.map(|s| s.state.as_str()) {
        None => "PENDING".to_string(),
        Some("success") => "ACTIVE".to_string(),
        Some(other) => upper(other),
    };
    let payload = match &d.payload {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    json!({
        "databaseId": d.id,
        "ref": { "name": d.git_ref },
        "commitOid": d.sha,
        "createdAt": d.created_at,
        "creator": { "login": d.creator.trim_end_matches("[bot]") },
        "payload": payload,
        "state": state,
        "latestStatus": latest.map(|s| json!({
            "state": upper(&s.state),
            "createdAt": s.created_at,
            "description": s.description,
            "logUrl": (!s.log_url.is_empty()).then_some(&s.log_url),
        })),
        "statuses": { "nodes": d.statuses.iter().rev().take(50).map(|s| json!({ "state": upper(&s.state) })).collect::<Vec<_>>() },
    })
}
