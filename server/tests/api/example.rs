//! The third-party example of `examples/` runs against the real server: a Python script
//! (standard library only) downloads the SDL, pages through the public projects of a
//! region with a filter using cursors, and prints totals, which must be the API's; a
//! receiver of webhooks checks the signature of a real delivery and refuses a forged one.

use serde_json::json;

use crate::helpers::{both, TestApp, TestDb};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/open_data_client.py"
);

both! {
    async fn the_python_example_pages_through_public_projects_with_a_filter(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let app = TestApp::start(&t.db).await;
        let stats = app
            .graphql(
                r#"{ stats(filter: { region: "Liguria", state: FUNDED }) { applications amountEur } }"#,
                json!({}),
            )
            .await;
        let expected = stats["data"]["stats"]["applications"].as_i64().unwrap();
        let amount = stats["data"]["stats"]["amountEur"].as_f64().unwrap().round() as i64;
        assert!(expected > 80, "{stats}");
        let dir = tempfile::tempdir().unwrap();
        let sdl_path = dir.path().join("schema.graphql");
        let out = tokio::process::Command::new("python3")
            .arg(SCRIPT)
            .args(["--url", &app.url("")])
            .args(["--region", "Liguria", "--state", "FUNDED", "--page-size", "40"])
            .arg("--schema-out")
            .arg(&sdl_path)
            .output()
            .await
            .expect("python3 runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "the example failed:\n{stdout}\n{stderr}");
        let pages = (expected + 39) / 40;
        assert!(stdout.contains(&format!("pages: {pages}\n")), "{stdout}");
        assert!(stdout.contains(&format!("projects: {expected} (totalCount {expected})")), "{stdout}");
        assert!(stdout.contains(&format!("amount: {amount} EUR")), "{stdout}");
        assert!(stdout.contains("totals agree with stats"), "{stdout}");
        assert!(stdout.contains("requests left until"), "{stdout}");
        // The SDL it downloaded is the schema's.
        assert_eq!(std::fs::read_to_string(&sdl_path).unwrap(), nuvola_server::graphql::sdl());
    }
}

both! {
    async fn the_schema_is_served_even_with_introspection_off(backend: Backend) {
        let t = TestDb::new(backend).await;
        let app = TestApp::start_with(&t.db, |o| o.limits.introspection = false).await;
        let res = app.client.get(app.url("/graphql/schema.graphql")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        assert_eq!(res.text().await.unwrap(), nuvola_server::graphql::sdl());
        // Introspection itself stays off in production.
        let r = app.graphql("{ __schema { types { name } } }", json!({})).await;
        assert!(r["data"]["__schema"].is_null(), "{r}");
        // And a browser's GET /graphql is not GraphiQL there.
        let res = app
            .client
            .get(app.url("/graphql"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405);
    }
}

both! {
    async fn in_development_a_browser_gets_graphiql_at_get_graphql(backend: Backend) {
        let t = TestDb::new(backend).await;
        let app = TestApp::start(&t.db).await;
        let page = app.static_dir.path().join("graphiql");
        std::fs::create_dir_all(&page).unwrap();
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/graphiql/index.html"),
            page.join("index.html"),
        )
        .unwrap();
        let res = app
            .client
            .get(app.url("/graphql"))
            .header("accept", "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"), "{csp}");
        let html = res.text().await.unwrap();
        // Its scripts are this server's files, never a CDN's.
        assert!(html.contains("/graphiql/graphiql.min.js"), "{html}");
        assert!(!html.contains("https://"), "{html}");
        // A program's GET still gets the JSON answer.
        let res = app.client.get(app.url("/graphql")).send().await.unwrap();
        assert_eq!(res.status(), 405);
    }
}

const RECEIVER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/webhook_receiver.py"
);

both! {
    async fn the_python_webhook_receiver_verifies_nuvolas_signature_and_refuses_a_forged_one(backend: Backend) {
        use crate::outbox::{config, drain, open_request, register, set_state};
        use tokio::io::AsyncBufReadExt;

        let w = crate::permissions::world(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let secret_file = dir.path().join("secret.txt");
        let out = dir.path().join("deliveries.jsonl");
        std::fs::write(&secret_file, "not yet").unwrap();
        let mut receiver = tokio::process::Command::new("python3")
            .arg(RECEIVER)
            .arg("--secret-file")
            .arg(&secret_file)
            .args(["--port", "0", "--out"])
            .arg(&out)
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs");
        let mut first = String::new();
        tokio::io::BufReader::new(receiver.stdout.take().unwrap())
            .read_line(&mut first)
            .await
            .unwrap();
        let url = first.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{first}")).to_owned();

        // The school registers the receiver for requests opened on its projects.
        let (_, secret) = register(&w, "scuola", &url, &["REQUEST_OPENED"]).await;
        std::fs::write(&secret_file, &secret).unwrap();
        set_state(&w, "UNDER_VERIFICATION").await;
        open_request(&w, 20).await;
        drain(&w.t.db, &config(None)).await;

        // A forged delivery: the right headers, the wrong key.
        let forged = reqwest::Client::new()
            .post(&url)
            .header("Nuvola-Webhook-Id", "evt_forged")
            .header("Nuvola-Webhook-Event", "REQUEST_OPENED")
            .header("Nuvola-Webhook-Timestamp", chrono::Utc::now().timestamp().to_string())
            .header("Nuvola-Webhook-Signature", "v1=00")
            .body(r#"{"id":"evt_forged","type":"REQUEST_OPENED","data":{}}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 401);

        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let genuine: Vec<_> = lines.iter().filter(|l| l["verified"] == true).collect();
        assert_eq!(genuine.len(), 1, "{lines:?}");
        assert_eq!(genuine[0]["type"], "REQUEST_OPENED");
        assert!(genuine[0]["id"].as_str().unwrap().starts_with("evt_"), "{lines:?}");
        assert!(genuine[0]["data"].to_string().contains(crate::permissions::SCHOOL_CUP), "{lines:?}");
        assert!(lines.iter().any(|l| l["id"] == "evt_forged" && l["verified"] == false), "{lines:?}");
    }
}

/// The verification the page "API e dati aperti" shows to copy is the receiver's own
/// `verify` (the one the test above runs against real deliveries), word for word.
#[test]
fn the_api_pages_verification_example_is_the_tested_receivers() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let page = std::fs::read_to_string(format!("{root}/frontend/src/pages/api_docs.rs")).unwrap();
    let receiver = std::fs::read_to_string(format!("{root}/examples/webhook_receiver.py")).unwrap();
    let opening = "const VERIFY: &str = r#\"";
    let start = page.find(opening).expect("the page's VERIFY") + opening.len();
    let example = &page[start..start + page[start..].find("\"#;").expect("its end")];
    assert!(
        example.starts_with("import hashlib, hmac, time\n"),
        "{example}"
    );
    let tolerance = example
        .find("TOLERANCE_SECONDS = 300")
        .expect("the tolerance");
    let function = &example[tolerance..];
    assert!(function.contains("def verify("), "{example}");
    assert!(
        receiver.contains(function),
        "the page's example is not examples/webhook_receiver.py's verify:\n{function}"
    );
}
