//! `promote-branch`: opens, or updates in place, the pull request that promotes one branch into the
//! next, listing every new commit from the local checkout; or moves the target directly by a
//! fast-forward or a merge commit where a team allows it.

mod outcome;
mod promote;

use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use tidegate_actions::finish;
use tidegate_core::links::Links;
use tidegate_core::promotion::{DEFAULT_TITLE, Facts, title};
use tidegate_git::History;
use tidegate_git::promotion::PromoteError;
use tidegate_github::{RepoId, server_url_from_env};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// Open or update the promotion pull request.
    Pr,
    /// Move the target to the source's commit, only when that is a fast-forward.
    FastForward,
    /// Merge the source into the target with a merge commit, through the API.
    Merge,
}

#[derive(Parser)]
#[command(
    version,
    about = "Promote one branch into the next: a pull request listing every new commit, or a fast-forward or merge"
)]
struct Cli {
    /// The branch to promote (`origin/NAME` is used when the checkout has it).
    #[arg(long, value_name = "SRC")]
    from: String,
    /// The branch to promote into.
    #[arg(long, value_name = "DST")]
    to: String,
    #[arg(long, value_enum, default_value_t = Mode::Pr)]
    mode: Mode,
    /// The checkout (any folder inside it).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// OWNER/NAME on GitHub [default: $GITHUB_REPOSITORY, else the origin remote's].
    #[arg(long, value_name = "OWNER/NAME")]
    github_repo: Option<String>,
    /// The pull request title. Placeholders: {source}, {target}, {count}, {commits} ("7
    /// commits"), {sha} (the source's short SHA).
    #[arg(long, default_value = DEFAULT_TITLE)]
    title: String,
    /// Labels for the pull request (created if missing).
    #[arg(long, value_delimiter = ',')]
    labels: Vec<String>,
    /// Users asked to review a newly opened pull request.
    #[arg(long, value_delimiter = ',')]
    reviewers: Vec<String>,
    /// Teams (slugs) asked to review a newly opened pull request.
    #[arg(long, value_delimiter = ',')]
    team_reviewers: Vec<String>,
    /// Users assigned to a newly opened pull request.
    #[arg(long, value_delimiter = ',')]
    assignees: Vec<String>,
    /// Open the pull request as a draft.
    #[arg(long)]
    draft: bool,
    /// Pin the promotion to the source commit seen now: point this branch at it and make it the
    /// pull request's head, so reviewers approve a fixed head (needs `contents: write`).
    #[arg(long, value_name = "NAME")]
    snapshot_branch: Option<String>,
    /// Exit 1 when the trial merge finds conflicts (the pull request is still opened or updated,
    /// listing them).
    #[arg(long)]
    fail_on_conflict: bool,
    /// Print the plan and the exact title and body, from the checkout alone: no token, no network.
    #[arg(long)]
    dry_run: bool,
    /// Print the outcome as one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// The environment variable holding the token.
    #[arg(long, default_value = "GITHUB_TOKEN", value_name = "NAME")]
    token_env: String,
}

/// An exit code and the one line that explains it.
type Failure = (u8, String);

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return tidegate_actions::usage_failure(e.use_stderr(), &e.to_string()),
    };
    let result = run(&cli);
    // A last guard: nothing printed may carry the token, whatever GitHub echoed.
    let token = std::env::var(&cli.token_env).unwrap_or_default();
    let redact = |text: String| {
        if token.trim().is_empty() {
            text
        } else {
            text.replace(token.trim(), "***")
        }
    };
    finish(result.map_err(|(code, message)| (code, redact(message))))
}

fn run(cli: &Cli) -> Result<(), Failure> {
    if cli.from == cli.to {
        return Err((
            2,
            format!(
                "--from and --to both name `{}`; a promotion goes from one branch into another",
                cli.from
            ),
        ));
    }
    if let Some(snapshot) = cli
        .snapshot_branch
        .as_deref()
        .filter(|s| *s == cli.from || *s == cli.to)
    {
        return Err((
            2,
            format!(
                "--snapshot-branch `{snapshot}` would move --from or --to itself; name a branch of its own, such as promote/{}-to-{}",
                cli.from, cli.to
            ),
        ));
    }
    let promotion = gather(cli)?;
    let title = title(&cli.title, &promotion.facts).map_err(|e| (2, e.0))?;
    if cli.dry_run {
        return outcome::print_dry_run(cli, &promotion, &title);
    }
    let outcome = promote::apply(cli, &promotion, &title)?;
    outcome.publish(cli, &promotion)?;
    if cli.fail_on_conflict && !outcome.conflicts.is_empty() {
        return Err((
            1,
            format!(
                "the trial merge of `{}` into `{}` conflicts in {} file(s): {}; resolve them on the pull request",
                cli.from,
                cli.to,
                outcome.conflicts.len(),
                outcome::short_list(&outcome.conflicts)
            ),
        ));
    }
    Ok(())
}

/// What the checkout says about the promotion, and where it lives on GitHub.
pub struct Promotion {
    facts: Facts,
    fast_forward: bool,
    /// `None` when neither a flag, the environment nor the origin remote names a GitHub repository.
    repo: Option<RepoId>,
    source_found_as: String,
    target_found_as: String,
}

fn gather(cli: &Cli) -> Result<Promotion, Failure> {
    let history =
        History::open(&cli.repo).map_err(|e| (tidegate_git::exit_code(&e), e.to_string()))?;
    let promote_error = |e: PromoteError| (e.exit_code(), e.to_string());
    let source = history.branch_tip(&cli.from).map_err(promote_error)?;
    let target = history.branch_tip(&cli.to).map_err(promote_error)?;
    let range = history
        .promotion_range(source.commit, target.commit)
        .map_err(promote_error)?;
    let (repo, links) = github_repo(cli, &history)?;
    Ok(Promotion {
        facts: Facts {
            source: cli.from.clone(),
            target: cli.to.clone(),
            source_sha: source.commit.to_string(),
            target_sha: target.commit.to_string(),
            commits: range.commits,
            target_only: range.target_only,
            conflicts: range.conflicts,
            links,
        },
        fast_forward: range.fast_forward,
        repo,
        source_found_as: source.found_as,
        target_found_as: target.found_as,
    })
}

/// The GitHub repository and its web links: `--github-repo`, else `GITHUB_REPOSITORY` (on
/// `GITHUB_SERVER_URL`), else the origin remote's URL.
fn github_repo(cli: &Cli, history: &History) -> Result<(Option<RepoId>, Option<Links>), Failure> {
    let named = cli
        .github_repo
        .clone()
        .or_else(|| std::env::var("GITHUB_REPOSITORY").ok())
        .filter(|r| !r.trim().is_empty());
    if let Some(name) = named {
        let repo = RepoId::parse(&name).map_err(|e| (e.exit_code(), e.to_string()))?;
        let links = Links {
            web: format!("{}/{repo}", server_url_from_env()),
            slug: repo.to_string(),
        };
        return Ok((Some(repo), Some(links)));
    }
    let links = history
        .remote_url()
        .and_then(|url| Links::from_remote(&url));
    let repo = links.as_ref().and_then(|l| RepoId::parse(&l.slug).ok());
    Ok((repo, links))
}
