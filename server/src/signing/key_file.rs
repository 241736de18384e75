//! The signing key's file: one line, the private key text, kept outside the database so that a copy
//! of the database cannot sign. It is created owner-only (mode 0600) and never overwritten, but by
//! a rotation, which replaces it whole (a new file renamed over it) so that no moment holds half a
//! key; the old private key is gone, its public half stays in the log's key history.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use super::key::{check_key_name, NoteSigner, NoteVerifier, SignatureType};
use super::DEFAULT_LOG_ORIGIN;

/// Creates `path` holding a new key named `origin`; refuses when the file exists.
pub fn create(path: &Path, origin: &str) -> anyhow::Result<NoteSigner> {
    check_key_name(origin).with_context(|| format!("the log origin {origin:?} cannot name a key"))?;
    create_as(path, origin, SignatureType::Ed25519)
}

/// Creates `path` holding a new key of type `kind` named `name` (a witness's key is
/// [`SignatureType::CosignatureV1`]); refuses when the file exists.
pub fn create_as(path: &Path, name: &str, kind: SignatureType) -> anyhow::Result<NoteSigner> {
    check_key_name(name).with_context(|| format!("{name:?} cannot name a key"))?;
    let signer = NoteSigner::generate_as(name, kind)?;
    write_new(path, &signer)?;
    Ok(signer)
}

/// Reads the key of type `kind` in `path`.
pub fn load_as(path: &Path, kind: SignatureType) -> anyhow::Result<NoteSigner> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading the key file {}", path.display()))?;
    let signer = NoteSigner::from_private_text_as(text.trim_end(), kind)
        .with_context(|| format!("the key file {} does not hold a key of that type", path.display()))?;
    warn_if_readable_by_others(path);
    Ok(signer)
}

/// Replaces the key in `path` with a new one of the same name; answers the old key's public half
/// and the new key.
pub fn rotate(path: &Path) -> anyhow::Result<(NoteVerifier, NoteSigner)> {
    let old = load(path, None)?;
    let signer = NoteSigner::generate(old.name())?;
    let mut fresh = path.as_os_str().to_owned();
    fresh.push(".new");
    let fresh = std::path::PathBuf::from(fresh);
    // A `.new` left by a rotation that stopped midway holds a key that never signed: replace it.
    let _ = std::fs::remove_file(&fresh);
    write_new(&fresh, &signer)?;
    std::fs::rename(&fresh, path).with_context(|| format!("replacing the key file {}", path.display()))?;
    if let Some(directory) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        // The rename is durable once the directory is.
        let _ = std::fs::File::open(directory).and_then(|d| d.sync_all());
    }
    Ok((old.verifier(), signer))
}

/// Writes `signer`'s private key to the new file `path`, owner-only, and syncs it.
fn write_new(path: &Path, signer: &NoteSigner) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| {
        if path.exists() {
            format!("{} exists already; a signing key is never overwritten", path.display())
        } else {
            format!("creating the key file {}", path.display())
        }
    })?;
    writeln!(file, "{}", signer.to_private_text())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing the key file {}", path.display()))
}

/// Reads the key in `path`; when `origin` is given, the key must be named so.
pub fn load(path: &Path, origin: Option<&str>) -> anyhow::Result<NoteSigner> {
    let signer = load_as(path, SignatureType::Ed25519)?;
    if let Some(origin) = origin {
        anyhow::ensure!(
            signer.name() == origin,
            "the key in {} signs for the log origin {:?}, not {origin:?}",
            path.display(),
            signer.name()
        );
    }
    Ok(signer)
}

/// Reads the key in `path`, or creates it (named `origin`, else [`DEFAULT_LOG_ORIGIN`]) when the file
/// does not exist; says whether it was created.
pub fn load_or_create(path: &Path, origin: Option<&str>) -> anyhow::Result<(NoteSigner, bool)> {
    if path.exists() {
        return Ok((load(path, origin)?, false));
    }
    Ok((create(path, origin.unwrap_or(DEFAULT_LOG_ORIGIN))?, true))
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = std::fs::metadata(path) {
        if metadata.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the signing key file is readable by others than its owner");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}
