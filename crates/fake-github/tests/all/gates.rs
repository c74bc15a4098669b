//! What gate checks read, held to the contract: reviews on given commits and dismissed, bots,
//! permissions, teams a token cannot read, milestones and label lists, check runs of several
//! apps with their filters and pages, paginated combined statuses, comments with set times.

use serde_json::json;

use crate::support::{Fx, OWNER, REPO};

#[test]
fn reviews_carry_their_commit_time_dismissal_and_bot_users() {
    let fx = Fx::new();
    let number = fx.open_promotion();
    let stale = fx.fake.add_review_at(
        OWNER,
        REPO,
        number,
        "ada",
        "APPROVED",
        &fx.first,
        "2026-12-01T10:00:00Z",
    );
    let later = fx
        .fake
        .add_review(OWNER, REPO, number, "renovate[bot]", "APPROVED", "");
    fx.fake.dismiss_review(OWNER, REPO, later);
    let reviews = fx.c.get(&fx.p(&format!("/pulls/{number}/reviews"))).json();
    assert_eq!(reviews[0]["id"], stale);
    assert_eq!(reviews[0]["commit_id"], fx.first.as_str());
    assert_eq!(reviews[0]["submitted_at"], "2026-12-01T10:00:00Z");
    assert_eq!(reviews[0]["user"]["type"], "User");
    assert_eq!(reviews[1]["state"], "DISMISSED");
    assert_eq!(reviews[1]["commit_id"], fx.main.as_str());
    assert_eq!(reviews[1]["user"]["type"], "Bot");
    fx.assert_no_violations();
}

#[test]
fn permissions_report_the_role_and_a_bot_is_no_user() {
    let fx = Fx::new();
    fx.fake
        .add_collaborator_with_role(OWNER, REPO, "tri", "triage");
    let tri = fx.c.get(&fx.p("/collaborators/tri/permission")).json();
    assert_eq!(
        (tri["permission"].as_str(), tri["role_name"].as_str()),
        (Some("read"), Some("triage"))
    );
    let bot =
        fx.c.get(&fx.p("/collaborators/renovate%5Bbot%5D/permission"));
    assert_eq!(bot.status, 404);
    assert_eq!(bot.json()["message"], "renovate[bot] is not a user");
    fx.assert_no_violations();
}

#[test]
fn team_reads_can_be_forbidden_as_for_github_token() {
    let fx = Fx::new();
    fx.fake.add_team(OWNER, "leads", &["ada"]);
    let members = fx.c.get("/orgs/acme/teams/leads/members").json();
    assert_eq!(members[0]["login"], "ada");
    fx.fake.forbid_team_reads(true);
    let forbidden = fx.c.get("/orgs/acme/teams/leads/members");
    assert_eq!(forbidden.status, 403);
    assert_eq!(
        forbidden.json()["message"],
        "Resource not accessible by integration"
    );
    fx.fake.forbid_team_reads(false);
    assert_eq!(fx.c.get("/orgs/acme/teams/leads/members").status, 200);
    fx.assert_no_violations();
}

#[test]
fn issues_show_their_milestone_and_list_by_label_milestone_and_state() {
    let fx = Fx::new();
    let pull = fx.open_promotion();
    let a = fx.fake.add_issue(OWNER, REPO, "a", &["release-blocker"]);
    let b = fx.fake.add_issue(OWNER, REPO, "b", &["release-blocker"]);
    let c = fx.fake.add_issue(OWNER, REPO, "c", &["release-blocker"]);
    fx.fake.close_pull(OWNER, REPO, c);
    let v2 = fx.fake.add_milestone(OWNER, REPO, "v2.0");
    fx.fake.set_milestone(OWNER, REPO, a, Some("v2.0"));
    fx.fake.set_milestone(OWNER, REPO, c, Some("v2.0"));
    fx.fake.set_milestone(OWNER, REPO, pull, Some("v2.0"));
    let numbers = |query: &str| -> Vec<u64> {
        let list = fx.c.get(&fx.p(&format!("/issues?{query}"))).json();
        list.as_array()
            .expect("a list")
            .iter()
            .filter_map(|i| i["number"].as_u64())
            .collect()
    };
    assert_eq!(numbers(&format!("milestone={v2}")), [a, pull]);
    assert_eq!(numbers(&format!("milestone={v2}&state=all")), [c, a, pull]);
    assert_eq!(numbers("milestone=none&labels=release-blocker"), [b]);
    assert_eq!(numbers("milestone=*&labels=release-blocker"), [a]);
    let issue = fx.c.get(&fx.p(&format!("/issues?milestone={v2}"))).json();
    assert_eq!(issue[0]["milestone"]["title"], "v2.0");
    assert_eq!(issue[0]["milestone"]["open_issues"], 2);
    assert_eq!(issue[0]["milestone"]["closed_issues"], 1);
    let pr = fx.c.get(&fx.p(&format!("/pulls/{pull}"))).json();
    assert_eq!(pr["milestone"]["number"], v2);
    fx.assert_no_violations();
}

