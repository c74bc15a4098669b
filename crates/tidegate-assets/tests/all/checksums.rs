use std::io::Write;

use tempfile::TempDir;
use tidegate_assets::{
    AssetKind, ChecksumEntry, collect, digest_file, parse_sha256sums, parse_sha512sums, prepare,
};

use crate::{run_in, strings, write};

#[test]
fn checksum_files_pass_sha256sum_and_sha512sum_and_fail_after_a_file_changes() {
    let dir = TempDir::new().expect("temp");
    write(dir.path(), "dist/app-linux.tar.gz", "linux bytes");
    write(dir.path(), "dist/app-macos.zip", "macos bytes");
    let dist = dir.path().join("dist");
    let files = collect(dir.path(), &strings(&["dist/*"])).expect("collects");

    let assets = prepare(&files, &dist, None).expect("prepares");

    let names: Vec<(&str, &AssetKind)> =
        assets.iter().map(|a| (a.name.as_str(), &a.kind)).collect();
    let sha512_of = |of: &str| AssetKind::Sha512 { of: of.to_string() };
    assert_eq!(
        names,
        [
            ("SHA256SUMS", &AssetKind::Sha256Sums),
            ("app-linux.tar.gz", &AssetKind::File),
            ("app-linux.tar.gz.sha512", &sha512_of("app-linux.tar.gz")),
            ("app-macos.zip", &AssetKind::File),
            ("app-macos.zip.sha512", &sha512_of("app-macos.zip")),
        ]
    );
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).expect("written");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dist.join("SHA256SUMS"))
            .expect("written")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o644, "public, like the files it lists");
    let lines: Vec<&str> = sums.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].ends_with("  app-linux.tar.gz"),
        "sorted by name: {sums}"
    );
    for asset in &assets {
        assert_eq!(
            asset.digests,
            digest_file(&asset.path).expect("digest"),
            "{}",
            asset.name
        );
    }
    for check in [
        ("sha256sum", "SHA256SUMS"),
        ("sha512sum", "app-linux.tar.gz.sha512"),
        ("sha512sum", "app-macos.zip.sha512"),
    ] {
        let output = run_in(&dist, check.0, &["--strict", "-c", check.1]);
        assert!(output.status.success(), "{check:?}: {output:?}");
    }

    write(dir.path(), "dist/app-macos.zip", "changed bytes");
    assert!(
        !run_in(&dist, "sha256sum", &["-c", "SHA256SUMS"])
            .status
            .success()
    );
    assert!(
        !run_in(&dist, "sha512sum", &["-c", "app-macos.zip.sha512"])
            .status
            .success()
    );
    assert!(
        run_in(&dist, "sha512sum", &["-c", "app-linux.tar.gz.sha512"])
            .status
            .success()
    );
}

#[test]
fn a_fifty_megabyte_file_has_the_digests_sha256sum_and_sha512sum_print() {
    let dir = TempDir::new().expect("temp");
    let path = dir.path().join("big.bin");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    // Not a multiple of the read size, and not one repeated byte.
    let size = 50 * 1024 * 1024 + 12_345;
    for i in 0..size {
        file.write_all(&[(i % 251) as u8]).expect("write");
    }
    file.flush().expect("flush");
    drop(file);

    let digests = digest_file(&path).expect("digests");

    let printed = |program: &str| {
        let output = run_in(dir.path(), program, &["big.bin"]);
        let text = String::from_utf8(output.stdout).expect("utf-8");
        text.split_whitespace()
            .next()
            .expect("a digest")
            .to_string()
    };
    assert_eq!(digests.size, size as u64);
    assert_eq!(digests.sha256, printed("sha256sum"));
    assert_eq!(digests.sha512, printed("sha512sum"));
}

#[test]
fn the_parser_reads_what_sha256sum_writes() {
    let dir = TempDir::new().expect("temp");
    write(dir.path(), "b.zip", "b");
    write(dir.path(), "a.tar.gz", "a");
    let output = run_in(dir.path(), "sha256sum", &["b.zip", "a.tar.gz"]);
    let text = String::from_utf8(output.stdout).expect("utf-8");

    let entries = parse_sha256sums("SHA256SUMS", &text).expect("parses");

    let expected = |name: &str| ChecksumEntry {
        name: name.to_string(),
        digest: digest_file(&dir.path().join(name)).expect("digest").sha256,
    };
    assert_eq!(entries, [expected("b.zip"), expected("a.tar.gz")]);
    let binary_mode = text
        .replace("  a.tar.gz", " *a.tar.gz")
        .to_uppercase()
        .replace("B.ZIP", "b.zip");
    let entries =
        parse_sha256sums("SHA256SUMS", &binary_mode).expect("binary mode and uppercase hex");
    assert_eq!(entries[1].name, "A.TAR.GZ");
    assert_eq!(entries[1].digest, expected("a.tar.gz").digest);
}

#[test]
fn malformed_checksum_lines_are_refused_with_their_line_number() {
    let good = format!("{}  app.zip\n", "a".repeat(64));
    for (text, expected) in [
        (
            format!("{good}{}  app.zip\n", "b".repeat(64)),
            "SHA256SUMS line 2: `app.zip` is listed twice",
        ),
        (
            format!("{good}{}  x\n", "g".repeat(64)),
            "line 2: the digest is not hexadecimal",
        ),
        (format!("{good}abc  app.zip\n"), "line 2: it is too short"),
        (
            format!("{} app.zip\n", "a".repeat(64)),
            "line 1: the digest is not followed by two spaces",
        ),
        (
            format!("{}  dist/app.zip\n", "a".repeat(64)),
            "line 1: the name holds a folder",
        ),
        (
            format!("{}  \n", "a".repeat(64)),
            "line 1: the name is missing",
        ),
        (format!("{good}\nshort\n"), "line 3: it is too short"),
        (
            format!("{}é  app.zip\n", "a".repeat(63)),
            "line 1: the digest is not hexadecimal",
        ),
        (String::new(), "line 1: the file is empty"),
        ("\n\n".to_string(), "line 1: the file is empty"),
    ] {
        let error = parse_sha256sums("SHA256SUMS", &text).expect_err(&text);
        let message = error.to_string();
        assert!(message.contains(expected), "{text:?}: {message}");
        assert!(
            message.ends_with("each line must be `<64 hex digits>  <name>`"),
            "{message}"
        );
    }
    let windows = format!("{good}\r\n\r\n{}  b.zip\r\n", "b".repeat(64));
    let entries = parse_sha256sums("SHA256SUMS", &windows).expect("read as sha256sum reads it");
    assert_eq!(entries[1].name, "b.zip");

    let sha512_line = format!("{}  app.zip\n", "a".repeat(64));
    let error =
        parse_sha512sums("app.zip.sha512", &sha512_line).expect_err("a SHA-256 is too short");
    assert!(
        error.to_string().starts_with("app.zip.sha512 line 1: "),
        "{error}"
    );
}
