//! Every process example is pinned the way the README recommends and keeps inputs out of scripts.

use action_runner::{Workflow, workspace_root};

const PLACEHOLDER: &str = "0000000000000000000000000000000000000000";

fn example_workflows() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for process in std::fs::read_dir(workspace_root().join("examples"))
        .expect("examples/")
        .flatten()
    {
        let dir = process.path().join("workflows");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "yml")),
            );
        }
    }
    files.sort();
    files
}

#[test]
fn every_action_is_pinned_to_a_full_sha_with_its_version_in_a_comment() {
    let files = example_workflows();
    let processes: std::collections::BTreeSet<_> = files
        .iter()
        .filter_map(|f| f.parent()?.parent()?.file_name())
        .collect();
    assert_eq!(
        processes.len(),
        5,
        "the five processes' examples: {processes:?}"
    );
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        for line in text.lines() {
            let Some(uses) = line
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses:")
            else {
                continue;
            };
            let (target, comment) = uses.split_once('#').unwrap_or((uses, ""));
            let target = target.trim();
            if target.starts_with("./") {
                continue;
            }
            let (name, sha) = target.split_once('@').unwrap_or((target, ""));
            let name_of = file.display();
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{name_of}: `{target}` is not pinned to a full commit SHA"
            );
            assert!(
                comment.trim().starts_with('v'),
                "{name_of}: `{target}` has no `# vX.Y.Z` comment naming its release"
            );
            if name.starts_with("tidegate/tidegate/") {
                assert_eq!(
                    (sha, comment.trim()),
                    (PLACEHOLDER, "v0.1.0"),
                    "{name_of}: Tidegate's actions are pinned as examples/README.md says"
                );
            }
        }
    }
}

#[test]
fn no_expression_reaches_a_script_and_every_workflow_loads() {
    for file in example_workflows() {
        let workflow = Workflow::load(&file).expect("the workflow loads");
        assert!(!workflow.jobs.is_empty(), "{}", file.display());
        for job in &workflow.jobs {
            for step in &job.steps {
                if let Some(script) = &step.run {
                    assert!(
                        !script.contains("${{"),
                        "{} job {}: an expression inside a run: script (pass it through env:)",
                        file.display(),
                        job.id
                    );
                }
            }
        }
    }
}
