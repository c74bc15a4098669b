//! `bump`: the next semantic version from conventional commits (release-please's rules), the
//! release written into the working tree (version files, changelogs and the manifest), and on
//! GitHub: the release PR, the tags and releases with their assets, and release lines.

mod assets;
mod line;
mod pr;
mod release;
mod remote;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tidegate_actions::{Outputs, finish, notice, print_stdout, warning};
use tidegate_core::config::{Config, ReleaseType};
use tidegate_core::release::utc_date;
use tidegate_git::History;
use tidegate_git::checkout::load_config;
use tidegate_git::release_files::{PackagePlan, ReleasePlan, Request, plan_release, write_all};

#[derive(Parser)]
#[command(version, about = "The next semantic version from conventional commits")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the next version (nothing, with a notice, when there is nothing to release).
    Version(VersionArgs),
    /// Write the release into the working tree: every version file, the changelog and the
    /// release-please manifest. Nothing is committed or tagged.
    Apply(ApplyArgs),
    /// Open or update the release PR: what `apply` would write, as one commit on the base's tip
    /// (made through the API), on the release branch.
    Pr(pr::PrArgs),
    /// Tag and publish each package whose files hold a version with no tag yet (after the
    /// release PR is merged, or a version bumped by hand). Run on every push.
    Release(release::ReleaseArgs),
    /// Cut a release line: `release/X.Y.Z` from a commit with its files bumped to X.Y.Z (its
    /// candidates are made by `bump release --prerelease rc`), or with --hotfix TAG the branch
    /// for a release's patches.
    Cut(line::CutArgs),
    /// Make a candidate (vX.Y.Z-rc.N) the final release vX.Y.Z on the same commit, with its
    /// assets and the notes since the previous final release.
    Promote(line::PromoteArgs),
}

#[derive(clap::Args, Clone)]
pub(crate) struct Checkout {
    /// The repository (any folder inside it).
    #[arg(long, default_value = ".")]
    pub(crate) repo: PathBuf,
    /// Configuration file, relative to the repository root [default: tidegate.toml, else
    /// release-please-config.json].
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// The release type of packages the configuration gives none (simple, rust, node, python,
    /// helm, go); with no configuration file, the one root package's type, with that type's
    /// defaults.
    #[arg(long, value_name = "TYPE")]
    pub(crate) release_type: Option<String>,
    /// Go on when no release tag bounds a package's history (a first release), counting every
    /// commit since the repository's first.
    #[arg(long)]
    pub(crate) allow_full_history: bool,
    #[command(flatten)]
    pub(crate) remote: remote::Remote,
}

#[derive(clap::Args)]
struct VersionArgs {
    #[command(flatten)]
    checkout: Checkout,
    /// The package of a monorepo, by its configured path.
    #[arg(long)]
    package: Option<String>,
    /// The version `bump apply --release-as X.Y.Z` would release (checked as it would be).
    #[arg(long, value_name = "X.Y.Z")]
    release_as: Option<semver::Version>,
    /// Print one JSON object with the facts behind the version, and every package's.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ApplyArgs {
    #[command(flatten)]
    checkout: Checkout,
    /// Release only these packages (by configured path; repeat or separate with commas).
    /// Packages they force to move (path dependents, linked groups) are released too.
    #[arg(long, value_delimiter = ',')]
    package: Vec<String>,
    /// Release exactly this version, whatever the commits say.
    #[arg(long, value_name = "X.Y.Z")]
    release_as: Option<semver::Version>,
    /// Print the unified diff that would be written, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the plan as one JSON object: per package the versions, tag and files, and every
    /// file with its edits.
    #[arg(long)]
    json: bool,
}

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return tidegate_actions::finish(Err((
                tidegate_actions::exit::USAGE,
                "a command is required: `bump version`, `apply`, `pr`, `release`, `cut` or `promote` (see --help)"
                    .into(),
            )));
        }
        Err(e) => return tidegate_actions::usage_failure(e.use_stderr(), &e.to_string()),
    };
    let result = match &cli.command {
        Command::Version(args) => version(args),
        Command::Apply(args) => apply(args),
        Command::Pr(args) => pr::run(args),
        Command::Release(args) => release::run(args),
        Command::Cut(args) => line::cut(args),
        Command::Promote(args) => line::promote(args),
    };
    if result.is_ok() {
        remote::say_unread_overrides();
    }
    finish(result.map_err(|e| (remote::exit_code(&e), format!("{e:#}"))))
}

