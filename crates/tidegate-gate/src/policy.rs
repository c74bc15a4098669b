//! Gate policies: the `[gates.NAME]` tables of `tidegate.toml`.
//!
//! Only the `gates` table is read here (the same file configures `bump`, which checks its own
//! keys). Inside it every key is known or refused. Keys are kebab-case; each also accepts its
//! snake_case spelling (`sign_off`, `exclude_author`, `time_zone`…), and nothing else.

use crate::error::GateError;
use crate::freeze::FreezeSpec;
use regex_lite::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Every gate of a policy file, checked for impossible rules.
#[derive(Clone, Debug)]
pub struct Policy {
    source: String,
    gates: BTreeMap<String, RuleSet>,
}

/// The rules of one table: its rule keys, combined with `all`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleSet {
    pub approvals: Option<Approvals>,
    #[serde(alias = "sign_off")]
    pub sign_off: Option<SignOff>,
    pub checks: Option<Vec<CheckSpec>>,
    pub blockers: Option<Blockers>,
    pub ticket: Option<Ticket>,
    pub labels: Option<Labels>,
    pub freeze: Option<Freeze>,
    pub votes: Option<Votes>,
    pub commits: Option<CommitTypes>,
    #[serde(alias = "release_notes")]
    pub release_notes: Option<bool>,
    pub after: Option<String>,
    pub all: Option<Vec<RuleSet>>,
    pub any: Option<Vec<RuleSet>>,
    pub not: Option<Box<RuleSet>>,
}

/// Who may approve and which approvals count.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Approvals {
    #[serde(default = "one")]
    pub min: u32,
    #[serde(default)]
    pub users: Vec<String>,
    /// `org/slug`.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Anyone with at least this permission is eligible. With no users, teams or permission,
    /// anyone with write access is.
    pub permission: Option<Permission>,
    #[serde(default = "yes", alias = "exclude_author")]
    pub exclude_author: bool,
    #[serde(default = "yes", alias = "exclude_bots")]
    pub exclude_bots: bool,
    #[serde(default, alias = "exclude_committers")]
    pub exclude_committers: bool,
    /// Also count an approval given on an older commit whose tree equals the head's.
    #[serde(default, alias = "same_tree")]
    pub same_tree: bool,
}

/// What disqualifies an approval, shared by `approvals` and `sign-off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewerRules {
    pub exclude_author: bool,
    pub exclude_bots: bool,
    pub exclude_committers: bool,
    pub same_tree: bool,
}

macro_rules! reviewer_rules {
    ($t:ty) => {
        impl $t {
            pub fn reviewer_rules(&self) -> ReviewerRules {
                ReviewerRules {
                    exclude_author: self.exclude_author,
                    exclude_bots: self.exclude_bots,
                    exclude_committers: self.exclude_committers,
                    same_tree: self.same_tree,
                }
            }
        }
    };
}
reviewer_rules!(Approvals);
reviewer_rules!(SignOff);

