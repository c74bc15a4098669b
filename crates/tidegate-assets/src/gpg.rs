//! Detached signatures with GnuPG's `gpg` command, from a key imported into a temporary keyring.
//!
//! Secret material reaches gpg through its standard input only: the armored key on `--import`,
//! the passphrase on `--passphrase-fd 0` with `--pinentry-mode loopback`. Neither is on a command
//! line, in a file, or in gpg's environment (gpg runs with a cleared environment, so the variables
//! the secrets came from are not inherited), and no error message repeats them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::{Error, Result, shown, shown_path, write_whole};

/// Where `gpg` is and where its temporary keyrings go (the system's temporary directory unless
/// told, e.g. `$RUNNER_TEMP` on Actions).
#[derive(Debug, Clone)]
pub struct Gpg {
    program: PathBuf,
    temp_parent: PathBuf,
}

impl Default for Gpg {
    fn default() -> Self {
        Gpg {
            program: PathBuf::from("gpg"),
            temp_parent: std::env::temp_dir(),
        }
    }
}

impl Gpg {
    /// `gpg` as `program` (a path, or a name looked up on PATH).
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Gpg {
            program: program.into(),
            ..Gpg::default()
        }
    }

    /// Temporary keyrings made inside `parent` instead of the system's temporary directory.
    pub fn temp_in(mut self, parent: impl Into<PathBuf>) -> Self {
        self.temp_parent = parent.into();
        self
    }

    /// Imports `armored_key` into a new temporary keyring and checks it can sign with
    /// `passphrase` (a test signature), so a wrong passphrase fails before anything is uploaded.
    /// Refused: data that does not import, no secret key, several secret keys (which one to sign
    /// with would be a guess), a revoked or expired key, a key that cannot sign.
    pub fn import(&self, armored_key: &str, passphrase: &str) -> Result<Keyring> {
        let home = GpgHome::new(self)?;
        let imported = home.run(&["--import"], armored_key.as_bytes(), "import the key")?;
        if !imported.status.success() {
            return Err(Error::KeyImport {
                reason: useful_line(&imported),
            });
        }
        let listed = home.run(
            &["--with-colons", "--list-secret-keys"],
            b"",
            "list the imported key",
        )?;
        let keys = primary_keys(&String::from_utf8_lossy(&listed.stdout), "sec");
        let key = match keys.as_slice() {
            [] => return Err(Error::NoSecretKey),
            [key] => key,
            several => {
                let fingerprints: Vec<&str> =
                    several.iter().map(|k| k.fingerprint.as_str()).collect();
                return Err(Error::SeveralSecretKeys {
                    count: several.len(),
                    fingerprints: fingerprints.join(", "),
                });
            }
        };
        key.check_usable()?;
        let keyring = Keyring {
            home,
            fingerprint: key.fingerprint.clone(),
            passphrase: Passphrase::new(passphrase),
        };
        keyring.check_passphrase()?;
        Ok(keyring)
    }
}

/// A temporary keyring holding one secret key that signs; removed (and its gpg-agent stopped)
/// when dropped.
pub struct Keyring {
    home: GpgHome,
    fingerprint: String,
    passphrase: Passphrase,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    /// [`Gpg::import`] with `gpg` from PATH and keyrings in the system's temporary directory.
    pub fn import(armored_key: &str, passphrase: &str) -> Result<Keyring> {
        Gpg::default().import(armored_key, passphrase)
    }

    /// The signing key's fingerprint (the primary key's, 40 uppercase hex digits).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The temporary keyring's directory (mode 0700, removed on drop).
    pub fn home(&self) -> &Path {
        self.home.dir.path()
    }

    /// Writes the ASCII-armored detached signature of `file` to `out_dir/NAME.asc` (NAME being
    /// `file`'s name) and returns that path. The file is written whole or not at all.
    pub fn sign_detached(&self, file: &Path, out_dir: &Path) -> Result<PathBuf> {
        let name = file.file_name().ok_or_else(|| Error::Gpg {
            action: format!("sign {}", shown_path(file)),
            reason: "it is not a file".to_string(),
        })?;
        let mut signature_name = name.to_os_string();
        signature_name.push(".asc");
        let signature_path = out_dir.join(signature_name);
        let signature = self.sign(file, &format!("sign {}", shown_path(file)))?;
        write_whole(&signature_path, &signature)?;
        Ok(signature_path)
    }

