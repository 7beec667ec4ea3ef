//! Accounts and tokens through the real HTTP server: login, bearer and cookie, logout,
//! rate limits, disabling accounts, third-party API tokens.

use nuvola_shared::Role;
use serde_json::json;

use crate::helpers::{add_account, both, error_code, TestApp, TestDb};

const ME: &str = "{ me { username role administration { ipaCode } } }";
const LOGIN: &str = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token expiresAt account { username role } } }";

both! {
    async fn login_gives_a_token_that_identifies_its_account_until_logout(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        add_account(&t.db, Role::Administration, "comune.genova", "password-lunga-1", Some("c_d969")).await;
        let app = TestApp::start(&t.db).await;

        // PUBLIC has no account.
        assert_eq!(app.graphql(ME, json!({})).await["data"]["me"], json!(null));

        let res = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({ "query": LOGIN, "variables": { "u": "Comune.Genova", "p": "password-lunga-1" } }))
            .send()
            .await
            .unwrap();
        let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
        let body: serde_json::Value = res.json().await.unwrap();
        let token = body["data"]["login"]["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("nvl_") && token.len() > 40, "{token}");
        assert_eq!(body["data"]["login"]["account"]["role"], "ADMINISTRATION");
        // The browser's copy: not readable by scripts, not sent cross-site, HTTPS only.
        assert!(cookie.starts_with(&format!("nuvola_session={token};")), "{cookie}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/", "Max-Age=43200"] {
            assert!(cookie.contains(attribute), "{attribute} missing in {cookie}");
        }
        // Only the hash is stored.
        assert_eq!(t.count_where("auth_token", &format!("token_hash = '{token}'")).await, 0);

        let (status, me) = app.graphql_as(Some(&token), ME, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(me["data"]["me"]["username"], "comune.genova");
        assert_eq!(me["data"]["me"]["administration"]["ipaCode"], "c_d969");

        // The cookie alone authenticates too (the SPA's way).
        let by_cookie: serde_json::Value = app
            .client
            .post(app.url("/graphql"))
            .header("cookie", format!("nuvola_session={token}"))
            .json(&json!({ "query": ME }))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(by_cookie["data"]["me"]["username"], "comune.genova");

        let (_, out) = app.graphql_as(Some(&token), "mutation { logout }", json!({})).await;
        assert_eq!(out["data"]["logout"], true, "{out}");
        let (status, after) = app.graphql_as(Some(&token), ME, json!({})).await;
        assert_eq!(status, 401);
        assert_eq!(error_code(&after).as_deref(), Some("UNAUTHENTICATED"));
        // A stale cookie falls back to PUBLIC instead of locking the browser out.
        let stale: serde_json::Value = app
            .client
            .post(app.url("/graphql"))
            .header("cookie", format!("nuvola_session={token}"))
            .json(&json!({ "query": ME }))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(stale["data"]["me"], json!(null));
        assert_eq!(t.count_where("event", "action IN ('LOGIN', 'LOGOUT')").await, 2);
    }
}

both! {
    async fn wrong_credentials_get_one_answer_and_attempts_are_limited(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        add_account(&t.db, Role::Department, "dipartimento", "password-lunga-2", None).await;
        let app = TestApp::start(&t.db).await;

        let wrong = app.graphql(LOGIN, json!({ "u": "dipartimento", "p": "sbagliata" })).await;
        let unknown = app.graphql(LOGIN, json!({ "u": "nessuno", "p": "sbagliata" })).await;
        assert_eq!(error_code(&wrong).as_deref(), Some("UNAUTHENTICATED"));
        // No way to tell an unknown username from a wrong password.
        assert_eq!(wrong["errors"][0]["message"], unknown["errors"][0]["message"]);
        assert_eq!(t.count_where("event", "action = 'LOGIN_FAILED'").await, 2);

        for _ in 0..4 {
            app.graphql(LOGIN, json!({ "u": "dipartimento", "p": "sbagliata" })).await;
        }
        // Five attempts spent: even the right password waits now.
        let limited = app.graphql(LOGIN, json!({ "u": "dipartimento", "p": "password-lunga-2" })).await;
        assert_eq!(error_code(&limited).as_deref(), Some("RATE_LIMITED"), "{limited}");
        assert!(limited["errors"][0]["extensions"]["retryAfter"].as_u64().unwrap() > 0);
        assert!(limited["data"].is_null() || limited["data"]["login"].is_null());

        // The limit is per username: another account is not affected by it.
        add_account(&t.db, Role::Verifier, "asseveratore", "password-lunga-3", None).await;
        app.login("asseveratore", "password-lunga-3").await;
    }
}

both! {
    async fn the_department_disables_an_account_and_its_tokens_stop_at_once(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        add_account(&t.db, Role::Department, "dipartimento", "password-lunga-2", None).await;
        add_account(&t.db, Role::Verifier, "asseveratore", "password-lunga-3", None).await;
        let app = TestApp::start(&t.db).await;
        let department = app.login("dipartimento", "password-lunga-2").await;
        let verifier = app.login("asseveratore", "password-lunga-3").await;
        let disable = "mutation($u: String!, $d: Boolean!) { setAccountDisabled(username: $u, disabled: $d) { username disabled } }";

        // Only the department may; PUBLIC must log in first.
        let (_, r) = app.graphql_as(Some(&verifier), disable, json!({ "u": "dipartimento", "d": true })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"));
        let (_, r) = app.graphql_as(None, disable, json!({ "u": "asseveratore", "d": true })).await;
        assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"));

        let (_, r) = app.graphql_as(Some(&department), disable, json!({ "u": "asseveratore", "d": true })).await;
        assert_eq!(r["data"]["setAccountDisabled"]["disabled"], true, "{r}");
        let (status, _) = app.graphql_as(Some(&verifier), ME, json!({})).await;
        assert_eq!(status, 401);
        let again = app.graphql(LOGIN, json!({ "u": "asseveratore", "p": "password-lunga-3" })).await;
        assert_eq!(error_code(&again).as_deref(), Some("UNAUTHENTICATED"));

        let (_, r) = app.graphql_as(Some(&department), disable, json!({ "u": "asseveratore", "d": false })).await;
        assert_eq!(r["data"]["setAccountDisabled"]["disabled"], false);
        app.login("asseveratore", "password-lunga-3").await;
        assert_eq!(t.count_where("event", "action IN ('ACCOUNT_DISABLED', 'ACCOUNT_ENABLED')").await, 2);
    }
}

both! {
    async fn api_tokens_read_public_data_never_write_and_can_be_revoked(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        add_account(&t.db, Role::Department, "dipartimento", "password-lunga-2", None).await;
        let app = TestApp::start(&t.db).await;
        let department = app.login("dipartimento", "password-lunga-2").await;
        let issue = "mutation($n: String!, $e: Date!) { issueApiToken(name: $n, expiresOn: $e) { token apiToken { id name expiresAt revokedAt } } }";
        let next_month = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();

        let (_, r) = app.graphql_as(None, issue, json!({ "n": "ISTAT", "e": next_month })).await;
        assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"));
        let (_, r) = app.graphql_as(Some(&department), issue, json!({ "n": "ISTAT", "e": "2020-01-01" })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");

        let (_, r) = app.graphql_as(Some(&department), issue, json!({ "n": "ISTAT", "e": next_month })).await;
        let token = r["data"]["issueApiToken"]["token"].as_str().unwrap().to_owned();
        let id = r["data"]["issueApiToken"]["apiToken"]["id"].as_str().unwrap().to_owned();

        // It reads the public data, as PUBLIC does, and has no account powers.
        let (status, q) = app.graphql_as(Some(&token), "{ stats { applications } me { username } }", json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(q["data"]["stats"]["applications"], 1);
        assert_eq!(q["data"]["me"], json!(null));
        let (_, q) = app.graphql_as(Some(&token), "{ apiTokens { name } }", json!({})).await;
        assert_eq!(error_code(&q).as_deref(), Some("FORBIDDEN"));
        let (_, w) = app.graphql_as(Some(&token), issue, json!({ "n": "altro", "e": next_month })).await;
        assert_eq!(error_code(&w).as_deref(), Some("FORBIDDEN"));

        let (_, list) = app.graphql_as(Some(&department), "{ apiTokens { name revokedAt } }", json!({})).await;
        assert_eq!(list["data"]["apiTokens"], json!([{ "name": "ISTAT", "revokedAt": null }]));
        let (_, r) = app
            .graphql_as(Some(&department), "mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }", json!({ "id": id }))
            .await;
        assert!(r["data"]["revokeApiToken"]["revokedAt"].is_string(), "{r}");
        let (status, _) = app.graphql_as(Some(&token), "{ stats { applications } }", json!({})).await;
        assert_eq!(status, 401);
    }
}

both! {
    async fn requests_beyond_the_rate_limit_get_429_with_standard_headers(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        let app = TestApp::start_with(&t.db, |o| o.requests_per_minute = 3).await;
        for remaining in [2, 1, 0] {
            let res = app
                .client
                .post(app.url("/graphql"))
                .json(&json!({ "query": "{ stats { applications } }" }))
                .send().await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["ratelimit-limit"], "3");
            assert_eq!(res.headers()["ratelimit-remaining"], remaining.to_string().as_str());
            assert!(res.headers().contains_key("ratelimit-reset"));
        }
        let res = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({ "query": "{ stats { applications } }" }))
            .send().await.unwrap();
        assert_eq!(res.status(), 429);
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry));
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(error_code(&body).as_deref(), Some("RATE_LIMITED"));
        // Counted in memory, on PostgreSQL too: no database round trip per request.
        assert_eq!(t.count("rate_limit").await, 0);
    }
}
