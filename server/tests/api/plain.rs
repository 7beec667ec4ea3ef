//! A page of projects answers a plain selection of its edges without async-graphql's
//! executor (`graphql::application::plain`): the answer must be the executor's, field for
//! field, on every project of the open data and on both databases; any selection that is
//! not plain goes to the executor, with the same answer as ever.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::parser::types::{Selection, SelectionSet};
use nuvola_server::entity::call;
use nuvola_server::entity::positional::Width;
use nuvola_server::graphql::application::object::ApplicationConnection;
use nuvola_server::graphql::application::plain::Edges;
use nuvola_server::graphql::limits::Unchecked;
use nuvola_server::graphql::viewer::{RequestMeta, Viewer};
use nuvola_server::graphql::NuvolaSchema;
use nuvola_server::service::applications;
use nuvola_shared::api::ApplicationFilter;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use serde_json::{json, Value};

use crate::helpers::{both, http_schemas, run_as_http, TestDb};

/// Every field the plain path answers, at every level, some under an alias.
const EVERY_PLAIN_FIELD: &str = "
    __typename cursor
    node {
        __typename cup amountEur state openDataState fundedOn submittedAt timeWindow
        protocolNumber decree version progressReportedAt
        ente: administration {
            __typename ipaCode name type typeLabel region regionIstat comune comuneIstat
            provincia provinciaIstat
        }
        call {
            __typename title measure targetTypes opensOn closesOn budgetEur contractTerm
            completionTerm hardCap version
        }
        codice: cup
    }";

fn page_query(edges: &str) -> String {
    format!(
        "query Page($after: String, $state: ApplicationState) {{ applications(first: 100, after: $after, filter: {{state: $state}}) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ {edges} }} }} }}"
    )
}

/// The selection of `edges` in a page query.
fn edges_selection(document: &async_graphql::parser::types::ExecutableDocument) -> SelectionSet {
    fn find(set: &SelectionSet) -> Option<SelectionSet> {
        set.items.iter().find_map(|item| match &item.node {
            Selection::Field(f) if f.node.name.node == "edges" => {
                Some(f.node.selection_set.node.clone())
            }
            Selection::Field(f) => find(&f.node.selection_set.node),
            _ => None,
        })
    }
    let (_, operation) = document.operations.iter().next().unwrap();
    find(&operation.node.selection_set.node).expect("a selection of edges")
}

async fn run_on(
    schema: &NuvolaSchema,
    db: &DatabaseConnection,
    query: &str,
    variables: Value,
) -> Value {
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    let request = nuvola_server::graphql::with_request_data(
        request,
        db,
        Viewer(None),
        RequestMeta::default(),
    );
    serde_json::to_value(schema.execute(request).await).unwrap()
}

/// As `POST /graphql` runs a request: checked on the schema with the limits, run on the
/// one without extensions (where the plain path is taken).
async fn over_http(
    schemas: &(NuvolaSchema, Unchecked),
    db: &DatabaseConnection,
    query: &str,
    variables: Value,
) -> Value {
    run_as_http(
        schemas,
        db,
        &json!({ "query": query, "variables": variables }),
    )
    .await
    .0
}

