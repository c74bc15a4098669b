//! The river report (`where --river`): per hop what waits and since when, the open promotion PR
//! and its gate, the last promotion; per environment the live version and how far behind the
//! newest release it is. Read from the checkout, completed from GitHub when a token is there
//! with a number of requests that does not grow with the history.

use git2::Oid;
use serde_json::{Value, json};
use tidegate_core::markdown::escape_inline;
use tidegate_git::{GitError, History, ReleaseTag};

/// The open promotion PR of a hop and its gate verdicts.
#[derive(Clone, Debug)]
pub struct OpenPromotion {
    pub number: u64,
    pub title: String,
    pub head_sha: String,
    /// `(gate, verdict)` of each `tidegate/gate: NAME` check run on the head: its conclusion, or
    /// its status while it runs.
    pub gates: Vec<(String, String)>,
}

/// A commit with its subject and date.
#[derive(Clone, Debug)]
pub struct Dated {
    pub commit: Oid,
    pub subject: String,
    pub time: i64,
    pub pr: Option<u64>,
}

/// One hop of the river: `from` flows into `to`.
#[derive(Clone, Debug)]
pub struct Hop {
    pub from: String,
    pub to: String,
    /// `OWNER/NAME` when `to` is in another repository (the downstream hop).
    pub to_repo: Option<String>,
    /// Commits waiting (`git log --no-merges to..from`); `None` when it could not be read.
    pub commits: Option<usize>,
    /// Pull requests the waiting commits name.
    pub pulls: Vec<u64>,
    pub oldest: Option<Dated>,
    /// `None`: not read (no token); `Some(None)`: none open.
    pub open_promotion: Option<Option<OpenPromotion>>,
    pub last_promotion: Option<Dated>,
}

/// An environment's live version and how far behind the newest release it is.
#[derive(Clone, Debug)]
pub struct Environment {
    pub name: String,
    pub version: Option<String>,
    pub sha: Option<String>,
    /// Releases newer than the live one; `None` when the live commit is not a release tag here.
    pub releases_behind: Option<usize>,
    /// Commits the newest release has and the live deployment lacks (merges left out).
    pub commits_behind: Option<usize>,
}

/// The whole report.
#[derive(Clone, Debug)]
pub struct Report {
    pub hops: Vec<Hop>,
    pub newest_release: Option<String>,
    /// `None`: not read (no token).
    pub environments: Option<Vec<Environment>>,
    pub now: i64,
}

/// What waits at the hop `from` → `to` in the checkout.
pub fn hop(history: &History, from: (&str, Oid), to: (&str, Oid)) -> Result<Hop, GitError> {
    let waiting = history.waiting(from.1, to.1)?;
    let oldest = match waiting.last() {
        Some(&commit) => Some(dated(history, commit)?),
        None => None,
    };
    let last = match history.last_promotion(from.1, to.1)? {
        Some(a) => Some(Dated {
            commit: a.commit,
            subject: history.subject(a.commit)?,
            time: a.time,
            pr: a.pr,
        }),
        None => None,
    };
    Ok(Hop {
        from: from.0.to_string(),
        to: to.0.to_string(),
        to_repo: None,
        commits: Some(waiting.len()),
        pulls: history
            .waiting_pull_requests(from.1, Some(to.1))?
            .into_iter()
            .map(|(pr, _)| pr)
            .collect(),
        oldest,
        open_promotion: None,
        last_promotion: last,
    })
}

fn dated(history: &History, commit: Oid) -> Result<Dated, GitError> {
    let message = history.message(commit)?;
    Ok(Dated {
        commit,
        subject: history.subject(commit)?,
        time: history.commit_time(commit)?,
        pr: tidegate_core::commit::merged_pull_request(&message)
            .or_else(|| tidegate_git::reach::squash_pull_request(&message)),
    })
}

/// How far the live deployment is behind the newest final release.
pub fn environment(
    history: &History,
    finals: &[&ReleaseTag],
    name: &str,
    live: Option<(String, String)>,
) -> Result<Environment, GitError> {
    let (version, sha) = live.unzip();
    let newest = finals.last();
    let deployed = sha.as_deref().and_then(|s| history.find_commit_id(s));
    let releases_behind = deployed.and_then(|commit| {
        let at = finals
            .iter()
            .rposition(|t| t.commit == commit || Some(&t.name) == version.as_ref())?;
        Some(finals.len() - 1 - at)
    });
    let commits_behind = match (deployed, newest) {
        (Some(live), Some(newest)) => Some(history.waiting(newest.commit, live)?.len()),
        _ => None,
    };
    Ok(Environment {
        name: name.to_string(),
        version,
        sha,
        releases_behind,
        commits_behind,
    })
}

