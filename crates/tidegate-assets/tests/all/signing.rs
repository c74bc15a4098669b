use tempfile::TempDir;
use tidegate_assets::{AssetKind, Error, Gpg, Keyring, collect, prepare};

use crate::{run_in, strings, write};

use testkit::gpg::{Home, PASSPHRASE, test_key as key, verifies};

fn import_test_key() -> Keyring {
    Keyring::import(&key().secret, PASSPHRASE).expect("imports")
}

#[test]
fn signatures_verify_with_the_public_key_and_fail_after_the_file_changes() {
    let dir = TempDir::new().expect("temp");
    write(dir.path(), "dist/app.tar.gz", "the release");
    write(dir.path(), "dist/NOTICE.txt", "notice");
    let dist = dir.path().join("dist");
    let files = collect(dir.path(), &strings(&["dist/*"])).expect("collects");
    let keyring = import_test_key();
    assert_eq!(keyring.fingerprint(), key().fingerprint);

    let assets = prepare(&files, &dist, Some(&keyring)).expect("prepares");

    let signatures: Vec<(&str, &AssetKind)> = assets
        .iter()
        .filter(|a| matches!(a.kind, AssetKind::Signature { .. }))
        .map(|a| (a.name.as_str(), &a.kind))
        .collect();
    let of = |name: &str| AssetKind::Signature {
        of: name.to_string(),
    };
    assert_eq!(
        signatures,
        [
            ("NOTICE.txt.asc", &of("NOTICE.txt")),
            ("SHA256SUMS.asc", &of("SHA256SUMS")),
            ("app.tar.gz.asc", &of("app.tar.gz")),
        ]
    );
    for (signed, _) in &signatures {
        let signature = dist.join(signed);
        let text = std::fs::read_to_string(&signature).expect("written");
        assert!(
            text.starts_with("-----BEGIN PGP SIGNATURE-----"),
            "armored: {text}"
        );
        let file = dist.join(signed.trim_end_matches(".asc"));
        assert!(verifies(&key().public, &signature, &file), "{signed}");
    }
    assert!(
        run_in(&dist, "sha256sum", &["--strict", "-c", "SHA256SUMS"])
            .status
            .success()
    );

    write(dir.path(), "dist/app.tar.gz", "a changed release");
    assert!(!verifies(
        &key().public,
        &dist.join("app.tar.gz.asc"),
        &dist.join("app.tar.gz")
    ));
}

