//! Release lines: `bump cut` makes a line's branch (for a version, its files bumped, or for the
//! patches of a release), and `bump promote` makes a candidate the final release on the same
//! commit, with no rebuild.

use anyhow::Result;
use git2::Oid;
use serde_json::json;
use std::path::{Path, PathBuf};
use tidegate_actions::{Outputs, print_stdout};
use tidegate_core::UsageError;
use tidegate_core::config::{Config, PackageConfig};
use tidegate_core::release_line::{CutWith, candidate_number, final_of};
use tidegate_git::History;
use tidegate_git::pending::Pending;
use tidegate_github::GitHub;
use tidegate_github::gitdata::TreeFile;
use tidegate_github::refs::Created;

use crate::remote::{Exit, GitHubResult};
use crate::{Checkout, Overrides, Planned, plan, refuse, request};

#[derive(clap::Args)]
pub struct CutArgs {
    #[command(flatten)]
    pub checkout: Checkout,
    /// The version the line is for (X.Y.Z): its files are bumped to it, and its candidates and
    /// final release carry it.
    #[arg(value_name = "X.Y.Z", required_unless_present = "hotfix")]
    pub version: Option<String>,
    /// The commit, branch or tag to cut from [default: HEAD].
    #[arg(long, value_name = "REF", conflicts_with = "hotfix")]
    pub from: Option<String>,
    /// Start the maintenance line of this release tag instead (its patches are released from
    /// the new branch; nothing is bumped).
    #[arg(long, value_name = "TAG", conflicts_with = "version")]
    pub hotfix: Option<String>,
    /// The branch to make [default: release-lines.branch, "release/{version}", or for
    /// --hotfix release-lines.hotfix-branch, "release/{major}.{minor}.x"].
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// The packages the line releases (by configured path; default: all).
    #[arg(long, value_delimiter = ',')]
    pub package: Vec<String>,
    /// Say what would be made, from the checkout alone: no token, no network.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the outcome as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// A version a line is named for: X.Y.Z, nothing more.
fn line_version(text: &str) -> Result<semver::Version> {
    semver::Version::parse(text.trim().trim_start_matches('v'))
        .ok()
        .filter(|v| v.pre.is_empty() && v.build.is_empty())
        .ok_or_else(|| {
            UsageError(format!(
                "`{}` is not a version to cut a line for: write X.Y.Z, such as 1.4.0 (candidates get their -rc.N when they are released)",
                tidegate_actions::one_line(text)
            ))
            .into()
        })
}

pub fn cut(args: &CutArgs) -> Result<()> {
    if let Some(tag) = &args.hotfix {
        return cut_hotfix(args, tag);
    }
    let version = line_version(args.version.as_deref().unwrap_or_default())?;
    let history = History::open(&args.checkout.repo)?;
    let from = history.resolve(args.from.as_deref().unwrap_or("HEAD"))?;
    // The files are read from a checkout of the cut commit: the user's own, or a temporary one.
    let worktree = if from == history.resolve("HEAD")? {
        None
    } else {
        Some(Worktree::add(history.root(), from)?)
    };
    let checkout = Checkout {
        repo: worktree
            .as_ref()
            .map_or_else(|| args.checkout.repo.clone(), |w| w.path.clone()),
        ..args.checkout.clone()
    };
    let overrides = if args.dry_run {
        Overrides::Off
    } else {
        Overrides::Must
    };
    let Planned {
        history: at_cut,
        config,
        plan,
        ..
    } = plan(
        &checkout,
        &request(args.package.clone(), Some(version.clone()))?,
        overrides,
    )?;
    let released: Vec<&str> = plan.released().map(|p| p.path.as_str()).collect();
    if released.is_empty() {
        return Err(UsageError(format!("no package to cut {version} for")).into());
    }
    refuse(&plan, &released, &checkout)?;
    for package in plan.released() {
        let previous = package
            .previous
            .as_deref()
            .and_then(|p| semver::Version::parse(p).ok());
        if let Some(previous) = previous.filter(|p| *p >= version) {
            return Err(UsageError(format!(
                "{} is released up to {previous} at {from}; a line for {version} would go backwards: give a version above {previous}",
                package.path
            ))
            .into());
        }
    }
    let branch = args.branch.clone().unwrap_or_else(|| {
        config
            .lines
            .branch_for(&version, line_component(&config, &released))
    });
    check_branch_name(&branch)?;
    let changes: Vec<(String, Vec<u8>)> = plan
        .files
        .iter()
        .map(|f| (f.path.clone(), f.after.clone().into_bytes()))
        .collect();
    let (tree, files) = at_cut.tree_with(from, &changes)?;
    let files: Vec<TreeFile> = files
        .into_iter()
        .map(|f| TreeFile {
            path: f.path,
            mode: format!("{:o}", f.mode),
            content: Some(f.content),
        })
        .collect();
    let names: Vec<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    if args.dry_run {
        return cut_report(
            args.json,
            &json!({ "dry_run": true, "branch": branch, "from": from.to_string(), "version": version.to_string(), "files": names, "with": format!("{:?}", config.lines.cut_with).to_lowercase() }),
            &format!(
                "would cut {branch} from {from} for {version}, bumping {}\n",
                names.join(", ")
            ),
        );
    }
    let repo = args.checkout.remote.repo(&history)?;
    let message = format!("chore({branch}): release {version}");
    let from_tree = history.tree_of(from)?.to_string();
    let with = config.lines.cut_with;
    let made = args.checkout.remote.run(repo, |gh| async move {
        on_github(&gh, &from.to_string(), "cut").await?;
        match with {
            CutWith::Commit => cut_commit(
                &gh,
                &branch,
                from,
                &from_tree,
                &tree.to_string(),
                &files,
                &message,
            )
            .await
            .map(|(sha, created)| (branch, sha, created)),
            CutWith::Pr => {
                let created = match gh
                    .create_branch_once(&branch, &from.to_string())
                    .await
                    .gh()?
                {
                    Created::Created => true,
                    Created::Existed => false,
                    Created::Elsewhere(sha) => return Err(exists_elsewhere(&branch, &sha)),
                };
                Ok((branch, from.to_string(), created))
            }
        }
    })?;
    let (branch, sha, created) = made;
    if with == CutWith::Pr {
        // The version bump goes through a release PR into the new line, as on any base.
        crate::pr::run(&crate::pr::PrArgs {
            checkout,
            base: Some(branch.clone()),
            branch: None,
            package: args.package.clone(),
            release_as: Some(version.clone()),
            labels: vec![tidegate_core::release_pr::PENDING_LABEL.to_string()],
            draft: false,
            dry_run: false,
            json: false,
        })?;
    }
    drop(worktree);
    let mut outputs = Outputs::default();
    outputs
        .set("branch", branch.clone())
        .set("sha", sha.clone())
        .set("version", version.to_string())
        .set("created", created.to_string());
    outputs.write()?;
    let line = if created {
        format!("cut {branch} at {sha} for {version} ({})", names.join(", "))
    } else {
        format!("{branch} was cut already, at {sha}, for {version}: nothing to do")
    };
    cut_report(
        args.json,
        &json!({ "branch": branch, "sha": sha, "version": version.to_string(), "created": created, "files": names }),
        &format!("{line}\n"),
    )
}

/// Makes the line's first commit (the version bump on the cut commit) and the branch at it. A
/// branch already there is the line when it starts with the same bump (a rerun); else it is
/// someone else's, and never moved.
async fn cut_commit(
    gh: &GitHub,
    branch: &str,
    from: Oid,
    from_tree: &str,
    tree: &str,
    files: &[TreeFile],
    message: &str,
) -> Result<(String, bool)> {
    let from = from.to_string();
    if let Some(there) = gh.ref_sha(&format!("heads/{branch}")).await.gh()? {
        return same_cut(gh, branch, &there, &from, tree)
            .await
            .map(|_| (there, false));
    }
    let made_tree = gh.create_tree(from_tree, files).await.gh()?;
    let commit = gh
        .create_commit(message, &made_tree, std::slice::from_ref(&from), None)
        .await
        .gh()?;
    match gh.create_branch_once(branch, &commit.sha).await.gh()? {
        Created::Created => Ok((commit.sha, true)),
        Created::Existed => Ok((commit.sha, false)),
        Created::Elsewhere(there) => {
            same_cut(gh, branch, &there, &from, tree).await?;
            Ok((there, false))
        }
    }
}

/// Whether the branch at `there` starts with this cut: its tip, or a commit the line grew from,
/// is the bump of `from` to `tree`.
async fn same_cut(gh: &GitHub, branch: &str, there: &str, from: &str, tree: &str) -> Result<()> {
    if let Some(ahead) = gh.commits_ahead(from, there).await.gh()? {
        if ahead
            .first()
            .is_some_and(|first| first.parents == [from.to_string()] && first.tree == tree)
        {
            return Ok(());
        }
    }
    Err(exists_elsewhere(branch, there))
}

fn exists_elsewhere(branch: &str, sha: &str) -> anyhow::Error {
    Exit::declined(format!(
        "the branch {branch} exists already (at {sha}) and is not this cut; a branch is never moved: cut another version, name another branch with --branch, or delete {branch} if it is wrong"
    ))
}

/// Refuses a commit GitHub does not have: the cut's commit is made on it there.
async fn on_github(gh: &GitHub, sha: &str, what: &str) -> Result<()> {
    match gh.git_commit(sha).await {
        Ok(_) => Ok(()),
        Err(tidegate_github::Error::Refused { status, .. })
            if matches!(status.as_u16(), 404 | 422) =>
        {
            Err(UsageError(format!(
            "commit {sha} is not on GitHub ({}), so nothing can be {what} from it: push it first",
            gh.repo()
        ))
        .into())
        }
        Err(e) => Err(Exit::from(e).into()),
    }
}

/// The component a line's branch carries: in a monorepo, that of the one package it is cut for.
fn line_component<'c>(config: &'c Config, paths: &[&str]) -> Option<&'c str> {
    match paths {
        [one] if config.packages.len() > 1 => config
            .packages
            .iter()
            .find(|p| p.path == *one)
            .and_then(|p| p.tag.component.as_deref()),
        _ => None,
    }
}

