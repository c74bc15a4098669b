//! rc → staging, final → production, a failed production deploy, rollback → the previous
//! production version: each deployment as recorded, its statuses, the workflow's inputs, and the
//! history as a table and JSON.

use serde_json::{Value, json};

use crate::support::{NAME, OWNER, World};

fn deploy(world: &World, env: &str, version: &str) -> Value {
    world
        .run(&[
            "--env",
            env,
            "--version",
            version,
            "--workflow",
            "deploy.yml",
            "--reason",
            "weekly",
            "--json",
        ])
        .json()
}

#[test]
fn versions_go_to_staging_then_production_and_roll_back() {
    let world = World::new();
    let fake = &world.fake;

    // The candidate to staging.
    let rc = deploy(&world, "staging", "v1.4.0-rc.1");
    let rc_id = rc["deployment_id"].as_u64().expect("an id");
    let recorded = fake.deployments(OWNER, NAME);
    assert_eq!(recorded.len(), 1);
    let d = &recorded[0];
    assert_eq!(
        (d.id, d.git_ref.as_str(), d.environment.as_str()),
        (rc_id, "v1.4.0-rc.1", "staging")
    );
    assert_eq!(
        d.sha,
        fake.tag_sha(OWNER, NAME, "v1.4.0-rc.1").expect("tag")
    );
    assert_eq!(d.auto_merge, Some(false));
    assert_eq!(d.required_contexts, Some(vec![]));
    assert_eq!(d.payload["version"], "v1.4.0-rc.1");
    assert_eq!(d.payload["actor"], "ada");
    assert_eq!(d.payload["reason"], "weekly");
    assert_eq!(d.payload["tool"], "tidegate");
    assert_eq!(
        d.payload["workflow"], "deploy.yml",
        "what a rollback starts"
    );
    assert!(d.payload.get("rollback_of").is_none());
    let states: Vec<&str> = d.statuses.iter().map(|s| s.state.as_str()).collect();
    assert_eq!(states, ["queued", "in_progress"]);
    assert_eq!(
        d.statuses[1].log_url,
        rc["run_url"].as_str().expect("a run URL")
    );
    let dispatched = fake.dispatches(OWNER, NAME);
    assert_eq!(dispatched.len(), 1);
    assert_eq!(dispatched[0].workflow, "deploy.yml");
    assert_eq!(dispatched[0].git_ref, "main");
    assert_eq!(dispatched[0].inputs["version"], "v1.4.0-rc.1");
    assert_eq!(dispatched[0].inputs["environment"], "staging");
    assert_eq!(dispatched[0].inputs["deployment-id"], rc_id.to_string());
    world.report("staging", rc_id, "success");
    // The final version to staging too: its success makes the candidate's inactive there.
    let final_id = deploy(&world, "staging", "v1.4.0")["deployment_id"]
        .as_u64()
        .expect("id");
    world.report("staging", final_id, "success");

    // v1.3.0 was in production; then v1.4.0 goes there; then a v1.4.0 deploy fails.
    let old = deploy(&world, "production", "v1.3.0")["deployment_id"]
        .as_u64()
        .expect("id");
    world.report("production", old, "success");
    let new = deploy(&world, "production", "v1.4.0")["deployment_id"]
        .as_u64()
        .expect("id");
    world.report("production", new, "success");
    let failed = deploy(&world, "production", "v1.4.0")["deployment_id"]
        .as_u64()
        .expect("id");
    // Without --deployment-id: the newest deployment of the environment still waiting.
    world
        .run(&["--env", "production", "--status", "failure"])
        .ok();
    let by_id = |id: u64| {
        fake.deployments(OWNER, NAME)
            .into_iter()
            .find(|d| d.id == id)
            .expect("recorded")
    };
    let last = |id: u64| by_id(id).statuses.last().expect("a status").state.clone();
    assert_eq!(last(failed), "failure");
    // auto_inactive reaches non-production environments only, as GitHub documents it: in
    // staging the candidate became inactive; in production v1.3.0 keeps its success, and what
    // is live is the newest success.
    assert_eq!(last(rc_id), "inactive");
    assert_eq!(last(final_id), "success");
    assert_eq!(last(old), "success");
    assert_eq!(last(new), "success");
    assert_eq!(
        by_id(new).statuses.last().map(|s| s.log_url.as_str()),
        Some("https://ci.example/run/1")
    );

    // Rollback: v1.4.0 is live; the previous successful version is v1.3.0. No --workflow: the
    // one v1.4.0 was deployed with.
    let back = world
        .run(&[
            "--env",
            "production",
            "--rollback",
            "--reason",
            "errors up 5%",
            "--json",
        ])
        .json();
    assert_eq!(back["version"], "v1.3.0");
    assert_eq!(back["rollback_of"], "v1.4.0");
    let rb = by_id(back["deployment_id"].as_u64().expect("id"));
    assert_eq!(rb.git_ref, "v1.3.0");
    assert_eq!(rb.payload["rollback_of"], "v1.4.0");
    assert_eq!(rb.payload["reason"], "errors up 5%");
    assert_eq!(rb.auto_merge, Some(false));
    let dispatched = fake.dispatches(OWNER, NAME);
    assert_eq!(dispatched.len(), 6);
    assert_eq!(dispatched[5].workflow, "deploy.yml");
    assert_eq!(dispatched[5].inputs["version"], "v1.3.0");
    assert_eq!(dispatched[5].inputs["environment"], "production");
    world.report("production", rb.id, "success");
    // No tag was moved or deleted.
    let tags: Vec<String> = fake.tags(OWNER, NAME).into_iter().map(|(n, _)| n).collect();
    assert_eq!(tags.len(), 3);

    // The history: newest first, as a table and as JSON.
    let table = world.run(&["--env", "production", "--list"]).ok().stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "{table}");
    assert!(lines[0].starts_with("VERSION"), "{table}");
    assert!(
        lines[1].starts_with("v1.3.0") && lines[1].contains("success"),
        "{table}"
    );
    assert!(
        lines[1].contains("rollback of v1.4.0: errors up 5%"),
        "{table}"
    );
    assert!(
        lines[2].starts_with("v1.4.0") && lines[2].contains("failure"),
        "{table}"
    );
    assert!(
        lines[3].starts_with("v1.4.0") && lines[3].contains("success"),
        "{table}"
    );
    assert!(
        lines[4].starts_with("v1.3.0") && lines[4].contains("ada"),
        "{table}"
    );
    let listed = world
        .run(&["--env", "production", "--list", "--json"])
        .json();
    assert_eq!(listed["live"], "v1.3.0");
    let versions: Vec<&Value> = listed["deployments"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| &d["version"])
        .collect();
    assert_eq!(
        versions,
        [
            &json!("v1.3.0"),
            &json!("v1.4.0"),
            &json!("v1.4.0"),
            &json!("v1.3.0")
        ]
    );
    assert_eq!(listed["deployments"][0]["rollback_of"], "v1.4.0");
    assert_eq!(listed["deployments"][0]["reason"], "errors up 5%");
    assert_eq!(listed["deployments"][1]["status"], "failure");
    let staging = world.run(&["--env", "staging", "--list", "--json"]).json();
    assert_eq!(staging["live"], "v1.4.0");
    assert_eq!(staging["deployments"].as_array().map(Vec::len), Some(2));
    assert_eq!(staging["deployments"][1]["status"], "inactive");
    assert_eq!(fake.contract_violations(), Vec::<String>::new());
}

