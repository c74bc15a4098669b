//! `--to-repo`: the hop into another repository (the ocean). The source's commits are pushed with
//! git to a sync branch of the downstream repository (ours to move; the target is never pushed),
//! and one pull request there, from that branch into the target, is opened or updated in place.

use std::path::Path;
use std::process::{Command, Output};

use tidegate_actions::{notice, warning};
use tidegate_core::links::Links;
use tidegate_core::promotion::{Facts, TargetOnly, plural, short, squashed_promotions, title};
use tidegate_git::History;
use tidegate_git::promotion::PromoteError;
use tidegate_github::{Error, GitHub, RepoId, RetryPolicy, Token, api_url_from_env};

use crate::outcome::Outcome;
use crate::promote::{Clients, pull_request};
use crate::{Cli, Failure, Mode, Promotion, conflict_verdict, github_repo};

/// Where the downstream target is fetched to in the checkout.
const FETCHED: &str = "refs/tidegate/downstream";

pub fn run(cli: &Cli, to_repo: &str) -> Result<(), Failure> {
    let downstream = RepoId::parse(to_repo).map_err(|e| (2, format!("--to-repo: {e}")))?;
    refuse_unsupported(cli)?;
    let history =
        History::open(&cli.repo).map_err(|e| (tidegate_git::exit_code(&e), e.to_string()))?;
    let promote_error = |e: PromoteError| (e.exit_code(), e.to_string());
    let source = history.branch_tip(&cli.from).map_err(promote_error)?;
    let (upstream, links) = github_repo(cli, &history)?;
    let upstream = upstream.ok_or((
        2,
        "cannot tell which GitHub repository this checkout is (the upstream): pass --github-repo OWNER/NAME (or set GITHUB_REPOSITORY)".to_string(),
    ))?;
    if upstream
        .to_string()
        .eq_ignore_ascii_case(&downstream.to_string())
    {
        return Err((
            2,
            format!(
                "--to-repo {downstream} is this repository itself; drop --to-repo to promote inside one repository"
            ),
        ));
    }
    let target = cli
        .to
        .strip_prefix("origin/")
        .unwrap_or(&cli.to)
        .to_string();
    let sync_branch = cli.sync_branch.clone().unwrap_or_else(|| {
        format!(
            "tidegate/sync/{}-{}/{}",
            upstream.owner, upstream.name, source.branch
        )
    });
    check_branch_name(&history, "--to", &target)?;
    check_branch_name(&history, "--sync-branch", &sync_branch)?;
    if sync_branch == target {
        return Err((
            2,
            format!(
                "--sync-branch `{sync_branch}` is the target itself; the target is never pushed, name a branch of its own"
            ),
        ));
    }
    let token = Token::from_env(&cli.to_token_env).map_err(|e| match e {
        Error::MissingToken(name) => (
            2,
            format!(
                "no token for {downstream}: set {name} to a token with contents: write and pull-requests: write on it (GITHUB_TOKEN cannot reach another repository; a GitHub App token from actions/create-github-app-token with `owner` and `repositories` is the documented way)"
            ),
        ),
        other => (other.exit_code(), other.to_string()),
    })?;
    let hop = Hop {
        cli,
        history: &history,
        downstream,
        links,
        target,
        sync_branch,
        source_branch: source.branch.clone(),
        source_sha: source.commit.to_string(),
        source_found_as: source.found_as.clone(),
        token,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (3, format!("cannot start the async runtime: {e}")))?;
    let (promotion, outcome) = runtime.block_on(hop.run())?;
    outcome.publish(cli, &promotion)?;
    conflict_verdict(cli, &promotion, &outcome.conflicts)
}

/// Flags that cannot go with `--to-repo`, each refused with why.
fn refuse_unsupported(cli: &Cli) -> Result<(), Failure> {
    if cli.mode != Mode::Pr {
        return Err((
            2,
            "--mode fast-forward and --mode merge cannot go into another repository (--to-repo): a downstream hop is always a pull request from a sync branch, and the downstream target is never pushed directly; use --mode pr".to_string(),
        ));
    }
    if cli.snapshot_branch.is_some() {
        return Err((
            2,
            "--snapshot-branch does not go with --to-repo: the sync branch already pins the promoted commit (name it with --sync-branch)".to_string(),
        ));
    }
    if cli.dry_run {
        return Err((
            2,
            "--dry-run cannot plan a hop into another repository: the downstream target must be fetched with its token; run without --dry-run".to_string(),
        ));
    }
    Ok(())
}