#[test]
fn the_keyring_is_private_while_used_and_removed_after_success_and_after_errors() {
    use std::os::unix::fs::PermissionsExt;
    let parent = TempDir::new().expect("temp");
    let gpg = Gpg::default().temp_in(parent.path());

    let keyring = gpg.import(&key().secret, PASSPHRASE).expect("imports");
    let mode = std::fs::metadata(keyring.home())
        .expect("exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(keyring.home().starts_with(parent.path()));
    drop(keyring);
    let left = |dir: &TempDir| std::fs::read_dir(dir.path()).expect("lists").count();
    assert_eq!(left(&parent), 0, "removed on drop");

    gpg.import("garbage", PASSPHRASE)
        .expect_err("does not import");
    gpg.import(&key().secret, "wrong")
        .expect_err("wrong passphrase");
    assert_eq!(left(&parent), 0, "removed after errors");
}

#[test]
fn a_wrong_passphrase_is_refused_at_import_without_showing_it() {
    let secret_word = "hunter2-is-not-it";

    let error = Keyring::import(&key().secret, secret_word).expect_err("refused");

    assert!(matches!(error, Error::BadPassphrase { .. }), "{error:?}");
    let message = error.to_string();
    assert_eq!(
        message,
        format!(
            "the signing passphrase does not unlock key {}; check the secret named by --signing-passphrase-env",
            key().fingerprint
        )
    );
    assert!(!message.contains(secret_word) && !format!("{error:?}").contains(secret_word));
    let with_newline = Keyring::import(&key().secret, &format!("{PASSPHRASE}\n"));
    assert!(
        with_newline.is_ok(),
        "a secret stored with a final newline still unlocks"
    );
}

#[test]
fn data_that_is_not_a_key_is_refused_with_gpgs_reason() {
    let error =
        Keyring::import("-----BEGIN NOTHING-----\nnot a key\n", PASSPHRASE).expect_err("refused");

    assert_eq!(
        error.to_string(),
        "the signing key does not import (no valid OpenPGP data found.); give the ASCII-armored secret key, as `gpg --armor --export-secret-keys KEYID` writes it"
    );
}

#[test]
fn a_public_key_alone_is_refused() {
    let error = Keyring::import(&key().public, PASSPHRASE).expect_err("refused");

    assert!(matches!(error, Error::NoSecretKey), "{error:?}");
}

#[test]
fn several_secret_keys_are_refused_with_their_fingerprints() {
    let home = Home::new();
    let first = home.generate("One <one@example.invalid>", &[]);
    let second = home.generate("Two <two@example.invalid>", &[]);
    let both = home.export(&[&first, &second]);

    let error = Keyring::import(&both.secret, PASSPHRASE).expect_err("refused");

    let message = error.to_string();
    assert!(
        message.starts_with("the signing key holds 2 secret keys ("),
        "{message}"
    );
    assert!(
        message.contains(&first) && message.contains(&second),
        "{message}"
    );
}

#[test]
fn an_expired_key_is_refused() {
    let home = Home::new();
    // Made in 2020, valid one day.
    let old = home.generate(
        "Old <old@example.invalid>",
        &["--faked-system-time", "20200101T000000"],
    );
    let exported = home.export(&[&old]);

    let error = Keyring::import(&exported.secret, PASSPHRASE).expect_err("refused");

    assert_eq!(
        error.to_string(),
        format!(
            "the signing key {old} is expired; extend it (`gpg --quick-set-expire`) and export it again, or sign with another key"
        )
    );
}

#[test]
fn a_revoked_key_is_refused() {
    let home = Home::new();
    let fingerprint = home.generate("Revoked <r@example.invalid>", &[]);
    // gpg keeps a revocation certificate, guarded by a leading colon, for every key it makes.
    let certificate = home
        .path()
        .join(format!("openpgp-revocs.d/{fingerprint}.rev"));
    let certificate = std::fs::read_to_string(certificate).expect("certificate");
    let armed = certificate.replace(":-----BEGIN", "-----BEGIN");
    assert!(home.gpg(&["--import"], &armed).status.success());
    let exported = home.export(&[&fingerprint]);

    let error = Keyring::import(&exported.secret, PASSPHRASE).expect_err("refused");

    assert_eq!(
        error.to_string(),
        format!("the signing key {fingerprint} is revoked; sign with another key")
    );
}

#[test]
fn gpg_missing_from_path_is_a_clear_error() {
    let error = Gpg::new("/nonexistent/bin/gpg")
        .import(&key().secret, PASSPHRASE)
        .expect_err("refused");

    assert_eq!(
        error.to_string(),
        "gpg (GnuPG) is not on PATH; install GnuPG (GitHub-hosted runners have it)"
    );
}

#[test]
fn the_key_is_found_in_a_keys_file_by_fingerprint() {
    let keyring = import_test_key();
    let other = Home::new();
    let other_fingerprint = other.generate("Other <o@example.invalid>", &[]);
    let other_key = other.export(&[&other_fingerprint]);
    let keys = |public_keys: &[&str]| {
        let mut text = String::from("This file contains the PGP keys of the release managers.\n\n");
        for key in public_keys {
            text.push_str("pub   ed25519 2026-01-01 [SC]\nuid   Someone\n\n");
            text.push_str(key);
            text.push('\n');
        }
        text
    };

    assert!(
        keyring
            .key_in_keys_file(&keys(&[&other_key.public, &key().public]))
            .expect("reads")
    );
    assert!(
        !keyring
            .key_in_keys_file(&keys(&[&other_key.public]))
            .expect("reads")
    );
    // The fingerprint written as text is not a key.
    let text_only = format!("{}\n", key().fingerprint);
    let error = keyring
        .key_in_keys_file(&text_only)
        .expect_err("no key in it");
    assert_eq!(
        error.to_string(),
        "the KEYS file holds no public key (no valid OpenPGP data found.); give an Apache-style KEYS file"
    );
}

#[test]
fn secrets_reach_gpg_on_stdin_only_never_in_its_arguments_or_environment() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().expect("temp");
    let log = dir.path().join("calls.log");
    // A stand-in gpg that logs its arguments and environment, and answers like gpg.
    let script = format!(
        r#"#!/bin/bash
{{ echo "ARGS: $*"; env | sed 's/^/ENV: /'; }} >> '{log}'
case " $* " in
  *" --import "*) cat > /dev/null ;;
  *" --list-secret-keys "*)
    echo "sec:u:255:22:AAAAAAAAAAAAAAAA:1:::-:::scSC:::+::ed25519:::0:"
    echo "fpr:::::::::AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA:" ;;
  *" --detach-sign "*)
    read -r line
    [ "$line" = '{PASSPHRASE}' ] && echo "STDIN: the passphrase" >> '{log}'
    echo "-----BEGIN PGP SIGNATURE-----" ;;
