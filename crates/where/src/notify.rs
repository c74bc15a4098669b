//! `--notify`: one comment per pull request saying where its change has reached, found again by
//! a hidden marker and rewritten only when its text changes. Writes are paced (an interval and a
//! per-minute cap) so a promotion of hundreds of PRs never bursts into GitHub's secondary rate
//! limits, and a run that stops partway is finished by the next one: what is already written is
//! unchanged and skipped.

use anyhow::Result;
use git2::Oid;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tidegate_core::markdown::code_span;
use tidegate_git::reach::Held;
use tidegate_git::{History, ReleaseTags};
use tidegate_github::Error;

use crate::change::Change;
use crate::{Cli, Ground, Remote, usage};

/// Marks the comment `where` keeps on each PR.
pub const MARKER: &str = "<!-- tidegate:where -->";

/// With `--river --notify`: the PRs merged on the first branch since `--notify-since` (default:
/// the newest final release tag; the whole branch when there is none).
pub fn pulls_to_tell(
    cli: &Cli,
    history: &History,
    tags: &ReleaseTags,
    tips: &[tidegate_git::promotion::Tip],
) -> Result<Vec<(u64, Oid)>> {
    let Some(first) = tips.first() else {
        return Ok(Vec::new());
    };
    let since = match &cli.notify_since {
        Some(given) => Some(history.find_commit_id(given).or_else(|| {
            tags.tags.iter().chain(&tags.uncounted).find(|t| t.name == *given).map(|t| t.commit)
        }).ok_or_else(|| {
            usage(format!(
                "--notify-since `{}` is neither a release tag nor a commit of this checkout; pass a tag such as v1.2.0",
                tidegate_actions::one_line(given)
            ))
        })?),
        None => tags
            .tags
            .iter()
            .rev()
            .find(|t| t.version.pre.is_empty())
            .map(|t| t.commit),
    };
    let mut pulls = history.waiting_pull_requests(first.commit, since)?;
    // Oldest first: the PRs that have waited longest are told first.
    pulls.reverse();
    Ok(pulls)
}

/// The comment's text: where the change is, one line, nothing from commits or PRs but branch,
/// tag and environment names in code spans, so it can mention no one.
pub fn status_line(change: &Change) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(furthest) = change.branches.iter().rev().find(|b| b.held.is_some()) {
        let mut text = format!("in {}", code_span(&furthest.branch));
        if let Some(Held::Patch(_)) = furthest.held {
            text.push_str(" (cherry-picked)");
        }
        if let Some(arrival) = &furthest.arrival {
            if arrival.is_merge {
                if let Some(pr) = arrival.pr {
                    text.push_str(&format!(" via #{pr}"));
                }
            }
        }
        parts.push(text);
    } else {
        parts.push("not on the river yet".into());
    }
    for line in change.maintenance.iter().filter(|b| b.held.is_some()) {
        parts.push(format!("backported to {}", code_span(&line.branch)));
    }
    if let Some(downstream) = change
        .downstream
        .as_ref()
        .filter(|d| d.contains == Some(true))
    {
        parts.push(format!(
            "in {} of {}",
            code_span(&downstream.branch),
            code_span(&downstream.repo)
        ));
    }
    match (&change.release, &change.prerelease) {
        (Some(release), _) => parts.push(format!("released in {}", code_span(&release.tag))),
        (None, Some(pre)) => parts.push(format!("pre-released in {}", code_span(&pre.tag))),
        (None, None) => {}
    }
    let deployed: Vec<String> = change
        .environments
        .iter()
        .flatten()
        .filter(|e| e.contains == Some(true))
        .map(|e| code_span(&e.environment))
        .collect();
    if !deployed.is_empty() {
        parts.push(format!("deployed to {}", deployed.join(", ")));
    }
    parts.join(" · ")
}

pub fn body(change: &Change) -> String {
    format!(
        "{MARKER}\n**Where this change is:** {}\n",
        status_line(change)
    )
}

/// Paces writes: `interval` between two, at most `per_minute` in any sixty seconds.
struct Pace {
    interval: Duration,
    per_minute: usize,
    recent: VecDeque<Instant>,
}

impl Pace {
    fn wait(&mut self) {
        let now = Instant::now();
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            self.recent.pop_front();
        }
        let mut until = self.recent.back().map(|t| *t + self.interval);
        if self.per_minute > 0 && self.recent.len() >= self.per_minute {
            let window = self.recent[self.recent.len() - self.per_minute] + Duration::from_secs(60);
            until = Some(until.map_or(window, |u| u.max(window)));
        }
        if let Some(until) = until {
            std::thread::sleep(until.saturating_duration_since(Instant::now()));
        }
        self.recent.push_back(Instant::now());
    }
}

/// Keeps each PR's comment up to date, paced, within --notify-max writes.
pub fn tell(cli: &Cli, ground: &Ground, remote: &Remote, pulls: &[(u64, Oid)]) -> Result<()> {
    let mut pace = Pace {
        interval: Duration::from_millis(cli.notify_interval_ms),
        per_minute: cli.notify_per_minute,
        recent: VecDeque::new(),
    };
    let (mut created, mut updated, mut unchanged, mut missing) = (0, 0, 0, 0);
    for (done, &(pr, commit)) in pulls.iter().enumerate() {
        let change = ground.follow(commit, Some(pr), Some(remote), false)?;
        let body = body(&change);
        let comments = match remote.runtime.block_on(remote.gh.comments_of(pr)) {
            Ok(comments) => comments,
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => {
                missing += 1; // a `(#N)` that names no PR of this repository
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let existing = remote
            .runtime
            .block_on(remote.gh.marked_comment(&comments, MARKER))?;
        if existing.as_ref().is_some_and(|c| c.body == body) {
            unchanged += 1;
            continue;
        }
        if cli.notify_max.is_some_and(|max| created + updated >= max) {
            eprintln!(
                "where: stopped after {} comment writes (--notify-max); {} PRs not looked at yet: run again to go on",
                created + updated,
                pulls.len() - done
            );
            break;
        }
        pace.wait();
        remote
            .runtime
            .block_on(remote.gh.upsert_marked_comment(pr, MARKER, &body))?;
        if existing.is_some() {
            updated += 1;
        } else {
            created += 1;
        }
    }
    eprintln!(
        "where: told {} PRs: {created} comments created, {updated} updated, {unchanged} unchanged{}",
        pulls.len(),
        if missing > 0 {
            format!(", {missing} not pull requests of this repository")
        } else {
            String::new()
        }
    );
    Ok(())
}
