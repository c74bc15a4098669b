//! Carrying a planned promotion out on GitHub: the pull request (found and updated in place, else
//! created), a fast-forward, or a merge commit.

use crate::outcome::{Operation, Outcome, short_list};
use crate::{Cli, Failure, Mode, OnConflict, Promotion};
use http::Method;
use serde_json::Value;
use tidegate_actions::warning;
use tidegate_core::promotion::{body, new_body, plural, short};
use tidegate_github::pulls::{NewPullRequest, PullRequest};
use tidegate_github::refs::Merge;
use tidegate_github::{Call, Error, GitHub, RetryPolicy, Token, api_url_from_env, encode_path};

fn github_failure(e: Error) -> Failure {
    (e.exit_code(), e.to_string())
}

/// Why the target cannot move as `--mode` asks, seen from the checkout alone: a fast-forward of a
/// target with commits of its own, or a merge that conflicts. The same line for a dry run.
pub fn refusal(cli: &Cli, promotion: &Promotion) -> Option<String> {
    let facts = &promotion.facts;
    if facts.commits.is_empty() {
        return None;
    }
    match cli.mode {
        Mode::FastForward if !promotion.fast_forward => {
            // Real changes first: merges that bring nothing of their own say the least.
            let mut own: Vec<_> = facts.target_only.iter().collect();
            own.sort_by_key(|c| !c.is_divergence());
            let shown: Vec<String> = own
                .iter()
                .take(5)
                .map(|c| format!("{} {}", short(&c.id), c.subject))
                .collect();
            let more = own.len().saturating_sub(shown.len());
            Some(format!(
                "`{}` cannot be fast-forwarded to `{}`: it has {} that `{}` lacks ({}{}); promote with --mode pr (or --mode merge)",
                promotion.target(),
                promotion.source(),
                plural(own.len(), "commit"),
                promotion.source(),
                shown.join("; "),
                if more > 0 {
                    format!("; and {more} more")
                } else {
                    String::new()
                }
            ))
        }
        Mode::Merge if !facts.conflicts.is_empty() => Some(format!(
            "merging `{}` into `{}` would conflict in {}; resolve them in a pull request (--mode pr)",
            promotion.source(),
            promotion.target(),
            short_list(&facts.conflicts)
        )),
        _ => None,
    }
}

pub fn apply(cli: &Cli, promotion: &Promotion, title: &str) -> Result<Outcome, Failure> {
    let facts = &promotion.facts;
    let mut outcome = Outcome::new(facts);
    if facts.commits.is_empty() {
        return Ok(outcome);
    }
    if let Some(refused) = refusal(cli, promotion) {
        return Err((1, refused));
    }
    let token = Token::from_env(&cli.token_env).map_err(github_failure)?;
    let repo = promotion.repo.clone().ok_or((
        2,
        "cannot tell which GitHub repository this is: pass --github-repo OWNER/NAME (or set GITHUB_REPOSITORY)"
            .to_string(),
    ))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (3, format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let api = api_url_from_env();
        let policy = RetryPolicy::from_env();
        // The create is tried once on its own first, so that a "pull request already exists"
        // answer to a retry (our first attempt's answer was lost) can be told from one to a first
        // attempt (another run created it).
        let once = RetryPolicy {
            max_retries: 0,
            ..policy.clone()
        };
        let github =
            GitHub::new(&api, token.clone(), repo.clone(), policy).map_err(github_failure)?;
        let github_once = GitHub::new(&api, token, repo, once).map_err(github_failure)?;
        match cli.mode {
            Mode::Pr => {
                let head = cli.snapshot_branch.as_deref().unwrap_or(promotion.source());
                let clients = Clients {
                    github: &github,
                    once: &github_once,
                };
                pull_request(clients, cli, promotion, title, head, &mut outcome).await
            }
            Mode::FastForward => fast_forward(&github, promotion, &mut outcome).await,
            Mode::Merge => merge(&github, promotion, title, &mut outcome).await,
        }
        .map_err(github_failure)?;
        Ok(outcome)
    })
}

