//! The limits a client can see: every answer carries the query's cost and what is left
//! of the client's budget (`extensions.cost`), and the maxima README.md and the page
//! "API e dati aperti" publish (depth, complexity, aliases, page size) are exactly the
//! ones enforced: the published number passes, one more is refused.

use serde_json::{json, Value};

use crate::helpers::{both, error_code, gql, http_schemas, run_as_http, TestApp, TestDb};
use crate::permissions::{ask, world};
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
    }
}

/// Every field that pages with `first` (capped at [`MAX_PAGE_SIZE`]), with someone of
/// the test world who may read it: `{first}` is replaced by the size asked for.
const PAGED: &[(&str, &str)] = &[
    (
        "public",
        r#"{ applications(first: {first}) { totalCount } }"#,
    ),
    (
        "public",
        r#"{ searchAdministrations(text: "Genova", first: {first}) { totalCount } }"#,
    ),
    (
        "dipartimento",
        r#"{ notifications(first: {first}) { totalCount } }"#,
    ),
    (
        "scuola",
        r#"{ notifications(first: {first}) { totalCount } }"#,
    ),
    (
        "dipartimento",
        r#"{ overdueProjects(first: {first}) { totalCount } }"#,
    ),
    (
        "dipartimento",
        r#"{ accessRequests(first: {first}) { totalCount } }"#,
    ),
    (
        "dipartimento",
        r#"{ pendingRenunciations(first: {first}) { totalCount } }"#,
    ),
    (
        "dipartimento",
        r#"{ failedDeliveries(first: {first}) { id } }"#,
    ),
    (
        "dipartimento",
        r#"{ webhooks { deliveries(first: {first}) { id } } }"#,
    ),
    (
        "fornitore",
        r#"{ myServices(first: {first}) { totalCount } }"#,
    ),
    ("psn", r#"{ myServices(first: {first}) { totalCount } }"#),
    ("scuola", r#"{ myServices(first: {first}) { totalCount } }"#),
    (
        "scuola",
        r#"{ myProjectsConnection(first: {first}) { totalCount } }"#,
    ),
    (
        "fornitore",
        r#"{ myProjectsConnection(first: {first}) { totalCount } }"#,
    ),
    (
        "asseveratore",
        r#"{ myProjectsConnection(first: {first}) { totalCount } }"#,
    ),
    (
        "asseveratore",
        r#"{ myRequestsConnection(first: {first}) { totalCount } }"#,
    ),
    (
        "scuola",
        r#"{ myRequestsConnection(first: {first}) { totalCount } }"#,
    ),
];

both! {
    async fn every_paged_field_gives_the_published_page_size_to_who_reads_it_and_refuses_one_more(backend: Backend) {
        let w = world(backend).await;
        // A webhook of the department, so that its deliveries are asked for.
        let r = ask(
            &w,
            Some("dipartimento"),
            r#"mutation { registerWebhook(url: "http://127.0.0.1:9/hook", kinds: [PROJECT_STATE_CHANGED]) { secret } }"#,
            json!({}),
        )
        .await;
        assert!(r["errors"].is_null(), "{r}");
        for &(who, template) in PAGED {
            let who = (who != "public").then_some(who);
            let at = |n: usize| template.replace("{first}", &n.to_string());
            let r = ask(&w, who, &at(MAX_PAGE_SIZE), json!({})).await;
            assert!(r["errors"].is_null(), "{who:?} {}: {r}", at(MAX_PAGE_SIZE));
            assert!(r["data"].is_object(), "{r}");
            let r = ask(&w, who, &at(MAX_PAGE_SIZE + 1), json!({})).await;
            assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{who:?} {}: {r}", at(MAX_PAGE_SIZE + 1));
            assert_eq!(r["errors"][0]["extensions"]["field"], "first", "{r}");
            // The refusal is the paged field's own, and it returned nothing.
            let field = template
                .split('(')
                .next()
                .and_then(|head| head.rsplit(|c: char| !c.is_alphanumeric()).next())
                .unwrap();
            let path = r["errors"][0]["path"].as_array().expect("the refused field's path");
            assert_eq!(path.last(), Some(&json!(field)), "{r}");
        }
        // Every field of the schema that takes a page size is in the list above, so a
        // new one cannot ship unproven.
        let sdl = nuvola_server::graphql::sdl();
        for field in paged_fields(&sdl) {
            assert!(
                PAGED.iter().any(|(_, q)| q.contains(&format!("{field}("))),
                "{field} pages with first but is not checked here"
            );
        }
    }
}

/// The fields whose documentation says their `first` is at most [`MAX_PAGE_SIZE`].
fn paged_fields(sdl: &str) -> Vec<String> {
    let cap = format!("`first` is at most {MAX_PAGE_SIZE}");
    let mut fields = Vec::new();
    let mut doc = String::new();
    let mut in_doc = false;
    for line in sdl.lines().map(str::trim) {
        if line == "\"\"\"" {
            if !in_doc {
                doc.clear();
            }
            in_doc = !in_doc;
            continue;
        }
        if in_doc {
            doc.push(' ');
            doc.push_str(line);
            continue;
        }
        if let Some((name, _)) = line.split_once('(') {
            if doc
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .contains(&cap)
            {
                fields.push(name.trim().to_owned());
            }
        }
        doc.clear();
    }
    fields
}

/// `n` with its thousands grouped by `sep` (20,000 in English, 20.000 in Italian).
fn grouped(n: usize, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The second cell of the Markdown table row whose first cell starts with `label`.
fn readme_value<'a>(readme: &'a str, label: &str) -> &'a str {
    let row = readme
        .lines()
        .find(|l| l.starts_with(&format!("| {label}")))
        .unwrap_or_else(|| panic!("README.md has no row {label:?}"));
    row.split('|').nth(2).map(str::trim).unwrap_or("")
}

/// The value cell (`<td>"…"</td>`) of the page's table row labelled `label`.
fn page_value<'a>(page: &'a str, label: &str) -> &'a str {
    let row = page
        .lines()
        .find(|l| l.contains(&format!("\"{label}\"")) && l.contains("<td>"))
        .unwrap_or_else(|| panic!("the API page has no row {label:?}"));
    let cell = &row[row.rfind("<td>\"").expect("a value cell") + 5..];
    &cell[..cell.find("\"</td>").expect("the end of the value cell")]
}

