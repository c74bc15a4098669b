//! Release PR (a deployment platform), `examples/release-pr/`: label hygiene on every pull
//! request, the release PR kept up to date on each push to main, blockers closed or deferred, the
//! steward's and a component owner's sign-off, the merge publishing the tag and the notes and
//! starting the image and docs builds, and a fast-follow patch release from a hotfix.

use action_runner::WorkflowRun;
use scenarios::Scenario;
use serde_json::{Value, json};
use std::path::PathBuf;
use testkit::TestRepo;

const REPO: &str = "acme/platform";
const RELEASE_BRANCH: &str = "release-please--branches--main";
const GATE: &str = "tidegate/gate: main";
const BOT: &str = "github-actions[bot]";
const STEWARD: &str = "rosa";
/// Members of the team acme/platform-owners (the component owners).
const OWNERS: [&str; 2] = ["dana", "omar"];
const CONTRIBUTOR: &str = "eve";

struct Platform {
    s: Scenario,
    /// `docker` and `mkdocs` stand-ins, first on the build jobs' PATH; they log their arguments.
    stubs: TestRepo,
}

impl Platform {
    fn new(faults: Option<u64>) -> Self {
        let mut s = Scenario::new("release-pr", REPO, faults);
        s.var("GATE_APP_ID", "424242");
        s.secret(
            "GATE_APP_PRIVATE_KEY",
            "-----BEGIN PRIVATE KEY-----gateAppKey0451",
        );
        let (o, r) = (s.owner.clone(), s.name.clone());
        s.fake.add_team("acme", "platform-owners", &OWNERS);
        for login in [STEWARD, OWNERS[0], OWNERS[1], CONTRIBUTOR] {
            s.fake.add_collaborator(&o, &r, login);
        }
        s.fake.add_workflow(&o, &r, "build.yml");
        let stubs = TestRepo::new();
        let log = stubs.path().join("tools.log");
        let stub = format!(
            "#!/usr/bin/env bash\n\
             echo \"$(basename \"$0\") $* (VERSION $(cat VERSION 2>/dev/null))\" >>'{}'\n\
             [[ $1 == login ]] && cat >/dev/null\n\
             if [[ $1 == build && $2 == --strict ]]; then mkdir -p \"$4\" && echo docs >\"$4/index.html\"; fi\n\
             exit 0\n",
            log.display()
        );
        for tool in ["docker", "mkdocs"] {
            stubs.write(&format!("bin/{tool}"), &stub);
            let path = stubs.path().join("bin").join(tool);
            std::process::Command::new("chmod")
                .arg("+x")
                .arg(&path)
                .status()
                .expect("chmod");
        }
        Self { s, stubs }
    }

    fn o(&self) -> &str {
        &self.s.owner
    }

    fn r(&self) -> &str {
        &self.s.name
    }

    fn tools_log(&self) -> String {
        std::fs::read_to_string(self.stubs.path().join("tools.log")).unwrap_or_default()
    }

    fn bin(&self) -> PathBuf {
        self.stubs.path().join("bin")
    }

    /// The release workflow for the push GitHub sends after a merge (or a developer's push).
    fn release(&self) -> WorkflowRun {
        self.s.fake.set_actor(BOT);
        self.s
            .run(self.s.push_event("workflows/release.yml", "main"))
    }

    /// The gate workflow for one event; `ok` says whether its job must succeed (a failed gate
    /// fails it).
    fn gates(&self, event: &str, payload: Value, ok: bool) -> WorkflowRun {
        self.s.fake.set_actor(BOT);
        let runner = self.s.workflow("workflows/gates.yml", event, payload);
        if ok {
            self.s.run(runner)
        } else {
            self.s.run_failing(runner)
        }
    }

    fn pull_event(&self, action: &str, number: u64) -> Value {
        let p = self.pull(number);
        json!({"action": action, "pull_request": {"number": number,
            "head": {"ref": p.head_ref, "sha": p.head_sha, "repo": {"fork": false}},
            "base": {"ref": p.base_ref}}})
    }

