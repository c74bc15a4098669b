//! The history query against GitHub's published GraphQL schema (a slice of
//! @octokit/graphql-schema's introspection JSON, tests/data): every field it selects exists on
//! the type it is selected from, and every argument it passes is one that field takes.

use serde_json::Value;
use tidegate_github::deployments::HISTORY_QUERY;

fn schema() -> Value {
    serde_json::from_str(include_str!("../data/graphql-schema-slice.json")).expect("JSON")
}

/// The named type a field's type reference ends in (through NON_NULL and LIST).
fn named(mut t: &Value) -> String {
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    t["name"].as_str().unwrap_or_default().to_string()
}

/// Walks the selection starting at `type_name`; returns each problem found.
fn check(schema: &Value, query: &str) -> Vec<String> {
    let types = schema["types"].as_array().expect("types");
    let field_of = |ty: &str, name: &str| -> Option<Value> {
        types.iter().find(|t| t["name"] == ty)?["fields"]
            .as_array()?
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
    };
    // The selection after the operation's variable list.
    let body = &query[query.find(')').expect("variables") + 1..];
    let chars: Vec<char> = body.chars().collect();
    let mut problems = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut current = "Query".to_string();
    let mut last_field: Option<Value> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' {
            stack.push(current.clone());
            if let Some(f) = last_field.take() {
                current = named(&f["type"]);
            }
            i += 1;
        } else if c == '}' {
            current = stack.pop().unwrap_or_default();
            i += 1;
        } else if c == '(' {
            let end = i + chars[i..]
                .iter()
                .position(|&x| x == ')')
                .expect("closing )");
            let args: String = chars[i + 1..end].iter().collect();
            let field = last_field.clone().unwrap_or(Value::Null);
            // Argument names: the words before a top-level `:` (not those inside `{…}`).
            let mut depth = 0;
            let mut word = String::new();
            for ch in args.chars() {
                match ch {
                    '{' | '[' => depth += 1,
                    '}' | ']' => depth -= 1,
                    ':' if depth == 0 => {
                        let name = word.trim().to_string();
                        let known = field["args"]
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x["name"] == name.as_str()));
                        if !known {
                            problems.push(format!("{}({name}:) is not an argument", field["name"]));
                        }
                        word.clear();
                    }
                    ',' if depth == 0 => word.clear(),
                    c if depth == 0 => word.push(c),
                    _ => {}
                }
            }
            i = end + 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            match field_of(&current, &name) {
                Some(f) => last_field = Some(f),
                None => {
                    problems.push(format!("{current}.{name} does not exist"));
                    last_field = None;
                }
            }
        } else {
            i += 1;
        }
    }
    problems
}

#[test]
fn the_history_query_uses_only_fields_and_arguments_of_githubs_schema() {
    let schema = schema();
    assert_eq!(check(&schema, HISTORY_QUERY), Vec::<String>::new());
    // The check can fail: a misspelt field and an unknown argument are caught.
    let bad = HISTORY_QUERY
        .replace("commitOid", "commitSha")
        .replace("orderBy:", "sortBy:");
    let problems = check(&schema, &bad);
    assert!(
        problems.iter().any(|p| p.contains("Deployment.commitSha")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("(sortBy:)")),
        "{problems:?}"
    );
    // The enum values the query names are the schema's.
    let enum_values = |name: &str| -> Vec<String> {
        schema["types"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["name"] == name))
            .and_then(|t| t["enumValues"].as_array())
            .map(|v| {
                v.iter()
                    .filter_map(|e| e["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(enum_values("DeploymentOrderField").contains(&"CREATED_AT".to_string()));
    assert!(enum_values("OrderDirection").contains(&"DESC".to_string()));
    assert!(enum_values("DeploymentStatusState").contains(&"SUCCESS".to_string()));
}
