//! Under injected faults (30% of requests answered 502/429/403, 30% of writes applied and their
//! answers lost) each deploy call makes exactly one deployment, starts one run and adds each
//! status once; and the API cost of each operation, counted by the fake.

use fake_github::Faults;

use crate::support::{NAME, OWNER, World};

#[test]
fn twenty_seeds_at_thirty_percent_faults_make_one_deployment_per_call() {
    let mut succeeded = 0;
    for seed in 0..20 {
        let world = World::new();
        let faults = Faults {
            seed,
            rate: 0.3,
            drop_after_write: 0.3,
            ..Faults::default()
        };
        world.fake.set_faults(faults.clone());
        let run = world.run(&[
            "--env",
            "staging",
            "--version",
            "v1.4.0",
            "--workflow",
            "deploy.yml",
        ]);
        world.fake.set_faults(Faults::default());
        let made = world.fake.deployments(OWNER, NAME);
        assert_eq!(made.len(), 1, "seed {seed}: {made:?}\n{}", run.stderr);
        let states: Vec<String> = made[0].statuses.iter().map(|s| s.state.clone()).collect();
        let dispatches = world.fake.dispatches(OWNER, NAME).len();
        if run.code == 0 {
            assert_eq!(dispatches, 1, "seed {seed}: {}", run.stderr);
            assert_eq!(
                states,
                ["queued", "in_progress"],
                "seed {seed}: each status once"
            );
            world.fake.set_faults(faults);
            let status = world.run(&["--env", "staging", "--status", "success"]);
            world.fake.set_faults(Faults::default());
            assert_eq!(status.code, 0, "seed {seed}: {}", status.stderr);
            let made = world.fake.deployments(OWNER, NAME);
            let states: Vec<&str> = made[0].statuses.iter().map(|s| s.state.as_str()).collect();
            assert_eq!(states, ["queued", "in_progress", "success"], "seed {seed}");
            succeeded += 1;
        } else {
            // Every attempt at the dispatch failed (six in a row at 30% happens): a clean
            // failure, the deployment marked so, never a second run.
            assert_eq!(run.code, 1, "seed {seed}: {}", run.stderr);
            assert!(dispatches <= 1, "seed {seed}");
            assert_eq!(
                states.last().map(String::as_str),
                Some("error"),
                "seed {seed}"
            );
            assert_eq!(
                run.stderr
                    .lines()
                    .filter(|l| l.starts_with("error:"))
                    .count(),
                1
            );
        }
    }
    assert!(succeeded >= 18, "{succeeded} of 20 seeds deployed");
}

#[test]
fn api_cost_per_operation() {
    let world = World::new();
    let fake = &world.fake;
    let cost = |what: &str, args: &[&str]| {
        fake.reset_counts();
        let run = world.run(args);
        assert_eq!(run.code, 0, "{what}: {}", run.stderr);
        let (reads, writes) = (fake.read_count(), fake.write_count());
        println!(
            "{what}: {reads} reads, {writes} writes ({:?})",
            fake.request_counts()
        );
        (reads, writes, run)
    };
    let (reads, writes, run) = cost(
        "deploy",
        &[
            "--env",
            "production",
            "--version",
            "v1.3.0",
            "--workflow",
            "deploy.yml",
            "--json",
        ],
    );
    assert!(reads <= 6 && writes == 4, "{reads} {writes}");
    let id = run.json()["deployment_id"].to_string();
    let (reads, writes, _) = cost(
        "status with --deployment-id",
        &[
            "--env",
            "production",
            "--status",
            "success",
            "--deployment-id",
            &id,
        ],
    );
    assert!(reads <= 1 && writes == 1, "{reads} {writes}");
    world
        .run(&[
            "--env",
            "production",
            "--version",
            "v1.4.0",
            "--workflow",
            "deploy.yml",
        ])
        .ok();
    let (reads, writes, _) = cost(
        "status without an id",
        &["--env", "production", "--status", "success"],
    );
    assert!(reads <= 1 && writes == 1, "{reads} {writes}");
    let (reads, writes, _) = cost(
        "rollback",
        &[
            "--env",
            "production",
            "--rollback",
            "--reason",
            "r",
            "--workflow",
            "deploy.yml",
        ],
    );
    assert!(reads <= 7 && writes == 4, "{reads} {writes}");

    // 300 deployments of history: 3 GraphQL requests, not one per deployment.
    fake.add_deployments(
        OWNER,
        NAME,
        "qa",
        "v1.3.0",
        &serde_json::json!({ "version": "v1.3.0", "actor": "hubot" }),
        "success",
        300,
    );
    let (reads, writes, run) = cost(
        "list 300",
        &["--env", "qa", "--list", "--limit", "300", "--json"],
    );
    assert_eq!((reads, writes), (3, 0));
    assert_eq!(fake.request_counts().get("POST /graphql"), Some(&3));
    assert_eq!(
        run.json()["deployments"].as_array().map(Vec::len),
        Some(300)
    );
    let (reads, _, _) = cost("list (30, the default)", &["--env", "qa", "--list"]);
    assert_eq!(reads, 1);
    assert_eq!(fake.contract_violations(), Vec::<String>::new());
}