    /// An `issues` event: the issue's labels after the change, and the label added or removed.
    fn issue_event(
        &self,
        action: &str,
        number: u64,
        labels: &[&str],
        label: Option<&str>,
    ) -> Value {
        let labels: Vec<Value> = labels.iter().map(|l| json!({"name": l})).collect();
        let mut payload = json!({"action": action, "issue": {"number": number, "labels": labels}});
        if let Some(label) = label {
            payload["label"] = json!({"name": label});
        }
        payload
    }

    fn pull(&self, number: u64) -> fake_github::Pull {
        self.s
            .fake
            .pulls(self.o(), self.r())
            .into_iter()
            .find(|p| p.number == number)
            .expect("the pull request exists")
    }

    fn review(&self, number: u64, login: &str) {
        self.s
            .fake
            .add_review(self.o(), self.r(), number, login, "APPROVED", "LGTM");
    }

    /// The conclusion of the newest gate check run on the pull request's head (`None` while in
    /// progress, `Some("missing")` when there is none).
    fn gate_check(&self, number: u64) -> Option<String> {
        let head = self.pull(number).head_sha;
        self.s
            .fake
            .check_runs_on(self.o(), self.r(), &head)
            .into_iter()
            .rfind(|(name, ..)| name == GATE)
            .map_or(Some("missing".into()), |(_, _, conclusion, _)| conclusion)
    }

    /// A contributor's change on its own branch, opened as a pull request into main.
    fn contribution(&self, branch: &str, path: &str, message: &str) -> u64 {
        let dev = &self.s.dev;
        dev.git(&["checkout", "-q", "-B", branch, "origin/main"]);
        dev.commit_file(path, &format!("{message}\n"), message);
        self.s.push(&[&format!("{branch}:{branch}")]);
        self.s.fake.set_actor(CONTRIBUTOR);
        let title = message.lines().next().unwrap_or(message);
        let number =
            self.s
                .fake
                .open_pull(self.o(), self.r(), branch, "main", title, "What and why.");
        self.s.fake.set_actor(BOT);
        number
    }

    fn open_release_pr(&self) -> Option<fake_github::Pull> {
        self.s.open_pull(RELEASE_BRANCH, "main")
    }