fn check_branch_name(branch: &str) -> Result<()> {
    if git2::Reference::is_valid_name(&format!("refs/heads/{branch}")) {
        return Ok(());
    }
    Err(UsageError(format!(
        "`{}` is not a branch name git accepts; give another with --branch or release-lines.branch",
        tidegate_actions::one_line(branch)
    ))
    .into())
}

fn cut_report(json: bool, value: &serde_json::Value, line: &str) -> Result<()> {
    if json {
        print_stdout(&format!("{value}\n"))?;
    } else {
        print_stdout(line)?;
    }
    Ok(())
}

/// `bump cut --hotfix TAG`: the maintenance line of a release, from its tag.
fn cut_hotfix(args: &CutArgs, tag: &str) -> Result<()> {
    let (history, config) = crate::open_checkout(&args.checkout)?;
    let (package, found) = find_release_tag(&history, &config, &args.package, tag)?;
    if !found.version.pre.is_empty() {
        return Err(UsageError(format!(
            "{tag} is a pre-release; a maintenance line starts from a final release (such as {})",
            package.tag.tag_name(&final_of(&found.version))
        ))
        .into());
    }
    let branch = args.branch.clone().unwrap_or_else(|| {
        config.lines.hotfix_branch_for(
            &found.version,
            line_component(&config, &[package.path.as_str()]),
        )
    });
    check_branch_name(&branch)?;
    let commit = found.commit;
    if args.dry_run {
        return cut_report(
            args.json,
            &json!({ "dry_run": true, "branch": branch, "from": found.name, "sha": commit.to_string() }),
            &format!("would start {branch} at {} ({commit})\n", found.name),
        );
    }
    let repo = args.checkout.remote.repo(&history)?;
    let name = found.name.clone();
    let created = args.checkout.remote.run(repo, |gh| async move {
        match gh.ref_sha(&format!("tags/{name}")).await.gh()? {
            Some(sha) if sha == commit.to_string() => {}
            Some(sha) => {
                return Err(Exit::declined(format!(
                    "the tag {name} is on {sha} on GitHub but on {commit} in the checkout; fetch the tags (`git fetch --tags --force`) and look before cutting"
                )));
            }
            None => {
                return Err(UsageError(format!(
                    "the tag {name} is not on GitHub ({}); push it first (`git push origin {name}`)",
                    gh.repo()
                ))
                .into());
            }
        }
        match gh
            .create_branch_once(&branch, &commit.to_string())
            .await
            .gh()?
        {
            Created::Created => Ok((branch, true)),
            Created::Existed => Ok((branch, false)),
            // A maintenance line that has grown since its cut is still the line.
            Created::Elsewhere(sha)
                if Oid::from_str(&sha)
                    .ok()
                    .is_some_and(|s| history.is_ancestor(commit, s).unwrap_or(false)) =>
            {
                Ok((branch, false))
            }
            Created::Elsewhere(sha) => Err(exists_elsewhere(&branch, &sha)),
        }
    })?;
    let (branch, created) = created;
    let mut outputs = Outputs::default();
    outputs
        .set("branch", branch.clone())
        .set("sha", commit.to_string())
        .set("version", found.version.to_string())
        .set("created", created.to_string());
    outputs.write()?;
    let line = if created {
        format!(
            "started {branch} at {} ({commit}): its fixes are released as {}.{}.x patches",
            found.name, found.version.major, found.version.minor
        )
    } else {
        format!(
            "{branch} exists already and holds {}: nothing to do",
            found.name
        )
    };
    cut_report(
        args.json,
        &json!({ "branch": branch, "sha": commit.to_string(), "from": found.name, "created": created }),
        &format!("{line}\n"),
    )
}