    /// Whether `signature` is a good signature of `file` by this very key (a signature made by an
    /// earlier run: its bytes differ, a signature holding its time, but it is as good).
    pub fn verifies(&self, signature: &Path, file: &Path) -> Result<bool> {
        let options = ["--status-fd", "1", "--verify", "--"];
        let mut args: Vec<&std::ffi::OsStr> = options.iter().map(std::ffi::OsStr::new).collect();
        args.push(signature.as_os_str());
        args.push(file.as_os_str());
        let checked = self.home.run(&args, b"", "check a signature")?;
        let status = String::from_utf8_lossy(&checked.stdout);
        Ok(checked.status.success()
            && status.lines().any(|l| {
                l.starts_with("[GNUPG:] VALIDSIG ")
                    && l.split_whitespace().any(|f| f == self.fingerprint)
            }))
    }

    /// Whether this key's fingerprint is among the public keys of an Apache-style `KEYS` file
    /// (text with ASCII-armored public keys), read by gpg into a separate temporary keyring.
    pub fn key_in_keys_file(&self, keys_file_text: &str) -> Result<bool> {
        let keys_home = GpgHome::new(&self.home.gpg)?;
        // No agent is needed for public keys.
        let imported = keys_home.run(
            &["--no-autostart", "--import"],
            keys_file_text.as_bytes(),
            "read the KEYS file",
        )?;
        let listed = keys_home.run(
            &["--no-autostart", "--with-colons", "--list-keys"],
            b"",
            "list the KEYS file's keys",
        )?;
        let keys = primary_keys(&String::from_utf8_lossy(&listed.stdout), "pub");
        if keys.is_empty() {
            return Err(Error::KeysFile {
                reason: useful_line(&imported),
            });
        }
        Ok(keys.iter().any(|key| key.fingerprint == self.fingerprint))
    }

    fn check_passphrase(&self) -> Result<()> {
        let probe = self.home.dir.path().join("passphrase-check");
        write_whole(
            &probe,
            b"Tidegate checks the passphrase before uploading.\n",
        )?;
        self.sign(&probe, "sign with the key").map(|_| ())
    }

    /// The armored detached signature of `file`, made with this key and the passphrase.
    fn sign(&self, file: &Path, action: &str) -> Result<Vec<u8>> {
        let options = [
            "--pinentry-mode",
            "loopback",
            "--passphrase-fd",
            "0",
            "--local-user",
            &self.fingerprint,
            "--armor",
            "--detach-sign",
            "--output",
            "-",
            "--",
        ];
        let mut args: Vec<&std::ffi::OsStr> = options.iter().map(std::ffi::OsStr::new).collect();
        args.push(file.as_os_str());
        let passphrase_line = self.passphrase.line();
        let signed = self.home.run(&args, &passphrase_line, action)?;
        if signed.status.success() && !signed.stdout.is_empty() {
            return Ok(signed.stdout);
        }
        let stderr = String::from_utf8_lossy(&signed.stderr);
        if stderr.contains("Bad passphrase") || stderr.contains("No passphrase") {
            return Err(Error::BadPassphrase {
                fingerprint: self.fingerprint.clone(),
            });
        }
        Err(Error::Gpg {
            action: action.to_string(),
            reason: useful_line(&signed),
        })
    }
}

/// The passphrase as gpg reads it from `--passphrase-fd`: one line. Never shown by `Debug`.
struct Passphrase(String);

impl Passphrase {
    /// A secret stored with a final newline (common when pasted from a file) means the same.
    fn new(passphrase: &str) -> Self {
        Passphrase(passphrase.trim_end_matches(['\n', '\r']).to_string())
    }

    fn line(&self) -> Vec<u8> {
        format!("{}\n", self.0).into_bytes()
    }
}

/// A temporary GNUPGHOME (mode 0700). Dropping it stops the gpg-agent gpg started there and
/// removes the directory, on success and error paths alike.
struct GpgHome {
    dir: tempfile::TempDir,
    gpg: Gpg,
}

impl GpgHome {
    fn new(gpg: &Gpg) -> Result<Self> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("tidegate-gpg-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder
            .tempdir_in(&gpg.temp_parent)
            .map_err(|source| Error::Write {
                path: shown_path(&gpg.temp_parent),
                source,
            })?;
        Ok(GpgHome {
            dir,
            gpg: gpg.clone(),
        })
    }

