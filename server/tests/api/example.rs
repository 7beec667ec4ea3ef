//! The third-party example of `examples/` runs against the real server: a Python script
//! (standard library only) downloads the SDL, pages through the public projects of a
//! region with a filter using cursors, and prints totals, which must be the API's.

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
