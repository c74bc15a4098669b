//! Stream → lake → ocean (models as a service), as `examples/stream-lake-ocean/` runs it:
//! `main` → `stable` on the Sunday cron and by a fast-track dispatch (one PR, updated in place,
//! its head pinned), `stable` → `rhoai` on demand, `rhoai` → `main` of the downstream repository
//! on each push to `rhoai`; each hop's PR gated by reviews through the check run
//! `tidegate/gate: NAME`; the river report along the way.

use fake_github::Pull;
use scenarios::Scenario;
use scenarios::stream_lake_ocean::Downstream;
use serde_json::{Value, json};

const UPSTREAM: &str = "stream-org/model-serving";
const OCEAN: &str = "ocean-org/model-serving";
const SNAPSHOT: &str = "promote/main-to-stable";
const SYNC: &str = "tidegate/sync/stream-org-model-serving/rhoai";

/// `pull_request_target` / `pull_request_review` payloads as GitHub sends them (the parts read).
fn pr_payload(action: &str, pull: &Pull) -> Value {
    json!({
        "action": action,
        "number": pull.number,
        "pull_request": {
            "number": pull.number,
            "base": {"ref": pull.base_ref},
            "head": {"ref": pull.head_ref, "sha": pull.head_sha},
        },
        "repository": {"default_branch": "main"},
    })
}

fn review_payload(pull: &Pull, login: &str, state: &str) -> Value {
    let mut payload = pr_payload("submitted", pull);
    payload["review"] = json!({"state": state, "user": {"login": login}});
    payload
}

/// The check runs on a commit, as (name, status, conclusion).
fn checks(s: &Scenario, repository: &str, sha: &str) -> Vec<(String, String, Option<String>)> {
    let (owner, name) = repository.split_once('/').expect("OWNER/NAME");
    s.fake
        .check_runs_on(owner, name, sha)
        .into_iter()
        .map(|(n, status, conclusion, _)| (n, status, conclusion))
        .collect()
}

fn pending(gate: &str) -> Vec<(String, String, Option<String>)> {
    vec![(format!("tidegate/gate: {gate}"), "in_progress".into(), None)]
}

fn concluded(gate: &str, conclusion: &str) -> Vec<(String, String, Option<String>)> {
    vec![(
        format!("tidegate/gate: {gate}"),
        "completed".into(),
        Some(conclusion.into()),
    )]
}

/// Whether `branch` of the bare repository holds `sha`.
fn holds(bare: &std::path::Path, branch: &str, sha: &str) -> bool {
    std::process::Command::new("git")
        .args(["merge-base", "--is-ancestor", sha, branch])
        .current_dir(bare)
        .status()
        .expect("git merge-base")
        .success()
}

fn pull(s: &Scenario, repository: &str, number: u64) -> Pull {
    let (owner, name) = repository.split_once('/').expect("OWNER/NAME");
    s.fake
        .pulls(owner, name)
        .into_iter()
        .find(|p| p.number == number)
        .expect("the pull request exists")
}

fn body(p: &Pull) -> &str {
    p.body.as_deref().unwrap_or("")
}

/// A review on the PR's head, then the `pull_request_review` run of the gate workflow, whose
/// job fails when the gate does (`gate_fails`).
fn review(
    s: &Scenario,
    ocean: Option<&Downstream>,
    number: u64,
    (login, state): (&str, &str),
    gate_fails: bool,
) {
    let repository = ocean.map_or(UPSTREAM.to_string(), Downstream::repository);
    let (owner, name) = repository.split_once('/').expect("OWNER/NAME");
    s.fake.add_review(owner, name, number, login, state, "");
    let payload = review_payload(&pull(s, &repository, number), login, state);
    let runner = match ocean {
        Some(o) => s.downstream_workflow(
            o,
            "workflows/downstream-gates.yml",
            "pull_request_review",
            payload,
        ),
        None => s.workflow("workflows/gates.yml", "pull_request_review", payload),
    };
    if gate_fails {
        s.run_failing(runner);
    } else {
        s.run(runner);
    }
}

fn river(s: &Scenario) -> String {
    let run = s.run(s.workflow("workflows/river.yml", "workflow_dispatch", json!({})));
    run.job("report").summary.clone()
}

