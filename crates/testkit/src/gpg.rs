//! GnuPG for tests: throwaway keyrings and keys, and `gpg --verify` with a public key alone.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use tempfile::TempDir;

pub const PASSPHRASE: &str = "correct horse battery staple";

/// A throwaway key, exported: the armored secret and public keys and the fingerprint.
pub struct TestKey {
    pub secret: String,
    pub public: String,
    pub fingerprint: String,
}

/// Runs gpg on `home` with `input` on stdin.
fn gpg(home: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new("gpg")
        .arg("--homedir")
        .arg(home)
        .args(["--batch", "--pinentry-mode", "loopback"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gpg runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input");
    child.wait_with_output().expect("gpg ends")
}

/// A keyring home for the test's own gpg calls; its agent is stopped when the test ends.
pub struct Home(TempDir);

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    pub fn new() -> Self {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new().expect("temp");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("0700");
        Home(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    pub fn gpg(&self, args: &[&str], input: &str) -> Output {
        gpg(self.0.path(), args, input)
    }

    /// Makes an ed25519 signing key; `extra` goes before `--quick-gen-key` (a faked clock).
    pub fn generate(&self, user: &str, extra: &[&str]) -> String {
        let mut args = vec!["--passphrase", PASSPHRASE];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--quick-gen-key", user, "ed25519", "sign", "1d"]);
        let made = self.gpg(&args, "");
        assert!(made.status.success(), "{made:?}");
        let listed = self.gpg(&["--with-colons", "--list-keys", user], "");
        let listing = String::from_utf8(listed.stdout).expect("utf-8");
        let fpr = listing
            .lines()
            .find(|l| l.starts_with("fpr:"))
            .expect("a fingerprint");
        fpr.split(':').nth(9).expect("field 10").to_string()
    }

    pub fn export(&self, fingerprints: &[&str]) -> TestKey {
        let mut secret = vec![
            "--passphrase",
            PASSPHRASE,
            "--armor",
            "--export-secret-keys",
        ];
        secret.extend_from_slice(fingerprints);
        let mut public = vec!["--armor", "--export"];
        public.extend_from_slice(fingerprints);
        let text = |output: Output| String::from_utf8(output.stdout).expect("armored");
        TestKey {
            secret: text(self.gpg(&secret, "")),
            public: text(self.gpg(&public, "")),
            fingerprint: fingerprints[0].to_string(),
        }
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.0.path())
            .args(["--kill", "gpg-agent"])
            .status();
    }
}

/// One throwaway key (ed25519, passphrase [`PASSPHRASE`]) for the whole test binary.
pub fn test_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let home = Home::new();
        let fingerprint = home.generate("Test <t@example.invalid>", &[]);
        home.export(&[&fingerprint])
    })
}

/// Whether `gpg --verify` accepts `signature` over `file` with only the public key.
pub fn verifies(public_key: &str, signature: &Path, file: &Path) -> bool {
    let home = Home::new();
    assert!(home.gpg(&["--import"], public_key).status.success());
    let signature = signature.to_str().expect("utf-8");
    let file = file.to_str().expect("utf-8");
    home.gpg(&["--verify", signature, file], "")
        .status
        .success()
}