#[test]
fn a_release_with_its_checksummed_assets_deploys_with_require_assets() {
    let world = World::new();
    let sums = tidegate_sums(&[("app.tar.gz", b"app")]);
    world.release(
        "v1.4.0",
        &[("app.tar.gz", b"app"), ("SHA256SUMS", sums.as_bytes())],
    );
    // GitHub checks the required contexts: none is green, so it refuses (409), nothing is made.
    world
        .run(&[
            "--env",
            "production",
            "--version",
            "v1.4.0",
            "--workflow",
            "deploy.yml",
            "--require-assets",
            "--required-contexts",
            "ci/test,ci/lint",
        ])
        .fails_with(1, "ci/test, ci/lint");
    assert!(world.fake.deployments(OWNER, NAME).is_empty());
    world
        .run(&[
            "--env",
            "production",
            "--version",
            "v1.4.0",
            "--workflow",
            "deploy.yml",
            "--require-assets",
        ])
        .ok();
    assert_eq!(world.fake.deployments(OWNER, NAME).len(), 1);
}

#[test]
fn a_dispatch_refused_after_the_deployment_exists_marks_it_error_and_exits_1() {
    let world = World::new();
    // The workflow passes the checks, then GitHub refuses the dispatch (disabled meanwhile).
    world.fake.refuse_once(
        "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
        422,
        "Cannot trigger a 'workflow_dispatch' on a disabled workflow",
    );
    world
        .run(&[
            "--env",
            "production",
            "--version",
            "v1.4.0",
            "--workflow",
            "deploy.yml",
        ])
        .fails_with(1, "disabled workflow");
    let recorded = world.fake.deployments(OWNER, NAME);
    assert_eq!(recorded.len(), 1);
    let states: Vec<&str> = recorded[0]
        .statuses
        .iter()
        .map(|s| s.state.as_str())
        .collect();
    assert_eq!(states, ["queued", "error"]);
    let reason = &recorded[0].statuses[1].description;
    assert!(
        reason
            == "deploy.yml did not start: Cannot trigger a 'workflow_dispatch' on a disabled workflow",
        "{reason}"
    );
    assert!(world.fake.dispatches(OWNER, NAME).is_empty());
    // The history says so; nothing is live.
    let listed = world
        .run(&["--env", "production", "--list", "--json"])
        .json();
    assert_eq!(listed["deployments"][0]["status"], "error");
    assert_eq!(listed["live"], Value::Null);
    assert_eq!(world.fake.contract_violations(), Vec::<String>::new());
}

/// A SHA256SUMS text for (name, bytes).
fn tidegate_sums(files: &[(&str, &[u8])]) -> String {
    use std::io::Write;
    let mut out = String::new();
    for (name, bytes) in files {
        let mut child = std::process::Command::new("sha256sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("sha256sum runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(bytes)
            .expect("write");
        let hex =
            String::from_utf8(child.wait_with_output().expect("output").stdout).expect("text");
        out.push_str(&format!(
            "{}  {name}\n",
            hex.split_whitespace().next().unwrap_or_default()
        ));
    }
    out
}
