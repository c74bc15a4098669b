//! `--to-repo`: the hop into another repository. Upstream `acme/widgets` and downstream
//! `ocean/widgets` share their first commit; downstream carries a patch of its own and a
//! cherry-pick of an upstream fix. The source goes to a sync branch over git smart HTTP, and one
//! pull request in the downstream repository is opened, then updated.

use crate::{NAME, OWNER, Run};
use assert_cmd::Command;
use fake_github::{FakeGitHub, Faults, Pull, TokenPerms};
use testkit::TestRepo;

const DOWN_OWNER: &str = "ocean";
const DOWNSTREAM: &str = "ocean/widgets";
const SYNC_BRANCH: &str = "tidegate/sync/acme-widgets/main";
const DOWN_TOKEN: &str = "ghs_downstreamdownstreamdownstream0001";

struct Sync {
    fake: FakeGitHub,
    dev: TestRepo,
    checkout: TestRepo,
    outputs: tempfile::TempDir,
}

/// As many tags as the repository of the trial that counted the fetch's requests.
const RELEASE_TAGS: usize = 286;

/// `count` commits on a branch `old` from `from`, each tagged `v0.0.N`, in one `git fast-import`.
fn old_release_tags(repo: &TestRepo, from: &str, count: usize) {
    use std::io::Write;
    let mut stream = String::new();
    for n in 1..=count {
        let message = format!("chore: release 0.0.{n}\n");
        let content = format!("{n}\n");
        stream.push_str(&format!(
            "commit refs/heads/old\nmark :{n}\ncommitter Ada Lovelace <ada@example.com> {} +0000\ndata {}\n{message}",
            2_000_000_000 + n,
            message.len()
        ));
        if n == 1 {
            stream.push_str(&format!("from {from}\n"));
        }
        stream.push_str(&format!(
            "M 644 inline old.txt\ndata {}\n{content}\nreset refs/tags/v0.0.{n}\nfrom :{n}\n\n",
            content.len()
        ));
    }
    let mut child = repo
        .git_command(&["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("git fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream.as_bytes())
        .expect("the stream");
    assert!(child.wait().expect("git fast-import").success());
}

fn writer() -> TokenPerms {
    TokenPerms {
        write: true,
        workflows: true,
        ..TokenPerms::default()
    }
}

impl Sync {
    fn new(fake: FakeGitHub) -> Self {
        let upstream = fake.create_repo(OWNER, NAME);
        let downstream = fake.create_repo(DOWN_OWNER, NAME);
        fake.add_token(DOWN_TOKEN, &[DOWNSTREAM], writer());
        let dev = TestRepo::new();
        dev.set_remote(&upstream.display().to_string());
        let first = dev.commit_file("app.txt", "one\n", "feat: the first version");
        dev.git(&["push", "-q", "origin", "main"]);
        // Upstream's many release tags, on a line downstream never had (newer than the rest, so
        // git offers them first when it negotiates): the checkout holds
        // them, and they must not make fetching the downstream target any dearer.
        old_release_tags(&dev, &first, RELEASE_TAGS);
        dev.git(&["push", "-q", "origin", "old", "refs/tags/*:refs/tags/*"]);
        dev.git(&["push", "-q", &downstream.display().to_string(), "main"]);
        // Downstream's own history: a carried patch, and a fix it took from upstream early.
        let down = TestRepo::new();
        down.set_remote(&downstream.display().to_string());
        down.git(&["fetch", "-q", "origin"]);
        down.git(&["checkout", "-q", "-B", "main", "origin/main"]);
        down.commit_file("brand.txt", "ocean\n", "chore: ocean branding");
        down.commit_file("b.txt", "b\n", "fix: stop dropping the last page (#2)");
        down.git(&["push", "-q", "origin", "main"]);
        dev.commit_file("a.txt", "a\n", "feat(api): add the widgets endpoint (#1)");
        dev.commit_file("b.txt", "b\n", "fix: stop dropping the last page (#2)");
        dev.git(&["push", "-q", "origin", "main"]);
        let checkout = TestRepo::new();
        checkout.set_remote(&upstream.display().to_string());
        let world = Self {
            fake,
            dev,
            checkout,
            outputs: tempfile::tempdir().expect("temp dir"),
        };
        world.fetch();
        world
    }

    fn fetch(&self) {
        self.checkout.git(&["fetch", "-q", "origin"]);
        self.checkout
            .git(&["checkout", "-q", "-B", "main", "origin/main"]);
    }

    fn push_upstream(&self, file: &str, message: &str) {
        self.dev.commit_file(file, message, message);
        self.dev.git(&["push", "-q", "origin", "main"]);
        self.fetch();
    }

    fn command(&self, token: &str, extra: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("promote-branch").expect("binary");
        let mut args = vec!["--from", "main", "--to", "main", "--to-repo", DOWNSTREAM];
        args.extend_from_slice(extra);
        cmd.current_dir(self.checkout.path())
            .args(&args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.outputs.path())
            .env("GITHUB_API_URL", self.fake.api_url())
            .env("GITHUB_SERVER_URL", self.fake.web_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", self.fake.token())
            .env("DOWNSTREAM_TOKEN", token)
            .env("GITHUB_OUTPUT", self.outputs.path().join("output"))
            .env("GITHUB_STEP_SUMMARY", self.outputs.path().join("summary"))
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        cmd
    }

    fn sync(&self, extra: &[&str]) -> Run {
        Run::of(&mut self.command(DOWN_TOKEN, extra))
    }

    fn pulls(&self) -> Vec<Pull> {
        self.fake.pulls(DOWN_OWNER, NAME)
    }

    fn open_pulls(&self) -> Vec<Pull> {
        self.pulls()
            .into_iter()
            .filter(|p| p.state == "open")
            .collect()
    }

    fn outputs(&self) -> std::collections::BTreeMap<String, String> {
        testkit::parse_outputs(
            &std::fs::read_to_string(self.outputs.path().join("output")).unwrap_or_default(),
        )
    }

    fn upstream_main(&self) -> String {
        self.dev.git(&["rev-parse", "main"])
    }
}

#[test]
fn the_hop_opens_one_pull_request_downstream_then_updates_it_reporting_carried_patches() {
    let world = Sync::new(FakeGitHub::start());
    let down_main = world.fake.branch_sha(DOWN_OWNER, NAME, "main");

    let created = world.sync(&["--json"]);
    let json = created.json();
    assert_eq!(json["operation"], "created", "{}", created.stderr);
    let create_reads = world.fake.read_count();
    let create_writes = world.fake.write_count();
    let create_git = world.fake.git_requests().len();
    assert_eq!(
        world.checkout.git(&["tag", "--list"]).lines().count(),
        RELEASE_TAGS,
        "the checkout holds upstream's tags"
    );
    let pulls = world.open_pulls();
    assert_eq!(pulls.len(), 1);
    let pull = &pulls[0];
    assert_eq!(
        (pull.head_ref.as_str(), pull.base_ref.as_str()),
        (SYNC_BRANCH, "main")
    );
    assert_eq!(
        world.fake.branch_sha(DOWN_OWNER, NAME, SYNC_BRANCH),
        Some(world.upstream_main()),
        "the source's commits are on the sync branch"
    );
    assert_eq!(
        world.fake.branch_sha(DOWN_OWNER, NAME, "main"),
        down_main,
        "the target is never pushed"
    );
    assert!(world.fake.pulls(OWNER, NAME).is_empty(), "nothing upstream");
    let body = pull.body.clone().expect("body");
    // Upstream's pull requests are named with their repository: `#1` would be downstream's own.
    assert!(
        body.contains("* **api:** add the widgets endpoint (acme/widgets#1)"),
        "{body}"
    );
    assert!(
        body.contains(
            "Only on `ocean/widgets:main`: 2 commits (1 already on `acme/widgets:main` as an equivalent patch)"
        ),
        "{body}"
    );
    // Both branches are `main`: the body names each with its repository.
    assert!(
        body.contains(&format!(
            "**2 commits** from 2 pull requests, `acme/widgets:main` {} → `ocean/widgets:main` ",
            &world.upstream_main()[..7]
        )),
        "{body}"
    );
    assert!(body.contains("* ocean branding") || body.contains("* chore: ocean branding"));
    assert!(
        body.contains("stop dropping the last page (#2) (")
            && body.contains(" · equivalent patch on the source"),
        "{body}"
    );
    assert!(
        body.contains(&format!("{}/ocean/widgets/commit/", world.fake.web_url())),
        "downstream commits link downstream: {body}"
    );
    assert!(body.contains("Merge this pull request with a merge commit"));
    assert!(
        created.stderr.contains("only downstream"),
        "{}",
        created.stderr
    );
    assert_eq!(json["downstream-only"], 2);
    let outputs = world.outputs();
    assert_eq!(outputs["downstream-only"], "2");
    assert_eq!(outputs["pr-number"], pull.number.to_string());
    assert_eq!(outputs["commit-count"], "2");

    world.push_upstream("c.txt", "feat(ui): dark mode (#3)");
    world.fake.reset_counts();
    let git_before = world.fake.git_requests().len();
    let updated = world.sync(&["--json"]).json();
    assert_eq!(updated["operation"], "updated");
    let (update_reads, update_writes) = (world.fake.read_count(), world.fake.write_count());
    let update_git = world.fake.git_requests().len() - git_before;
    let after = world.open_pulls();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].number, pull.number);
    assert!(
        after[0]
            .body
            .as_deref()
            .unwrap_or_default()
            .contains("dark mode (acme/widgets#3)")
    );
    assert_eq!(
        world.fake.branch_sha(DOWN_OWNER, NAME, SYNC_BRANCH),
        Some(world.upstream_main())
    );
    // Nothing new: no push, no edit.
    world.fake.reset_counts();
    let git_before = world.fake.git_requests().len();
    let same = world.sync(&["--json"]).json();
    assert_eq!(same["operation"], "skipped");
    let (same_reads, same_writes) = (world.fake.read_count(), world.fake.write_count());
    let same_git = world.fake.git_requests().len() - git_before;
    println!(
        "API cost of a hop: create {create_reads} reads + {create_writes} writes + {create_git} git requests; update {update_reads} + {update_writes} + {update_git} git; up to date {same_reads} + {same_writes} + {same_git} git"
    );
    assert!(create_reads <= 4 && create_writes <= 1, "create");
    assert!(update_reads <= 3 && update_writes <= 1, "update");
    assert!(same_reads <= 3 && same_writes == 0, "up to date");
    // Creating: ls-remote 2, fetch 3 (one round of negotiation; 4 rounds more, 11 in all, when
    // git offered the checkout's 286 tags), push 2. Updating: the target is fetched already.
    assert!(
        create_git <= 7 && update_git <= 6 && same_git <= 4,
        "git requests: {create_git}, {update_git}, {same_git}"
    );
    assert!(
        world.fake.contract_violations().is_empty(),
        "{:?}",
        world.fake.contract_violations()
    );
}

