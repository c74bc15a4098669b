//! Process 5, `examples/approval-matrix/`: develop → release/X.Y.Z (the cut) → main (the
//! release's pull request), with an approval matrix on that pull request (registry → test →
//! production, each stage its own approvers, a change ticket for production), the release and its
//! production deployment on the merge, and a rollback gated by its own stage. Every evaluation's
//! audit record is kept as an artifact and replayed offline to the same verdict.

use action_runner::{WorkflowRunner, built_binaries};
use scenarios::Scenario;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const REPO: &str = "acme/models";
const CUT: &str = "workflows/cut.yml";
const MATRIX: &str = "workflows/approval-matrix.yml";
const RELEASE: &str = "workflows/release.yml";
const DEPLOY: &str = "workflows/deploy.yml";
const ROLLBACK: &str = "workflows/rollback.yml";

/// The scenario, its fake GitHub, and where the runs' artifacts are kept.
struct Team {
    s: Scenario,
    records: tempfile::TempDir,
    runs: usize,
}

impl Team {
    fn o(&self) -> &str {
        &self.s.owner
    }

    fn r(&self) -> &str {
        &self.s.name
    }

    /// A run whose uploads stay in a folder of their own, for the audit at the end.
    fn keep(&mut self, runner: WorkflowRunner) -> WorkflowRunner {
        self.runs += 1;
        runner.keep_artifacts(self.records.path().join(format!("run-{}", self.runs)))
    }

    fn pull(&self, number: u64) -> fake_github::Pull {
        self.s
            .fake
            .pulls(self.o(), self.r())
            .into_iter()
            .find(|p| p.number == number)
            .expect("the pull request exists")
    }

    /// `github.event.pull_request` as GitHub sends it (the fields the workflows read).
    fn pull_payload(&self, number: u64) -> Value {
        let p = self.pull(number);
        json!({"number": p.number, "state": p.state, "merged": p.merged,
               "base": {"ref": p.base_ref}, "head": {"ref": p.head_ref, "sha": p.head_sha}})
    }

    /// The approval matrix for a pull request event (`opened`, `edited`…).
    fn pull_event(&mut self, number: u64, action: &str) -> WorkflowRunner {
        let payload = json!({"action": action, "pull_request": self.pull_payload(number)});
        let runner = self.s.workflow(MATRIX, "pull_request_target", payload);
        self.keep(runner)
    }

    /// `login` submits a review on the head, then the approval matrix runs for the event.
    fn review(&mut self, number: u64, login: &str, state: &str) -> WorkflowRunner {
        self.s
            .fake
            .add_review(self.o(), self.r(), number, login, state, "");
        let payload = json!({"action": "submitted",
                             "review": {"user": {"login": login}, "state": state.to_lowercase()},
                             "pull_request": self.pull_payload(number)});
        let runner = self.s.workflow(MATRIX, "pull_request_review", payload);
        self.keep(runner)
    }

    /// CI reports `ci / test` on the pull request's head, then the `check_run` event.
    fn ci_passes(&mut self, number: u64) -> WorkflowRunner {
        let p = self.pull(number);
        let (o, r) = (self.o().to_string(), self.r().to_string());
        let sha = p.head_sha.clone();
        self.s
            .fake
            .add_check_run(&o, &r, &sha, "ci / test", "completed", Some("success"));
        let payload = json!({"action": "completed", "check_run": {
            "name": "ci / test", "head_sha": p.head_sha, "conclusion": "success",
            "pull_requests": [{"number": number, "base": {"ref": p.base_ref},
                               "head": {"ref": p.head_ref, "sha": p.head_sha}}]}});
        let runner = self.s.workflow(MATRIX, "check_run", payload);
        self.keep(runner)
    }

