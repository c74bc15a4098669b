//! `promote-branch`: opens, or updates in place, the pull request that promotes one branch into the
//! next, listing every new commit from the local checkout; or moves the target directly by a
//! fast-forward or a merge commit where a team allows it.

mod outcome;
mod promote;
mod sync;

use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use tidegate_actions::{finish, warning};
use tidegate_core::links::Links;
use tidegate_core::promotion::{
    DEFAULT_TITLE, Facts, check_body_header, plural, short, squashed_promotions, title,
};
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

/// What to do when the trial merge conflicts (mode `pr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnConflict {
    /// Open or update the pull request and list the conflicting files in it.
    Open,
    /// Open no pull request (an open one is still updated, so it lists the conflicts); exit 0.
    Skip,
    /// Open or update the pull request listing them, then exit 1.
    Fail,
}

#[derive(Parser)]
#[command(
    version,
    about = "Promote one branch into the next: a pull request listing every new commit, or a fast-forward or merge"
)]
struct Cli {
    /// The branch to promote, `NAME` or `origin/NAME` (`origin/NAME` is used when the checkout
    /// has it).
    #[arg(long, value_name = "SRC")]
    from: String,
    /// The branch to promote into, `NAME` or `origin/NAME`.
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
    #[arg(long, default_value = DEFAULT_TITLE, allow_hyphen_values = true)]
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
    /// Markdown placed above Tidegate's block when the pull request is created (a fixed note such
    /// as "merge with a merge commit"); people's text around the block is kept on every update.
    #[arg(long, value_name = "MARKDOWN", allow_hyphen_values = true)]
    body_header: Option<String>,
    /// When the trial merge conflicts: `open` the pull request listing the files, `skip` opening
    /// it, or `fail` (open it, then exit 1).
    #[arg(long, value_enum, value_name = "WHAT")]
    on_conflict: Option<OnConflict>,
    /// The same as `--on-conflict fail`.
    #[arg(long, conflicts_with = "on_conflict")]
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
    /// Promote into another repository: push the source's commits to a sync branch there and
    /// open or update one pull request from it into `--to` (a branch of that repository).
    #[arg(long, value_name = "OWNER/NAME")]
    to_repo: Option<String>,
    /// With --to-repo: the environment variable holding the downstream repository's token.
    #[arg(long, default_value = "DOWNSTREAM_TOKEN", value_name = "NAME")]
    to_token_env: String,
    /// With --to-repo: the downstream branch the source is pushed to [default:
    /// tidegate/sync/<upstream-owner>-<upstream-repo>/<SRC>].
    #[arg(long, value_name = "NAME")]
    sync_branch: Option<String>,
}

/// An exit code and the one line that explains it.
type Failure = (u8, String);

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return tidegate_actions::usage_failure(e.use_stderr(), &e.to_string()),
    };
    let result = run(&cli);
    // A last guard: nothing printed may carry a token, whatever GitHub or git echoed.
    let tokens: Vec<String> = [&cli.token_env, &cli.to_token_env]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let redact = |text: String| {
        tokens
            .iter()
            .fold(text, |text, token| text.replace(token.as_str(), "***"))
    };
    finish(result.map_err(|(code, message)| (code, redact(message))))
}

impl Cli {
    fn on_conflict(&self) -> OnConflict {
        match (self.on_conflict, self.fail_on_conflict) {
            (Some(choice), _) => choice,
            (None, true) => OnConflict::Fail,
            (None, false) => OnConflict::Open,
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    if let Some(header) = &cli.body_header {
        check_body_header(header).map_err(|e| (2, e.0))?;
    }
    if let Some(to_repo) = &cli.to_repo {
        return sync::run(cli, to_repo);
    }
    if cli.sync_branch.is_some() {
        return Err((
            2,
            "--sync-branch goes with --to-repo (a hop into another repository)".to_string(),
        ));
    }
    let promotion = gather(cli)?;
    let title = title(&cli.title, &promotion.facts).map_err(|e| (2, e.0))?;
    for squash in &promotion.facts.squashed {
        warning(&format!(
            "`{}` has {} \"{}\", which looks like an earlier promotion squash-merged: its commits are not on `{}`, so they are listed again; merge promotion pull requests with a merge commit",
            promotion.target(),
            short(&squash.id),
            squash.subject,
            promotion.target()
        ));
    }
    if cli.dry_run {
        outcome::print_dry_run(cli, &promotion, &title)?;
        // A dry run answers with the exit code the real run would have.
        if let Some(refused) = promote::refusal(cli, &promotion) {
            return Err((1, refused));
        }
        return conflict_verdict(cli, &promotion, &promotion.facts.conflicts);
    }
    let outcome = promote::apply(cli, &promotion, &title)?;
    outcome.publish(cli, &promotion)?;
    conflict_verdict(cli, &promotion, &outcome.conflicts)
}

/// `--on-conflict fail`: exit 1 once the pull request lists the conflicts.
fn conflict_verdict(cli: &Cli, promotion: &Promotion, conflicts: &[String]) -> Result<(), Failure> {
    if cli.on_conflict() != OnConflict::Fail
        || conflicts.is_empty()
        || promotion.facts.commits.is_empty()
    {
        return Ok(());
    }
    Err((
        1,
        format!(
            "the trial merge of `{}` into `{}` conflicts in {}: {}; resolve them on the pull request",
            promotion.source(),
            promotion.target(),
            plural(conflicts.len(), "file"),
            outcome::short_list(conflicts)
        ),
    ))
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

impl Promotion {
    /// The source branch's name on GitHub (`main`, also when given as `origin/main`).
    pub fn source(&self) -> &str {
        &self.facts.source
    }

    pub fn target(&self) -> &str {
        &self.facts.target
    }
}

fn gather(cli: &Cli) -> Result<Promotion, Failure> {
    let history =
        History::open(&cli.repo).map_err(|e| (tidegate_git::exit_code(&e), e.to_string()))?;
    let promote_error = |e: PromoteError| (e.exit_code(), e.to_string());
    let source = history.branch_tip(&cli.from).map_err(promote_error)?;
    let target = history.branch_tip(&cli.to).map_err(promote_error)?;
    if source.branch == target.branch {
        return Err((
            2,
            format!(
                "--from and --to both name `{}`; a promotion goes from one branch into another",
                source.branch
            ),
        ));
    }
    if let Some(snapshot) = cli
        .snapshot_branch
        .as_deref()
        .filter(|s| *s == source.branch || *s == target.branch)
    {
        return Err((
            2,
            format!(
                "--snapshot-branch `{snapshot}` would move --from or --to itself; name a branch of its own, such as promote/{}-to-{}",
                source.branch, target.branch
            ),
        ));
    }
    let range = history
        .promotion_range(source.commit, target.commit)
        .map_err(promote_error)?;
    let (repo, links) = github_repo(cli, &history)?;
    let squashed = if range.commits.is_empty() {
        Vec::new()
    } else {
        squashed_promotions(&range.target_only, &cli.title)
    };
    Ok(Promotion {
        facts: Facts {
            source: source.branch.clone(),
            target: target.branch.clone(),
            source_sha: source.commit.to_string(),
            target_sha: target.commit.to_string(),
            commits: range.commits,
            target_only: range.target_only,
            squashed,
            conflicts: range.conflicts,
            links,
            target_links: None,
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
