//! Compiled components on disk, so a restart does not recompile.
//!
//! Deserializing native code is only as safe as the file, so only files this
//! host wrote are read: they live in the host's own cache folder, are named by
//! (package sha256, engine compatibility hash), and start with the sha256 of
//! the artifact, which is checked before wasmtime sees a byte. A file that
//! fails any check is ignored and rewritten.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where compiled components are kept; `None` compiles every time.
#[derive(Debug, Clone)]
pub struct ArtifactCache {
    dir: Option<PathBuf>,
}

impl ArtifactCache {
    /// A cache in `dir`, created on first write; `None` disables it.
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    /// The compiled form of `bytes` (whose sha256 is `sha256`), from disk if
    /// this host compiled it before with the same wasmtime and engine config.
    pub fn component(
        &self,
        engine: &Engine,
        sha256: &[u8; 32],
        bytes: &[u8],
    ) -> wasmtime::Result<Component> {
        let Some(path) = self.path(engine, sha256) else {
            return Component::new(engine, bytes);
        };
        if let Some(component) = read(engine, &path) {
            return Ok(component);
        }
        let component = Component::new(engine, bytes)?;
        if let Err(e) = write(&path, &component.serialize()?) {
            tracing::warn!(path = %path.display(), error = %e, "could not cache a compiled module");
        }
        Ok(component)
    }

    fn path(&self, engine: &Engine, sha256: &[u8; 32]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Some(dir.join(format!(
            "{}-{:016x}.cwasm",
            hex::encode(sha256),
            hasher.finish()
        )))
    }
}

fn read(engine: &Engine, path: &Path) -> Option<Component> {
    let file = std::fs::read(path).ok()?;
    let (digest, artifact) = file.split_at_checked(32)?;
    if Sha256::digest(artifact).as_slice() != digest {
        tracing::warn!(path = %path.display(), "ignoring a corrupt compiled module");
        return None;
    }
    #[expect(unsafe_code, reason = "wasmtime requires it to load native code")]
    // SAFETY: the bytes are an artifact this host serialized (see the module
    // docs); wasmtime itself rejects one from another version or config.
    let component = unsafe { Component::deserialize(engine, artifact) };
    component
        .inspect_err(|e| tracing::warn!(path = %path.display(), error = %e, "recompiling"))
        .ok()
}

fn write(path: &Path, artifact: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    // Write then rename, so a reader never sees half a file.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_extension(format!("{}-{n}.tmp", std::process::id()));
    let mut file = Vec::with_capacity(32 + artifact.len());
    file.extend_from_slice(&Sha256::digest(artifact));
    file.extend_from_slice(artifact);
    std::fs::write(&tmp, file)?;
    std::fs::rename(&tmp, path)
}
