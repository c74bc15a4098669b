//! `deploy`: a version (a tag) into an environment as a GitHub deployment, carried out by the
//! team's deploy workflow started by `workflow_dispatch`; the workflow's last step reports the
//! status; rollback to a version that ran there before; the environment's history.

mod history;
mod workflow;

use anyhow::{Context, Result};
use clap::Parser;
use serde_json::{Value, json};
use std::process::ExitCode;
use tidegate_actions::{Outputs, one_line, print_stdout};
use tidegate_core::UsageError;
use tidegate_github::deployments::{NewDeployment, Run};
use tidegate_github::{Error, GitHub, RepoId};

use history::Row;

#[derive(Parser)]
// `--version` names the version to deploy, so the binary's own version is not a flag here.
#[command(
    about = "Deploy a version to an environment through the deploy workflow, report its status, roll back, or list the history"
)]
struct Cli {
    /// The environment (staging, production…).
    #[arg(long = "env", value_name = "ENV")]
    environment: String,
    /// The version to deploy: a tag that exists on GitHub.
    #[arg(long, value_name = "TAG")]
    version: Option<String>,
    /// The deploy workflow's file name under .github/workflows/ (deploy.yml) [default with
    /// --rollback: the workflow the live deployment was started with].
    #[arg(long, value_name = "FILE")]
    workflow: Option<String>,
    /// The branch whose workflow file runs [default: the repository's default branch].
    #[arg(long = "ref", value_name = "BRANCH")]
    workflow_ref: Option<String>,
    /// Why: kept in the deployment's payload and shown by --list (required by --rollback).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// Require a published release of the tag with SHA256SUMS and every file it lists.
    #[arg(long)]
    require_assets: bool,
    /// Commit status contexts GitHub must see green on the tag [default: none].
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    required_contexts: Vec<String>,
    /// A further workflow input, NAME=VALUE (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    inputs: Vec<String>,
    /// The workflow input that gets the version.
    #[arg(long, default_value = "version", value_name = "NAME")]
    version_input: String,
    /// The workflow input that gets the environment.
    #[arg(long, default_value = "environment", value_name = "NAME")]
    environment_input: String,
    /// The workflow input that gets the deployment's id.
    #[arg(long, default_value = "deployment-id", value_name = "NAME")]
    deployment_id_input: String,
    /// Report the deployment's status (the deploy workflow's last step).
    #[arg(long, value_name = "STATE", value_parser = ["success", "failure", "error", "in_progress"],
          conflicts_with_all = ["version", "rollback", "list"])]
    status: Option<String>,
    /// With --status: the deployment [default: the newest of ENV without a final status].
    #[arg(long, value_name = "N", requires = "status")]
    deployment_id: Option<u64>,
    /// With --status: the run's log URL [default: this run's, on Actions].
    #[arg(long, value_name = "URL", requires = "status")]
    log_url: Option<String>,
    /// With --status: a short description (140 characters at most).
    #[arg(long, value_name = "TEXT", requires = "status")]
    description: Option<String>,
    /// Deploy again the version that was live before (or --to TAG); needs --reason.
    #[arg(long, conflicts_with_all = ["version", "list"])]
    rollback: bool,
    /// With --rollback: the version to go back to.
    #[arg(long, value_name = "TAG", requires = "rollback")]
    to: Option<String>,
    /// With --rollback: allow a version that never succeeded in ENV.
    #[arg(long, requires = "rollback")]
    force: bool,
    /// Print the environment's history.
    #[arg(long, conflicts_with = "version")]
    list: bool,
    /// With --list: how many deployments, newest first.
    #[arg(long, default_value_t = 30, value_name = "N", requires = "list")]
    limit: usize,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    /// OWNER/NAME on GitHub [default: $GITHUB_REPOSITORY].
    #[arg(long, value_name = "OWNER/NAME")]
    github_repo: Option<String>,
    /// The environment variable holding the token.
    #[arg(long, default_value = "GITHUB_TOKEN", value_name = "NAME")]
    token_env: String,
}