fn process(faults: Option<u64>) -> Value {
    let mut s = Scenario::new("stream-lake-ocean", UPSTREAM, faults);
    let ocean = s.add_downstream(OCEAN);
    s.var("PROMOTION_APP_ID", "1001");
    s.var("OCEAN_APP_ID", "1002");
    s.secret(
        "PROMOTION_APP_PRIVATE_KEY",
        "-----BEGIN promotion app key-----",
    );
    s.secret("OCEAN_APP_PRIVATE_KEY", "-----BEGIN ocean app key-----");
    for login in ["ada", "grace", "margaret"] {
        s.fake
            .add_collaborator("stream-org", "model-serving", login);
    }
    for login in ["linus", "barbara"] {
        s.fake.add_collaborator("ocean-org", "model-serving", login);
    }

    // The first commit: the three branches of the upstream repository, and the downstream one
    // forked from it with a commit of its own (its gate policy).
    s.install_example_file("tidegate.toml", "tidegate.toml");
    s.dev.write("models/runtimes.yaml", "runtimes: [vllm]\n");
    s.dev
        .commit_all("chore: import the model-serving manifests");
    s.push(&["main", "main:stable", "main:rhoai"]);
    s.dev
        .git(&["push", "-q", &ocean.bare.display().to_string(), "main:main"]);
    let policy = std::fs::read_to_string(s.examples.join("ocean-gates.toml")).expect("policy");
    s.fake.commit_file(
        "ocean-org",
        "model-serving",
        "main",
        ".github/tidegate-ocean.toml",
        &policy,
        "chore: the ocean gate (downstream only)",
    );

    // Upstream workflows reach the downstream repository with every sync; there they do nothing.
    let run =
        s.run(s.downstream_workflow(&ocean, "workflows/promote-lake.yml", "schedule", json!({})));
    assert_eq!(run.job("promote").result, "skipped");

    // The week's work lands on `main`.
    s.push_change(
        "models/runtimes.yaml",
        "runtimes: [vllm, granite]\n",
        "feat(serving): add the granite runtime (#11)",
    );
    s.push_change(
        "api/errors.py",
        "REQUEST_ID = True\n",
        "fix(api): keep the request id in errors (#12)",
    );

    // Sunday 00:00 UTC: the cron opens the lake promotion, its head pinned to today's `main`.
    let run = s.run(s.workflow(
        "workflows/promote-lake.yml",
        "schedule",
        json!({"schedule": "0 0 * * 0"}),
    ));
    assert_eq!(run.job("promote").outputs["operation"], "created");
    let lake = s
        .open_pull(SNAPSHOT, "stable")
        .expect("the lake promotion PR");
    let sunday_main = s
        .fake
        .branch_sha("stream-org", "model-serving", "main")
        .unwrap();
    assert_eq!(
        lake.head_sha, sunday_main,
        "the head is pinned to main as seen now"
    );
    assert!(
        lake.title
            .starts_with("chore: promote main → stable (2 commits"),
        "{}",
        lake.title
    );
    assert!(
        body(&lake).contains("add the granite runtime"),
        "{}",
        body(&lake)
    );
    assert!(body(&lake).contains("keep the request id in errors"));
    assert!(body(&lake).starts_with("Merge with a merge commit"));
    assert_eq!(lake.labels, ["promotion"]);
    assert_eq!(s.fake.pulls("stream-org", "model-serving").len(), 1);

    // The App token opened it, so GitHub starts the gate: pending, nobody approved yet.
    s.run(s.workflow(
        "workflows/gates.yml",
        "pull_request_target",
        pr_payload("opened", &lake),
    ));
    assert_eq!(checks(&s, UPSTREAM, &lake.head_sha), pending("lake"));

    // ada approves Sunday's head: the gate passes.
    review(&s, None, lake.number, ("ada", "APPROVED"), false);
    assert_eq!(
        checks(&s, UPSTREAM, &lake.head_sha),
        concluded("lake", "success")
    );

    // Midweek, a fix that cannot wait: merged on `main`, then the fast-track (a dispatch of the
    // same workflow) updates the same PR in place and moves its pinned head.
    let hotfix = s.push_change(
        "serving/gpu.py",
        "release_memory = True\n",
        "fix(serving): stop leaking GPU memory between requests (#13)",
    );
    let run = s.run(s.workflow("workflows/promote-lake.yml", "workflow_dispatch", json!({})));
    assert_eq!(run.job("promote").outputs["operation"], "updated");
    let lake = pull(&s, UPSTREAM, lake.number);
    assert_eq!(lake.state, "open");
    assert_eq!(lake.head_sha, hotfix, "the pinned head moved to the fix");
    assert!(
        lake.title
            .starts_with("chore: promote main → stable (3 commits")
    );
    assert!(body(&lake).contains("stop leaking GPU memory"));
    assert!(
        body(&lake).starts_with("Merge with a merge commit"),
        "the header stays"
    );
    assert_eq!(
        s.fake.pulls("stream-org", "model-serving").len(),
        1,
        "no second PR"
    );

    // Its head moved (synchronize): ada's approval was for Sunday's commit, so the gate blocks.
    s.run(s.workflow(
        "workflows/gates.yml",
        "pull_request_target",
        pr_payload("synchronize", &lake),
    ));
    assert_eq!(checks(&s, UPSTREAM, &hotfix), pending("lake"));

    // ada approves the new head; the gate passes there and the lake promotion is merged.
    review(&s, None, lake.number, ("ada", "APPROVED"), false);
    assert_eq!(checks(&s, UPSTREAM, &hotfix), concluded("lake", "success"));
    s.merge(lake.number, "merge");
    assert!(holds(&s.bare, "stable", &hotfix));
    assert!(!holds(&s.bare, "rhoai", &hotfix));

    // The river report: the lake is three commits ahead of `rhoai`, nothing waits on `main`.
    let report = river(&s);
    assert!(report.contains("```mermaid"), "{report}");
    for line in [
        r#"n0 -->|"0 commits, 0 PRs waiting"| n1"#,
        r#"n1 -->|"3 commits, 4 PRs waiting"| n2"#,
        r#"n2 -->|"0 commits, 0 PRs waiting"| n3"#,
        "### rhoai → ocean-org/model-serving:main",
        "- oldest: <sha> feat(serving): add the granite runtime (#11)",
    ] {
        assert!(
            scenarios::normalize(&report).contains(line),
            "{line}\n{report}"
        );
    }

    // On demand: the rhoai promotion; its gate wants both product owners.
    let run = s.run(s.workflow(
        "workflows/promote-rhoai.yml",
        "workflow_dispatch",
        json!({}),
    ));
    assert_eq!(run.job("promote").outputs["operation"], "created");
    let rhoai = s
        .open_pull("stable", "rhoai")
        .expect("the rhoai promotion PR");
    // The merged lake promotion is one line, its commits rolled up under it (a PR merged with
    // a merge commit is listed as the PR).
    assert!(
        scenarios::normalize(body(&rhoai)).contains(&format!(
            "chore: promote main → stable (3 commits, <sha>) (#{}) · 4 commits",
            lake.number
        )),
        "{}",
        body(&rhoai)
    );
    assert_eq!(rhoai.labels, ["promotion"]);
    s.run(s.workflow(
        "workflows/gates.yml",
        "pull_request_target",
        pr_payload("opened", &rhoai),
    ));
    assert_eq!(checks(&s, UPSTREAM, &rhoai.head_sha), pending("rhoai"));

    // margaret asks for changes: the gate fails (and its job with it) until she approves.
    review(
        &s,
        None,
        rhoai.number,
        ("margaret", "CHANGES_REQUESTED"),
        true,
    );
    assert_eq!(
        checks(&s, UPSTREAM, &rhoai.head_sha),
        concluded("rhoai", "failure")
    );
    // grace approves, and ada (not a product owner): still failed, margaret's word stands.
    review(&s, None, rhoai.number, ("grace", "APPROVED"), true);
    review(&s, None, rhoai.number, ("ada", "APPROVED"), true);
    assert_eq!(
        checks(&s, UPSTREAM, &rhoai.head_sha),
        concluded("rhoai", "failure")
    );
    review(&s, None, rhoai.number, ("margaret", "APPROVED"), false);
    assert_eq!(
        checks(&s, UPSTREAM, &rhoai.head_sha),
        concluded("rhoai", "success")
    );
    s.merge(rhoai.number, "merge");
    assert!(holds(&s.bare, "rhoai", &hotfix));

    // `rhoai` moved: the push starts the ocean hop, a PR in the downstream repository.
    let run = s.run(s.push_event("workflows/promote-ocean.yml", "rhoai"));
    assert_eq!(run.job("sync").outputs["operation"], "created");
    assert_eq!(run.job("sync").outputs["downstream-only"], "1");
    let rhoai_tip = s
        .fake
        .branch_sha("stream-org", "model-serving", "rhoai")
        .unwrap();
    let sync = s.fake.pulls("ocean-org", "model-serving");
    assert_eq!(sync.len(), 1, "{sync:?}");
    let sync = sync.into_iter().next().unwrap();
    assert_eq!(
        (sync.head_ref.as_str(), sync.base_ref.as_str()),
        (SYNC, "main")
    );
    assert_eq!(sync.head_sha, rhoai_tip);
    assert_eq!(sync.labels, ["promotion"]);
    // Upstream PR numbers name the upstream repository (a bare #N would be a downstream one).
    let rhoai_ref = format!("(stream-org/model-serving#{})", rhoai.number);
    assert!(body(&sync).contains(&rhoai_ref), "{}", body(&sync));
    assert!(body(&sync).contains("the ocean gate (downstream only)"));
    assert_eq!(
        s.fake.pulls("stream-org", "model-serving").len(),
        2,
        "none upstream"
    );

    // The downstream repository's gate: pending, then linus approves and it is merged there.
    s.run(s.downstream_workflow(
        &ocean,
        "workflows/downstream-gates.yml",
        "pull_request_target",
        pr_payload("opened", &sync),
    ));
    assert_eq!(checks(&s, OCEAN, &sync.head_sha), pending("ocean"));
    review(&s, Some(&ocean), sync.number, ("linus", "APPROVED"), false);
    assert_eq!(
        checks(&s, OCEAN, &sync.head_sha),
        concluded("ocean", "success")
    );
    s.fake
        .merge_pull("ocean-org", "model-serving", sync.number, "merge");
    assert!(
        holds(&ocean.bare, "main", &hotfix),
        "the fix reached the ocean"
    );

    // Run again with nothing new: no second downstream PR, nothing written.
    let run = s.run(s.workflow(
        "workflows/promote-ocean.yml",
        "workflow_dispatch",
        json!({}),
    ));
    assert_eq!(run.job("sync").outputs["operation"], "skipped");
    assert_eq!(s.fake.pulls("ocean-org", "model-serving").len(), 1);

    // The next Sunday: a new promotion with only the new week's work.
    s.push_change(
        "models/runtimes.yaml",
        "runtimes: [vllm, granite, tgis]\n",
        "feat(serving): add the tgis runtime (#14)",
    );
    let run = s.run(s.workflow(
        "workflows/promote-lake.yml",
        "schedule",
        json!({"schedule": "0 0 * * 0"}),
    ));
    assert_eq!(run.job("promote").outputs["operation"], "created");
    let next = s
        .open_pull(SNAPSHOT, "stable")
        .expect("next week's promotion");
    assert_ne!(next.number, lake.number);
    assert!(
        next.title
            .starts_with("chore: promote main → stable (1 commit"),
        "{}",
        next.title
    );
    assert!(body(&next).contains("add the tgis runtime"));
    assert!(!body(&next).contains("GPU memory"), "{}", body(&next));
    s.run(s.workflow(
        "workflows/gates.yml",
        "pull_request_target",
        pr_payload("opened", &next),
    ));
    assert_eq!(checks(&s, UPSTREAM, &next.head_sha), pending("lake"));

    let report = river(&s);
    assert!(report.contains("main → stable"), "{report}");

    json!({
        "upstream": s.snapshot(),
        "upstream_checks": s.pulls_and_checks("stream-org", "model-serving", &s.bare),
        "ocean": s.pulls_and_checks("ocean-org", "model-serving", &ocean.bare),
    })
}

#[test]
fn stream_lake_ocean_end_to_end() {
    let healthy = healthy();
    assert_eq!(
        healthy["upstream"]["pulls"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(healthy["ocean"]["pulls"].as_array().map(Vec::len), Some(1));
}

/// The healthy run's end state, computed once for both tests.
fn healthy() -> &'static Value {
    static HEALTHY: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    HEALTHY.get_or_init(|| process(None))
}

#[test]
fn stream_lake_ocean_under_faults() {
    scenarios::assert_same_state(&process(Some(18)), healthy());
}
