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
    run.fails_with(3, "after 9 attempts; try again later");
    let limited: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("retrying in") && (l.contains("(429 ") || l.contains("(403 ")))
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
