//! SIGTERM on a real `nuvola serve`: requests in flight are answered, subscriptions are
//! closed with a close frame (1001, going away), and the process exits 0.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{both, TestDb};
use crate::subscriptions::{Replica, Ws, STATES};

both! {
    async fn sigterm_answers_requests_in_flight_closes_subscriptions_and_exits_0(backend: Backend) {
        let t = TestDb::new(backend).await;
        let static_dir = tempfile::tempdir().unwrap();
        std::fs::write(static_dir.path().join("index.html"), "<!doctype html>").unwrap();
        let mut replica = Replica::start(&t.url, static_dir.path()).await;

        let mut ws = Ws::connect(&replica.addr, json!({}), None).await.unwrap();
        ws.subscribe("states", STATES, json!({})).await;

        // A request in flight: its headers are sent, half of its body is not yet.
        let body = json!({ "query": "{ stats { applications } }" }).to_string();
        let (head, tail) = body.split_at(body.len() / 2);
        let mut request = tokio::net::TcpStream::connect(&replica.addr).await.unwrap();
        request
            .write_all(
                format!(
                    "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{head}",
                    replica.addr,
                    body.len()
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;

        let signalled = Instant::now();
        replica.terminate();

        // The subscriber is told, with a close frame.
        let frame = loop {
            let message = tokio::time::timeout(Duration::from_secs(5), ws.socket.next())
                .await
                .expect("no close frame within 5 s");
            match message {
                Some(Ok(Message::Close(frame))) => break frame,
                Some(Ok(_)) => continue,
                other => panic!("the connection ended without a close frame: {other:?}"),
            }
        };
        let closed_after = signalled.elapsed();
        let frame = frame.expect("a close frame with a code");
        assert_eq!(frame.code, CloseCode::Away, "{frame:?}");
        assert!(frame.reason.contains("shutting down"), "{frame:?}");

        // The request in flight is answered in full.
        tokio::time::sleep(Duration::from_millis(300)).await;
        request.write_all(tail.as_bytes()).await.unwrap();
        let mut response = String::new();
        request.read_to_string(&mut response).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.contains(r#"{"data":{"stats":{"applications":0}},"extensions":{"cost":{"#), "{response}");

        let status = replica
            .exited_within(Duration::from_secs(15))
            .await
            .expect("still running 15 s after SIGTERM");
        eprintln!(
            "SIGTERM: close frame after {closed_after:?}, exit {status} after {:?}",
            signalled.elapsed()
        );
        assert_eq!(status.code(), Some(0));
        // Nobody listens any more.
        assert!(tokio::net::TcpStream::connect(&replica.addr).await.is_err());
    }
}
