//! `bump`: the next semantic version from conventional commits, release-please's rules.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tidegate_actions::{finish, notice, print_stdout, warning};
use tidegate_git::History;
use tidegate_git::checkout::load_config;
use tidegate_git::pending::Pending;

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
}

#[derive(clap::Args)]
struct VersionArgs {
    /// The repository (any folder inside it).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Configuration file, relative to the repository root [default: tidegate.toml, else
    /// release-please-config.json].
    #[arg(long)]
    config: Option<PathBuf>,
    /// The package of a monorepo, by its configured path.
    #[arg(long)]
    package: Option<String>,
    /// Print one JSON object with the facts behind the version.
    #[arg(long)]
    json: bool,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Version(args) => version(args),
    };
    finish(result.map_err(|e| (tidegate_git::exit_code(e.as_ref()), format!("{e:#}"))))
}

fn version(args: &VersionArgs) -> Result<()> {
    let history = History::open(&args.repo)?;
    let config = load_config(history.root(), args.config.as_deref())?;
    let package = config.package(args.package.as_deref())?;
    for message in &config.warnings {
        warning(message);
    }
    let head = history.resolve("HEAD")?;
    let pending = Pending::of(&history, package, head)?;
    for message in &pending.analysis.warnings {
        warning(message);
    }
    let next = pending.decision.next.as_ref();
    if args.json {
        let report = serde_json::json!({
            "package": package.path,
            "previous": pending.previous_version.as_ref().map(ToString::to_string),
            "previous_tag": pending.previous.as_ref().map(|t| &t.name),
            "next": next.map(ToString::to_string),
            "tag": pending.next_tag(package),
            "bump": pending.decision.bump,
            "commits": pending.commits.commits.len(),
            "merge_commits": pending.commits.merge_records,
            "changes": pending.analysis.changes.len(),
            "breaking": pending.analysis.breaking_count(),
            "types": pending.analysis.type_counts(),
            "ignored_tags": pending.tags.ignored,
            "prerelease_tags_skipped": pending.tags.prereleases_skipped,
            "warnings": config.warnings.iter().chain(&pending.analysis.warnings).collect::<Vec<_>>(),
        });
        print_stdout(&format!("{report}\n"))?;
    } else if let Some(next) = next {
        print_stdout(&format!("{next}\n"))?;
    } else {
        notice(&pending.nothing_to_release());
    }
    Ok(())
}
