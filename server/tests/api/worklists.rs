//! The paged lists of one's own work (issue 14): `myServices` and
//! `myProjectsConnection` a page at a time (sizes, cursors, totals, filters), each
//! role only its own in every page; and `updateServiceStatusesByFilter`, which moves
//! every service a filter selects across pages, all or none.

use std::collections::BTreeSet;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::{json, Value};

use crate::helpers::{both, error_code};
use crate::permissions::{ask, world, World, SCHOOL_CUP};
use nuvola_server::entity::{application, event, planned_service, supplier};

const SERVICES: &str = "query($first: Int, $after: String, $filter: ServiceFilter) {
  myServices(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id name status version } project { cup administration { name region } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";

const PROJECTS: &str = "query($first: Int, $after: String, $filter: MyProjectFilter) {
  myProjectsConnection(first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { cup state } } pageInfo { hasNextPage endCursor } } }";

const BY_FILTER: &str = "mutation($filter: ServiceFilter, $status: ServiceStatus!, $n: Int!) {
  updateServiceStatusesByFilter(filter: $filter, status: $status, expectedCount: $n) { moved status } }";

const GENOVA_CUP: &str = "B31C22000060007";

/// Services added to the test world: `fornitore` gets 12 more in the school's project
/// (Emilia-Romagna) and 12 in Genova's (Liguria), 25 with the world's own; PSN gets 5
/// in Genova's. Every one ASSESSED, both projects CONTRACTED, so that they may move.
async fn many_services(w: &World) -> (i32, i32) {
    let db = &w.t.db;
    let project = |cup: &'static str| async move {
        application::Entity::find()
            .filter(application::Column::Cup.eq(cup))
            .one(db)
            .await
            .unwrap()
            .unwrap()
    };
    let school = project(SCHOOL_CUP).await;
    let genova = project(GENOVA_CUP).await;
    let vat = |v: &'static str| async move {
        supplier::Entity::find()
            .filter(supplier::Column::VatNumber.eq(v))
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let fornitore = vat("01234567897").await;
    let psn = vat("16825251008").await;
    let now = Utc::now();
    let rows: Vec<(i32, i32, String)> = (1..=12)
        .map(|i| (school.id, fornitore, format!("Registro elettronico {i:02}")))
        .chain((1..=12).map(|i| (genova.id, fornitore, format!("Tributi {i:02}"))))
        .chain((1..=5).map(|i| (genova.id, psn, format!("Anagrafe PSN {i}"))))
        .collect();
    for (application_id, supplier_id, name) in rows {
        planned_service::ActiveModel {
            application_id: Set(application_id),
            name: Set(name),
            data_class: Set("ORDINARIO".to_owned()),
            supplier_id: Set(Some(supplier_id)),
            status: Set("ASSESSED".to_owned()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    planned_service::Entity::update_many()
        .col_expr(
            planned_service::Column::Status,
            sea_orm::sea_query::Expr::value("ASSESSED"),
        )
        .filter(planned_service::Column::SupplierId.eq(fornitore))
        .exec(db)
        .await
        .unwrap();
    for p in [school, genova] {
        let mut p: application::ActiveModel = p.into();
        p.state = Set("CONTRACTED".to_owned());
        p.update(db).await.unwrap();
    }
    (fornitore, psn)
}

/// Every page of `myServices` for `who`, `size` at a time: the ids in order and the
/// totals each page reported.
async fn all_pages(w: &World, who: &str, size: i32, filter: Value) -> (Vec<i64>, BTreeSet<i64>) {
    let mut ids = Vec::new();
    let mut totals = BTreeSet::new();
    let mut after = Value::Null;
    for page in 0.. {
        assert!(page < 100, "too many pages");
        let r = ask(
            w,
            Some(who),
            SERVICES,
            json!({ "first": size, "after": after, "filter": filter }),
        )
        .await;
        let c = &r["data"]["myServices"];
        assert!(c.is_object(), "{who}: {r}");
        totals.insert(c["totalCount"].as_i64().unwrap());
        let edges = c["edges"].as_array().unwrap();
        assert!(edges.len() <= size as usize);
        assert_eq!(c["pageInfo"]["hasPreviousPage"], json!(page > 0));
        for e in edges {
            ids.push(e["node"]["id"].as_str().unwrap().parse::<i64>().unwrap());
        }
        if edges.is_empty() {
            assert_eq!(c["pageInfo"]["endCursor"], Value::Null);
        } else {
            assert_eq!(
                c["pageInfo"]["endCursor"],
                edges.last().unwrap()["cursor"],
                "{r}"
            );
        }
        if c["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = c["pageInfo"]["endCursor"].clone();
    }
    (ids, totals)
}

both! {
    async fn a_suppliers_services_come_a_page_at_a_time_and_only_its_own(backend: Backend) {
        let w = world(backend).await;
        let (fornitore, psn) = many_services(&w).await;
        let own = |supplier: i32| {
            let db = w.t.db.clone();
            async move {
                planned_service::Entity::find()
                    .filter(planned_service::Column::SupplierId.eq(supplier))
                    .all(&db)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|s| i64::from(s.id))
                    .collect::<Vec<_>>()
            }
        };
        let mut mine = own(fornitore).await;
        mine.sort_unstable();
        let mut psns = own(psn).await;
        psns.sort_unstable();
        assert_eq!((mine.len(), psns.len()), (25, 5));
        // Every page size gives the same list, in id order, with the same total.
        for size in [1, 7, 10, 25, 100] {
            let (ids, totals) = all_pages(&w, "fornitore", size, Value::Null).await;
            assert_eq!(ids, mine, "page size {size}");
            assert_eq!(totals, BTreeSet::from([25]), "page size {size}");
        }
        // PSN: its own five, never one of the other supplier's, in any page.
        let (ids, totals) = all_pages(&w, "psn", 2, Value::Null).await;
        assert_eq!(ids, psns);
        assert_eq!(totals, BTreeSet::from([5]));
        // An empty page is still a page.
        let r = ask(&w, Some("fornitore"), SERVICES, json!({ "first": 0 })).await;
        assert_eq!(r["data"]["myServices"]["totalCount"], 25, "{r}");
        assert_eq!(r["data"]["myServices"]["edges"], json!([]));
        assert_eq!(r["data"]["myServices"]["pageInfo"]["hasNextPage"], true);

        // Filters: region, search (service, body, CUP; any case), status; they combine.
        for (filter, expected) in [
            (json!({ "region": "Liguria" }), 12),
            (json!({ "region": "Emilia-Romagna" }), 13),
            (json!({ "search": "TRIBUTI" }), 12),
            (json!({ "search": "comune di genova" }), 12),
            (json!({ "search": "g71c2200" }), 13),
            (json!({ "search": "registro elettronico 1" }), 3),
            (json!({ "status": "ASSESSED" }), 25),
            (json!({ "status": "MIGRATING" }), 0),
            (json!({ "search": "tributi", "region": "Emilia-Romagna" }), 0),
            (json!({ "search": "50%" }), 0),
            (json!({ "search": "  ", "region": "" }), 25),
        ] {
            let (ids, totals) = all_pages(&w, "fornitore", 5, filter.clone()).await;
            assert_eq!(ids.len(), expected, "{filter}");
            assert_eq!(totals, BTreeSet::from([expected as i64]), "{filter}");
            assert!(ids.iter().all(|id| mine.contains(id)), "{filter}");
        }
        let (ids, _) = all_pages(&w, "psn", 5, json!({ "search": "tributi" })).await;
        assert!(ids.is_empty(), "PSN found another supplier's services: {ids:?}");

        // Bad input: a page too large, a cursor of another list, an unknown region, a
        // search too long.
        let first = ask(&w, Some("fornitore"), SERVICES, json!({ "first": 5 })).await;
        let cursor = first["data"]["myServices"]["pageInfo"]["endCursor"].clone();
        let projects = ask(&w, Some("fornitore"), PROJECTS, json!({ "first": 1 })).await;
        let project_cursor = projects["data"]["myProjectsConnection"]["pageInfo"]["endCursor"].clone();
        for vars in [
            json!({ "first": 101 }),
            json!({ "first": -1 }),
            json!({ "after": project_cursor }),
            json!({ "after": "not-a-cursor" }),
            json!({ "filter": { "region": "Atlantide" } }),
            json!({ "filter": { "search": "x".repeat(101) } }),
        ] {
            let r = ask(&w, Some("fornitore"), SERVICES, vars.clone()).await;
            assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{vars}: {r}");
        }
        // A supplier's cursor gives PSN nothing of the supplier's.
        let r = ask(&w, Some("psn"), SERVICES, json!({ "after": cursor, "first": 100 })).await;
        for e in r["data"]["myServices"]["edges"].as_array().unwrap() {
            let id: i64 = e["node"]["id"].as_str().unwrap().parse().unwrap();
            assert!(psns.contains(&id), "{r}");
        }
        // The administration sees the services of its own projects, whoever holds them.
        let (ids, _) = all_pages(&w, "genova", 10, Value::Null).await;
        assert_eq!(ids.len(), planned_of(&w, GENOVA_CUP).await);
        assert!(ids.len() >= 17);
        // Roles without services of their own are refused.
        for who in ["dipartimento", "asseveratore"] {
            let r = ask(&w, Some(who), SERVICES, json!({})).await;
            assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{who}: {r}");
        }
        let r = ask(&w, None, SERVICES, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"), "{r}");
    }
}

/// How many planned services the project `cup` has.
async fn planned_of(w: &World, cup: &str) -> usize {
    let p = application::Entity::find()
        .filter(application::Column::Cup.eq(cup))
        .one(&w.t.db)
        .await
        .unwrap()
        .unwrap();
    planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(p.id))
        .count(&w.t.db)
        .await
        .unwrap() as usize
}

both! {
    async fn ones_projects_come_a_page_at_a_time_with_a_total_and_a_filter(backend: Backend) {
        let w = world(backend).await;
        many_services(&w).await;
        let pages = |who: &'static str, filter: Value| {
            let w = &w;
            async move {
                let mut cups = Vec::new();
                let mut after = Value::Null;
                loop {
                    let r = ask(w, Some(who), PROJECTS, json!({ "first": 1, "after": after, "filter": filter })).await;
                    let c = &r["data"]["myProjectsConnection"];
                    assert!(c.is_object(), "{who}: {r}");
                    for e in c["edges"].as_array().unwrap() {
                        cups.push(e["node"]["cup"].as_str().unwrap().to_owned());
                    }
                    if c["pageInfo"]["hasNextPage"] != json!(true) {
                        return (cups, c["totalCount"].as_i64().unwrap());
                    }
                    after = c["pageInfo"]["endCursor"].clone();
                }
            }
        };
        // The supplier holds services in both projects, PSN in Genova's only.
        let (cups, total) = pages("fornitore", Value::Null).await;
        assert_eq!((cups.len(), total), (2, 2), "{cups:?}");
        assert_eq!(pages("psn", Value::Null).await, (vec![GENOVA_CUP.to_owned()], 1));
        assert_eq!(pages("fornitore", json!({ "search": "genova" })).await, (vec![GENOVA_CUP.to_owned()], 1));
        assert_eq!(pages("fornitore", json!({ "search": "g71c" })).await, (vec![SCHOOL_CUP.to_owned()], 1));
        assert_eq!(pages("fornitore", json!({ "state": "CONTRACTED" })).await.1, 2);
        assert_eq!(pages("fornitore", json!({ "state": "PAID" })).await, (vec![], 0));
        // Each administration its own; the verifier those assigned to it.
        assert_eq!(pages("scuola", Value::Null).await, (vec![SCHOOL_CUP.to_owned()], 1));
        assert_eq!(pages("genova", Value::Null).await, (vec![GENOVA_CUP.to_owned()], 1));
        assert_eq!(pages("asseveratore", Value::Null).await, (vec![SCHOOL_CUP.to_owned()], 1));
        assert_eq!(pages("altro.asseveratore", Value::Null).await, (vec![], 0));
        let r = ask(&w, Some("dipartimento"), PROJECTS, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        // The old list still answers, the same projects.
        let r = ask(&w, Some("fornitore"), "{ myProjects { cup } }", json!({})).await;
        assert_eq!(r["data"]["myProjects"].as_array().unwrap().len(), 2, "{r}");
    }
}

/// The STATUS_CHANGED events of planned services.
async fn status_events(w: &World) -> u64 {
    event::Entity::find()
        .filter(event::Column::EntityType.eq("planned_service"))
        .filter(event::Column::Action.eq("STATUS_CHANGED"))
        .count(&w.t.db)
        .await
        .unwrap()
}

async fn statuses(w: &World, supplier: i32) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = planned_service::Entity::find()
        .filter(planned_service::Column::SupplierId.eq(supplier))
        .all(&w.t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.name, s.status))
        .collect();
    v.sort();
    v
}

