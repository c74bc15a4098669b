//! `backport`: cherry-picks what a merged pull request brought onto release lines, made locally
//! from the checkout and written through the API, and opens one backport pull request per target.

mod pick;
mod target;
mod text;
mod trigger;

use clap::{ArgAction, Parser};
use git2::{Oid, Repository};
use serde_json::{Value, json};
use std::path::PathBuf;
use tidegate_actions::{Outputs, exit, notice, warning};
use tidegate_github::backports::PullDetails;
use tidegate_github::{GitHub, RepoId};
use trigger::Request;

#[derive(Parser)]
#[command(
    version,
    about = "Backport a merged pull request onto release branches: one backport pull request per target"
)]
pub struct Cli {
    /// The merged pull request to backport (with --to); without it, the workflow's event says.
    #[arg(long, value_name = "N")]
    pr: Option<u64>,
    /// A branch to backport to; repeat it (or separate with commas) for several.
    #[arg(long = "to", value_name = "BRANCH", value_delimiter = ',')]
    to: Vec<String>,
    /// The event file [default: $GITHUB_EVENT_PATH on pull_request_target, pull_request and
    /// issue_comment events].
    #[arg(long, value_name = "FILE")]
    event: Option<PathBuf>,
    /// Labels that ask for a backport start with this; the rest is the target branch.
    #[arg(long, default_value = "backport ", value_name = "TEXT")]
    label_prefix: String,
    /// Give the backport PR the original's labels (all but the backport labels).
    #[arg(long, default_value_t = true, action = ArgAction::Set, value_name = "BOOL")]
    carry_labels: bool,
    /// More labels for the backport PRs.
    #[arg(long, value_delimiter = ',', value_name = "LABELS")]
    labels: Vec<String>,
    /// Put the backport PR in the original's milestone.
    #[arg(long, default_value_t = true, action = ArgAction::Set, value_name = "BOOL")]
    carry_milestone: bool,
    /// Assign the backport PR to the original's author.
    #[arg(long)]
    assign_author: bool,
    /// The checkout (any folder inside it), fetched with the history of the base and targets.
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// OWNER/NAME on GitHub [default: $GITHUB_REPOSITORY].
    #[arg(long, value_name = "OWNER/NAME")]
    github_repo: Option<String>,
    /// Print the results as one JSON document on stdout.
    #[arg(long)]
    json: bool,
    /// The environment variable holding the token.
    #[arg(long, default_value = "GITHUB_TOKEN", value_name = "NAME")]
    token_env: String,
}

/// An exit code and the one line that explains it.
pub type Failure = (u8, String);

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return tidegate_actions::usage_failure(e.use_stderr(), &e.to_string()),
    };
    let result = run(&cli);
    let token = std::env::var(&cli.token_env).unwrap_or_default();
    let redact = |text: String| {
        if token.trim().is_empty() {
            text
        } else {
            text.replace(token.trim(), "***")
        }
    };
    tidegate_actions::finish(result.map_err(|(code, message)| (code, redact(message))))
}

fn usage(message: impl Into<String>) -> Failure {
    (exit::USAGE, message.into())
}

fn github_failure(e: tidegate_github::Error) -> Failure {
    (e.exit_code(), e.to_string())
}

