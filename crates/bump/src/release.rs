//! `bump release`: run on every push to the base branch. The state is the tags: a package whose
//! files hold a version with no tag yet is released (the tag at the reviewed commit, then the
//! GitHub release with that version's notes from the changelog), and each piece is made only when
//! it is missing, so a rerun finishes a failed run and a rerun after success does nothing.

use anyhow::Result;
use git2::Oid;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tidegate_actions::{Outputs, notice, print_stdout, warning};
use tidegate_core::UsageError;
use tidegate_core::changelog::{self, ReleaseHeading};
use tidegate_core::config::PackageConfig;
use tidegate_core::release_line;
use tidegate_core::release_pr::{self, PENDING_LABEL, TAGGED_LABEL, is_release_title};
use tidegate_git::History;
use tidegate_git::pending::Pending;
use tidegate_git::release_files::held_versions;
use tidegate_github::GitHub;
use tidegate_github::gitdata::TagCreated;
use tidegate_github::pulls::ClosedPull;
use tidegate_github::releases::{NewRelease, Release};

use crate::Checkout;
use crate::remote::{Exit, GitHubResult};

#[derive(clap::Args)]
pub struct ReleaseArgs {
    #[command(flatten)]
    pub checkout: Checkout,
    /// Release only these packages (by configured path; repeat or separate with commas).
    #[arg(long, value_delimiter = ',')]
    pub package: Vec<String>,
    /// Create the GitHub releases as drafts (the tags are still made: they are the state).
    #[arg(long)]
    pub draft: bool,
    /// Start this workflow (a file name under .github/workflows, or its id) by
    /// `workflow_dispatch` for each new release, on the tag, with inputs `tag` and `version`:
    /// tags made with GITHUB_TOKEN start no workflow. Repeatable.
    #[arg(long, value_name = "WORKFLOW_FILE")]
    pub dispatch: Vec<String>,
    /// Make the next release candidate of the version the files hold (X.Y.Z-LABEL.N, counting
    /// from the candidates of X.Y.Z; a team's `rc1` spelling is kept) instead of the final
    /// release, which `bump promote` makes. On a line's branch, `release-lines.candidates` sets it.
    #[arg(long, value_name = "LABEL")]
    pub prerelease: Option<String>,
    /// Attach the files these globs match (relative to the repository root; repeatable) to the
    /// release, with SHA256SUMS and NAME.sha512 (and NAME.asc with a signing key). The release is
    /// a draft until every asset is uploaded and checked by digest.
    #[arg(long, value_name = "GLOB")]
    pub assets: Vec<String>,
    #[command(flatten)]
    pub signing: crate::assets::Signing,
    /// Replace an asset already on the release that holds other bytes (refused otherwise).
    #[arg(long)]
    pub replace: bool,
    /// Say what would be tagged, from the checkout alone: no token, no network.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the outcome as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// One package whose files hold a version, and where that version stands.
struct Item {
    path: String,
    component: Option<String>,
    version: semver::Version,
    tag: String,
    /// The commit the tag points at, when it exists (locally, or once made).
    tagged: Option<Oid>,
    /// No other tag of the package has a higher version (so it may be "Latest").
    newest: bool,
    notes: String,
    release: Option<Release>,
    /// Its release was made by this run: exactly one run does, even when several race, and that
    /// one tells the PR and dispatches the workflows.
    new: bool,
    /// Its release existed before this run (a rerun may still owe the PR its bookkeeping).
    released_before: bool,
    /// The assets it carries, as published.
    assets: Vec<crate::assets::Published>,
}

pub fn run(args: &ReleaseArgs) -> Result<()> {
    let (history, config) = crate::open_checkout(&args.checkout)?;
    for message in &config.warnings {
        warning(message);
    }
    let head = history.resolve("HEAD")?;
    let selected: Vec<&PackageConfig> = if args.package.is_empty() {
        config.packages.iter().collect()
    } else {
        args.package
            .iter()
            .map(|p| config.package(Some(p)))
            .collect::<Result<_, _>>()?
    };
    let held = held_versions(&history, &config)?;
    let branch = crate::remote::branch_of_checkout(&history);
    let on_line = branch.as_deref().is_some_and(|b| config.lines.is_line(b));
    let label = match &args.prerelease {
        Some(label) => Some(label.clone()),
        None if on_line => config.lines.candidates.clone(),
        None => None,
    };
    if let Some(label) = &label {
        release_line::check_label(label).map_err(|e| UsageError(format!("--prerelease: {e}")))?;
    }
    if on_line || label.is_some() {
        check_line(&history, &config, head, branch.as_deref())?;
    }
    // A candidate's notes run from the previous final release: candidates do not end them.
    let counted = match &label {
        Some(_) => {
            let mut counted = config.clone();
            for p in &mut counted.packages {
                *p = crate::line::without_prereleases(p);
            }
            counted
        }
        None => config.clone(),
    };
    let pending = Pending::all(&history, &counted, head)?;
    let date = crate::request(Vec::new(), None)?.date;
    let lines = Lines {
        label: label.as_deref(),
        on_line,
        date: &date,
    };
    let mut items = Vec::new();
    for (i, package) in config.packages.iter().enumerate() {
        if !selected.iter().any(|s| s.path == package.path) {
            continue;
        }
        let Some(held) = &held[i] else { continue };
        if let Some(item) = item(
            &history,
            package,
            &pending[i],
            held,
            head,
            args.checkout.allow_full_history,
            &lines,
        )? {
            items.push(item);
        }
    }
    let to_tag: Vec<&Item> = items.iter().filter(|i| i.tagged.is_none()).collect();
    if !args.assets.is_empty() && items.len() > 1 {
        return Err(UsageError(format!(
            "--assets attaches files to one release, and this run releases {} packages ({}): choose one with --package",
            items.len(),
            items.iter().map(|i| i.path.as_str()).collect::<Vec<_>>().join(", ")
        ))
        .into());
    }
    if args.dry_run {
        if !args.assets.is_empty() {
            let files = tidegate_assets::collect(history.root(), &args.assets)
                .map_err(|e| UsageError(e.to_string()))?;
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            notice(&format!(
                "would attach {} with SHA256SUMS and a .sha512 each{}",
                names.join(", "),
                if args.signing.signing_key_env.is_some() {
                    ", signed"
                } else {
                    ""
                }
            ));
        }
        if args.json {
            let would: Vec<Value> = to_tag
                .iter()
                .map(|i| json!({ "path": i.path, "tag_name": i.tag, "version": i.version.to_string() }))
                .collect();
            print_stdout(&format!(
                "{}\n",
                json!({ "dry_run": true, "would_tag": would })
            ))?;
            return Ok(());
        }
        for item in &to_tag {
            print_stdout(&format!(
                "{}: would tag {} and release {} (seen from the checkout)\n",
                item.path, item.tag, item.version
            ))?;
        }
        if to_tag.is_empty() {
            notice(
                "nothing to tag: every package's version has its tag (a missing GitHub release is only seen with a token)",
            );
        }
        return Ok(());
    }
    if items.is_empty() {
        return report(&[], None, args.json);
    }
    let repo = args.checkout.remote.repo(&history)?;
    // The files, their checksums and signatures are ready before anything is made on GitHub:
    // a glob matching nothing or a wrong passphrase stops the run with nothing tagged.
    let key = if args.assets.is_empty() {
        None
    } else {
        args.signing.load(history.root())?
    };
    let prepared = if args.assets.is_empty() {
        None
    } else {
        Some(crate::assets::Prepared::from_globs(
            history.root(),
            &args.assets,
            key.as_ref(),
        )?)
    };
    let options = Publish {
        draft: args.draft,
        dispatch: &args.dispatch,
        assets: prepared.as_ref().map(|p| p.assets.as_slice()),
        replace: args.replace,
        key: key.as_ref(),
    };
    let (items, pull) = args.checkout.remote.run(repo, |gh| async move {
        let mut items = items;
        let pull = publish(&gh, &history, head, &mut items, &options).await?;
        Ok((items, pull))
    })?;
    report(&items, pull.as_ref(), args.json)
}

/// Where a package's held version stands, from the checkout; `None` to leave it be.
fn item(
    history: &History,
    package: &PackageConfig,
    facts: &Pending,
    held: &tidegate_git::release_files::Held,
    head: Oid,
    allow_full_history: bool,
    lines: &Lines<'_>,
) -> Result<Option<Item>> {
    if let Some(label) = lines.label {
        return candidate_item(history, package, facts, held, head, label, lines.date);
    }
    let version = held.version.clone();
    if lines.on_line && version.pre.is_empty() && facts.tags.of_version(&version).is_none() {
        let newest = facts.tags.prereleases_of(&version).pop();
        if let Some(newest) = newest {
            return Err(Exit::declined(format!(
                "{} holds {version}, which has candidates ({}): its final release is made from the voted candidate by `bump promote {}`, another candidate by `bump release --prerelease LABEL`; nothing was tagged",
                package.path, newest.name, newest.name
            )));
        }
    }
    let existing = facts
        .tags
        .tags
        .iter()
        .chain(&facts.tags.uncounted)
        .find(|t| t.version == version);
    let tag = existing.map_or_else(|| package.tag.tag_name(&version), |t| t.name.clone());
    let tagged = match existing {
        Some(t) if t.commit == head || history.is_ancestor(t.commit, head)? => Some(t.commit),
        Some(t) => {
            return Err(Exit::declined(format!(
                "{} holds {version} ({}), but its tag {} is on commit {}, which HEAD ({}) does not contain: that version was released elsewhere, and tags are never moved; give `{}` a new version",
                package.path, held.file, t.name, t.commit, head, package.path
            )));
        }
        None => None,
    };
    if tagged.is_none() {
        match &facts.previous {
            Some(previous) if version < previous.version => {
                return Err(Exit::declined(format!(
                    "{} holds {version} ({}), lower than its release {} that HEAD contains: a stale release PR merged late? Nothing was tagged; set the version above {} (`bump apply --release-as`)",
                    package.path, held.file, previous.name, previous.version
                )));
            }
            None if !allow_full_history => {
                warning(&format!(
                    "{} holds {version} ({}) and has no release yet; its first release is made only with --allow-full-history (so that adopting `bump release` does not publish whatever version the files hold)",
                    package.path, held.file
                ));
                return Ok(None);
            }
            _ => {}
        }
    }
    let newest = !facts
        .tags
        .tags
        .iter()
        .chain(&facts.tags.uncounted)
        .any(|t| t.version.pre.is_empty() && t.version > version);
    Ok(Some(Item {
        path: package.path.clone(),
        component: package.tag.component.clone(),
        notes: notes(history, package, facts, &version, &tag),
        version,
        tag,
        tagged,
        newest,
        release: None,
        new: false,
        released_before: false,
        assets: Vec::new(),
    }))
}

/// What the release lines ask of this run.
struct Lines<'a> {
    /// Candidates are made, with this label.
    label: Option<&'a str>,
    /// The checkout is on a line's branch.
    on_line: bool,
    date: &'a str,
}

