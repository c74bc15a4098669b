use crate::*;

const WEEKENDS: &str = r#"[gates.g]
freeze = { windows = ["Fri 16:00/Mon 08:00"], time-zone = "Europe/Paris" }"#;

#[test]
fn a_weekly_window_keeps_its_local_hours_across_the_autumn_dst_change() {
    let f = facts();
    // Friday 23 October 2026 16:00 in Paris is 14:00 UTC (summer time)…
    assert_eq!(
        verdict(WEEKENDS, &f, time("2026-10-23T13:59:00Z")).outcome,
        Outcome::Passed
    );
    let v = verdict(WEEKENDS, &f, time("2026-10-23T14:00:00Z"));
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(
        rule(&v, "freeze").why,
        "frozen until 2026-10-26 08:00 Europe/Paris"
    );
    // …and Monday 26 October 08:00 is 07:00 UTC (winter time, since Sunday).
    assert_eq!(
        verdict(WEEKENDS, &f, time("2026-10-26T06:30:00Z")).outcome,
        Outcome::Failed
    );
    assert_eq!(
        verdict(WEEKENDS, &f, time("2026-10-26T07:00:00Z")).outcome,
        Outcome::Passed
    );
}

#[test]
fn a_dated_window_across_the_spring_dst_change_ends_at_its_local_time() {
    let text = r#"[gates.g]
freeze = { windows = ["2026-03-28T12:00/2026-03-29T12:00"], time-zone = "Europe/Paris" }"#;
    let f = facts();
    assert_eq!(
        verdict(text, &f, time("2026-03-28T10:59:00Z")).outcome,
        Outcome::Passed
    );
    // 12:00 on the 29th is 10:00 UTC: summer time began at 02:00 that night.
    let v = verdict(text, &f, time("2026-03-29T09:59:00Z"));
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(
        rule(&v, "freeze").to_pass.as_deref(),
        Some("freeze ends 2026-03-29 12:00 Europe/Paris")
    );
    assert_eq!(
        verdict(text, &f, time("2026-03-29T10:00:00Z")).outcome,
        Outcome::Passed
    );
}

#[test]
fn a_holiday_joined_to_a_weekly_window_freezes_until_the_later_end() {
    let text = r#"[gates.g]
freeze = { windows = ["Fri 16:00/Mon 08:00"], holidays = ["2026-12-25"], time-zone = "Europe/Paris" }"#;
    // Friday 25 December, 10:00 in Paris: the holiday runs into the weekend.
    let v = verdict(text, &facts(), time("2026-12-25T09:00:00Z"));
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(
        rule(&v, "freeze").why,
        "frozen until 2026-12-28 08:00 Europe/Paris"
    );
    // Thursday 24 December is a working day.
    assert_eq!(
        verdict(text, &facts(), time("2026-12-24T09:00:00Z")).outcome,
        Outcome::Passed
    );
}

const PRODUCTION: &str = r#"[gates.g]
approvals = { min = 2, users = ["ada", "grace", "linus"] }
freeze = { windows = ["2026-12-20T00:00/2026-12-28T08:00"], time-zone = "Europe/Paris", override-label = "freeze-exception" }"#;

#[test]
fn inside_a_freeze_without_the_override_label_the_gate_fails_whatever_the_approvals() {
    let mut f = facts();
    f.reviews = vec![
        review(1, "ada", "APPROVED", HEAD, 1),
        review(2, "grace", "APPROVED", HEAD, 2),
        review(3, "linus", "APPROVED", HEAD, 3),
    ];
    let v = verdict(PRODUCTION, &f, time("2026-12-22T12:00:00Z"));
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(outcome(&v, "approvals"), Outcome::Passed);
    assert_eq!(v.freeze_override, None);
    assert_eq!(
        rule(&v, "freeze").to_pass.as_deref(),
        Some(
            "freeze ends 2026-12-28 08:00 Europe/Paris, or label `freeze-exception` with what it requires"
        )
    );
}

#[test]
fn the_override_label_adds_one_approval_to_the_gate_and_is_recorded() {
    let mut f = facts();
    if let Some(pull) = f.pull.as_mut() {
        pull.labels = vec!["Freeze-Exception".into()];
    }
    f.reviews = vec![
        review(1, "ada", "APPROVED", HEAD, 1),
        review(2, "grace", "APPROVED", HEAD, 2),
    ];
    let now = time("2026-12-22T12:00:00Z");
    let v = verdict(PRODUCTION, &f, now);
    assert_eq!(v.outcome, Outcome::Pending);
    assert_eq!(outcome(&v, "freeze"), Outcome::Pending);
    assert_eq!(
        rule(&v, "freeze.override.approvals").to_pass.as_deref(),
        Some("1 more approval from @ada, @grace, @linus")
    );
    assert_eq!(
        v.freeze_override.as_deref(),
        Some(
            "freeze overridden by label `freeze-exception` (frozen until 2026-12-28 08:00 Europe/Paris)"
        )
    );
    f.reviews.push(review(3, "linus", "APPROVED", HEAD, 3));
    assert_eq!(verdict(PRODUCTION, &f, now).outcome, Outcome::Passed);
    // Outside the window the label changes nothing and is not recorded.
    let after = verdict(PRODUCTION, &f, time("2027-01-04T12:00:00Z"));
    assert_eq!(after.freeze_override, None);
}

#[test]
fn override_requires_replaces_the_default_requirement() {
    let text = r#"[gates.g]
[gates.g.freeze]
windows = ["Fri 16:00/Mon 08:00"]
override-label = "hotfix"
override-requires = { sign-off = { each-of = [["margaret"]] } }"#;
    let mut f = facts();
    if let Some(pull) = f.pull.as_mut() {
        pull.labels = vec!["hotfix".into()];
    }
    // Saturday in UTC (the default zone).
    let saturday = time("2026-06-06T12:00:00Z");
    assert_eq!(verdict(text, &f, saturday).outcome, Outcome::Pending);
    f.reviews = vec![review(1, "margaret", "APPROVED", HEAD, 1)];
    let v = verdict(text, &f, saturday);
    assert_eq!(v.outcome, Outcome::Passed);
    assert_eq!(outcome(&v, "freeze.override.sign-off"), Outcome::Passed);
}
