//! The bad-input table's assertion (reliability area, issue 18): README, "Exit codes and errors".

use crate::Run;

impl Run {
    /// Asserts the refusal of a bad input: exit `code`, stderr exactly one `error:` line holding
    /// every one of `words`, no panic and no backtrace (the binaries run with RUST_BACKTRACE=1).
    pub fn refused(&self, code: i32, words: &[&str]) {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr: {}", self.stderr);
        assert!(lines[0].starts_with("error: "), "{}", self.stderr);
        for word in words {
            assert!(lines[0].contains(word), "`{word}` not in {}", lines[0]);
        }
        assert!(!self.stderr.contains("panicked") && !self.stderr.contains("backtrace"));
    }
}
