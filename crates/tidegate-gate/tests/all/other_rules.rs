use crate::*;
use tidegate_gate::facts::{Blocker, Commit, GateRun};

fn blocker(number: u64, label: &str, milestone: Option<&str>) -> Blocker {
    Blocker {
        number,
        title: format!("Broken <b>thing</b> @ada #{number}"),
        labels: vec![label.into()],
        is_pull: false,
        milestone: milestone.map(str::to_string),
        url: String::new(),
    }
}

#[test]
fn open_blockers_fail_the_gate_and_list_themselves() {
    let text = "[gates.g]\nblockers = { labels = [\"release-blocker\", \"production-impact\"] }";
    let mut f = facts();
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Passed);
    f.blockers = vec![
        blocker(12, "Production-Impact", None),
        blocker(13, "bug", None),
    ];
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
    assert!(rule(&v, "blockers").why.starts_with("1 open: issue #12"));
}

#[test]
fn blockers_in_a_milestone_only_and_never_the_pull_request_itself() {
    let text = "[gates.g]\nblockers = { labels = [\"release-blocker\"], milestone = \"1.2\" }";
    let mut f = facts();
    let mut own = blocker(7, "release-blocker", Some("1.2"));
    own.is_pull = true;
    f.blockers = vec![blocker(12, "release-blocker", Some("1.3")), own];
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Passed);
    f.blockers.push(blocker(14, "release-blocker", Some("1.2")));
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Failed);
}

#[test]
fn a_ticket_is_found_in_the_title_body_or_commits() {
    let text =
        "[gates.g]\nticket = { pattern = \"[A-Z][A-Z0-9]+-[0-9]+\", in = [\"title\", \"body\"] }";
    let mut f = facts();
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(
        rule(&v, "ticket").why,
        "no ticket matching `[A-Z][A-Z0-9]+-[0-9]+` in the title, the body"
    );
    if let Some(pull) = f.pull.as_mut() {
        pull.body = "Change OPS-431 approved".into();
    }
    assert_eq!(
        rule(&verdict(text, &f, noon()), "ticket").why,
        "ticket OPS-431 in the body"
    );
    // A bare ref has no title or body: the rule fails rather than being skipped.
    f.pull = None;
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(
        rule(&v, "ticket").why,
        "no pull request: nothing to read a ticket from"
    );
    f.commits = vec![commit("fix: x\n\nRefs: OPS-9")];
    let v = verdict(
        "[gates.g]\nticket = { pattern = \"OPS-[0-9]+\" }",
        &f,
        noon(),
    );
    assert_eq!(v.outcome, Outcome::Passed);
}

fn commit(message: &str) -> Commit {
    Commit {
        sha: "4444444444444444444444444444444444444444".into(),
        message: message.into(),
        author_login: None,
        author_name: "Ada".into(),
    }
}

#[test]
fn commits_of_other_types_fail_a_fixes_only_range() {
    let text = "[gates.g]\ncommits = { types = [\"fix\", \"docs\"] }";
    let mut f = facts();
    f.commits = vec![commit("fix(api): retry"), commit("docs: typo")];
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Passed);
    f.commits.push(commit("feat: new endpoint"));
    f.commits.push(commit("update stuff"));
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(
        rule(&v, "commits").why,
        "2 commits not of types fix, docs: 4444444 feat: new endpoint; 4444444 update stuff"
    );
}

#[test]
fn release_notes_must_be_known_present() {
    let text = "[gates.g]\nrelease-notes = true";
    let mut f = facts();
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Failed);
    f.notes_present = Some(false);
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Failed);
    f.notes_present = Some(true);
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Passed);
}

fn gate_run(sha: &str, tree: &str, conclusion: &str) -> GateRun {
    GateRun {
        gate: "staging".into(),
        sha: sha.into(),
        tree: tree.into(),
        conclusion: Some(conclusion.into()),
        completed_at: None,
    }
}

