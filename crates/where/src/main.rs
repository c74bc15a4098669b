//! `where`: where a change has reached along the river (the chain of branches of `[river]` in
//! tidegate.toml), which promotion carried it, the first release and pre-release holding it,
//! the maintenance lines holding it as a backport, and, with a token, the environments whose
//! live deployment holds it and the downstream repository.

mod change;
mod github;
mod notify;
mod river;

use anyhow::{Context, Result};
use clap::Parser;
use git2::Oid;
use std::path::PathBuf;
use tidegate_actions::{one_line, print_stdout};
use tidegate_core::UsageError;
use tidegate_core::river::River;
use tidegate_git::History;
use tidegate_git::promotion::Tip;
use tidegate_github::{Error, GitHub, RepoId, RetryPolicy, Token};

use change::{Change, Deployed, Downstream, OnBranch};

#[derive(Parser)]
#[command(
    group(clap::ArgGroup::new("change").required(true).args(["pr", "commit", "river"])),
    version,
    about = "Where a change has reached: the river's branches, promotions, releases, deployments"
)]
struct Cli {
    /// The pull request to follow (found by its merge or squash commit).
    #[arg(long, value_name = "N")]
    pr: Option<u64>,
    /// The commit to follow.
    #[arg(long, value_name = "SHA")]
    commit: Option<String>,
    /// The river report instead of one change: per hop what waits, per environment what runs.
    #[arg(long)]
    river: bool,
    /// With --river: also write the report as Markdown (a Mermaid flowchart) to FILE; on
    /// Actions it is appended to the step summary anyway.
    #[arg(long, value_name = "FILE", requires = "river")]
    markdown: Option<PathBuf>,
    /// Tell each pull request where its change has reached: one comment per PR, updated in
    /// place (with --river: every PR merged on the first branch since --notify-since).
    #[arg(long)]
    notify: bool,
    /// With --river --notify: the tag or commit after which merged PRs are told [default: the
    /// newest final release tag].
    #[arg(long, value_name = "REF", requires_all = ["notify", "river"])]
    notify_since: Option<String>,
    /// With --notify: stop after N comment writes (the next run goes on where this one stopped).
    #[arg(long, value_name = "N", requires = "notify")]
    notify_max: Option<usize>,
    /// With --notify: at least this long between two comment writes.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 1000,
        env = "TIDEGATE_NOTIFY_INTERVAL_MS"
    )]
    notify_interval_ms: u64,
    /// With --notify: at most this many comment writes in any minute.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 20,
        env = "TIDEGATE_NOTIFY_PER_MINUTE"
    )]
    notify_per_minute: usize,
    /// The configuration file, relative to the repository root [default: tidegate.toml].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The package whose release tags count, in a monorepo [default: the root package].
    #[arg(long, value_name = "PATH")]
    package: Option<String>,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    /// The checkout [default: the current directory].
    #[arg(long, value_name = "DIR", default_value = ".")]
    repo: PathBuf,
    /// OWNER/NAME on GitHub [default: $GITHUB_REPOSITORY].
    #[arg(long, value_name = "OWNER/NAME")]
    github_repo: Option<String>,
    /// The environment variable holding the token; without a token only the checkout is read.
    #[arg(long, default_value = "GITHUB_TOKEN", value_name = "NAME")]
    token_env: String,
}

fn main() -> std::process::ExitCode {
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
    if let Some(github) = e.downcast_ref::<tidegate_github::Error>() {
        return github.exit_code();
    }
    if let Some(promote) = e.downcast_ref::<tidegate_git::promotion::PromoteError>() {
        return promote.exit_code();
    }
    tidegate_git::exit_code(e.as_ref())
}

fn usage(text: String) -> anyhow::Error {
    UsageError(text).into()
}

/// GitHub, when a token and a repository are there.
struct Remote {
    runtime: tokio::runtime::Runtime,
    token: Token,
    gh: GitHub,
}

