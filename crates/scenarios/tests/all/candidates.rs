//! dev → staging → production with candidates (`examples/candidates/`): a line cut for 1.1.0,
//! candidates `v1.1.0-rc1` and `-rc2` deployed to staging and checked there, the sign-off of
//! three named owners on the release PR, the signed-off candidate promoted to `v1.1.0` and
//! deployed to the protected `production`, then rolled back to `v1.0.0`.

use scenarios::Scenario;
use serde_json::{Value, json};

const OWNER: &str = "acme";
const NAME: &str = "shop";
const WORKFLOWS: [&str; 4] = ["release.yml", "deploy.yml", "sign-off.yml", "rollback.yml"];

/// The state of one deployment: (environment, ref, statuses).
fn deployments(s: &Scenario) -> Vec<(String, String, Vec<String>)> {
    s.fake
        .deployments(OWNER, NAME)
        .into_iter()
        .map(|d| {
            let states = d.statuses.into_iter().map(|st| st.state).collect();
            (d.environment, d.git_ref, states)
        })
        .collect()
}

fn deployment(environment: &str, git_ref: &str, states: &[&str]) -> (String, String, Vec<String>) {
    let states = states.iter().map(|s| s.to_string()).collect();
    (environment.into(), git_ref.into(), states)
}

/// The check runs on `sha` as (name, conclusion), each once.
fn checks_on(s: &Scenario, sha: &str) -> Vec<(String, Option<String>)> {
    let mut runs: Vec<(String, Option<String>)> = s
        .fake
        .check_runs_on(OWNER, NAME, sha)
        .into_iter()
        .map(|(name, _, conclusion, _)| (name, conclusion))
        .collect();
    runs.sort();
    runs
}

fn check(name: &str, conclusion: Option<&str>) -> (String, Option<String>) {
    (name.into(), conclusion.map(String::from))
}

fn tags(s: &Scenario) -> Vec<String> {
    let mut tags: Vec<String> = s.fake.tags(OWNER, NAME).into_iter().map(|t| t.0).collect();
    tags.sort();
    tags
}

fn tag_sha(s: &Scenario, tag: &str) -> String {
    s.fake.tag_sha(OWNER, NAME, tag).expect("the tag exists")
}