/// The next candidate of the final version `held` names, or the newest one when it is at HEAD
/// (a rerun finishes it); `None` when there is nothing to make.
fn candidate_item(
    history: &History,
    package: &PackageConfig,
    facts: &Pending,
    held: &tidegate_git::release_files::Held,
    head: Oid,
    label: &str,
    date: &str,
) -> Result<Option<Item>> {
    let base = held.version.clone();
    if !base.pre.is_empty() {
        return Err(UsageError(format!(
            "{} holds {base} ({}), a pre-release; candidates are numbered from the final version the files hold (X.Y.Z): set the files to {}",
            package.path,
            held.file,
            release_line::final_of(&base)
        ))
        .into());
    }
    if let Some(released) = facts.tags.of_version(&base) {
        // Said only where something waits: a monorepo's other packages are simply released.
        if facts.commits.commits.is_empty() {
            return Ok(None);
        }
        notice(&format!(
            "{}: {} is released, so {base} takes no more candidates; the line's next version goes through `bump pr`",
            package.path, released.name
        ));
        return Ok(None);
    }
    let candidates = crate::line::candidates_of(facts, &base, label);
    let previous = candidates.last().map(|(n, t)| (*n, (*t).clone()));
    if let Some((_, newest)) = &previous {
        if newest.commit != head && history.is_ancestor(head, newest.commit)? {
            notice(&format!(
                "{}: HEAD is behind {}, the newest candidate; nothing to make",
                package.path, newest.name
            ));
            return Ok(None);
        }
    }
    let (version, tag, tagged) = match &previous {
        Some((_, newest)) if newest.commit == head => {
            (newest.version.clone(), newest.name.clone(), Some(head))
        }
        _ => {
            // The team's spelling: this version's candidates, else any earlier candidate's.
            let spelling = candidates
                .last()
                .and_then(|(_, t)| release_line::candidate_number(&t.version, label))
                .or_else(|| {
                    facts
                        .tags
                        .tags
                        .iter()
                        .chain(&facts.tags.uncounted)
                        .rev()
                        .find_map(|t| release_line::candidate_number(&t.version, label))
                })
                .map_or(release_line::Spelling::Dotted, |(_, s)| s);
            let number = previous.as_ref().map_or(1, |(n, _)| n + 1);
            let version = release_line::candidate(&base, label, number, spelling);
            let tag = package.tag.tag_name(&version);
            (version, tag, None)
        }
    };
    let earlier = previous
        .map(|(_, t)| t)
        .filter(|t| t.commit != head || tagged.is_none());
    let notes = candidate_notes(
        history,
        package,
        facts,
        head,
        &version,
        &tag,
        earlier.as_ref(),
        date,
    )?;
    Ok(Some(Item {
        path: package.path.clone(),
        component: package.tag.component.clone(),
        notes,
        version,
        tag,
        tagged,
        newest: false,
        release: None,
        new: false,
        released_before: false,
        assets: Vec::new(),
    }))
}

