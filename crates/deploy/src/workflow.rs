//! The deploy workflow's file, read before anything is written: it must start on
//! `workflow_dispatch` and declare the inputs `deploy` sends, and every input it requires
//! without a default must be one of them (GitHub would refuse the dispatch).

use saphyr_parser::{Event, Parser};

/// A YAML value as far as triggers and inputs need: scalars as text.
#[derive(Debug)]
enum Node {
    Scalar(String),
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
}

impl Node {
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

/// The first document of `text` as a [`Node`]; anchors and aliases are read as empty values.
fn parse(text: &str) -> Result<Node, String> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<(Node, Option<String>)> = Vec::new();
    let mut root = None;
    while let Some(event) = parser.next_event() {
        let (event, _) = event.map_err(|e| format!("line {}: {}", e.marker().line(), e.info()))?;
        let value = match event {
            Event::MappingStart(..) => {
                stack.push((Node::Map(Vec::new()), None));
                continue;
            }
            Event::SequenceStart(..) => {
                stack.push((Node::Seq(Vec::new()), None));
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some((node, _)) => node,
                None => continue,
            },
            Event::Scalar(value, ..) => Node::Scalar(value.into_owned()),
            Event::Alias(_) => Node::Scalar(String::new()),
            Event::DocumentEnd if root.is_some() => break,
            _ => continue,
        };
        match stack.last_mut() {
            None => root = Some(value),
            Some((Node::Seq(items), _)) => items.push(value),
            Some((Node::Map(entries), key)) => match key.take() {
                None => *key = Some(value.text().unwrap_or_default().to_string()),
                Some(k) => entries.push((k, value)),
            },
            Some((Node::Scalar(_), _)) => {}
        }
    }
    Ok(root.unwrap_or(Node::Map(Vec::new())))
}

/// Checks that the workflow `file` (its text) can be dispatched with exactly `sent` inputs.
pub fn check(file: &str, text: &str, sent: &[String]) -> Result<(), String> {
    let root = parse(text).map_err(|e| format!("cannot read the workflow {file}: {e}"))?;
    // YAML 1.1 readers turn a bare `on` into `true`; GitHub reads the key `on`.
    let on = root.get("on").or_else(|| root.get("true"));
    let no_dispatch = || {
        format!(
            "the workflow {file} has no workflow_dispatch trigger: add `on: workflow_dispatch:` with the inputs {} to it",
            sent.join(", ")
        )
    };
    let dispatch = match on {
        Some(Node::Scalar(s)) if s == "workflow_dispatch" => None,
        Some(Node::Seq(items)) if items.iter().any(|i| i.text() == Some("workflow_dispatch")) => {
            None
        }
        Some(map @ Node::Map(_)) => match map.get("workflow_dispatch") {
            Some(node) => Some(node),
            None => return Err(no_dispatch()),
        },
        _ => return Err(no_dispatch()),
    };
    let declared: Vec<(&str, &Node)> = match dispatch.and_then(|d| d.get("inputs")) {
        Some(Node::Map(entries)) => entries.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        _ => Vec::new(),
    };
    let undeclared: Vec<&str> = sent
        .iter()
        .map(String::as_str)
        .filter(|name| !declared.iter().any(|(k, _)| k == name))
        .collect();
    if !undeclared.is_empty() {
        return Err(format!(
            "the workflow {file} does not declare the input(s) {} under on.workflow_dispatch.inputs: add them, or name the inputs it has with --version-input, --environment-input and --deployment-id-input",
            undeclared.join(", ")
        ));
    }
    let unmet: Vec<&str> = declared
        .iter()
        .filter(|(name, spec)| {
            let required = spec.get("required").and_then(Node::text) == Some("true");
            required && spec.get("default").is_none() && !sent.iter().any(|s| s == name)
        })
        .map(|(name, _)| *name)
        .collect();
    if !unmet.is_empty() {
        return Err(format!(
            "the workflow {file} requires the input(s) {} that deploy does not send: give them with --input NAME=VALUE",
            unmet.join(", ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// Any workflow file in the repository is accepted or refused with one line naming it;
        /// never a panic (YAML shaped like a workflow, and anything at all).
        #[test]
        fn any_workflow_file_is_checked_in_one_line(
            text in prop_oneof![
                "(on|workflow_dispatch|inputs|version|environment|required|default|true|: |:\n|\n  |\n    |- |&a |\\*a|\\[|\\]|\\{|\\}|'|\"|#|---\n|\\PC){0,40}",
                "\\PC{0,200}",
            ],
        ) {
            let sent = ["version".to_string(), "environment".to_string()];
            if let Err(e) = super::check("deploy.yml", &text, &sent) {
                prop_assert!(e.contains("deploy.yml") && !e.contains('\n'), "{e}");
            }
        }
    }
}