/// The line's changelog gets the final release's whole section: the cut wrote it with what the
/// line held then, and the fixes since are in the release notes only. One commit on the line's
/// tip (through the API, a fast-forward), so the merge back carries a complete changelog into
/// the base. The release is made whatever happens here: a failure is a warning saying what to do.
fn complete_line_changelog(
    checkout: &Checkout,
    history: &History,
    promotion: &Promotion,
    line: &str,
) -> Result<()> {
    let Some(path) = tidegate_git::release_files::changelog_file(&promotion.package)? else {
        return Ok(());
    };
    let Some(tip) = [format!("origin/{line}"), line.to_string()]
        .iter()
        .find_map(|name| history.resolve(name).ok())
    else {
        tidegate_actions::notice(&format!(
            "{path} on the line was not completed with {}'s notes: {line} is not in the checkout (fetch-depth: 0 fetches it)",
            promotion.tag
        ));
        return Ok(());
    };
    let Some(before) = history.file_at(tip, Path::new(&path)) else {
        return Ok(());
    };
    let version = promotion.version.to_string();
    let after = tidegate_core::changelog::prepend(&before, &promotion.notes, &version);
    if after == before {
        return Ok(());
    }
    let repo = checkout.remote.repo(history)?;
    let message = format!("chore({line}): changelog of {version}");
    let tree = history.tree_of(tip)?.to_string();
    let files = [TreeFile {
        path: path.clone(),
        mode: "100644".into(),
        content: Some(after.into_bytes()),
    }];
    let tip = tip.to_string();
    let branch = line.to_string();
    let written = checkout.remote.run(repo, |gh| async move {
        if gh
            .ref_sha(&format!("heads/{branch}"))
            .await
            .gh()?
            .as_deref()
            != Some(tip.as_str())
        {
            return Ok(false);
        }
        let tree = gh.create_tree(&tree, &files).await.gh()?;
        let commit = gh
            .create_commit(&message, &tree, std::slice::from_ref(&tip), None)
            .await
            .gh()?;
        gh.fast_forward(&branch, &commit.sha).await.gh()?;
        Ok(true)
    });
    match written {
        Ok(true) => print_stdout(&format!(
            "completed {path} on {line} with {}'s notes\n",
            promotion.tag
        ))?,
        Ok(false) => tidegate_actions::warning(&format!(
            "{path} on {line} was not completed with {}'s notes: {line} on GitHub is not the checkout's; add the release notes' section by hand before the merge back",
            promotion.tag
        )),
        Err(e) => tidegate_actions::warning(&format!(
            "{path} on {line} was not completed with {}'s notes ({e:#}); add the release notes' section by hand before the merge back",
            promotion.tag
        )),
    }
    Ok(())
}