both! {
    async fn every_plain_field_of_every_project_is_what_the_executor_answers(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        // The open data leaves some fields empty; give the rest a value somewhere, so that
        // every field is compared with a value as well as with null.
        t.db.execute_unprepared(
            "UPDATE application SET progress_reported_at = submitted_at, decree_ref = 'decreto ' || id WHERE id % 7 = 0",
        )
        .await
        .unwrap();
        t.db.execute_unprepared("UPDATE call SET hard_cap = closes_on WHERE id % 2 = 0").await.unwrap();
        let schemas = http_schemas(&t.db);
        let query = page_query(EVERY_PLAIN_FIELD);
        let selection = edges_selection(&async_graphql::parser::parse_query(&query).unwrap());
        let calls: Arc<HashMap<i32, call::Model>> = Arc::new(
            call::Entity::find().all(&t.db).await.unwrap().into_iter().map(|c| (c.id, c)).collect(),
        );
        let filter = ApplicationFilter::default().parse().unwrap();

        let (mut after, mut pages, mut projects) = (None::<String>, 0, 0);
        loop {
            // The executor's answer: the schema with the limits never takes the plain path.
            let generic = run_on(&schemas.0, &t.db, &query, json!({ "after": after })).await;
            assert!(generic["errors"].is_null(), "{generic}");
            let connection = &generic["data"]["applications"];

            // The plain answer, from the same page as the query reads it.
            let after_id = after.as_deref().map(|c| nuvola_server::graphql::application::object::decode_cursor(c).unwrap());
            let page = applications::page(&t.db, &filter, 100, after_id, true, Width::Public).await.unwrap();
            let page = ApplicationConnection::new(filter.clone(), page, Some(calls.clone()), after_id.is_some());
            let plain = Edges(&page.edges).plain(&selection).expect("every node answers the plain selection");
            assert_eq!(plain.into_json().unwrap(), connection["edges"], "page {pages}");

            // And through the HTTP path, which takes it.
            let http = over_http(&schemas, &t.db, &query, json!({ "after": after })).await;
            assert_eq!(http, generic, "page {pages}");

            projects += connection["edges"].as_array().unwrap().len();
            pages += 1;
            if connection["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = connection["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(projects, crate::helpers::ALL_ROWS);
        assert!(pages > 100, "{pages}");

        // Each state, filtered: the same answers.
        for state in ["SUBMITTED", "FUNDED", "COMPLETED", "PAID", "RENOUNCED", "REVOKED"] {
            let variables = json!({ "state": state });
            let generic = run_on(&schemas.0, &t.db, &query, variables.clone()).await;
            assert_eq!(over_http(&schemas, &t.db, &query, variables).await, generic, "{state}");
        }
    }
}

both! {
    async fn a_selection_that_is_not_plain_is_answered_by_the_executor(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let schemas = http_schemas(&t.db);
        // (the selection of a node, what follows the operation)
        let shapes = [
            // A fragment, a directive, a field listed nowhere, a key used twice.
            ("node { ...F }", " fragment F on Application { cup administration { name } }"),
            ("node { cup @include(if: false) amountEur administration { name @skip(if: true) region } }", ""),
            ("node { cup nextDeadline { kind dueOn } overdue { kind since } }", ""),
            ("node { cup administration { kind name } }", ""),
            ("node { cup, cup administration { name } }", ""),
            ("node { ... on Application { cup } amountEur }", ""),
            // Plain, for comparison.
            ("node { cup amountEur state fundedOn administration { ipaCode name type region } call { title } }", ""),
        ];
        let filter = ApplicationFilter::default().parse().unwrap();
        let calls: Arc<HashMap<i32, call::Model>> = Arc::new(
            call::Entity::find().all(&t.db).await.unwrap().into_iter().map(|c| (c.id, c)).collect(),
        );
        for (shape, after) in shapes {
            let query = format!("{}{after}", page_query(shape));
            let generic = run_on(&schemas.0, &t.db, &query, json!({})).await;
            assert!(generic["errors"].is_null(), "{shape}: {generic}");
            assert_eq!(generic["data"]["applications"]["edges"].as_array().unwrap().len(), 100, "{shape}");
            let http = over_http(&schemas, &t.db, &query, json!({})).await;
            assert_eq!(http, generic, "{shape}");

            let selection = edges_selection(&async_graphql::parser::parse_query(&query).unwrap());
            let with_calls = |calls: Option<Arc<HashMap<i32, call::Model>>>| {
                let filter = filter.clone();
                let db = t.db.clone();
                async move {
                    let page = applications::page(&db, &filter, 100, None, true, Width::Whole).await.unwrap();
                    ApplicationConnection::new(filter, page, calls, false)
                }
            };
            let page = with_calls(Some(calls.clone())).await;
            let answered = Edges(&page.edges).plain(&selection);
            if shape.starts_with("node { cup amountEur state") {
                assert_eq!(answered.unwrap().into_json().unwrap(), generic["data"]["applications"]["edges"]);
                // Without the calls (a page not given them), its `call` goes to the
                // executor, which reads them through the loaders.
                let page = with_calls(None).await;
                assert!(Edges(&page.edges).plain(&selection).is_none());
            } else {
                assert!(answered.is_none(), "{shape}");
            }
        }
    }
}
