//! Workflows: read by id or file name, dispatched on an existing ref, dispatches recorded.

use std::collections::BTreeMap;

use fake_github::Dispatch;
use serde_json::json;

use crate::support::{Fx, OWNER, REPO};

#[test]
fn workflows_are_found_by_id_or_file_name() {
    let fx = Fx::new();
    let id = fx.fake.add_workflow(OWNER, REPO, "release-image.yml");
    assert_eq!(
        fx.fake.add_workflow(OWNER, REPO, "release-image.yml"),
        id,
        "added once"
    );
    let by_id = fx.c.get(&fx.p(&format!("/actions/workflows/{id}")));
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.json()["path"], ".github/workflows/release-image.yml");
    let by_name = fx.c.get(&fx.p("/actions/workflows/release-image.yml"));
    assert_eq!(by_name.json()["id"], id);
    assert_eq!(fx.c.get(&fx.p("/actions/workflows/other.yml")).status, 404);
    fx.assert_no_violations();
}

#[test]
fn dispatches_need_a_known_workflow_and_an_existing_ref() {
    let fx = Fx::new();
    fx.fake.add_workflow(OWNER, REPO, "release-image.yml");
    fx.c.post(
        &fx.p("/git/refs"),
        json!({ "ref": "refs/tags/v1.0.0", "sha": fx.main }),
    );
    let url = fx.p("/actions/workflows/release-image.yml/dispatches");
    let ok = fx.c.post(
        &url,
        json!({ "ref": "v1.0.0", "inputs": { "tag": "v1.0.0", "push": true } }),
    );
    assert_eq!(ok.status, 204);
    assert!(ok.body.is_empty());
    assert_eq!(fx.c.post(&url, json!({ "ref": "main" })).status, 204);
    let no_ref = fx.c.post(&url, json!({ "ref": "nope" }));
    assert_eq!(no_ref.status, 422);
    assert_eq!(no_ref.json()["message"], "No ref found for: nope");
    let unknown = fx.c.post(
        &fx.p("/actions/workflows/other.yml/dispatches"),
        json!({ "ref": "main" }),
    );
    assert_eq!(unknown.status, 404);
    assert_eq!(
        fx.fake.dispatches(OWNER, REPO),
        [
            Dispatch {
                workflow: "release-image.yml".into(),
                git_ref: "v1.0.0".into(),
                inputs: BTreeMap::from([
                    ("push".to_string(), "true".to_string()),
                    ("tag".to_string(), "v1.0.0".to_string()),
                ]),
            },
            Dispatch {
                workflow: "release-image.yml".into(),
                git_ref: "main".into(),
                inputs: BTreeMap::new(),
            },
        ]
    );
    fx.assert_no_violations();
}
