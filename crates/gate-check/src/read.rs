//! The facts a gate is evaluated against: the policy from the base branch and the commits from
//! the checkout; reviews, permissions, teams, checks, statuses, blockers and comments from GitHub,
//! one (paginated) read per kind of resource the gate's rules ask about, whatever their number.

use anyhow::Result;
use git2::Oid;
use std::collections::BTreeSet;
use std::path::Path;
use tidegate_core::UsageError;
use tidegate_gate::Record;
use tidegate_gate::facts::{
    Blocker, Check, Comment, Commit, Facts, GateRun, Pull, Ref, Review, Status, Team,
};
use tidegate_gate::policy::RuleSet;
use tidegate_git::History;
use tidegate_github::GitHub;
use tidegate_github::gates::TeamRead;

/// What is evaluated.
pub enum Target {
    Pull(u64),
    /// A commit, with the branch whose policy applies.
    Commit {
        sha: String,
        base: Option<String>,
    },
}

pub struct Reader<'a> {
    pub gh: &'a GitHub,
    pub history: &'a History,
}

/// The name of a gate's check run, which `after` reads and branch protection can require.
pub fn check_name(gate: &str) -> String {
    format!("tidegate/gate: {gate}")
}

/// What the rules of a gate read.
#[derive(Default)]
struct Needs {
    reviews: bool,
    teams: BTreeSet<String>,
    checks: bool,
    after: bool,
    labels: BTreeSet<String>,
    comments: bool,
    commits: bool,
    notes: bool,
}

impl Needs {
    fn of(rules: &RuleSet, needs: &mut Needs) {
        if let Some(a) = &rules.approvals {
            needs.reviews = true;
            needs.teams.extend(a.teams.iter().cloned());
            needs.commits |= a.exclude_committers;
        }
        if let Some(s) = &rules.sign_off {
            needs.reviews = true;
            needs.commits |= s.exclude_committers;
            for group in &s.each_of {
                needs
                    .teams
                    .extend(group.iter().filter(|m| m.contains('/')).cloned());
            }
        }
        needs.checks |= rules.checks.is_some() || rules.after.is_some();
        needs.after |= rules.after.is_some();
        if let Some(b) = &rules.blockers {
            needs.labels.extend(b.labels.iter().cloned());
        }
        if let Some(t) = &rules.ticket {
            needs.commits |= t
                .sources
                .contains(&tidegate_gate::policy::TicketSource::Commits);
        }
        if let Some(f) = &rules.freeze {
            // An override asks for more approvals (or its own rules).
            needs.reviews |= f.override_label.is_some();
            if let Some(more) = &f.override_requires {
                Needs::of(more, needs);
            }
        }
        needs.comments |= rules.votes.is_some();
        needs.commits |= rules.commits.is_some();
        needs.notes |= rules.release_notes.is_some();
        for nested in rules.all.iter().chain(&rules.any).flatten() {
            Needs::of(nested, needs);
        }
        if let Some(not) = &rules.not {
            Needs::of(not, needs);
        }
    }
}