    /// Runs gpg on this home in batch mode with `input` on its standard input, in a cleared
    /// environment but for PATH and a C locale (its messages are matched in English).
    fn run(
        &self,
        args: &[impl AsRef<std::ffi::OsStr>],
        input: &[u8],
        action: &str,
    ) -> Result<Output> {
        let mut command = Command::new(&self.gpg.program);
        command
            .env_clear()
            .env("LC_ALL", "C")
            .arg("--homedir")
            .arg(self.dir.path())
            .args(["--batch", "--no-tty", "--no-greeting"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        let mut child = command.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::GpgMissing,
            _ => Error::Gpg {
                action: action.to_string(),
                reason: e.to_string(),
            },
        })?;
        let stdin = child.stdin.take();
        // Written from another thread: gpg may fill its output pipes before reading all input.
        let output = std::thread::scope(|scope| {
            if let Some(mut stdin) = stdin {
                // gpg may exit without reading everything (bad data): its error says why.
                scope.spawn(move || stdin.write_all(input));
            }
            child.wait_with_output()
        });
        output.map_err(|e| Error::Gpg {
            action: action.to_string(),
            reason: e.to_string(),
        })
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        // The agent gpg started for this home would otherwise outlive it.
        let gpgconf = self
            .gpg
            .program
            .parent()
            .map(|dir| dir.join("gpgconf"))
            .filter(|path| path.is_file())
            .unwrap_or_else(|| PathBuf::from("gpgconf"));
        let _ = Command::new(gpgconf)
            .arg("--homedir")
            .arg(self.dir.path())
            .args(["--kill", "gpg-agent"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A primary key from gpg's `--with-colons` listing.
struct ListedKey {
    validity: String,
    capabilities: String,
    fingerprint: String,
}

impl ListedKey {
    fn check_usable(&self) -> Result<()> {
        let unusable = |state: &str, what_to_do: &str| Error::KeyUnusable {
            fingerprint: self.fingerprint.clone(),
            state: state.to_string(),
            what_to_do: what_to_do.to_string(),
        };
        match self.validity.as_str() {
            "r" => Err(unusable("revoked", "sign with another key")),
            "e" => Err(unusable(
                "expired",
                "extend it (`gpg --quick-set-expire`) and export it again, or sign with another key",
            )),
            // Uppercase `S`: the key as a whole (primary or a subkey) can sign now.
            _ if !self.capabilities.contains('S') => Err(unusable(
                "not able to sign (no valid signing key or subkey)",
                "add a signing subkey or sign with another key",
            )),
            _ => Ok(()),
        }
    }
}

/// The primary keys (records of `kind`, `sec` or `pub`) of a `--with-colons` listing, each with
/// the fingerprint on the `fpr` record that follows it.
fn primary_keys(listing: &str, kind: &str) -> Vec<ListedKey> {
    let mut keys = Vec::new();
    let mut pending: Option<(String, String)> = None;
    for line in listing.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.first() {
            Some(&record) if record == kind => {
                let field = |i: usize| fields.get(i).copied().unwrap_or_default().to_string();
                pending = Some((field(1), field(11)));
            }
            Some(&"fpr") => {
                if let Some((validity, capabilities)) = pending.take() {
                    keys.push(ListedKey {
                        validity,
                        capabilities,
                        fingerprint: fields.get(9).copied().unwrap_or_default().to_string(),
                    });
                }
            }
            Some(&"sub") | Some(&"ssb") => pending = None,
            _ => {}
        }
    }
    keys
}

/// The one line of gpg's stderr that says what went wrong, without gpg's bookkeeping lines.
fn useful_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .map(|line| line.trim_start_matches("gpg: ").trim())
        .filter(|line| !line.is_empty())
        .collect();
    let telling = [
        "fail", "error", "bad", "invalid", "no valid", "not ", "can't",
    ];
    let chosen = lines
        .iter()
        .rev()
        .find(|line| {
            let lower = line.to_ascii_lowercase();
            telling.iter().any(|word| lower.contains(word))
        })
        .or(lines.last());
    match chosen {
        Some(line) => shown(line),
        None => format!("gpg exited with {}", output.status),
    }
}
