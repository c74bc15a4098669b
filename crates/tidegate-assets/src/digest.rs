//! SHA-256 and SHA-512 of a file in one streamed pass: assets can be hundreds of megabytes.

use std::io::Read;
use std::path::Path;

use ring::digest::{Context, SHA256, SHA512};

use crate::{Error, Result, shown_path};

/// What a downloader checks a file against: its size and digests, in lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    pub size: u64,
    pub sha256: String,
    pub sha512: String,
}

/// The digests of the file at `path`, read once in 64 KiB pieces.
pub fn digest_file(path: &Path) -> Result<Digests> {
    let failed = |source| Error::Read {
        path: shown_path(path),
        source,
    };
    let file = std::fs::File::open(path).map_err(failed)?;
    digest_reader(file).map_err(failed)
}

/// The digests of everything `reader` gives, without holding more than one piece in memory.
pub fn digest_reader(mut reader: impl Read) -> std::io::Result<Digests> {
    let mut sha256 = Context::new(&SHA256);
    let mut sha512 = Context::new(&SHA512);
    let mut size = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let piece = &buffer[..read];
        sha256.update(piece);
        sha512.update(piece);
        size += read as u64;
    }
    Ok(Digests {
        size,
        sha256: hex(sha256.finish().as_ref()),
        sha512: hex(sha512.finish().as_ref()),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
