//! Where one change has reached, as a value: read from the checkout first, then completed from
//! GitHub when a token is there (deployments, the downstream repository, confirmed PRs).

use git2::Oid;
use serde_json::{Value, json};
use tidegate_git::reach::Held;
use tidegate_git::{GitError, History, ReleaseTags};

/// One branch of the chain, or a maintenance line.
#[derive(Clone, Debug)]
pub struct OnBranch {
    pub branch: String,
    /// `origin/main`, or `main` when there is no remote-tracking branch.
    pub found_as: String,
    pub held: Option<Held>,
    /// The first-parent commit of the branch that brought it in.
    pub arrival: Option<tidegate_git::reach::Arrival>,
    /// Whether GitHub confirmed the arrival's PR (its merge commit is the arrival).
    pub pr_confirmed: bool,
}

impl OnBranch {
    pub fn json(&self, commit: Oid) -> Value {
        let how = match self.held {
            None => Value::Null,
            Some(Held::Commit) => "commit".into(),
            Some(Held::Patch(_)) => "patch".into(),
        };
        let via = self.arrival.as_ref().map(|a| {
            json!({
                "commit": a.commit.to_string(),
                "merge": a.is_merge,
                "pr": a.pr,
                "pr_confirmed": self.pr_confirmed,
            })
        });
        json!({
            "branch": self.branch,
            "found_as": self.found_as,
            "contains": self.held.is_some(),
            "how": how,
            "carrier": self.held.map(|h| h.carrier(commit).to_string()),
            "arrived_by": via,
        })
    }
}

/// A release tag holding the change.
#[derive(Clone, Debug)]
pub struct Released {
    pub tag: String,
    pub version: String,
}

/// An environment's live deployment and whether it holds the change.
#[derive(Clone, Debug)]
pub struct Deployed {
    pub environment: String,
    /// The live version (the newest successful deployment), if any.
    pub version: Option<String>,
    pub sha: Option<String>,
    /// `None` when the deployed commit is not in the checkout (cannot tell).
    pub contains: Option<bool>,
}

/// The downstream repository's branch.
#[derive(Clone, Debug)]
pub struct Downstream {
    pub repo: String,
    pub branch: String,
    /// `remote` (read from the checkout), `api` (one compare request), or `unknown`.
    pub read_from: &'static str,
    pub contains: Option<bool>,
}

/// Everything found about one change.
#[derive(Clone, Debug)]
pub struct Change {
    pub commit: Oid,
    pub subject: String,
    pub pr: Option<u64>,
    pub branches: Vec<OnBranch>,
    pub maintenance: Vec<OnBranch>,
    pub release: Option<Released>,
    pub prerelease: Option<Released>,
    /// `None`: not read (no token).
    pub environments: Option<Vec<Deployed>>,
    pub downstream: Option<Downstream>,
}

impl Change {
    /// Every commit carrying the change: itself and the copies branches hold.
    pub fn carriers(&self) -> Vec<Oid> {
        let mut out = vec![self.commit];
        for branch in self.branches.iter().chain(&self.maintenance) {
            if let Some(Held::Patch(copy)) = branch.held {
                if !out.contains(&copy) {
                    out.push(copy);
                }
            }
        }
        out
    }

    /// The first release and the first pre-release whose tag holds a carrier.
    pub fn find_releases(&mut self, history: &History, tags: &ReleaseTags) -> Result<(), GitError> {
        let carriers = self.carriers();
        let of = |pre: bool| {
            tags.tags
                .iter()
                .chain(&tags.uncounted)
                .filter(move |t| t.version.pre.is_empty() != pre)
        };
        let mut finals: Vec<_> = of(false).collect();
        let mut pres: Vec<_> = of(true).collect();
        finals.sort_by(|a, b| a.version.cmp(&b.version));
        pres.sort_by(|a, b| a.version.cmp(&b.version));
        let found = |list: Vec<&tidegate_git::ReleaseTag>| {
            history
                .first_holding(list.into_iter().map(|t| (t, t.commit)), &carriers)
                .map(|t| {
                    t.map(|t| Released {
                        tag: t.name.clone(),
                        version: t.version.to_string(),
                    })
                })
        };
        self.release = found(finals)?;
        self.prerelease = found(pres)?;
        Ok(())
    }