/// A candidate's notes: what changed since the previous candidate, then everything since the
/// previous final release.
#[allow(clippy::too_many_arguments)]
fn candidate_notes(
    history: &History,
    package: &PackageConfig,
    facts: &Pending,
    head: Oid,
    version: &semver::Version,
    tag: &str,
    earlier: Option<&tidegate_git::ReleaseTag>,
    date: &str,
) -> Result<String> {
    let since_final = notes_since_previous(
        history,
        package,
        facts,
        heading_after(facts, version, tag, date),
    );
    let Some(earlier) = earlier else {
        return Ok(since_final);
    };
    let new: std::collections::HashSet<String> = history
        .commits_hiding(head, &[earlier.commit])?
        .commits
        .into_iter()
        .map(|c| c.id)
        .collect();
    let commits: Vec<_> = facts
        .commits
        .commits
        .iter()
        .filter(|c| new.contains(&c.id))
        .cloned()
        .collect();
    let recent = notes_from_commits(
        history,
        package,
        ReleaseHeading {
            previous_tag: Some(earlier.name.clone()),
            ..heading_after(facts, version, tag, date)
        },
        &tidegate_core::release::Analysis::of(&commits, package).changes,
        commits.len(),
    );
    let since = facts
        .previous
        .as_ref()
        .map_or_else(|| "the first commit".to_string(), |t| t.name.clone());
    let everything = since_final
        .split_once('\n')
        .map_or("", |(_, rest)| rest)
        .trim_start_matches('\n');
    Ok(format!(
        "{recent}\n## Everything since {since}\n\n{everything}"
    ))
}

