//! `changelog`: release notes and CHANGELOG.md from conventional commits, read from the local
//! checkout. No network, no token.

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use tidegate_actions::{Outputs, finish, notice, print_stdout, warning};
use tidegate_core::UsageError;
use tidegate_core::changelog::{self, ReleaseHeading, ReleaseNotes};
use tidegate_core::config::{Config, PackageConfig, ReleaseType};
use tidegate_core::links::Links;
use tidegate_core::release::{Analysis, utc_date};
use tidegate_git::checkout::load_config;
use tidegate_git::pending::{Pending, keep_package_commits};
use tidegate_git::{Commits, History, Overrides, ReleaseTag, safe_write};
use tidegate_github::overrides::Read;

/// Release notes and CHANGELOG.md from the conventional commits of a local checkout.
///
/// By default: the notes of what is not released yet (since the previous release tag reachable
/// from HEAD), headed by the version it would be released as.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The repository (any folder inside it).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Configuration file, relative to the repository root [default: tidegate.toml, else
    /// release-please-config.json].
    #[arg(long)]
    config: Option<PathBuf>,
    /// The release type of packages the configuration gives none (simple, rust, node, python,
    /// helm, go); with no configuration file, the one root package's type, with that type's
    /// defaults.
    #[arg(long, value_name = "TYPE")]
    release_type: Option<String>,
    /// The package of a monorepo, by its configured path.
    #[arg(long)]
    package: Option<String>,
    /// The notes of release TAG, from the release before it.
    #[arg(long, conflicts_with_all = ["from", "to", "all"])]
    tag: Option<String>,
    /// Start of a range (exclusive): a tag, branch or commit [default: the previous release].
    #[arg(long, conflicts_with = "all")]
    from: Option<String>,
    /// End of a range (inclusive) [default: HEAD].
    #[arg(long, conflicts_with = "all")]
    to: Option<String>,
    /// A whole CHANGELOG.md: every release reachable from HEAD, newest first.
    #[arg(long)]
    all: bool,
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// A minijinja template for one release's notes, replacing the default layout.
    #[arg(long, conflicts_with = "format")]
    template: Option<PathBuf>,
    /// Write to FILE instead of standard output: a regular file whole or not at all (through a
    /// symbolic link to its target), `-` or a device in place.
    #[arg(long, conflicts_with = "prepend")]
    output: Option<PathBuf>,
    /// Insert the notes into FILE under its title, keeping everything else.
    #[arg(long, conflicts_with_all = ["all", "format"])]
    prepend: Option<PathBuf>,
    /// The environment variable holding a GitHub token. With one, merged pull requests'
    /// BEGIN_COMMIT_OVERRIDE blocks replace their commits' messages, as in release-please.
    #[arg(long, default_value = "GITHUB_TOKEN", value_name = "NAME")]
    token_env: String,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Markdown,
    Json,
}

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return tidegate_actions::usage_failure(e.use_stderr(), &e.to_string()),
    };
    finish(run(&cli).map_err(|e| {
        let code = match e.downcast_ref::<GitHubFailure>() {
            Some(failure) => failure.0,
            None => tidegate_git::exit_code(e.as_ref()),
        };
        (code, format!("{e:#}"))
    }))
}

/// What the notes are built from, shared by every mode.
struct Facts<'a> {
    history: &'a History,
    config: &'a Config,
    package: &'a PackageConfig,
    links: Option<Links>,
}

fn run(cli: &Cli) -> Result<()> {
    let mut history = History::open(&cli.repo)?;
    // With a token, merged PRs' commit overrides apply: a first, silent pass finds how far back
    // the notes reach, then the notes are made again with the overrides.
    let token_set = std::env::var(&cli.token_env).is_ok_and(|t| !t.trim().is_empty());
    if token_set {
        tidegate_actions::muted(|| notes_of_run(cli, &history))?;
        // Without GitHub the notes are still right for the commits as written: said, not fatal.
        if let Err(e) = read_overrides(cli, &mut history) {
            warning(&format!(
                "commit overrides were not read, so the notes go without them: {e:#}"
            ));
        }
    }
    let notes = notes_of_run(cli, &history)?;
    let text = render(cli, &notes)?;
    write_out(cli, &text, &notes)?;
    outputs(cli, &notes, &text).write()?;
    if !token_set {
        notice(&Overrides::unread_notice(&cli.token_env));
    }
    // The process ends now: freeing libgit2's cache of every commit read, object by object, was a
    // twentieth of a whole changelog's time, for memory the exit returns anyway.
    std::mem::forget(history);
    Ok(())
}

