use serde_json::json;

use crate::helpers::{both, Backend, TestApp, TestDb};

both! {
    async fn the_server_answers_health_metrics_graphql_and_the_spa(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let app = TestApp::start(&t.db).await;

        let res = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 200);

        let r = app
            .graphql("query($f: ApplicationFilter) { applications(first: 2, filter: $f) { totalCount } }", json!({ "f": { "region": "Liguria" } }))
            .await;
        assert_eq!(r["data"]["applications"]["totalCount"], 344);

        let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("nuvola_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"}"), "{metrics}");
        assert!(metrics.contains("nuvola_db_query_duration_seconds_count"), "{metrics}");

        // Client-side routes fall back to index.html; files are served as they are.
        let page = app.client.get(app.url("/progetti/B31C22000060007")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Nuvola SPA"));
        let js = app.client.get(app.url("/app.js")).send().await.unwrap().text().await.unwrap();
        assert_eq!(js, "console.log(1)");
        let escape = app.client.get(app.url("/../Cargo.toml")).send().await.unwrap().text().await.unwrap();
        assert!(escape.contains("Nuvola SPA"));
    }
}

both! {
    async fn graphql_takes_only_json_posts(backend: Backend) {
        let t = TestDb::new(backend).await;
        let app = TestApp::start(&t.db).await;
        let form = app
            .client
            .post(app.url("/graphql"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("query=%7B__typename%7D")
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 415);
        let body: serde_json::Value = form.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");

        let get = app.client.get(app.url("/graphql?query=%7B__typename%7D")).send().await.unwrap();
        assert_eq!(get.status(), 405);

        let huge = "x".repeat(300 * 1024);
        let res = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({ "query": format!("{{ __typename }} # {huge}") }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413);

        let garbled = app
            .client
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(garbled.status(), 400);

        let batch = app
            .client
            .post(app.url("/graphql"))
            .json(&json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]))
            .send()
            .await
            .unwrap();
        assert_eq!(batch.status(), 400);
        let body: serde_json::Value = batch.json().await.unwrap();
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("batched requests are not supported"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_turns_503_when_the_database_is_gone() {
    let mut t = TestDb::new(Backend::Postgres).await;
    let app = TestApp::start(&t.db).await;
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    t.drop_database_now().await;
    let status = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 503);
}

both! {
    async fn every_response_carries_the_security_headers_and_hsts_only_in_production(backend: Backend) {
        let t = TestDb::new(backend).await;
        let app = TestApp::start(&t.db).await;
        for path in ["/", "/progetti/B31C22000060007", "/app.js", "/healthz"] {
            let res = app.client.get(app.url(path)).send().await.unwrap();
            let h = res.headers();
            let csp = h["content-security-policy"].to_str().unwrap();
            // Only the application's own scripts and wasm; nothing inline; never framed.
            assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{path}: {csp}");
            let scripts = csp.split(';').find(|d| d.trim_start().starts_with("script-src")).unwrap();
            assert!(!scripts.contains("unsafe-inline") && !scripts.contains("'unsafe-eval'"), "{csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
            assert!(csp.contains("object-src 'none'"), "{csp}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
            assert!(h.get("strict-transport-security").is_none(), "{path}: HSTS outside production");
        }
        let r = app.client.post(app.url("/graphql")).json(&json!({ "query": "{ __typename }" })).send().await.unwrap();
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");

        let production = TestApp::start_with(&t.db, |o| o.hsts = true).await;
        let res = production.client.get(production.url("/")).send().await.unwrap();
        assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    }
}
