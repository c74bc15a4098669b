//! What `gate-check` reads and writes, against the fake GitHub: whole lists at GitHub's page
//! sizes, the facts each rule needs (commits of reviews, bots, apps, milestones), a team the
//! token cannot read, and one check run per gate even when an answer is lost.

use fake_github::{DEFAULT_APP, FakeGitHub, Faults};
use tidegate_github::gates::{CHECK_RUN_MARK, TeamRead, latest_per_name_and_app};

use crate::with_client;

const OWNER: &str = "acme";
const REPO: &str = "widgets";

/// A fake with `acme/widgets` and PR #1 from `feature` into `main` by `octo`.
struct Fx {
    fake: FakeGitHub,
    head: String,
    base: String,
}

impl Fx {
    fn new() -> Fx {
        let fake = FakeGitHub::start();
        fake.create_repo(OWNER, REPO);
        let base = fake.commit_file(OWNER, REPO, "main", "README.md", "w\n", "chore: start");
        fake.create_branch(OWNER, REPO, "feature", &base);
        let head = fake.commit_file(OWNER, REPO, "feature", "a.txt", "a\n", "feat: a");
        fake.set_actor("octo");
        let number = fake.open_pull(OWNER, REPO, "feature", "main", "feat: a", "");
        assert_eq!(number, 1);
        fake.set_actor(fake_github::DEFAULT_ACTOR);
        Fx { fake, head, base }
    }

    fn run<T>(&self, body: impl AsyncFnOnce(&tidegate_github::GitHub) -> T) -> T {
        with_client(&self.fake.api_url(), &self.fake.token(), body)
    }