/// The clients of the repository the pull request goes to: one with the retry policy, one that
/// tries a create once (see `pull_request`).
#[derive(Clone, Copy)]
pub struct Clients<'a> {
    pub github: &'a GitHub,
    pub once: &'a GitHub,
}

/// Finds the open pull request from `head` into the target and updates it in place, else creates
/// it.
pub async fn pull_request(
    clients: Clients<'_>,
    cli: &Cli,
    promotion: &Promotion,
    title: &str,
    head: &str,
    outcome: &mut Outcome,
) -> Result<(), Error> {
    let (github, github_once) = (clients.github, clients.once);
    let facts = &promotion.facts;
    let hold = cli.on_conflict() == OnConflict::Skip && !facts.conflicts.is_empty();

    let existing = github.find_open_pull(head, promotion.target()).await?;
    if existing.is_none() && hold {
        // --on-conflict skip: no new pull request while the merge conflicts (an open one is
        // still updated below, so it does not claim a clean merge).
        outcome.operation = Operation::HeldByConflict;
        return Ok(());
    }
    if let Some(snapshot) = &cli.snapshot_branch {
        github.force_branch(snapshot, &facts.source_sha).await?;
    }
    let pull = match existing {
        Some(pull) => pull,
        None => {
            let new = NewPullRequest {
                title,
                head,
                base: promotion.target(),
                body: &new_body(cli.body_header.as_deref(), facts),
                draft: cli.draft,
            };
            // `retried`: the first attempt's fate is unknown (no answer, or GitHub failing).
            let (first, retried) = match github_once.create_pull(&new).await {
                Err(Error::Unavailable { .. } | Error::Transport(_)) => {
                    (github.create_pull(&new).await, true)
                }
                other => (other, false),
            };
            let created = match first {
                Ok(created) => created,
                // GitHub already has every commit on the target (this checkout is older than
                // GitHub's branches): nothing to promote.
                Err(e) if e.is_refusal(422, "No commits between") => return Ok(()),
                Err(e) => return Err(e),
            };
            // Reviewers, assignees and labels also when the PR turned out to exist: it may be
            // ours, created by a first attempt whose answer was lost. Asking twice is harmless.
            dress(github, cli, created.pull.number).await;
            if !created.existed {
                outcome.set_pull(Operation::Created, &created.pull);
                return Ok(());
            }
            // Another run created it, or (after a retry) our first attempt whose answer was lost:
            // bring it up to date either way.
            update(github, cli, facts, title, &created.pull, outcome).await?;
            if retried && outcome.operation == Operation::Unchanged {
                outcome.operation = Operation::Created;
            }
            return Ok(());
        }
    };
    update(github, cli, facts, title, &pull, outcome).await
}

async fn update(
    github: &GitHub,
    cli: &Cli,
    facts: &tidegate_core::promotion::Facts,
    title: &str,
    pull: &PullRequest,
    outcome: &mut Outcome,
) -> Result<(), Error> {
    // People's edits in the web editor come back with CRLF line ends.
    let current = pull.body.as_deref().map(|b| b.replace("\r\n", "\n"));
    let new_body = body(current.as_deref(), facts);
    let operation = if pull.title == title && current.as_deref() == Some(new_body.as_str()) {
        Operation::Unchanged
    } else {
        github.update_pull(pull.number, title, &new_body).await?;
        Operation::Updated
    };
    let missing: Vec<String> = cli
        .labels
        .iter()
        .filter(|l| {
            !pull
                .labels
                .iter()
                .any(|have| have.name.eq_ignore_ascii_case(l))
        })
        .cloned()
        .collect();
    if let Err(e) = github.add_labels(pull.number, &missing).await {
        warning(&format!("the pull request was not labelled: {e}"));
    }
    outcome.set_pull(operation, pull);
    Ok(())
}