/// Reads the commit overrides of the PRs merged since the oldest commit the notes hold.
fn read_overrides(cli: &Cli, history: &mut History) -> Result<()> {
    match tidegate_github::overrides::read(history, &cli.token_env, None)
        .map_err(|e| GitHubFailure(e.exit_code(), e.to_string()))?
    {
        Read::Unknown(why) => warning(&format!("commit overrides are not read: {why}")),
        Read::NoToken | Read::Applied(_) => {}
    }
    Ok(())
}

/// A GitHub failure and its exit code.
#[derive(Debug, thiserror::Error)]
#[error("{1}")]
struct GitHubFailure(u8, String);

/// The notes the command asks for.
fn notes_of_run(cli: &Cli, history: &History) -> Result<Vec<ReleaseNotes>> {
    let release_type = release_type(cli.release_type.as_deref())?;
    let config = load_config(history, cli.config.as_deref(), release_type)?;
    let package = match (&cli.tag, &cli.package) {
        // A monorepo's release tag names its package.
        (Some(tag), None) if config.packages.len() > 1 => match package_of_tag(&config, tag) {
            Some(package) => package,
            None if config.packages.iter().any(|p| p.path == ".") => config.package(None)?,
            None => return Err(no_package_has_tag(history, &config, tag)?.into()),
        },
        _ => config.package(cli.package.as_deref())?,
    };
    for message in &config.warnings {
        warning(message);
    }
    let links = history
        .remote_url()
        .and_then(|url| Links::from_remote(&url));
    let cx = Facts {
        history,
        config: &config,
        package,
        links,
    };
    let notes = if cli.all {
        all_releases(&cx)?
    } else if let Some(tag) = &cli.tag {
        vec![one_release(&cx, tag)?]
    } else if cli.from.is_some() || cli.to.is_some() {
        vec![range(
            &cx,
            cli.from.as_deref(),
            cli.to.as_deref().unwrap_or("HEAD"),
        )?]
    } else {
        vec![unreleased(&cx)?]
    };
    Ok(notes)
}

/// The step outputs: the newest release's facts, and its notes as rendered (not for `--all`,
/// whose whole document can pass the runner's output size limit).
fn outputs(cli: &Cli, notes: &[ReleaseNotes], text: &str) -> Outputs {
    let mut outputs = Outputs::default();
    if let Some(newest) = notes.first() {
        outputs
            .set("version", newest.version.clone())
            .set("tag", newest.tag.clone().unwrap_or_default())
            .set(
                "previous-tag",
                newest.previous_tag.clone().unwrap_or_default(),
            )
            .set("commit-count", newest.commit_count.to_string());
    }
    if !cli.all {
        outputs.set("notes", text.trim_end());
    }
    outputs
}

/// Builds notes from commits, reporting classification warnings.
fn notes_of(cx: &Facts<'_>, heading: ReleaseHeading, commits: &Commits) -> ReleaseNotes {
    let analysis = Analysis::of(&commits.commits, cx.package);
    notes_from(cx, heading, &analysis, commits.commits.len())
}

fn notes_from(
    cx: &Facts<'_>,
    heading: ReleaseHeading,
    analysis: &Analysis,
    count: usize,
) -> ReleaseNotes {
    for message in &analysis.warnings {
        warning(message);
    }
    changelog::build(
        heading,
        &analysis.changes,
        count,
        cx.package,
        cx.links.as_ref(),
    )
}

/// Today, or `SOURCE_DATE_EPOCH`'s day when set (reproducible output).
fn today() -> Result<String> {
    let now = tidegate_actions::now_or_source_date_epoch().map_err(UsageError)?;
    Ok(utc_date(now))
}

