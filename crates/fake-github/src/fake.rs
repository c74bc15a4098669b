//! [`FakeGitHub`]: start, stop, and what tests seed and inspect.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::oneshot;

use crate::faults::{FaultState, Faults, SplitMix};
use crate::git;
use crate::json::Urls;
use crate::server::{Inner, lock, serve};
use crate::state::{
    Asset, AssetState, CheckRun, Comment, CommitStatus, Dispatch, Issue, IssueComment, Milestone,
    Pull, Release, ReleaseState, RepoState, Review, State, Workflow, github_asset_name, repo_key,
};
use crate::state::{Deployment, DeploymentState, DeploymentStatusState};
use crate::util::{next_id, now_iso};

/// The login the fake's token belongs to, unless [`FakeGitHub::set_actor`] changes it.
pub const DEFAULT_ACTOR: &str = "github-actions[bot]";

/// The app the fake's token belongs to, unless [`FakeGitHub::set_token_app`] changes it.
pub const DEFAULT_APP: &str = "github-actions";

/// A GitHub REST server for tests, on `127.0.0.1`, with real git repositories behind it.
/// It serves on its own thread and tokio runtime, and stops when dropped.
pub struct FakeGitHub {
    inner: Arc<Inner>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// A token that looks like a GitHub App installation token: `ghs_` and 36 alphanumerics.
fn new_token() -> String {
    static SALT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut rng = SplitMix::new(
        nanos
            ^ u64::from(std::process::id()).rotate_left(32)
            ^ SALT.fetch_add(1, Ordering::Relaxed).wrapping_mul(0x9E37),
    );
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let tail: String = (0..36)
        .map(|_| char::from(ALPHABET[(rng.next_u64() % ALPHABET.len() as u64) as usize]))
        .collect();
    format!("ghs_{tail}")
}

impl FakeGitHub {
    /// Binds `127.0.0.1:0` and serves on its own thread with a two-worker tokio runtime, so
    /// synchronous tests can use it.
    pub fn start() -> FakeGitHub {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("fake-github binds 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("fake-github's listener can be made non-blocking");
        let port = listener
            .local_addr()
            .expect("fake-github's listener has an address")
            .port();
        let web = format!("http://127.0.0.1:{port}");
        // Release asset bytes are served from another port: another host to a client, which
        // must not send the token there (GitHub's storage host refuses it too).
        let storage_listener = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("fake-github binds its storage port on 127.0.0.1:0");
        storage_listener
            .set_nonblocking(true)
            .expect("fake-github's storage listener can be made non-blocking");
        let storage = format!(
            "http://127.0.0.1:{}",
            storage_listener
                .local_addr()
                .expect("fake-github's storage listener has an address")
                .port()
        );
        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                actor: DEFAULT_ACTOR.to_string(),
                token_app: DEFAULT_APP.to_string(),
                ..State::default()
            }),
            urls: Urls {
                api: format!("{web}/api/v3"),
                web,
                storage,
            },
            token: new_token(),
            faults: Mutex::new(FaultState::new(Faults::default())),
            counts: Mutex::new(BTreeMap::new()),
            total: AtomicUsize::new(0),
            writes: AtomicUsize::new(0),
            violations: Mutex::new(Vec::new()),
            read_only: AtomicBool::new(false),
            forbid_actions_prs: AtomicBool::new(false),
            request_seq: AtomicU64::new(1),
            dir: tempfile::tempdir().expect("fake-github makes a temporary directory"),
            refusals: Mutex::new(Vec::new()),
            faults_served: AtomicUsize::new(0),
            answers_dropped: AtomicUsize::new(0),
        });
        let (stop, stopped) = oneshot::channel();
        let served = Arc::clone(&inner);
        let thread = std::thread::Builder::new()
            .name("fake-github".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .thread_name("fake-github-worker")
                    .build()
                    .expect("fake-github builds its tokio runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("fake-github's listener joins the runtime");
                    let storage = tokio::net::TcpListener::from_std(storage_listener)
                        .expect("fake-github's storage listener joins the runtime");
                    serve(listener, storage, served, stopped).await;
                });
                runtime.shutdown_timeout(Duration::from_secs(2));
            })
            .expect("fake-github starts its server thread");
        FakeGitHub {
            inner,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The GitHub Enterprise–style API base, `http://127.0.0.1:PORT/api/v3` (routes are also
    /// served without the prefix). Give it to the code under test as `GITHUB_API_URL`.
    pub fn api_url(&self) -> String {
        self.inner.urls.api.clone()
    }

    /// The web base, `http://127.0.0.1:PORT` (`html_url`s point under it).
    pub fn web_url(&self) -> String {
        self.inner.urls.web.clone()
    }

    /// The one token the fake accepts (`Authorization: Bearer <t>` or `token <t>`).
    pub fn token(&self) -> String {
        self.inner.token.clone()
    }

    /// The login the token acts as (`github-actions[bot]` unless changed).
    pub fn actor(&self) -> String {
        lock(&self.inner.state).actor.clone()
    }

    /// Makes the token act as another login (PR author, comment author, `merged_by`).
    pub fn set_actor(&self, login: &str) {
        lock(&self.inner.state).actor = login.to_string();
    }

    /// Creates `owner/name`, backed by a bare git repository (HEAD `main`, no commits) in the
    /// fake's temporary directory, and returns its path for `git clone` / `git push`. Calling it
    /// again for the same repository returns the same path.
    pub fn create_repo(&self, owner: &str, name: &str) -> PathBuf {
        let mut state = lock(&self.inner.state);
        if let Some(r) = state.repos.get(&repo_key(owner, name)) {
            return r.git_dir.clone();
        }
        let path = self
            .inner
            .dir
            .path()
            .join(owner.to_lowercase())
            .join(format!("{}.git", name.to_lowercase()));
        git::init_bare(&path).expect("fake-github creates a bare repository");
        state.repos.insert(
            repo_key(owner, name),
            RepoState::new(next_id(), owner, name, path.clone(), now_iso()),
        );
        path
    }

    fn with_repo<T>(&self, owner: &str, repo: &str, f: impl FnOnce(&mut RepoState) -> T) -> T {
        let mut state = lock(&self.inner.state);
        let r = state
            .repos
            .get_mut(&repo_key(owner, repo))
            .expect("the repository was made with create_repo");
        f(r)
    }

    /// Commits one file onto `branch` of the bare repository (creating the branch), returning the
    /// new commit's SHA. A shortcut for tests that need history without a clone.
    pub fn commit_file(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        path: &str,
        content: &str,
        message: &str,
    ) -> String {
        self.with_repo(owner, repo, |r| {
            let g = git::open(&r.git_dir).expect("the bare repository opens");
            git::commit_file(&g, branch, path, content.as_bytes(), message)
                .expect("fake-github commits the file")
                .to_string()
        })
    }

    /// Creates (or moves) `branch` to point at `sha` in the bare repository.
    pub fn create_branch(&self, owner: &str, repo: &str, branch: &str, sha: &str) {
        self.with_repo(owner, repo, |r| {
            let g = git::open(&r.git_dir).expect("the bare repository opens");
            let oid = git2::Oid::from_str(sha).expect("a full commit SHA");
            g.reference(
                &format!("refs/heads/{branch}"),
                oid,
                true,
                "fake-github: create_branch",
            )
            .expect("fake-github creates the branch");
        });
    }

    /// The tip of `branch`, if it exists.
    pub fn branch_sha(&self, owner: &str, repo: &str, branch: &str) -> Option<String> {
        self.with_repo(owner, repo, |r| {
            let g = git::open(&r.git_dir).ok()?;
            git::branch_tip(&g, branch).map(|o| o.to_string())
        })
    }

    /// Every pull request of the repository, by number.
    pub fn pulls(&self, owner: &str, repo: &str) -> Vec<Pull> {
        self.with_repo(owner, repo, |r| {
            let g = git::open(&r.git_dir).ok();
            r.issues
                .values_mut()
                .filter_map(|i| {
                    let open = i.state == "open";
                    let p = i.pull.as_mut()?;
                    if open {
                        if let Some(tip) = g.as_ref().and_then(|g| git::branch_tip(g, &p.head_ref))
                        {
                            p.head_sha = tip.to_string();
                        }
                    }
                    Some(Pull {
                        number: i.number,
                        state: i.state.clone(),
                        merged: p.merged_at.is_some(),
                        title: i.title.clone(),
                        body: i.body.clone(),
                        head_ref: p.head_ref.clone(),
                        head_sha: p.head_sha.clone(),
                        base_ref: p.base_ref.clone(),
                        draft: p.draft,
                        labels: i.labels.clone(),
                        requested_reviewers: p.requested_reviewers.clone(),
                        requested_teams: p.requested_teams.clone(),
                        assignees: i.assignees.clone(),
                        user: i.user.clone(),
                        merge_commit_sha: p.merge_commit_sha.clone(),
                    })
                })
                .collect()
        })
    }

    /// Edits a pull request's (or issue's) body as a person would in the web UI: no request is
    /// counted.
    pub fn set_pull_body(&self, owner: &str, repo: &str, number: u64, body: &str) {
        self.with_repo(owner, repo, |r| {
            let issue = r.issues.get_mut(&number).expect("the pull request exists");
            issue.body = Some(body.to_string());
            issue.updated_at = now_iso();
        });
    }

    /// Sets an issue's or pull request's labels as a person would in the web UI (creating the
    /// labels the repository lacks): no request is counted.
    pub fn set_labels(&self, owner: &str, repo: &str, number: u64, labels: &[&str]) {
        self.with_repo(owner, repo, |r| {
            let names: Vec<String> = labels.iter().map(|l| r.ensure_label(l)).collect();
            let issue = r.issues.get_mut(&number).expect("the issue exists");
            issue.labels = names;
            issue.updated_at = now_iso();
        });
    }

    /// Closes a pull request without merging it, as a person would in the web UI: no request is
    /// counted.
    pub fn close_pull(&self, owner: &str, repo: &str, number: u64) {
        self.with_repo(owner, repo, |r| {
            let issue = r.issues.get_mut(&number).expect("the pull request exists");
            let now = now_iso();
            issue.state = "closed".into();
            issue.closed_at = Some(now.clone());
            issue.updated_at = now;
        });
    }

    /// Sets the assignees of an issue or pull request as a person would in the web UI (the
    /// assignees API is not in the contract subset, so the fake does not serve it).
    pub fn set_assignees(&self, owner: &str, repo: &str, number: u64, logins: &[&str]) {
        self.with_repo(owner, repo, |r| {
            let issue = r
                .issues
                .get_mut(&number)
                .expect("the issue or pull request exists");
            issue.assignees = logins.iter().map(|l| l.to_string()).collect();
            issue.updated_at = now_iso();
        });
    }

    /// Requests received, by documented operation (`"POST /repos/{owner}/{repo}/pulls"`), faulted
    /// and refused ones included. Requests that match no operation count under
    /// `"METHOD /their/path"`.
    pub fn request_counts(&self) -> BTreeMap<String, usize> {
        lock(&self.inner.counts).clone()
    }

    /// All requests received.
    pub fn total_requests(&self) -> usize {
        self.inner.total.load(Ordering::Relaxed)
    }

    /// Requests received with GET (or HEAD), faulted and refused ones included.
    pub fn read_count(&self) -> usize {
        self.total_requests().saturating_sub(self.write_count())
    }

    /// Requests received with POST, PATCH, PUT or DELETE, faulted and refused ones included.
    pub fn write_count(&self) -> usize {
        self.inner.writes.load(Ordering::Relaxed)
    }

    /// Forgets the request counts.
    pub fn reset_counts(&self) {
        lock(&self.inner.counts).clear();
        self.inner.total.store(0, Ordering::Relaxed);
        self.inner.writes.store(0, Ordering::Relaxed);
    }

    /// Sets the faults (restarting their random sequences from `faults.seed`).
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.inner.faults) = FaultState::new(faults);
    }

    /// Writes (POST/PATCH/PUT/DELETE) answered 403 "Resource not accessible by integration".
    pub fn set_read_only_token(&self, on: bool) {
        self.inner.read_only.store(on, Ordering::Relaxed);
    }

    /// `POST /pulls` answered as GitHub does when "Allow GitHub Actions to create and approve pull
    /// requests" is off.
    pub fn forbid_actions_pull_requests(&self, on: bool) {
        self.inner.forbid_actions_prs.store(on, Ordering::Relaxed);
    }

    /// Requests that matched no documented operation, hit one the fake does not implement, or
    /// whose path parameters, query or JSON body did not fit the operation's schemas.
    pub fn contract_violations(&self) -> Vec<String> {
        lock(&self.inner.violations).clone()
    }

    /// Makes `login` a collaborator with write access (review requests need one).
    pub fn add_collaborator(&self, owner: &str, repo: &str, login: &str) {
        self.add_collaborator_with_role(owner, repo, login, "write");
    }

    /// Makes `login` a collaborator with `role`: `admin`, `maintain`, `write`, `triage` or `read`.
    pub fn add_collaborator_with_role(&self, owner: &str, repo: &str, login: &str, role: &str) {
        self.with_repo(owner, repo, |r| {
            r.collaborators
                .insert(login.to_lowercase(), role.to_string());
        });
    }

    /// Creates (or replaces) team `org/slug` with these members; teams of the repository's owner
    /// can be requested as reviewers.
    pub fn add_team(&self, org: &str, slug: &str, members: &[&str]) {
        lock(&self.inner.state).teams.insert(
            format!("{}/{}", org.to_lowercase(), slug.to_lowercase()),
            members.iter().map(|m| m.to_string()).collect(),
        );
    }

    /// Adds a submitted review (`APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`) by
    /// `login` on the PR's current head; returns its id.
    pub fn add_review(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        login: &str,
        state: &str,
        body: &str,
    ) -> u64 {
        let head = self
            .pulls(owner, repo)
            .into_iter()
            .find(|p| p.number == number)
            .expect("the pull request exists")
            .head_sha;
        self.with_repo(owner, repo, |r| {
            let id = next_id();
            r.reviews.push(Review {
                id,
                pull_number: number,
                user: login.to_string(),
                state: state.to_string(),
                body: body.to_string(),
                commit_id: head,
                submitted_at: now_iso(),
            });
            id
        })
    }

    /// Adds a submitted review by `login` on commit `commit_id` (any SHA: an older head makes a
    /// stale review) at `submitted_at` (`YYYY-MM-DDTHH:MM:SSZ`); returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn add_review_at(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        login: &str,
        state: &str,
        commit_id: &str,
        submitted_at: &str,
    ) -> u64 {
        self.with_repo(owner, repo, |r| {
            assert!(
                r.issues.get(&number).is_some_and(|i| i.pull.is_some()),
                "the pull request exists"
            );
            let id = next_id();
            r.reviews.push(Review {
                id,
                pull_number: number,
                user: login.to_string(),
                state: state.to_string(),
                body: String::new(),
                commit_id: commit_id.to_string(),
                submitted_at: submitted_at.to_string(),
            });
            id
        })
    }

    /// Dismisses a review as a maintainer would: its state becomes `DISMISSED`.
    pub fn dismiss_review(&self, owner: &str, repo: &str, review_id: u64) {
        self.with_repo(owner, repo, |r| {
            let review = r
                .reviews
                .iter_mut()
                .find(|rv| rv.id == review_id)
                .expect("the review exists");
            review.state = "DISMISSED".to_string();
        });
    }

    /// Makes the token belong to another GitHub App (`github-actions` unless changed): the check
    /// runs it creates carry that app, and it may update only that app's runs (403 otherwise).
    pub fn set_token_app(&self, slug: &str) {
        lock(&self.inner.state).token_app = slug.to_string();
    }

    /// `GET /orgs/{org}/teams/{slug}/members` answered 403 "Resource not accessible by
    /// integration", as for `GITHUB_TOKEN` or an App without the `members: read` permission.
    pub fn forbid_team_reads(&self, on: bool) {
        lock(&self.inner.state).forbid_team_reads = on;
    }

    /// Adds a check run on `sha` made by the app `app_slug` (two apps may report the same name);
    /// returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn add_check_run_of_app(
        &self,
        owner: &str,
        repo: &str,
        sha: &str,
        name: &str,
        app_slug: &str,
        status: &str,
        conclusion: Option<&str>,
    ) -> u64 {
        let id = self.add_check_run(owner, repo, sha, name, status, conclusion);
        self.with_repo(owner, repo, |r| {
            if let Some(run) = r.check_runs.iter_mut().find(|c| c.id == id) {
                run.app_slug = app_slug.to_string();
            }
        });
        id
    }

    /// Adds a comment by `login` on an issue or pull request, made at `created_at`
    /// (`YYYY-MM-DDTHH:MM:SSZ`); returns its id. No request is counted.
    pub fn add_comment_at(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        login: &str,
        body: &str,
        created_at: &str,
    ) -> u64 {
        self.with_repo(owner, repo, |r| {
            assert!(r.issues.contains_key(&number), "the issue exists");
            let id = next_id();
            r.comments.push(IssueComment {
                id,
                issue_number: number,
                user: login.to_string(),
                body: body.to_string(),
                created_at: created_at.to_string(),
                updated_at: created_at.to_string(),
            });
            id
        })
    }

    /// Sets when an issue or pull request was opened (`YYYY-MM-DDTHH:MM:SSZ`).
    pub fn set_created_at(&self, owner: &str, repo: &str, number: u64, created_at: &str) {
        self.with_repo(owner, repo, |r| {
            let issue = r.issues.get_mut(&number).expect("the issue exists");
            issue.created_at = created_at.to_string();
        });
    }

    /// Creates an open milestone titled `title` (or finds the one of that title); returns its
    /// number.
    pub fn add_milestone(&self, owner: &str, repo: &str, title: &str) -> u64 {
        let actor = self.actor();
        self.with_repo(owner, repo, |r| {
            if let Some(m) = r.milestones.iter().find(|m| m.title == title) {
                return m.number;
            }
            let number = r.milestones.len() as u64 + 1;
            r.milestones.push(Milestone {
                id: next_id(),
                number,
                title: title.to_string(),
                state: "open".to_string(),
                creator: actor,
                created_at: now_iso(),
            });
            number
        })
    }

    /// Puts an issue or pull request in the milestone titled `title` (created if new), or in none.
    pub fn set_milestone(&self, owner: &str, repo: &str, number: u64, title: Option<&str>) {
        let milestone = title.map(|t| self.add_milestone(owner, repo, t));
        self.with_repo(owner, repo, |r| {
            let issue = r.issues.get_mut(&number).expect("the issue exists");
            issue.milestone = milestone;
            issue.updated_at = now_iso();
        });
    }

    /// Adds a check run on `sha` (`status`: `queued`, `in_progress`, `completed`; `conclusion`
    /// for completed ones); returns its id.
    pub fn add_check_run(
        &self,
        owner: &str,
        repo: &str,
        sha: &str,
        name: &str,
        status: &str,
        conclusion: Option<&str>,
    ) -> u64 {
        self.with_repo(owner, repo, |r| {
            let id = next_id();
            let now = now_iso();
            r.check_runs.push(CheckRun {
                id,
                head_sha: sha.to_string(),
                name: name.to_string(),
                app_slug: DEFAULT_APP.to_string(),
                status: status.to_string(),
                conclusion: conclusion.map(str::to_string),
                started_at: Some(now.clone()),
                completed_at: (status == "completed").then_some(now),
                details_url: None,
                external_id: None,
                output_title: None,
                output_summary: None,
                output_text: None,
            });
            id
        })
    }

    /// Adds a commit status (`error`, `failure`, `pending`, `success`) for `context` on `sha`;
    /// returns its id.
    pub fn add_status(
        &self,
        owner: &str,
        repo: &str,
        sha: &str,
        context: &str,
        state: &str,
    ) -> u64 {
        let actor = self.actor();
        self.with_repo(owner, repo, |r| {
            let id = next_id();
            r.statuses.push(CommitStatus {
                id,
                sha: sha.to_string(),
                state: state.to_string(),
                context: context.to_string(),
                description: None,
                target_url: None,
                creator: actor,
                created_at: now_iso(),
            });
            id
        })
    }

    /// Opens an issue (numbered in the same sequence as pull requests) with these labels, which
    /// are created if new; returns its number.
    pub fn add_issue(&self, owner: &str, repo: &str, title: &str, labels: &[&str]) -> u64 {
        let actor = self.actor();
        self.with_repo(owner, repo, |r| {
            let labels = labels.iter().map(|l| r.ensure_label(l)).collect();
            let number = r.next_number();
            let now = now_iso();
            r.issues.insert(
                number,
                Issue {
                    id: next_id(),
                    number,
                    title: title.to_string(),
                    body: None,
                    state: "open".into(),
                    user: actor,
                    labels,
                    assignees: Vec::new(),
                    created_at: now.clone(),
                    updated_at: now,
                    closed_at: None,
                    milestone: None,
                    pull: None,
                },
            );
            number
        })
    }

    /// Creates a label with a color and description (labels are otherwise made grey on first
    /// use).
    pub fn add_label(&self, owner: &str, repo: &str, name: &str, color: &str, description: &str) {
        self.with_repo(owner, repo, |r| {
            r.ensure_label(name);
            if let Some(l) = r
                .labels
                .iter_mut()
                .find(|l| l.name.eq_ignore_ascii_case(name))
            {
                l.color = color.to_string();
                l.description = Some(description.to_string());
            }
        });
    }

    /// The comments on an issue or pull request, oldest first.
    pub fn comments(&self, owner: &str, repo: &str, number: u64) -> Vec<Comment> {
        self.with_repo(owner, repo, |r| {
            r.comments
                .iter()
                .filter(|c| c.issue_number == number)
                .map(|c| Comment {
                    id: c.id,
                    issue_number: c.issue_number,
                    user: c.user.clone(),
                    body: c.body.clone(),
                })
                .collect()
        })
    }

    /// The releases of the repository, oldest first, drafts included; `latest` marks the one
    /// GitHub shows as latest.
    pub fn releases(&self, owner: &str, repo: &str) -> Vec<Release> {
        self.with_repo(owner, repo, |r| {
            let latest = crate::latest::latest(r);
            r.releases.iter().map(|rel| rel.snapshot(latest)).collect()
        })
    }

    /// The tag of the release GitHub shows as latest: the one last published with `make_latest`
    /// `"true"` (the default), else by the legacy rule (newest non-draft, non-prerelease release
    /// by its commit's date, then by the higher semantic version).
    pub fn latest_release(&self, owner: &str, repo: &str) -> Option<String> {
        self.with_repo(owner, repo, |r| {
            let id = crate::latest::latest(r)?;
            r.releases
                .iter()
                .find(|rel| rel.id == id)
                .map(|rel| rel.tag_name.clone())
        })
    }

    /// The commit `tag` points at (peeled through an annotated tag), if the tag exists.
    pub fn tag_sha(&self, owner: &str, repo: &str, tag: &str) -> Option<String> {
        self.with_repo(owner, repo, |r| {
            let g = git::open(&r.git_dir).ok()?;
            let reference = g.find_reference(&format!("refs/tags/{tag}")).ok()?;
            reference.peel_to_commit().ok().map(|c| c.id().to_string())
        })
    }

    /// Commits several files onto `branch` of the bare repository (creating the branch) in one
    /// commit: `Some(content)` writes a file (nested paths make directories), `None` deletes one.
    /// Returns the new commit's SHA. No request is counted.
    pub fn commit_files(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        files: &[(&str, Option<&str>)],
        message: &str,
    ) -> String {
        self.with_repo(owner, repo, |r| {
            let g = git::open(&r.git_dir).expect("the bare repository opens");
            git::commit_files(&g, branch, files, message)
                .expect("fake-github commits the files")
                .to_string()
        })
    }

    /// Adds a tag ruleset: tags whose name matches `pattern` (fnmatch-like: `v*`, `**`, `?`;
    /// a `refs/tags/` prefix is allowed) can no longer be created, moved or deleted through the
    /// API, nor created by publishing a release; GitHub's 422 "Repository rule violations found"
    /// answers instead. Pushes to the bare repository are not checked.
    pub fn protect_tags(&self, owner: &str, repo: &str, pattern: &str) {
        self.with_repo(owner, repo, |r| r.tag_rules.push(pattern.to_string()));
    }

    /// Declares the workflow `.github/workflows/{file}` (`release-image.yml`), which can then be
    /// read and dispatched by id or file name; returns its id. No file is committed.
    pub fn add_workflow(&self, owner: &str, repo: &str, file: &str) -> u64 {
        self.with_repo(owner, repo, |r| {
            if let Some(w) = r.workflows.iter().find(|w| w.file == file) {
                return w.id;
            }
            let id = next_id();
            r.workflows.push(Workflow {
                id,
                file: file.to_string(),
                created_at: now_iso(),
            });
            id
        })
    }

    /// The `workflow_dispatch` requests accepted, oldest first.
    pub fn dispatches(&self, owner: &str, repo: &str) -> Vec<Dispatch> {
        self.with_repo(owner, repo, |r| r.dispatches.clone())
    }

    /// Merges pull request `number` with `method` (`merge`, `squash` or `rebase`) as a person
    /// would in the web UI, with the commits GitHub makes (merged by the token's user, see
    /// [`FakeGitHub::set_actor`]); returns the base branch's new tip. Not counted as a request and
    /// never faulted. Panics with GitHub's message when the merge is refused.
    pub fn merge_pull(&self, owner: &str, repo: &str, number: u64, method: &str) -> String {
        let path = format!("/repos/{owner}/{repo}/pulls/{number}/merge");
        let body = serde_json::json!({ "merge_method": method });
        let v = self.as_person("PUT", &path, &body);
        v["sha"].as_str().unwrap_or_default().to_string()
    }

    /// Opens a pull request from `head` into `base` as a person would in the web UI; returns its
    /// number. Not counted as a request and never faulted.
    pub fn open_pull(
        &self,
        owner: &str,
        repo: &str,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
    ) -> u64 {
        let path = format!("/repos/{owner}/{repo}/pulls");
        let request =
            serde_json::json!({ "head": head, "base": base, "title": title, "body": body });
        let v = self.as_person("POST", &path, &request);
        v["number"].as_u64().expect("a pull request number")
    }

    /// Serves one request as the token's user without counting or faulting it; panics with
    /// GitHub's answer when it is refused.
    fn as_person(&self, method: &str, path: &str, body: &serde_json::Value) -> serde_json::Value {
        let matched =
            crate::contract::match_operation(method, path).expect("the operation is known");
        let mut state = lock(&self.inner.state);
        let actor = state.actor.clone();
        let rq = crate::routes::Rq {
            urls: &self.inner.urls,
            m: &matched,
            query: &[],
            body,
            actor: &actor,
            path,
            accept: "",
            upload: None,
        };
        let reply = crate::routes::dispatch(&mut state, &rq).expect("the operation is implemented");
        let v = match &reply.payload {
            crate::reply::Payload::Json(v) => v.clone(),
            _ => serde_json::Value::Null,
        };
        assert!(reply.is_success(), "{method} {path}: {} {v}", reply.status);
        v
    }

    /// Turns the repository setting "immutable releases" on or off. Releases published while it
    /// is on become immutable: no asset can be uploaded to or deleted from them (422), and only
    /// their title and notes can change. Releases published before keep their state, as on GitHub.
    pub fn set_immutable_releases(&self, owner: &str, repo: &str, on: bool) {
        self.with_repo(owner, repo, |r| r.immutable_releases = on);
    }

    /// Makes the release of `tag` a draft again, as a run interrupted before publishing leaves
    /// it (its assets stay).
    pub fn unpublish_release(&self, owner: &str, repo: &str, tag: &str) {
        self.with_repo(owner, repo, |r| {
            let release = Self::release_of(r, tag);
            release.draft = true;
            release.published_at = None;
        });
    }

    /// The release of `tag` with the highest id (the newest draft when several share the tag).
    fn release_of<'r>(r: &'r mut RepoState, tag: &str) -> &'r mut ReleaseState {
        r.releases
            .iter_mut()
            .filter(|rel| rel.tag_name == tag)
            .max_by_key(|rel| rel.id)
            .expect("the release exists")
    }

    /// The assets of the release of `tag` (the newest one, drafts included), in upload order.
    pub fn release_assets(&self, owner: &str, repo: &str, tag: &str) -> Vec<Asset> {
        self.with_repo(owner, repo, |r| {
            Self::release_of(r, tag)
                .assets
                .iter()
                .map(AssetState::snapshot)
                .collect()
        })
    }

    /// The bytes of the asset named `name` (as GitHub stored it) on the release of `tag`; `None`
    /// when there is no such asset or it holds none (an interrupted upload).
    pub fn asset_bytes(&self, owner: &str, repo: &str, tag: &str, name: &str) -> Option<Vec<u8>> {
        let file = self.with_repo(owner, repo, |r| {
            Self::release_of(r, tag)
                .assets
                .iter()
                .find(|a| a.name == name)
                .and_then(|a| a.file.clone())
        })?;
        std::fs::read(file).ok()
    }

    /// Leaves an interrupted upload named `name` on the release of `tag`, as a failed upload
    /// does on GitHub: an asset in state `open` with no bytes and no digest, which holds the name
    /// until it is deleted. Returns its id.
    pub fn add_failed_upload(&self, owner: &str, repo: &str, tag: &str, name: &str) -> u64 {
        let actor = self.actor();
        self.with_repo(owner, repo, |r| {
            let id = next_id();
            Self::release_of(r, tag).assets.push(AssetState {
                id,
                name: github_asset_name(name),
                label: None,
                content_type: "application/octet-stream".to_string(),
                size: 0,
                state: "open".to_string(),
                sha256: None,
                uploader: actor,
                created_at: now_iso(),
                file: None,
            });
            id
        })
    }

    /// The tags of the bare repository with the commit each points at, newest name first.
    pub fn tags(&self, owner: &str, repo: &str) -> Vec<(String, String)> {
        self.with_repo(owner, repo, |r| {
            git::open(&r.git_dir)
                .map(|g| {
                    git::tags(&g)
                        .into_iter()
                        .map(|(n, o)| (n, o.to_string()))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    // ---- Downstream sync: tokens limited to some repositories, and git over smart HTTP ----

    /// Makes `token` valid for the repositories `repos` (`owner/name`) only, with `perms`: other
    /// repositories answer 404 to it (REST and git), as GitHub hides what a token cannot see.
    /// The default token keeps reaching everything.
    pub fn add_token(&self, token: &str, repos: &[&str], perms: crate::state::TokenPerms) {
        let repos = repos
            .iter()
            .filter_map(|r| r.split_once('/'))
            .map(|(owner, name)| repo_key(owner, name))
            .collect();
        lock(&self.inner.state)
            .tokens
            .insert(token.to_string(), crate::state::TokenGrant { repos, perms });
    }

    /// The URL `git clone` and `git push` use for the repository (`clone_url` of repos/get):
    /// `{web}/{owner}/{name}.git`, served by `git http-backend`.
    pub fn clone_url(&self, owner: &str, repo: &str) -> String {
        format!("{}/{owner}/{repo}.git", self.inner.urls.web)
    }

    /// The git smart-HTTP requests served so far, as `upload-pack owner/name` or
    /// `receive-pack owner/name` (authenticated ones; they are not in the REST counts).
    pub fn git_requests(&self) -> Vec<String> {
        lock(&self.inner.state).git_requests.clone()
    }

    // ---- Deployments (deploy): workflow files, deployments, statuses and runs ----

    /// Declares the workflow `.github/workflows/{file}` and commits `content` there on `main`,
    /// so the contents API returns it; returns the workflow's id.
    pub fn add_workflow_file(&self, owner: &str, repo: &str, file: &str, content: &str) -> u64 {
        let path = format!(".github/workflows/{file}");
        self.commit_file(
            owner,
            repo,
            "main",
            &path,
            content,
            &format!("ci: add {file}"),
        );
        self.add_workflow(owner, repo, file)
    }

    /// The next request of `operation` (as the contract names it, e.g. `POST
    /// /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches`) is refused with
    /// `status` and `message`, as GitHub refuses when something changed after the caller's
    /// checks (a workflow disabled meanwhile); the requests after it are served.
    pub fn refuse_once(&self, operation: &str, status: u16, message: &str) {
        lock(&self.inner.refusals).push((operation.to_string(), status, message.to_string()));
    }

    /// The deployments of the repository, oldest first, with their statuses.
    pub fn deployments(&self, owner: &str, repo: &str) -> Vec<Deployment> {
        self.with_repo(owner, repo, |r| {
            r.deployments
                .iter()
                .map(DeploymentState::snapshot)
                .collect()
        })
    }

    /// Records `count` deployments of `git_ref` to `environment` made by `creator` with
    /// `payload`, each with one status `state`, as history made before a test. No request is
    /// counted; no `auto_inactive` applies.
    #[allow(clippy::too_many_arguments)] // each is one fact of the seeded history
    pub fn add_deployments(
        &self,
        owner: &str,
        repo: &str,
        environment: &str,
        git_ref: &str,
        payload: &serde_json::Value,
        state: &str,
        count: usize,
    ) {
        self.with_repo(owner, repo, |r| {
            let sha = git::open(&r.git_dir)
                .ok()
                .and_then(|g| git::resolve_commit(&g, git_ref))
                .map(|o| o.to_string())
                .expect("the ref exists");
            for _ in 0..count {
                r.deployments.push(DeploymentState {
                    id: next_id(),
                    git_ref: git_ref.to_string(),
                    sha: sha.clone(),
                    environment: environment.to_string(),
                    task: "deploy".to_string(),
                    payload: payload.clone(),
                    description: None,
                    creator: "hubot".to_string(),
                    created_at: now_iso(),
                    transient: false,
                    production: environment == "production",
                    required_contexts: None,
                    auto_merge: None,
                    statuses: vec![DeploymentStatusState {
                        id: next_id(),
                        state: state.to_string(),
                        description: String::new(),
                        log_url: String::new(),
                        environment_url: String::new(),
                        creator: "hubot".to_string(),
                        created_at: now_iso(),
                    }],
                });
            }
        });
    }

    // --- backport: what its tests read back ---

    /// The title of the milestone of an issue or pull request, if it has one.
    pub fn milestone_title(&self, owner: &str, repo: &str, number: u64) -> Option<String> {
        self.with_repo(owner, repo, |r| {
            let n = r.issues.get(&number)?.milestone?;
            r.milestones
                .iter()
                .find(|m| m.number == n)
                .map(|m| m.title.clone())
        })
    }

    /// The reactions on an issue comment, as (login, content), oldest first.
    pub fn comment_reactions(
        &self,
        owner: &str,
        repo: &str,
        comment_id: u64,
    ) -> Vec<(String, String)> {
        self.with_repo(owner, repo, |r| {
            r.comment_reactions
                .iter()
                .filter(|x| x.comment_id == comment_id)
                .map(|x| (x.user.clone(), x.content.clone()))
                .collect()
        })
    }

    // --- Concurrent runs (issue 18): what eight runs at once leave behind. ---

    /// The check runs on `sha`, oldest first, as (name, status, conclusion, external_id).
    pub fn check_runs_on(
        &self,
        owner: &str,
        repo: &str,
        sha: &str,
    ) -> Vec<(String, String, Option<String>, Option<String>)> {
        self.with_repo(owner, repo, |r| {
            r.check_runs
                .iter()
                .filter(|c| c.head_sha == sha)
                .map(|c| {
                    (
                        c.name.clone(),
                        c.status.clone(),
                        c.conclusion.clone(),
                        c.external_id.clone(),
                    )
                })
                .collect()
        })
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// ---- Scenarios (issue 18): proof that injected faults fired, and every check run ----
impl FakeGitHub {
    /// How many requests were answered with an injected fault, and how many writes were applied
    /// and their answer dropped.
    pub fn faults_served(&self) -> (usize, usize) {
        (
            self.inner
                .faults_served
                .load(std::sync::atomic::Ordering::Relaxed),
            self.inner
                .answers_dropped
                .load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    /// Every check run of the repository, oldest first: (head SHA, name, status, conclusion).
    pub fn all_check_runs(
        &self,
        owner: &str,
        repo: &str,
    ) -> Vec<(String, String, String, Option<String>)> {
        self.with_repo(owner, repo, |r| {
            r.check_runs
                .iter()
                .map(|c| {
                    (
                        c.head_sha.clone(),
                        c.name.clone(),
                        c.status.clone(),
                        c.conclusion.clone(),
                    )
                })
                .collect()
        })
    }
}
