use tidegate_gate::{GateError, Policy};

fn error(text: &str) -> String {
    Policy::parse(text).expect_err("refused").to_string()
}

#[test]
fn an_unknown_key_is_named_with_its_gate() {
    let e = error("[gates.production]\napprovals = { min = 1 }\nreviewers = 2");
    assert!(
        e.starts_with("gate `production`: unknown field `reviewers`, expected one of"),
        "{e}"
    );
    assert!(
        e.ends_with("fix [gates.production] in tidegate.toml"),
        "{e}"
    );
    let e = error("[gates.production]\napprovals = { mn = 1 }");
    assert!(
        e.starts_with("gate `production`: approvals: unknown field `mn`"),
        "{e}"
    );
    assert!(!e.contains('\n'), "one line: {e}");
}

#[test]
fn other_top_level_keys_are_left_to_their_owners() {
    let p = Policy::parse("release-type = \"rust\"\n[changelog]\nx = 1\n[gates.a]\nafter = \"b\"")
        .expect("parses");
    assert_eq!(p.gate_names().collect::<Vec<_>>(), ["a"]);
}

#[test]
fn impossible_rules_are_refused_in_one_line() {
    let cases = [
        (
            "[gates.g]\napprovals = { min = 3, users = [\"ada\", \"Ada\", \"bob\"] }",
            "gate `g`: approvals: min = 3 but only 2 people are eligible (users ada, Ada, bob); fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\nvotes = { voters = [\"a\", \"b\"], binding-min = 3 }",
            "gate `g`: votes: binding-min = 3 but only 2 voters are binding; fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\nsign-off = { each-of = [[\"a\"], []] }",
            "gate `g`: sign-off: group 2 of each-of is empty; fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\nfreeze = { windows = [\"2026-12-28T08:00/2026-12-20T00:00\"] }",
            "gate `g`: freeze: window \"2026-12-28T08:00/2026-12-20T00:00\" ends before it starts; fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\nfreeze = { windows = [\"Fri 16:00/Mon 08:00\"], time-zone = \"Europe/Pariss\" }",
            "gate `g`: freeze: time-zone \"Europe/Pariss\" is not in the system time zone database (/usr/share/zoneinfo); use an IANA name such as \"Europe/Paris\"; fix [gates.g] in tidegate.toml",
        ),
        ("[gates.g]\nticket = { pattern = \"(\" }", ""),
        (
            "[gates.g]\napprovals = { permission = \"triage\" }",
            "gate `g`: approvals: unknown variant `triage`, expected one of `write`, `maintain`, `admin`; fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\nchecks = [{ name = \"e2e\", allow = [\"failure\"] }]",
            "gate `g`: checks: allow = \"failure\" is not allowed (only \"skipped\" and \"neutral\"); fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\nfreeze = { holidays = [\"2026-12-32\"] }",
            "gate `g`: freeze: holiday \"2026-12-32\" is not a date such as \"2026-12-25\"; fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\nvotes = { voters = [\"a\"], binding = [\"b\"], binding-min = 1 }",
            "gate `g`: votes: binding voter b is not among the voters; fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\nvotes = { voters = [\"a\", \"b\"], min = 3 }",
            "gate `g`: votes: min = 3 and quorum = 0 cannot exceed the 2 voters; fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\napprovals = { teams = [\"release-managers\"] }",
            "gate `g`: team \"release-managers\" is not written org/slug; fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\nchecks = []",
            "gate `g`: checks lists no check; fix [gates.g] in tidegate.toml",
        ),
        (
            "[gates.g]\nlabels = { any-of = [] }",
            "gate `g`: labels: any-of lists no label; fix [gates.g] in tidegate.toml",
        ),
    ];
    for (text, expected) in cases {
        let e = error(text);
        assert!(!e.contains('\n'), "one line: {e}");
        if expected.is_empty() {
            assert!(
                e.starts_with("gate `g`: ticket: pattern \"(\" is not a regex"),
                "{e}"
            );
        } else {
            assert_eq!(e, expected);
        }
    }
}

#[test]
fn invalid_toml_says_where() {
    let e = error("[gates.g]\napprovals = { min = }\n");
    assert!(
        e.starts_with("tidegate.toml is not valid TOML (line 2): "),
        "{e}"
    );
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn an_unknown_gate_lists_the_gates() {
    let p =
        Policy::parse("[gates.staging]\nafter = \"x\"\n[gates.production]\nafter = \"staging\"")
            .expect("parses");
    let e = p.gate("prod").expect_err("unknown");
    assert_eq!(
        e.to_string(),
        "tidegate.toml has no gate `prod`; its gates: production, staging"
    );
    let none = Policy::parse("").expect("parses");
    assert!(matches!(none.gate("x"), Err(GateError::UnknownGate { .. })));
}

#[test]
fn the_gate_text_keeps_only_that_gate_as_written() {
    let p = Policy::parse(
        "release-type = \"rust\"\n[gates.a]\n# why\nafter = \"b\"  # comment\n[gates.b]\nrelease-notes = true\n",
    )
    .expect("parses");
    assert_eq!(
        p.gate_text("a").expect("known"),
        "[gates.a]\n# why\nafter = \"b\"  # comment\n"
    );
}