/// The checkout and its configuration (`--config`, `--release-type`).
pub(crate) fn open_checkout(
    checkout: &Checkout,
) -> Result<(History, tidegate_core::config::Config)> {
    let history = History::open(&checkout.repo)?;
    let config = load_config(
        &history,
        checkout.config.as_deref(),
        release_type(checkout.release_type.as_deref())?,
    )?;
    Ok((history, config))
}

/// Stops when a version of these packages (all when empty) cannot be right: its tag exists, or
/// no release bounds its history and `--allow-full-history` was not given.
pub(crate) fn refuse(plan: &ReleasePlan, packages: &[&str], checkout: &Checkout) -> Result<()> {
    match plan.refusal(packages, checkout.allow_full_history) {
        Some(concern) => Err(tidegate_core::UsageError(concern.message.clone()).into()),
        None => Ok(()),
    }
}

pub(crate) const NOTHING_TO_RELEASE: &str =
    "nothing to release: no package has user-facing changes since its last release";

/// What a run works from: the checkout, its configuration, the plan and every warning.
pub(crate) struct Planned {
    pub(crate) history: History,
    pub(crate) config: Config,
    pub(crate) plan: ReleasePlan,
    pub(crate) warnings: Vec<String>,
}

/// Whether a plan reads merged PRs' commit overrides (with a token).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overrides {
    /// Never (a dry run: the checkout alone).
    Off,
    /// When GitHub answers; otherwise a warning says the plan goes without them (`bump version`
    /// and `apply` stay usable offline with a token in the environment).
    Try,
    /// GitHub failing is the run failing (`bump pr` needs GitHub anyway).
    Must,
}

/// Plans the release of HEAD. With a token, merged PRs' commit overrides are read first (then the
/// plan is made again with them), as `overrides` says.
pub(crate) fn plan(
    checkout: &Checkout,
    request: &Request,
    overrides: Overrides,
) -> Result<Planned> {
    let release_type = release_type(checkout.release_type.as_deref())?;
    let mut history = History::open(&checkout.repo)?;
    let config = load_config(&history, checkout.config.as_deref(), release_type)?;
    let head = history.resolve("HEAD")?;
    let mut plan = plan_release(&history, &config, head, request)?;
    let read = match overrides {
        Overrides::Off => false,
        Overrides::Must => remote::read_overrides(&checkout.remote, &mut history)?,
        Overrides::Try => {
            remote::read_overrides(&checkout.remote, &mut history).unwrap_or_else(|e| {
                warning(&format!(
                    "commit overrides were not read, so the version goes without them: {e:#}"
                ));
                false
            })
        }
    };
    if read {
        plan = plan_release(&history, &config, head, request)?;
    }
    let mut warnings = config.warnings.clone();
    // A package refused (its history unbounded, its tag elsewhere) gets that one line, not also
    // the warnings about the version that cannot be trusted anyway.
    let refused: Vec<&String> = plan
        .concerns
        .iter()
        .filter(|c| c.refuses(checkout.allow_full_history))
        .flat_map(|c| &c.packages)
        .collect();
    warnings.extend(
        plan.concerns
            .iter()
            .filter(|c| !c.refuses(checkout.allow_full_history))
            .filter(|c| c.packages.is_empty() || !c.packages.iter().all(|p| refused.contains(&p)))
            .map(|c| c.message.clone()),
    );
    for pending in &plan.pending {
        warnings.extend(pending.analysis.warnings.iter().cloned());
    }
    for message in &warnings {
        warning(message);
    }
    Ok(Planned {
        history,
        config,
        plan,
        warnings,
    })
}