esac
"#,
        log = log.display()
    );
    let program = dir.path().join("gpg");
    std::fs::write(&program, script).expect("script");
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let secret_key = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nSECRETKEYMATERIAL\n";

    let keyring = Gpg::new(&program)
        .import(secret_key, PASSPHRASE)
        .expect("imports");
    keyring.sign_detached(&program, dir.path()).expect("signs");

    let log = std::fs::read_to_string(&log).expect("logged");
    assert_eq!(
        log.matches("STDIN: the passphrase").count(),
        2,
        "the check and the signature: {log}"
    );
    assert!(
        log.contains("--passphrase-fd 0") && log.contains("--pinentry-mode loopback"),
        "{log}"
    );
    let seen_by_gpg = log.replace("STDIN: the passphrase", "");
    assert!(!seen_by_gpg.contains(PASSPHRASE), "{log}");
    assert!(!seen_by_gpg.contains("SECRETKEYMATERIAL"), "{log}");
    let variables: Vec<&str> = log
        .lines()
        .filter_map(|line| line.strip_prefix("ENV: "))
        .filter_map(|line| line.split('=').next())
        .filter(|name| !["PWD", "SHLVL", "_", "OLDPWD"].contains(name))
        .collect();
    assert!(
        variables
            .iter()
            .all(|name| *name == "PATH" || *name == "LC_ALL"),
        "gpg inherits nothing else (not HOME, not the secrets' variables): {variables:?}"
    );
}

#[test]
fn a_promoted_candidates_assets_still_verify_under_their_final_names() {
    use tidegate_assets::{PromotionAction, promote_checksum_file, promotion_plan};
    let dir = TempDir::new().expect("temp");
    write(
        dir.path(),
        "candidate/app-1.4.0-rc.2-linux.tar.gz",
        "the voted bits",
    );
    write(dir.path(), "candidate/NOTICE.txt", "notice");
    let candidate = dir.path().join("candidate");
    let files = collect(dir.path(), &strings(&["candidate/*"])).expect("collects");
    let keyring = import_test_key();
    let names: Vec<String> = prepare(&files, &candidate, Some(&keyring))
        .expect("prepares")
        .into_iter()
        .map(|asset| asset.name)
        .collect();
    let promoted = dir.path().join("final");
    std::fs::create_dir(&promoted).expect("final");

    let plan = promotion_plan(&names, "v1.4.0-rc.2", "v1.4.0", true).expect("plans");
    // What the caller does with the plan: copy, rewrite, then sign what was rewritten.
    for step in &plan {
        let from = candidate.join(&step.candidate_name);
        let to = promoted.join(&step.final_name);
        match step.action {
            PromotionAction::Reuse => {
                std::fs::copy(&from, &to).expect("copy");
            }
            PromotionAction::Regenerate => {
                let text = std::fs::read_to_string(&from).expect("read");
                let rewritten =
                    promote_checksum_file(&step.candidate_name, &text, "1.4.0-rc.2", "1.4.0")
                        .expect("rewrites");
                std::fs::write(&to, rewritten).expect("write");
            }
            PromotionAction::Resign => {}
        }
    }
    for step in &plan {
        if step.action == PromotionAction::Resign {
            let signed = promoted.join(step.final_name.trim_end_matches(".asc"));
            keyring.sign_detached(&signed, &promoted).expect("signs");
        }
    }

    let mut listed: Vec<String> = std::fs::read_dir(&promoted)
        .expect("lists")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            "NOTICE.txt",
            "NOTICE.txt.asc",
            "NOTICE.txt.sha512",
            "SHA256SUMS",
            "SHA256SUMS.asc",
            "app-1.4.0-linux.tar.gz",
            "app-1.4.0-linux.tar.gz.asc",
            "app-1.4.0-linux.tar.gz.sha512",
        ]
    );
    assert!(
        run_in(&promoted, "sha256sum", &["--strict", "-c", "SHA256SUMS"])
            .status
            .success()
    );
    for sha512 in ["NOTICE.txt.sha512", "app-1.4.0-linux.tar.gz.sha512"] {
        assert!(
            run_in(&promoted, "sha512sum", &["--strict", "-c", sha512])
                .status
                .success(),
            "{sha512}"
        );
    }
    for signed in ["NOTICE.txt", "SHA256SUMS", "app-1.4.0-linux.tar.gz"] {
        let signature = promoted.join(format!("{signed}.asc"));
        assert!(
            verifies(&key().public, &signature, &promoted.join(signed)),
            "{signed}"
        );
    }
}

#[test]
fn an_earlier_signature_by_the_key_verifies_and_one_of_other_bytes_does_not() {
    let dir = TempDir::new().expect("temp");
    write(dir.path(), "app.tar.gz", "the release");
    write(dir.path(), "other.tar.gz", "not the release");
    let keyring = import_test_key();
    let first = keyring
        .sign_detached(&dir.path().join("app.tar.gz"), dir.path())
        .expect("signs");
    // Another run's keyring (a rerun) accepts the first run's signature.
    let rerun = import_test_key();
    assert!(
        rerun
            .verifies(&first, &dir.path().join("app.tar.gz"))
            .expect("gpg")
    );
    assert!(
        !rerun
            .verifies(&first, &dir.path().join("other.tar.gz"))
            .expect("gpg")
    );
}
