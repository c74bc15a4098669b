//! `gate-check`: every approval gate of a promotion or release evaluated in one step from what
//! GitHub and the checkout say now, then exit: passed, failed or pending, with an audit record
//! that replays offline to the same verdict.

mod read;

use anyhow::Result;
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use tidegate_actions::{Outputs, print_stdout};
use tidegate_core::UsageError;
use tidegate_gate::{Outcome, Policy, Record, Verdict};
use tidegate_git::History;
use tidegate_github::RepoId;

/// Exit codes: a failed gate and a pending one are told apart, so a workflow can wait on one and
/// stop on the other.
mod code {
    pub const PASSED: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const PENDING: u8 = 4;
}

#[derive(Parser)]
#[command(
    version,
    about = "Evaluate a gate (approvals, checks, blockers, ticket, freeze, votes…) and exit: 0 passed, 1 failed, 4 pending"
)]
struct Cli {
    /// The gate, as named in tidegate.toml (`[gates.NAME]`).
    #[arg(long, required_unless_present = "replay")]
    gate: Option<String>,
    /// The pull request to evaluate.
    #[arg(long, conflicts_with_all = ["git_ref", "replay"], required_unless_present_any = ["git_ref", "replay"])]
    pr: Option<u64>,
    /// A commit to evaluate without a pull request (a tag or a branch's tip).
    #[arg(long = "ref", value_name = "SHA", conflicts_with = "replay")]
    git_ref: Option<String>,
    /// With --ref: the branch whose policy applies [default: the remote's default branch, else
    /// main].
    #[arg(long, value_name = "BRANCH", requires = "git_ref")]
    base: Option<String>,
    /// The policy file, relative to the repository root, read from the base branch (never from
    /// the pull request's head) [default: tidegate.toml].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Create or update the check run `tidegate/gate: NAME` on the head commit, so branch
    /// protection or a ruleset can require it.
    #[arg(long)]
    post_check: bool,
    /// Print the audit record (policy and its hash, every fact, the verdict) as JSON.
    #[arg(long)]
    json: bool,
    /// Say what would make each rule pass.
    #[arg(long)]
    explain: bool,
    /// Evaluate at this time (RFC 3339, such as 2026-12-24T10:00:00Z) instead of now: freezes and
    /// vote windows.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Recompute the verdict of an audit record offline (no token, no network); it must agree
    /// with the recorded one.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// The checkout (any folder inside it), with the base and head commits.
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// OWNER/NAME on GitHub [default: $GITHUB_REPOSITORY, else the origin remote's].
    #[arg(long, value_name = "OWNER/NAME")]
    github_repo: Option<String>,
    /// The environment variable holding the token.
    #[arg(long, default_value = "GITHUB_TOKEN", value_name = "NAME")]
    token_env: String,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return tidegate_actions::usage_failure(e.use_stderr(), &e.to_string()),
    };
    match run(&cli) {
        Ok(outcome) => ExitCode::from(match outcome {
            Outcome::Passed => code::PASSED,
            Outcome::Pending => code::PENDING,
            _ => code::FAILED,
        }),
        Err(e) => tidegate_actions::finish(Err((exit_code(&e), format!("{e:#}")))),
    }
}

fn exit_code(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<tidegate_gate::GateError>().is_some() {
        return tidegate_actions::exit::USAGE;
    }
    if let Some(github) = e.downcast_ref::<tidegate_github::Error>() {
        return github.exit_code();
    }
    tidegate_git::exit_code(e.as_ref())
}

fn run(cli: &Cli) -> Result<Outcome> {
    let at = cli
        .at
        .as_deref()
        .map(|text| {
            text.parse::<jiff::Timestamp>().map_err(|e| {
                UsageError(format!(
                    "--at `{}` is not a time: write it as RFC 3339, such as 2026-12-24T10:00:00Z ({e})",
                    tidegate_actions::one_line(text)
                ))
            })
        })
        .transpose()?;
    if let Some(file) = &cli.replay {
        let text = std::fs::read_to_string(file).map_err(|e| {
            UsageError(format!(
                "cannot read the record {}: {}",
                file.display(),
                tidegate_actions::io_reason(&e)
            ))
        })?;
        let record = Record::from_json(&text)?;
        let verdict = tidegate_gate::replay(&record, at)?;
        return report(cli, &verdict, None);
    }
    let gate = cli.gate.clone().unwrap_or_default();
    let history = History::open(&cli.repo)?;
    let named = cli
        .github_repo
        .clone()
        .or_else(|| tidegate_github::overrides::repo_of(&history))
        .ok_or_else(|| {
            UsageError(
                "cannot tell which GitHub repository this is: pass --github-repo OWNER/NAME (or set GITHUB_REPOSITORY)".into(),
            )
        })?;
    let repo = RepoId::parse(&named)?;
    let now = at.unwrap_or_else(jiff::Timestamp::now);
    let target = match (cli.pr, &cli.git_ref) {
        (Some(number), _) => read::Target::Pull(number),
        (None, Some(sha)) => read::Target::Commit {
            sha: history.resolve(sha)?.to_string(),
            base: cli.base.clone(),
        },
        (None, None) => {
            return Err(UsageError("give --pr N or --ref SHA (or --replay FILE)".into()).into());
        }
    };
    let config = cli
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("tidegate.toml"));
    let post = cli.post_check;
    let record = tidegate_github::block_on_client(&cli.token_env, repo, |gh| async move {
        let read = read::Reader {
            gh: &gh,
            history: &history,
        };
        let (policy_text, facts) = read.facts(&target, &config, &gate).await?;
        let policy = Policy::parse(&policy_text)?;
        let record = Record::evaluate(&policy, &gate, facts, now)?;
        if post {
            read.post(&record).await?;
        }
        Ok::<_, anyhow::Error>(record)
    })?;
    report(cli, &record.verdict, Some(&record))
}

/// The verdict for people (terminal, step summary) and for workflows (outputs, `--json`).
fn report(cli: &Cli, verdict: &Verdict, record: Option<&Record>) -> Result<Outcome> {
    let mut outputs = Outputs::default();
    outputs
        .set("outcome", verdict.outcome.name())
        .set("passed", (verdict.outcome == Outcome::Passed).to_string());
    outputs.write()?;
    if std::env::var_os("GITHUB_STEP_SUMMARY").is_some_and(|p| !p.is_empty()) {
        tidegate_actions::report(&tidegate_gate::report::markdown(verdict, cli.explain))?;
    }
    match record {
        Some(record) if cli.json => print_stdout(&format!("{}\n", record.to_json()))?,
        _ if cli.json => print_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(verdict).unwrap_or_default()
        ))?,
        _ if cli.explain => print_stdout(&tidegate_gate::report::markdown(verdict, true))?,
        _ => print_stdout(&tidegate_gate::report::terminal(verdict))?,
    }
    Ok(verdict.outcome)
}