/// Labels, reviewers and assignees of a new pull request. A failure here leaves a valid PR, so it
/// is a warning, not a failed run.
async fn dress(github: &GitHub, cli: &Cli, number: u64) {
    if let Err(e) = github.add_labels(number, &cli.labels).await {
        warning(&format!("the pull request was not labelled: {e}"));
    }
    if let Err(e) = github
        .request_reviewers(number, &cli.reviewers, &cli.team_reviewers)
        .await
    {
        warning(&format!("reviewers were not requested: {e}"));
    }
    if let Err(e) = github.add_assignees(number, &cli.assignees).await {
        warning(&format!("the pull request was not assigned: {e}"));
    }
}

async fn fast_forward(
    github: &GitHub,
    promotion: &Promotion,
    outcome: &mut Outcome,
) -> Result<(), Error> {
    let facts = &promotion.facts;
    match github
        .fast_forward(promotion.target(), &facts.source_sha)
        .await
    {
        Err(e) if e.is_refusal(422, "fast forward") => Err(Error::Declined(format!(
            "`{}` moved on GitHub since this checkout was made and is no longer a fast-forward of `{}`; fetch and run again, or use --mode pr",
            promotion.target(),
            promotion.source()
        ))),
        Err(e) => Err(e),
        Ok(()) => {
            outcome.operation = Operation::FastForwarded;
            Ok(())
        }
    }
}

async fn merge(
    github: &GitHub,
    promotion: &Promotion,
    title: &str,
    outcome: &mut Outcome,
) -> Result<(), Error> {
    let facts = &promotion.facts;
    match github
        .merge(promotion.target(), &facts.source_sha, title)
        .await
    {
        Err(e) if e.is_refusal(409, "Merge conflict") => Err(Error::Declined(format!(
            "GitHub found a merge conflict merging `{}` into `{}`; resolve it in a pull request (--mode pr)",
            promotion.source(),
            promotion.target()
        ))),
        Err(e) => Err(e),
        Ok(Merge::Merged(sha)) => {
            outcome.operation = Operation::Merged;
            outcome.merge_sha = Some(sha);
            Ok(())
        }
        // The checkout saw commits to merge, yet GitHub's target has them all: either this run's
        // first attempt merged them and its answer was lost, or the target moved on GitHub since
        // the checkout. The target's tip tells which.
        Ok(Merge::NothingToMerge) => {
            let tip = tip_commit(github, promotion.target()).await?;
            if tip.parents == [facts.target_sha.as_str(), facts.source_sha.as_str()] {
                outcome.operation = Operation::Merged;
                outcome.merge_sha = Some(tip.sha);
            } else {
                warning(&format!(
                    "GitHub's `{}` already has every commit of `{}` (it moved since this checkout): nothing merged",
                    promotion.target(),
                    promotion.source()
                ));
            }
            Ok(())
        }
    }
}

/// A branch's newest commit on GitHub, with its parents.
struct TipCommit {
    sha: String,
    parents: Vec<String>,
}

async fn tip_commit(github: &GitHub, branch: &str) -> Result<TipCommit, Error> {
    const GET_COMMIT: Call = Call::on_item("read the branch's commit", "contents: read");
    let path = github.repo_path(&format!("/commits/{}", encode_path(branch)));
    let reply = github.send(Method::GET, &path, None, GET_COMMIT).await?;
    let sha = |v: &Value| v.get("sha").and_then(Value::as_str).map(str::to_string);
    Ok(TipCommit {
        sha: sha(&reply.body)
            .ok_or_else(|| Error::Unexpected("GitHub's commit answer has no SHA".into()))?,
        parents: reply
            .body
            .get("parents")
            .and_then(Value::as_array)
            .map(|ps| ps.iter().filter_map(sha).collect())
            .unwrap_or_default(),
    })
}
