//! `bump pr`: the release PR. What `bump apply` would write becomes one commit on the base's
//! tip, made through the API on the release branch (rebuilt on every run, so the PR is never
//! stale), and the PR is opened, or updated only when its words changed.

use anyhow::Result;
use serde_json::{Value, json};
use tidegate_actions::{Outputs, notice, print_stdout, warning};
use tidegate_core::markdown;
use tidegate_core::release_pr::{
    self, COMMENT_MARK, PENDING_LABEL, PackageNotes, branch_name, is_release_title,
};
use tidegate_github::GitHub;
use tidegate_github::gitdata::TreeFile;
use tidegate_github::pulls::{NewPullRequest, PullRequest};
use tidegate_github::server_url_from_env;

use crate::remote::{Exit, GitHubResult, base_branch};
use crate::{Checkout, Overrides, Planned, plan, refuse, request};

#[derive(clap::Args)]
pub struct PrArgs {
    #[command(flatten)]
    pub checkout: Checkout,
    /// The branch the release PR goes into [default: the checkout's branch].
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,
    /// The release branch [default: release-please--branches--BASE, release-please's name, so
    /// an open release-please PR is taken over rather than doubled].
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// Release only these packages (by configured path; repeat or separate with commas).
    #[arg(long, value_delimiter = ',')]
    pub package: Vec<String>,
    /// Release exactly this version, whatever the commits say.
    #[arg(long, value_name = "X.Y.Z")]
    pub release_as: Option<semver::Version>,
    /// Labels of the release PR (created if missing); nothing depends on them.
    #[arg(long, value_delimiter = ',', default_value = PENDING_LABEL)]
    pub labels: Vec<String>,
    /// Open the release PR as a draft.
    #[arg(long)]
    pub draft: bool,
    /// Print the branch, title, body and files from the checkout alone: no token, no network.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the outcome as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The release PR as the checkout says it should be.
struct Proposal {
    base: String,
    branch: String,
    title: String,
    body: String,
    /// The release commit's message: the title, as release-please writes it.
    message: String,
    files: Vec<TreeFile>,
    /// The tree of HEAD with the release written over it (computed locally).
    tree: String,
    head: String,
    head_tree: String,
    versions: Vec<(String, String)>,
}

pub fn run(args: &PrArgs) -> Result<()> {
    let request = request(args.package.clone(), args.release_as.clone())?;
    let Planned {
        history,
        config,
        plan,
        ..
    } = plan(
        &args.checkout,
        &request,
        if args.dry_run {
            Overrides::Off
        } else {
            Overrides::Must
        },
    )?;
    let released: Vec<&str> = plan.released().map(|p| p.path.as_str()).collect();
    if !released.is_empty() {
        refuse(&plan, &released, &args.checkout)?;
    }
    if let Some(waiting) = unreleased_versions(&history, &config, &plan)? {
        // A line's version is made by its candidates and `bump promote`: no release PR.
        notice(&waiting);
        let mut outputs = Outputs::default();
        outputs.set("prs_created", "false");
        outputs.write()?;
        return Ok(());
    }
    let base = base_branch(&history, args.base.as_deref())?;
    let branch = args.branch.clone().unwrap_or_else(|| branch_name(&base));
    if branch == base {
        return Err(tidegate_core::UsageError(format!(
            "--branch `{branch}` is the base branch itself; the release PR needs a branch of its own"
        ))
        .into());
    }
    let head = history.resolve("HEAD")?;
    let repo = if args.dry_run {
        None
    } else {
        Some(args.checkout.remote.repo(&history)?)
    };
    let grouped = config.packages.len() > 1;
    let mut notes = Vec::new();
    for (package, facts) in config.packages.iter().zip(&plan.packages) {
        let Some(version) = &facts.next else { continue };
        let section = package
            .changelog_path
            .as_ref()
            .and_then(|_| {
                plan.files
                    .iter()
                    .find(|f| facts.files.contains(&f.path) && f.path.ends_with(".md"))
            })
            .and_then(|f| release_pr::changelog_section(&f.after, version))
            .unwrap_or_else(|| format!("## {version}"));
        notes.push(PackageNotes {
            component: package.tag.component.clone(),
            version: version.clone(),
            notes: section,
        });
    }
    let changelog = plan
        .files
        .iter()
        .find(|f| f.path.ends_with(".md"))
        .map_or("CHANGELOG.md", |f| f.path.as_str());
    let web = match &repo {
        Some(r) => format!("{}/{r}", server_url_from_env()),
        None => format!("{}/OWNER/NAME", server_url_from_env()),
    };
    let changelog_url = format!("{web}/blob/{branch}/{changelog}");
    let title = release_pr::title(&base, &notes, grouped);
    let changes: Vec<(String, Vec<u8>)> = plan
        .files
        .iter()
        .map(|f| (f.path.clone(), f.after.clone().into_bytes()))
        .collect();
    let (tree, files) = history.tree_with(head, &changes)?;
    let head_tree = history.tree_of(head)?;
    let proposal = Proposal {
        base,
        branch,
        body: release_pr::body(&notes, grouped, &changelog_url),
        message: title.clone(),
        title,
        files: files
            .into_iter()
            .map(|f| TreeFile {
                path: f.path,
                mode: format!("{:o}", f.mode),
                content: Some(f.content),
            })
            .collect(),
        tree: tree.to_string(),
        head: head.to_string(),
        head_tree: head_tree.to_string(),
        versions: plan
            .released()
            .map(|p| (p.path.clone(), p.next.clone().unwrap_or_default()))
            .collect(),
    };
    if args.dry_run {
        return dry_run(args, &proposal);
    }
    let Some(repo) = repo else { return Ok(()) };
    let outcome =
        args.checkout.remote.run(
            repo,
            |gh| async move { publish(&gh, args, &proposal).await },
        )?;
    outcome.report(args.json)
}

fn dry_run(args: &PrArgs, p: &Proposal) -> Result<()> {
    if p.versions.is_empty() {
        notice(crate::NOTHING_TO_RELEASE);
    }
    if args.json {
        let report = json!({
            "dry_run": true,
            "base": p.base,
            "branch": p.branch,
            "title": p.title,
            "body": p.body,
            "files": p.files.iter().map(|f| &f.path).collect::<Vec<_>>(),
            "releases": p.versions.iter().map(|(path, v)| json!({"path": path, "version": v})).collect::<Vec<_>>(),
        });
        return Ok(print_stdout(&format!("{report}\n"))?);
    }
    if p.versions.is_empty() {
        return Ok(());
    }
    let files: Vec<&str> = p.files.iter().map(|f| f.path.as_str()).collect();
    print_stdout(&format!(
        "would update the release PR from `{}` into `{}`\nfiles: {}\ntitle: {}\n\n{}\n",
        p.branch,
        p.base,
        files.join(", "),
        p.title,
        p.body
    ))?;
    Ok(())
}

/// The words of the comment that closes a release PR with nothing left to release.
const CLOSING: &str = "Closed by `bump pr`: nothing is left to release";

/// What the run did, for the log and the outputs.
#[derive(Default)]
struct Outcome {
    pull: Option<PullRequest>,
    created: bool,
    updated: bool,
    closed: Option<u64>,
    /// A release PR closed without merging, left closed.
    declined: Option<u64>,
    branch_written: bool,
}

impl Outcome {
    fn report(&self, json: bool) -> Result<()> {
        let mut outputs = Outputs::default();
        // As release-please-action: true when a release PR was opened or updated.
        outputs.set(
            "prs_created",
            (self.created || self.updated || self.branch_written).to_string(),
        );
        let pr = self.pull.as_ref().map(|p| {
            json!({
                "number": p.number,
                "title": p.title,
                "body": p.body,
                "headBranchName": p.head.name,
                "baseBranchName": p.base.name,
                "labels": p.labels.iter().map(|l| &l.name).collect::<Vec<_>>(),
                "html_url": p.html_url,
            })
        });
        if let Some(pr) = &pr {
            outputs.set("pr", pr.to_string());
            outputs.set("prs", Value::from(vec![pr.clone()]).to_string());
        }
        outputs.write()?;
        let line = match (&self.pull, self.closed) {
            (_, Some(number)) => format!("closed release PR #{number}: nothing left to release"),
            (None, None) if self.declined.is_some() => format!(
                "release PR #{0} was closed without merging and nothing changed since; no new one is opened until there is more to release (reopen #{0} to release now)",
                self.declined.unwrap_or_default()
            ),
            (Some(p), _) if self.created => {
                format!("opened release PR #{}: {}", p.number, p.html_url)
            }
            (Some(p), _) if self.updated || self.branch_written => {
                format!("updated release PR #{}: {}", p.number, p.html_url)
            }
            (Some(p), _) => format!("release PR #{} is up to date: {}", p.number, p.html_url),
            (None, None) => crate::NOTHING_TO_RELEASE.to_string(),
        };
        if json {
            let report = json!({
                "created": self.created,
                "updated": self.updated,
                "branch_written": self.branch_written,
                "closed": self.closed,
                "left_closed": self.declined,
                "pr": pr,
            });
            print_stdout(&format!("{report}\n"))?;
        } else if self.pull.is_none() && self.closed.is_none() {
            notice(&line);
        } else {
            print_stdout(&format!("{line}\n"))?;
        }
        Ok(())
    }
}

async fn publish(gh: &GitHub, args: &PrArgs, p: &Proposal) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let tip = gh.ref_sha(&format!("heads/{}", p.base)).await.gh()?;
    match tip {
        None => {
            return Err(tidegate_core::UsageError(format!(
                "the base branch `{}` does not exist on GitHub ({}); push it, or pass --base",
                p.base,
                gh.repo()
            ))
            .into());
        }
        Some(tip) if tip != p.head => {
            return Err(Exit::declined(format!(
                "`{}` moved during the run (checked out {}, now {}): nothing was changed; the run for the newer commit updates the release PR (or rerun this one)",
                p.base,
                short(&p.head),
                short(&tip)
            )));
        }
        Some(_) => {}
    }
    let open = gh.find_open_pull(&p.branch, &p.base).await.gh()?;
    if p.versions.is_empty() {
        if let Some(pull) = open {
            // Said once, also when a run died between the comment and the close.
            let said = gh.comment_bodies(pull.number).await.gh()?;
            if !said.iter().any(|c| c.contains(CLOSING)) {
                gh.add_comment(
                    pull.number,
                    &format!(
                        "{COMMENT_MARK}\n{CLOSING} on `{}` at {} (no package has user-facing changes since its last release).",
                        p.base, p.head
                    ),
                )
                .await
                .gh()?;
            }
            gh.close_pull(pull.number).await.gh()?;
            outcome.closed = Some(pull.number);
        }
        return Ok(outcome);
    }
    let ahead = gh.commits_ahead(&p.head, &p.branch).await.gh()?;
    let people: Vec<_> = ahead
        .iter()
        .flatten()
        .filter(|c| !is_release_title(&c.message))
        .collect();
    if !people.is_empty() {
        // The same words for the log (one line) and the PR comment (escaped Markdown: a commit's
        // subject must not mention anyone or close an issue there).
        let why = |subject: &dyn Fn(&str) -> String, name: &dyn Fn(&str) -> String| {
            let listed: Vec<String> = people
                .iter()
                .map(|c| {
                    let first = c.message.lines().next().unwrap_or_default();
                    format!("{} \"{}\"", short(&c.sha), subject(first))
                })
                .collect();
            format!(
                "the release branch {} holds {} made by hand ({}), which rebuilding it would throw away; so it was left as it is. Merge the release PR as it stands, or move the change to {} (a commit, or a BEGIN_COMMIT_OVERRIDE in a merged PR's body) and delete the branch so that `bump pr` rebuilds it",
                name(&p.branch),
                if people.len() == 1 {
                    "a commit".to_string()
                } else {
                    format!("{} commits", people.len())
                },
                listed.join(", "),
                name(&p.base)
            )
        };
        if let Some(pull) = &open {
            let said = gh.comment_bodies(pull.number).await.gh()?;
            let markdown = why(&markdown::escape_inline, &markdown::code_span);
            let comment = format!("{COMMENT_MARK}\n`bump pr` stopped: {markdown}.");
            if !said
                .iter()
                .any(|c| c.contains(COMMENT_MARK) && c.contains("stopped:"))
            {
                gh.add_comment(pull.number, &comment).await.gh()?;
            }
        }
        let why = why(&tidegate_actions::one_line, &|n: &str| format!("`{n}`"));
        return Err(Exit::declined(why));
    }
    let current = matches!(ahead.as_deref(), Some([only])
        if only.tree == p.tree && only.parents == [p.head.clone()] && only.message.trim_end() == p.message);
    if !current {
        let tree = gh.create_tree(&p.head_tree, &p.files).await.gh()?;
        if tree != p.tree {
            warning(&format!(
                "GitHub built the release tree as {tree}, not {} as computed from the checkout; the PR holds GitHub's",
                p.tree
            ));
        }
        let commit = gh
            .create_commit(&p.message, &tree, std::slice::from_ref(&p.head), None)
            .await
            .gh()?;
        if ahead.is_some() {
            gh.force_branch(&p.branch, &commit.sha).await.gh()?;
        } else {
            gh.create_branch(&p.branch, &commit.sha).await.gh()?;
        }
        outcome.branch_written = true;
    }
    // A release PR a person closed without merging stays closed until there is more to release.
    if let (None, true, Some([tip])) = (&open, current, ahead.as_deref()) {
        if let Some(closed) = gh.last_closed_pull(&p.branch, &p.base).await.gh()? {
            if closed.merged_at.is_none() && closed.head.sha == tip.sha {
                outcome.declined = Some(closed.number);
                return Ok(outcome);
            }
        }
    }
    let pull = match open {
        Some(pull) => {
            if pull.title != p.title || pull.body.as_deref() != Some(p.body.as_str()) {
                outcome.updated = true;
                gh.update_pull(pull.number, &p.title, &p.body).await.gh()?
            } else {
                pull
            }
        }
        None => {
            let created = gh
                .create_pull(&NewPullRequest {
                    title: &p.title,
                    head: &p.branch,
                    base: &p.base,
                    body: &p.body,
                    draft: args.draft,
                })
                .await
                .gh()?;
            outcome.created = !created.existed;
            created.pull
        }
    };
    let missing: Vec<String> = args
        .labels
        .iter()
        .filter(|l| !l.trim().is_empty() && !pull.labels.iter().any(|have| have.name == **l))
        .cloned()
        .collect();
    gh.add_labels(pull.number, &missing).await.gh()?;
    outcome.pull = Some(pull);
    Ok(outcome)
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}