/// A deployment as asked: what, where, how, and why.
struct Request {
    version: String,
    /// `None` for a rollback without --workflow: the live deployment's.
    workflow: Option<String>,
    workflow_ref: Option<String>,
    reason: String,
    rollback_of: Option<String>,
    extra_inputs: Vec<(String, String)>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return tidegate_actions::usage_failure(e.use_stderr(), &e.to_string()),
    };
    tidegate_actions::finish(run(&cli).map_err(|e| (exit_code(&e), format!("{e:#}"))))
}

fn exit_code(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<UsageError>().is_some() {
        return tidegate_actions::exit::USAGE;
    }
    match e.downcast_ref::<Error>() {
        Some(github) => github.exit_code(),
        None => tidegate_actions::exit::FAILURE,
    }
}

fn usage(text: String) -> anyhow::Error {
    UsageError(text).into()
}

fn declined(text: String) -> anyhow::Error {
    Error::Declined(text).into()
}

/// Refuses names GitHub or git could never hold before any request: an environment name with a
/// control character or over GitHub's 255 characters, a version that is no tag name, a workflow
/// that is not a file name.
fn check_names(cli: &Cli) -> Result<()> {
    let env = &cli.environment;
    if env.chars().any(char::is_control) || env.chars().count() > 255 {
        return Err(usage(format!(
            "--env `{}` is not an environment name: GitHub's have at most 255 characters and no line break or control character",
            one_line(env)
        )));
    }
    for (flag, tag) in [("--version", &cli.version), ("--to", &cli.to)] {
        let Some(tag) = tag else { continue };
        if tag.trim().is_empty() {
            return Err(usage(format!(
                "{flag} is empty: name the release tag to deploy, such as v1.4.0"
            )));
        }
        if let Some(why) = tag_name_problem(tag) {
            return Err(usage(format!(
                "{flag} `{}` is not a tag name ({why}); name the release tag, such as v1.4.0",
                one_line(tag)
            )));
        }
    }
    if let Some(file) = &cli.workflow
        && (file.trim().is_empty()
            || file.contains(['/', '\\'])
            || file.starts_with('.')
            || file.chars().any(char::is_control))
    {
        return Err(usage(format!(
            "--workflow `{}` is not a file name under .github/workflows/: write it as deploy.yml",
            one_line(file)
        )));
    }
    Ok(())
}

/// Why `tag` cannot be a git tag name (git check-ref-format's rules that matter here).
fn tag_name_problem(tag: &str) -> Option<&'static str> {
    if tag.chars().any(|c| c.is_control() || c.is_whitespace()) {
        Some("it holds a space, a line break or a control character")
    } else if tag.contains(['~', '^', ':', '?', '*', '[', '\\'])
        || tag.contains("..")
        || tag.contains("@{")
    {
        Some("git refuses `~ ^ : ? * [ \\`, `..` and `@{` in tag names")
    } else if tag.starts_with(['-', '/', '.'])
        || tag.ends_with(['/', '.'])
        || tag.ends_with(".lock")
    {
        Some(
            "git refuses a tag name that starts with `-`, `/` or `.`, or ends with `/`, `.` or `.lock`",
        )
    } else {
        None
    }
}