    pub fn json(&self) -> Value {
        let released = |r: &Option<Released>| {
            r.as_ref()
                .map(|r| json!({"tag": r.tag, "version": r.version}))
        };
        json!({
            "commit": self.commit.to_string(),
            "subject": self.subject,
            "pr": self.pr,
            "branches": self.branches.iter().map(|b| b.json(self.commit)).collect::<Vec<_>>(),
            "maintenance": self.maintenance.iter().filter(|b| b.held.is_some()).map(|b| b.json(self.commit)).collect::<Vec<_>>(),
            "release": released(&self.release),
            "prerelease": released(&self.prerelease),
            "environments": self.environments.as_ref().map(|envs| envs.iter().map(|e| json!({
                "environment": e.environment,
                "version": e.version,
                "sha": e.sha,
                "contains": e.contains,
            })).collect::<Vec<_>>()),
            "downstream": self.downstream.as_ref().map(|d| json!({
                "repo": d.repo,
                "branch": d.branch,
                "read_from": d.read_from,
                "contains": d.contains,
            })),
        })
    }

    /// A short table for people.
    pub fn text(&self) -> String {
        let short = |id: Oid| id.to_string()[..7].to_string();
        let mut rows: Vec<(String, String)> = Vec::new();
        let on = |b: &OnBranch| -> String {
            let Some(held) = b.held else {
                return "not yet".into();
            };
            let mut text = match held {
                Held::Commit => "yes".to_string(),
                Held::Patch(copy) => format!("yes, as {} (same patch)", short(copy)),
            };
            if let Some(a) = &b.arrival {
                if a.is_merge {
                    match a.pr {
                        Some(pr) => text.push_str(&format!(" via #{pr} ({})", short(a.commit))),
                        None => text.push_str(&format!(" via merge {}", short(a.commit))),
                    }
                }
            }
            text
        };
        for b in &self.branches {
            rows.push((b.branch.clone(), on(b)));
        }
        for b in self.maintenance.iter().filter(|b| b.held.is_some()) {
            rows.push((b.branch.clone(), on(b)));
        }
        let tag = |r: &Option<Released>| r.as_ref().map_or("not yet".into(), |r| r.tag.clone());
        rows.push(("released".into(), tag(&self.release)));
        rows.push(("pre-release".into(), tag(&self.prerelease)));
        match &self.environments {
            None => rows.push(("environments".into(), "not read (no GitHub token)".into())),
            Some(envs) => {
                for e in envs {
                    let state = match (&e.version, e.contains) {
                        (None, _) => "nothing deployed".to_string(),
                        (Some(v), Some(true)) => format!("yes ({v})"),
                        (Some(v), Some(false)) => format!("not yet ({v} deployed)"),
                        (Some(v), None) => format!("unknown ({v} is not in this checkout)"),
                    };
                    rows.push((e.environment.clone(), state));
                }
            }
        }
        if let Some(d) = &self.downstream {
            let state = match d.contains {
                Some(true) => "yes",
                Some(false) => "not yet",
                None => "unknown (no remote, no token)",
            };
            rows.push((format!("{} {}", d.repo, d.branch), state.into()));
        }
        let width = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        let pr = self
            .pr
            .map(|n| format!(" (#{n})"))
            .filter(|suffix| !self.subject.ends_with(suffix.as_str()))
            .unwrap_or_default();
        let mut out = format!(
            "{} {}{pr}\n",
            short(self.commit),
            tidegate_actions::one_line(&self.subject)
        );
        for (k, v) in rows {
            out.push_str(&format!(
                "  {k:width$}  {}\n",
                tidegate_actions::one_line(&v)
            ));
        }
        out
    }
}