    /// The gates' check runs on `sha`, `name=conclusion` (or `=status` while not completed):
    /// the newest of each name, which is what branch protection reads.
    fn gates_on(&self, sha: &str) -> Vec<String> {
        let mut newest: Vec<(String, String)> = Vec::new();
        for (name, status, conclusion, _) in self.s.fake.check_runs_on(self.o(), self.r(), sha) {
            let Some(gate) = name.strip_prefix("tidegate/gate: ") else {
                continue;
            };
            let state = conclusion.unwrap_or(status);
            match newest.iter_mut().find(|(g, _)| g == gate) {
                Some(seen) => seen.1 = state,
                None => newest.push((gate.to_string(), state)),
            }
        }
        newest
            .into_iter()
            .map(|(g, s)| format!("{g}={s}"))
            .collect()
    }

    /// The deploy workflow run that `deploy` dispatched last, as GitHub would start it.
    fn run_dispatched_deploy(&self) {
        let dispatches = self.s.fake.dispatches(self.o(), self.r());
        let last = dispatches.last().expect("a dispatch");
        assert_eq!(last.workflow, "deploy.yml");
        let mut runner = self
            .s
            .workflow(DEPLOY, "workflow_dispatch", json!({"inputs": last.inputs}))
            .approve_environment("production");
        for (k, v) in &last.inputs {
            runner = runner.input(k, v);
        }
        self.s.run(runner);
    }

    /// Each production deployment: its ref, latest status, and what it rolled back.
    fn production(&self) -> Vec<String> {
        self.s
            .fake
            .deployments(self.o(), self.r())
            .into_iter()
            .filter(|d| d.environment == "production")
            .map(|d| {
                let state = d.statuses.last().map_or("none", |s| s.state.as_str());
                let rollback = d.payload["rollback_of"].as_str().unwrap_or("");
                format!("{} {state} {rollback}", d.git_ref)
                    .trim()
                    .to_string()
            })
            .collect()
    }
}