fn date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// An age for people: `3 days`, `5 hours`, `12 minutes`.
fn age(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (n, unit) = if seconds >= 2 * 86_400 {
        (seconds / 86_400, "days")
    } else if seconds >= 2 * 3600 {
        (seconds / 3600, "hours")
    } else {
        (seconds / 60, "minutes")
    };
    format!("{n} {unit}")
}

/// `1 release`, `2 releases`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn short(id: Oid) -> String {
    id.to_string()[..7].to_string()
}

/// A Mermaid node label: quoted, with the characters that end or break it as entities.
fn mermaid_label(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    format!("\"{out}\"")
}

impl Hop {
    fn label(&self) -> String {
        match self.commits {
            Some(n) => format!("{n} commits, {} PRs waiting", self.pulls.len()),
            None => "unknown".into(),
        }
    }

    fn to_name(&self) -> String {
        match &self.to_repo {
            Some(repo) => format!("{repo}:{}", self.to),
            None => self.to.clone(),
        }
    }

    fn gate_text(open: &OpenPromotion) -> String {
        if open.gates.is_empty() {
            return "no gate check".into();
        }
        open.gates
            .iter()
            .map(|(gate, verdict)| format!("{gate}: {verdict}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Report {
    pub fn json(&self) -> Value {
        let dated = |d: &Option<Dated>| {
            d.as_ref().map(|d| {
                json!({
                    "commit": d.commit.to_string(),
                    "subject": d.subject,
                    "pr": d.pr,
                    "date": date(d.time),
                    "age_seconds": (self.now - d.time).max(0),
                })
            })
        };
        json!({
            "hops": self.hops.iter().map(|h| json!({
                "from": h.from,
                "to": h.to,
                "to_repo": h.to_repo,
                "waiting_commits": h.commits,
                "waiting_pulls": h.pulls,
                "oldest": dated(&h.oldest),
                "open_promotion": h.open_promotion.as_ref().map(|o| o.as_ref().map(|o| json!({
                    "pr": o.number,
                    "title": o.title,
                    "head_sha": o.head_sha,
                    "gates": o.gates.iter().map(|(g, v)| json!({"gate": g, "verdict": v})).collect::<Vec<_>>(),
                }))),
                "last_promotion": dated(&h.last_promotion),
            })).collect::<Vec<_>>(),
            "newest_release": self.newest_release,
            "environments": self.environments.as_ref().map(|envs| envs.iter().map(|e| json!({
                "environment": e.name,
                "version": e.version,
                "sha": e.sha,
                "releases_behind": e.releases_behind,
                "commits_behind": e.commits_behind,
            })).collect::<Vec<_>>()),
        })
    }

    fn hop_lines(&self, hop: &Hop, markdown: bool) -> Vec<String> {
        let text = |s: &str| {
            if markdown {
                escape_inline(s)
            } else {
                tidegate_actions::one_line(s)
            }
        };
        let mut lines = vec![format!("waiting: {}", hop.label())];
        if let Some(o) = &hop.oldest {
            lines.push(format!(
                "oldest: {} {} ({} old)",
                short(o.commit),
                text(&o.subject),
                age(self.now - o.time)
            ));
        }
        match &hop.open_promotion {
            None => lines.push("promotion PR: not read (no GitHub token)".into()),
            Some(None) => lines.push("promotion PR: none open".into()),
            Some(Some(open)) => lines.push(format!(
                "promotion PR: #{} {} (gate: {})",
                open.number,
                text(&open.title),
                text(&Hop::gate_text(open))
            )),
        }
        match &hop.last_promotion {
            None => lines.push("last promotion: none found".into()),
            Some(p) => lines.push(format!(
                "last promotion: {}{} ({} ago)",
                date(p.time),
                p.pr.map(|n| format!(" #{n}")).unwrap_or_default(),
                age(self.now - p.time)
            )),
        }
        lines
    }

    fn environment_line(&self, e: &Environment) -> String {
        let Some(version) = &e.version else {
            return "nothing deployed".into();
        };
        let behind = match (e.releases_behind, e.commits_behind) {
            (Some(0), _) => "the newest release".to_string(),
            (Some(r), Some(c)) => format!("{}, {} behind", count(r, "release"), count(c, "commit")),
            (Some(r), None) => format!("{} behind", count(r, "release")),
            (None, Some(c)) => format!("{} behind", count(c, "commit")),
            (None, None) => "not a release of this checkout".to_string(),
        };
        format!("{} ({behind})", tidegate_actions::one_line(version))
    }

    /// Terminal text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for hop in &self.hops {
            out.push_str(&format!("{} → {}\n", hop.from, hop.to_name()));
            for line in self.hop_lines(hop, false) {
                out.push_str(&format!("  {line}\n"));
            }
        }
        if let Some(newest) = &self.newest_release {
            out.push_str(&format!("newest release: {newest}\n"));
        }
        match &self.environments {
            None => out.push_str("environments: not read (no GitHub token)\n"),
            Some(envs) => {
                for e in envs {
                    out.push_str(&format!("{}: {}\n", e.name, self.environment_line(e)));
                }
            }
        }
        out
    }

    /// Markdown for the step summary: a Mermaid flowchart with the counts on the arrows, then
    /// one section per hop and a table of environments.
    pub fn markdown(&self) -> String {
        let mut out = String::from("## The river\n\n```mermaid\nflowchart LR\n");
        let mut nodes: Vec<String> = Vec::new();
        let mut node = |name: String| -> String {
            let at = nodes.iter().position(|n| *n == name).unwrap_or_else(|| {
                nodes.push(name);
                nodes.len() - 1
            });
            format!("n{at}")
        };
        let mut edges = Vec::new();
        for hop in &self.hops {
            let from = node(hop.from.clone());
            let to = node(hop.to_name());
            edges.push(format!(
                "  {from} -->|{}| {to}",
                mermaid_label(&hop.label())
            ));
        }
        if let (Some(envs), Some(last)) = (
            &self.environments,
            // The environments hang off the last branch of the chain.
            self.hops
                .iter()
                .rev()
                .find(|h| h.to_repo.is_none())
                .map(|h| h.to.clone())
                .or_else(|| self.hops.first().map(|h| h.from.clone())),
        ) {
            let mut previous = node(last);
            for e in envs {
                let id = node(format!(
                    "{}: {}",
                    e.name,
                    e.version.as_deref().unwrap_or("nothing deployed")
                ));
                edges.push(format!("  {previous} -.-> {id}"));
                previous = id;
            }
        }
        for (i, name) in nodes.iter().enumerate() {
            out.push_str(&format!("  n{i}[{}]\n", mermaid_label(name)));
        }
        for edge in edges {
            out.push_str(&edge);
            out.push('\n');
        }
        out.push_str("```\n");
        for hop in &self.hops {
            out.push_str(&format!(
                "\n### {} → {}\n\n",
                escape_inline(&hop.from),
                escape_inline(&hop.to_name())
            ));
            for line in self.hop_lines(hop, true) {
                out.push_str(&format!("- {line}\n"));
            }
        }
        if let Some(envs) = &self.environments {
            out.push_str("\n### Environments\n\n| environment | deployed |\n|---|---|\n");
            for e in envs {
                out.push_str(&format!(
                    "| {} | {} |\n",
                    escape_inline(&e.name),
                    escape_inline(&self.environment_line(e)).replace('|', "\\|")
                ));
            }
        }
        if let Some(newest) = &self.newest_release {
            out.push_str(&format!("\nNewest release: {}\n", escape_inline(newest)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(from: &str, to: &str) -> Hop {
        Hop {
            from: from.into(),
            to: to.into(),
            to_repo: None,
            commits: Some(1),
            pulls: vec![],
            oldest: None,
            open_promotion: None,
            last_promotion: None,
        }
    }

    #[test]
    fn environments_hang_off_the_last_branch_and_labels_cannot_break_out() {
        let report = Report {
            hops: vec![hop("main", "stable"), hop("stable", "rhoai")],
            newest_release: None,
            environments: Some(vec![Environment {
                name: "prod\"]".into(),
                version: Some("v1 <x>".into()),
                sha: None,
                releases_behind: None,
                commits_behind: None,
            }]),
            now: 0,
        };
        let md = report.markdown();
        assert!(md.contains("  n2 -.-> n3\n"), "{md}");
        assert!(md.contains("n2[\"rhoai\"]"), "{md}");
        assert!(md.contains("n3[\"prod#quot;]: v1 #lt;x#gt;\"]"), "{md}");
    }
}
