//! What a run did, told three ways: step outputs, the Markdown report (step summary or terminal),
//! and `--json`.

use crate::{Cli, Failure, Mode, OnConflict, Promotion};
use serde_json::json;
use tidegate_actions::{Outputs, print_stdout, report, warning};
use tidegate_core::markdown::code_span;
use tidegate_core::promotion::{Facts, block, block_content, new_body, short};
use tidegate_github::pulls::PullRequest;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Created,
    Updated,
    /// The open pull request already says everything: reported as `skipped`.
    Unchanged,
    /// Nothing to promote.
    Skipped,
    /// `--on-conflict skip`: the trial merge conflicts, so no pull request was opened.
    HeldByConflict,
    FastForwarded,
    Merged,
}

impl Operation {
    /// The value of the `operation` output.
    fn name(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Unchanged | Self::Skipped => "skipped",
            Self::HeldByConflict => "conflict",
            Self::FastForwarded => "fast-forwarded",
            Self::Merged => "merged",
        }
    }
}

pub struct Outcome {
    pub operation: Operation,
    pub pr_number: Option<u64>,
    pub pr_url: Option<String>,
    pub commit_count: usize,
    /// The source commit promoted.
    pub head_sha: String,
    pub merge_sha: Option<String>,
    pub conflicts: Vec<String>,
    /// With `--to-repo`: how many commits the downstream target has of its own.
    pub downstream_only: Option<usize>,
}

impl Outcome {
    /// Nothing done yet (and nothing to do, until an operation says otherwise).
    pub fn new(facts: &Facts) -> Self {
        Self {
            operation: Operation::Skipped,
            pr_number: None,
            pr_url: None,
            commit_count: facts.commits.len(),
            head_sha: facts.source_sha.clone(),
            merge_sha: None,
            conflicts: facts.conflicts.clone(),
            downstream_only: None,
        }
    }

    pub fn set_pull(&mut self, operation: Operation, pull: &PullRequest) {
        self.operation = operation;
        self.pr_number = Some(pull.number);
        self.pr_url = Some(pull.html_url.clone());
    }

    /// Step outputs, the report, the conflict warning and, with `--json`, the JSON document.
    pub fn publish(&self, cli: &Cli, promotion: &Promotion) -> Result<(), Failure> {
        let mut outputs = Outputs::default();
        outputs
            .set("operation", self.operation.name())
            .set(
                "pr-number",
                self.pr_number.map(|n| n.to_string()).unwrap_or_default(),
            )
            .set("pr-url", self.pr_url.clone().unwrap_or_default())
            .set("commit-count", self.commit_count.to_string())
            .set("head-sha", self.head_sha.clone())
            .set("conflicts", self.conflicts.join("\n"));
        if let Some(count) = self.downstream_only {
            outputs.set("downstream-only", count.to_string());
        }
        outputs
            .write()
            .map_err(|e| (3, format!("cannot write $GITHUB_OUTPUT: {e}")))?;
        if !self.conflicts.is_empty() {
            warning(&format!(
                "the trial merge of `{}` into `{}` conflicts in: {}",
                promotion.source(),
                promotion.target(),
                short_list(&self.conflicts)
            ));
        }
        report(&self.report(promotion))
            .map_err(|e| (3, format!("cannot write the step summary: {e}")))?;
        if cli.json {
            let mut document = json!({
                "operation": self.operation.name(),
                "pr-number": self.pr_number,
                "pr-url": self.pr_url,
                "commit-count": self.commit_count,
                "head-sha": self.head_sha,
                "merge-sha": self.merge_sha,
                "conflicts": self.conflicts,
                "source": promotion.source_found_as,
                "target": promotion.target_found_as,
            });
            if let Some(count) = self.downstream_only {
                document["downstream-only"] = json!(count);
                document["repository"] = json!(promotion.repo.as_ref().map(ToString::to_string));
            }
            print_stdout(&format!("{document:#}\n"))
                .map_err(|e| (3, format!("cannot write to stdout: {e}")))?;
        }
        Ok(())
    }

