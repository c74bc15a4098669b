//! Carrying a planned promotion out on GitHub: the pull request (found and updated in place, else
//! created), a fast-forward, or a merge commit.

use crate::outcome::{Operation, Outcome};
use crate::{Cli, Failure, Mode, Promotion};
use tidegate_actions::warning;
use tidegate_core::promotion::body;
use tidegate_github::pulls::{NewPullRequest, PullRequest};
use tidegate_github::refs::Merge;
use tidegate_github::{Error, GitHub, RetryPolicy, Token, api_url_from_env};

fn github_failure(e: Error) -> Failure {
    (e.exit_code(), e.to_string())
}

pub fn apply(cli: &Cli, promotion: &Promotion, title: &str) -> Result<Outcome, Failure> {
    let facts = &promotion.facts;
    let mut outcome = Outcome::new(facts);
    if facts.commits.is_empty() {
        return Ok(outcome);
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
        let github = GitHub::new(&api_url_from_env(), token, repo, RetryPolicy::from_env())
            .map_err(github_failure)?;
        match cli.mode {
            Mode::Pr => pull_request(&github, cli, promotion, title, &mut outcome).await,
            Mode::FastForward => fast_forward(&github, cli, promotion, &mut outcome).await,
            Mode::Merge => merge(&github, cli, promotion, title, &mut outcome).await,
        }
        .map_err(github_failure)?;
        Ok(outcome)
    })
}

async fn pull_request(
    github: &GitHub,
    cli: &Cli,
    promotion: &Promotion,
    title: &str,
    outcome: &mut Outcome,
) -> Result<(), Error> {
    let facts = &promotion.facts;
    let head = cli.snapshot_branch.as_deref().unwrap_or(&cli.from);

    if let Some(snapshot) = &cli.snapshot_branch {
        github.force_branch(snapshot, &facts.source_sha).await?;
    }
    let pull = match github.find_open_pull(head, &cli.to).await? {
        Some(pull) => pull,
        None => {
            let new = NewPullRequest {
                title,
                head,
                base: &cli.to,
                body: &body(None, facts),
                draft: cli.draft,
            };
            let created = match github.create_pull(&new).await {
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
            // Another run (or our lost first attempt) created it: bring it up to date.
            created.pull
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
    cli: &Cli,
    promotion: &Promotion,
    outcome: &mut Outcome,
) -> Result<(), Error> {
    let facts = &promotion.facts;
    if !promotion.fast_forward {
        let own: Vec<String> = facts
            .target_only
            .iter()
            .take(5)
            .map(|c| format!("{} {}", &c.id[..c.id.len().min(7)], c.subject))
            .collect();
        let more = facts.target_only.len().saturating_sub(own.len());
        return Err(Error::Declined(format!(
            "`{}` cannot be fast-forwarded to `{}`: it has {} commit(s) that `{}` lacks ({}{}); promote with --mode pr (or --mode merge)",
            cli.to,
            cli.from,
            facts.target_only.len(),
            cli.from,
            own.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
        )));
    }
    match github.fast_forward(&cli.to, &facts.source_sha).await {
        Err(e) if e.is_refusal(422, "fast forward") => Err(Error::Declined(format!(
            "`{}` moved on GitHub since this checkout was made and is no longer a fast-forward of `{}`; fetch and run again, or use --mode pr",
            cli.to, cli.from
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
    cli: &Cli,
    promotion: &Promotion,
    title: &str,
    outcome: &mut Outcome,
) -> Result<(), Error> {
    let facts = &promotion.facts;
    if !facts.conflicts.is_empty() {
        return Err(Error::Declined(format!(
            "merging `{}` into `{}` would conflict in {}; resolve them in a pull request (--mode pr)",
            cli.from,
            cli.to,
            crate::outcome::short_list(&facts.conflicts)
        )));
    }
    match github.merge(&cli.to, &facts.source_sha, title).await {
        Err(e) if e.is_refusal(409, "Merge conflict") => Err(Error::Declined(format!(
            "GitHub found a merge conflict merging `{}` into `{}`; resolve it in a pull request (--mode pr)",
            cli.from, cli.to
        ))),
        Err(e) => Err(e),
        Ok(Merge::Merged(sha)) => {
            outcome.operation = Operation::Merged;
            outcome.merge_sha = Some(sha);
            Ok(())
        }
        // The checkout saw commits to merge, so "nothing to merge" means a first attempt merged
        // them and its answer was lost: report the merge GitHub now has.
        Ok(Merge::NothingToMerge) => {
            outcome.operation = Operation::Merged;
            outcome.merge_sha = Some(github.branch_sha(&cli.to).await?);
            Ok(())
        }
    }
}
