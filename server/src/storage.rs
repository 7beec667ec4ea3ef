//! Where the bytes of documents live, outside the database: a folder (`--storage`, the
//! default) or a bucket of any S3-compatible object store (`--s3-bucket`).
//!
//! A file arrives as a stream. It is written to a temporary file in the folder's `tmp/`
//! while its size is counted against the limit, its SHA-256 computed and its type
//! recognised from its content; only then is it stored under its storage key, a random
//! name that has nothing to do with the name the client gave: renamed into the folder,
//! or sent to the bucket as a multipart upload read from the temporary file a part at a
//! time (never the whole file in memory), which the store shows only once complete. That
//! happens before the database transaction commits and is undone if the commit fails,
//! so a row never lacks its file, and an upload that breaks off leaves no object.
//! Downloads stream the file back and check its SHA-256 on the way: a file changed
//! behind Nuvola's back ends the response with an error instead of a wrong last byte.
//! Replicas share the bucket (or the folder, on a network file system or shared volume).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use nuvola_shared::document::{SniffError, Sniffer};
use nuvola_shared::FileType;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

/// The size of the parts of a multipart upload (S3 asks at least 5 MiB but of the last).
const PART_BYTES: usize = 5 * 1024 * 1024;
/// The size of the chunks a download is streamed in, from a folder.
const READ_CHUNK_BYTES: usize = 64 * 1024;

/// A bucket of an S3-compatible object store (AWS S3, SeaweedFS, Ceph, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectStoreConfig {
    pub bucket: String,
    /// Keys are stored under this prefix (no leading or trailing slash).
    pub prefix: String,
    /// The service's address (`https://s3.example.it`); `None` for AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

/// The documents' storage: the local folder (also the home of temporary uploads) and,
/// when configured, the bucket that holds the files instead of the folder.
#[derive(Debug, Clone)]
pub struct Storage {
    root: PathBuf,
    bucket: Option<Bucket>,
}

#[derive(Debug, Clone)]
struct Bucket {
    store: Arc<AmazonS3>,
    prefix: String,
    name: String,
}