#[test]
fn a_squash_merged_sync_is_called_out_on_the_next_run() {
    let world = Sync::new(FakeGitHub::start());
    world.sync(&[]).ok();
    let first = world.open_pulls()[0].number;
    world.fake.merge_pull(DOWN_OWNER, NAME, first, "squash");
    world.push_upstream("c.txt", "feat(ui): dark mode (#3)");

    let next = world.sync(&[]).ok();
    assert!(
        next.stderr.contains("::warning") || next.stderr.contains("warning:"),
        "{}",
        next.stderr
    );
    assert!(
        next.stderr.contains("merged without a merge commit"),
        "{}",
        next.stderr
    );
    let open = world.open_pulls();
    assert_eq!(open.len(), 1);
    let body = open[0].body.clone().unwrap_or_default();
    assert!(body.contains("squash-merged"), "{body}");
}

#[test]
fn a_rebase_merged_sync_is_found_through_its_merged_pull_request() {
    // Rebased commits keep upstream's subjects, so no title gives them away: the merged sync
    // pull request does.
    let world = Sync::new(FakeGitHub::start());
    world.sync(&[]).ok();
    let first = world.open_pulls()[0].number;
    world.fake.merge_pull(DOWN_OWNER, NAME, first, "rebase");
    world.push_upstream("c.txt", "feat(ui): dark mode (#3)");
    let next = world.sync(&[]).ok();
    assert!(
        next.stderr
            .contains("an earlier sync merged without a merge commit"),
        "{}",
        next.stderr
    );
    let open = world.open_pulls();
    assert_eq!(open.len(), 1);
    assert!(
        open[0]
            .body
            .as_deref()
            .unwrap_or_default()
            .contains("squash-merged"),
        "{:?}",
        open[0].body
    );
}

