use crate::*;
use tidegate_gate::facts::{Check, Status};

fn run(id: u64, name: &str, app: &str, conclusion: Option<&str>) -> Check {
    Check {
        id,
        name: name.into(),
        app: Some(app.into()),
        status: if conclusion.is_some() {
            "completed"
        } else {
            "in_progress"
        }
        .into(),
        conclusion: conclusion.map(str::to_string),
        url: None,
        completed_at: None,
    }
}

fn status(context: &str, state: &str, minute: u32) -> Status {
    Status {
        context: context.into(),
        state: state.into(),
        url: None,
        created_at: format!("2026-06-01T10:{minute:02}:00Z"),
    }
}

const CI: &str = "[gates.g]\nchecks = [\"ci / test\", \"e2e\"]";

#[test]
fn check_runs_and_statuses_both_count() {
    let mut f = facts();
    f.checks = vec![run(1, "ci / test", "github-actions", Some("success"))];
    f.statuses = vec![status("e2e", "success", 1)];
    assert_eq!(verdict(CI, &f, noon()).outcome, Outcome::Passed);
}

#[test]
fn ci_reporting_only_statuses_uses_the_latest_per_context() {
    let mut f = facts();
    f.statuses = vec![
        status("ci / test", "failure", 1),
        status("ci / test", "success", 2),
        status("e2e", "success", 3),
        status("e2e", "pending", 4),
    ];
    let v = verdict(CI, &f, noon());
    assert_eq!(v.outcome, Outcome::Pending);
    assert!(rule(&v, "checks").why.contains("status `e2e` pending"));
}

#[test]
fn a_required_check_not_yet_reported_is_pending_never_passed() {
    let mut f = facts();
    f.checks = vec![run(1, "ci / test", "github-actions", Some("success"))];
    let v = verdict(CI, &f, noon());
    assert_eq!(v.outcome, Outcome::Pending);
    assert_eq!(
        rule(&v, "checks").to_pass.as_deref(),
        Some("check `e2e` pending (not reported)")
    );
}

#[test]
fn the_same_name_from_two_apps_must_pass_for_both_unless_pinned() {
    let mut f = facts();
    f.checks = vec![
        run(1, "e2e", "circleci", Some("failure")),
        run(2, "e2e", "github-actions", Some("success")),
        run(3, "ci / test", "github-actions", Some("success")),
    ];
    let v = verdict(CI, &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
    assert!(
        rule(&v, "checks")
            .why
            .contains("check run `e2e` (circleci) failure")
    );
    let pinned = verdict(
        "[gates.g]\nchecks = [{ name = \"e2e\", app = \"github-actions\" }]",
        &f,
        noon(),
    );
    assert_eq!(pinned.outcome, Outcome::Passed);
}

#[test]
fn a_name_reported_as_check_run_and_status_must_pass_as_both() {
    let mut f = facts();
    f.checks = vec![run(1, "e2e", "github-actions", Some("success"))];
    f.statuses = vec![status("e2e", "error", 1)];
    let v = verdict("[gates.g]\nchecks = [\"e2e\"]", &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
}

#[test]
fn the_newest_run_per_name_and_app_counts() {
    let mut f = facts();
    // Listed out of order: the re-run (id 5) passed after the failure (id 4).
    f.checks = vec![
        run(5, "e2e", "github-actions", Some("success")),
        run(4, "e2e", "github-actions", Some("failure")),
    ];
    assert_eq!(
        verdict("[gates.g]\nchecks = [\"e2e\"]", &f, noon()).outcome,
        Outcome::Passed
    );
    f.checks.push(run(6, "e2e", "github-actions", None));
    assert_eq!(
        verdict("[gates.g]\nchecks = [\"e2e\"]", &f, noon()).outcome,
        Outcome::Pending
    );
}

#[test]
fn failing_conclusions_fail_and_skipped_passes_only_when_allowed() {
    for conclusion in ["failure", "cancelled", "timed_out", "action_required"] {
        let mut f = facts();
        f.checks = vec![run(1, "e2e", "a", Some(conclusion))];
        assert_eq!(
            verdict("[gates.g]\nchecks = [\"e2e\"]", &f, noon()).outcome,
            Outcome::Failed,
            "{conclusion}"
        );
    }
    let mut f = facts();
    f.checks = vec![run(1, "e2e", "a", Some("skipped"))];
    assert_eq!(
        verdict("[gates.g]\nchecks = [\"e2e\"]", &f, noon()).outcome,
        Outcome::Failed
    );
    assert_eq!(
        verdict(
            "[gates.g]\nchecks = [{ name = \"e2e\", allow = [\"skipped\"] }]",
            &f,
            noon()
        )
        .outcome,
        Outcome::Passed
    );
}

#[test]
fn a_pattern_needs_every_matching_check_to_pass_and_at_least_one() {
    let text = "[gates.g]\nchecks = [\"test (*)\"]";
    let mut f = facts();
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Pending);
    f.checks = vec![
        run(1, "test (linux)", "a", Some("success")),
        run(2, "test (macos)", "a", Some("success")),
        run(3, "lint", "a", Some("failure")),
    ];
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Passed);
    f.checks
        .push(run(4, "test (windows)", "a", Some("timed_out")));
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Failed);
}

#[test]
fn two_hundred_check_runs_are_read_correctly() {
    let mut f = facts();
    for i in 0..200u64 {
        // Two runs per name: the older failed, the newer passed, except for `job 199`.
        let name = format!("job {}", i / 2);
        let conclusion = if i % 2 == 0 || i == 199 {
            "failure"
        } else {
            "success"
        };
        f.checks.push(run(i, &name, "a", Some(conclusion)));
    }
    let v = verdict("[gates.g]\nchecks = [\"job *\"]", &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
    let why = &rule(&v, "checks").why;
    assert_eq!(why.matches("failure").count(), 1, "{why}");
    assert!(why.contains("`job 99` (a) failure"));
    f.checks.retain(|c| c.id != 199);
    assert_eq!(
        verdict("[gates.g]\nchecks = [\"job *\"]", &f, noon()).outcome,
        Outcome::Failed,
        "the older failure of job 99 is now its newest run"
    );
}