impl Remote {
    fn connect(cli: &Cli) -> Result<Option<Self>> {
        let has_token = std::env::var(&cli.token_env).is_ok_and(|t| !t.trim().is_empty());
        if !has_token {
            return Ok(None);
        }
        let repo = cli
            .github_repo
            .clone()
            .or_else(|| std::env::var("GITHUB_REPOSITORY").ok())
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| {
                usage("a token is set but not the repository: pass --github-repo OWNER/NAME (or set GITHUB_REPOSITORY)".into())
            })?;
        let repo = RepoId::parse(&repo)?;
        let token = Token::from_env(&cli.token_env)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let gh = runtime.block_on(async { client(token.clone(), repo) })?;
        Ok(Some(Self { runtime, token, gh }))
    }

    fn other(&self, repo: RepoId) -> Result<GitHub> {
        let token = self.token.clone();
        Ok(self.runtime.block_on(async { client(token, repo) })?)
    }
}

fn client(token: Token, repo: RepoId) -> Result<GitHub, tidegate_github::Error> {
    GitHub::new(
        &tidegate_github::api_url_from_env(),
        token,
        repo,
        RetryPolicy::from_env(),
    )
}

/// The chain's branches as found in the checkout; a branch that is not there is a configuration
/// error naming it.
fn chain_tips(history: &History, river: &River, source: &str) -> Result<Vec<Tip>> {
    river
        .branches
        .iter()
        .map(|b| {
            history
                .branch_tip(b)
                .map_err(|e| match e {
                    tidegate_git::promotion::PromoteError::UnknownBranch(_) => usage(format!(
                        "{source}: `river.branches` names `{}`, which exists neither on origin nor locally; fix the name, or fetch it (actions/checkout with `fetch-depth: 0`)",
                        one_line(b)
                    )),
                    other => other.into(),
                })
        })
        .collect()
}

/// The commit to follow: `--commit`, or the PR's merge or squash commit.
fn target(cli: &Cli, history: &History, tips: &[Tip], remote: Option<&Remote>) -> Result<Oid> {
    if let Some(sha) = &cli.commit {
        return history.find_commit_id(sha).ok_or_else(|| {
            usage(format!(
                "commit `{}` is not in this repository; check the SHA, or fetch the whole history (`git fetch --unshallow`, actions/checkout with `fetch-depth: 0`)",
                one_line(sha)
            ))
        });
    }
    let pr = cli.pr.unwrap_or_default();
    if let Some(remote) = remote {
        let found = remote.runtime.block_on(github::pull(&remote.gh, pr))?;
        let Some(pull) = found else {
            return Err(usage(format!(
                "pull request #{pr} does not exist in {}; check the number",
                remote.gh.repo()
            )));
        };
        if !pull.merged {
            return Err(usage(format!(
                "pull request #{pr} is not merged (it is {}): it has not entered the river yet",
                one_line(&pull.state)
            )));
        }
        let sha = pull.merge_commit_sha.unwrap_or_default();
        return history.find_commit_id(&sha).ok_or_else(|| {
            usage(format!(
                "the merge commit {} of pull request #{pr} is not in this checkout; fetch it (`git fetch origin`, actions/checkout with `fetch-depth: 0`)",
                one_line(&sha)
            ))
        });
    }
    let ids: Vec<Oid> = tips.iter().map(|t| t.commit).collect();
    history.pull_request_commit(&ids, pr)?.ok_or_else(|| {
        usage(format!(
            "pull request #{pr} is not on the river: no squash commit ending `(#{pr})` and no `Merge pull request #{pr}` on the first-parent line of {}; check the number, or set a token so GitHub is asked",
            tips.iter().map(|t| t.branch.as_str()).collect::<Vec<_>>().join(", ")
        ))
    })
}

