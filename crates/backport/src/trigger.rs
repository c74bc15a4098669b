//! What asked for the backport: flags, or the workflow's event (a label on a merged pull request,
//! or a `/backport` comment).

use serde_json::Value;

/// The request, before GitHub is asked anything.
#[derive(Debug, PartialEq, Eq)]
pub enum Request {
    /// Backport pull request `pr` to `targets`.
    Backport {
        pr: u64,
        targets: Vec<String>,
        /// Set when a comment asked: its id and author (whose permission is checked).
        comment: Option<(u64, String)>,
        /// From an event, where a pull request not merged is normal (exit 0), not a mistake.
        from_event: bool,
    },
    /// Nothing to do, and why.
    Nothing(String),
}

/// The targets named by `prefix` labels (`backport release/1.3`).
pub fn label_targets(labels: &[String], prefix: &str) -> Vec<String> {
    labels
        .iter()
        .filter_map(|l| label_target(l, prefix))
        .collect()
}

pub fn label_target(label: &str, prefix: &str) -> Option<String> {
    let head = label.get(..prefix.len())?;
    let rest = label.get(prefix.len()..)?.trim();
    (head.eq_ignore_ascii_case(prefix) && !rest.is_empty()).then(|| rest.to_string())
}

/// The targets of `/backport a b` lines in a comment (several lines may ask).
pub fn command_targets(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in body.lines() {
        let mut words = line.split_whitespace();
        if words.next() == Some("/backport") {
            for target in words {
                if !out.iter().any(|t| t == target) {
                    out.push(target.to_string());
                }
            }
        }
    }
    out
}

fn num(v: &Value, pointer: &str) -> Option<u64> {
    v.pointer(pointer).and_then(Value::as_u64)
}

