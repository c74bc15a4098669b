//! The local side of release assets, against real files in temporary directories and the real
//! `gpg`, `sha256sum` and `sha512sum` commands.

mod checksums;
mod collect;
mod promotion;
mod signing;

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Writes `contents` to `dir/relative`, creating the folders on the way.
fn write(dir: &Path, relative: &str, contents: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("folders");
    std::fs::write(path, contents).expect("write");
}

/// Runs `program` in `dir` and returns its output.
fn run_in(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("runs")
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}