pub(crate) fn request(
    packages: Vec<String>,
    release_as: Option<semver::Version>,
) -> Result<Request> {
    let now = tidegate_actions::now_or_source_date_epoch().map_err(tidegate_core::UsageError)?;
    Ok(Request {
        packages,
        release_as,
        date: utc_date(now),
        versions_only: false,
    })
}

fn version(args: &VersionArgs) -> Result<()> {
    let Planned {
        config,
        plan,
        warnings,
        ..
    } = plan(
        &args.checkout,
        &Request {
            versions_only: true,
            // `--release-as` with `--package` is for that package (and what it forces to move).
            ..request(
                args.package
                    .iter()
                    .filter(|_| args.release_as.is_some())
                    .cloned()
                    .collect(),
                args.release_as.clone(),
            )?
        },
        Overrides::Try,
    )?;
    // A monorepo without a root package, and no --package: every package's version.
    let package = match config.package(args.package.as_deref()) {
        Ok(package) => package,
        Err(_) if args.package.is_none() => {
            refuse(&plan, &[], &args.checkout)?;
            return every_version(&plan, &warnings, args.json);
        }
        Err(e) => return Err(e.into()),
    };
    refuse(&plan, &[&package.path], &args.checkout)?;
    let index = config
        .packages
        .iter()
        .position(|p| p.path == package.path)
        .unwrap_or_default();
    let (facts, pending) = (&plan.packages[index], &plan.pending[index]);
    release_outputs(&plan, Some(facts)).write()?;
    if args.json {
        let report = serde_json::json!({
            "package": facts.path,
            "previous": facts.previous,
            "previous_tag": facts.previous_tag,
            "next": facts.next,
            "tag": facts.tag,
            "bump": facts.bump,
            "commits": facts.commits,
            "merge_commits": pending.commits.merge_records,
            "changes": facts.changes,
            "breaking": pending.analysis.breaking_count(),
            "types": pending.analysis.type_counts(),
            "ignored_tags": pending.tags.ignored,
            "prerelease_tags_skipped": pending.tags.prereleases_skipped,
            "warnings": warnings,
            "packages": plan.packages,
        });
        print_stdout(&format!("{report}\n"))?;
    } else if let Some(next) = &facts.next {
        print_stdout(&format!("{next}\n"))?;
    } else {
        notice(&pending.nothing_to_release());
    }
    Ok(())
}

/// `bump version` over several packages: one `path version` line per package to release, or
/// the `packages` array alone as JSON.
fn every_version(plan: &ReleasePlan, warnings: &[String], json: bool) -> Result<()> {
    release_outputs(plan, None).write()?;
    if json {
        let report = serde_json::json!({ "packages": plan.packages, "warnings": warnings });
        return Ok(print_stdout(&format!("{report}\n"))?);
    }
    let lines: String = plan
        .released()
        .map(|p| format!("{} {}\n", p.path, p.next.as_deref().unwrap_or_default()))
        .collect();
    if lines.is_empty() {
        notice(NOTHING_TO_RELEASE);
        return Ok(());
    }
    Ok(print_stdout(&lines)?)
}

fn apply(args: &ApplyArgs) -> Result<()> {
    let request = request(args.package.clone(), args.release_as.clone())?;
    let Planned { history, plan, .. } = plan(&args.checkout, &request, Overrides::Try)?;
    let released: Vec<&str> = plan.released().map(|p| p.path.as_str()).collect();
    if !released.is_empty() {
        refuse(&plan, &released, &args.checkout)?;
    }
    let mut outputs = release_outputs(&plan, None);
    outputs.set(
        "files",
        plan.files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    );
    outputs.write()?;
    if args.json {
        let mut value = serde_json::to_value(&plan)?;
        value["dry_run"] = args.dry_run.into();
        print_stdout(&format!("{value}\n"))?;
    }
    if plan.released().next().is_none() {
        notice(NOTHING_TO_RELEASE);
        return Ok(());
    }
    if args.dry_run {
        if plan.files.is_empty() {
            notice(written(&plan).trim_end());
        } else if !args.json {
            print_stdout(&unified_diff(&plan))?;
        }
        return Ok(());
    }
    let leftovers = write_all(history.root(), &plan.files)?;
    if leftovers > 0 {
        notice(&format!(
            "removed {leftovers} temporary files an interrupted run had left"
        ));
    }
    if !args.json {
        let mut out = String::new();
        for package in plan.released() {
            out.push_str(&format!(
                "{}: {} → {} ({})\n",
                package.path,
                package.previous.as_deref().unwrap_or("none"),
                package.next.as_deref().unwrap_or_default(),
                package.tag.as_deref().unwrap_or_default(),
            ));
        }
        out.push_str(&written(&plan));
        print_stdout(&out)?;
    }
    Ok(())
}

