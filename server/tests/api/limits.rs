//! The limits a client can see: every answer carries the query's cost and what is left
//! of the client's budget (`extensions.cost`), and the maxima README.md and the page
//! "API e dati aperti" publish (depth, complexity, aliases, page size) are exactly the
//! ones enforced: the published number passes, one more is refused.

use serde_json::{json, Value};

use crate::helpers::{both, error_code, gql, TestApp, TestDb};
use nuvola_server::graphql::limits::{MAX_ALIASES, MAX_COMPLEXITY, MAX_DEPTH, MAX_PAGE_SIZE};
use nuvola_server::graphql::validate;

fn limit_refused(errors: &[async_graphql::ServerError], limit: &str) -> bool {
    errors.iter().any(|e| {
        let ext = e.extensions.as_ref();
        ext.and_then(|x| x.get("code")) == Some(&async_graphql::Value::from("LIMIT_EXCEEDED"))
            && ext.and_then(|x| x.get("limit")) == Some(&async_graphql::Value::from(limit))
    })
}

#[tokio::test]
async fn the_published_depth_passes_and_one_more_level_is_refused() {
    // Introspection nests without multiplying complexity: only depth decides.
    let deep = |levels: usize| {
        let mut inner = "name".to_owned();
        for _ in 0..levels {
            inner = format!("ofType {{ {inner} }}");
        }
        format!("{{ __schema {{ types {{ fields {{ type {{ {inner} }} }} }} }} }}")
    };
    let mut at_the_limit = None;
    for levels in 0..MAX_DEPTH {
        match validate(&deep(levels)).await {
            Ok(cost) => {
                assert!(cost.depth <= MAX_DEPTH);
                if cost.depth == MAX_DEPTH {
                    at_the_limit = Some(levels);
                }
            }
            Err(errors) => {
                assert!(limit_refused(&errors, "depth"), "{errors:?}");
                break;
            }
        }
    }
    let levels = at_the_limit.expect("a query exactly MAX_DEPTH deep validates");
    let errors = validate(&deep(levels + 1))
        .await
        .expect_err("one level more than MAX_DEPTH");
    assert!(limit_refused(&errors, "depth"), "{errors:?}");
    assert_eq!(errors[0].message, "Query is nested too deep.");
}

#[tokio::test]
async fn the_published_complexity_passes_and_more_is_refused() {
    let page = "applications(first: 100) { edges { node { cup amountEur state administration { name region } call { title } } } }";
    let one = validate(&format!("{{ a0: {page} }}")).await.unwrap();
    let fit = MAX_COMPLEXITY / one.complexity;
    assert!(fit < MAX_ALIASES, "the aliases limit must not decide here");
    let pages = |n: usize| -> String {
        let fields: String = (0..n).map(|i| format!("a{i}: {page} ")).collect();
        format!("{{ {fields} }}")
    };
    let cost = validate(&pages(fit)).await.unwrap();
    assert!(cost.complexity <= MAX_COMPLEXITY, "{cost:?}");
    let errors = validate(&pages(fit + 1))
        .await
        .expect_err("more than MAX_COMPLEXITY");
    assert!(limit_refused(&errors, "complexity"), "{errors:?}");
    assert_eq!(errors[0].message, "Query is too complex.");
}

