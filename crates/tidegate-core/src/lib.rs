//! Tidegate's pure release logic: commit messages, tags, versions and configuration in; versions,
//! release notes and plans out. No I/O happens here.

pub mod changelog;
pub mod commit;
pub mod config;
pub mod conventional;
pub mod links;
pub mod markdown;
pub mod plan;
pub mod promotion;
pub mod release;
pub mod release_line;
pub mod release_pr;
pub mod river;
pub mod tag;
pub mod template;
pub mod version;
pub mod versionfile;

/// A request that cannot be carried out as asked: the user must change the arguments.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The `n` items most like `wanted`, best first (ties in the given order): each item is scored by
/// the closest of its names (Jaro–Winkler), for "did you mean" lists in error messages.
pub fn nearest<'a, T>(
    wanted: &str,
    items: impl IntoIterator<Item = (T, Vec<&'a str>)>,
    n: usize,
) -> Vec<T> {
    let mut scored: Vec<(f64, T)> = items
        .into_iter()
        .map(|(item, names)| {
            let score = names
                .iter()
                .map(|name| strsim::jaro_winkler(wanted, name))
                .fold(0.0, f64::max);
            (score, item)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(n).map(|(_, item)| item).collect()
}