    fn tags(&self) -> Vec<String> {
        self.s
            .fake
            .tags(self.o(), self.r())
            .into_iter()
            .map(|(t, _)| t)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// The dispatches of build.yml, as (ref, tag input, version input).
    fn dispatches(&self) -> Vec<(String, String, String)> {
        self.s
            .fake
            .dispatches(self.o(), self.r())
            .into_iter()
            .map(|d| {
                assert_eq!(d.workflow, "build.yml");
                let input = |k: &str| d.inputs.get(k).cloned().unwrap_or_default();
                (d.git_ref.clone(), input("tag"), input("version"))
            })
            .collect()
    }

    /// Runs build.yml for a dispatch, as GitHub starts it: on the tag, with its inputs.
    fn build(&self, tag: &str, version: &str) -> WorkflowRun {
        self.s.run(self.build_runner(tag, version))
    }

    fn build_runner(&self, tag: &str, version: &str) -> action_runner::WorkflowRunner {
        let sha = self
            .s
            .fake
            .tag_sha(self.o(), self.r(), tag)
            .expect("the tag exists");
        let path = format!(
            "{}:{}",
            self.bin().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        self.s
            .workflow("workflows/build.yml", "workflow_dispatch", json!({}))
            .at(&format!("refs/tags/{tag}"), &sha)
            .input("tag", tag)
            .input("version", version)
            .env("PATH", path)
    }

    fn release_tags(&self) -> Vec<String> {
        let releases = self.s.fake.releases(self.o(), self.r());
        releases.into_iter().map(|rel| rel.tag_name).collect()
    }

    fn release_body(&self, tag: &str) -> String {
        self.s
            .fake
            .releases(self.o(), self.r())
            .into_iter()
            .find(|rel| rel.tag_name == tag)
            .and_then(|rel| rel.body)
            .unwrap_or_default()
    }
}

/// An output of the release step of release.yml's job.
fn release_output(run: &WorkflowRun, name: &str) -> Option<String> {
    let step = run
        .job("release")
        .step("release")
        .expect("the release step ran");
    step.outputs.get(name).cloned()
}

fn process(faults: Option<u64>) -> Value {
    let p = Platform::new(faults);
    let (o, r) = (p.o().to_string(), p.r().to_string());
    let fake = &p.s.fake;

    // The platform at 1.0.0, tagged, with the example's configuration and workflows.
    p.s.install_example_file("tidegate.toml", "tidegate.toml");
    for file in ["release.yml", "gates.yml", "build.yml"] {
        p.s.install_example_file(
            &format!("workflows/{file}"),
            &format!(".github/workflows/{file}"),
        );
    }
    p.s.dev.write("VERSION", "1.0.0\n");
    p.s.dev.write("docs/index.md", "# Platform\n");
    p.s.dev.commit_all("chore: the platform at 1.0.0");
    p.s.dev.tag("v1.0.0");
    p.s.push(&["main", "v1.0.0"]);

    // 1. The push runs the release workflow: the tag already there gets its GitHub release once
    //    (adopting the flow); nothing is unreleased, so no release PR.
    p.release();
    assert_eq!(p.tags(), ["v1.0.0"]);
    assert_eq!(p.release_tags(), ["v1.0.0"]);
    assert!(p.open_release_pr().is_none(), "nothing to release yet");
    // Its builds are started too (the release is new to GitHub).
    let dispatches = p.dispatches();
    assert_eq!(
        dispatches,
        [("v1.0.0".into(), "v1.0.0".into(), "1.0.0".into())]
    );
    let adoption_dispatches = dispatches.len();

    // 2. Label hygiene: a feature PR without a type label fails its gate (the check run branch
    //    protection requires), whatever its approvals.
    let feature = p.contribution(
        "canary",
        "deploy/canary.yaml",
        "feat(deploy): canary rollouts with automatic promotion",
    );
    let run = p.gates(
        "pull_request_target",
        p.pull_event("opened", feature),
        false,
    );
    assert!(
        run.job("gate")
            .summary
            .contains("no label of type: feature"),
        "{}",
        run.job("gate").summary
    );
    assert_eq!(p.gate_check(feature).as_deref(), Some("failure"));
    // The label added: the `labeled` event evaluates it again; it now waits for an owner.
    fake.set_labels(&o, &r, feature, &["type: feature"]);
    p.gates(
        "pull_request_target",
        p.pull_event("labeled", feature),
        true,
    );
    assert_eq!(
        p.gate_check(feature),
        None,
        "pending: in progress until an owner approves"
    );
    // The contributor's own approval does not count; a component owner's does.
    fake.add_review(&o, &r, feature, CONTRIBUTOR, "APPROVED", "mine");
    p.gates(
        "pull_request_review",
        p.pull_event("submitted", feature),
        true,
    );
    assert_eq!(
        p.gate_check(feature),
        None,
        "the author's approval is ignored"
    );
    p.review(feature, OWNERS[0]);
    p.gates(
        "pull_request_review",
        p.pull_event("submitted", feature),
        true,
    );
    assert_eq!(p.gate_check(feature).as_deref(), Some("success"));

    // 3. Merged: the push opens the release PR for 1.1.0, labelled, with the feature in it.
    p.s.merge(feature, "squash");
    let run = p.release();
    assert_eq!(release_output(&run, "prs_created").as_deref(), Some("true"));
    let release_pr = p.open_release_pr().expect("the release PR");
    assert_eq!(release_pr.title, "chore(main): release 1.1.0");
    assert_eq!(release_pr.labels, ["autorelease: pending"]);
    assert_eq!(release_pr.user, BOT);
    let body = release_pr.body.clone().unwrap_or_default();
    assert!(
        body.contains("canary rollouts with automatic promotion"),
        "{body}"
    );
    assert_eq!(
        p.tags(),
        ["v1.0.0"],
        "nothing is tagged before the release PR is merged"
    );
    let rp = release_pr.number;

    // 4. Blockers: a release-blocker and a production-impact issue are filed; the issue event
    //    evaluates the open release PR, which fails on them.
    let blocker = fake.add_issue(
        &o,
        &r,
        "Canary promotion skips the health probe",
        &["release-blocker"],
    );
    let impact = fake.add_issue(
        &o,
        &r,
        "EU cluster: rollout stalls at 50%",
        &["production-impact"],
    );
    let run = p.gates(
        "issues",
        p.issue_event("opened", blocker, &["release-blocker"], None),
        false,
    );
    let summary = &run.job("gate").summary;
    assert!(
        summary.contains(&format!("#{blocker}")) && summary.contains(&format!("#{impact}")),
        "{summary}"
    );
    assert_eq!(p.gate_check(rp).as_deref(), Some("failure"));
    // An issue without a blocking label starts no evaluation.
    let question = fake.add_issue(&o, &r, "How do I pin a chart version?", &["question"]);
    let run = p.s.run(p.s.workflow(
        "workflows/gates.yml",
        "issues",
        p.issue_event("opened", question, &["question"], None),
    ));
    assert_eq!(run.job("gate").result, "skipped");

    // 5. The steward and a component owner approve: still failed while the blockers are open.
    p.review(rp, STEWARD);
    p.gates("pull_request_review", p.pull_event("submitted", rp), false);
    p.review(rp, OWNERS[1]);
    p.gates("pull_request_review", p.pull_event("submitted", rp), false);
    assert_eq!(
        p.gate_check(rp).as_deref(),
        Some("failure"),
        "blockers block"
    );

    // 6. One blocker closed (fixed), the other deferred (its label taken off): the gate passes.
    fake.close_pull(&o, &r, blocker);
    let run = p.gates(
        "issues",
        p.issue_event("closed", blocker, &["release-blocker"], None),
        false,
    );
    let summary = &run.job("gate").summary;
    assert!(
        summary.contains(&format!("1 open: issue #{impact} ")),
        "the closed one no longer blocks: {summary}"
    );
    fake.set_labels(&o, &r, impact, &["deferred"]);
    p.gates(
        "issues",
        p.issue_event(
            "unlabeled",
            impact,
            &["deferred"],
            Some("production-impact"),
        ),
        true,
    );
    assert_eq!(p.gate_check(rp).as_deref(), Some("success"));

    // 7. Merged: the push tags v1.1.0, publishes its notes, marks the PR tagged, and starts
    //    build.yml on the tag; no new release PR (nothing left to release).
    p.s.merge(rp, "squash");
    let run = p.release();
    assert_eq!(release_output(&run, "tag_name").as_deref(), Some("v1.1.0"));
    assert_eq!(p.tags(), ["v1.0.0", "v1.1.0"]);
    assert!(
        p.release_body("v1.1.0")
            .contains("canary rollouts with automatic promotion")
    );
    assert_eq!(fake.latest_release(&o, &r).as_deref(), Some("v1.1.0"));
    assert_eq!(p.pull(rp).labels, ["autorelease: tagged"]);
    let comments = fake.comments(&o, &r, rp);
    assert_eq!(comments.len(), 1, "one 'created releases' comment");
    assert!(comments[0].body.contains("v1.1.0"));
    assert!(p.open_release_pr().is_none());
    let dispatches = p.dispatches();
    assert_eq!(dispatches.len(), adoption_dispatches + 1, "{dispatches:?}");
    let (git_ref, tag, version) = dispatches.last().cloned().expect("a dispatch");
    assert_eq!((tag.as_str(), version.as_str()), ("v1.1.0", "1.1.0"));
    assert!(
        git_ref.ends_with("v1.1.0") || git_ref == "main",
        "{git_ref}"
    );

    // 8. The dispatched build: the image tagged with the version from the tag's files, the docs.
    p.build("v1.1.0", "1.1.0");
    let log = p.tools_log();
    assert!(
        log.contains("docker build --label org.opencontainers.image.version=1.1.0"),
        "{log}"
    );
    assert!(
        log.contains("--tag ghcr.io/acme/platform:1.1.0 . (VERSION 1.1.0)"),
        "{log}"
    );
    assert!(
        log.contains("docker push ghcr.io/acme/platform:1.1.0"),
        "{log}"
    );
    assert!(
        log.contains("mkdocs build --strict --site-dir site/1.1.0 (VERSION 1.1.0)"),
        "{log}"
    );
    // A rebuild dispatched by hand with a version the tag does not hold stops before building.
    let run = p.s.run_failing(p.build_runner("v1.1.0", "1.1.1"));
    let check = run.job("check");
    assert!(
        check.log.contains("the tag holds version 1.1.0, not 1.1.1"),
        "{}",
        check.log
    );
    assert_eq!(run.job("image").result, "skipped");
    assert_eq!(run.job("docs").result, "skipped");
    assert!(!p.tools_log().contains("1.1.1"), "nothing built for 1.1.1");
    // A rerun of the release workflow (a re-run from the UI) tags and dispatches nothing again.
    p.release();
    assert_eq!(p.tags(), ["v1.0.0", "v1.1.0"]);
    assert_eq!(
        p.dispatches().len(),
        adoption_dispatches + 1,
        "no second build"
    );

    // 9. Fast follow: production reports a regression; the fix lands on main through the same
    //    gate (blockers do not hold an ordinary PR), and the push proposes 1.1.1.
    let incident = fake.add_issue(
        &o,
        &r,
        "1.1.0: canary weights stuck on 5xx",
        &["production-impact"],
    );
    let fix = p.contribution(
        "fix-weights",
        "deploy/weights.yaml",
        "fix(deploy): reset canary weights on 5xx",
    );
    fake.set_labels(&o, &r, fix, &["type: fix"]);
    p.review(fix, OWNERS[1]);
    p.gates("pull_request_review", p.pull_event("submitted", fix), true);
    assert_eq!(p.gate_check(fix).as_deref(), Some("success"));
    p.s.merge(fix, "squash");
    p.release();
    let patch_pr = p.open_release_pr().expect("the patch release PR");
    assert_ne!(patch_pr.number, rp, "a new release PR");
    assert_eq!(patch_pr.title, "chore(main): release 1.1.1");
    let body = patch_pr.body.clone().unwrap_or_default();
    assert!(
        body.contains("reset canary weights on 5xx") && !body.contains("canary rollouts"),
        "{body}"
    );
    let pp = patch_pr.number;
    // Approved at once, but the incident is still open: blocked.
    p.review(pp, STEWARD);
    p.review(pp, OWNERS[0]);
    p.gates("pull_request_review", p.pull_event("submitted", pp), false);
    assert_eq!(p.gate_check(pp).as_deref(), Some("failure"));
    // The fix verified in staging, the incident closed: the gate passes.
    fake.close_pull(&o, &r, incident);
    p.gates(
        "issues",
        p.issue_event("closed", incident, &["production-impact"], None),
        true,
    );
    assert_eq!(p.gate_check(pp).as_deref(), Some("success"));
    p.s.merge(pp, "squash");
    p.release();
    assert_eq!(p.tags(), ["v1.0.0", "v1.1.0", "v1.1.1"]);
    assert_eq!(fake.latest_release(&o, &r).as_deref(), Some("v1.1.1"));
    assert!(
        p.release_body("v1.1.1")
            .contains("reset canary weights on 5xx")
    );
    let dispatches = p.dispatches();
    assert_eq!(dispatches.len(), adoption_dispatches + 2, "{dispatches:?}");
    let (_, tag, version) = dispatches.last().cloned().expect("a dispatch");
    assert_eq!((tag.as_str(), version.as_str()), ("v1.1.1", "1.1.1"));
    p.build("v1.1.1", "1.1.1");
    assert!(
        p.tools_log()
            .contains("docker push ghcr.io/acme/platform:1.1.1")
    );
    assert!(p.open_release_pr().is_none());

    // The fake's address differs between two runs; GitHub's state otherwise must not.
    let snapshot = p.s.snapshot().to_string();
    serde_json::from_str(&snapshot.replace(&fake.web_url(), "https://github.com"))
        .expect("the snapshot is JSON")
}

#[test]
fn release_pr_end_to_end() {
    let snapshot = healthy();
    let releases = snapshot["releases"].as_array().expect("releases");
    assert_eq!(releases.len(), 3, "{snapshot:#}");
    assert!(snapshot["dispatches"].as_u64().unwrap_or(0) >= 2);
}

/// The healthy run's end state, computed once for both tests.
fn healthy() -> &'static Value {
    static HEALTHY: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    HEALTHY.get_or_init(|| process(None))
}

#[test]
fn release_pr_under_faults() {
    scenarios::assert_same_state(&process(Some(184)), healthy());
}