/// A name git accepts as a branch (no spaces, no `..`, not starting with `-`).
fn check_branch_name(history: &History, flag: &str, name: &str) -> Result<(), Failure> {
    let valid = !name.starts_with('-')
        && Command::new("git")
            .args(["check-ref-format", &format!("refs/heads/{name}")])
            .current_dir(history.root())
            .output()
            .is_ok_and(|o| o.status.success());
    if valid {
        Ok(())
    } else {
        Err((
            2,
            format!(
                "{flag} `{}` is not a branch name git accepts; name a branch such as main",
                tidegate_actions::one_line(name)
            ),
        ))
    }
}

struct Hop<'a> {
    cli: &'a Cli,
    history: &'a History,
    downstream: RepoId,
    links: Option<Links>,
    target: String,
    sync_branch: String,
    source_branch: String,
    source_sha: String,
    source_found_as: String,
    token: Token,
}

fn github_failure(e: Error) -> Failure {
    (e.exit_code(), e.to_string())
}

impl Hop<'_> {
    async fn run(&self) -> Result<(Promotion, Outcome), Failure> {
        let api = api_url_from_env();
        let policy = RetryPolicy::from_env();
        let once = RetryPolicy {
            max_retries: 0,
            ..policy.clone()
        };
        let github = GitHub::new(&api, self.token.clone(), self.downstream.clone(), policy)
            .map_err(github_failure)?;
        let github_once = GitHub::new(&api, self.token.clone(), self.downstream.clone(), once)
            .map_err(github_failure)?;
        let access = github
            .repository_access()
            .await
            .map_err(|e| self.no_access(e))?;
        let secret = std::env::var(&self.cli.to_token_env)
            .unwrap_or_default()
            .trim()
            .to_string();
        // What git sends is the token in base64: masked too, should anything print it.
        tidegate_actions::add_mask(&base64(&format!("x-access-token:{secret}")));
        let remote = Remote {
            url: access.clone_url.clone(),
            token: &self.token,
            secret,
            dir: self.history.root(),
            what: self.downstream.to_string(),
        };
        let tips = remote.tips(&[&self.target, &self.sync_branch])?;
        let Some(target_sha) = tips[0].clone() else {
            return Err((
                2,
                format!(
                    "{} has no branch `{}`: check --to (a branch of the downstream repository)",
                    self.downstream, self.target
                ),
            ));
        };
        let fetched = format!("{FETCHED}/{}", self.target);
        // Negotiated from the source and what an earlier run fetched, not from every tag and
        // branch of the checkout (upstream's, which downstream mostly lacks: a round each).
        let mut negotiate_from = vec![self.source_sha.clone()];
        if let Ok(earlier) = self.history.resolve(&fetched) {
            negotiate_from.push(earlier.to_string());
        }
        remote.fetch(&self.target, &fetched, &negotiate_from)?;
        // Opened again: the fetch added objects the first handle may not see.
        let history = History::open(self.history.root())
            .map_err(|e| (tidegate_git::exit_code(&e), e.to_string()))?;
        let promotion = self.promotion(&history, &target_sha)?;
        let mut outcome = Outcome::new(&promotion.facts);
        outcome.downstream_only = Some(downstream_only(&promotion.facts));
        if promotion.facts.commits.is_empty() {
            return Ok((promotion, outcome));
        }
        let mut promotion = promotion;
        self.merged_sync_check(&github, &history, &mut promotion)
            .await?;
        for squash in &promotion.facts.squashed {
            warning(&format!(
                "`{}` of {} has {} \"{}\": an earlier sync merged without a merge commit (squash or rebase), so the upstream commits it carried are not on `{}` and are listed again; merge sync pull requests with a merge commit",
                self.target,
                self.downstream,
                short(&squash.id),
                tidegate_actions::one_line(&squash.subject),
                self.target
            ));
        }
        self.report_in_log(&promotion.facts);
        let workflows = changed_workflows(self.history.root(), &target_sha, &self.source_sha);
        if !workflows.is_empty() && access.lacks_workflow_scope() {
            return Err(self.workflow_refusal(&workflows, "the `workflow` scope"));
        }
        if tips[1].as_deref() != Some(self.source_sha.as_str()) {
            match remote.push(&self.source_sha, &self.sync_branch, tips[1].as_deref()) {
                Ok(()) => {}
                Err(PushError::Workflows) => {
                    return Err(self.workflow_refusal(&workflows, "the `workflows` permission"));
                }
                // A concurrent run pushed the same commit first: the branch is as this run wants.
                Err(PushError::Other(failure)) => {
                    let now = remote.tips(&[self.sync_branch.as_str()])?;
                    if now[0].as_deref() != Some(self.source_sha.as_str()) {
                        return Err(failure);
                    }
                }
            }
        }
        let title = title(&self.cli.title, &promotion.facts).map_err(|e| (2, e.0))?;
        let clients = Clients {
            github: &github,
            once: &github_once,
        };
        pull_request(
            clients,
            self.cli,
            &promotion,
            &title,
            &self.sync_branch,
            &mut outcome,
        )
        .await
        .map_err(github_failure)?;
        Ok((promotion, outcome))
    }

    fn promotion(&self, history: &History, target_sha: &str) -> Result<Promotion, Failure> {
        let promote_error = |e: PromoteError| (e.exit_code(), e.to_string());
        let source = history
            .resolve(&self.source_sha)
            .map_err(|e| (tidegate_git::exit_code(&e), e.to_string()))?;
        let target = history
            .resolve(target_sha)
            .map_err(|e| (tidegate_git::exit_code(&e), e.to_string()))?;
        let range = history
            .promotion_range(source, target)
            .map_err(promote_error)?;
        let squashed = if range.commits.is_empty() {
            Vec::new()
        } else {
            squashed_promotions(&range.target_only, &self.cli.title)
        };
        let target_links = self.links.as_ref().map(|up| Links {
            web: format!(
                "{}{}",
                up.web.strip_suffix(&up.slug).unwrap_or(&up.web),
                self.downstream
            ),
            slug: self.downstream.to_string(),
        });
        Ok(Promotion {
            facts: Facts {
                source: self.source_branch.clone(),
                target: self.target.clone(),
                source_sha: self.source_sha.clone(),
                target_sha: target_sha.to_string(),
                commits: range.commits,
                target_only: range.target_only,
                squashed,
                conflicts: range.conflicts,
                links: self.links.clone(),
                target_links,
            },
            fast_forward: range.fast_forward,
            repo: Some(self.downstream.clone()),
            source_found_as: self.source_found_as.clone(),
            target_found_as: format!("{}:{}", self.downstream, self.target),
        })
    }

    /// A sync pull request merged by squash or rebase leaves the upstream commits off the target,
    /// so they come again: the last merged one's head not being an ancestor of the target says so.
    async fn merged_sync_check(
        &self,
        github: &GitHub,
        history: &History,
        promotion: &mut Promotion,
    ) -> Result<(), Failure> {
        let last = github
            .last_closed_pull(&self.sync_branch, &self.target)
            .await
            .map_err(github_failure)?;
        let Some(pull) = last.filter(|p| p.merged_at.is_some()) else {
            return Ok(());
        };
        let facts = &mut promotion.facts;
        // The handle opened after the fetch: the target's new commits are there.
        let head_on_target = history
            .resolve(&pull.head.sha)
            .ok()
            .zip(history.resolve(&facts.target_sha).ok())
            .is_some_and(|(head, target)| history.is_ancestor(head, target).unwrap_or(false));
        if head_on_target {
            return Ok(());
        }
        let merge_sha = pull.merge_commit_sha.clone().unwrap_or_default();
        if facts.squashed.iter().any(|s| s.id == merge_sha) {
            return Ok(());
        }
        let merged_as = facts
            .target_only
            .iter()
            .find(|c| c.id == merge_sha)
            .cloned()
            .unwrap_or_else(|| TargetOnly {
                id: merge_sha.clone(),
                subject: pull.title.clone().unwrap_or_default(),
                ..TargetOnly::default()
            });
        facts.squashed.push(merged_as);
        Ok(())
    }

    /// The downstream-only commits in the log (the body lists them too).
    fn report_in_log(&self, facts: &Facts) {
        let own: Vec<&TargetOnly> = facts
            .target_only
            .iter()
            .filter(|c| c.is_divergence())
            .collect();
        if own.is_empty() {
            return;
        }
        let upstream = own.iter().filter(|c| c.equivalent_on_source).count();
        let lines: Vec<String> = own
            .iter()
            .take(20)
            .map(|c| {
                let mark = if c.equivalent_on_source {
                    " (already upstream as an equivalent patch)"
                } else {
                    ""
                };
                format!(
                    "{} {}{mark}",
                    short(&c.id),
                    tidegate_actions::one_line(&c.subject)
                )
            })
            .collect();
        notice(&format!(
            "{} of {} are only downstream ({upstream} already upstream as an equivalent patch): {}",
            plural(own.len(), "commit"),
            self.downstream,
            lines.join("; ")
        ));
    }

    fn no_access(&self, e: Error) -> Failure {
        let needs = format!(
            "the token in {} needs contents: write and pull-requests: write on {} (for a GitHub App token from actions/create-github-app-token, set its `owner` and `repositories` inputs to that repository)",
            self.cli.to_token_env, self.downstream
        );
        match e {
            Error::RepoNotFound(_) => (
                2,
                format!(
                    "{} was not found, or the token cannot see it: check --to-repo; {needs}",
                    self.downstream
                ),
            ),
            Error::Unauthorized => (
                2,
                format!(
                    "GitHub rejected the token in {} (401 Bad credentials); {needs}",
                    self.cli.to_token_env
                ),
            ),
            Error::Permission { message, .. } => (
                2,
                format!(
                    "the token may not read {} (403 {message}); {needs}",
                    self.downstream
                ),
            ),
            other => github_failure(other),
        }
    }

    fn workflow_refusal(&self, files: &[String], permission: &str) -> Failure {
        (
            2,
            format!(
                "the commits to push change {} ({}), and the token in {} lacks {permission}: give it workflows: write (an App token) or the workflow scope (a classic token); nothing was pushed and no pull request opened or updated",
                plural(files.len(), "workflow file"),
                crate::outcome::short_list(files),
                self.cli.to_token_env
            ),
        )
    }
}