fn run(cli: &Cli) -> Result<()> {
    if cli.environment.trim().is_empty() {
        return Err(usage(
            "--env is empty: name the environment (staging, production…)".into(),
        ));
    }
    check_names(cli)?;
    // Everything that needs no request is checked before the first one.
    let extra_inputs = cli
        .inputs
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
            _ => Err(usage(format!(
                "--input `{}` is not NAME=VALUE",
                one_line(pair)
            ))),
        })
        .collect::<Result<Vec<_>>>()?;
    let request = if cli.status.is_some() || cli.list {
        None
    } else if cli.rollback {
        let reason = cli
            .reason
            .clone()
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| {
                usage(
                    "a rollback needs --reason TEXT: say why, it is kept with the deployment"
                        .into(),
                )
            })?;
        Some(Request {
            version: cli.to.clone().unwrap_or_default(),
            workflow: cli.workflow.clone(),
            workflow_ref: cli.workflow_ref.clone(),
            reason,
            rollback_of: None,
            extra_inputs,
        })
    } else {
        let version = cli.version.clone().ok_or_else(|| {
            usage("give --version TAG to deploy, or one of --status, --rollback, --list".into())
        })?;
        let workflow = cli.workflow.clone().ok_or_else(|| {
            usage("give --workflow FILE: the deploy workflow under .github/workflows/ that deploys the version".into())
        })?;
        Some(Request {
            version,
            workflow: Some(workflow),
            workflow_ref: cli.workflow_ref.clone(),
            reason: cli.reason.clone().unwrap_or_default(),
            rollback_of: None,
            extra_inputs,
        })
    };
    let named = cli
        .github_repo
        .clone()
        .or_else(|| std::env::var("GITHUB_REPOSITORY").ok().filter(|r| !r.trim().is_empty()))
        .ok_or_else(|| usage("cannot tell which GitHub repository this is: pass --github-repo OWNER/NAME (or set GITHUB_REPOSITORY)".into()))?;
    let repo = RepoId::parse(&named)?;
    tidegate_github::block_on_client(&cli.token_env, repo, |gh| async move {
        match request {
            _ if cli.list => list(&gh, cli).await,
            _ if cli.status.is_some() => status(&gh, cli).await,
            Some(mut request) if cli.rollback => {
                choose_rollback(&gh, cli, &mut request).await?;
                deploy(&gh, cli, &request).await
            }
            Some(request) => deploy(&gh, cli, &request).await,
            None => Ok(()),
        }
    })
}

/// The history, newest first, read until `enough` says so or `limit` deployments.
async fn rows(
    gh: &GitHub,
    environment: &str,
    limit: usize,
    enough: impl Fn(&[Row]) -> bool,
) -> Result<Vec<Row>, Error> {
    let mut seen: Vec<Row> = Vec::new();
    let entries = gh
        .deployment_history(environment, limit, |page| {
            seen.extend(page.iter().map(Row::of));
            !enough(&seen)
        })
        .await?;
    Ok(entries.iter().map(Row::of).collect())
}

/// How far back a rollback looks (10 GraphQL requests).
const ROLLBACK_DEPTH: usize = 1000;

/// Runs that start the same deploy within this many seconds of each other (by GitHub's clock)
/// are one deploy: the later ones join the first instead of deploying again. Past it, a deploy
/// of the same version is a deliberate retry (the first one stuck or lost), and goes ahead.
const JOIN_WINDOW_SECS: i64 = 600;

/// Whether `earlier` was created at most [`JOIN_WINDOW_SECS`] before `later` (GitHub's times).
fn moments_before(earlier: &str, later: &str) -> bool {
    let seconds = |t: &str| t.parse::<jiff::Timestamp>().ok().map(|t| t.as_second());
    matches!((seconds(earlier), seconds(later)), (Some(a), Some(b)) if b - a <= JOIN_WINDOW_SECS)
}

async fn choose_rollback(gh: &GitHub, cli: &Cli, request: &mut Request) -> Result<()> {
    let env = &cli.environment;
    let to = cli.to.clone();
    let history = rows(gh, env, ROLLBACK_DEPTH, |seen| {
        let Some(live) = history::live(seen) else {
            return false;
        };
        match &to {
            Some(to) => seen.iter().any(|r| &r.version == to && r.succeeded),
            None => history::previous(seen, live).is_some(),
        }
    })
    .await?;
    let live = history::live(&history).ok_or_else(|| {
        declined(format!(
            "nothing is live in {env}: no deployment there has the latest status success, so there is nothing to roll back; deploy a version with --version"
        ))
    })?;
    let target = match &cli.to {
        Some(to) => to.clone(),
        None => history::previous(&history, live)
            .map(|r| r.version.clone())
            .ok_or_else(|| {
                declined(format!(
                    "no earlier version ever succeeded in {env} besides the live {}: name one with --to TAG",
                    live.version
                ))
            })?,
    };
    if target == live.version {
        return Err(declined(format!(
            "{target} is what is live in {env} already: name another version with --to TAG"
        )));
    }
    let ran_here = history.iter().any(|r| r.version == target && r.succeeded);
    if !ran_here && !cli.force {
        return Err(declined(format!(
            "{target} never deployed successfully to {env}: roll back to a version that did, or pass --force"
        )));
    }
    if request.workflow.is_none() {
        request.workflow = Some(live.workflow.clone().ok_or_else(|| {
            usage(format!(
                "a rollback needs --workflow FILE: the live deployment of {} in {env} (#{}) does not record the workflow it was started with",
                live.version, live.id
            ))
        })?);
    }
    request.version = target;
    request.rollback_of = Some(live.version.clone());
    Ok(())
}