/// On a release line, the commits the line does not take (a feature, a breaking change, a
/// message that is not conventional): reported with their authors, or refused when
/// `release-lines.refuse-other-types` says so. The line's own commits are those HEAD has that
/// the branch lines are cut from (`release-lines.from`) has not.
fn check_line(
    history: &History,
    config: &tidegate_core::config::Config,
    head: Oid,
    branch: Option<&str>,
) -> Result<()> {
    let lines = &config.lines;
    let from = [format!("origin/{}", lines.from), lines.from.clone()]
        .into_iter()
        .find_map(|name| history.resolve(&name).ok());
    let Some(from) = from else {
        warning(&format!(
            "the line's commits cannot be checked: `{}` is not in the checkout (fetch it, or fetch-depth: 0 with actions/checkout)",
            lines.from
        ));
        return Ok(());
    };
    let commits = history.first_parent_changes(head, &[from])?;
    let found = release_line::offenders(
        commits
            .iter()
            .map(|(id, message, author)| (id.as_str(), message.as_str(), author.as_str())),
        &lines.allowed_types,
    );
    if found.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = found
        .iter()
        .take(10)
        .map(|o| {
            format!(
                "{} \"{}\" ({}, by {})",
                &o.id[..o.id.len().min(7)],
                tidegate_actions::one_line(&o.subject),
                o.reason,
                tidegate_actions::one_line(&o.author)
            )
        })
        .collect();
    let more = if found.len() > 10 {
        format!(" and {} more", found.len() - 10)
    } else {
        String::new()
    };
    let message = format!(
        "{} carries {} a release line does not take (it takes {}): {}{more}",
        branch.unwrap_or("this line"),
        if found.len() == 1 {
            "1 commit".to_string()
        } else {
            format!("{} commits", found.len())
        },
        lines.allowed_types.join(", "),
        listed.join(", ")
    );
    if lines.refuse_other_types {
        return Err(Exit::declined(format!(
            "{message}; nothing was tagged (release-lines.refuse-other-types): revert them on the line"
        )));
    }
    warning(&message);
    Ok(())
}

