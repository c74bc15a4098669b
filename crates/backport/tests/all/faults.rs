//! Injected faults never leave two backport PRs or two comments; the API cost of a backport.

use crate::{NAME, OWNER, RESULTS, World};
use fake_github::Faults;

#[test]
fn twenty_seeds_at_thirty_percent_faults_never_duplicate() {
    for seed in 0..20 {
        let w = World::new();
        let number = w.merged_pr(
            "fix-count",
            "Fix the widget count",
            &[
                (
                    "app.txt",
                    "one\ntwo\nthree\nfour\n",
                    "fix: count the fourth widget",
                ),
                ("fix.txt", "fixed\n", "fix: note the fix"),
            ],
            "rebase",
        );
        w.fake.set_faults(Faults {
            seed,
            rate: 0.3,
            drop_after_write: 0.3,
            ..Faults::default()
        });
        // A run may give up on a fault; the next one converges.
        let mut done = false;
        for _ in 0..4 {
            let run = w.run(&["--pr", &number.to_string(), "--to", "release/1,release/2"]);
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
            if run.code == 0 {
                done = true;
                break;
            }
        }
        w.fake.set_faults(Faults::default());
        assert!(done, "seed {seed}: no run succeeded");
        for target in ["release/1", "release/2"] {
            assert_eq!(w.backports_to(target).len(), 1, "seed {seed}: {target}");
        }
        assert_eq!(w.comments_with(number, RESULTS).len(), 1, "seed {seed}");
    }
}

#[test]
fn the_api_cost_of_a_backport_is_counted() {
    let w = World::new();
    let number = w.merged_pr(
        "fix-count",
        "Fix the widget count",
        &[
            (
                "app.txt",
                "one\ntwo\nthree\nfour\n",
                "fix: count the fourth widget",
            ),
            ("fix.txt", "fixed\n", "fix: note the fix"),
        ],
        "rebase",
    );
    w.fake.set_labels(OWNER, NAME, number, &["bug"]);
    w.fake.reset_counts();
    w.run(&["--pr", &number.to_string(), "--to", "release/1"])
        .ok();
    let (reads, writes) = (w.fake.read_count(), w.fake.write_count());
    println!("one target, two rebased commits: {reads} reads, {writes} writes");
    w.fake.reset_counts();
    w.run(&["--pr", &number.to_string(), "--to", "release/1"])
        .ok();
    let (again_reads, again_writes) = (w.fake.read_count(), w.fake.write_count());
    println!("re-run: {again_reads} reads, {again_writes} writes");
    // Reads: the PR, its commits, the backport PR looked up, the comments (twice). Writes: two
    // trees, two commits, the branch, the PR, its labels and milestone, the comment.
    assert!(reads <= 6, "{reads} reads");
    assert!(writes <= 8, "{writes} writes");
    assert_eq!(
        again_writes, 0,
        "a re-run finds the backport the comment names and writes nothing"
    );
}