    fn count(&self, operation: &str) -> usize {
        self.fake
            .request_counts()
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    fn assert_no_violations(&self) {
        assert_eq!(self.fake.contract_violations(), Vec::<String>::new());
    }
}

#[test]
fn pull_info_reads_the_author_refs_labels_and_milestone() {
    let fx = Fx::new();
    fx.fake
        .set_labels(OWNER, REPO, 1, &["release", "freeze-exception"]);
    fx.fake.set_milestone(OWNER, REPO, 1, Some("v2.0"));
    fx.fake
        .set_pull_body(OWNER, REPO, 1, "Fixes OPS-12 before the release");
    fx.fake
        .set_created_at(OWNER, REPO, 1, "2026-12-01T09:30:00Z");
    let pull = fx.run(async |gh| gh.pull_info(1).await).expect("pull");
    assert_eq!(pull.number, 1);
    assert_eq!(pull.title, "feat: a");
    assert_eq!(pull.body, "Fixes OPS-12 before the release");
    assert_eq!((pull.author.as_str(), pull.author_is_bot), ("octo", false));
    assert_eq!(
        (pull.head_sha.as_str(), pull.head_ref.as_str()),
        (fx.head.as_str(), "feature")
    );
    assert_eq!(
        (pull.base_sha.as_str(), pull.base_ref.as_str()),
        (fx.base.as_str(), "main")
    );
    assert_eq!(pull.labels, ["release", "freeze-exception"]);
    assert_eq!(pull.milestone.as_deref(), Some("v2.0"));
    assert_eq!(pull.created_at, "2026-12-01T09:30:00Z");
    assert!(
        pull.html_url.ends_with("/acme/widgets/pull/1"),
        "{}",
        pull.html_url
    );
    assert_eq!((pull.state.as_str(), pull.merged), ("open", false));
    assert_eq!(fx.fake.total_requests(), 1);

    fx.fake.merge_pull(OWNER, REPO, 1, "merge");
    let merged = fx.run(async |gh| gh.pull_info(1).await).expect("pull");
    assert_eq!((merged.state.as_str(), merged.merged), ("closed", true));
    fx.assert_no_violations();
}

#[test]
fn a_bot_author_is_known_as_one() {
    let fx = Fx::new();
    fx.fake.create_branch(OWNER, REPO, "deps", &fx.base);
    fx.fake
        .commit_file(OWNER, REPO, "deps", "lock", "1\n", "chore: bump");
    fx.fake.set_actor("dependabot[bot]");
    let number = fx.fake.open_pull(OWNER, REPO, "deps", "main", "bump", "");
    let pull = fx.run(async |gh| gh.pull_info(number).await).expect("pull");
    assert_eq!(
        (pull.author.as_str(), pull.author_is_bot),
        ("dependabot[bot]", true)
    );
    assert_eq!(pull.milestone, None);
    assert_eq!(pull.body, "");
}

#[test]
fn three_hundred_reviews_come_whole_with_their_commits_states_and_bots() {
    let fx = Fx::new();
    for i in 0..300 {
        let time = format!("2026-12-01T{:02}:{:02}:00Z", i / 60, i % 60);
        fx.fake.add_review_at(
            OWNER,
            REPO,
            1,
            &format!("user{i}"),
            "COMMENTED",
            &fx.head,
            &time,
        );
    }
    let stale = fx.fake.add_review_at(
        OWNER,
        REPO,
        1,
        "ada",
        "APPROVED",
        &fx.base,
        "2026-12-02T08:00:00Z",
    );
    let dismissed = fx.fake.add_review_at(
        OWNER,
        REPO,
        1,
        "grace",
        "APPROVED",
        &fx.head,
        "2026-12-02T09:00:00Z",
    );
    fx.fake.dismiss_review(OWNER, REPO, dismissed);
    fx.fake
        .add_review(OWNER, REPO, 1, "renovate[bot]", "APPROVED", "lgtm");

    let reviews = fx.run(async |gh| gh.reviews(1).await).expect("reviews");
    assert_eq!(reviews.len(), 303);
    assert_eq!(
        fx.count("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
        4
    );
    let ids: std::collections::HashSet<u64> = reviews.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 303, "each review once");
    assert_eq!(
        reviews[0].submitted_at.as_deref(),
        Some("2026-12-01T00:00:00Z")
    );
    let ada = reviews
        .iter()
        .find(|r| r.id == stale)
        .expect("ada's review");
    assert_eq!((ada.user.as_str(), ada.state.as_str()), ("ada", "APPROVED"));
    assert_eq!(ada.commit_id, fx.base, "given on an older commit");
    let grace = reviews
        .iter()
        .find(|r| r.id == dismissed)
        .expect("grace's review");
    assert_eq!(grace.state, "DISMISSED");
    let bot = reviews.last().expect("the bot's review");
    assert_eq!(
        (bot.user.as_str(), bot.user_is_bot),
        ("renovate[bot]", true)
    );
    assert_eq!(bot.commit_id, fx.head);
    assert!(!ada.user_is_bot);
    fx.assert_no_violations();
}

#[test]
fn permissions_tell_maintain_and_triage_apart_and_a_non_user_has_none() {
    let fx = Fx::new();
    for role in ["admin", "maintain", "write", "triage", "read"] {
        fx.fake
            .add_collaborator_with_role(OWNER, REPO, &format!("{role}-person"), role);
    }
    let roles = fx.run(async |gh| {
        let mut out = Vec::new();
        for who in [
            "admin-person",
            "maintain-person",
            "write-person",
            "triage-person",
            "read-person",
            "acme",
            "renovate[bot]",
        ] {
            out.push(gh.permission(who).await.expect("permission"));
        }
        out
    });
    assert_eq!(
        roles,
        [
            "admin", "maintain", "write", "triage", "read", "admin", "none"
        ]
    );
}

/// The reason of an unreadable team (a team read as empty would fail here).
fn unreadable(read: TeamRead) -> String {
    match read {
        TeamRead::Unreadable(why) => why,
        TeamRead::Members(members) => format!("read as members: {members:?}"),
    }
}

#[test]
fn team_members_are_read_or_the_team_is_unreadable_with_the_reason() {
    let fx = Fx::new();
    fx.fake
        .add_team("acme", "release-managers", &["ada", "linus"]);
    let read = fx.run(async |gh| gh.team_members("acme", "release-managers").await);
    assert_eq!(
        read.expect("team"),
        TeamRead::Members(vec!["ada".to_string(), "linus".to_string()])
    );

    let missing = fx.run(async |gh| gh.team_members("acme", "nobody").await);
    let why = unreadable(missing.expect("an answer"));
    assert!(
        why.contains("@acme/nobody") && why.contains("members: read"),
        "{why}"
    );

    fx.fake.forbid_team_reads(true);
    let forbidden = fx.run(async |gh| gh.team_members("acme", "release-managers").await);
    let why = unreadable(forbidden.expect("an answer"));
    assert!(
        why.contains("403") && why.contains("members: read"),
        "{why}"
    );
    assert!(!why.contains('\n'));
    assert!(!why.contains(&fx.fake.token()));
    fx.assert_no_violations();
}

#[test]
fn two_hundred_check_runs_come_whole_and_two_apps_keep_their_own() {
    let fx = Fx::new();
    for i in 0..200 {
        fx.fake.add_check_run(
            OWNER,
            REPO,
            &fx.head,
            &format!("job {i}"),
            "completed",
            Some("success"),
        );
    }
    // An older and a newer run of `ci / test` by Actions, and one by another app.
    fx.fake.add_check_run(
        OWNER,
        REPO,
        &fx.head,
        "ci / test",
        "completed",
        Some("failure"),
    );
    let rerun = fx
        .fake
        .add_check_run(OWNER, REPO, &fx.head, "ci / test", "in_progress", None);
    let other = fx.fake.add_check_run_of_app(
        OWNER,
        REPO,
        &fx.head,
        "ci / test",
        "circleci-checks",
        "completed",
        Some("success"),
    );
    let runs = fx
        .run(async |gh| gh.check_runs(&fx.head).await)
        .expect("runs");
    assert_eq!(runs.len(), 203, "every run, older ones too");
    assert_eq!(
        fx.count("GET /repos/{owner}/{repo}/commits/{ref}/check-runs"),
        3
    );
    assert_eq!(runs[0].id, other, "newest first");

    let latest = latest_per_name_and_app(&runs);
    assert_eq!(latest.len(), 202);
    let ci: Vec<_> = latest.iter().filter(|r| r.name == "ci / test").collect();
    assert_eq!(ci.len(), 2);
    let actions = ci
        .iter()
        .find(|r| r.app_slug == DEFAULT_APP)
        .expect("actions");
    assert_eq!(
        (actions.id, actions.status.as_str()),
        (rerun, "in_progress")
    );
    assert_eq!(actions.conclusion, None);
    let circle = ci
        .iter()
        .find(|r| r.app_slug == "circleci-checks")
        .expect("circle");
    assert_eq!(circle.conclusion.as_deref(), Some("success"));
    assert!(circle.completed_at.is_some() && circle.html_url.is_some());
    fx.assert_no_violations();
}

#[test]
fn statuses_are_the_latest_of_each_context_across_pages() {
    let fx = Fx::new();
    fx.fake.add_status(OWNER, REPO, &fx.head, "e2e", "pending");
    for i in 0..149 {
        fx.fake
            .add_status(OWNER, REPO, &fx.head, &format!("lint {i}"), "success");
    }
    fx.fake.add_status(OWNER, REPO, &fx.head, "e2e", "success");
    fx.fake.add_status(OWNER, REPO, &fx.base, "e2e", "failure");
    let statuses = fx
        .run(async |gh| gh.statuses(&fx.head).await)
        .expect("statuses");
    assert_eq!(statuses.len(), 150);
    assert_eq!(
        fx.count("GET /repos/{owner}/{repo}/commits/{ref}/status"),
        2
    );
    let e2e: Vec<_> = statuses.iter().filter(|s| s.context == "e2e").collect();
    assert_eq!(e2e.len(), 1);
    assert_eq!(e2e[0].state, "success");
    assert!(!e2e[0].created_at.is_empty());
    fx.assert_no_violations();
}

#[test]
fn open_issues_of_two_labels_come_once_each_and_can_be_held_to_a_milestone() {
    let fx = Fx::new();
    let both = fx.fake.add_issue(
        OWNER,
        REPO,
        "db down",
        &["release-blocker", "production-impact"],
    );
    let blocker = fx
        .fake
        .add_issue(OWNER, REPO, "crash", &["release-blocker"]);
    let impact = fx
        .fake
        .add_issue(OWNER, REPO, "slow", &["production-impact"]);
    let closed = fx.fake.add_issue(OWNER, REPO, "old", &["release-blocker"]);
    fx.fake.close_pull(OWNER, REPO, closed);
    fx.fake.add_issue(OWNER, REPO, "idea", &["enhancement"]);
    fx.fake.set_labels(OWNER, REPO, 1, &["production-impact"]);
    fx.fake.set_milestone(OWNER, REPO, blocker, Some("v2.0"));
    fx.fake.set_milestone(OWNER, REPO, 1, Some("v2.0"));
    fx.fake.set_milestone(OWNER, REPO, impact, Some("v3.0"));

    let labels = [
        "release-blocker".to_string(),
        "production-impact".to_string(),
    ];
    let all = fx
        .run(async |gh| gh.open_issues_with_labels(&labels, None).await)
        .expect("issues");
    let numbers: Vec<u64> = all.iter().map(|i| i.number).collect();
    assert_eq!(numbers, [1, both, blocker, impact]);
    assert!(all[0].is_pull && !all[1].is_pull);
    assert_eq!(all[1].labels, ["release-blocker", "production-impact"]);
    assert_eq!(
        fx.count("GET /repos/{owner}/{repo}/issues"),
        2,
        "one list per label"
    );

    let in_milestone = fx
        .run(async |gh| gh.open_issues_with_labels(&labels, Some("v2.0")).await)
        .expect("issues");
    let numbers: Vec<u64> = in_milestone.iter().map(|i| i.number).collect();
    assert_eq!(numbers, [1, blocker]);
    assert_eq!(in_milestone[1].milestone.as_deref(), Some("v2.0"));
    assert!(
        in_milestone[1]
            .html_url
            .ends_with(&format!("/issues/{blocker}"))
    );
    fx.assert_no_violations();
}

#[test]
fn comments_come_whole_with_their_authors_and_times() {
    let fx = Fx::new();
    for i in 0..120 {
        let time = format!("2026-12-0{}T10:{:02}:00Z", 1 + i / 60, i % 60);
        fx.fake
            .add_comment_at(OWNER, REPO, 1, &format!("voter{i}"), "+1", &time);
    }
    fx.fake.add_comment_at(
        OWNER,
        REPO,
        1,
        "ada",
        "-1 the migration is unsafe",
        "2026-12-03T08:00:00Z",
    );
    let comments = fx
        .run(async |gh| gh.issue_comments(1).await)
        .expect("comments");
    assert_eq!(comments.len(), 121);
    assert_eq!(comments[0].user, "voter0");
    assert_eq!(comments[0].created_at, "2026-12-01T10:00:00Z");
    let last = comments.last().expect("ada's comment");
    assert_eq!(
        (
            last.user.as_str(),
            last.body.as_str(),
            last.created_at.as_str()
        ),
        ("ada", "-1 the migration is unsafe", "2026-12-03T08:00:00Z")
    );
    assert_eq!(last.updated_at, last.created_at);
    fx.assert_no_violations();
}

fn our_runs(fx: &Fx, name: &str) -> Vec<tidegate_github::gates::CheckInfo> {
    fx.run(async |gh| gh.check_runs(&fx.head).await)
        .expect("runs")
        .into_iter()
        .filter(|r| r.name == name && r.app_slug == DEFAULT_APP)
        .collect()
}

#[test]
fn a_gate_check_run_is_created_then_updated_in_place() {
    let fx = Fx::new();
    const NAME: &str = "tidegate/gate: production";
    // Another app's run of the same name is not ours to touch.
    let foreign = fx.fake.add_check_run_of_app(
        OWNER,
        REPO,
        &fx.head,
        NAME,
        "someone-else",
        "completed",
        Some("failure"),
    );
    let pending = fx
        .run(async |gh| {
            gh.post_check_run(NAME, &fx.head, None, "Waiting", "1 more approval", "")
                .await
        })
        .expect("created");
    assert_eq!(
        (pending.status.as_str(), pending.conclusion.as_deref()),
        ("in_progress", None)
    );
    assert_eq!(pending.external_id.as_deref(), Some(CHECK_RUN_MARK));

    let long = "x".repeat(70_000);
    let passed = fx
        .run(async |gh| {
            gh.post_check_run(
                NAME,
                &fx.head,
                Some("success"),
                "Passed",
                "all rules passed",
                &long,
            )
            .await
        })
        .expect("updated");
    assert_eq!(passed.id, pending.id, "the same run");
    assert_eq!(passed.conclusion.as_deref(), Some("success"));
    assert_eq!(fx.count("POST /repos/{owner}/{repo}/check-runs"), 1);
    assert_eq!(
        fx.count("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"),
        1
    );

    let failed = fx
        .run(async |gh| {
            gh.post_check_run(NAME, &fx.head, Some("failure"), "Failed", "a blocker", "")
                .await
        })
        .expect("updated");
    assert_eq!(
        (failed.id, failed.conclusion.as_deref()),
        (pending.id, Some("failure"))
    );
    assert_eq!(our_runs(&fx, NAME).len(), 1);

    // A completed run cannot go back to in progress: a pending verdict gets a new run, newest.
    let again = fx
        .run(async |gh| {
            gh.post_check_run(NAME, &fx.head, None, "Waiting", "", "")
                .await
        })
        .expect("created");
    assert_ne!(again.id, pending.id);
    let ours = our_runs(&fx, NAME);
    assert_eq!(ours.len(), 2);
    assert_eq!(
        (ours[0].id, ours[0].status.as_str()),
        (again.id, "in_progress")
    );

    let runs = fx
        .run(async |gh| gh.check_runs(&fx.head).await)
        .expect("runs");
    let theirs = runs
        .iter()
        .find(|r| r.id == foreign)
        .expect("the other app's run");
    assert_eq!(theirs.conclusion.as_deref(), Some("failure"), "left alone");
    fx.assert_no_violations();
}

#[test]
fn a_lost_answer_to_the_create_leaves_one_run() {
    let fx = Fx::new();
    const NAME: &str = "tidegate/gate: staging";
    // Every write is applied and its answer dropped.
    fx.fake.set_faults(Faults {
        drop_after_write: 1.0,
        ..Faults::default()
    });
    let run = fx
        .run(async |gh| {
            gh.post_check_run(NAME, &fx.head, Some("success"), "Passed", "ok", "")
                .await
        })
        .expect("the run it made is found");
    assert_eq!(run.conclusion.as_deref(), Some("success"));
    fx.fake.set_faults(Faults::default());
    let ours = our_runs(&fx, NAME);
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0].id, run.id);
    assert_eq!(fx.count("POST /repos/{owner}/{repo}/check-runs"), 1);
}

#[test]
fn refusals_name_the_permission_and_never_the_token() {
    let fx = Fx::new();
    fx.fake.set_read_only_token(true);
    let refused = fx
        .run(async |gh| {
            gh.post_check_run("tidegate/gate: x", &fx.head, None, "t", "s", "")
                .await
        })
        .expect_err("a read-only token cannot write checks");
    let message = refused.to_string();
    assert!(message.contains("checks: write"), "{message}");
    assert!(!message.contains(&fx.fake.token()), "{message}");
    assert_eq!(refused.exit_code(), 2);

    let missing = fx
        .run(async |gh| gh.pull_info(99).await)
        .expect_err("no such PR");
    let message = missing.to_string();
    assert!(
        message.contains("there is no pull request #99 in acme/widgets"),
        "{message}"
    );
    assert_eq!(missing.exit_code(), 2, "a wrong number is a usage error");
    assert!(!message.contains(&fx.fake.token()), "{message}");
    assert!(!format!("{missing:?}").contains(&fx.fake.token()));
}