fn unreleased(cx: &Facts<'_>) -> Result<ReleaseNotes> {
    let head = cx.history.resolve("HEAD")?;
    // In a monorepo, only the commits that touch the package count.
    let index = cx
        .config
        .packages
        .iter()
        .position(|p| p.path == cx.package.path)
        .unwrap_or_default();
    let all = Pending::all(cx.history, cx.config, head)?;
    let concerns = tidegate_git::pending::concerns(cx.history, cx.config, &all, head)?;
    let pending = all
        .into_iter()
        .nth(index)
        .context("every configured package has its pending release")?;
    let heading = ReleaseHeading {
        version: pending
            .decision
            .next
            .as_ref()
            .map_or_else(|| "Unreleased".to_string(), ToString::to_string),
        tag: pending.next_tag(cx.package),
        previous_tag: pending.previous.as_ref().map(|t| t.name.clone()),
        date: today()?,
    };
    if pending.decision.next.is_none() {
        tidegate_actions::notice(&pending.nothing_to_release());
    }
    // The notes are shown whatever the baseline, but a doubtful one is said out loud.
    for concern in concerns {
        if concern.packages.contains(&cx.package.path) {
            warning(&concern.message);
        }
    }
    if let Some(existing) = pending.existing_tag(cx.history, cx.package)? {
        warning(&format!(
            "the version these notes are headed by is released already: tag `{existing}` exists; `bump` refuses to release it again"
        ));
    }
    Ok(notes_from(
        cx,
        heading,
        &pending.analysis,
        pending.commits.commits.len(),
    ))
}

/// The package whose tags a tag name is spelled like (`api-v1.2.0` → the `api` package).
fn package_of_tag<'c>(config: &'c Config, tag: &str) -> Option<&'c PackageConfig> {
    // Two packages reading the same tag: the one with the longer component is the tag's.
    config
        .packages
        .iter()
        .filter(|p| p.tag.parse(tag).is_some())
        .max_by_key(|p| p.tag.component.as_ref().map_or(0, String::len))
}

/// Why no package of a monorepo has a tag, with the tags it may have meant (`17.0.0` →
/// `gcf-utils-v17.0.0`).
fn no_package_has_tag(history: &History, config: &Config, tag: &str) -> Result<UsageError> {
    let meant: Vec<String> = history
        .all_tags()?
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name != tag && name.ends_with(tag))
        .filter(|name| config.packages.iter().any(|p| p.tag.parse(name).is_some()))
        .take(3)
        .collect();
    let hint = if meant.is_empty() {
        format!(
            "their tags look like `{}`; pass --package PATH with a tag of it",
            config.packages[0]
                .tag
                .tag_name(&semver::Version::new(1, 2, 3))
        )
    } else {
        format!("did you mean `{}`?", meant.join("`, `"))
    };
    Ok(UsageError(format!(
        "`{tag}` is not a release tag of any of the {} configured packages; {hint}",
        config.packages.len()
    )))
}

fn release_tag<'t>(
    tags: &'t tidegate_git::ReleaseTags,
    name: &str,
    cx: &Facts<'_>,
) -> Result<&'t ReleaseTag> {
    if let Some(tag) = tags.find(name) {
        return Ok(tag);
    }
    // A version without its prefix, or with a `v` too many: the package's tag of that version.
    let version = semver::Version::parse(name.trim_start_matches('v')).ok();
    if let Some(tag) = version.as_ref().and_then(|v| tags.of_version(v)) {
        return Err(UsageError(format!(
            "`{name}` is not a tag; did you mean `{}`?",
            tag.name
        ))
        .into());
    }
    if cx.package.tag.parse(name).is_some() && cx.history.tag_exists(name)? {
        return Err(UsageError(format!(
            "`{name}` is left out of package `{}`'s releases by its `tag-pattern` or `ignore-tags`",
            cx.package.path
        ))
        .into());
    }
    if cx.history.resolve(name).is_err() {
        let candidates = tags
            .tags
            .iter()
            .map(|t| (t.name.as_str(), vec![t.name.as_str()]));
        let near: Vec<String> = tidegate_core::nearest(name, candidates, 3)
            .into_iter()
            .map(|n| format!("`{n}`"))
            .collect();
        let hint = if near.is_empty() {
            "the package has no release tags".to_string()
        } else {
            format!("the nearest release tags are {}", near.join(", "))
        };
        return Err(UsageError(format!("there is no tag `{name}`; {hint}")).into());
    }
    let example = cx.package.tag.tag_name(&semver::Version::new(1, 2, 3));
    Err(UsageError(format!(
        "`{name}` is not a release tag of package `{}` (its tags look like `{example}`); pass one of its release tags",
        cx.package.path
    ))
    .into())
}