fn on_branch(history: &History, tip: &Tip, commit: Oid) -> Result<OnBranch> {
    let held = history.held_by(tip.commit, commit)?;
    let arrival = match held {
        Some(h) => history.arrival(tip.commit, h.carrier(commit))?,
        None => None,
    };
    Ok(OnBranch {
        branch: tip.branch.clone(),
        found_as: tip.found_as.clone(),
        held,
        arrival,
        pr_confirmed: false,
    })
}

/// The start of a branch pattern before its first placeholder (`release/` of
/// `release/{version}`).
fn pattern_prefix(pattern: &str) -> &str {
    pattern.split('{').next().unwrap_or_default()
}

/// An environment and its live deployment (version, sha), if any.
type Live = (String, Option<(String, String)>);

/// What every change is measured against: read once per run.
struct Ground<'a> {
    history: &'a History,
    river: &'a River,
    tips: &'a [Tip],
    lines: Vec<Tip>,
    tags: tidegate_git::ReleaseTags,
    /// Each environment's live deployment (version, sha), when a token is there.
    lives: Option<Vec<Live>>,
}

impl<'a> Ground<'a> {
    fn read(
        history: &'a History,
        config: &tidegate_core::config::Config,
        package: &tidegate_core::config::PackageConfig,
        river: &'a River,
        tips: &'a [Tip],
        remote: Option<&Remote>,
    ) -> Result<Self> {
        // Maintenance lines: the release branches `bump cut` makes, outside the chain.
        let mut names: Vec<String> = Vec::new();
        for pattern in [&config.lines.branch, &config.lines.hotfix_branch] {
            let prefix = pattern_prefix(pattern);
            if prefix.is_empty() {
                continue;
            }
            for name in history.branches_named(prefix)? {
                if !names.contains(&name) && !river.branches.contains(&name) {
                    names.push(name);
                }
            }
        }
        let lines = names
            .iter()
            .map(|line| history.branch_tip(line))
            .collect::<Result<_, _>>()?;
        let tags = history.release_tags(&package.tag, true)?;
        let lives = match remote {
            None => None,
            Some(remote) => Some(
                river
                    .environments
                    .iter()
                    .map(|environment| {
                        let live = remote
                            .runtime
                            .block_on(github::live_deployment(&remote.gh, environment))?;
                        Ok((environment.clone(), live))
                    })
                    .collect::<Result<_>>()?,
            ),
        };
        Ok(Self {
            history,
            river,
            tips,
            lines,
            tags,
            lives,
        })
    }

    /// Where `commit` (merged as `pr`) has reached.
    /// `confirm`: ask GitHub about each promotion PR (one request each).
    fn follow(
        &self,
        commit: Oid,
        pr: Option<u64>,
        remote: Option<&Remote>,
        confirm: bool,
    ) -> Result<Change> {
        let history = self.history;
        let mut change = Change {
            commit,
            subject: history.subject(commit)?,
            pr,
            branches: self
                .tips
                .iter()
                .map(|tip| on_branch(history, tip, commit))
                .collect::<Result<_>>()?,
            maintenance: self
                .lines
                .iter()
                .map(|tip| on_branch(history, tip, commit))
                .collect::<Result<_>>()?,
            release: None,
            prerelease: None,
            environments: None,
            downstream: None,
        };
        change.find_releases(history, &self.tags)?;
        if let Some(downstream) = &self.river.downstream {
            change.downstream = Some(read_downstream(history, downstream, &change, remote)?);
        }
        if let Some(remote) = remote.filter(|_| confirm) {
            confirm_pulls(remote, &mut change)?;
        }
        if let Some(lives) = &self.lives {
            change.environments = Some(deployments(history, lives, &change)?);
        }
        Ok(change)
    }
}