/// A file on a branch of the repository on GitHub.
fn file_on(s: &Scenario, branch: &str, path: &str) -> String {
    let out = std::process::Command::new("git")
        .args(["show", &format!("{branch}:{path}")])
        .current_dir(&s.bare)
        .output()
        .expect("git show");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The release of `tag` as (prerelease, latest, sorted asset names).
fn release(s: &Scenario, tag: &str) -> (bool, bool, Vec<String>) {
    let rel = s
        .fake
        .releases(OWNER, NAME)
        .into_iter()
        .find(|r| r.tag_name == tag)
        .unwrap_or_else(|| panic!("no release {tag}"));
    let mut assets: Vec<String> = s
        .fake
        .release_assets(OWNER, NAME, tag)
        .into_iter()
        .map(|a| a.name)
        .collect();
    assets.sort();
    assert!(!rel.draft, "{tag} is published");
    (rel.prerelease, rel.latest, assets)
}

fn assets() -> Vec<String> {
    ["SHA256SUMS", "app.tar.gz", "app.tar.gz.sha512"]
        .map(String::from)
        .to_vec()
}

/// The one open release PR of the line.
fn release_pr(s: &Scenario, line: &str) -> fake_github::Pull {
    let open: Vec<_> = s
        .fake
        .pulls(OWNER, NAME)
        .into_iter()
        .filter(|p| p.head_ref == line && p.base_ref == "main")
        .collect();
    assert_eq!(open.len(), 1, "one release PR: {open:?}");
    open.into_iter().next().expect("one")
}

/// Runs deploy.yml as GitHub runs the `number`th dispatch (1-based), after asserting what it was
/// sent; `approved` says whether the environment's reviewers approved its job.
fn run_dispatch(
    s: &Scenario,
    number: usize,
    version: &str,
    environment: &str,
    approved: bool,
) -> action_runner::WorkflowRun {
    let dispatches = s.fake.dispatches(OWNER, NAME);
    assert_eq!(dispatches.len(), number, "dispatches: {dispatches:?}");
    let sent = &dispatches[number - 1];
    assert_eq!(sent.workflow, "deploy.yml");
    assert_eq!(sent.inputs["version"], version);
    assert_eq!(sent.inputs["environment"], environment);
    let mut runner = s.workflow(
        "workflows/deploy.yml",
        "workflow_dispatch",
        json!({"inputs": sent.inputs}),
    );
    for (name, value) in &sent.inputs {
        runner = runner.input(name, value);
    }
    if approved {
        runner = runner.approve_environment(environment);
    }
    s.run(runner)
}

/// An owner's review of the release PR, then sign-off.yml as the review event runs it.
fn review(s: &Scenario, pr: &fake_github::Pull, owner: &str) -> action_runner::WorkflowRun {
    s.fake
        .add_review(OWNER, NAME, pr.number, owner, "APPROVED", "signed off");
    let head = s
        .fake
        .pulls(OWNER, NAME)
        .into_iter()
        .find(|p| p.number == pr.number)
        .expect("the PR")
        .head_sha;
    let payload = json!({
        "action": "submitted",
        "review": {"state": "approved", "user": {"login": owner}},
        "pull_request": {"number": pr.number, "head": {"ref": pr.head_ref, "sha": head},
                         "base": {"ref": pr.base_ref}},
    });
    let runner = s
        .workflow("workflows/sign-off.yml", "pull_request_review", payload)
        .actor(owner);
    s.run(runner)
}

fn sign_off_on(s: &Scenario, sha: &str) -> Option<String> {
    let runs = s.fake.check_runs_on(OWNER, NAME, sha);
    let gate: Vec<_> = runs
        .iter()
        .filter(|r| r.0 == "tidegate/gate: sign-off")
        .collect();
    assert!(gate.len() <= 1, "one sign-off check run: {gate:?}");
    gate.first().map(|r| r.2.clone().unwrap_or(r.1.clone()))
}

fn promote(s: &Scenario, candidate: &str) -> action_runner::WorkflowRunner {
    let line = s
        .fake
        .branch_sha(OWNER, NAME, "release/1.1.0")
        .expect("the line");
    s.workflow(
        "workflows/release.yml",
        "workflow_dispatch",
        json!({"inputs": {"command": "promote", "candidate": candidate}}),
    )
    .at("refs/heads/release/1.1.0", &line)
    .input("command", "promote")
    .input("candidate", candidate)
}

fn process(faults: Option<u64>) -> Value {
    let s = Scenario::new("candidates", &format!("{OWNER}/{NAME}"), faults);

    // Before Tidegate: 1.0.0, tagged by hand after its candidate `v1.0.0-rc1` (the team's
    // spelling, which the next candidates keep), live in production. The owners can write.
    s.dev.write("VERSION", "1.0.0\n");
    s.dev.write(
        "CHANGELOG.md",
        "# Changelog\n\n## 1.0.0 (2026-01-10)\n\n### Features\n\n* the shop\n",
    );
    s.dev
        .commit_file("src/shop.txt", "shop\n", "feat: the shop");
    s.dev.git(&["tag", "v1.0.0-rc1"]);
    s.dev.git(&["tag", "v1.0.0"]);
    s.install_example_file("tidegate.toml", "tidegate.toml");
    for file in WORKFLOWS {
        s.install_example_file(
            &format!("workflows/{file}"),
            &format!(".github/workflows/{file}"),
        );
    }
    s.dev.git(&["add", "-A"]);
    s.dev.git(&[
        "commit",
        "-q",
        "-m",
        "ci: release with candidates (Tidegate)",
    ]);
    s.push(&["main", "v1.0.0-rc1", "v1.0.0"]);
    for file in WORKFLOWS {
        s.fake.add_workflow(OWNER, NAME, file);
    }
    let live = json!({"version": "v1.0.0", "tool": "tidegate", "workflow": "deploy.yml"});
    s.fake
        .add_deployments(OWNER, NAME, "production", "v1.0.0", &live, "success", 1);
    for owner in ["alice", "bob", "carol"] {
        s.fake.add_collaborator(OWNER, NAME, owner);
    }

    // Development on main.
    s.push_change("src/cart.txt", "cart\n", "feat: a cart");
    s.push_change("src/pay.txt", "pay\n", "feat: payments");

    // 1. The cut, by hand on main: release/1.1.0 with its files bumped, and in the same run its
    //    first candidate, deployed to staging, and the release PR.
    let run = s.run(
        s.workflow(
            "workflows/release.yml",
            "workflow_dispatch",
            json!({"inputs": {"command": "cut", "version": "1.1.0"}}),
        )
        .input("command", "cut")
        .input("version", "1.1.0"),
    );
    for (job, result) in [
        ("cut", "success"),
        ("candidate", "success"),
        ("staging", "success"),
        ("release-pr", "success"),
        ("gate", "skipped"),
        ("promote", "skipped"),
        ("production", "skipped"),
    ] {
        assert_eq!(run.job(job).result, result, "job {job}");
    }
    assert_eq!(file_on(&s, "release/1.1.0", "VERSION"), "1.1.0\n");
    let changelog = file_on(&s, "release/1.1.0", "CHANGELOG.md");
    assert!(
        changelog.contains("## [1.1.0]") || changelog.contains("## 1.1.0"),
        "{changelog}"
    );
    assert!(
        changelog.contains("a cart") && changelog.contains("payments"),
        "{changelog}"
    );
    assert_eq!(
        file_on(&s, "main", "VERSION"),
        "1.0.0\n",
        "main is not bumped"
    );
    assert_eq!(tags(&s), ["v1.0.0", "v1.0.0-rc1", "v1.1.0-rc1"]);
    let rc1 = tag_sha(&s, "v1.1.0-rc1");
    assert_eq!(
        Some(rc1.clone()),
        s.fake.branch_sha(OWNER, NAME, "release/1.1.0"),
        "the candidate is the line's tip"
    );
    assert_eq!(release(&s, "v1.1.0-rc1"), (true, false, assets()));
    assert_eq!(
        deployments(&s),
        [
            deployment("production", "v1.0.0", &["success"]),
            deployment("staging", "v1.1.0-rc1", &["queued", "in_progress"]),
        ]
    );
    let pr = release_pr(&s, "release/1.1.0");
    assert_eq!(pr.state, "open");
    assert_eq!(pr.head_sha, rc1);
    assert!(checks_on(&s, &rc1).is_empty(), "nothing checked yet");

    // 2. deploy.yml, dispatched for staging (no reviewers there): deployed, then the health
    //    and integration checks posted on the candidate's commit.
    let run = run_dispatch(&s, 1, "v1.1.0-rc1", "staging", true);
    assert_eq!(run.job("verify").result, "success");
    assert_eq!(
        deployments(&s)[1],
        deployment(
            "staging",
            "v1.1.0-rc1",
            &["queued", "in_progress", "success"]
        )
    );
    assert_eq!(
        checks_on(&s, &rc1),
        [
            check("staging / health", Some("success")),
            check("staging / integration", Some("success")),
        ]
    );

    // 3. Alice signs off on rc1: the gate waits for the two other owners.
    review(&s, &pr, "alice");
    assert_eq!(sign_off_on(&s, &rc1).as_deref(), Some("in_progress"));

    // 4. A bug found in staging: fixed on main, cherry-picked to the line. The push makes rc2,
    //    deploys it to staging, and the release PR follows the line (still one PR).
    let fix = s.push_change(
        "src/cart.txt",
        "cart, rounded\n",
        "fix: round the cart's total",
    );
    s.pull("release/1.1.0");
    s.dev.git(&["cherry-pick", "-x", &fix]);
    s.push(&["release/1.1.0"]);
    let run = s.run(s.push_event("workflows/release.yml", "release/1.1.0"));
    assert_eq!(run.job("cut").result, "skipped");
    assert_eq!(run.job("candidate").outputs["tag"], "v1.1.0-rc2");
    assert_eq!(
        tags(&s),
        ["v1.0.0", "v1.0.0-rc1", "v1.1.0-rc1", "v1.1.0-rc2"]
    );
    let rc2 = tag_sha(&s, "v1.1.0-rc2");
    assert_eq!(release(&s, "v1.1.0-rc2"), (true, false, assets()));
    assert_eq!(
        deployments(&s)[2],
        deployment("staging", "v1.1.0-rc2", &["queued", "in_progress"])
    );
    let pr = release_pr(&s, "release/1.1.0");
    assert_eq!(pr.head_sha, rc2);
    assert!(
        pr.body.as_deref().unwrap_or("").contains("round the cart"),
        "{:?}",
        pr.body
    );
    run_dispatch(&s, 2, "v1.1.0-rc2", "staging", true);
    assert_eq!(
        checks_on(&s, &rc2),
        [
            check("staging / health", Some("success")),
            check("staging / integration", Some("success")),
        ]
    );

    // 5. Bob and Carol sign off on rc2. Alice's approval was of rc1: stale, so the gate waits,
    //    and a promotion now is stopped by the production gate before anything is made.
    review(&s, &pr, "bob");
    review(&s, &pr, "carol");
    assert_eq!(sign_off_on(&s, &rc2).as_deref(), Some("in_progress"));
    let run = s.run_failing(promote(&s, "v1.1.0-rc2"));
    assert_eq!(run.job("gate").result, "failure");
    assert_eq!(run.job("promote").result, "skipped");
    assert_eq!(run.job("production").result, "skipped");
    assert!(!tags(&s).contains(&"v1.1.0".to_string()), "no final tag");
    assert_eq!(deployments(&s).len(), 3, "nothing deployed");

    // 6. Alice signs off on rc2: the three owners approved the candidate, its checks passed.
    review(&s, &pr, "alice");
    assert_eq!(sign_off_on(&s, &rc2).as_deref(), Some("success"));

    // 7. The promotion, by hand on the line: v1.1.0 on rc2's commit with rc2's assets, "Latest",
    //    and its deployment to production recorded and dispatched.
    let run = s.run(promote(&s, "v1.1.0-rc2"));
    assert_eq!(run.job("gate").result, "success");
    assert_eq!(run.job("promote").outputs["tag"], "v1.1.0");
    assert_eq!(
        tag_sha(&s, "v1.1.0"),
        rc2,
        "the signed-off commit is released"
    );
    assert_eq!(release(&s, "v1.1.0"), (false, true, assets()));
    assert_eq!(
        s.fake.asset_bytes(OWNER, NAME, "v1.1.0", "app.tar.gz"),
        s.fake.asset_bytes(OWNER, NAME, "v1.1.0-rc2", "app.tar.gz"),
        "the same bits, not a rebuild"
    );
    assert_eq!(
        checks_on(&s, &rc2)
            .into_iter()
            .find(|c| c.0 == "tidegate/gate: production"),
        Some(check("tidegate/gate: production", Some("success")))
    );
    assert_eq!(
        deployments(&s)[3],
        deployment("production", "v1.1.0", &["queued", "in_progress"])
    );
    release_pr(&s, "release/1.1.0");

    // 8. deploy.yml for production waits for the environment's reviewers: nothing reported
    //    until they approve; then it succeeds and v1.1.0 is live.
    let run = run_dispatch(&s, 3, "v1.1.0", "production", false);
    assert_eq!(run.job("deploy").result, "waiting");
    assert_eq!(run.job("verify").result, "skipped");
    assert_eq!(
        deployments(&s)[3],
        deployment("production", "v1.1.0", &["queued", "in_progress"])
    );
    let run = run_dispatch(&s, 3, "v1.1.0", "production", true);
    assert_eq!(run.job("deploy").result, "success");
    assert_eq!(
        deployments(&s)[3],
        deployment(
            "production",
            "v1.1.0",
            &["queued", "in_progress", "success"]
        )
    );

    // 9. Rollback: a confirmation that does not match stops before anything; then production
    //    goes back to v1.0.0, the version live before, through deploy.yml again.
    let rollback = |confirm: &str| {
        s.workflow(
            "workflows/rollback.yml",
            "workflow_dispatch",
            json!({"inputs": {"environment": "production", "confirm": confirm}}),
        )
        .input("environment", "production")
        .input("reason", "checkout errors after 1.1.0")
        .input("confirm", confirm)
    };
    s.run_failing(rollback("prod"));
    assert_eq!(deployments(&s).len(), 4, "nothing rolled back");
    let run = s.run(rollback("production"));
    assert_eq!(run.job("rollback").result, "success");
    let back = s.fake.deployments(OWNER, NAME).pop().expect("the rollback");
    assert_eq!(
        (back.environment.as_str(), back.git_ref.as_str()),
        ("production", "v1.0.0")
    );
    assert_eq!(back.payload["rollback_of"], "v1.1.0");
    assert_eq!(back.payload["reason"], "checkout errors after 1.1.0");
    run_dispatch(&s, 4, "v1.0.0", "production", true);
    assert_eq!(
        deployments(&s)[4],
        deployment(
            "production",
            "v1.0.0",
            &["queued", "in_progress", "success"]
        )
    );

    // 10. The release PR merged: main gets the line's fix and 1.1.0's files and changelog.
    s.merge(pr.number, "merge");
    assert_eq!(file_on(&s, "main", "VERSION"), "1.1.0\n");
    assert!(file_on(&s, "main", "CHANGELOG.md").contains("round the cart"));

    s.snapshot()
}

#[test]
fn candidates_end_to_end() {
    let snapshot = healthy();
    assert_eq!(snapshot["tags"].as_array().map(Vec::len), Some(5));
    assert_eq!(snapshot["deployments"].as_array().map(Vec::len), Some(5));
}

/// The healthy run's end state, computed once for both tests.
fn healthy() -> &'static Value {
    static HEALTHY: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    HEALTHY.get_or_init(|| process(None))
}

#[test]
fn candidates_under_faults() {
    scenarios::assert_same_state(&process(Some(18_002)), healthy());
}