fn text<'v>(v: &'v Value, pointer: &str) -> &'v str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Reads a `pull_request_target`, `pull_request` or `issue_comment` event.
pub fn from_event(name: &str, event: &Value, prefix: &str) -> Result<Request, String> {
    match name {
        "pull_request_target" | "pull_request" => {
            let pr = num(event, "/pull_request/number")
                .ok_or("the event has no pull_request.number; is it a pull_request event?")?;
            let action = text(event, "/action");
            let labels: Vec<String> = event
                .pointer("/pull_request/labels")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|l| l.get("name").and_then(Value::as_str).map(str::to_string))
                .collect();
            let targets = match action {
                "closed" => label_targets(&labels, prefix),
                "labeled" => {
                    let label = text(event, "/label/name");
                    match label_target(label, prefix) {
                        Some(t) => vec![t],
                        None => {
                            return Ok(Request::Nothing(format!(
                                "label `{}` is not a backport label (prefix `{prefix}`)",
                                tidegate_actions::one_line(label)
                            )));
                        }
                    }
                }
                other => {
                    return Ok(Request::Nothing(format!(
                        "a pull request was {}; backports run when one is closed or labelled",
                        tidegate_actions::one_line(other)
                    )));
                }
            };
            let merged = event
                .pointer("/pull_request/merged")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if targets.is_empty() {
                return Ok(Request::Nothing(format!(
                    "pull request #{pr} has no `{prefix}<branch>` label"
                )));
            }
            if !merged {
                return Ok(Request::Nothing(format!(
                    "pull request #{pr} is not merged; it is backported when it is merged"
                )));
            }
            Ok(Request::Backport {
                pr,
                targets,
                comment: None,
                from_event: true,
            })
        }
        "issue_comment" => {
            let pr = num(event, "/issue/number").ok_or("the event has no issue.number")?;
            if event.pointer("/issue/pull_request").is_none() {
                return Ok(Request::Nothing(format!(
                    "#{pr} is an issue, not a pull request"
                )));
            }
            if text(event, "/action") != "created" {
                return Ok(Request::Nothing("the comment was not just created".into()));
            }
            let targets = command_targets(text(event, "/comment/body"));
            if targets.is_empty() {
                return Ok(Request::Nothing(
                    "the comment holds no /backport command".into(),
                ));
            }
            let id = num(event, "/comment/id").ok_or("the event has no comment.id")?;
            let user = text(event, "/comment/user/login").to_string();
            Ok(Request::Backport {
                pr,
                targets,
                comment: Some((id, user)),
                from_event: false,
            })
        }
        other => Err(format!(
            "event `{}` cannot ask for a backport: run on pull_request_target (closed, labeled) or issue_comment, or pass --pr and --to",
            tidegate_actions::one_line(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_and_commands_name_targets() {
        let labels = ["bug".to_string(), "Backport release/1.3".to_string()];
        assert_eq!(label_targets(&labels, "backport "), ["release/1.3"]);
        assert_eq!(
            command_targets("thanks!\n/backport release/1.2 release/1.3\n/backport release/1.2"),
            ["release/1.2", "release/1.3"]
        );
        assert!(command_targets("please /backport x").is_empty());
    }

    #[test]
    fn a_label_added_after_the_merge_asks_for_that_target_only() {
        let event = json!({
            "action": "labeled",
            "label": { "name": "backport release/2" },
            "pull_request": { "number": 7, "merged": true,
                "labels": [{ "name": "backport release/1" }, { "name": "backport release/2" }] }
        });
        assert_eq!(
            from_event("pull_request_target", &event, "backport "),
            Ok(Request::Backport {
                pr: 7,
                targets: vec!["release/2".into()],
                comment: None,
                from_event: true
            })
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 1000, ..Default::default() })]

        /// Any comment names the targets of its `/backport` lines, each once, each one word.
        #[test]
        fn any_comment_names_clean_targets(
            body in "(/backport|/Backport| |\t|\n|\r\n|release/1|@ada|::set-output name=x::y|\\PC){0,30}"
        ) {
            let targets = command_targets(&body);
            for (i, t) in targets.iter().enumerate() {
                proptest::prop_assert!(!t.is_empty() && !t.chars().any(char::is_whitespace), "{t:?}");
                proptest::prop_assert!(!targets[..i].contains(t));
            }
            if !body.contains("/backport") {
                proptest::prop_assert!(targets.is_empty());
            }
        }

        /// Any label, with any prefix, is read without panic (prefixes cut inside a character).
        #[test]
        fn any_label_is_read(label in "\\PC{0,12}", prefix in "\\PC{0,6}") {
            if let Some(target) = label_target(&label, &prefix) {
                proptest::prop_assert!(!target.is_empty() && target.trim() == target);
            }
        }

        /// Any event document, of any name, is a request, nothing, or one line saying why.
        #[test]
        fn any_event_is_read(
            name in "(pull_request_target|pull_request|issue_comment|push|\\PC{0,6})",
            action in "(closed|labeled|created|opened|\\PC{0,4})",
            number in proptest::option::of(proptest::prelude::any::<u64>()),
            merged in proptest::option::of(proptest::prelude::any::<bool>()),
            labels in proptest::collection::vec("(backport |Backport )?\\PC{0,8}", 0..4),
            body in "(/backport [a-z/0-9.]{0,8}|\\PC{0,10}|\n){0,4}",
            comment_id in proptest::option::of(proptest::prelude::any::<u64>()),
        ) {
            let labels: Vec<_> = labels.iter().map(|l| json!({ "name": l })).collect();
            let event = json!({
                "action": action,
                "label": { "name": labels.first().cloned().unwrap_or_default()["name"] },
                "pull_request": { "number": number, "merged": merged, "labels": labels },
                "issue": { "number": number, "pull_request": {} },
                "comment": { "id": comment_id, "body": body, "user": { "login": "ada" } },
            });
            match from_event(&name, &event, "backport ") {
                Ok(Request::Backport { targets, .. }) => proptest::prop_assert!(!targets.is_empty()),
                Ok(Request::Nothing(why)) => proptest::prop_assert!(!why.contains('\n'), "{why}"),
                Err(e) => proptest::prop_assert!(!e.contains('\n'), "{e}"),
            }
        }
    }
}
