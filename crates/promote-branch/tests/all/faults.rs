//! A flaky GitHub: 502s, 429s, secondary rate limits and answers lost after the write was applied.
//! Every seeded run must still end with exactly one correct pull request.

use crate::World;
use fake_github::{FakeGitHub, Faults};

#[test]
fn thirty_percent_of_requests_failing_still_leaves_one_correct_pull_request_in_every_seeded_run() {
    let mut retried = 0;
    for seed in 0..20 {
        let world = World::with_fake(FakeGitHub::start());
        world.fake.set_faults(Faults {
            seed,
            rate: 0.3,
            retry_after_secs: 0,
            drop_after_write: 0.2,
            ..Faults::default()
        });
        let first = world.promote(&["--json", "--labels", "promotion"]);
        assert_eq!(first.code, 0, "seed {seed}: {}", first.stderr);
        world.push_commits(&["fix: one more (#9)"]);
        let second = world.promote(&["--json", "--labels", "promotion"]);
        assert_eq!(second.code, 0, "seed {seed}: {}", second.stderr);
        retried +=
            first.stderr.matches("retrying").count() + second.stderr.matches("retrying").count();

        let pulls = world.pulls();
        assert_eq!(pulls.len(), 1, "seed {seed}: {pulls:?}");
        let pull = &pulls[0];
        assert_eq!(pull.state, "open");
        assert_eq!(
            pull.title,
            format!(
                "chore: promote main → stable (3 commits, {})",
                &world.sha("main")[..7]
            )
        );
        let body = pull.body.as_deref().unwrap_or_default();
        assert!(
            body.contains("* one more (#9)")
                && body.matches("<!-- tidegate:promotion:begin -->").count() == 1,
            "seed {seed}: {body}"
        );
        assert_eq!(pull.labels, ["promotion"], "seed {seed}");
        assert!(
            world.fake.contract_violations().is_empty(),
            "{:?}",
            world.fake.contract_violations()
        );
    }
    // The faults really happened (and were retried), or this test proves nothing.
    assert!(retried >= 20, "only {retried} retries in 20 runs");
}

#[test]
fn retry_after_is_honoured_and_retries_are_bounded() {
    let world = World::new();
    world.fake.set_faults(Faults {
        seed: 7,
        rate: 1.0,
        retry_after_secs: 1,
        ..Faults::default()
    });
    // Every request fails: the run gives up after the policy's retries, having waited at least
    // the second GitHub asked for after each 429 and rate-limit 403 (502s carry no retry-after).
    let started = std::time::Instant::now();
    let run = world.promote(&[]);
    run.fails_with(3, "after 9 attempt(s); try again later");
    let limited: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("retrying in") && (l.contains(" 429 ") || l.contains(" 403 ")))
        .collect();
    assert!(!limited.is_empty(), "{}", run.stderr);
    for line in &limited {
        let wait: f64 = line
            .rsplit("retrying in ")
            .next()
            .and_then(|w| w.trim_end_matches(" s").parse().ok())
            .expect("a wait");
        assert!(wait >= 1.0, "{line}");
    }
    let waited = started.elapsed().as_secs_f64();
    assert!(
        waited >= limited.len() as f64,
        "{waited} s for {} waits",
        limited.len()
    );
}

#[test]
fn lost_answers_to_writes_still_end_in_a_dressed_pull_request_and_a_reported_merge() {
    let (mut lost_creates, mut lost_merges) = (0, 0);
    for seed in 0..6 {
        let lossy = Faults {
            seed,
            drop_after_write: 0.5,
            ..Faults::default()
        };
        let world = World::new();
        world
            .fake
            .add_collaborator(crate::OWNER, crate::NAME, "grace");
        world.fake.set_faults(lossy.clone());
        let run = world.promote(&["--json", "--reviewers", "grace", "--labels", "promotion"]);
        assert_eq!(run.code, 0, "seed {seed}: {}", run.stderr);
        lost_creates += usize::from(run.stderr.contains("no answer from GitHub"));
        let pulls = world.pulls();
        assert_eq!(pulls.len(), 1, "seed {seed}");
        assert_eq!(pulls[0].requested_reviewers, ["grace"], "seed {seed}");
        assert_eq!(pulls[0].labels, ["promotion"], "seed {seed}");

        let world = World::new();
        world.fake.set_faults(lossy);
        let run = world.promote(&["--json", "--mode", "merge"]);
        // The merge is the only write: a lost answer here is a lost merge answer.
        lost_merges += usize::from(run.stderr.contains("no answer from GitHub"));
        let merged = run.json();
        assert_eq!(merged["operation"], "merged", "seed {seed}");
        let stable = world.fake.branch_sha(crate::OWNER, crate::NAME, "stable");
        assert_eq!(
            merged["merge-sha"].as_str(),
            stable.as_deref(),
            "seed {seed}"
        );
        assert_ne!(
            stable,
            Some(world.sha("main")),
            "a merge commit, not a fast-forward"
        );
    }
    assert!(
        lost_creates > 0 && lost_merges > 0,
        "{lost_creates} {lost_merges}"
    );
}