#[test]
fn a_token_that_cannot_reach_the_downstream_repository_fails_before_any_write() {
    let world = Sync::new(FakeGitHub::start());
    let upstream_only = "ghs_upstreamonlyupstreamonlyupstream01";
    world
        .fake
        .add_token(upstream_only, &[&format!("{OWNER}/{NAME}")], writer());
    let run = Run::of(&mut world.command(upstream_only, &[]));
    run.fails_with(2, "ocean/widgets was not found, or the token cannot see it");
    assert!(
        run.stderr
            .contains("contents: write and pull-requests: write")
    );
    assert!(run.stderr.contains("`owner` and `repositories`"));
    assert!(
        !run.stderr.contains(upstream_only),
        "the token is never printed"
    );
    assert_eq!(world.fake.write_count(), 0);
    assert!(world.fake.git_requests().is_empty(), "no fetch, no push");
    assert_eq!(world.fake.branch_sha(DOWN_OWNER, NAME, SYNC_BRANCH), None);
    assert!(world.pulls().is_empty());
}

#[test]
fn workflow_changes_need_the_workflows_permission_and_open_no_pull_request() {
    let world = Sync::new(FakeGitHub::start());
    world.push_upstream(".github/workflows/ci.yml", "ci: run the tests");
    let app = "ghs_noworkflowsnoworkflowsnoworkflow01";
    let write_only = TokenPerms {
        write: true,
        ..TokenPerms::default()
    };
    world.fake.add_token(app, &[DOWNSTREAM], write_only);
    let run = Run::of(&mut world.command(app, &[]));
    run.fails_with(2, "lacks the `workflows` permission");
    assert!(
        run.stderr.contains(".github/workflows/ci.yml"),
        "{}",
        run.stderr
    );
    assert!(world.pulls().is_empty());
    assert_eq!(world.fake.branch_sha(DOWN_OWNER, NAME, SYNC_BRANCH), None);

    // A classic token says its scopes: refused before anything is pushed.
    let classic = "ghp_classicnoworkflowclassicnoworkfl01";
    let classic_perms = TokenPerms {
        classic: true,
        ..write_only
    };
    world.fake.add_token(classic, &[DOWNSTREAM], classic_perms);
    let pushes_before = pushes(&world);
    let run = Run::of(&mut world.command(classic, &[]));
    run.fails_with(2, "lacks the `workflow` scope");
    assert_eq!(pushes(&world), pushes_before, "no push tried");
    assert!(world.pulls().is_empty());
    assert_eq!(world.fake.write_count(), 0);
}

