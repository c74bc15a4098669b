//! Property tests over what gate-check reads from outside: policy files (any text in
//! tidegate.toml's `[gates]`) and audit records (`gate-check --replay` reads any file it is
//! given). Any input gives a verdict or one line saying what is wrong; never a panic.

use crate::example::{ISSUE_POLICY, passing_facts};
use crate::*;
use proptest::prelude::*;
use tidegate_gate::{Record, replay};

/// Policy text built from the rules' keys and values of every shape.
fn policy_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("[gates.x]\n".to_string()),
            Just("[gates.\"a b\"]\n".to_string()),
            Just("approvals = ".to_string()),
            Just("sign-off = ".to_string()),
            Just("checks = ".to_string()),
            Just("blockers = ".to_string()),
            Just("ticket = ".to_string()),
            Just("freeze = ".to_string()),
            Just("votes = ".to_string()),
            Just("after = ".to_string()),
            Just("{ min = ".to_string()),
            Just("{ min = 1 }".to_string()),
            Just("{ each-of = [[\"ada\"], []] }".to_string()),
            Just("{ pattern = \"(\", in = [\"title\"] }".to_string()),
            Just(
                "{ pattern = \"[A-Z]+-[0-9]+\", in = [\"title\", \"body\", \"commits\"] }"
                    .to_string()
            ),
            Just("{ windows = [\"2026-12-20T00:00/2026-12-28T08:00\"], time-zone = ".to_string()),
            Just("\"Europe/Paris\" }".to_string()),
            Just("\"../../etc/passwd\" }".to_string()),
            Just("{ windows = [\"2026-13-40T99:00/x\"] }".to_string()),
            Just("{ holidays = [\"2026-02-30\"] }".to_string()),
            Just("{ voters = [\"ada\"], binding-min = 2, veto = true, window-hours = ".to_string()),
            Just("{ labels = [\"release-blocker\"] }".to_string()),
            Just("users = [\"ada\", \"ada\"]".to_string()),
            Just("teams = [\"acme/\"]".to_string()),
            Just("exclude-author = true".to_string()),
            Just("[\"ci / test\"]".to_string()),
            Just("\"staging\"".to_string()),
            Just("\"x\"".to_string()),
            Just("18446744073709551616".to_string()),
            Just("-1".to_string()),
            Just("0".to_string()),
            Just("}".to_string()),
            Just(", ".to_string()),
            Just("\n".to_string()),
            "\\PC{1,4}",
        ],
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Any policy text is read or refused with one line; a policy that reads evaluates to a
    /// verdict (or one line) for any gate it has, without panic.
    #[test]
    fn any_policy_is_read_or_refused_in_one_line(text in prop_oneof![policy_text(), "\\PC{0,120}"]) {
        match Policy::parse(&text) {
            Ok(policy) => {
                let names: Vec<String> = policy.gate_names().map(str::to_string).collect();
                for name in names {
                    match evaluate(&policy, &name, &passing_facts(), noon()) {
                        Ok(verdict) => {
                            let _ = tidegate_gate::report::markdown(&verdict, true);
                            let _ = tidegate_gate::report::terminal(&verdict);
                        }
                        Err(e) => prop_assert!(!e.to_string().contains('\n'), "{e}"),
                    }
                }
            }
            Err(e) => {
                let message = e.to_string();
                prop_assert!(!message.contains('\n'), "one line: {message:?}");
                prop_assert!(message.contains("fix"), "says what to do: {message}");
            }
        }
    }
}

fn recorded_json() -> String {
    Record::evaluate(
        &policy(ISSUE_POLICY),
        "production",
        passing_facts(),
        time("2026-06-10T12:00:00Z"),
    )
    .expect("evaluates")
    .to_json()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Any file passed to --replay is replayed or refused with one line, never a panic: random
    /// text, and real records with one span of their text replaced by anything.
    #[test]
    fn any_record_is_replayed_or_refused_in_one_line(
        cut in any::<proptest::sample::Index>(),
        len in 0usize..40,
        with in prop_oneof![
            "\\PC{0,10}",
            Just("null".to_string()),
            Just("\"\"".to_string()),
            Just("-1".to_string()),
            Just("99999999999999999999".to_string()),
            Just("\"2026-13-01T00:00:00Z\"".to_string()),
            Just("[]".to_string()),
            Just("{}".to_string()),
        ],
        random in "\\PC{0,80}",
    ) {
        let json = recorded_json();
        let at = cut.index(json.len());
        let at = (0..=at).rev().find(|&i| json.is_char_boundary(i)).unwrap_or(0);
        let end = (at + len).min(json.len());
        let end = (end..=json.len()).find(|&i| json.is_char_boundary(i)).unwrap_or(json.len());
        let edited = format!("{}{with}{}", &json[..at], &json[end..]);
        for text in [edited.as_str(), random.as_str()] {
            match Record::from_json(text) {
                Ok(record) => {
                    if let Err(e) = replay(&record, None) {
                        prop_assert!(!e.to_string().contains('\n'), "{e}");
                    }
                    if let Err(e) = replay(&record, Some(time("2026-12-24T12:00:00Z"))) {
                        prop_assert!(!e.to_string().contains('\n'), "{e}");
                    }
                }
                Err(e) => prop_assert!(!e.to_string().contains('\n'), "{e}"),
            }
        }
    }
}