/// The version's notes: its section of the package's changelog, else written from its commits.
fn notes(
    history: &History,
    package: &PackageConfig,
    facts: &Pending,
    version: &semver::Version,
    tag: &str,
) -> String {
    let from_changelog = tidegate_git::release_files::changelog_file(package)
        .ok()
        .flatten()
        .and_then(|path| std::fs::read_to_string(history.root().join(path)).ok())
        .and_then(|text| release_pr::changelog_section(&text, &version.to_string()));
    from_changelog.unwrap_or_else(|| {
        notes_since_previous(
            history,
            package,
            facts,
            heading_after(facts, version, tag, ""),
        )
    })
}

/// A version's notes written from its commits: `changes` of `count` commits since `previous`.
pub(crate) fn notes_from_commits(
    history: &History,
    package: &PackageConfig,
    heading: ReleaseHeading,
    changes: &[tidegate_core::commit::Change],
    count: usize,
) -> String {
    let links = history
        .remote_url()
        .as_deref()
        .and_then(tidegate_core::links::Links::from_remote);
    let built = changelog::build(heading, changes, count, package, links.as_ref());
    changelog::render_markdown(&built)
}

/// The heading of `version`'s notes, after the release `facts` counts from.
pub(crate) fn heading_after(
    facts: &Pending,
    version: &semver::Version,
    tag: &str,
    date: &str,
) -> ReleaseHeading {
    ReleaseHeading {
        version: version.to_string(),
        tag: Some(tag.to_string()),
        previous_tag: facts.previous.as_ref().map(|t| t.name.clone()),
        date: date.to_string(),
    }
}

/// The notes of everything `facts` holds since its previous release.
pub(crate) fn notes_since_previous(
    history: &History,
    package: &PackageConfig,
    facts: &Pending,
    heading: ReleaseHeading,
) -> String {
    notes_from_commits(
        history,
        package,
        heading,
        &facts.analysis.changes,
        facts.commits.commits.len(),
    )
}

/// How the releases are made.
struct Publish<'a> {
    draft: bool,
    dispatch: &'a [String],
    /// The files the (one) release carries.
    assets: Option<&'a [tidegate_assets::ReleaseAsset]>,
    replace: bool,
    key: Option<&'a tidegate_assets::Keyring>,
}