/// The package whose releases count for one change: `--package`, else the only or root package,
/// else in a monorepo the one package the change touches (a change touching several needs
/// `--package`, as their releases differ).
fn package_of_change<'c>(
    cli: &Cli,
    config: &'c tidegate_core::config::Config,
    history: &History,
    commit: Oid,
) -> Result<&'c tidegate_core::config::PackageConfig> {
    let refused = match config.package(cli.package.as_deref()) {
        Ok(package) => return Ok(package),
        Err(e) if cli.package.is_some() => return Err(e.into()),
        Err(e) => e,
    };
    let files = history.changed_files(commit)?;
    let inside = |path: &str, file: &str| {
        path == "." || file.starts_with(&format!("{}/", path.trim_end_matches('/')))
    };
    let touched: Vec<_> = config
        .packages
        .iter()
        .filter(|p| files.iter().any(|f| inside(&p.path, f)))
        .collect();
    match touched.as_slice() {
        [only] => Ok(only),
        [] if config.packages.len() > 1 => Err(usage(format!(
            "the change touches none of the {} packages configured and there is no root package, so no release tags apply; pass --package PATH to follow one package's releases",
            config.packages.len()
        ))),
        [] => Err(refused.into()),
        several => Err(usage(format!(
            "the change touches {} packages ({}); pass --package PATH for the one whose releases to follow",
            several.len(),
            several
                .iter()
                .take(5)
                .map(|p| format!("`{}`", p.path))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `--markdown` writes the river report: clap's `requires = "river"` lets it through without
/// `--river` (the flag is in the required group), where it would be silently ignored.
fn check_flags(cli: &Cli) -> Result<()> {
    if cli.markdown.is_some() && !cli.river {
        return Err(usage(
            "--markdown FILE needs --river: it writes the river report; see --help".into(),
        ));
    }
    Ok(())
}

fn run(cli: &Cli) -> Result<()> {
    check_flags(cli)?;
    let history = History::open(&cli.repo)?;
    let config = tidegate_core_config(&history, cli)?;
    let river = config.river.clone().unwrap_or_default();
    let tips = chain_tips(&history, &river, &config.source)?;
    let remote = Remote::connect(cli)?;
    if cli.notify && remote.is_none() {
        return Err(usage(format!(
            "--notify writes comments on GitHub: set a token in ${} (with `pull-requests: write`)",
            cli.token_env
        )));
    }
    if cli.river {
        let package = config.package(cli.package.as_deref())?;
        river_report(cli, &history, &river, &tips, &package.tag, remote.as_ref())?;
        if let Some(remote) = &remote.filter(|_| cli.notify) {
            let ground = Ground::read(&history, &config, package, &river, &tips, Some(remote))?;
            let pulls = notify::pulls_to_tell(cli, &history, &ground.tags, &tips)?;
            notify::tell(cli, &ground, remote, &pulls)?;
        }
        return Ok(());
    }
    let commit = target(cli, &history, &tips, remote.as_ref())?;
    let message = history.message(commit)?;
    let pr = cli.pr.or_else(|| {
        tidegate_core::commit::merged_pull_request(&message)
            .or_else(|| tidegate_git::reach::squash_pull_request(&message))
    });
    let package = package_of_change(cli, &config, &history, commit)?;
    let ground = Ground::read(&history, &config, package, &river, &tips, remote.as_ref())?;
    let change = ground.follow(commit, pr, remote.as_ref(), true)?;
    let text = if cli.json {
        let mut text = serde_json::to_string_pretty(&change.json())?;
        text.push('\n');
        text
    } else {
        change.text()
    };
    print_stdout(&text)?;
    if let Some(remote) = remote.as_ref().filter(|_| cli.notify) {
        let Some(pr) = pr else {
            return Err(usage(format!(
                "--notify: commit {} names no pull request (no `(#N)` subject, no `Merge pull request #N`); pass --pr N",
                commit
            )));
        };
        notify::tell(cli, &ground, remote, &[(pr, commit)])?;
    }
    Ok(())
}

fn tidegate_core_config(history: &History, cli: &Cli) -> Result<tidegate_core::config::Config> {
    Ok(tidegate_git::checkout::load_config(
        history,
        cli.config.as_deref(),
        None,
    )?)
}

/// Confirms each promotion's PR through GitHub: its merge commit must be the merge found.
fn confirm_pulls(remote: &Remote, change: &mut Change) -> Result<()> {
    for branch in change
        .branches
        .iter_mut()
        .chain(change.maintenance.iter_mut())
    {
        let Some(arrival) = &branch.arrival else {
            continue;
        };
        let Some(pr) = arrival.pr else { continue };
        let pull = remote.runtime.block_on(github::pull(&remote.gh, pr))?;
        branch.pr_confirmed = pull.is_some_and(|p| {
            p.merged && p.merge_commit_sha.as_deref() == Some(&arrival.commit.to_string())
        });
    }
    Ok(())
}

fn deployments(history: &History, lives: &[Live], change: &Change) -> Result<Vec<Deployed>> {
    let carriers = change.carriers();
    let mut out = Vec::new();
    for (environment, live) in lives {
        let (version, sha) = live.clone().unzip();
        let contains = match &sha {
            None => Some(false),
            Some(sha) => match history.find_commit_id(sha) {
                None => None,
                Some(deployed) => {
                    let mut any = false;
                    for &c in &carriers {
                        any |= history.holds(deployed, c)?;
                    }
                    Some(any)
                }
            },
        };
        out.push(Deployed {
            environment: environment.clone(),
            version,
            sha,
            contains,
        });
    }
    Ok(out)
}

/// The downstream branch: from the configured remote when the checkout has it (the commit or
/// its patch), else one compare request, else unknown.
fn read_downstream(
    history: &History,
    downstream: &tidegate_core::river::Downstream,
    change: &Change,
    remote: Option<&Remote>,
) -> Result<Downstream> {
    let mut out = Downstream {
        repo: downstream.repo(),
        branch: downstream.branch.clone(),
        read_from: "unknown",
        contains: None,
    };
    if let Some(name) = &downstream.remote {
        if let Some(tip) = history.remote_branch(name, &downstream.branch) {
            out.read_from = "remote";
            out.contains = Some(history.held_by(tip, change.commit)?.is_some());
            return Ok(out);
        }
    }
    if let Some(remote) = remote {
        let gh = remote.other(RepoId {
            owner: downstream.owner.clone(),
            name: downstream.name.clone(),
        })?;
        let mut contains = Some(false);
        for carrier in change.carriers() {
            contains = remote.runtime.block_on(github::branch_holds(
                &gh,
                &downstream.branch,
                &carrier.to_string(),
            ))?;
            if contains != Some(false) {
                break;
            }
        }
        if contains.is_none() {
            unreadable_downstream(&downstream.repo());
            return Ok(out);
        }
        out.read_from = "api";
        out.contains = contains;
    }
    Ok(out)
}

/// `--river`: the report, as text or JSON on stdout, as Markdown to the step summary and to
/// `--markdown FILE`.
fn river_report(
    cli: &Cli,
    history: &History,
    river: &River,
    tips: &[Tip],
    tag: &tidegate_core::tag::TagFormat,
    remote: Option<&Remote>,
) -> Result<()> {
    let mut hops = Vec::new();
    for pair in tips.windows(2) {
        let (from, to) = (&pair[0], &pair[1]);
        let mut hop = river::hop(
            history,
            (&from.branch, from.commit),
            (&to.branch, to.commit),
        )?;
        if let Some(remote) = remote {
            hop.open_promotion = Some(open_promotion(
                remote,
                &remote.gh,
                &from.branch,
                &to.branch,
            )?);
        }
        hops.push(hop);
    }
    if let (Some(downstream), Some(last)) = (&river.downstream, tips.last()) {
        hops.push(downstream_hop(history, downstream, last, remote)?);
    }
    let tags = history.release_tags(tag, true)?;
    let finals: Vec<&tidegate_git::ReleaseTag> = tags
        .tags
        .iter()
        .filter(|t| t.version.pre.is_empty())
        .collect();
    let environments = match remote {
        None => None,
        Some(remote) => {
            let mut out = Vec::new();
            for name in &river.environments {
                let live = remote
                    .runtime
                    .block_on(github::live_deployment(&remote.gh, name))?;
                out.push(river::environment(history, &finals, name, live)?);
            }
            Some(out)
        }
    };
    let report = river::Report {
        hops,
        newest_release: finals.last().map(|t| t.name.clone()),
        environments,
        now: tidegate_actions::now_or_source_date_epoch().map_err(anyhow::Error::msg)?,
    };
    let markdown = report.markdown();
    if let Some(path) = &cli.markdown {
        std::fs::write(path, &markdown)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    if tidegate_actions::on_actions() {
        tidegate_actions::report(&markdown)?;
    }
    let text = if cli.json {
        let mut text = serde_json::to_string_pretty(&report.json())?;
        text.push('\n');
        text
    } else {
        report.text()
    };
    print_stdout(&text)?;
    Ok(())
}

fn open_promotion(
    remote: &Remote,
    gh: &GitHub,
    from: &str,
    to: &str,
) -> Result<Option<river::OpenPromotion>> {
    let Some(mut open) = remote
        .runtime
        .block_on(github::open_promotion(gh, from, to))?
    else {
        return Ok(None);
    };
    if !open.head_sha.is_empty() {
        open.gates = remote
            .runtime
            .block_on(github::gate_verdicts(gh, &open.head_sha))?;
    }
    Ok(Some(open))
}

/// The hop from the last branch into the downstream repository: from the configured remote when
/// the checkout has it, else with one compare request and one pulls list.
fn downstream_hop(
    history: &History,
    downstream: &tidegate_core::river::Downstream,
    last: &Tip,
    remote: Option<&Remote>,
) -> Result<river::Hop> {
    let local = downstream
        .remote
        .as_deref()
        .and_then(|name| history.remote_branch(name, &downstream.branch));
    let mut hop = match local {
        Some(tip) => river::hop(
            history,
            (&last.branch, last.commit),
            (&downstream.branch, tip),
        )?,
        None => river::Hop {
            from: last.branch.clone(),
            to: downstream.branch.clone(),
            to_repo: None,
            commits: None,
            pulls: Vec::new(),
            oldest: None,
            open_promotion: None,
            last_promotion: None,
        },
    };
    hop.to_repo = Some(downstream.repo());
    if let Some(remote) = remote {
        let gh = remote.other(RepoId {
            owner: downstream.owner.clone(),
            name: downstream.name.clone(),
        })?;
        if local.is_none() {
            hop.commits = remote.runtime.block_on(github::commits_ahead_of(
                &gh,
                &downstream.branch,
                &last.commit.to_string(),
            ))?;
        }
        // promote-branch --to-repo's default sync branch, named after the source.
        let upstream = remote.gh.repo();
        let sync = format!(
            "tidegate/sync/{}-{}/{}",
            upstream.owner, upstream.name, last.branch
        );
        match open_promotion(remote, &gh, &sync, &downstream.branch) {
            Ok(open) => hop.open_promotion = Some(open),
            Err(e) if matches!(e.downcast_ref(), Some(Error::RepoNotFound(_))) => {
                unreadable_downstream(&downstream.repo());
            }
            Err(e) => return Err(e),
        }
    }
    Ok(hop)
}

/// A downstream repository the token cannot read is said once and left unknown: `GITHUB_TOKEN`
/// reaches only its own repository.
fn unreadable_downstream(repo: &str) {
    tidegate_actions::warning(&format!(
        "the token cannot read {repo}, so what reached it is unknown; give where a token that can (an App token with `contents: read` and `pull-requests: read` there), or set [river.downstream] remote to a remote of the checkout"
    ));
}
