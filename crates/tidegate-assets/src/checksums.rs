//! Checksum files in the format `sha256sum` and `sha512sum` write and `-c` reads:
//! `<hex>  <name>\n` per file, sorted by name.

use std::collections::BTreeSet;

use crate::{Error, Result, shown};

/// The name of the checksum list attached to a release.
pub const SHA256SUMS: &str = "SHA256SUMS";

/// A `SHA256SUMS` file's text for `(name, sha256 hex)` pairs, sorted by name.
pub fn sha256sums<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut entries: Vec<_> = entries.into_iter().collect();
    entries.sort();
    entries
        .into_iter()
        .map(|(name, sha256)| format!("{sha256}  {name}\n"))
        .collect()
}

/// A `NAME.sha512` file's text: one line, as `sha512sum NAME` prints it (Apache's convention).
pub fn sha512_file(name: &str, sha512: &str) -> String {
    format!("{sha512}  {name}\n")
}

/// One line of a checksum file: a file name and its digest in lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumEntry {
    pub name: String,
    pub digest: String,
}

/// The entries of a `SHA256SUMS` file (`file` names it in errors). Refused, with the line number:
/// a line that is not `<64 hex digits>  <name>` (or ` *<name>`, sha256sum's binary mode), a name
/// with a folder, a name listed twice; and a file with no entry. Blank lines and Windows line
/// ends are read as `sha256sum -c` reads them.
pub fn parse_sha256sums(file: &str, text: &str) -> Result<Vec<ChecksumEntry>> {
    parse(file, text, 64)
}

/// The entries of a `NAME.sha512` file, as [`parse_sha256sums`] with 128 hex digits.
pub fn parse_sha512sums(file: &str, text: &str) -> Result<Vec<ChecksumEntry>> {
    parse(file, text, 128)
}

fn parse(file: &str, text: &str, digits: usize) -> Result<Vec<ChecksumEntry>> {
    let refuse = |line: usize, problem: &str| Error::ChecksumLine {
        file: shown(file),
        line,
        digits,
        problem: problem.to_string(),
    };
    let mut entries = Vec::new();
    let mut names = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        // As `sha256sum -c`: blank lines and Windows line ends are fine.
        if line.is_empty() {
            continue;
        }
        if line.len() < digits {
            return Err(refuse(number, "it is too short"));
        }
        let Some((digest, rest)) = line.split_at_checked(digits) else {
            return Err(refuse(number, "the digest is not hexadecimal"));
        };
        if !digest.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(refuse(number, "the digest is not hexadecimal"));
        }
        let Some(name) = rest.strip_prefix("  ").or_else(|| rest.strip_prefix(" *")) else {
            return Err(refuse(number, "the digest is not followed by two spaces"));
        };
        if name.is_empty() {
            return Err(refuse(number, "the name is missing"));
        }
        if name.contains('/') || name.contains('\\') {
            return Err(refuse(number, "the name holds a folder or an escape"));
        }
        if !names.insert(name.to_string()) {
            return Err(refuse(
                number,
                &format!("`{}` is listed twice", shown(name)),
            ));
        }
        entries.push(ChecksumEntry {
            name: name.to_string(),
            digest: digest.to_ascii_lowercase(),
        });
    }
    if entries.is_empty() {
        return Err(refuse(1, "the file is empty"));
    }
    Ok(entries)
}