/// A stored file read back as a stream of chunks, its SHA-256 checked at the end.
pub type Download = BoxStream<'static, Result<Bytes, std::io::Error>>;

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
    /// Files in the folder `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            bucket: None,
        }
    }

    /// Files in the bucket of `config`; `root` keeps only temporary uploads.
    pub fn with_bucket(
        root: impl Into<PathBuf>,
        config: &ObjectStoreConfig,
    ) -> anyhow::Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(key) = &config.access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &config.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        // An upload waits for the store a bounded time, not the library's three minutes.
        let retry = object_store::RetryConfig {
            max_retries: 3,
            retry_timeout: std::time::Duration::from_secs(15),
            ..Default::default()
        };
        let store = builder
            .with_retry(retry)
            .build()
            .map_err(|e| anyhow::anyhow!("configuring the bucket {:?}: {e}", config.bucket))?;
        Ok(Self {
            root: root.into(),
            bucket: Some(Bucket {
                store: Arc::new(store),
                prefix: config.prefix.trim_matches('/').to_owned(),
                name: config.bucket.clone(),
            }),
        })
    }

    /// The storage `ServeOptions` ask for: the bucket if one is given, else the folder.
    pub fn from_options(dir: &Path, bucket: Option<&ObjectStoreConfig>) -> anyhow::Result<Self> {
        match bucket {
            Some(config) => Self::with_bucket(dir, config),
            None => Ok(Self::new(dir)),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the files are, for messages: the folder or `s3://bucket/prefix`.
    pub fn describe(&self) -> String {
        match &self.bucket {
            Some(b) => format!("s3://{}/{}", b.name, b.prefix),
            None => self.root.display().to_string(),
        }
    }

    /// Checks that the files' home is there and can be read: the folder can be created,
    /// the bucket answers. A misconfigured storage fails the start, not the first upload.
    pub async fn check(&self) -> anyhow::Result<()> {
        self.prepare().await?;
        if let Some(bucket) = &self.bucket {
            let probe = bucket.path_of("0000000000000000000000000000000000");
            match bucket.store.head(&probe).await {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => anyhow::bail!("the bucket {:?} does not answer: {e}", bucket.name),
            }
        }
        Ok(())
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

    /// Stores a received file under its key. Until this returns, nothing is stored; if
    /// it fails, nothing is left (an incomplete multipart upload is aborted).
    pub async fn store(&self, mut received: Received, key: &str) -> anyhow::Result<()> {
        if !is_key(key) {
            anyhow::bail!("{key:?} is not a storage key");
        }
        if let Some(bucket) = &self.bucket {
            return bucket.upload(&received.temp.path, key).await;
        }
        let path = self.root.join(&key[..2]).join(key);
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
        if let Some(bucket) = &self.bucket {
            if is_key(key) {
                if let Err(e) = bucket.store.delete(&bucket.path_of(key)).await {
                    tracing::error!(key, error = %e, "removing an orphaned document object");
                }
            }
            return;
        }
        if let Some(path) = self.path_of(key) {
            if let Err(e) = tokio::fs::remove_file(&path).await {
                tracing::error!(path = %path.display(), error = %e, "removing an orphaned document file");
            }
        }
    }

    /// The file of `key` as a stream, checked against the `sha256` (lowercase hex)
    /// recorded when it was stored: the last item is an error if the bytes differ.
    pub async fn open(&self, key: &str, sha256: &str) -> anyhow::Result<Download> {
        if !is_key(key) {
            anyhow::bail!("{key:?} is not a storage key");
        }
        let chunks: Download = match &self.bucket {
            Some(bucket) => {
                let path = bucket.path_of(key);
                let got = bucket
                    .store
                    .get(&path)
                    .await
                    .map_err(|e| anyhow::anyhow!("reading {path}: {e}"))?;
                got.into_stream()
                    .map(|r| r.map_err(std::io::Error::other))
                    .boxed()
            }
            None => {
                let path = self.root.join(&key[..2]).join(key);
                let file = tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| anyhow::anyhow!("opening {}: {e}", path.display()))?;
                file_chunks(file).boxed()
            }
        };
        Ok(checked(chunks, sha256.to_ascii_lowercase(), key.to_owned()))
    }

    /// Where the file of `key` lives in the folder; `None` for anything that is not a key
    /// this module made (so a key can never name a path outside the folder), or when the
    /// files live in a bucket.
    pub fn path_of(&self, key: &str) -> Option<PathBuf> {
        (self.bucket.is_none() && is_key(key)).then(|| self.root.join(&key[..2]).join(key))
    }
}

/// Whether `key` is one [`Storage::new_key`] could have made.
fn is_key(key: &str) -> bool {
    key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Bucket {
    fn path_of(&self, key: &str) -> object_store::path::Path {
        let shard = &key[..2.min(key.len())];
        if self.prefix.is_empty() {
            object_store::path::Path::from(format!("{shard}/{key}"))
        } else {
            object_store::path::Path::from(format!("{}/{shard}/{key}", self.prefix))
        }
    }

    /// Sends the temporary file as a multipart upload, a part at a time.
    async fn upload(&self, temp: &Path, key: &str) -> anyhow::Result<()> {
        let path = self.path_of(key);
        let mut file = tokio::fs::File::open(temp)
            .await
            .map_err(|e| anyhow::anyhow!("reopening {}: {e}", temp.display()))?;
        let upload = self
            .store
            .put_multipart(&path)
            .await
            .map_err(|e| anyhow::anyhow!("starting the upload of {path}: {e}"))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut buf = vec![0u8; READ_CHUNK_BYTES];
        let sent: anyhow::Result<()> = async {
            loop {
                let n = file
                    .read(&mut buf)
                    .await
                    .map_err(|e| anyhow::anyhow!("reading {}: {e}", temp.display()))?;
                if n == 0 {
                    return Ok(());
                }
                // At most two parts in flight: memory stays bounded whatever the size.
                writer
                    .wait_for_capacity(2)
                    .await
                    .map_err(|e| anyhow::anyhow!("uploading {path}: {e}"))?;
                writer.write(&buf[..n]);
            }
        }
        .await;
        match sent {
            Ok(()) => writer
                .finish()
                .await
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("completing the upload of {path}: {e}")),
            Err(e) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(%path, error = %abort, "aborting an incomplete upload");
                }
                Err(e)
            }
        }
    }
}

/// A file as a stream of chunks.
fn file_chunks(file: tokio::fs::File) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::try_unfold(file, |mut file| async move {
        let mut buf = vec![0u8; READ_CHUNK_BYTES];
        let n = file.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), file)))
    })
}

/// Passes `chunks` on while hashing them, one chunk behind: the last chunk goes out
/// only once the SHA-256 of the whole is `expected`, else an error goes out instead, so a
/// client never receives a complete response with the wrong bytes.
fn checked(chunks: Download, expected: String, key: String) -> Download {
    struct State {
        chunks: Download,
        hasher: Sha256,
        held: Option<Bytes>,
        expected: String,
        key: String,
        done: bool,
    }
    let state = State {
        chunks,
        hasher: Sha256::new(),
        held: None,
        expected,
        key,
        done: false,
    };
    futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            match st.chunks.next().await {
                Some(Ok(bytes)) => {
                    st.hasher.update(&bytes);
                    if let Some(previous) = st.held.replace(bytes) {
                        return Some((Ok(previous), st));
                    }
                }
                Some(Err(e)) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
                None => {
                    st.done = true;
                    let actual = hex::encode(std::mem::take(&mut st.hasher).finalize());
                    if actual != st.expected {
                        tracing::error!(key = %st.key, expected = %st.expected, %actual, "a stored document does not match its SHA-256");
                        let e = std::io::Error::other(format!(
                            "document {} does not match its SHA-256",
                            st.key
                        ));
                        return Some((Err(e), st));
                    }
                    let last = st.held.take()?;
                    return Some((Ok(last), st));
                }
            }
        }
    })
    .boxed()
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
