//! Where the bytes of documents live: a folder outside the database (`--storage`).
//!
//! A file arrives as a stream. It is written to a temporary file in `tmp/` while its
//! size is counted against the limit, its SHA-256 computed and its type recognised from
//! its content; only then is it renamed to its storage key, a random name that has
//! nothing to do with the name the client gave. The rename happens before the database
//! transaction commits and is undone if the commit fails, so a row never lacks its
//! file. Replicas must share the folder (a network file system or a shared volume).

use std::path::{Path, PathBuf};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use futures_util::{Stream, StreamExt};
use nuvola_shared::document::{SniffError, Sniffer};
use nuvola_shared::FileType;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// The folder used when neither `--storage` nor `NUVOLA_STORAGE_DIR` is given and the
/// database is not a local SQLite file.
pub const DEFAULT_STORAGE_DIR: &str = "nuvola-files";
/// The default largest upload: 20 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 20 * 1024 * 1024;

/// The default folder for a database: `nuvola-files` next to a SQLite database file,
/// else in the current folder.
pub fn default_dir_for(database_url: &str) -> PathBuf {
    let sqlite_file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
        .filter(|path| !path.is_empty() && !path.contains(":memory:"));
    match sqlite_file.and_then(|f| Path::new(f).parent()) {
        Some(dir) => dir.join(DEFAULT_STORAGE_DIR),
        None => PathBuf::from(DEFAULT_STORAGE_DIR),
    }
}

/// The document folder.
#[derive(Debug, Clone)]
pub struct Storage {
    root: PathBuf,
}

/// A file received whole into a temporary file, not yet stored under its key.
#[derive(Debug)]
pub struct Received {
    temp: TempFile,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
    pub file_type: FileType,
}

/// Why a file was not received.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("{0}")]
    Rejected(SniffError),
    /// The client's body broke off (disconnect, malformed chunking).
    #[error("reading the upload: {0}")]
    Body(String),
    #[error(transparent)]
    Io(#[from] anyhow::Error),
}

/// A temporary file removed when dropped, unless it was renamed into place: an upload
/// refused, failed or abandoned by its client leaves nothing behind.
#[derive(Debug)]
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            if let Err(e) = std::fs::remove_file(&self.path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(path = %self.path.display(), error = %e, "removing a temporary upload");
                }
            }
        }
    }
}

impl Storage {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn temp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Creates the folder and its `tmp/` if missing.
    pub async fn prepare(&self) -> anyhow::Result<()> {
        let tmp = self.temp_dir();
        tokio::fs::create_dir_all(&tmp)
            .await
            .map_err(|e| anyhow::anyhow!("creating the document folder {}: {e}", tmp.display()))
    }

    /// A fresh storage key: 128 random bits in hex.
    pub fn new_key() -> String {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    }