fn process(faults: Option<u64>) -> Value {
    let mut s = Scenario::new("approval-matrix", REPO, faults);
    s.secret(
        "RELEASE_APP_PRIVATE_KEY",
        "-----BEGIN PRIVATE KEY-----approvalMatrixAppKey",
    );
    s.var("RELEASE_APP_ID", "4242");
    let (o, r) = ("acme", "models");
    for login in [
        "mira", "omar", "quinn", "pat", "lee", "kim", "sam", "rui", "dana",
    ] {
        s.fake.add_collaborator(o, r, login);
    }
    s.fake.add_team("acme", "ml-engineers", &["mira", "omar"]);

    // In production at v1.0.0: main and develop at the same commit, the policy on main, the
    // deploy workflow on GitHub, and v1.0.0's production deployment.
    s.install_example_file("tidegate.toml", "tidegate.toml");
    s.install_example_file(DEPLOY, ".github/workflows/deploy.yml");
    s.dev.write("VERSION", "1.0.0\n");
    s.dev.write(
        "CHANGELOG.md",
        "# Changelog\n\n## 1.0.0 (2026-01-05)\n\n- the first model\n",
    );
    s.dev.commit_all("feat: the first model");
    s.dev.tag("v1.0.0");
    s.push(&["main", "main:develop", "v1.0.0"]);
    s.fake.add_workflow(o, r, "deploy.yml");
    let seeded = json!({"version": "v1.0.0", "workflow": "deploy.yml", "tool": "tidegate"});
    s.fake
        .add_deployments(o, r, "production", "v1.0.0", &seeded, "success", 1);

    // Developers land work on develop.
    s.dev.git(&["checkout", "-q", "-b", "develop"]);
    s.push_change(
        "model/train.py",
        "epochs = 20\n",
        "feat(train): longer training",
    );
    s.push_change(
        "model/eval.py",
        "threshold = 0.9\n",
        "fix(eval): the accuracy threshold",
    );
    let develop = s.fake.branch_sha(o, r, "develop").expect("develop");

    let mut t = Team {
        s,
        records: tempfile::tempdir().expect("temp dir"),
        runs: 0,
    };

    // 1. The cut (dispatch): release/1.1.0 from develop with its bump commit, and the release's
    //    pull request into main.
    let cut =
        t.s.workflow(
            CUT,
            "workflow_dispatch",
            json!({"inputs": {"version": "1.1.0"}}),
        )
        .input("version", "1.1.0");
    let run = t.s.run(cut);
    assert_eq!(run.job("cut").outputs["branch"], "release/1.1.0");
    let line = t.s.fake.branch_sha(o, r, "release/1.1.0").expect("the cut");
    t.s.dev.git(&["fetch", "-q", "origin"]);
    assert_eq!(
        t.s.dev.git(&["rev-parse", "origin/release/1.1.0~1"]).trim(),
        develop,
        "the line starts at develop's tip"
    );
    assert_eq!(
        t.s.dev
            .git(&["show", "origin/release/1.1.0:VERSION"])
            .trim(),
        "1.1.0"
    );
    let pulls = t.s.fake.pulls(o, r);
    assert_eq!(pulls.len(), 1, "one pull request: {pulls:?}");
    let pr = pulls[0].number;
    let p = t.pull(pr);
    assert_eq!(
        (p.head_ref.as_str(), p.base_ref.as_str()),
        ("release/1.1.0", "main")
    );
    assert_eq!(p.head_sha, line);
    assert_eq!(p.title, "chore(main): release 1.1.0 (3 commits)");
    let body = p.body.clone().unwrap_or_default();
    for line in [
        "Approval matrix: registry",
        "longer training",
        "the accuracy threshold",
    ] {
        assert!(body.contains(line), "the body lists `{line}`: {body}");
    }
    assert_eq!(p.labels, ["release"]);
    // Dispatched again: the same cut, the same pull request (nothing doubled).
    let again =
        t.s.workflow(
            CUT,
            "workflow_dispatch",
            json!({"inputs": {"version": "1.1.0"}}),
        )
        .input("version", "1.1.0");
    t.s.run(again);
    assert_eq!(t.s.fake.pulls(o, r).len(), 1);
    assert_eq!(
        t.s.fake.branch_sha(o, r, "release/1.1.0").as_deref(),
        Some(line.as_str())
    );

    // 2. The pull request opened: registry waits for an ML engineer and CI; the later stages are
    //    not evaluated yet.
    let run = t.pull_event(pr, "opened");
    let run = t.s.run(run);
    assert_eq!(
        run.job("stages")
            .step("registry")
            .expect("the step ran")
            .outputs["outcome"],
        "pending"
    );
    assert_eq!(t.gates_on(&line), ["registry=in_progress"]);

    // 3. QA approves early: test is not evaluated before registry passed (stages in order).
    let early = t.review(pr, "quinn", "APPROVED");
    t.s.run(early);
    assert_eq!(t.gates_on(&line), ["registry=in_progress"]);

    // 4. An approval by a release manager outside the ML team does not pass registry.
    let outsider = t.review(pr, "pat", "APPROVED");
    t.s.run(outsider);
    assert_eq!(t.gates_on(&line), ["registry=in_progress"]);

    // 5. An ML engineer approves: registry still waits for CI.
    let ml = t.review(pr, "mira", "APPROVED");
    let run = t.s.run(ml);
    let summary = &run.job("stages").summary;
    assert!(
        summary.contains("ci / test"),
        "the report names the missing check: {summary}"
    );
    assert_eq!(t.gates_on(&line), ["registry=in_progress"]);

    // 6. CI passes: registry passes, then test (quinn's approval is on this head), then
    //    production is evaluated and fails: no change ticket yet (one approval of two, too).
    let ci = t.ci_passes(pr);
    let run = t.s.run_failing(ci);
    let stages = run.job("stages");
    assert_eq!(
        stages.step("registry").expect("the step ran").outputs["outcome"],
        "passed"
    );
    assert_eq!(
        stages.step("test").expect("the step ran").outputs["outcome"],
        "passed"
    );
    assert_eq!(
        stages.step("production").expect("the step ran").outcome,
        "failure"
    );
    assert!(
        stages.summary.contains("CHG-"),
        "the report names the ticket: {}",
        stages.summary
    );
    assert_eq!(
        t.gates_on(&line),
        ["registry=success", "test=success", "production=failure"]
    );

    // 7. The change ticket written in the description: production waits for a second approval.
    let with_ticket = format!("{body}\n\nChange: CHG-2041\n");
    t.s.fake.set_pull_body(o, r, pr, &with_ticket);
    let edited = t.pull_event(pr, "edited");
    let run = t.s.run(edited);
    let stages = run.job("stages");
    assert_eq!(
        stages.step("production").expect("the step ran").outputs["outcome"],
        "pending"
    );
    assert_eq!(
        t.gates_on(&line),
        ["registry=success", "test=success", "production=in_progress"]
    );

    // 8. A second release manager approves: production passes. Branch protection requires
    //    `tidegate/gate: production`, so only now may the pull request be merged.
    let second = t.review(pr, "lee", "APPROVED");
    t.s.run(second);
    assert_eq!(
        t.gates_on(&line),
        ["registry=success", "test=success", "production=success"]
    );
    assert!(t.s.fake.tags(o, r).iter().all(|(tag, _)| tag != "v1.1.0"));

    // 9. Merged: the release (tag + GitHub release), its production deployment, the merge back.
    t.s.merge(pr, "merge");
    let push = t.s.push_event(RELEASE, "main");
    let run = t.s.run(push);
    assert_eq!(run.job("release").outputs["tag"], "v1.1.0");
    assert_eq!(
        t.s.fake.tag_sha(o, r, "v1.1.0").as_deref(),
        Some(line.as_str())
    );
    let releases = t.s.fake.releases(o, r);
    let v110 = releases
        .iter()
        .find(|rel| rel.tag_name == "v1.1.0")
        .expect("v1.1.0");
    assert!(v110.latest && !v110.prerelease && !v110.draft);
    let notes = v110.body.clone().unwrap_or_default();
    assert!(
        notes.contains("longer training") && notes.contains("accuracy threshold"),
        "{notes}"
    );
    assert_eq!(t.production(), ["v1.0.0 success", "v1.1.0 in_progress"]);
    let back = t.s.open_pull("main", "develop").expect("the merge back");
    assert!(
        back.title
            .starts_with("chore: merge main back into develop"),
        "{}",
        back.title
    );
    // The deploy workflow GitHub starts: v1.1.0 is live.
    t.run_dispatched_deploy();
    assert_eq!(t.production(), ["v1.0.0 success", "v1.1.0 success"]);
    // The push again (a re-run): nothing new is released or deployed.
    let rerun = t.s.push_event(RELEASE, "main");
    t.s.run(rerun);
    assert_eq!(t.s.fake.releases(o, r).len(), 1);
    assert_eq!(t.production().len(), 2);
    let dispatches = t.s.fake.dispatches(o, r).len();

    // 10. Rollback asked before on-call approved: the gate is pending, nothing is deployed.
    let rollback = |t: &mut Team| {
        let runner =
            t.s.workflow(ROLLBACK, "workflow_dispatch", json!({}))
                .input("pr", &pr.to_string())
                .input("reason", "v1.1.0 drifts on live traffic");
        t.keep(runner)
    };
    let early = rollback(&mut t);
    let run = t.s.run_failing(early);
    assert_eq!(run.job("rollback").result, "skipped");
    assert_eq!(t.production(), ["v1.0.0 success", "v1.1.0 success"]);
    assert_eq!(t.s.fake.dispatches(o, r).len(), dispatches);
    // On-call approves on the merged release pull request; the matrix does not run for it.
    let oncall = t.review(pr, "sam", "APPROVED");
    let run = t.s.run(oncall);
    assert_eq!(run.job("stages").result, "skipped");
    let go = rollback(&mut t);
    let run = t.s.run(go);
    let deploy = run.job("rollback").step("deploy").expect("the step ran");
    assert_eq!(deploy.outputs["version"], "v1.0.0");
    assert_eq!(deploy.outputs["rollback-of"], "v1.1.0");
    assert_eq!(
        t.gates_on(&line),
        [
            "registry=success",
            "test=success",
            "production=success",
            "rollback=success"
        ]
    );
    t.run_dispatched_deploy();
    assert_eq!(
        t.production(),
        ["v1.0.0 success", "v1.1.0 success", "v1.0.0 success v1.1.0"]
    );
    let payload =
        t.s.fake
            .deployments(o, r)
            .last()
            .expect("a deployment")
            .payload
            .clone();
    assert_eq!(payload["reason"], "v1.1.0 drifts on live traffic");

    // 11. The audit trail: every record kept replays offline to its verdict.
    let replayed = audit(t.records.path());
    assert!(replayed >= 10, "{replayed} records");

    let mut snapshot = t.s.snapshot();
    snapshot["gates"] = json!(t.gates_on(&line));
    snapshot["production"] = json!(t.production());
    // Each run has its own fake GitHub: its port is not part of the state.
    let port = regex_lite::Regex::new(r"127\.0\.0\.1:\d+").expect("regex");
    serde_json::from_str(&port.replace_all(&snapshot.to_string(), "127.0.0.1:<port>"))
        .expect("the snapshot is JSON")
}