#[tokio::test]
async fn the_published_number_of_aliases_passes_and_one_more_is_refused() {
    let aliased = |n: usize| -> String {
        let fields: String = (0..n)
            .map(|i| format!("c{i}: calls {{ title }} "))
            .collect();
        format!("{{ {fields} }}")
    };
    validate(&aliased(MAX_ALIASES)).await.unwrap();
    let errors = validate(&aliased(MAX_ALIASES + 1))
        .await
        .expect_err("more than MAX_ALIASES");
    assert!(limit_refused(&errors, "aliases"), "{errors:?}");
    // Aliases inside fragments count too.
    let in_fragment = format!(
        "{{ ...F }} fragment F on QueryRoot {{ {} }}",
        (0..=MAX_ALIASES)
            .map(|i| format!("c{i}: calls {{ title }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let errors = validate(&in_fragment)
        .await
        .expect_err("aliases in a fragment");
    assert!(limit_refused(&errors, "aliases"), "{errors:?}");
}

both! {
    async fn the_published_page_size_passes_and_one_more_is_refused(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        let q = |first: usize| format!("{{ applications(first: {first}) {{ totalCount edges {{ node {{ cup }} }} }} }}");
        let r = gql(&t.db, &q(MAX_PAGE_SIZE), json!({})).await;
        assert!(r["errors"].is_null(), "{r}");
        let r = gql(&t.db, &q(MAX_PAGE_SIZE + 1), json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "first");
        for paged in [
            "notifications(first: 101) { totalCount }",
            "overdueProjects(first: 101) { totalCount }",
        ] {
            let r = gql(&t.db, &format!("{{ {paged} }}"), json!({})).await;
            // PUBLIC is refused before the size is read; the size rule is the same
            // function (`pagination::page_size`) for every paged field.
            assert!(r["errors"].is_array(), "{r}");
        }
    }
}

fn cost(r: &Value) -> &Value {
    &r["extensions"]["cost"]
}

both! {
    async fn every_answer_carries_its_cost_and_the_remaining_budget(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        let app = TestApp::start_with(&t.db, |o| o.requests_per_minute = 50).await;
        let query = "{ stats { applications amountEur } calls { title } }";
        let (status, first) = app.graphql_as(None, query, json!({})).await;
        assert_eq!(status, 200, "{first}");
        let c = cost(&first);
        let requested = c["requested"].as_u64().expect("requested");
        assert!(requested >= 4, "{first}");
        assert_eq!(c["maxComplexity"], MAX_COMPLEXITY);
        assert_eq!(c["maxDepth"], MAX_DEPTH);
        assert_eq!(c["depth"], 2);
        assert_eq!(c["limit"], 50);
        assert_eq!(c["remaining"], 49);
        let reset = chrono::DateTime::parse_from_rfc3339(c["resetAt"].as_str().unwrap()).unwrap();
        let in_secs = (reset.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
        assert!((-1..=61).contains(&in_secs), "{in_secs}");

        // The same public query again comes from the response cache: the same cost, a
        // budget one smaller.
        let (_, second) = app.graphql_as(None, query, json!({})).await;
        assert_eq!(second["data"], first["data"]);
        assert_eq!(cost(&second)["requested"], requested);
        assert_eq!(cost(&second)["remaining"], 48);

        // A refused query says what it would have cost where it validated, and the
        // budget always.
        let (_, refused) = app.graphql_as(None, "{ myProjects { cup } }", json!({})).await;
        assert_eq!(error_code(&refused).as_deref(), Some("UNAUTHENTICATED"), "{refused}");
        assert!(cost(&refused)["requested"].as_u64().is_some(), "{refused}");
        assert_eq!(cost(&refused)["remaining"], 47);
        let (_, invalid) = app.graphql_as(None, "{ nothing }", json!({})).await;
        assert_eq!(error_code(&invalid).as_deref(), Some("BAD_REQUEST"), "{invalid}");
        assert!(cost(&invalid)["requested"].is_null(), "{invalid}");
        assert_eq!(cost(&invalid)["remaining"], 46);

        // Over the limit: 429 with a budget of 0.
        for _ in 0..46 {
            app.graphql_as(None, "{ calls { title } }", json!({})).await;
        }
        let (status, over) = app.graphql_as(None, query, json!({})).await;
        assert_eq!(status, 429, "{over}");
        assert_eq!(cost(&over)["remaining"], 0, "{over}");
    }
}

both! {
    async fn an_int_beyond_32_bits_that_only_the_resolver_reads_is_invalid_input(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        let app = TestApp::start(&t.db).await;
        let query = "mutation { updateServiceStatusesByFilter(filter: {}, status: MIGRATING, expectedCount: -9138624057359) { moved } }";
        let (status, r) = app.graphql_as(None, query, json!({})).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
    }
}