#[test]
fn the_maxima_readme_and_the_api_page_publish_are_the_enforced_constants() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let page = std::fs::read_to_string(format!("{root}/frontend/src/pages/api_docs.rs")).unwrap();
    for (label, max) in [
        ("query depth", MAX_DEPTH),
        ("query complexity", MAX_COMPLEXITY),
        ("aliases per query", MAX_ALIASES),
        ("items per page", MAX_PAGE_SIZE),
    ] {
        assert_eq!(
            readme_value(&readme, label),
            grouped(max, ','),
            "README.md, {label}"
        );
    }
    for (label, max) in [
        ("Profondità della query", MAX_DEPTH),
        ("Complessità della query", MAX_COMPLEXITY),
        ("Alias per query", MAX_ALIASES),
        ("Elementi per pagina (first)", MAX_PAGE_SIZE),
    ] {
        assert_eq!(
            page_value(&page, label),
            grouped(max, '.'),
            "the API page, {label}"
        );
    }
    // The page's prose and its example of extensions.cost.
    for text in [
        format!("first (al massimo {MAX_PAGE_SIZE})"),
        format!("first (at most {MAX_PAGE_SIZE})"),
        format!("\"maxComplexity\": {MAX_COMPLEXITY}"),
        format!("\"maxDepth\": {MAX_DEPTH}"),
    ] {
        assert!(page.contains(&text), "the API page does not say {text:?}");
    }
    // And the schema's own words on every paged field.
    let sdl = nuvola_server::graphql::sdl();
    let fields = paged_fields(&sdl);
    assert!(fields.len() >= 10, "{fields:?}");
    let flat = sdl.split_whitespace().collect::<Vec<_>>().join(" ");
    for said in flat.match_indices("`first` is at most ") {
        let n: String = flat[said.0 + said.1.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert_eq!(
            n,
            MAX_PAGE_SIZE.to_string(),
            "the schema documents a page of {n}"
        );
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

both! {
    async fn over_http_requests_are_refused_as_validate_refuses_them_and_a_page_reads_its_bodies(backend: Backend) {
        // `POST /graphql` checks a request on the schema with the limits and runs it on
        // the schema without extensions: the refusals are the ones `validate` gives.
        let t = TestDb::with_calls_and_one_body(backend).await;
        let app = TestApp::start(&t.db).await;
        let aliased: String = (0..=MAX_ALIASES).map(|i| format!("c{i}: calls {{ title }} ")).collect();
        // Twice: a refusal is not remembered as a pass.
        for _ in 0..2 {
            let (status, r) = app.graphql_as(None, &format!("{{ {aliased} }}"), json!({})).await;
            assert_eq!(status, 200, "{r}");
            assert_eq!(error_code(&r).as_deref(), Some("LIMIT_EXCEEDED"), "{r}");
            assert_eq!(r["errors"][0]["extensions"]["limit"], "aliases", "{r}");
            assert!(r["data"].is_null(), "{r}");
        }

        let page = "applications(first: 100) { edges { node { cup administration { name } call { title } } } }";
        let pages: String = (0..MAX_ALIASES).map(|i| format!("p{i}: {page} ")).collect();
        let (_, r) = app.graphql_as(None, &format!("{{ {pages} }}"), json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("LIMIT_EXCEEDED"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["limit"], "complexity", "{r}");
        assert!(r["data"].is_null(), "{r}");

        let (_, r) = app.graphql_as(None, "query Q($n: Int) { calls(x: $n) { title } }", json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("BAD_REQUEST"), "{r}");

        // A value the schema's types refuse: INVALID_INPUT, as from `validate`.
        let (_, r) = app.graphql_as(None, "{ applications(filter: { state: NOT_A_STATE }) { totalCount } }", json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");

        // A query that passes answers with its cost; its page reads its bodies joined to
        // its rows, and its calls from the summary.
        let (status, r) = app
            .graphql_as(None, "{ applications(first: 5) { totalCount edges { node { cup administration { name } call { title } } } } }", json!({}))
            .await;
        assert_eq!(status, 200, "{r}");
        assert!(r["errors"].is_null(), "{r}");
        let edges = r["data"]["applications"]["edges"].as_array().unwrap();
        assert!(!edges.is_empty(), "{r}");
        for edge in edges {
            assert!(edge["node"]["administration"]["name"].is_string(), "{r}");
            assert!(edge["node"]["call"]["title"].is_string(), "{r}");
        }
        assert!(cost(&r)["requested"].as_u64().is_some(), "{r}");
    }
}

both! {
    async fn a_request_that_passed_runs_again_unchecked_and_any_other_is_checked(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let schemas = http_schemas(&t.db);
        let query = "query Page($n: Int) { applications(first: $n) { edges { node { cup call { title } } } } }";
        let two = json!({ "query": query, "variables": { "n": 2 } });

        // Checked the first time, remembered, and run from memory the second: the same
        // answer and the same cost.
        let (first, first_cost, recalled) = run_as_http(&schemas, &t.db, &two).await;
        assert!(!recalled);
        assert!(first["errors"].is_null(), "{first}");
        assert_eq!(first["data"]["applications"]["edges"].as_array().unwrap().len(), 2, "{first}");
        assert!(first_cost.is_some_and(|c| c.complexity > 2 && c.depth == 5), "{first_cost:?}");
        assert_eq!(schemas.1.remembered().0, 1);
        let (second, second_cost, recalled) = run_as_http(&schemas, &t.db, &two).await;
        assert!(recalled);
        assert_eq!(second, first);
        assert_eq!(second_cost, first_cost);

        // The same query with other variables is another request: checked anew, and
        // refused where its values are wrong.
        let (r, _, recalled) = run_as_http(&schemas, &t.db, &json!({ "query": query, "variables": { "n": "two" } })).await;
        assert!(!recalled);
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        let (r, _, recalled) = run_as_http(&schemas, &t.db, &json!({ "query": query, "variables": { "n": MAX_PAGE_SIZE + 1 } })).await;
        assert!(!recalled);
        assert!(error_code(&r).is_some(), "{r}");
        let (r, cost, recalled) = run_as_http(&schemas, &t.db, &json!({ "query": query, "variables": { "n": 1 } })).await;
        assert!(!recalled);
        assert_eq!(r["data"]["applications"]["edges"].as_array().unwrap().len(), 1, "{r}");
        assert!(cost.is_some_and(|c| c.complexity < first_cost.unwrap().complexity), "{cost:?}");

        // A refusal is never remembered: the same body is refused again, as the first
        // time, with its code.
        let invalid = json!({ "query": "{ nothing }" });
        for _ in 0..2 {
            let (r, cost, recalled) = run_as_http(&schemas, &t.db, &invalid).await;
            assert!(!recalled);
            assert!(cost.is_none());
            assert_eq!(error_code(&r).as_deref(), Some("BAD_REQUEST"), "{r}");
        }
        // Three passed every check (n = 2, 101 and 1): a page over the limit is refused
        // by its resolver, after the checks, each time it runs.
        assert_eq!(schemas.1.remembered().0, 3, "the requests that passed every check");

        // A body too long to remember is checked every time, and still answered.
        let padding = " ".repeat(nuvola_server::graphql::limits::REMEMBERED_BODY_BYTES);
        let long = json!({ "query": format!("{query}{padding}"), "variables": { "n": 2 } });
        for _ in 0..2 {
            let (r, _, recalled) = run_as_http(&schemas, &t.db, &long).await;
            assert!(!recalled);
            assert_eq!(r["data"], first["data"], "{r}");
        }
        assert_eq!(schemas.1.remembered().0, 3);

        // Many bodies that pass: the bytes remembered stay within their bound, the
        // least recently used going first; the one used most recently is still there.
        use nuvola_server::graphql::limits::{REMEMBERED_BODY_BYTES, REMEMBERED_BYTES};
        let titled = "query Page($t: String) { applications(first: 1, filter: {callTitle: $t}) { totalCount } }";
        let bodies = 2 * REMEMBERED_BYTES / (REMEMBERED_BODY_BYTES / 2);
        for i in 0..bodies {
            let title = format!("{i:0>width$}", width = REMEMBERED_BODY_BYTES / 2);
            let body = json!({ "query": titled, "variables": { "t": title } });
            let (r, cost, _) = run_as_http(&schemas, &t.db, &body).await;
            assert!(cost.is_some(), "{r}");
            let (count, bytes) = schemas.1.remembered();
            assert!(bytes <= REMEMBERED_BYTES, "{count} bodies, {bytes} bytes");
        }
        let (count, _) = schemas.1.remembered();
        assert!(count < bodies && count >= REMEMBERED_BYTES / REMEMBERED_BODY_BYTES, "{count}");
        let last = format!("{:0>width$}", bodies - 1, width = REMEMBERED_BODY_BYTES / 2);
        let (_, _, recalled) = run_as_http(&schemas, &t.db, &json!({ "query": titled, "variables": { "t": last } })).await;
        assert!(recalled);
        let (_, _, recalled) = run_as_http(&schemas, &t.db, &two).await;
        assert!(!recalled, "pushed out by the newer ones");
    }
}