    fn report(&self, promotion: &Promotion) -> String {
        let facts = &promotion.facts;
        let (source, target) = (code_span(promotion.source()), code_span(promotion.target()));
        let route = format!("{source} → {target}");
        let what = match (self.operation, self.pr_number, &self.pr_url) {
            (Operation::Skipped, _, _) => {
                format!("nothing to promote: {target} has every commit of {source}")
            }
            (Operation::HeldByConflict, _, _) => {
                "no pull request opened: the trial merge conflicts (--on-conflict skip)".to_string()
            }
            (Operation::Unchanged, Some(n), Some(url)) => {
                format!("[#{n}]({url}) is already up to date")
            }
            (op, Some(n), Some(url)) => format!("{} [#{n}]({url})", op.name()),
            (Operation::FastForwarded, _, _) => {
                format!("{target} fast-forwarded to {}", short(&facts.source_sha))
            }
            (Operation::Merged, _, _) => format!(
                "merged with commit {}",
                short(self.merge_sha.as_deref().unwrap_or_default())
            ),
            (op, _, _) => op.name().to_string(),
        };
        let mut text = format!("## Promotion {route}: {what}\n\n");
        if !facts.commits.is_empty() {
            text.push_str(block_content(&block(facts, usize::MAX)));
            text.push('\n');
        }
        text
    }
}

/// A list for one line of text: the first 10 items, then how many more.
pub fn short_list(items: &[String]) -> String {
    let shown = items
        .iter()
        .take(10)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match items.len().saturating_sub(10) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// `--dry-run`: the plan, the title and the exact body a new pull request would get. Nothing leaves
/// the machine.
pub fn print_dry_run(cli: &Cli, promotion: &Promotion, title: &str) -> Result<(), Failure> {
    let facts = &promotion.facts;
    let planned = if facts.commits.is_empty() {
        "skipped"
    } else {
        match cli.mode {
            Mode::Pr if cli.on_conflict() == OnConflict::Skip && !facts.conflicts.is_empty() => {
                "conflict"
            }
            Mode::Pr => "pr",
            Mode::FastForward if promotion.fast_forward => "fast-forward",
            Mode::FastForward => "refused",
            Mode::Merge if facts.conflicts.is_empty() => "merge",
            Mode::Merge => "refused",
        }
    };
    let body = new_body(cli.body_header.as_deref(), facts);
    // A dry run in a workflow still tells later steps what it found.
    let mut outputs = Outputs::default();
    outputs
        .set("operation", planned)
        .set("commit-count", facts.commits.len().to_string())
        .set("head-sha", facts.source_sha.clone())
        .set("conflicts", facts.conflicts.join("\n"));
    outputs
        .write()
        .map_err(|e| (3, format!("cannot write $GITHUB_OUTPUT: {e}")))?;
    let text = if cli.json {
        format!(
            "{:#}\n",
            json!({
                "dry-run": true,
                "operation": planned,
                "commit-count": facts.commits.len(),
                "head-sha": facts.source_sha,
                "base-sha": facts.target_sha,
                "source": promotion.source_found_as,
                "target": promotion.target_found_as,
                "fast-forward": promotion.fast_forward,
                "conflicts": facts.conflicts,
                "target-only": facts.target_only,
                "squash-merged": facts.squashed,
                "title": title,
                "body": body,
            })
        )
    } else if facts.commits.is_empty() {
        format!(
            "Nothing to promote: `{}` ({}) has every commit of `{}` ({}).\n",
            promotion.target(),
            promotion.target_found_as,
            promotion.source(),
            promotion.source_found_as
        )
    } else {
        let action = match planned {
            "pr" => "open or update the pull request",
            "fast-forward" => "fast-forward the target",
            "merge" => "merge with a merge commit",
            "conflict" => {
                "open no pull request: the trial merge conflicts (an open one is updated)"
            }
            _ => "refuse: the target cannot simply move (see below)",
        };
        format!(
            "Dry run: would {action}, {} ({}) → {} ({}); no GitHub request made.\n\nTitle: {title}\n\n{body}\n",
            promotion.source(),
            promotion.source_found_as,
            promotion.target(),
            promotion.target_found_as
        )
    };
    print_stdout(&text).map_err(|e| (3, format!("cannot write to stdout: {e}")))
}