/// The package a release tag belongs to, and the tag (pre-releases included), or an error that
/// names the nearest tags.
pub(crate) fn find_release_tag<'c>(
    history: &History,
    config: &'c Config,
    packages: &[String],
    tag: &str,
) -> Result<(&'c PackageConfig, tidegate_git::ReleaseTag)> {
    let mut names = Vec::new();
    for package in &config.packages {
        if !packages.is_empty() && !packages.contains(&package.path) {
            continue;
        }
        let tags = history.release_tags(&package.tag, true)?;
        if let Some(found) = tags.find(tag) {
            return Ok((package, found.clone()));
        }
        names.extend(tags.tags.iter().map(|t| t.name.clone()));
    }
    let nearest = tidegate_core::nearest(tag, names.iter().map(|n| (n, vec![n.as_str()])), 3);
    let hint = if nearest.is_empty() {
        "no release tag is in the checkout: fetch them (`git fetch --tags`, or fetch-depth: 0)"
            .to_string()
    } else {
        format!(
            "the nearest: {}",
            nearest
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(UsageError(format!(
        "no release tag `{}` in the checkout; {hint}",
        tidegate_actions::one_line(tag)
    ))
    .into())
}

/// A temporary checkout of one commit (`git worktree add --detach`), removed on drop: the cut
/// reads its files there and leaves the user's checkout alone.
struct Worktree {
    _dir: tempfile::TempDir,
    path: PathBuf,
    repo: PathBuf,
}

impl Worktree {
    fn add(repo: &Path, commit: Oid) -> Result<Self> {
        let dir = tempfile::Builder::new().prefix("tidegate-cut-").tempdir()?;
        let path = dir.path().join("checkout");
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["worktree", "add", "--detach", "--quiet"])
            .arg(&path)
            .arg(commit.to_string())
            .output()
            .map_err(|e| UsageError(format!("cannot run git to check out {commit}: {e}")))?;
        if !out.status.success() {
            return Err(UsageError(format!(
                "cannot check out {commit} to read its files: {}",
                tidegate_actions::one_line(String::from_utf8_lossy(&out.stderr).trim())
            ))
            .into());
        }
        Ok(Self {
            _dir: dir,
            path,
            repo: repo.to_path_buf(),
        })
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let _ = std::process::Command::new("git")
            .arg("-C")
            .arg(&self.repo)
            .args(["worktree", "remove", "--force"])
            .arg(&self.path)
            .output();
    }
}

/// What HEAD's package looks like at a candidate, for notes that count from the previous final
/// release (candidates do not end a final release's notes).
pub(crate) fn without_prereleases(package: &PackageConfig) -> PackageConfig {
    let mut package = package.clone();
    package.rules.prerelease = Some(false);
    package.rules.strategy = tidegate_core::version::Strategy::Default;
    package
}

/// The candidates of `base` among a package's tags: (number, tag), lowest first.
pub(crate) fn candidates_of<'t>(
    pending: &'t Pending,
    base: &semver::Version,
    label: &str,
) -> Vec<(u64, &'t tidegate_git::ReleaseTag)> {
    let mut found: Vec<(u64, &tidegate_git::ReleaseTag)> = pending
        .tags
        .prereleases_of(base)
        .into_iter()
        .filter_map(|t| candidate_number(&t.version, label).map(|(n, _)| (n, t)))
        .collect();
    found.sort_by_key(|(n, _)| *n);
    found
}