/// Who asked: the person who started the workflow, on Actions.
fn actor() -> Option<String> {
    std::env::var("GITHUB_ACTOR")
        .ok()
        .filter(|a| !a.trim().is_empty())
}

/// What finds this run's deployment again after a lost answer: the Actions run, attempt, job
/// and step; outside Actions, one per invocation.
fn run_key() -> String {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match var("GITHUB_RUN_ID") {
        Some(run) => format!(
            "{run}-{}-{}-{}",
            var("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".into()),
            var("GITHUB_JOB").unwrap_or_default(),
            var("GITHUB_ACTION").unwrap_or_default()
        ),
        None => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            format!("local-{nanos:x}-{:x}", std::process::id())
        }
    }
}

/// The release of `tag` is published with SHA256SUMS and every file SHA256SUMS lists.
async fn check_assets(gh: &GitHub, tag: &str) -> Result<()> {
    let release = gh.release_by_tag(tag).await?.ok_or_else(|| {
        declined(format!(
            "{tag} has no published release: publish it (bump release) or deploy without --require-assets"
        ))
    })?;
    let names: Vec<&str> = release.assets.iter().map(|a| a.name.as_str()).collect();
    let sums = release
        .assets
        .iter()
        .find(|a| a.name == tidegate_assets::SHA256SUMS)
        .ok_or_else(|| {
            declined(format!(
                "the release of {tag} has no SHA256SUMS asset: attach the assets with their checksums (bump release --assets) before deploying it"
            ))
        })?;
    let dir = tempfile::tempdir().context("cannot make a temporary folder")?;
    let file = dir.path().join("SHA256SUMS");
    gh.download_asset(sums.id, &file).await?;
    let text = std::fs::read_to_string(&file).context("cannot read the downloaded SHA256SUMS")?;
    let entries = tidegate_assets::parse_sha256sums("SHA256SUMS", &text)
        .map_err(|e| declined(format!("the release of {tag}: {e}")))?;
    let missing: Vec<&str> = entries
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| !names.contains(n))
        .collect();
    if !missing.is_empty() {
        return Err(declined(format!(
            "the release of {tag} lacks {} listed in its SHA256SUMS: upload them before deploying",
            missing.join(", ")
        )));
    }
    Ok(())
}