both! {
    async fn an_update_by_filter_moves_every_selected_service_across_pages_or_none(backend: Backend) {
        let w = world(backend).await;
        let (fornitore, psn) = many_services(&w).await;
        let liguria = json!({ "region": "Liguria", "status": "ASSESSED" });
        let before = statuses(&w, fornitore).await;
        let psn_before = statuses(&w, psn).await;
        let events = status_events(&w).await;

        // The count the person confirmed is not what the filter selects: nothing moves.
        let r = ask(&w, Some("fornitore"), BY_FILTER, json!({ "filter": liguria, "status": "MIGRATING", "n": 11 })).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("12"), "{r}");
        // A step that does not exist for one of them refuses all of them.
        let r = ask(&w, Some("fornitore"), BY_FILTER, json!({ "filter": liguria, "status": "MIGRATED", "n": 12 })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_TRANSITION"), "{r}");
        for n in [0, -3, 10_001] {
            let r = ask(&w, Some("fornitore"), BY_FILTER, json!({ "filter": liguria, "status": "MIGRATING", "n": n })).await;
            assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{n}: {r}");
        }
        assert_eq!(statuses(&w, fornitore).await, before);
        assert_eq!(status_events(&w).await, events);

        // Twelve services over three pages of five: all twelve move, in one go.
        let (ids, totals) = all_pages(&w, "fornitore", 5, liguria.clone()).await;
        assert_eq!((ids.len(), totals), (12, BTreeSet::from([12])));
        let r = ask(&w, Some("fornitore"), BY_FILTER, json!({ "filter": liguria, "status": "MIGRATING", "n": 12 })).await;
        assert_eq!(r["data"]["updateServiceStatusesByFilter"], json!({ "moved": 12, "status": "MIGRATING" }), "{r}");
        let after = statuses(&w, fornitore).await;
        let moved: Vec<_> = after.iter().filter(|(_, s)| s == "MIGRATING").map(|(n, _)| n.clone()).collect();
        assert_eq!(moved.len(), 12);
        assert!(moved.iter().all(|n| n.starts_with("Tributi")), "{moved:?}");
        assert_eq!(after.iter().filter(|(_, s)| s == "ASSESSED").count(), 13);
        // The other supplier's services in the same project and region did not move.
        assert_eq!(statuses(&w, psn).await, psn_before);
        // One audit event per service; the project started migrating.
        assert_eq!(status_events(&w).await, events + 12);
        let genova = application::Entity::find()
            .filter(application::Column::Cup.eq(GENOVA_CUP))
            .one(&w.t.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(genova.state, "MIGRATING");
        // The same filter selects nothing now.
        let r = ask(&w, Some("fornitore"), BY_FILTER, json!({ "filter": liguria, "status": "MIGRATING", "n": 12 })).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");

        // PSN's filter reaches only PSN's services, even with a search for the others'.
        let r = ask(&w, Some("psn"), BY_FILTER, json!({ "filter": { "search": "tributi" }, "status": "MIGRATING", "n": 12 })).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        let r = ask(&w, Some("psn"), BY_FILTER, json!({ "filter": { "status": "ASSESSED" }, "status": "MIGRATING", "n": 5 })).await;
        assert_eq!(r["data"]["updateServiceStatusesByFilter"]["moved"], 5, "{r}");
        assert_eq!(statuses(&w, fornitore).await, after);
        // Who has no services of its own may not.
        for who in ["dipartimento", "asseveratore"] {
            let r = ask(&w, Some(who), BY_FILTER, json!({ "status": "MIGRATING", "n": 1 })).await;
            assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{who}: {r}");
        }
    }
}

const REQUESTS: &str = "query($first: Int, $after: String, $state: RequestState) {
  myRequestsConnection(first: $first, after: $after, state: $state) {
    totalCount edges { cursor node { id state dueOn } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";

both! {
    async fn a_request_inbox_comes_a_page_at_a_time_in_inbox_order(backend: Backend) {
        let w = world(backend).await;
        crate::requests::put_under_verification(&w).await;
        let open = "mutation($i: OpenRequestInput!) { openVerificationRequest(input: $i) { id version } }";
        let mut opened = Vec::new();
        for days in [30, 5, 12, 5, 60, 1, 20] {
            let due = (Utc::now().date_naive() + chrono::Duration::days(days)).to_string();
            let r = ask(&w, Some("asseveratore"), open, json!({ "i": {
                "cup": SCHOOL_CUP, "title": format!("Richiesta a {days} giorni"), "body": "Caricare il documento richiesto.", "dueOn": due,
            }})).await;
            opened.push(r["data"]["openVerificationRequest"].clone());
        }
        // One closed: it goes last.
        let close = "mutation($i: CloseRequestInput!) { closeVerificationRequest(input: $i) { id } }";
        let r = ask(&w, Some("asseveratore"), close, json!({ "i": { "id": opened[5]["id"], "version": opened[5]["version"] } })).await;
        assert!(r["errors"].is_null(), "{r}");
        let whole: Vec<Value> = ask(&w, Some("scuola"), "{ myRequests { id } }", json!({})).await["data"]["myRequests"]
            .as_array().unwrap().iter().map(|r| r["id"].clone()).collect();
        assert_eq!(whole.len(), 7);
        assert_eq!(whole[6], opened[5]["id"]);
        for who in ["scuola", "asseveratore"] {
            for size in [1, 3, 7, 100] {
                let mut ids = Vec::new();
                let mut after = Value::Null;
                loop {
                    let r = ask(&w, Some(who), REQUESTS, json!({ "first": size, "after": after })).await;
                    let c = &r["data"]["myRequestsConnection"];
                    assert_eq!(c["totalCount"], 7, "{who}: {r}");
                    assert_eq!(c["pageInfo"]["hasPreviousPage"], json!(!after.is_null()));
                    ids.extend(c["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].clone()));
                    if c["pageInfo"]["hasNextPage"] != json!(true) {
                        break;
                    }
                    after = c["pageInfo"]["endCursor"].clone();
                }
                assert_eq!(ids, whole, "{who}, pages of {size}");
            }
        }
        let r = ask(&w, Some("scuola"), REQUESTS, json!({ "state": "OPEN", "first": 2 })).await;
        assert_eq!(r["data"]["myRequestsConnection"]["totalCount"], 6, "{r}");
        assert_eq!(r["data"]["myRequestsConnection"]["edges"][0]["node"]["id"], whole[0]);
        // Genova and the other verifier have none of these; a supplier has no inbox.
        for who in ["genova", "altro.asseveratore"] {
            let r = ask(&w, Some(who), REQUESTS, json!({})).await;
            assert_eq!(r["data"]["myRequestsConnection"]["totalCount"], 0, "{who}: {r}");
        }
        let r = ask(&w, Some("fornitore"), REQUESTS, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = ask(&w, Some("scuola"), REQUESTS, json!({ "after": "bm9wZQ" })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
    }
}