/// Replays every audit record under `dir` with `gate-check --replay`, offline (no token, an API
/// address nothing answers), checking that the verdict comes out as recorded and that an edited
/// record is refused. Returns how many were replayed.
fn audit(dir: &Path) -> usize {
    let records = files(dir);
    let exe = built_binaries().join("gate-check");
    let replay = |file: &Path| {
        Command::new(&exe)
            .arg("--replay")
            .arg(file)
            .env_remove("GITHUB_TOKEN")
            .env("GITHUB_API_URL", "http://127.0.0.1:9")
            .output()
            .expect("run gate-check")
    };
    let mut outcomes = Vec::new();
    for file in &records {
        let record = read_json(file);
        let outcome = record["verdict"]["outcome"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let code = [("passed", 0), ("failed", 1), ("pending", 4)]
            .into_iter()
            .find(|(name, _)| *name == outcome)
            .map(|(_, code)| code)
            .expect("a recorded outcome");
        let out = replay(file);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{} replays to {outcome}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        outcomes.push(format!(
            "{}={outcome}",
            record["gate"].as_str().unwrap_or("")
        ));
    }
    // The failed and the refused evaluations' records are not among them: the harness gives a
    // failed composite step no outputs, so their `record` path is not uploaded (see the report).
    for stage in [
        "registry=pending",
        "production=pending",
        "production=passed",
        "rollback=passed",
    ] {
        assert!(
            outcomes.iter().any(|o| o == stage),
            "a record of {stage}: {outcomes:?}"
        );
    }
    // A record someone edited to hide an approval (lee's turned into a comment) is refused.
    let production = records
        .iter()
        .map(|f| (f, read_json(f)))
        .find(|(_, r)| r["gate"] == "production" && r["verdict"]["outcome"] == "passed")
        .map(|(f, _)| f)
        .expect("the record of production passing");
    let mut record = read_json(production);
    for review in record["facts"]["reviews"].as_array_mut().expect("reviews") {
        if review["user"] == "lee" {
            review["state"] = json!("COMMENTED");
        }
    }
    let forged = dir.join("forged.json");
    std::fs::write(&forged, record.to_string()).expect("write the forged record");
    let out = replay(&forged);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an edited record is refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    records.len()
}

fn read_json(file: &Path) -> Value {
    let text = std::fs::read_to_string(file).expect("read the record");
    serde_json::from_str(&text).expect("a record is JSON")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            found.push(path);
        }
    }
    found.sort();
    found
}

#[test]
fn approval_matrix_end_to_end() {
    let healthy = healthy();
    assert_eq!(healthy["releases"].as_array().map(Vec::len), Some(1));
    assert_eq!(healthy["gates"].as_array().map(Vec::len), Some(4));
}

/// The healthy run's end state, computed once for both tests.
fn healthy() -> &'static Value {
    static HEALTHY: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    HEALTHY.get_or_init(|| process(None))
}

#[test]
fn approval_matrix_under_faults() {
    scenarios::assert_same_state(&process(Some(5)), healthy());
}