#[derive(clap::Args)]
pub struct PromoteArgs {
    #[command(flatten)]
    pub checkout: Checkout,
    /// The candidate's tag (such as v1.4.0-rc.2).
    #[arg(value_name = "CANDIDATE_TAG")]
    pub candidate: String,
    /// The package whose candidate it is (by configured path), when tags alone do not say.
    #[arg(long)]
    pub package: Vec<String>,
    #[command(flatten)]
    pub signing: crate::assets::Signing,
    /// Say what would be made, from the checkout alone: no token, no network.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the outcome as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The final release a candidate becomes.
pub(crate) struct Promotion {
    pub package: PackageConfig,
    pub candidate: tidegate_git::ReleaseTag,
    pub version: semver::Version,
    pub tag: String,
    pub notes: String,
    /// No final release of the package is higher: it becomes "Latest".
    pub newest: bool,
}

pub fn promote(args: &PromoteArgs) -> Result<()> {
    let (history, config) = crate::open_checkout(&args.checkout)?;
    let (package, candidate) = find_release_tag(&history, &config, &args.package, &args.candidate)?;
    let label = candidate
        .version
        .pre
        .as_str()
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
        .to_string();
    if candidate.version.pre.is_empty() || candidate_number(&candidate.version, &label).is_none() {
        return Err(UsageError(format!(
            "{} is not a candidate (X.Y.Z-rc.N): only a candidate is promoted to its final release",
            candidate.name
        ))
        .into());
    }
    let version = final_of(&candidate.version);
    let tags = history.release_tags(&package.tag, true)?;
    let newer = tags
        .prereleases_of(&version)
        .into_iter()
        .next_back()
        .filter(|t| t.version > candidate.version);
    if let Some(newer) = newer {
        return Err(Exit::declined(format!(
            "{} is not the newest candidate of {version}: {} is; promote the newest (the one the vote was on), or make another candidate",
            candidate.name, newer.name
        )));
    }
    let existing = tags.of_version(&version);
    match existing {
        Some(t) if t.commit == candidate.commit => {}
        Some(t) => {
            return Err(Exit::declined(format!(
                "{version} is released already ({} on {}), not from {}; a release is made once",
                t.name, t.commit, candidate.name
            )));
        }
        None => {}
    }
    let line_newer = tags.tags.iter().chain(&tags.uncounted).find(|t| {
        t.version.pre.is_empty()
            && t.version.major == version.major
            && t.version.minor == version.minor
            && t.version > version
    });
    if let Some(newer) = line_newer {
        return Err(Exit::declined(format!(
            "the line {}.{} has a newer final release, {}; promoting {} now would go backwards",
            version.major, version.minor, newer.name, candidate.name
        )));
    }
    let newest = !tags
        .tags
        .iter()
        .chain(&tags.uncounted)
        .any(|t| t.version.pre.is_empty() && t.version > version);
    let tag = existing.map_or_else(|| package.tag.tag_name(&version), |t| t.name.clone());
    // The notes run from the previous final release: candidates do not end them.
    let counted = without_prereleases(package);
    let pending = if config.packages.len() > 1 {
        // A monorepo's package has the commits that touch it.
        let mut all = config.clone();
        for p in &mut all.packages {
            *p = without_prereleases(p);
        }
        let index = config
            .packages
            .iter()
            .position(|p| p.path == package.path)
            .unwrap_or_default();
        Pending::all(&history, &all, candidate.commit)?.swap_remove(index)
    } else {
        Pending::of(&history, &counted, candidate.commit)?
    };
    let date = crate::request(Vec::new(), None)?.date;
    let notes = crate::release::notes_since_previous(
        &history,
        &counted,
        &pending,
        crate::release::heading_after(&pending, &version, &tag, &date),
    );
    let promotion = Promotion {
        package: package.clone(),
        candidate,
        version,
        tag,
        notes,
        newest,
    };
    if args.dry_run {
        return cut_report(
            args.json,
            &json!({ "dry_run": true, "tag_name": promotion.tag, "candidate": promotion.candidate.name, "sha": promotion.candidate.commit.to_string(), "notes": promotion.notes }),
            &format!(
                "would release {} on {} ({}), the commit of {}, with these notes:\n\n{}",
                promotion.tag,
                promotion.candidate.commit,
                promotion.version,
                promotion.candidate.name,
                promotion.notes
            ),
        );
    }
    let signing = args.signing.load(history.root())?;
    let repo = args.checkout.remote.repo(&history)?;
    let done = args.checkout.remote.run(repo, |gh| async move {
        crate::assets::promote(&gh, &promotion, signing.as_ref())
            .await
            .map(|release| (promotion, release))
    })?;
    let (promotion, release) = done;
    history.tag_locally(&promotion.tag, promotion.candidate.commit)?;
    let line = config.lines.branch_for(
        &promotion.version,
        line_component(&config, &[promotion.package.path.as_str()]),
    );
    complete_line_changelog(&args.checkout, &history, &promotion, &line)?;
    // release-please-action's names, as `bump release` writes them, so a workflow gating on
    // `releases_created` fires after a promotion too.
    let version = &promotion.version;
    let mut outputs = Outputs::default();
    outputs
        .set("releases_created", "true")
        .set("release_created", "true")
        .set(
            "paths_released",
            json!([promotion.package.path]).to_string(),
        )
        .set("path", promotion.package.path.clone())
        .set("tag_name", promotion.tag.clone())
        .set("version", version.to_string())
        .set("major", version.major.to_string())
        .set("minor", version.minor.to_string())
        .set("patch", version.patch.to_string())
        .set("candidate", promotion.candidate.name.clone())
        .set("sha", promotion.candidate.commit.to_string())
        .set("id", release.release.id.to_string())
        .set("name", release.release.name.clone().unwrap_or_default())
        .set("body", release.release.body.clone().unwrap_or_default())
        .set("html_url", release.release.html_url.clone())
        .set("upload_url", release.release.upload_url.clone())
        .set(
            "assets",
            crate::assets::assets_json(&release.assets).to_string(),
        );
    outputs.write()?;
    crate::assets::summary(&promotion.tag, &release.assets)?;
    let line = format!(
        "released {} from {} on {} with {} assets: {}\n",
        promotion.tag,
        promotion.candidate.name,
        promotion.candidate.commit,
        release.assets.len(),
        release.release.html_url
    );
    cut_report(
        args.json,
        &json!({ "tag_name": promotion.tag, "candidate": promotion.candidate.name, "sha": promotion.candidate.commit.to_string(), "html_url": release.release.html_url, "assets": crate::assets::assets_json(&release.assets) }),
        &line,
    )
}