async fn publish(
    gh: &GitHub,
    history: &History,
    head: Oid,
    items: &mut [Item],
    options: &Publish<'_>,
) -> Result<Option<ClosedPull>> {
    let (draft, dispatch) = (options.draft, options.dispatch);
    let releases = gh.recent_releases().await.gh()?;
    let full_page = releases.len() >= 100;
    for item in items.iter_mut() {
        item.release = releases.iter().find(|r| r.tag_name == item.tag).cloned();
        item.released_before = item.release.is_some();
        // An older release than the hundred newest: asked for by tag (drafts are not seen).
        if item.release.is_none() && item.tagged.is_some() && full_page {
            item.release = gh.release_by_tag(&item.tag).await.gh()?;
        }
    }
    // Everything exists: only a rerun on the release commit itself (its tag at HEAD or at a
    // parent of HEAD, the merged PR's head) may still owe the PR its bookkeeping.
    if items
        .iter()
        .all(|i| i.tagged.is_some() && i.release.is_some())
    {
        let parents = history.parents(head)?;
        let on_release = items
            .iter()
            .any(|i| i.tagged.is_some_and(|c| c == head || parents.contains(&c)));
        if !on_release {
            return Ok(None);
        }
    }
    let head_sha = head.to_string();
    let pull = gh
        .pulls_of_commit(&head_sha)
        .await
        .gh()?
        .into_iter()
        .find(|p| {
            // Any release branch name (`bump pr --branch`): the title says it is a release PR.
            p.merged_at.is_some()
                && (p.head.name.starts_with("release-please--branches--")
                    || is_release_title(p.title.as_deref().unwrap_or_default()))
        });
    for workflow in dispatch {
        if !gh.workflow_exists(workflow).await.gh()? {
            return Err(tidegate_core::UsageError(format!(
                "--dispatch {workflow}: no such workflow in {} (give the file name under .github/workflows, such as images.yml); nothing was tagged",
                gh.repo()
            ))
            .into());
        }
    }
    // The reviewed commit: the release PR's head when HEAD contains it (a merge commit), else HEAD.
    let target = pull
        .as_ref()
        .and_then(|p| Oid::from_str(&p.head.sha).ok())
        .filter(|sha| *sha == head || history.is_ancestor(*sha, head).unwrap_or(false))
        .unwrap_or(head);
    for item in items.iter_mut().filter(|i| i.tagged.is_none()) {
        item.tagged = match gh.create_tag(&item.tag, &target.to_string()).await.gh()? {
            TagCreated::Created | TagCreated::Existed => Some(target),
            // Made earlier on a commit HEAD contains (the checkout lacked it): released there.
            TagCreated::Elsewhere(sha) => match Oid::from_str(&sha)
                .ok()
                .filter(|c| *c == head || history.is_ancestor(*c, head).unwrap_or(false))
            {
                Some(earlier) => Some(earlier),
                None => {
                    return Err(Exit::declined(format!(
                        "tag {} exists on GitHub on commit {sha}, not on {target} (the release commit), and HEAD does not contain it; tags are never moved: delete that tag if it is wrong, or give {} a new version",
                        item.tag, item.path
                    )));
                }
            },
        };
    }
    // The checkout learns the tags too, so that `bump pr` after this run in the same job sees
    // the versions as released rather than proposing them again.
    for item in items.iter() {
        if let Some(commit) = item.tagged {
            history.tag_locally(&item.tag, commit)?;
        }
    }
    for item in items.iter_mut().filter(|i| i.release.is_none()) {
        let name = release_pr::release_name(item.component.as_deref(), &item.version.to_string());
        let target = item.tagged.unwrap_or(target).to_string();
        let (release, created) = gh
            .create_release(&NewRelease {
                tag: &item.tag,
                target: &target,
                name: &name,
                body: &item.notes,
                // With assets, a draft until they are all there and checked.
                draft: draft || options.assets.is_some(),
                prerelease: !item.version.pre.is_empty(),
                make_latest: item.newest && item.version.pre.is_empty(),
            })
            .await
            .gh()?;
        item.new = created;
        item.release = Some(release);
    }
    if (draft || options.assets.is_some())
        && items
            .iter()
            .any(|i| i.release.as_ref().is_some_and(|r| r.draft))
    {
        keep_first_drafts(gh, items).await?;
    }
    if let Some(assets) = options.assets {
        for item in items.iter_mut() {
            let Some(release) = item.release.clone() else {
                continue;
            };
            let published =
                crate::assets::upload_all(gh, &release, assets, options.replace, options.key)
                    .await?;
            let release = if draft {
                release
            } else {
                let latest = item.newest && item.version.pre.is_empty();
                crate::assets::publish(gh, release, latest).await?
            };
            item.assets = crate::assets::with_urls(published, &release);
            item.release = Some(release);
        }
    }
    // The run that made a release tells the PR; a rerun does what a failed run left undone.
    let owed =
        items.iter().any(|i| i.new) || items.iter().all(|i| i.released_before) && !items.is_empty();
    if let Some(pull) = pull.as_ref().filter(|_| owed) {
        // Only the releases of this commit: the PR did not make older ones.
        let made: Vec<&Item> = items.iter().filter(|i| i.tagged == Some(target)).collect();
        bookkeeping(gh, pull, &made).await?;
    }
    for item in items.iter().filter(|i| i.new) {
        for workflow in dispatch {
            gh.dispatch_workflow(
                workflow,
                &item.tag,
                &[("tag", &item.tag), ("version", &item.version.to_string())],
            )
            .await
            .gh()?;
        }
    }
    Ok(pull)
}

/// Drafts of one tag made by racing or retried runs: every run keeps the same release (see
/// [`crate::assets::kept_release`]), and only the run whose draft that is goes on as its maker.
/// A draft found at the start may be another run's, which that run deletes: it is exchanged for
/// the kept one too.
async fn keep_first_drafts(gh: &GitHub, items: &mut [Item]) -> Result<()> {
    for item in items.iter_mut() {
        let Some(mine) = item.release.clone().filter(|r| r.draft) else {
            continue;
        };
        let kept = crate::assets::kept_release(gh, &item.tag, mine.clone()).await?;
        if kept.id != mine.id {
            item.new = false;
            item.release = Some(kept);
        }
    }
    Ok(())
}