impl Default for ReviewerRules {
    fn default() -> Self {
        ReviewerRules {
            exclude_author: true,
            exclude_bots: true,
            exclude_committers: false,
            same_tree: false,
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    Write,
    Maintain,
    Admin,
}

impl Permission {
    /// GitHub's permission name, `None` for anything below write (triage, read, none).
    pub fn from_github(name: &str) -> Option<Permission> {
        match name.to_ascii_lowercase().as_str() {
            "write" | "push" => Some(Permission::Write),
            "maintain" => Some(Permission::Maintain),
            "admin" => Some(Permission::Admin),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Permission::Write => "write",
            Permission::Maintain => "maintain",
            Permission::Admin => "admin",
        }
    }
}

/// One approval from each group (a user or an `org/slug` team); a person counts for one group.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SignOff {
    #[serde(alias = "each_of")]
    pub each_of: Vec<Vec<String>>,
    #[serde(default = "yes", alias = "exclude_author")]
    pub exclude_author: bool,
    #[serde(default = "yes", alias = "exclude_bots")]
    pub exclude_bots: bool,
    #[serde(default, alias = "exclude_committers")]
    pub exclude_committers: bool,
    /// Also count an approval given on an older commit whose tree equals the head's.
    #[serde(default, alias = "same_tree")]
    pub same_tree: bool,
}

/// A required check: a name (`*` matches any text), optionally pinned to an app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckSpec {
    pub name: String,
    pub app: Option<String>,
    /// Conclusions that count as passed besides `success`: `skipped`, `neutral`.
    pub allow: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckTable {
    name: String,
    app: Option<String>,
    #[serde(default)]
    allow: Vec<String>,
}

impl<'de> Deserialize<'de> for CheckSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        let table = match value {
            serde_json::Value::String(name) => CheckTable {
                name,
                app: None,
                allow: Vec::new(),
            },
            serde_json::Value::Object(_) => serde_json::from_value(value)
                .map_err(|e| D::Error::custom(format!("checks: {e}")))?,
            _ => {
                return Err(D::Error::custom(
                    "checks: a check is a name or a table { name, app, allow }",
                ));
            }
        };
        if let Some(bad) = table
            .allow
            .iter()
            .find(|a| !matches!(a.as_str(), "skipped" | "neutral"))
        {
            return Err(D::Error::custom(format!(
                "checks: allow = \"{bad}\" is not allowed (only \"skipped\" and \"neutral\")"
            )));
        }
        Ok(CheckSpec {
            name: table.name,
            app: table.app,
            allow: table.allow,
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Blockers {
    pub labels: Vec<String>,
    pub milestone: Option<String>,
}

/// Labels the pull request itself must carry (label hygiene: a type label on every PR).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Labels {
    #[serde(alias = "any_of")]
    pub any_of: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Ticket {
    pub pattern: String,
    #[serde(default = "all_sources", rename = "in")]
    pub sources: Vec<TicketSource>,
    #[serde(skip)]
    pub regex: Option<Regex>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TicketSource {
    Title,
    Body,
    Commits,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Freeze {
    #[serde(default)]
    pub windows: Vec<String>,
    #[serde(default)]
    pub holidays: Vec<String>,
    #[serde(default = "utc", alias = "time_zone")]
    pub time_zone: String,
    #[serde(alias = "override_label")]
    pub override_label: Option<String>,
    /// What the override label requires instead; by default one approval more than the gate's.
    #[serde(alias = "override_requires")]
    pub override_requires: Option<Box<RuleSet>>,
    #[serde(skip)]
    pub spec: Option<FreezeSpec>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Votes {
    pub voters: Vec<String>,
    /// Whose votes are binding; all voters when absent.
    pub binding: Option<Vec<String>>,
    #[serde(default = "one", alias = "binding_min")]
    pub binding_min: u32,
    /// Least number of +1 votes, binding or not.
    #[serde(default)]
    pub min: u32,
    #[serde(default = "yes")]
    pub veto: bool,
    /// Least number of votes cast (+1, 0 or -1).
    #[serde(default)]
    pub quorum: u32,
    #[serde(alias = "window_hours")]
    pub window_hours: Option<u32>,
    /// Where the window starts: only `comment` (the first `[VOTE]` comment, else the PR's creation).
    #[serde(default = "comment")]
    pub start: String,
}

impl Votes {
    pub fn binding_voters(&self) -> &[String] {
        self.binding.as_deref().unwrap_or(&self.voters)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CommitTypes {
    pub types: Vec<String>,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}
fn utc() -> String {
    "UTC".into()
}
fn comment() -> String {
    "comment".into()
}
fn all_sources() -> Vec<TicketSource> {
    vec![
        TicketSource::Title,
        TicketSource::Body,
        TicketSource::Commits,
    ]
}

#[derive(Deserialize)]
struct PolicyFile {
    #[serde(default)]
    gates: BTreeMap<String, serde_json::Value>,
}

impl Policy {
    /// Reads every `[gates.NAME]` table of a `tidegate.toml` text and refuses impossible rules.
    pub fn parse(text: &str) -> Result<Policy, GateError> {
        let document: toml_edit::DocumentMut =
            text.parse().map_err(|e: toml_edit::TomlError| {
                let line = e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                    .unwrap_or(1);
                GateError::Toml {
                    line,
                    message: e.message().trim().to_string(),
                }
            })?;
        let file: PolicyFile =
            toml_edit::de::from_document(document).map_err(|e| GateError::Toml {
                line: 1,
                message: e.message().trim().replace('\n', " "),
            })?;
        let mut gates = BTreeMap::new();
        for (name, value) in file.gates {
            let mut rules: RuleSet = serde_json::from_value(value.clone())
                .map_err(|e| GateError::policy(&name, with_rule_key(&value, e.to_string())))?;
            validate(&name, &mut rules)?;
            gates.insert(name, rules);
        }
        Ok(Policy {
            source: text.to_string(),
            gates,
        })
    }

    /// The rules of one gate, or an error listing the gates there are.
    pub fn gate(&self, name: &str) -> Result<&RuleSet, GateError> {
        self.gates.get(name).ok_or_else(|| GateError::UnknownGate {
            gate: name.to_string(),
            known: if self.gates.is_empty() {
                "none (add a [gates.NAME] table)".into()
            } else {
                self.gates.keys().cloned().collect::<Vec<_>>().join(", ")
            },
        })
    }

    pub fn gate_names(&self) -> impl Iterator<Item = &str> {
        self.gates.keys().map(String::as_str)
    }

    /// The gate's table as written (comments included) in a file of its own: what the audit
    /// record keeps, so a replay reads exactly the rules that were evaluated.
    pub fn gate_text(&self, name: &str) -> Result<String, GateError> {
        self.gate(name)?;
        let mut document: toml_edit::DocumentMut =
            self.source
                .parse()
                .map_err(|e: toml_edit::TomlError| GateError::Toml {
                    line: 1,
                    message: e.message().trim().to_string(),
                })?;
        document.as_table_mut().retain(|key, _| key == "gates");
        if let Some(gates) = document
            .as_table_mut()
            .get_mut("gates")
            .and_then(|g| g.as_table_like_mut())
        {
            let others: Vec<String> = gates
                .iter()
                .map(|(key, _)| key.to_string())
                .filter(|key| key != name)
                .collect();
            for key in others {
                gates.remove(&key);
            }
        }
        Ok(document.to_string())
    }
}

/// serde names the value that is wrong (`invalid value: integer `-1`, expected u32`) but not
/// where it is: the rule it is in is found by reading each rule of the gate alone.
fn with_rule_key(gate: &serde_json::Value, message: String) -> String {
    let failing = gate.as_object().and_then(|rules| {
        rules.iter().find_map(|(key, value)| {
            let alone = serde_json::json!({ key: value });
            serde_json::from_value::<RuleSet>(alone)
                .is_err()
                .then_some(key)
        })
    });
    match failing {
        Some(key)
            if !message.contains(&format!("`{key}`"))
                && !message.starts_with(&format!("{key}:")) =>
        {
            format!("{key}: {message}")
        }
        _ => message,
    }
}

/// Refuses rules that can never pass or are written wrong, naming the gate.
fn validate(gate: &str, rules: &mut RuleSet) -> Result<(), GateError> {
    let fail = |message: String| Err(GateError::policy(gate, message));
    if let Some(a) = &rules.approvals {
        if a.min == 0 {
            return fail("approvals: min must be at least 1".into());
        }
        for team in &a.teams {
            check_team_name(gate, team)?;
        }
        // With a fixed list of users the rule is impossible as soon as it asks for more people
        // than the list holds; teams are only known once read, so they are checked then.
        if a.teams.is_empty() && a.permission.is_none() && !a.users.is_empty() {
            let people = distinct(&a.users);
            if a.min as usize > people {
                let eligible = if people == 1 {
                    "1 person is".to_string()
                } else {
                    format!("{people} people are")
                };
                return fail(format!(
                    "approvals: min = {} but only {eligible} eligible (users {})",
                    a.min,
                    a.users.join(", ")
                ));
            }
        }
    }
    if let Some(s) = &rules.sign_off {
        if s.each_of.is_empty() {
            return fail("sign-off: each-of lists no group".into());
        }
        for (i, group) in s.each_of.iter().enumerate() {
            if group.is_empty() {
                return fail(format!("sign-off: group {} of each-of is empty", i + 1));
            }
            for member in group.iter().filter(|m| m.contains('/')) {
                check_team_name(gate, member)?;
            }
        }
    }
    if let Some(checks) = &rules.checks {
        if checks.is_empty() {
            return fail("checks lists no check".into());
        }
        if let Some(c) = checks.iter().find(|c| c.name.trim().is_empty()) {
            return fail(format!("checks: an empty check name ({c:?})"));
        }
    }
    if let Some(b) = &rules.blockers
        && b.labels.is_empty()
    {
        return fail("blockers: labels lists no label".into());
    }
    if let Some(t) = &mut rules.ticket {
        if t.sources.is_empty() {
            return fail("ticket: in lists nowhere to look (title, body, commits)".into());
        }
        match Regex::new(&t.pattern) {
            Ok(regex) => t.regex = Some(regex),
            Err(e) => {
                let first = e.to_string();
                let first = first.lines().last().unwrap_or_default().trim().to_string();
                return fail(format!(
                    "ticket: pattern {:?} is not a regex: {first}",
                    t.pattern
                ));
            }
        }
    }
    if let Some(f) = &mut rules.freeze {
        let spec = FreezeSpec::parse(&f.windows, &f.holidays, &f.time_zone)
            .map_err(|message| GateError::policy(gate, format!("freeze: {message}")))?;
        f.spec = Some(spec);
        if let Some(requires) = &mut f.override_requires {
            if f.override_label.is_none() {
                return fail("freeze: override-requires needs an override-label".into());
            }
            validate(gate, requires)?;
        }
    }
    if let Some(v) = &rules.votes {
        let voters = distinct(&v.voters);
        if voters == 0 {
            return fail("votes: voters lists nobody".into());
        }
        let binding = distinct(v.binding_voters());
        if v.binding_min as usize > binding {
            return fail(format!(
                "votes: binding-min = {} but only {binding} voters are binding",
                v.binding_min
            ));
        }
        if v.min as usize > voters || v.quorum as usize > voters {
            return fail(format!(
                "votes: min = {} and quorum = {} cannot exceed the {voters} voters",
                v.min, v.quorum
            ));
        }
        if let Some(b) = v
            .binding_voters()
            .iter()
            .find(|b| !v.voters.iter().any(|voter| voter.eq_ignore_ascii_case(b)))
        {
            return fail(format!("votes: binding voter {b} is not among the voters"));
        }
        if v.start != "comment" {
            return fail(format!(
                "votes: start = {:?} is not known (only \"comment\")",
                v.start
            ));
        }
        if v.window_hours == Some(0) {
            return fail("votes: window-hours must be at least 1".into());
        }
    }
    if let Some(l) = &rules.labels
        && l.any_of.is_empty()
    {
        return fail("labels: any-of lists no label".into());
    }
    if let Some(c) = &rules.commits
        && c.types.is_empty()
    {
        return fail("commits: types lists no type".into());
    }
    if let Some(after) = &rules.after
        && after.trim().is_empty()
    {
        return fail("after names no gate".into());
    }
    for set in rules.all.iter_mut().chain(rules.any.iter_mut()) {
        if set.is_empty() {
            return fail("all/any lists no rule".into());
        }
        for inner in set {
            validate(gate, inner)?;
        }
    }
    if let Some(inner) = &mut rules.not {
        validate(gate, inner)?;
    }
    Ok(())
}

fn check_team_name(gate: &str, team: &str) -> Result<(), GateError> {
    match team.split_once('/') {
        Some((org, slug)) if !org.is_empty() && !slug.is_empty() && !slug.contains('/') => Ok(()),
        _ => Err(GateError::policy(
            gate,
            format!("team {team:?} is not written org/slug"),
        )),
    }
}

fn distinct(logins: &[String]) -> usize {
    let mut lower: Vec<String> = logins.iter().map(|l| l.to_ascii_lowercase()).collect();
    lower.sort();
    lower.dedup();
    lower.len()
}