/// The line that lists the files written ("wrote 1 file: CHANGELOG.md"), or says that the
/// release touches none (a `go` package with `skip-changelog`).
fn written(plan: &ReleasePlan) -> String {
    let names: Vec<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    match names.as_slice() {
        // A second run before the release is committed: every file holds it already.
        [] if plan.released().any(|p| !p.files.is_empty()) => {
            "every file already holds this release, so none was written\n".to_string()
        }
        [] => "no file holds the version, so none was written\n".to_string(),
        [one] => format!("wrote 1 file: {one}\n"),
        many => format!("wrote {} files: {}\n", many.len(), many.join(", ")),
    }
}

/// The step outputs, named as release-please-action names them where it has the name: whether a
/// release is due, every package's versions as JSON, and for one package (the one asked for, or
/// the only one released) `version`, `major`, `minor`, `patch`, `tag_name` and what came before.
fn release_outputs(plan: &ReleasePlan, package: Option<&PackagePlan>) -> Outputs {
    let mut outputs = Outputs::default();
    let due = match package {
        Some(p) => p.next.is_some(),
        None => plan.released().next().is_some(),
    };
    outputs.set("release_needed", due.to_string());
    let released: Vec<_> = plan
        .released()
        .map(|p| serde_json::json!({ "path": p.path, "version": p.next, "tag_name": p.tag }))
        .collect();
    outputs.set("packages", serde_json::Value::from(released).to_string());
    let single = package.or_else(|| {
        let mut released = plan.released();
        released.next().filter(|_| released.next().is_none())
    });
    if let Some(p) = single {
        let numbers = p
            .next
            .as_deref()
            .and_then(|v| semver::Version::parse(v).ok())
            .map(|v| [v.major, v.minor, v.patch]);
        outputs.set("version", p.next.clone().unwrap_or_default());
        for (i, name) in ["major", "minor", "patch"].into_iter().enumerate() {
            outputs.set(name, numbers.map(|n| n[i].to_string()).unwrap_or_default());
        }
        outputs
            .set("tag_name", p.tag.clone().unwrap_or_default())
            .set("previous_version", p.previous.clone().unwrap_or_default())
            .set("previous_tag", p.previous_tag.clone().unwrap_or_default())
            .set(
                "bump",
                serde_json::to_value(p.bump)
                    .ok()
                    .and_then(|b| b.as_str().map(String::from))
                    .unwrap_or_default(),
            );
    }
    outputs
}

/// The changes as `git diff` would show them.
fn unified_diff(plan: &ReleasePlan) -> String {
    let mut out = String::new();
    for file in &plan.files {
        let old_name = if file.created {
            "/dev/null".to_string()
        } else {
            format!("a/{}", file.path)
        };
        let diff = similar::TextDiff::from_lines(&file.before, &file.after);
        out.push_str(&format!("diff --git a/{0} b/{0}\n", file.path));
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&old_name, &format!("b/{}", file.path))
                .to_string(),
        );
    }
    out
}

/// `--release-type`, refused with the supported names when unknown (a usage error, exit 2).
pub(crate) fn release_type(name: Option<&str>) -> Result<Option<ReleaseType>> {
    name.map(|n| {
        n.parse::<ReleaseType>()
            .map_err(|e| tidegate_core::UsageError(format!("--release-type: {e}")).into())
    })
    .transpose()
}