/// The count of the `downstream-only` output: commits the target has of its own.
fn downstream_only(facts: &Facts) -> usize {
    facts
        .target_only
        .iter()
        .filter(|c| c.is_divergence())
        .count()
}

/// The workflow files the commits to push change.
fn changed_workflows(dir: &Path, target: &str, source: &str) -> Vec<String> {
    let output = Command::new("git")
        .args([
            "log",
            "--format=",
            "--name-only",
            &format!("{target}..{source}"),
            "--",
            ".github/workflows/",
        ])
        .current_dir(dir)
        .output();
    let mut files: Vec<String> = output
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files.dedup();
    files
}

/// The downstream repository as git reaches it: the token goes in an `Authorization` header
/// set through the environment, never on the command line or in a URL git may print.
struct Remote<'a> {
    url: String,
    token: &'a Token,
    /// The token itself, for the header only.
    secret: String,
    dir: &'a Path,
    /// `owner/name`, for messages.
    what: String,
}

enum PushError {
    /// GitHub refused commits that change workflows.
    Workflows,
    Other(Failure),
}

impl Remote<'_> {
    fn git(&self, args: &[&str]) -> Result<Output, Failure> {
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(self.dir)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C");
        // Appended to any configuration the environment already passes. An empty extraheader
        // first clears one the checkout may have (actions/checkout's, for the upstream).
        let base: usize = std::env::var("GIT_CONFIG_COUNT")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let key = format!("http.{}.extraheader", self.url);
        let header = format!(
            "Authorization: Basic {}",
            base64(&format!("x-access-token:{}", self.secret))
        );
        for (i, value) in [String::new(), header].into_iter().enumerate() {
            command
                .env(format!("GIT_CONFIG_KEY_{}", base + i), &key)
                .env(format!("GIT_CONFIG_VALUE_{}", base + i), value);
        }
        command.env("GIT_CONFIG_COUNT", (base + 2).to_string());
        command
            .output()
            .map_err(|e| (3, format!("cannot run git: {e}")))
    }

    /// git's complaint, one line, with nothing of the token.
    fn complaint(&self, output: &Output) -> String {
        let text = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("hint:"))
            .collect();
        let said = tidegate_actions::one_line(&lines.join(" "));
        self.token
            .redact(&tidegate_actions::redact_url_credentials(&said))
    }

    /// The tips of `branches` in the downstream repository (`None`: no such branch).
    fn tips(&self, branches: &[&str]) -> Result<Vec<Option<String>>, Failure> {
        let mut args = vec!["ls-remote", self.url.as_str()];
        let refs: Vec<String> = branches.iter().map(|b| format!("refs/heads/{b}")).collect();
        args.extend(refs.iter().map(String::as_str));
        let output = self.git(&args)?;
        if !output.status.success() {
            return Err((
                3,
                format!(
                    "git cannot read the branches of {}: {}",
                    self.what,
                    self.complaint(&output)
                ),
            ));
        }
        let listed = String::from_utf8_lossy(&output.stdout).into_owned();
        Ok(refs
            .iter()
            .map(|r| {
                listed.lines().find_map(|line| {
                    let (sha, name) = line.split_once('\t')?;
                    (name == r).then(|| sha.to_string())
                })
            })
            .collect())
    }

    /// Fetches `branch` into `into`, offering git's server only the history of `tips`.
    fn fetch(&self, branch: &str, into: &str, tips: &[String]) -> Result<(), Failure> {
        let spec = format!("+refs/heads/{branch}:{into}");
        let tips: Vec<String> = tips
            .iter()
            .map(|t| format!("--negotiation-tip={t}"))
            .collect();
        let mut args = vec!["fetch", "-q", "--no-tags"];
        args.extend(tips.iter().map(String::as_str));
        args.extend([self.url.as_str(), spec.as_str()]);
        let output = self.git(&args)?;
        if output.status.success() {
            Ok(())
        } else {
            Err((
                3,
                format!(
                    "git cannot fetch `{branch}` of {}: {}",
                    self.what,
                    self.complaint(&output)
                ),
            ))
        }
    }

    /// Points the sync branch at `sha`, only if it is still where it was read (`None`: absent).
    fn push(&self, sha: &str, branch: &str, expected: Option<&str>) -> Result<(), PushError> {
        let lease = format!(
            "--force-with-lease=refs/heads/{branch}:{}",
            expected.unwrap_or_default()
        );
        let spec = format!("{sha}:refs/heads/{branch}");
        let output = self
            .git(&[
                "push",
                "-q",
                "--no-verify",
                &lease,
                self.url.as_str(),
                &spec,
            ])
            .map_err(PushError::Other)?;
        if output.status.success() {
            return Ok(());
        }
        let said = self.complaint(&output);
        if said.contains("refusing to allow") && said.contains("workflow") {
            return Err(PushError::Workflows);
        }
        let why = if said.contains("stale info") {
            "another run moved it since this one read it; run again".to_string()
        } else {
            said
        };
        Err(PushError::Other((
            3,
            format!(
                "git cannot push the sync branch `{branch}` to {}: {why}; no pull request was opened or updated",
                self.what
            ),
        )))
    }
}

/// Standard base64, for the Basic credentials git sends.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_is_standard() {
        assert_eq!(
            super::base64("x-access-token:abc"),
            "eC1hY2Nlc3MtdG9rZW46YWJj"
        );
        assert_eq!(super::base64("a"), "YQ==");
        assert_eq!(super::base64("ab"), "YWI=");
    }
}