/// What asked, from the flags or the event.
fn request(cli: &Cli) -> Result<Request, Failure> {
    if let Some(pr) = cli.pr {
        if cli.to.iter().all(|t| t.trim().is_empty()) {
            return Err(usage(format!(
                "--pr {pr} needs --to BRANCH: the release branch to backport to"
            )));
        }
        return Ok(Request::Backport {
            pr,
            targets: cli.to.iter().map(|t| t.trim().to_string()).collect(),
            comment: None,
            from_event: false,
        });
    }
    if !cli.to.is_empty() {
        return Err(usage(
            "--to needs --pr N: the merged pull request to backport",
        ));
    }
    let name = std::env::var("GITHUB_EVENT_NAME").unwrap_or_default();
    let path = match &cli.event {
        Some(path) => path.clone(),
        None if matches!(
            name.as_str(),
            "pull_request_target" | "pull_request" | "issue_comment"
        ) =>
        {
            PathBuf::from(std::env::var("GITHUB_EVENT_PATH").unwrap_or_default())
        }
        None => {
            return Err(usage(
                "nothing says what to backport: pass --pr N --to BRANCH, or run on a pull_request_target (closed, labeled) or issue_comment event",
            ));
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        usage(format!(
            "cannot read the event file {}: {}",
            path.display(),
            tidegate_actions::io_reason(&e)
        ))
    })?;
    let event: Value = serde_json::from_str(&text).map_err(|e| {
        usage(format!(
            "the event file {} is not JSON ({e})",
            path.display()
        ))
    })?;
    let name = if name.is_empty() {
        if event.get("comment").is_some() {
            "issue_comment".to_string()
        } else {
            "pull_request_target".to_string()
        }
    } else {
        name
    };
    trigger::from_event(&name, &event, &cli.label_prefix).map_err(usage)
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let (pr, targets, comment, from_event) = match request(cli)? {
        Request::Nothing(why) => {
            notice(&format!("nothing to backport: {why}"));
            return publish(cli, &[]);
        }
        Request::Backport {
            pr,
            targets,
            comment,
            from_event,
        } => (pr, targets, comment, from_event),
    };
    let repo = Repository::discover(&cli.repo).map_err(|e| {
        usage(format!(
            "{} is not a git checkout ({}): run in the repository's checkout, or pass --repo",
            cli.repo.display(),
            e.message()
        ))
    })?;
    let github_repo = cli
        .github_repo
        .clone()
        .or_else(|| std::env::var("GITHUB_REPOSITORY").ok())
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| {
            usage("no repository: pass --github-repo OWNER/NAME or set GITHUB_REPOSITORY")
        })?;
    let github_repo = RepoId::parse(&github_repo).map_err(github_failure)?;
    let results = tidegate_github::block_on_client(&cli.token_env, github_repo, |gh| async move {
        let asked = Asked {
            pr,
            targets,
            comment,
            from_event,
        };
        backport(cli, &repo, &gh, asked).await.map_err(Stop)
    })
    .map_err(|Stop(failure)| failure)?;
    publish(cli, &results)?;
    let worst = results.iter().map(|r| r.exit_code).max().unwrap_or(0);
    if worst > 0 {
        let failed: Vec<String> = results
            .iter()
            .filter(|r| r.status == target::Status::Failed)
            .map(|r| format!("{}: {}", r.target, r.message))
            .collect();
        return Err((worst, format!("backport failed for {}", failed.join("; "))));
    }
    Ok(())
}

/// A failure out of the GitHub step.
struct Stop(Failure);

impl From<tidegate_github::Error> for Stop {
    fn from(e: tidegate_github::Error) -> Self {
        Stop(github_failure(e))
    }
}

pub struct Asked {
    pr: u64,
    targets: Vec<String>,
    comment: Option<(u64, String)>,
    from_event: bool,
}

/// The roles that may ask with a comment.
const WRITERS: [&str; 3] = ["admin", "maintain", "write"];

