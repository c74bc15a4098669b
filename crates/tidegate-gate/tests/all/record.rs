use crate::example::{ISSUE_POLICY, passing_facts};
use crate::*;
use tidegate_gate::{GateError, Record, replay};

fn recorded() -> Record {
    Record::evaluate(
        &policy(ISSUE_POLICY),
        "production",
        passing_facts(),
        time("2026-06-10T12:00:00Z"),
    )
    .expect("evaluates")
}

#[test]
fn a_record_replayed_from_its_json_agrees() {
    let record = recorded();
    let json = record.to_json();
    let read = Record::from_json(&json).expect("reads");
    assert_eq!(read, record);
    let verdict = replay(&read, None).expect("agrees");
    assert_eq!(verdict, record.verdict);
    assert_eq!(verdict.outcome, Outcome::Passed);
    assert!(
        !read.policy_text.contains("staging]"),
        "only the gate evaluated"
    );
    assert_eq!(read.policy_sha256.len(), 64);
}

#[test]
fn replay_at_another_time_evaluates_the_freeze_then() {
    let v = replay(&recorded(), Some(time("2026-12-24T12:00:00Z"))).expect("evaluates");
    assert_eq!(v.outcome, Outcome::Failed);
}

#[test]
fn a_tampered_record_is_refused() {
    // The policy text changed: its hash no longer matches.
    let mut record = recorded();
    record.policy_text = record.policy_text.replace("min = 2", "min = 1");
    let e = replay(&record, None).expect_err("refused");
    assert!(
        e.to_string()
            .starts_with("the record is malformed: the policy's SHA-256 is"),
        "{e}"
    );
    // The facts changed: the verdict no longer agrees.
    let mut record = recorded();
    record.facts.reviews.pop();
    let e = replay(&record, None).expect_err("refused");
    assert!(matches!(e, GateError::ReplayDiffers { .. }), "{e}");
    assert!(!e.to_string().contains('\n'));
    // The verdict changed.
    let mut record = recorded();
    record.verdict.rules[0].why = "3 of 2 approvals".into();
    assert!(replay(&record, None).is_err());
}

#[test]
fn malformed_records_are_refused_in_one_line() {
    for (text, start) in [
        ("not json", "the record is malformed: expected ident"),
        (
            "{\"format\": 2}",
            "the record is malformed: format 2 is not known",
        ),
        ("{}", "the record is malformed: it has no format field"),
        ("{\"format\": 1}", "the record is malformed: missing field"),
    ] {
        let e = Record::from_json(text).expect_err("refused").to_string();
        assert!(e.starts_with(start), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }
}
