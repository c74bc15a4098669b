//! Trunk with release branches (an ML platform), `examples/release-lines/`: the scope freeze
//! and the cut, fixes only on the line, signed candidates, a 72-hour vote, the voted candidate
//! released with its bits, the merge back, and a hotfix line with its own candidate.

use fake_github::Pull;
use scenarios::Scenario;
use serde_json::{Value, json};

const REPO: (&str, &str) = ("acme", "platform");
const CUT: &str = "workflows/cut.yml";
const CANDIDATE: &str = "workflows/candidate.yml";
const VOTE: &str = "workflows/vote.yml";
const PROMOTE: &str = "workflows/promote.yml";
const HOTFIX: &str = "workflows/hotfix.yml";
const SIGNED_ASSETS: [&str; 5] = [
    "SHA256SUMS",
    "SHA256SUMS.asc",
    "source.tar.gz",
    "source.tar.gz.asc",
    "source.tar.gz.sha512",
];

/// `hours` before now, as GitHub writes times: votes are placed in the past, so a 72-hour window
/// can have closed by the time the test evaluates it.
fn hours_ago(hours: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let out = std::process::Command::new("date")
        .args([
            "-u",
            "-d",
            &format!("@{}", now - hours * 3600),
            "+%Y-%m-%dT%H:%M:%SZ",
        ])
        .output()
        .expect("date runs");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

fn tags(s: &Scenario) -> Vec<String> {
    let mut tags: Vec<String> = s
        .fake
        .tags(REPO.0, REPO.1)
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    tags.sort();
    tags
}

fn branches(s: &Scenario) -> Vec<String> {
    let out = s.dev.git(&["ls-remote", "--heads", "origin"]);
    let mut names: Vec<String> = out
        .lines()
        .filter_map(|l| l.split("refs/heads/").nth(1).map(String::from))
        .collect();
    names.sort();
    names
}

fn pulls(s: &Scenario) -> Vec<Pull> {
    s.fake.pulls(REPO.0, REPO.1)
}

/// A file on a branch (or tag) of the repository on GitHub.
fn file_on(s: &Scenario, rev: &str, path: &str) -> String {
    let out = std::process::Command::new("git")
        .args(["show", &format!("{rev}:{path}")])
        .current_dir(&s.bare)
        .output()
        .expect("git show");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn asset_names(s: &Scenario, tag: &str) -> Vec<String> {
    let mut names: Vec<String> = s
        .fake
        .release_assets(REPO.0, REPO.1, tag)
        .into_iter()
        .map(|a| a.name)
        .collect();
    names.sort();
    names
}

fn asset(s: &Scenario, tag: &str, name: &str) -> Vec<u8> {
    s.fake
        .asset_bytes(REPO.0, REPO.1, tag, name)
        .unwrap_or_else(|| panic!("{tag} has no asset {name}"))
}

/// The release's assets are what a downloader checks: `sha512sum -c`, `sha256sum -c` and
/// `gpg --verify` with the public key alone all accept them.
fn assert_verifies(s: &Scenario, tag: &str) {
    // A scratch folder (a temporary repository's, unused as a repository).
    let dir = testkit::TestRepo::new();
    for name in asset_names(s, tag) {
        std::fs::write(dir.path().join(&name), asset(s, tag, &name)).expect("write");
    }
    let check = |tool: &str, file: &str| {
        let ok = std::process::Command::new(tool)
            .args(["-c", file])
            .current_dir(dir.path())
            .output()
            .expect("checksum tool")
            .status
            .success();
        assert!(ok, "{tool} -c {file} fails on {tag}'s assets");
    };
    check("sha512sum", "source.tar.gz.sha512");
    check("sha256sum", "SHA256SUMS");
    let public = &testkit::gpg::test_key().public;
    let verifies = |sig: &str, file: &str| {
        testkit::gpg::verifies(public, &dir.path().join(sig), &dir.path().join(file))
    };
    assert!(
        verifies("source.tar.gz.asc", "source.tar.gz"),
        "{tag}: bad signature"
    );
    assert!(
        verifies("SHA256SUMS.asc", "SHA256SUMS"),
        "{tag}: bad SHA256SUMS signature"
    );
}

fn release(s: &Scenario, tag: &str) -> fake_github::Release {
    s.fake
        .releases(REPO.0, REPO.1)
        .into_iter()
        .find(|r| r.tag_name == tag)
        .unwrap_or_else(|| panic!("no release {tag}"))
}

/// The gate's check run on `sha`: (status, conclusion); one per gate, updated in place.
fn gate_check(s: &Scenario, sha: &str, gate: &str) -> (String, Option<String>) {
    let name = format!("tidegate/gate: {gate}");
    let runs: Vec<_> = s
        .fake
        .check_runs_on(REPO.0, REPO.1, sha)
        .into_iter()
        .filter(|(n, ..)| *n == name)
        .collect();
    assert_eq!(runs.len(), 1, "one check run {name} on {sha}: {runs:?}");
    let (_, status, conclusion, _) = runs.into_iter().next().expect("one");
    (status, conclusion)
}

fn dispatch(
    s: &Scenario,
    file: &str,
    branch: &str,
    inputs: &[(&str, &str)],
) -> action_runner::WorkflowRunner {
    let sha = s
        .fake
        .branch_sha(REPO.0, REPO.1, branch)
        .unwrap_or_else(|| panic!("no branch {branch}"));
    let payload: serde_json::Map<String, Value> = inputs
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let mut runner = s
        .workflow(file, "workflow_dispatch", json!({"inputs": payload}))
        .at(&format!("refs/heads/{branch}"), &sha);
    for (k, v) in inputs {
        runner = runner.input(k, v);
    }
    runner
}

/// A comment on a pull request, made `hours` ago, then the `issue_comment` run it starts.
fn comment(
    s: &Scenario,
    number: u64,
    login: &str,
    body: &str,
    hours: u64,
) -> action_runner::WorkflowRun {
    s.fake
        .add_comment_at(REPO.0, REPO.1, number, login, body, &hours_ago(hours));
    let payload = json!({
        "action": "created",
        "issue": {"number": number, "pull_request": {"url": "https://api.github.com/pulls"}},
        "comment": {"body": body, "user": {"login": login}},
    });
    s.run(s.workflow(VOTE, "issue_comment", payload))
}

fn process(faults: Option<u64>) -> Value {
    let mut s = Scenario::new("release-lines", "acme/platform", faults);
    s.secret("RELEASE_SIGNING_KEY", &testkit::gpg::test_key().secret);
    s.secret("RELEASE_SIGNING_PASSPHRASE", testkit::gpg::PASSPHRASE);

    // The platform so far: 1.3.0 released, then a feature and a fix on main.
    s.install_example_file("tidegate.toml", "tidegate.toml");
    s.dev
        .commit_file("VERSION", "1.3.0\n", "feat: the model registry (#1)");
    s.dev.tag("v1.3.0");
    s.dev
        .commit_file("serve.py", "batch = True\n", "feat: batch inference (#12)");
    s.dev.commit_file(
        "registry.py",
        "gc = True\n",
        "fix: registry garbage collection (#13)",
    );
    s.push(&["main", "v1.3.0"]);
    let main_tip = s.dev.head();

    // 1. Scope freeze: a release-blocker is still open, so the cut is refused and nothing is made.
    let blocker = s.fake.add_issue(
        REPO.0,
        REPO.1,
        "Registry schema migration",
        &["release-blocker"],
    );
    let run = s.run_failing(dispatch(&s, CUT, "main", &[("version", "1.4.0")]));
    assert_eq!(run.job("scope-freeze").result, "failure");
    assert_eq!(run.job("cut").result, "skipped", "{}", run.summary());
    assert_eq!(branches(&s), ["main"]);
    assert_eq!(tags(&s), ["v1.3.0"]);
    assert_eq!(
        gate_check(&s, &main_tip, "scope-freeze"),
        ("completed".into(), Some("failure".into()))
    );

    // The blocker is closed: the cut makes release/1.4.0 (its VERSION bumped) and its first
    // candidate, v1.4.0-rc.1, signed, with the line's PR into main as the vote's thread.
    s.fake.close_pull(REPO.0, REPO.1, blocker);
    let run = s.run(dispatch(&s, CUT, "main", &[("version", "1.4.0")]));
    assert_eq!(run.job("cut").outputs["branch"], "release/1.4.0");
    assert_eq!(
        gate_check(&s, &main_tip, "scope-freeze"),
        ("completed".into(), Some("success".into()))
    );
    assert_eq!(branches(&s), ["main", "release/1.4.0"]);
    assert_eq!(file_on(&s, "release/1.4.0", "VERSION"), "1.4.0\n");
    assert_eq!(
        file_on(&s, "main", "VERSION"),
        "1.3.0\n",
        "main is not bumped"
    );
    assert_eq!(tags(&s), ["v1.3.0", "v1.4.0-rc.1"]);
    let rc1 = release(&s, "v1.4.0-rc.1");
    assert!(rc1.prerelease && !rc1.draft && !rc1.latest, "{rc1:?}");
    assert_eq!(asset_names(&s, "v1.4.0-rc.1"), SIGNED_ASSETS);
    assert_verifies(&s, "v1.4.0-rc.1");
    let open = pulls(&s);
    let log = &run.job("first-candidate/candidate").log;
    assert_eq!(open.len(), 1, "{open:?}\n{log}");
    let thread = open[0].clone();
    assert_eq!(
        (thread.head_ref.as_str(), thread.base_ref.as_str()),
        ("release/1.4.0", "main")
    );

    // 2. Fixes only: a feature pushed onto the line stops the candidate, nothing is tagged.
    s.pull("release/1.4.0");
    let line_tip = s.dev.head();
    s.dev.commit_file(
        "serve.py",
        "batch = True\nstream = True\n",
        "feat: streaming inference (#15)",
    );
    s.push(&["release/1.4.0"]);
    let run = s.run_failing(s.push_event(CANDIDATE, "release/1.4.0"));
    assert!(
        run.job("candidate").log.contains("streaming inference"),
        "{}",
        run.failure_logs()
    );
    assert_eq!(tags(&s), ["v1.3.0", "v1.4.0-rc.1"]);
    assert_eq!(pulls(&s).len(), 1);
    // The release manager takes it off the line (it ships in 1.5.0 from main).
    s.push(&[&format!("+{line_tip}:refs/heads/release/1.4.0")]);

    // 3. A fix merged into main, cherry-picked onto the line: candidate rc.2, and the thread
    // updated in place.
    s.pull("main");
    let fix = s.dev.commit_file(
        "scheduler.py",
        "leak = False\n",
        "fix: leak in the batch scheduler (#14)",
    );
    s.push(&["main"]);
    s.pull("release/1.4.0");
    s.dev.git(&["cherry-pick", "-x", &fix]);
    s.push(&["release/1.4.0"]);
    let rc2 = s.dev.head();
    s.run(s.push_event(CANDIDATE, "release/1.4.0"));
    assert_eq!(tags(&s), ["v1.3.0", "v1.4.0-rc.1", "v1.4.0-rc.2"]);
    assert_eq!(
        s.fake.tag_sha(REPO.0, REPO.1, "v1.4.0-rc.2").as_deref(),
        Some(rc2.as_str())
    );
    let rc2_release = release(&s, "v1.4.0-rc.2");
    assert!(rc2_release.prerelease && !rc2_release.latest);
    let notes = rc2_release.body.clone().unwrap_or_default();
    assert!(notes.contains("leak in the batch scheduler"), "{notes}");
    assert_eq!(asset_names(&s, "v1.4.0-rc.2"), SIGNED_ASSETS);
    assert_verifies(&s, "v1.4.0-rc.2");
    let open = pulls(&s);
    assert_eq!(open.len(), 1, "one thread, updated in place: {open:?}");
    let body = open[0].body.clone().unwrap_or_default();
    assert!(body.contains("leak in the batch scheduler"), "{body}");
    assert!(!body.contains("streaming inference"), "{body}");
    let n = thread.number;

    // 4. The vote, on the thread. A comment that is no vote starts no tally.
    let run = comment(&s, n, "ken", "The benchmarks are in the wiki.", 76);
    assert_eq!(run.job("tally").result, "skipped");
    assert!(s.fake.check_runs_on(REPO.0, REPO.1, &rc2).is_empty());
    comment(
        &s,
        n,
        "grace",
        "[VOTE] Release v1.4.0-rc.2\n\nOpen for 72 hours.",
        75,
    );
    comment(
        &s,
        n,
        "ada",
        "+1 checked the signatures and the checksums",
        74,
    );
    comment(&s, n, "ken", "+1 (non-binding)", 60);
    comment(&s, n, "grace", "+1", 50);
    let failed = ("completed".to_string(), Some("failure".to_string()));
    assert_eq!(
        gate_check(&s, &rc2, "release-vote"),
        failed,
        "two binding +1 of three"
    );
    comment(
        &s,
        n,
        "linus",
        "-1 the batch scheduler still leaks on GPU nodes",
        40,
    );
    assert_eq!(gate_check(&s, &rc2, "release-vote"), failed);

    // A veto stops the promotion: nothing tagged, nothing released.
    let promote = [("candidate", "v1.4.0-rc.2"), ("vote", &*n.to_string())];
    let run = s.run_failing(dispatch(&s, PROMOTE, "release/1.4.0", &promote));
    assert_eq!(run.job("vote").result, "failure");
    assert_eq!(run.job("promote").result, "skipped");
    assert!(
        run.job("vote").summary.contains("vetoed by `@linus`"),
        "{}",
        run.job("vote").summary
    );
    assert_eq!(tags(&s), ["v1.3.0", "v1.4.0-rc.1", "v1.4.0-rc.2"]);

    // The veto withdrawn by its author inside the window: three binding +1. A vote after the
    // window closed does not count (and changes nothing).
    comment(&s, n, "linus", "+1 the leak was our test rig", 20);
    let passed = ("completed".to_string(), Some("success".to_string()));
    assert_eq!(gate_check(&s, &rc2, "release-vote"), passed);
    comment(&s, n, "margaret", "-1 too late", 1);
    assert_eq!(
        gate_check(&s, &rc2, "release-vote"),
        passed,
        "a vote after the window"
    );

    // 5. The voted candidate released: the same commit, the same bytes, re-signed sums.
    let run = s.run(dispatch(&s, PROMOTE, "release/1.4.0", &promote));
    assert_eq!(run.job("promote").result, "success");
    assert_eq!(
        s.fake.tag_sha(REPO.0, REPO.1, "v1.4.0").as_deref(),
        Some(rc2.as_str())
    );
    let final_release = release(&s, "v1.4.0");
    assert!(!final_release.prerelease && !final_release.draft && final_release.latest);
    assert_eq!(asset_names(&s, "v1.4.0"), SIGNED_ASSETS);
    for name in ["source.tar.gz", "source.tar.gz.asc", "source.tar.gz.sha512"] {
        assert_eq!(
            asset(&s, "v1.4.0", name),
            asset(&s, "v1.4.0-rc.2", name),
            "{name} rebuilt"
        );
    }
    assert_verifies(&s, "v1.4.0");
    let changelog = file_on(&s, "release/1.4.0", "CHANGELOG.md");
    assert!(changelog.contains("## [1.4.0]"), "{changelog}");
    let open = pulls(&s);
    assert_eq!(open.len(), 1, "{open:?}");
    // Promoting again is refused: one release per version.
    s.run_failing(dispatch(&s, PROMOTE, "release/1.4.0", &promote));
    assert_eq!(s.fake.releases(REPO.0, REPO.1).len(), 3);

    // 6. The merge back: main gets the fix, the changelog and the tags.
    s.merge(n, "merge");
    let contains = |rev: &str| {
        std::process::Command::new("git")
            .args(["merge-base", "--is-ancestor", rev, "main"])
            .current_dir(&s.bare)
            .status()
            .expect("git")
            .success()
    };
    assert!(contains("v1.4.0"));
    assert!(file_on(&s, "main", "CHANGELOG.md").contains("## [1.4.0]"));
    assert!(file_on(&s, "main", "scheduler.py").contains("leak = False"));

    // 7. A hotfix line from the release tag, its release PR, its own candidate.
    let run = s.run(dispatch(&s, HOTFIX, "main", &[("version", "1.4.0")]));
    assert_eq!(run.job("hotfix").result, "success");
    assert_eq!(
        s.fake
            .branch_sha(REPO.0, REPO.1, "release/1.4.x")
            .as_deref(),
        Some(rc2.as_str()),
        "the hotfix line starts at v1.4.0"
    );
    s.pull("release/1.4.x");
    s.dev.commit_file(
        "registry.py",
        "gc = True\ntimeout = 600\n",
        "fix: registry timeout on large models (#21)",
    );
    s.push(&["release/1.4.x"]);
    s.run(s.push_event(CANDIDATE, "release/1.4.x"));
    let release_pr = s.open_pull("release-please--branches--release/1.4.x", "release/1.4.x");
    let release_pr =
        release_pr.unwrap_or_else(|| panic!("the hotfix's release PR: {:?}", pulls(&s)));
    assert!(release_pr.title.contains("1.4.1"), "{}", release_pr.title);
    assert!(!tags(&s).iter().any(|t| t.starts_with("v1.4.1")));
    s.merge(release_pr.number, "squash");
    s.run(s.push_event(CANDIDATE, "release/1.4.x"));
    assert!(
        tags(&s).contains(&"v1.4.1-rc.1".to_string()),
        "{:?}",
        tags(&s)
    );
    let hotfix_rc = release(&s, "v1.4.1-rc.1");
    assert!(hotfix_rc.prerelease && !hotfix_rc.latest);
    assert_eq!(asset_names(&s, "v1.4.1-rc.1"), SIGNED_ASSETS);
    assert_verifies(&s, "v1.4.1-rc.1");
    let hotfix_thread = s
        .open_pull("release/1.4.x", "main")
        .unwrap_or_else(|| panic!("the hotfix line's thread: {:?}", pulls(&s)));

    // Its vote opened ten hours ago: three binding +1 already, but the window is open, so the
    // promotion waits and makes nothing.
    let h = hotfix_thread.number;
    comment(&s, h, "grace", "[VOTE] Release v1.4.1-rc.1", 10);
    for (who, hours) in [("ada", 9), ("grace", 8), ("linus", 7)] {
        comment(&s, h, who, "+1", hours);
    }
    let hotfix_tip = s
        .fake
        .branch_sha(REPO.0, REPO.1, "release/1.4.x")
        .expect("the line");
    let (status, conclusion) = gate_check(&s, &hotfix_tip, "release-vote");
    assert_ne!(
        status, "completed",
        "pending while the window is open: {conclusion:?}"
    );
    let vote = h.to_string();
    let promote = [("candidate", "v1.4.1-rc.1"), ("vote", vote.as_str())];
    let run = s.run_failing(dispatch(&s, PROMOTE, "release/1.4.x", &promote));
    assert_eq!(run.job("promote").result, "skipped");
    assert!(!tags(&s).contains(&"v1.4.1".to_string()));
    assert_eq!(
        s.fake.latest_release(REPO.0, REPO.1).as_deref(),
        Some("v1.4.0")
    );

    s.snapshot()
}

#[test]
fn release_lines_end_to_end() {
    let healthy = healthy();
    assert!(
        healthy["releases"].as_array().is_some_and(|r| r.len() >= 4),
        "{healthy:#}"
    );
}

/// The healthy run's end state, computed once for both tests.
fn healthy() -> &'static Value {
    static HEALTHY: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    HEALTHY.get_or_init(|| process(None))
}

#[test]
fn release_lines_under_faults() {
    let faulted = process(Some(18));
    scenarios::assert_same_state(&faulted, healthy());
}