async fn backport(
    cli: &Cli,
    repo: &Repository,
    gh: &GitHub,
    asked: Asked,
) -> Result<Vec<target::TargetResult>, Failure> {
    let pr = asked.pr;
    if let Some((id, user)) = &asked.comment {
        let role = gh.permission(user).await.map_err(github_failure)?;
        if !WRITERS.contains(&role.as_str()) {
            let line = format!(
                "{} may not ask for backports: it takes write access to the repository ({} has {role}); the comment is ignored",
                tidegate_core::markdown::code_span(user),
                tidegate_core::markdown::code_span(user),
            );
            reply(gh, pr, *id, &line).await?;
            // Ignored, not failed: anyone may comment, and a red workflow would say nothing new.
            notice(&format!(
                "{} may not ask for backports (role {role}, write access needed); replied on #{pr} and did nothing",
                tidegate_actions::one_line(user)
            ));
            return Ok(Vec::new());
        }
    }
    let refuse = |message: String| async {
        if let Some((id, _)) = &asked.comment {
            let _ = reply(
                gh,
                pr,
                *id,
                &tidegate_core::markdown::escape_inline(&message),
            )
            .await;
        }
        Err::<Vec<target::TargetResult>, Failure>(usage(message))
    };
    let Some(details) = gh.pull_details(pr).await.map_err(github_failure)? else {
        return refuse(format!(
            "there is no pull request #{pr} in {}: check --pr",
            gh.repo()
        ))
        .await;
    };
    let Some(merge_sha) = details.merge_commit_sha.clone().filter(|_| details.merged) else {
        if asked.from_event {
            notice(&format!(
                "pull request #{pr} is not merged; it is backported when it is merged"
            ));
            return Ok(Vec::new());
        }
        return refuse(format!(
            "pull request #{pr} is not merged: only a merged pull request can be backported (label it, and it is backported when it is merged)"
        ))
        .await;
    };
    let mut targets: Vec<String> = Vec::new();
    for t in asked.targets {
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    let mut tips = Vec::new();
    for t in &targets {
        if *t == details.base {
            return refuse(format!(
                "pull request #{pr} was merged into `{t}` itself; backport it to another branch"
            ))
            .await;
        }
        match local_branch(repo, t) {
            Some(tip) => tips.push(tip),
            None => {
                return refuse(format!(
                    "branch `{}` does not exist (not in the checkout's origin/* branches): check the name, or fetch it before running",
                    tidegate_actions::one_line(t)
                ))
                .await;
            }
        }
    }
    let merge = Oid::from_str(&merge_sha)
        .ok()
        .filter(|oid| repo.find_commit(*oid).is_ok());
    let Some(merge) = merge else {
        return Err(usage(format!(
            "commit {merge_sha} (what #{pr} merged) is not in the checkout: fetch `{}` with its full history (actions/checkout with fetch-depth: 0)",
            details.base
        )));
    };
    let git = |e: git2::Error| (exit::FAILURE, format!("git: {}", e.message()));
    let single_parent = repo.find_commit(merge).map_err(git)?.parent_count() == 1;
    let subjects = if single_parent && details.commits > 1 {
        gh.pull_commit_subjects(pr).await.map_err(github_failure)?
    } else {
        Vec::new()
    };
    let picks = pick::picks(repo, merge, details.commits, &subjects).map_err(git)?;
    if let Some(w) = &picks.warning {
        warning(w);
    }
    if let Some((id, _)) = &asked.comment {
        gh.react_to_comment(*id, "+1")
            .await
            .map_err(github_failure)?;
    }
    let context = target::Context {
        cli,
        repo,
        gh,
        details: &details,
        merge,
        picks: &picks,
    };
    let mut results = Vec::new();
    for (t, tip) in targets.iter().zip(tips) {
        results.push(target::backport_to(&context, t, tip).await);
    }
    let comments = gh.comments_of(pr).await.map_err(github_failure)?;
    let previous = gh
        .marked_comment(&comments, text::RESULTS_MARKER)
        .await
        .map_err(github_failure)?;
    let previous = previous.as_ref().map(|c| c.body.as_str());
    // A target whose open backport the comment already names keeps its section: a re-run
    // changes nothing, and "opened" or the conflict's commands stay as they were said.
    let sections: Vec<(String, String)> = results
        .iter()
        .filter(|r| {
            !(r.earlier_open
                && r.pr
                    .zip(previous)
                    .is_some_and(|(n, comment)| text::reports(comment, &r.target, n)))
        })
        .map(|r| (r.target.clone(), r.section.clone()))
        .collect();
    let body = text::results_comment(pr, previous, &sections);
    gh.upsert_marked_comment(pr, text::RESULTS_MARKER, &body)
        .await
        .map_err(github_failure)?;
    Ok(results)
}

/// Replies once to a `/backport` comment that was refused.
async fn reply(gh: &GitHub, pr: u64, comment: u64, line: &str) -> Result<(), Failure> {
    let marker = text::refusal_marker(comment);
    gh.upsert_marked_comment(pr, &marker, &format!("{marker}\n{line}\n"))
        .await
        .map(drop)
        .map_err(github_failure)
}

/// The tip of `origin/NAME` in the checkout, else of the local branch `NAME`.
fn local_branch(repo: &Repository, name: &str) -> Option<Oid> {
    [
        format!("refs/remotes/origin/{name}"),
        format!("refs/heads/{name}"),
    ]
    .iter()
    .find_map(|r| repo.find_reference(r).ok()?.peel_to_commit().ok())
    .map(|c| c.id())
}

/// Outputs, the step summary and `--json`.
fn publish(cli: &Cli, results: &[target::TargetResult]) -> Result<(), Failure> {
    let created: Vec<String> = results
        .iter()
        .filter(|r| r.created)
        .filter_map(|r| r.pr.map(|n| n.to_string()))
        .collect();
    let json_results: Vec<Value> = results.iter().map(target::TargetResult::json).collect();
    let document = Value::Array(json_results);
    let mut outputs = Outputs::default();
    outputs
        .set("created", created.join(","))
        .set("results", document.to_string());
    let io = |e: std::io::Error| (exit::FAILURE, e.to_string());
    outputs.write().map_err(io)?;
    if !results.is_empty() {
        let summary: Vec<String> = results.iter().map(|r| r.section.clone()).collect();
        tidegate_actions::report(&format!("### Backports\n\n{}\n", summary.join("\n\n")))
            .map_err(io)?;
    }
    if cli.json {
        tidegate_actions::print_stdout(&format!(
            "{}\n",
            json!({ "created": created, "results": document })
        ))
        .map_err(io)?;
    }
    Ok(())
}

/// The original's fields a target needs.
pub fn carried_labels(cli: &Cli, details: &PullDetails) -> Vec<String> {
    let mut labels: Vec<String> = if cli.carry_labels {
        details
            .labels
            .iter()
            .filter(|l| trigger::label_target(l, &cli.label_prefix).is_none())
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    for extra in &cli.labels {
        let extra = extra.trim();
        if !extra.is_empty() && !labels.iter().any(|l| l.eq_ignore_ascii_case(extra)) {
            labels.push(extra.to_string());
        }
    }
    labels
}