/// The merged release PR learns its releases: one comment naming them, and `autorelease: tagged`
/// in place of `autorelease: pending`, for workflows that read them.
async fn bookkeeping(gh: &GitHub, pull: &ClosedPull, items: &[&Item]) -> Result<()> {
    let labels: Vec<&str> = pull.labels.iter().map(|l| l.name.as_str()).collect();
    if labels.contains(&TAGGED_LABEL) && !labels.contains(&PENDING_LABEL) {
        return Ok(());
    }
    let said = gh.comment_bodies(pull.number).await.gh()?;
    if !said.iter().any(|c| c.contains("Created releases:")) {
        let listed: Vec<(String, String)> = items
            .iter()
            .filter_map(|i| Some((i.tag.clone(), i.release.as_ref()?.html_url.clone())))
            .collect();
        gh.add_comment(pull.number, &release_pr::released_comment(&listed))
            .await
            .gh()?;
    }
    gh.add_labels(pull.number, &[TAGGED_LABEL.to_string()])
        .await
        .gh()?;
    gh.remove_label(pull.number, PENDING_LABEL).await.gh()?;
    Ok(())
}

/// The step outputs, with release-please-action's names and meanings, and the log line.
fn report(items: &[Item], pull: Option<&ClosedPull>, json: bool) -> Result<()> {
    let made: Vec<&Item> = items.iter().filter(|i| i.new).collect();
    let mut outputs = Outputs::default();
    outputs.set("releases_created", (!made.is_empty()).to_string());
    let paths: Vec<&str> = made.iter().map(|i| i.path.as_str()).collect();
    outputs.set("paths_released", json!(paths).to_string());
    let mut per_package: Vec<Value> = Vec::new();
    let mut by_path = serde_json::Map::new();
    for item in &made {
        let prefix = if item.path == "." {
            String::new()
        } else {
            format!("{}--", item.path)
        };
        let release = item.release.as_ref();
        let mut fields: BTreeMap<&str, String> = BTreeMap::new();
        fields.insert("release_created", "true".into());
        fields.insert("tag_name", item.tag.clone());
        fields.insert("version", item.version.to_string());
        fields.insert("major", item.version.major.to_string());
        fields.insert("minor", item.version.minor.to_string());
        fields.insert("patch", item.version.patch.to_string());
        fields.insert(
            "sha",
            item.tagged.map(|c| c.to_string()).unwrap_or_default(),
        );
        fields.insert("path", item.path.clone());
        fields.insert("id", release.map(|r| r.id.to_string()).unwrap_or_default());
        fields.insert(
            "name",
            release.and_then(|r| r.name.clone()).unwrap_or_default(),
        );
        fields.insert(
            "body",
            release.and_then(|r| r.body.clone()).unwrap_or_default(),
        );
        fields.insert(
            "html_url",
            release.map(|r| r.html_url.clone()).unwrap_or_default(),
        );
        fields.insert(
            "upload_url",
            release.map(|r| r.upload_url.clone()).unwrap_or_default(),
        );
        fields.insert("draft", release.is_some_and(|r| r.draft).to_string());
        fields.insert(
            "assets",
            crate::assets::assets_json(&item.assets).to_string(),
        );
        fields.insert(
            "prNumber",
            pull.map(|p| p.number.to_string()).unwrap_or_default(),
        );
        for (key, value) in &fields {
            outputs.set(&format!("{prefix}{key}"), value.clone());
        }
        by_path.insert(item.path.clone(), json!(fields));
        per_package.push(json!(fields));
    }
    if let [only] = made.as_slice() {
        outputs.set(
            "assets",
            crate::assets::assets_json(&only.assets).to_string(),
        );
    }
    // Every release by path in one output: a composite action cannot declare `<path>--<name>`.
    outputs.set("releases", Value::Object(by_path).to_string());
    outputs.write()?;
    if json {
        print_stdout(&format!(
            "{}\n",
            json!({ "releases_created": !made.is_empty(), "releases": per_package })
        ))?;
        return Ok(());
    }
    if made.is_empty() {
        notice("nothing to release: every package's version has its tag and its GitHub release");
        return Ok(());
    }
    for item in made {
        crate::assets::summary(&item.tag, &item.assets)?;
        let url = item.release.as_ref().map_or("", |r| r.html_url.as_str());
        print_stdout(&format!(
            "released {} {} ({}) {url}\n",
            item.path, item.version, item.tag
        ))?;
    }
    Ok(())
}