fn one_release(cx: &Facts<'_>, name: &str) -> Result<ReleaseNotes> {
    // The releases that count under the package's versioning; a pre-release asked for by name
    // that does not count is still found (among the uncounted tags).
    let tags = cx
        .history
        .release_tags(&cx.package.tag, cx.package.rules.counts_prereleases())?;
    let tag = release_tag(&tags, name, cx)?;
    let baseline = cx.history.baseline(tag.commit, &tags, true)?;
    let floor = cx.history.floor(&baseline, cx.package);
    let mut commits = cx.history.commits_hiding(tag.commit, &floor)?;
    keep_package_commits(cx.history, cx.config, cx.package, &mut commits)?;
    let heading = ReleaseHeading {
        version: tag.version.to_string(),
        tag: Some(tag.name.clone()),
        previous_tag: baseline.tag.map(|p| p.name.clone()),
        date: utc_date(cx.history.tag_time(tag)?),
    };
    Ok(notes_of(cx, heading, &commits))
}

fn range(cx: &Facts<'_>, from: Option<&str>, to: &str) -> Result<ReleaseNotes> {
    let tags = cx
        .history
        .release_tags(&cx.package.tag, cx.package.rules.counts_prereleases())?;
    // `--to` alone naming a release is that release's notes (from its previous release).
    if from.is_none() && tags.find(to).is_some() {
        return one_release(cx, to);
    }
    let target = cx.history.resolve(to)?;
    let (hidden, from_name, baseline_version) = match from {
        Some(name) => {
            let since = cx.history.resolve(name)?;
            if since == target {
                return Err(UsageError(format!(
                    "--from {name} and --to {to} are the same commit, so the range is empty; name an older --from"
                ))
                .into());
            }
            if cx.history.is_ancestor(target, since)? {
                return Err(UsageError(format!(
                    "--from {name} comes after --to {to} (`{to}` is an ancestor of `{name}`), so the range is empty; swap them"
                ))
                .into());
            }
            let version = tags.find(name).map(|t| t.version.clone());
            (vec![since], Some(name.to_string()), version)
        }
        None => {
            let baseline = cx.history.baseline(target, &tags, false)?;
            let floor = cx.history.floor(&baseline, cx.package);
            let previous = baseline.tag;
            (
                floor,
                previous.map(|p| p.name.clone()),
                previous.map(|p| p.version.clone()),
            )
        }
    };
    let mut commits = cx.history.commits_hiding(target, &hidden)?;
    keep_package_commits(cx.history, cx.config, cx.package, &mut commits)?;
    let analysis = Analysis::of(&commits.commits, cx.package);
    // Headed by the release tag `to` names, else by the version the range would be released as
    // (its tag is where the compare link will point once released), else by `to` itself.
    let heading = match tags.find(to) {
        Some(tag) => ReleaseHeading {
            version: tag.version.to_string(),
            tag: Some(tag.name.clone()),
            previous_tag: from_name,
            date: utc_date(cx.history.tag_time(tag)?),
        },
        None => {
            let next = analysis.decide(baseline_version.as_ref(), cx.package)?.next;
            ReleaseHeading {
                version: next
                    .as_ref()
                    .map_or_else(|| "Unreleased".into(), ToString::to_string),
                tag: Some(next.map_or_else(|| to.to_string(), |v| cx.package.tag.tag_name(&v))),
                previous_tag: from_name,
                date: today()?,
            }
        }
    };
    Ok(notes_from(cx, heading, &analysis, commits.commits.len()))
}

fn all_releases(cx: &Facts<'_>) -> Result<Vec<ReleaseNotes>> {
    let head = cx.history.resolve("HEAD")?;
    let tags = cx
        .history
        .release_tags(&cx.package.tag, cx.package.rules.counts_prereleases())?;
    let mut releases = cx.history.releases(head, &tags)?;
    // Read ancestors first; listed by version.
    releases.sort_by(|a, b| a.0.version.cmp(&b.0.version));
    if releases.is_empty() {
        // A shallow clone has no tags below its cut: an empty changelog would be a wrong one.
        if cx.history.is_shallow() {
            return Err(tidegate_git::GitError::ShallowHistory.into());
        }
        warning(&no_release_found(cx, &tags));
    }
    for (_, _, commits) in &mut releases {
        keep_package_commits(cx.history, cx.config, cx.package, commits)?;
    }
    let mut notes = Vec::with_capacity(releases.len());
    for (tag, previous, commits) in &releases {
        if tags.notes_skipped.contains(&tag.name) {
            continue;
        }
        // Compared with the release `--tag` names as its previous one: the highest lower
        // release it contains (a maintenance release merged later is not in it).
        let heading = ReleaseHeading {
            version: tag.version.to_string(),
            tag: Some(tag.name.clone()),
            previous_tag: previous.map(|p| p.name.clone()),
            date: utc_date(cx.history.tag_time(tag)?),
        };
        notes.push(notes_of(cx, heading, commits));
    }
    notes.reverse();
    Ok(notes)
}