#[test]
fn after_accepts_the_other_gate_on_the_head_or_a_commit_with_the_same_tree() {
    let text = "[gates.g]\nafter = \"staging\"";
    let mut f = facts();
    f.gate_runs = vec![gate_run(
        OLD,
        "9999999999999999999999999999999999999999",
        "success",
    )];
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Pending);
    f.gate_runs.push(gate_run(HEAD, HEAD_TREE, "failure"));
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Pending);
    f.gate_runs.push(gate_run(OLD, HEAD_TREE, "success"));
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Passed);
    assert_eq!(
        rule(&v, "after").why,
        "gate staging passed on 2222222, which has the head's tree"
    );
}

#[test]
fn any_all_and_not_combine_as_documented() {
    let text = r#"[gates.g]
any = [{ release-notes = true }, { after = "staging" }, { all = [{ commits = { types = ["fix"] } }] }]
not = { blockers = { labels = ["wip"] } }"#;
    let mut f = facts();
    f.notes_present = Some(false);
    // Notes failed, after pending, commits (none) passed: any passes; no wip blocker: not fails.
    let v = verdict(text, &f, noon());
    assert_eq!(outcome(&v, "any"), Outcome::Passed);
    assert_eq!(outcome(&v, "any[0].release-notes"), Outcome::Failed);
    assert_eq!(outcome(&v, "any[2].all[0].commits"), Outcome::Passed);
    assert_eq!(outcome(&v, "not"), Outcome::Failed);
    assert_eq!(v.outcome, Outcome::Failed);
    f.blockers = vec![blocker(3, "wip", None)];
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Passed);
    // Pending stays pending under any (nothing passed) and under not.
    f.commits = vec![commit("feat: x")];
    let v = verdict(text, &f, noon());
    assert_eq!(outcome(&v, "any"), Outcome::Pending);
    let v = verdict("[gates.g]\nnot = { after = \"staging\" }", &f, noon());
    assert_eq!(v.outcome, Outcome::Pending);
}

#[test]
fn a_gate_with_no_rule_or_only_skipped_rules_fails() {
    for text in ["[gates.g]", "[gates.g]\nrelease-notes = false"] {
        let v = verdict(text, &facts(), noon());
        assert_eq!(v.outcome, Outcome::Failed, "{text}");
        assert_eq!(
            rule(&v, "gate").why,
            "no rule applied: a gate passes only when one of its rules passes"
        );
    }
}

#[test]
fn a_commit_is_judged_by_its_headers_type_not_its_bodys_lines() {
    let mut facts = facts();
    facts.commits = vec![Commit {
        sha: "a".repeat(40),
        message: "deps: bump release-please 17.11.1 (#6334)\n\nbump to include a security fix:\nhttps://github.com/googleapis/release-please/releases/tag/v17.11.1\n".into(),
        author_login: None,
        author_name: "Ada".into(),
    }];
    let verdict = verdict(
        "[gates.g]\ncommits = { types = [\"deps\"] }\n",
        &facts,
        noon(),
    );
    assert_eq!(verdict.outcome, Outcome::Passed, "{verdict:?}");
}

#[test]
fn a_pull_request_without_one_of_the_labels_fails_and_a_bare_ref_fails_unread() {
    let text = "[gates.g]\nlabels = { any-of = [\"type: feature\", \"type: fix\"] }";
    let mut f = facts();
    if let Some(pull) = f.pull.as_mut() {
        pull.labels = vec!["needs-docs".into()];
    }
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(
        rule(&v, "labels").why,
        "no label of type: feature, type: fix"
    );
    if let Some(pull) = f.pull.as_mut() {
        pull.labels.push("Type: Fix".into());
    }
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Passed);
    assert_eq!(rule(&v, "labels").why, "labelled Type: Fix");
    // `not` turns it into a label that must be absent (do-not-merge).
    let forbid = "[gates.g]\nnot = { labels = { any-of = [\"do-not-merge\"] } }";
    assert_eq!(verdict(forbid, &f, noon()).outcome, Outcome::Passed);
    f.pull = None;
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(
        rule(&v, "labels").why,
        "no pull request, so no label of type: feature, type: fix can be read"
    );
}