async fn deploy(gh: &GitHub, cli: &Cli, request: &Request) -> Result<()> {
    let env = &cli.environment;
    let tag = &request.version;
    let repo = gh.repo().to_string();
    if gh.ref_sha(&format!("tags/{tag}")).await?.is_none() {
        return Err(usage(format!(
            "version {} was never released: {repo} has no tag {0}; tag it (bump release) or pick an existing tag",
            one_line(tag)
        )));
    }
    if cli.require_assets {
        check_assets(gh, tag).await?;
    }
    let Some(file) = &request.workflow else {
        return Err(usage("give --workflow FILE: the deploy workflow under .github/workflows/ that deploys the version".into()));
    };
    let found = gh.workflow(file).await?.ok_or_else(|| {
        usage(format!(
            "no workflow {} in {repo}: commit it under .github/workflows/ on the default branch, or fix --workflow",
            one_line(file)
        ))
    })?;
    let workflow_ref = match &request.workflow_ref {
        Some(r) => r.clone(),
        None => gh.default_branch().await?,
    };
    let text = gh
        .file_text(&found.path, &workflow_ref)
        .await?
        .ok_or_else(|| {
            usage(format!(
                "the workflow {} is not on {}: pass --ref with the branch that holds it",
                found.path,
                one_line(&workflow_ref)
            ))
        })?;
    let mut sent = vec![
        cli.version_input.clone(),
        cli.environment_input.clone(),
        cli.deployment_id_input.clone(),
    ];
    sent.extend(request.extra_inputs.iter().map(|(k, _)| k.clone()));
    workflow::check(file, &text, &sent).map_err(usage)?;

    let key = run_key();
    let mut payload = json!({
        "version": tag,
        "actor": actor(),
        "reason": request.reason,
        "run_id": std::env::var("GITHUB_RUN_ID").ok(),
        "run_key": key,
        "tool": "tidegate",
        // What a rollback starts when not told (--workflow).
        "workflow": file,
    });
    if let Some(from) = &request.rollback_of {
        payload["rollback_of"] = Value::from(from.as_str());
    }
    let description = match &request.rollback_of {
        Some(from) => format!("Rollback of {from} to {tag}"),
        None => format!("Deploy {tag}"),
    };
    let new = NewDeployment {
        git_ref: tag,
        environment: env,
        description: &description,
        required_contexts: &cli.required_contexts,
        payload: &payload,
        run_key: &key,
    };
    let (deployment, created) = gh.create_deployment_once(&new).await?;
    let id = deployment.id;
    if created && !cli.force {
        // Several runs deploying this version here at once (a burst of triggers): the first
        // goes on, the others retire their deployment and join it, so one deploy happens.
        let same = |d: &tidegate_github::deployments::Deployment| {
            let field = |k: &str| d.payload.get(k).cloned().unwrap_or(Value::Null);
            field("tool") == "tidegate"
                && field("version") == payload["version"]
                && field("workflow") == payload["workflow"]
                && field("rollback_of")
                    == payload.get("rollback_of").cloned().unwrap_or(Value::Null)
        };
        let first = gh
            .unfinished_before(&deployment, same)
            .await?
            .into_iter()
            .find(|d| moments_before(&d.created_at, &deployment.created_at));
        if let Some(first) = first {
            gh.retire_deployment(id, &format!("Joined deployment {}", first.id))
                .await?;
            return joined(cli, &first, tag, env);
        }
    }
    gh.set_deployment_status(id, "queued", "Waiting for the deploy workflow", None)
        .await?;
    let id_text = id.to_string();
    let mut inputs: Vec<(&str, &str)> = vec![
        (cli.version_input.as_str(), tag.as_str()),
        (cli.environment_input.as_str(), env.as_str()),
        (cli.deployment_id_input.as_str(), id_text.as_str()),
    ];
    inputs.extend(
        request
            .extra_inputs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let run: Run = match gh
        .dispatch_for_run(file, &workflow_ref, &inputs, &deployment.created_at)
        .await
    {
        Ok(run) => run,
        Err(e) => {
            let reason = format!("could not start {file}: {e}");
            // The status keeps GitHub's own words: its description holds 140 characters.
            let said = match &e {
                Error::Refused { messages, .. } if !messages.is_empty() => messages.join("; "),
                _ => e.to_string(),
            };
            let short = shortened(&format!("{file} did not start: {said}"), 140);
            // The dispatch's failure is the news; a failed status write only adds to it.
            let unmarked = match gh.set_deployment_status(id, "error", &short, None).await {
                Ok(()) => String::new(),
                Err(e) => format!(" (and its status could not be set to error: {e})"),
            };
            return Err(declined(format!(
                "deployment {id} of {tag} to {env} failed: {reason}{unmarked}"
            )));
        }
    };
    gh.set_deployment_status(
        id,
        "in_progress",
        &shortened(&format!("{file} is deploying {tag}"), 140),
        Some(&run.html_url),
    )
    .await?;

    let mut outputs = Outputs::default();
    outputs
        .set("deployment_id", id_text.clone())
        .set("version", tag.as_str())
        .set("environment", env.as_str())
        .set("run_id", run.id.to_string())
        .set("run_url", run.html_url.as_str())
        .set(
            "rollback_of",
            request.rollback_of.clone().unwrap_or_default(),
        );
    outputs.write()?;
    if cli.json {
        print_stdout(&format!(
            "{}\n",
            json!({
                "deployment_id": id,
                "version": tag,
                "environment": env,
                "sha": deployment.sha,
                "run_id": run.id,
                "run_url": run.html_url,
                "rollback_of": request.rollback_of,
            })
        ))?;
    } else {
        let what = match &request.rollback_of {
            Some(from) => format!("Rolling {} back from {from} to {tag}", one_line(env)),
            None => format!("Deploying {tag} to {}", one_line(env)),
        };
        print_stdout(&format!("{what}: deployment {id}, run {}\n", run.html_url))?;
    }
    Ok(())
}

/// This run found the same deploy started moments before by another run: it reports that
/// deployment and dispatches nothing.
fn joined(
    cli: &Cli,
    first: &tidegate_github::deployments::Deployment,
    tag: &str,
    env: &str,
) -> Result<()> {
    let mut outputs = Outputs::default();
    outputs
        .set("deployment_id", first.id.to_string())
        .set("version", tag)
        .set("environment", env)
        .set("run_id", "")
        .set("run_url", "")
        .set(
            "rollback_of",
            first.payload["rollback_of"].as_str().unwrap_or_default(),
        );
    outputs.write()?;
    if cli.json {
        print_stdout(&format!(
            "{}\n",
            json!({"deployment_id": first.id, "version": tag, "environment": env,
                   "sha": first.sha, "joined": true})
        ))?;
    } else {
        print_stdout(&format!(
            "Deployment {} of {tag} to {} was started moments before by another run; this run joined it and started nothing\n",
            first.id,
            one_line(env)
        ))?;
    }
    Ok(())
}

/// `text` cut to `max` characters, an ellipsis saying it was cut.
fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

async fn status(gh: &GitHub, cli: &Cli) -> Result<()> {
    let env = &cli.environment;
    let state = cli.status.clone().unwrap_or_default();
    let id = match cli.deployment_id {
        Some(id) => {
            let found = gh.deployment(id).await?.ok_or_else(|| {
                usage(format!(
                    "no deployment {id} in {}: check --deployment-id",
                    gh.repo()
                ))
            })?;
            if &found.environment != env {
                return Err(usage(format!(
                    "deployment {id} is to {}, not {}: check --env and --deployment-id",
                    one_line(&found.environment),
                    one_line(env)
                )));
            }
            id
        }
        None => {
            let history = rows(gh, env, 100, |seen| seen.iter().any(|r| !r.is_final())).await?;
            history
                .iter()
                .find(|r| !r.is_final())
                .map(|r| r.id)
                .ok_or_else(|| {
                    usage(format!(
                        "no deployment of {} is waiting for a status: pass --deployment-id",
                        one_line(env)
                    ))
                })?
        }
    };
    let log_url = cli.log_url.clone().or_else(|| {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        Some(format!(
            "{}/{}/actions/runs/{}",
            tidegate_github::server_url_from_env(),
            var("GITHUB_REPOSITORY")?,
            var("GITHUB_RUN_ID")?
        ))
    });
    let description = cli
        .description
        .clone()
        .unwrap_or_else(|| match state.as_str() {
            "success" => "Deployed".to_string(),
            "in_progress" => "Deploying".to_string(),
            other => format!("Deployment {other}"),
        });
    if description.chars().count() > 140 {
        return Err(usage(
            "--description is longer than GitHub's 140 characters".into(),
        ));
    }
    gh.set_deployment_status(id, &state, &description, log_url.as_deref())
        .await?;
    let mut outputs = Outputs::default();
    outputs
        .set("deployment_id", id.to_string())
        .set("state", state.as_str());
    outputs.write()?;
    if cli.json {
        print_stdout(&format!(
            "{}\n",
            json!({ "deployment_id": id, "state": state })
        ))?;
    } else {
        print_stdout(&format!("Deployment {id} to {}: {state}\n", one_line(env)))?;
    }
    Ok(())
}

async fn list(gh: &GitHub, cli: &Cli) -> Result<()> {
    if cli.limit == 0 {
        return Err(usage("--limit must be at least 1".into()));
    }
    let history = rows(gh, &cli.environment, cli.limit, |_| false).await?;
    let mut outputs = Outputs::default();
    outputs
        .set(
            "live",
            history::live(&history)
                .map(|r| r.version.clone())
                .unwrap_or_default(),
        )
        .set("count", history.len().to_string());
    outputs.write()?;
    if cli.json {
        let items: Vec<Value> = history.iter().map(Row::json).collect();
        print_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json!({
                "environment": cli.environment,
                "live": history::live(&history).map(|r| r.version.clone()),
                "deployments": items,
            }))
            .unwrap_or_default()
        ))?;
    } else {
        print_stdout(&history::table(&cli.environment, &history))?;
    }
    Ok(())
}
