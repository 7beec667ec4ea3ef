//! The GraphQL endpoint against abuse (OWASP GraphQL cheat sheet): depth and complexity
//! limits (aliases count), introspection and suggestions off in production, and internal
//! errors that never reach the client. Body size, JSON-only and batching are in `http.rs`;
//! rate limits in `auth.rs`.

use serde_json::json;

use crate::helpers::{both, error_code, gql_with_limits, Backend, TestApp, TestDb};
use nuvola_server::graphql::Limits;

async fn run_with(t: &TestDb, limits: Limits, query: &str) -> serde_json::Value {
    gql_with_limits(&t.db, limits, query, json!({})).await
}

/// The introspection query of graphql-js (`getIntrospectionQuery`), as tools send it.
const INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name } types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

fn first_message(r: &serde_json::Value) -> String {
    r["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

both! {
    async fn a_query_nested_too_deep_is_refused_before_it_runs(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        // Introspection nests without multiplying complexity: only depth can stop it.
        let mut inner = "name".to_owned();
        for _ in 0..14 {
            inner = format!("ofType {{ {inner} }}");
        }
        let deep = format!("{{ __schema {{ types {{ fields {{ type {{ {inner} }} }} }} }} }}");
        let r = run_with(&t, Limits::default(), &deep).await;
        assert!(r["data"].is_null(), "{r}");
        assert_eq!(first_message(&r), "Query is nested too deep.");
        // Lists multiply: six levels of bodies and their applications are refused too.
        let mut nested = "cup".to_owned();
        for _ in 0..6 {
            nested = format!("administration {{ applications {{ {nested} }} }}");
        }
        let r = run_with(&t, Limits::default(), &format!(r#"{{ application(cup: "B31C22000060007") {{ {nested} }} }}"#)).await;
        assert!(r["data"].is_null(), "{r}");
        // The standard introspection query of GraphQL tools (13 deep) passes.
        let r = run_with(&t, Limits::default(), INTROSPECTION).await;
        assert!(r["errors"].is_null(), "{r}");
        assert_eq!(r["data"]["__schema"]["queryType"]["name"], "QueryRoot");

        let shallow = r#"{ application(cup: "B31C22000060007") { administration { applications { cup } } } }"#;
        let r = run_with(&t, Limits::default(), shallow).await;
        assert_eq!(r["data"]["application"]["administration"]["applications"][0]["cup"], "B31C22000060007");
    }
}

both! {
    async fn aliases_count_in_complexity_so_many_pages_in_one_request_are_refused(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        let page = "applications(first: 100) { edges { node { cup amountEur state administration { name region } call { title } } } }";
        let one = format!("{{ a: {page} }}");
        let r = run_with(&t, Limits::default(), &one).await;
        assert!(r["errors"].is_null(), "{r}");
        let many: String = (0..25).map(|i| format!("a{i}: {page} ")).collect();
        let r = run_with(&t, Limits::default(), &format!("{{ {many} }}")).await;
        assert!(r["data"].is_null(), "{r}");
        assert_eq!(first_message(&r), "Query is too complex.");
    }
}

both! {
    async fn production_mode_hides_the_schema_and_suggests_nothing(backend: Backend) {
        let t = TestDb::new(backend).await;
        let production = Limits { introspection: false, ..Limits::default() };
        let r = run_with(&t, production, "{ __schema { types { name } } }").await;
        assert_eq!(r["data"]["__schema"], json!(null), "{r}");
        let r = run_with(&t, production, r#"{ __type(name: "Application") { fields { name } } }"#).await;
        assert_eq!(r["data"]["__type"], json!(null), "{r}");
        let typo = run_with(&t, production, "{ applicazioni { totalCount } }").await;
        assert!(!first_message(&typo).contains("Did you mean"), "{typo}");

        // Development and demo keep both, for people exploring the API.
        let dev = run_with(&t, Limits::default(), "{ __schema { queryType { name } } }").await;
        assert_eq!(dev["data"]["__schema"]["queryType"]["name"], "QueryRoot");
        let typo = run_with(&t, Limits::default(), "{ applicazion(cup: \"x\") { cup } }").await;
        assert!(first_message(&typo).contains("Did you mean"), "{typo}");
    }
}

#[tokio::test]
async fn an_internal_failure_answers_internal_and_leaks_nothing() {
    let mut t = TestDb::new(Backend::Postgres).await;
    let app = TestApp::start(&t.db).await;
    t.drop_database_now().await;
    let r = app.graphql("{ stats { applications } }", json!({})).await;
    assert_eq!(error_code(&r).as_deref(), Some("INTERNAL"), "{r}");
    assert_eq!(first_message(&r), "internal error");
    let text = r.to_string().to_lowercase();
    for secret in [
        "postgres",
        "sqlx",
        "database",
        "connection",
        "select",
        "nuvola_test",
    ] {
        assert!(!text.contains(secret), "{secret} leaked in {r}");
    }
}
