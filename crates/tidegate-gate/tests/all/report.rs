use crate::example::{ISSUE_POLICY, passing_facts};
use crate::*;
use tidegate_gate::facts::Blocker;
use tidegate_gate::report::{markdown, terminal};

#[test]
fn the_report_escapes_text_from_github_and_explains_what_is_missing() {
    let mut f = passing_facts();
    f.blockers = vec![Blocker {
        number: 12,
        title: "closes #3 <img src=x> @ada | [x](y)".into(),
        labels: vec!["release-blocker".into()],
        is_pull: false,
        milestone: None,
        url: String::new(),
    }];
    f.reviews.push(review(9, "octo", "APPROVED", HEAD, 9));
    f.statuses.clear();
    let v = evaluate(
        &policy(ISSUE_POLICY),
        "production",
        &f,
        time("2026-06-10T12:00:00Z"),
    )
    .expect("evaluates");
    let md = markdown(&v, true);
    assert!(
        md.starts_with("### Gate production: ❌ failed\n\n| Rule | Result | Why |"),
        "{md}"
    );
    assert!(
        md.contains("refs #3 &lt;img src=x&gt; `@ada` \\| \\[x\\](y)"),
        "{md}"
    );
    assert!(!md.contains("<img"));
    assert!(
        md.contains("**Approvals ignored**\n\n- `@octo` (approvals): author of the pull request"),
        "{md}"
    );
    assert!(
        md.contains("- checks: check `e2e` pending (not reported)"),
        "{md}"
    );
    assert!(!markdown(&v, false).contains("**To pass**"));
}

#[test]
fn the_terminal_report_keeps_each_entry_on_lines_of_its_own() {
    let mut f = passing_facts();
    f.blockers = vec![Blocker {
        number: 12,
        title: "x\n::set-output name=a::b".into(),
        labels: vec!["release-blocker".into()],
        is_pull: false,
        milestone: None,
        url: String::new(),
    }];
    let v = evaluate(
        &policy(ISSUE_POLICY),
        "production",
        &f,
        time("2026-06-10T12:00:00Z"),
    )
    .expect("evaluates");
    let text = terminal(&v);
    assert!(text.starts_with("gate production: failed\n"), "{text}");
    assert!(text.lines().all(|l| !l.starts_with("::")), "{text}");
    assert!(
        text.contains("  failed   blockers: 1 open: issue #12 x ::set-output"),
        "{text}"
    );
}