impl Reader<'_> {
    /// The policy's text (from the base branch) and every fact the gate's rules read.
    pub async fn facts(
        &self,
        target: &Target,
        config: &Path,
        gate: &str,
    ) -> Result<(String, Facts)> {
        let gh = self.gh;
        let (pull, base_name, head_sha) = match target {
            Target::Pull(number) => {
                let pull = gh.pull_info(*number).await?;
                let (base, head) = (pull.base_ref.clone(), pull.head_sha.clone());
                (Some(pull), base, head)
            }
            Target::Commit { sha, base } => (
                None,
                base.clone().unwrap_or_else(|| self.default_branch()),
                sha.clone(),
            ),
        };
        let base_tip = self.branch_tip(&base_name)?;
        let policy_text = self
            .history
            .file_at(base_tip, config)
            .ok_or_else(|| {
                UsageError(format!(
                    "{} is not on the base branch {base_name}: gate-check reads the policy from there (never from the pull request), so commit it to {base_name} first",
                    config.display()
                ))
            })?;
        let policy = tidegate_gate::Policy::parse(&policy_text)?;
        let mut needs = Needs::default();
        Needs::of(policy.gate(gate)?, &mut needs);
        let head = Oid::from_str(&head_sha)
            .ok()
            .filter(|id| self.history.tree_of(*id).is_ok())
            .ok_or_else(|| {
                UsageError(format!(
                    "the head commit {head_sha} is not in the checkout: check out the pull request's head with its history (actions/checkout with ref: the head SHA and fetch-depth: 0)"
                ))
            })?;
        let mut facts = Facts {
            repo: gh.repo().to_string(),
            base: Ref {
                name: base_name.clone(),
                sha: base_tip.to_string(),
                tree: self.history.tree_of(base_tip)?.to_string(),
            },
            head: Ref {
                name: pull
                    .as_ref()
                    .map_or_else(|| head_sha.clone(), |p| p.head_ref.clone()),
                sha: head_sha.clone(),
                tree: self.history.tree_of(head)?.to_string(),
            },
            ..Facts::default()
        };
        if let Some(p) = &pull {
            facts.pull = Some(Pull {
                number: p.number,
                title: p.title.clone(),
                body: p.body.clone(),
                author: p.author.clone(),
                author_is_bot: p.author_is_bot,
                labels: p.labels.clone(),
                milestone: p.milestone.clone(),
                created_at: p.created_at.clone(),
                url: p.html_url.clone(),
            });
        }
        if needs.reviews {
            if let Some(p) = &pull {
                self.reviews(p.number, &mut facts).await?;
            }
        }
        for team in &needs.teams {
            let (org, slug) = team.split_once('/').unwrap_or((team.as_str(), ""));
            let read = match gh.team_members(org, slug).await? {
                TeamRead::Members(members) => {
                    Team::Members(members.iter().map(|m| m.to_lowercase()).collect())
                }
                TeamRead::Unreadable(why) => Team::Unreadable(why),
            };
            facts.teams.insert(team.clone(), read);
        }
        if needs.checks {
            self.checks(&head_sha, &mut facts).await?;
        }
        if needs.after && pull.is_none() {
            self.gate_runs_of_merged_pulls(&head_sha, &mut facts)
                .await?;
        }
        if !needs.labels.is_empty() {
            let labels: Vec<String> = needs.labels.iter().cloned().collect();
            facts.blockers = gh
                .open_issues_with_labels(&labels, None)
                .await?
                .into_iter()
                .map(|i| Blocker {
                    number: i.number,
                    title: i.title,
                    labels: i.labels,
                    is_pull: i.is_pull,
                    milestone: i.milestone,
                    url: i.html_url,
                })
                .collect();
        }
        if needs.comments {
            if let Some(p) = &pull {
                facts.comments = gh
                    .issue_comments(p.number)
                    .await?
                    .into_iter()
                    .map(|c| Comment {
                        id: c.id,
                        user: c.user.to_lowercase(),
                        body: c.body,
                        created_at: c.created_at,
                    })
                    .collect();
            }
        }
        if needs.commits {
            facts.commits = self.commits(head, base_tip)?;
        }
        if needs.notes {
            facts.notes_present = Some(self.notes_present(head, base_tip));
        }
        Ok((policy_text, facts))
    }

    /// Every review, each reviewer's permission (one request a reviewer), and the tree of each
    /// reviewed commit the checkout has (for approvals on an older commit of the same tree).
    async fn reviews(&self, number: u64, facts: &mut Facts) -> Result<()> {
        let reviews = self.gh.reviews(number).await?;
        let people: BTreeSet<String> = reviews.iter().map(|r| r.user.to_lowercase()).collect();
        for login in people {
            let permission = self.gh.permission(&login).await?;
            facts.permissions.insert(login, permission);
        }
        facts.reviews = reviews
            .into_iter()
            .map(|r| Review {
                id: r.id,
                user: r.user.to_lowercase(),
                user_is_bot: r.user_is_bot,
                commit_tree: Oid::from_str(&r.commit_id)
                    .ok()
                    .and_then(|id| self.history.tree_of(id).ok())
                    .map(|t| t.to_string()),
                state: r.state,
                commit_id: r.commit_id,
                submitted_at: r.submitted_at.unwrap_or_default(),
            })
            .collect();
        Ok(())
    }

    /// The head's check runs and statuses; the gates' own runs are kept apart for `after`.
    async fn checks(&self, head_sha: &str, facts: &mut Facts) -> Result<()> {
        let runs = self.gh.check_runs(head_sha).await?;
        for run in runs {
            if let Some(gate) = run.name.strip_prefix("tidegate/gate: ") {
                facts.gate_runs.push(GateRun {
                    gate: gate.to_string(),
                    sha: head_sha.to_string(),
                    tree: facts.head.tree.clone(),
                    conclusion: run.conclusion.clone(),
                    completed_at: run.completed_at.clone(),
                });
                continue;
            }
            facts.checks.push(Check {
                id: run.id,
                name: run.name,
                app: Some(run.app_slug).filter(|s| !s.is_empty()),
                status: run.status,
                conclusion: run.conclusion,
                url: run.html_url.or(run.details_url),
                completed_at: run.completed_at,
            });
        }
        facts.statuses = self
            .gh
            .statuses(head_sha)
            .await?
            .into_iter()
            .map(|s| Status {
                context: s.context,
                state: s.state,
                url: s.target_url,
                created_at: s.created_at,
            })
            .collect();
        Ok(())
    }

    /// For a commit without a pull request (a merge or squash commit, a tag), the gates' runs on
    /// the heads of the pull requests that brought it: `after` accepts them when their tree is the
    /// commit's (a stage passed on the PR, the next evaluated on what was merged).
    async fn gate_runs_of_merged_pulls(&self, head_sha: &str, facts: &mut Facts) -> Result<()> {
        for pull in self.gh.pulls_of_commit(head_sha).await? {
            let sha = pull.head.sha;
            let Some(tree) = Oid::from_str(&sha)
                .ok()
                .and_then(|id| self.history.tree_of(id).ok())
            else {
                continue;
            };
            if sha == head_sha {
                continue;
            }
            for run in self.gh.check_runs(&sha).await? {
                if let Some(gate) = run.name.strip_prefix("tidegate/gate: ") {
                    facts.gate_runs.push(GateRun {
                        gate: gate.to_string(),
                        sha: sha.clone(),
                        tree: tree.to_string(),
                        conclusion: run.conclusion,
                        completed_at: run.completed_at,
                    });
                }
            }
        }
        Ok(())
    }

    /// The commits the head brings that the base lacks, from the checkout: never cut at the 250
    /// GitHub's API lists. An author's login is known from GitHub's no-reply address only.
    fn commits(&self, head: Oid, base: Oid) -> Result<Vec<Commit>> {
        let found = self.history.commits_hiding(head, &[base])?;
        Ok(found
            .commits
            .into_iter()
            .map(|c| Commit {
                sha: c.id,
                message: c.message,
                author_login: None,
                author_name: c.author,
            })
            .collect())
    }

    /// Whether the head's changelog has a release section the base's has not.
    fn notes_present(&self, head: Oid, base: Oid) -> bool {
        let top = |commit: Oid| {
            self.history
                .file_at(commit, Path::new("CHANGELOG.md"))
                .and_then(|text| {
                    text.lines()
                        .find_map(tidegate_core::changelog::release_heading)
                        .map(str::to_string)
                })
        };
        let at_head = top(head);
        at_head.is_some() && at_head != top(base)
    }

    /// The base branch's tip in the checkout (`origin/NAME`, else `NAME`).
    fn branch_tip(&self, name: &str) -> Result<Oid> {
        [format!("origin/{name}"), name.to_string()]
            .iter()
            .find_map(|n| self.history.resolve(n).ok())
            .ok_or_else(|| {
                UsageError(format!(
                    "the base branch {name} is not in the checkout: fetch it (actions/checkout with fetch-depth: 0)"
                ))
                .into()
            })
    }

    /// The remote's default branch as the clone recorded it (`origin/HEAD`), else `main`.
    fn default_branch(&self) -> String {
        self.history
            .symbolic_target("refs/remotes/origin/HEAD")
            .and_then(|t| t.strip_prefix("refs/remotes/origin/").map(str::to_string))
            .unwrap_or_else(|| "main".to_string())
    }

    /// The gate's check run on the head commit, carrying the report.
    pub async fn post(&self, record: &Record) -> Result<()> {
        let verdict = &record.verdict;
        let conclusion = match verdict.outcome {
            tidegate_gate::Outcome::Passed => Some("success"),
            tidegate_gate::Outcome::Pending => None,
            _ => Some("failure"),
        };
        let title = format!("{}: {}", verdict.gate, verdict.outcome.name());
        let summary = tidegate_gate::report::markdown(verdict, true);
        self.gh
            .post_check_run(
                &check_name(&verdict.gate),
                &record.facts.head.sha,
                conclusion,
                &title,
                &summary,
                "",
            )
            .await?;
        Ok(())
    }
}