/// Why no release was found, and what to check.
fn no_release_found(cx: &Facts<'_>, tags: &tidegate_git::ReleaseTags) -> String {
    let example = cx.package.tag.tag_name(&semver::Version::new(1, 2, 3));
    if tags.tags.is_empty() && tags.ignored == 0 && tags.uncounted.is_empty() {
        return "the repository has no tags, so no release is listed; if releases exist, fetch their tags (`git fetch --tags`, or actions/checkout with `fetch-depth: 0`)".to_string();
    }
    format!(
        "no release tag of package `{}` is reachable from HEAD ({} tags are not spelled like `{example}`; check the tag format: `include-v-in-tag`, `component`, `tag-pattern`)",
        cx.package.path, tags.ignored
    )
}

fn render(cli: &Cli, notes: &[ReleaseNotes]) -> Result<String> {
    if let Some(path) = &cli.template {
        let source = std::fs::read_to_string(path).map_err(|e| {
            UsageError(format!(
                "cannot read template {}: {}",
                path.display(),
                tidegate_actions::io_reason(&e)
            ))
        })?;
        let name = path.display().to_string();
        let parts = notes
            .iter()
            .map(|n| tidegate_core::template::render(&name, &source, n))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(parts.join("\n"));
    }
    match cli.format {
        Format::Json => {
            let value = if cli.all {
                serde_json::json!({ "releases": notes })
            } else {
                serde_json::to_value(&notes[0])?
            };
            Ok(format!("{}\n", serde_json::to_string_pretty(&value)?))
        }
        Format::Markdown => {
            let sections: Vec<String> = notes.iter().map(changelog::render_markdown).collect();
            Ok(if cli.all {
                changelog::render_document(&sections)
            } else {
                sections.concat()
            })
        }
    }
}

fn write_out(cli: &Cli, text: &str, notes: &[ReleaseNotes]) -> Result<()> {
    let (path, contents) = match (&cli.prepend, &cli.output) {
        (Some(path), _) => {
            if path.as_os_str() == "-" {
                return Err(UsageError(
                    "--prepend edits a file in place and cannot be `-`; to print the notes use --output - (or no option)".into(),
                )
                .into());
            }
            // Reading a FIFO or socket to edit it would wait for ever: refused. (A device such as
            // /dev/null reads empty and is written in place.)
            if std::fs::metadata(path).is_ok_and(|m| blocks_reading(&m.file_type())) {
                return Err(UsageError(format!(
                    "--prepend {}: is a FIFO or socket, not a file to edit; use --output to write to it",
                    path.display()
                ))
                .into());
            }
            // Read through a symbolic link: the file it points to is the changelog.
            let existing = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => {
                    return Err(UsageError(format!(
                        "cannot read {}: {}",
                        path.display(),
                        tidegate_actions::io_reason(&e)
                    ))
                    .into());
                }
            };
            (path, changelog::prepend(&existing, text, &notes[0].version))
        }
        (None, Some(path)) => (path, text.to_string()),
        (None, None) => return print_stdout(text).context("cannot write to standard output"),
    };
    let name = path.display().to_string();
    safe_write::write_file(&safe_write::FileWrite {
        name: &name,
        path: path.clone(),
        contents: contents.as_bytes(),
    })?;
    Ok(())
}

#[cfg(unix)]
fn blocks_reading(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_fifo() || kind.is_socket()
}

#[cfg(not(unix))]
fn blocks_reading(_: &std::fs::FileType) -> bool {
    false
}

/// `--release-type`, refused with the supported names when unknown (a usage error, exit 2).
fn release_type(name: Option<&str>) -> Result<Option<ReleaseType>> {
    name.map(|n| {
        n.parse::<ReleaseType>()
            .map_err(|e| tidegate_core::UsageError(format!("--release-type: {e}")).into())
    })
    .transpose()
}