    /// Where the file of `key` lives; `None` for anything that is not a key this module
    /// made (so a key can never name a path outside the folder).
    pub fn path_of(&self, key: &str) -> Option<PathBuf> {
        let valid = key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.root.join(&key[..2]).join(key))
    }

    /// Streams `body` into a temporary file, refusing it as soon as it passes `limit`
    /// bytes, and recognises its type from the content.
    pub async fn receive<S, B, E>(&self, mut body: S, limit: u64) -> Result<Received, ReceiveError>
    where
        S: Stream<Item = Result<B, E>> + Unpin,
        B: AsRef<[u8]>,
        E: std::fmt::Display,
    {
        self.prepare().await?;
        let temp = TempFile {
            path: self.temp_dir().join(format!("{}.part", Self::new_key())),
            armed: true,
        };
        let mut file = tokio::fs::File::create(&temp.path).await.map_err(|e| {
            anyhow::anyhow!("creating the temporary file {}: {e}", temp.path.display())
        })?;
        let mut hasher = Sha256::new();
        let mut sniffer = Sniffer::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| ReceiveError::Body(e.to_string()))?;
            let bytes = chunk.as_ref();
            if sniffer.len() + bytes.len() as u64 > limit {
                return Err(ReceiveError::TooLarge { limit });
            }
            sniffer.feed(bytes);
            hasher.update(bytes);
            file.write_all(bytes)
                .await
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", temp.path.display()))?;
        }
        let file_type = sniffer.finish().map_err(ReceiveError::Rejected)?;
        file.sync_all()
            .await
            .map_err(|e| anyhow::anyhow!("flushing {}: {e}", temp.path.display()))?;
        Ok(Received {
            temp,
            size: sniffer.len(),
            sha256: hex::encode(hasher.finalize()),
            file_type,
        })
    }

    /// Moves a received file to its key. Until this returns, nothing is stored.
    pub async fn store(&self, mut received: Received, key: &str) -> anyhow::Result<()> {
        let path = self
            .path_of(key)
            .ok_or_else(|| anyhow::anyhow!("{key:?} is not a storage key"))?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
        }
        tokio::fs::rename(&received.temp.path, &path)
            .await
            .map_err(|e| anyhow::anyhow!("moving an upload to {}: {e}", path.display()))?;
        received.temp.armed = false;
        Ok(())
    }

    /// Removes a stored file (after its row failed to commit).
    pub async fn remove(&self, key: &str) {
        if let Some(path) = self.path_of(key) {
            if let Err(e) = tokio::fs::remove_file(&path).await {
                tracing::error!(path = %path.display(), error = %e, "removing an orphaned document file");
            }
        }
    }

    /// Opens the file of `key` for reading.
    pub async fn open(&self, key: &str) -> anyhow::Result<tokio::fs::File> {
        let path = self
            .path_of(key)
            .ok_or_else(|| anyhow::anyhow!("{key:?} is not a storage key"))?;
        tokio::fs::File::open(&path)
            .await
            .map_err(|e| anyhow::anyhow!("opening {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(
        parts: Vec<&'static [u8]>,
    ) -> impl Stream<Item = Result<&'static [u8], String>> + Unpin {
        futures_util::stream::iter(parts.into_iter().map(Ok))
    }

    #[tokio::test]
    async fn a_file_is_hashed_typed_and_stored_under_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(dir.path());
        let received = storage
            .receive(chunks(vec![b"%PDF-1.7\n", b"rest"]), 1024)
            .await
            .unwrap();
        assert_eq!(received.size, 13);
        assert_eq!(received.file_type, FileType::Pdf);
        assert_eq!(
            received.sha256,
            hex::encode(Sha256::digest(b"%PDF-1.7\nrest"))
        );
        let key = Storage::new_key();
        storage.store(received, &key).await.unwrap();
        let stored = std::fs::read(storage.path_of(&key).unwrap()).unwrap();
        assert_eq!(stored, b"%PDF-1.7\nrest");
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
        assert!(storage.path_of("../../etc/passwd").is_none());
    }

    #[test]
    fn the_default_folder_sits_next_to_a_sqlite_file() {
        assert_eq!(
            default_dir_for("sqlite://nuvola.db?mode=rwc"),
            PathBuf::from("nuvola-files")
        );
        assert_eq!(
            default_dir_for("sqlite:///var/lib/nuvola/nuvola.db?mode=rwc"),
            PathBuf::from("/var/lib/nuvola/nuvola-files")
        );
        assert_eq!(
            default_dir_for("postgres://u@h/db"),
            PathBuf::from("nuvola-files")
        );
        assert_eq!(
            default_dir_for("sqlite::memory:"),
            PathBuf::from("nuvola-files")
        );
    }

    #[tokio::test]
    async fn too_large_or_refused_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(dir.path());
        let r = storage.receive(chunks(vec![b"%PDF-", b"123456"]), 8).await;
        assert!(matches!(r, Err(ReceiveError::TooLarge { limit: 8 })));
        let r = storage.receive(chunks(vec![b"MZ\x00\x01"]), 8).await;
        assert!(matches!(r, Err(ReceiveError::Rejected(_))));
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }
}