fn pushes(world: &Sync) -> usize {
    world
        .fake
        .git_requests()
        .iter()
        .filter(|r| r.starts_with("receive-pack"))
        .count()
}

#[test]
fn thirty_percent_of_requests_failing_still_leaves_one_sync_pull_request_in_every_seeded_run() {
    let mut retried = 0;
    for seed in 0..20 {
        let world = Sync::new(FakeGitHub::start());
        world.fake.set_faults(Faults {
            seed,
            rate: 0.3,
            retry_after_secs: 0,
            drop_after_write: 0.2,
            ..Faults::default()
        });
        let first = world.sync(&[]);
        assert_eq!(first.code, 0, "seed {seed}: {}", first.stderr);
        world.push_upstream("c.txt", "fix: one more (#9)");
        let second = world.sync(&[]);
        assert_eq!(second.code, 0, "seed {seed}: {}", second.stderr);
        retried +=
            first.stderr.matches("retrying").count() + second.stderr.matches("retrying").count();
        let pulls = world.pulls();
        assert_eq!(pulls.len(), 1, "seed {seed}: {pulls:?}");
        let body = pulls[0].body.as_deref().unwrap_or_default();
        assert!(
            body.contains("one more (acme/widgets#9)")
                && body.matches("<!-- tidegate:promotion:begin -->").count() == 1,
            "seed {seed}: {body}"
        );
    }
    assert!(retried >= 20, "only {retried} retries in 20 runs");
}

#[test]
fn bad_inputs_are_one_line_each_and_change_nothing() {
    let world = Sync::new(FakeGitHub::start());
    let run = |args: &[&str]| {
        let mut cmd = Command::cargo_bin("promote-branch").expect("binary");
        let mut all = vec!["--from", "main", "--to", "main"];
        all.extend_from_slice(args);
        cmd.current_dir(world.checkout.path())
            .args(&all)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", world.outputs.path())
            .env("GITHUB_API_URL", world.fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("DOWNSTREAM_TOKEN", DOWN_TOKEN)
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        Run::of(&mut cmd)
    };
    run(&["--to-repo", "ocean"]).fails_with(2, "`ocean` is not a repository");
    run(&["--to-repo", "ocean/missing"]).fails_with(2, "ocean/missing was not found");
    run(&["--to-repo", DOWNSTREAM, "--mode", "merge"])
        .fails_with(2, "the downstream target is never pushed directly");
    run(&["--to-repo", DOWNSTREAM, "--to-token-env", "NOPE"])
        .fails_with(2, "no token for ocean/widgets: set NOPE");
    run(&["--to-repo", "acme/widgets"]).fails_with(2, "is this repository itself");
    run(&["--to-repo", DOWNSTREAM, "--sync-branch", "main"]).fails_with(2, "is the target itself");
    assert_eq!(world.fake.write_count(), 0);
    assert!(world.pulls().is_empty());
    assert_eq!(world.fake.branch_sha(DOWN_OWNER, NAME, SYNC_BRANCH), None);
}

#[test]
fn issue_references_in_upstream_commit_text_name_the_upstream_repository() {
    let world = Sync::new(FakeGitHub::start());
    world.push_upstream("d.txt", "fix: stop the crash, fixes #7 and see #8 (#4)");

    let run = world.sync(&["--json"]);
    assert_eq!(run.json()["operation"], "created", "{}", run.stderr);

    let body = world.open_pulls()[0].body.clone().expect("body");
    // Downstream, a bare `#7` would link (and cross-reference) the downstream repository's #7.
    assert!(
        body.contains(
            "stop the crash, refs acme/widgets#7 and see acme/widgets#8 (acme/widgets#4)"
        ),
        "{body}"
    );
}