#[test]
fn check_runs_belong_to_apps_and_list_by_name_filter_and_page() {
    let fx = Fx::new();
    let tip = fx.main.clone();
    let old = fx
        .fake
        .add_check_run(OWNER, REPO, &tip, "test", "completed", Some("failure"));
    let new = fx
        .fake
        .add_check_run(OWNER, REPO, &tip, "test", "completed", Some("success"));
    let other = fx.fake.add_check_run_of_app(
        OWNER,
        REPO,
        &tip,
        "test",
        "circleci-checks",
        "completed",
        Some("success"),
    );
    let ids = |query: &str| -> Vec<u64> {
        let page =
            fx.c.get(&fx.p(&format!("/commits/{tip}/check-runs?{query}")))
                .json();
        page["check_runs"]
            .as_array()
            .expect("runs")
            .iter()
            .filter_map(|r| r["id"].as_u64())
            .collect()
    };
    // `latest`: the newest run of a name in each app.
    assert_eq!(ids("check_name=test"), [other, new]);
    assert_eq!(ids("check_name=test&filter=all"), [other, new, old]);
    let runs =
        fx.c.get(&fx.p(&format!("/commits/{tip}/check-runs")))
            .json();
    assert_eq!(runs["check_runs"][0]["app"]["slug"], "circleci-checks");
    assert_eq!(runs["check_runs"][1]["app"]["slug"], "github-actions");

    for i in 0..150 {
        fx.fake
            .add_check_run(OWNER, REPO, &tip, &format!("job {i}"), "queued", None);
    }
    let first =
        fx.c.get(&fx.p(&format!("/commits/{tip}/check-runs?per_page=100")));
    assert_eq!(first.json()["total_count"], 152);
    assert_eq!(
        first.json()["check_runs"].as_array().map(Vec::len),
        Some(100)
    );
    let next = first.header("link").expect("a link header");
    assert!(
        next.contains("page=2") && next.contains("rel=\"next\""),
        "{next}"
    );
    fx.assert_no_violations();
}

#[test]
fn a_token_updates_only_its_own_apps_runs_and_completed_runs_stay_completed() {
    let fx = Fx::new();
    let tip = fx.main.clone();
    let foreign = fx.fake.add_check_run_of_app(
        OWNER,
        REPO,
        &tip,
        "gate",
        "circleci-checks",
        "completed",
        Some("failure"),
    );
    let refused = fx.c.patch(
        &fx.p(&format!("/check-runs/{foreign}")),
        json!({ "conclusion": "success" }),
    );
    assert_eq!(refused.status, 403);

    fx.fake.set_token_app("tidegate-bot");
    let made = fx.c.post(
        &fx.p("/check-runs"),
        json!({ "name": "gate", "head_sha": tip, "conclusion": "success" }),
    );
    assert_eq!(made.json()["app"]["slug"], "tidegate-bot");
    let id = made.json()["id"].as_u64().expect("an id");
    let back = fx.c.patch(
        &fx.p(&format!("/check-runs/{id}")),
        json!({ "status": "in_progress" }),
    );
    assert_eq!(back.json()["status"], "completed");
    assert_eq!(back.json()["conclusion"], "success");
    let failed = fx.c.patch(
        &fx.p(&format!("/check-runs/{id}")),
        json!({ "conclusion": "failure" }),
    );
    assert_eq!(failed.json()["conclusion"], "failure");

    let too_long = fx.c.patch(
        &fx.p(&format!("/check-runs/{id}")),
        json!({ "output": { "title": "t", "summary": "s", "text": "x".repeat(65_536) } }),
    );
    assert_eq!(too_long.status, 422);
    // GitHub's description caps the text too: a client sending more breaks the contract.
    let violations = fx.fake.contract_violations();
    assert_eq!(violations.len(), 1);
    assert!(violations[0].contains("longer than 65535 characters"));
}

#[test]
fn the_combined_status_pages_its_statuses_and_keeps_the_overall_state() {
    let fx = Fx::new();
    let tip = fx.main.clone();
    for i in 0..40 {
        fx.fake
            .add_status(OWNER, REPO, &tip, &format!("ctx {i}"), "success");
    }
    fx.fake.add_status(OWNER, REPO, &tip, "ctx 0", "failure");
    let first = fx.c.get(&fx.p(&format!("/commits/{tip}/status")));
    assert_eq!(first.json()["total_count"], 40);
    assert_eq!(first.json()["state"], "failure");
    assert_eq!(first.json()["statuses"].as_array().map(Vec::len), Some(30));
    assert_eq!(first.json()["statuses"][0]["context"], "ctx 0");
    let second = fx.c.get(&fx.p(&format!("/commits/{tip}/status?page=2")));
    assert_eq!(second.json()["statuses"].as_array().map(Vec::len), Some(10));
    assert_eq!(second.json()["state"], "failure");
    fx.assert_no_violations();
}

#[test]
fn comments_can_be_made_by_anyone_at_a_set_time() {
    let fx = Fx::new();
    let number = fx.open_promotion();
    fx.fake
        .add_comment_at(OWNER, REPO, number, "grace", "+1", "2026-12-24T18:00:00Z");
    let comments =
        fx.c.get(&fx.p(&format!("/issues/{number}/comments")))
            .json();
    assert_eq!(comments[0]["user"]["login"], "grace");
    assert_eq!(comments[0]["created_at"], "2026-12-24T18:00:00Z");
    assert_eq!(comments[0]["body"], "+1");
    assert_eq!(fx.fake.comments(OWNER, REPO, number)[0].user, "grace");
    fx.assert_no_violations();
}