/// Stops when a package's files hold a version above its last release that has no tag: a merged
/// release PR (or a bump by hand) that `bump release` has not made yet. Proposing again from
/// there would repeat that release. A version with candidates is a line's, waiting for its
/// promotion: that is said (`Some`), not refused.
fn unreleased_versions(
    history: &tidegate_git::History,
    config: &tidegate_core::config::Config,
    plan: &tidegate_git::release_files::ReleasePlan,
) -> Result<Option<String>> {
    let held = tidegate_git::release_files::held_versions(history, config)?;
    for ((package, pending), held) in config.packages.iter().zip(&plan.pending).zip(held) {
        let (Some(held), Some(previous)) = (held, &pending.previous) else {
            continue;
        };
        let tagged = pending
            .tags
            .tags
            .iter()
            .chain(&pending.tags.uncounted)
            .any(|t| t.version == held.version);
        let candidate = pending.tags.prereleases_of(&held.version).pop();
        if let (false, Some(candidate)) = (tagged, candidate) {
            return Ok(Some(format!(
                "no release PR: {} holds {}, which has candidates ({}); its final release is made by `bump promote {}`",
                package.path, held.version, candidate.name, candidate.name
            )));
        }
        if held.version > previous.version && !tagged {
            return Err(Exit::declined(format!(
                "{} holds {} ({}) but no tag {} exists: that release is merged and not made yet; run `bump release` first (the release workflow runs it before `bump pr`)",
                package.path,
                held.version,
                held.file,
                package.tag.tag_name(&held.version)
            )));
        }
    }
    Ok(None)
}
