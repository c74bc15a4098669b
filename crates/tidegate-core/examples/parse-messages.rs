//! Reads `git log --format=%H%x00%B%x01` from stdin and prints, one JSON line per commit, the
//! changes `tidegate_core::conventional` reads in each message: the input of `bench/compat-parse.sh`,
//! which holds the reading to release-please's own parser on real histories.

use std::io::Read;

fn main() {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("error: cannot read stdin: {e}");
        std::process::exit(2);
    }
    for record in input.split('\u{1}') {
        let record = record.strip_prefix('\n').unwrap_or(record);
        let Some((sha, message)) = record.split_once('\0') else {
            continue;
        };
        let message = message.strip_suffix('\n').unwrap_or(message);
        let changes: Vec<serde_json::Value> =
            tidegate_core::conventional::parse_commit_message(message)
                .into_iter()
                .map(|p| {
                    serde_json::json!({
                        "type": p.kind,
                        "scope": p.scope,
                        "subject": p.subject,
                        "breaking": p.breaking_note.is_some(),
                        "notes": p.breaking_note.into_iter().collect::<Vec<_>>(),
                        "refs": p.references,
                    })
                })
                .collect();
        println!("{}", serde_json::json!({"sha": sha, "changes": changes}));
    }
}
