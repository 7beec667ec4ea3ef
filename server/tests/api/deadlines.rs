//! Deadlines as rules of the call, the deadline checker against a fixed clock, the
//! notifications it raises, and who may read what.
//!
//! The world (see `permissions::world`): a school of Ferrara funded on 2022-09-05 under
//! the schools' call (contract within 9 months: due 2023-06-05) and the Comune di Genova
//! funded on 2022-08-08 under a comuni call (no published terms: only the hard cap of
//! 2026-03-31), with one account per role.

use std::collections::HashMap;

use chrono::NaiveDate;
use nuvola_server::entity::{application, verification_request};
use nuvola_server::service::deadlines::{self, Report};
use nuvola_shared::Role;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::{add_account, both, error_code};
use crate::permissions::{world, World, PASSWORD, SCHOOL_CUP};

const GENOVA_CUP: &str = "B31C22000060007";

const OVERDUE: &str = "query($cup: String!) { application(cup: $cup) { state overdue { kind since dueOn daysLate } nextDeadline { kind dueOn } } }";
const INBOX: &str = "query($unread: Boolean) { unreadNotificationCount notifications(unreadOnly: $unread, first: 10) { totalCount edges { node { id kind message read application { cup } } } pageInfo { hasNextPage } } }";
const MARK: &str =
    "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) { marked unreadCount } }";
const OVERDUE_LIST: &str = "query($kind: DeadlineKind, $after: String) { overdueProjects(first: 10, kind: $kind, after: $after) { totalCount edges { cursor node { cup overdue { kind since } administration { name } } } pageInfo { hasNextPage endCursor } } }";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The day the school's contract term ends (funded 2022-09-05, 9 months).
fn contract_due() -> NaiveDate {
    day(2023, 6, 5)
}

/// Logs every account of the world in once.
struct Tokens(HashMap<&'static str, String>);

impl Tokens {
    async fn of(w: &World, users: &[&'static str]) -> Self {
        let mut map = HashMap::new();
        for u in users {
            map.insert(*u, w.app.login(u, PASSWORD).await);
        }
        Self(map)
    }
}

async fn ask_as(w: &World, tokens: &Tokens, who: Option<&str>, query: &str, vars: Value) -> Value {
    let token = who.map(|u| {
        tokens
            .0
            .get(u)
            .unwrap_or_else(|| panic!("no token for {u}"))
            .as_str()
    });
    w.app.graphql_as(token, query, vars).await.1
}

/// Runs the checker outside the server, as `nuvola deadlines` does, and waits for the
/// bound within which the server's public cache hears of a change committed elsewhere
/// (`changes::STALE_AFTER`).
async fn check(w: &World, today: NaiveDate) -> Report {
    let report = deadlines::check(&w.t.db, today).await.unwrap();
    tokio::time::sleep(nuvola_server::changes::STALE_AFTER).await;
    report
}

async fn school(w: &World) -> application::Model {
    application::Entity::find()
        .filter(application::Column::Cup.eq(SCHOOL_CUP))
        .one(&w.t.db)
        .await
        .unwrap()
        .unwrap()
}

fn inbox_kinds(r: &Value) -> Vec<String> {
    r["data"]["notifications"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no notifications in {r}"))
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

both! {
    async fn a_school_without_a_contract_is_overdue_the_day_after_its_term_not_on_it(backend: Backend) {
        let w = world(backend).await;
        let report = check(&w, contract_due()).await;
        assert_eq!((report.projects_checked, report.newly_overdue, report.notifications), (2, 0, 0), "{report:?}");
        let r = w.app.graphql(OVERDUE, json!({ "cup": SCHOOL_CUP })).await;
        assert!(r["data"]["application"]["overdue"].is_null(), "{r}");
        assert_eq!(r["data"]["application"]["nextDeadline"], json!({ "kind": "CONTRACT", "dueOn": "2023-06-05" }));

        let report = check(&w, contract_due().succ_opt().unwrap()).await;
        assert_eq!((report.newly_overdue, report.cleared, report.notifications), (1, 0, 2), "{report:?}");
        assert_eq!(
            report.summary(),
            "deadlines on 2023-06-06: 2 projects checked, 1 newly overdue, 0 no longer overdue, 0 verification requests overdue, 2 notifications raised"
        );
        // Public, like the deadlines it derives from.
        let r = w.app.graphql(OVERDUE, json!({ "cup": SCHOOL_CUP })).await;
        let overdue = &r["data"]["application"]["overdue"];
        assert_eq!(overdue["kind"], "CONTRACT", "{r}");
        assert_eq!(overdue["since"], "2023-06-06");
        assert_eq!(overdue["dueOn"], "2023-06-05");
        // Counted against the real today, long after the fixed one.
        assert!(overdue["daysLate"].as_i64().unwrap() > 1);
        // Genova's comuni call publishes no terms: only the hard cap, not yet reached.
        let r = w.app.graphql(OVERDUE, json!({ "cup": GENOVA_CUP })).await;
        assert!(r["data"]["application"]["overdue"].is_null(), "{r}");

        assert_eq!(w.t.count_where("event", "action = 'DEADLINE_MISSED' AND actor_name = 'deadline-checker'").await, 1);
        let stored = school(&w).await;
        assert_eq!(stored.overdue_kind.as_deref(), Some("CONTRACT"));
        assert_eq!(stored.overdue_since, Some(day(2023, 6, 6)));
    }
}

both! {
    async fn notifications_reach_the_school_and_the_department_and_no_other_body(backend: Backend) {
        let w = world(backend).await;
        check(&w, day(2023, 6, 6)).await;
        let tokens = Tokens::of(&w, &["scuola", "genova", "dipartimento", "fornitore", "asseveratore"]).await;

        let r = ask_as(&w, &tokens, Some("scuola"), INBOX, json!({})).await;
        assert_eq!(inbox_kinds(&r), vec!["CONTRACT_DEADLINE_MISSED"], "{r}");
        assert_eq!(r["data"]["unreadNotificationCount"], 1);
        let node = &r["data"]["notifications"]["edges"][0]["node"];
        assert_eq!(node["application"]["cup"], SCHOOL_CUP);
        assert_eq!(node["read"], false);
        assert!(node["message"].as_str().unwrap().contains("05/06/2023"), "{node}");

        let r = ask_as(&w, &tokens, Some("dipartimento"), INBOX, json!({})).await;
        assert_eq!(inbox_kinds(&r), vec!["CONTRACT_DEADLINE_MISSED"], "{r}");
        assert!(r["data"]["notifications"]["edges"][0]["node"]["message"].as_str().unwrap().contains("VERGANI"));

        for who in ["genova", "fornitore", "asseveratore"] {
            let r = ask_as(&w, &tokens, Some(who), INBOX, json!({})).await;
            assert!(inbox_kinds(&r).is_empty(), "{who}: {r}");
            assert_eq!(r["data"]["unreadNotificationCount"], 0);
        }
        let r = w.app.graphql(INBOX, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"), "{r}");
        let r = w.app.graphql(MARK, json!({ "ids": null })).await;
        assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"), "{r}");
    }
}

both! {
    async fn running_the_checker_twice_or_in_two_replicas_at_once_raises_nothing_new(backend: Backend) {
        let w = world(backend).await;
        // Two "replicas": two connection pools on one database, at the same moment.
        let other = nuvola_server::db::connect(&w.t.url).await.unwrap();
        let today = day(2023, 6, 6);
        let (a, b) = tokio::join!(
            deadlines::check(&w.t.db, today),
            deadlines::check(&other, today)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.newly_overdue + b.newly_overdue, 1, "{a:?} {b:?}");
        assert_eq!(a.notifications + b.notifications, 2, "{a:?} {b:?}");

        for today in [today, day(2023, 6, 7), day(2023, 12, 1)] {
            let again = check(&w, today).await;
            assert_eq!((again.newly_overdue, again.cleared, again.notifications), (0, 0, 0), "{again:?}");
        }
        assert_eq!(w.t.count("notification").await, 2);
        assert_eq!(w.t.count_where("event", "action = 'DEADLINE_MISSED'").await, 1);
        assert_eq!(school(&w).await.overdue_since, Some(day(2023, 6, 6)));
    }
}

both! {
    async fn a_project_that_records_its_contract_stops_being_overdue_for_it(backend: Backend) {
        let w = world(backend).await;
        check(&w, day(2023, 6, 6)).await;
        let tokens = Tokens::of(&w, &["scuola", "dipartimento"]).await;
        let r = ask_as(&w, &tokens, Some("dipartimento"), OVERDUE_LIST, json!({})).await;
        assert_eq!(r["data"]["overdueProjects"]["totalCount"], 1, "{r}");

        // The school plans one service and records its contract, late.
        let plan = ask_as(&w, &tokens, Some("scuola"), "query($cup: String!) { application(cup: $cup) { plan { id version } } }", json!({ "cup": SCHOOL_CUP })).await;
        let first = &plan["data"]["application"]["plan"][0];
        let saved = ask_as(&w, &tokens, Some("scuola"), "mutation($i: PlannedServiceInput!) { savePlannedService(input: $i) { id version } }", json!({ "i": {
            "cup": SCHOOL_CUP, "id": first["id"], "version": first["version"], "catalogueCode": "SC_SEGRETERIA_DIGITALE",
            "dataClass": "ORDINARIO", "origin": "ON_PREMISES", "destination": "SAAS", "offeringCode": "DEMO-SAAS-SCUOLA",
        }})).await;
        let saved = &saved["data"]["savePlannedService"];
        let r = ask_as(&w, &tokens, Some("scuola"), "mutation($c: ContractInput!) { recordContract(input: $c) { id } }", json!({ "c": {
            "cup": SCHOOL_CUP, "supplierVat": "01234567897", "contractOn": "2023-06-20",
            "services": [{ "id": saved["id"], "version": saved["version"] }],
        }})).await;
        assert!(r["errors"].is_null(), "{r}");

        // At once, before the checker runs again: no longer overdue, the completion is next.
        let r = w.app.graphql(OVERDUE, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(r["data"]["application"]["state"], "CONTRACTED");
        assert!(r["data"]["application"]["overdue"].is_null(), "{r}");
        assert_eq!(r["data"]["application"]["nextDeadline"], json!({ "kind": "COMPLETION", "dueOn": "2024-12-20" }));
        let r = ask_as(&w, &tokens, Some("dipartimento"), OVERDUE_LIST, json!({})).await;
        assert_eq!(r["data"]["overdueProjects"]["totalCount"], 0, "{r}");

        // The next run clears the stored mark, once.
        let report = check(&w, day(2023, 6, 21)).await;
        assert_eq!((report.newly_overdue, report.cleared, report.notifications), (0, 1, 0), "{report:?}");
        assert_eq!(school(&w).await.overdue_kind, None);
        assert_eq!(w.t.count_where("event", "action = 'OVERDUE_CLEARED'").await, 1);
        assert_eq!(check(&w, day(2023, 6, 22)).await.cleared, 0);
        // Past the completion deadline it is overdue again, for the completion.
        let report = check(&w, day(2024, 12, 21)).await;
        assert_eq!((report.newly_overdue, report.notifications), (1, 2), "{report:?}");
        let r = w.app.graphql(OVERDUE, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(r["data"]["application"]["overdue"]["kind"], "COMPLETION", "{r}");
        let r = ask_as(&w, &tokens, Some("scuola"), INBOX, json!({})).await;
        assert_eq!(inbox_kinds(&r), vec!["COMPLETION_DEADLINE_MISSED", "CONTRACT_DEADLINE_MISSED"], "{r}");
    }
}

both! {
    async fn a_project_in_a_final_state_owes_nothing(backend: Backend) {
        let w = world(backend).await;
        check(&w, day(2023, 6, 6)).await;
        // (Revocation itself is the lead's; here the state is set directly.)
        let mut revoked: application::ActiveModel = school(&w).await.into();
        revoked.state = Set("REVOKED".to_owned());
        revoked.update(&w.t.db).await.unwrap();
        let r = w.app.graphql(OVERDUE, json!({ "cup": SCHOOL_CUP })).await;
        assert!(r["data"]["application"]["overdue"].is_null(), "{r}");
        assert!(r["data"]["application"]["nextDeadline"].is_null(), "{r}");
        let report = check(&w, day(2023, 6, 7)).await;
        assert_eq!((report.projects_checked, report.cleared), (2, 1), "{report:?}");
        assert_eq!(check(&w, day(2023, 6, 8)).await.projects_checked, 1);
    }
}

both! {
    async fn only_the_department_lists_overdue_projects(backend: Backend) {
        let w = world(backend).await;
        check(&w, day(2023, 6, 6)).await;
        let tokens = Tokens::of(&w, &["scuola", "genova", "dipartimento", "fornitore", "psn", "asseveratore"]).await;
        let r = ask_as(&w, &tokens, None, OVERDUE_LIST, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"), "{r}");
        for who in ["scuola", "genova", "fornitore", "psn", "asseveratore"] {
            let r = ask_as(&w, &tokens, Some(who), OVERDUE_LIST, json!({})).await;
            assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{who}: {r}");
        }
        let r = ask_as(&w, &tokens, Some("dipartimento"), OVERDUE_LIST, json!({})).await;
        let list = &r["data"]["overdueProjects"];
        assert_eq!(list["totalCount"], 1, "{r}");
        assert_eq!(list["edges"][0]["node"]["cup"], SCHOOL_CUP);
        assert_eq!(list["edges"][0]["node"]["overdue"], json!({ "kind": "CONTRACT", "since": "2023-06-06" }));
        assert_eq!(list["pageInfo"]["hasNextPage"], false);
        let after = list["pageInfo"]["endCursor"].clone();
        let r = ask_as(&w, &tokens, Some("dipartimento"), OVERDUE_LIST, json!({ "after": after })).await;
        assert_eq!(r["data"]["overdueProjects"]["edges"], json!([]), "{r}");
        let r = ask_as(&w, &tokens, Some("dipartimento"), OVERDUE_LIST, json!({ "kind": "COMPLETION" })).await;
        assert_eq!(r["data"]["overdueProjects"]["totalCount"], 0, "{r}");
        // `kind` is the enum DeadlineKind: a value it does not have is refused before
        // anything runs, blaming the argument.
        let r = ask_as(&w, &tokens, Some("dipartimento"), OVERDUE_LIST, json!({ "kind": "SOON" })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "kind", "{r}");
        let r = ask_as(&w, &tokens, Some("dipartimento"), OVERDUE_LIST, json!({ "after": "bm9wZQ" })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
    }
}

both! {
    async fn notifications_are_read_per_account_and_only_ones_own(backend: Backend) {
        let w = world(backend).await;
        add_account(&w.t.db, Role::Administration, "scuola.due", PASSWORD, Some("istsc_feis011004")).await;
        check(&w, day(2023, 6, 6)).await;
        let tokens = Tokens::of(&w, &["scuola", "scuola.due", "genova", "dipartimento"]).await;
        let r = ask_as(&w, &tokens, Some("scuola"), INBOX, json!({})).await;
        let school_note = r["data"]["notifications"]["edges"][0]["node"]["id"].clone();
        let r = ask_as(&w, &tokens, Some("dipartimento"), INBOX, json!({})).await;
        let department_note = r["data"]["notifications"]["edges"][0]["node"]["id"].clone();

        // Others' ids: refused, and nothing is touched, not even one's own named beside them.
        let r = ask_as(&w, &tokens, Some("genova"), MARK, json!({ "ids": [school_note] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        let r = ask_as(&w, &tokens, Some("scuola"), MARK, json!({ "ids": [school_note, department_note] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        let r = ask_as(&w, &tokens, Some("scuola"), MARK, json!({ "ids": ["999999"] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        let r = ask_as(&w, &tokens, Some("scuola"), MARK, json!({ "ids": ["x"] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        assert_eq!(w.t.count("notification_read").await, 0);

        let r = ask_as(&w, &tokens, Some("scuola"), MARK, json!({ "ids": [school_note] })).await;
        assert_eq!(r["data"]["markNotificationsRead"], json!({ "marked": 1, "unreadCount": 0 }), "{r}");
        let r = ask_as(&w, &tokens, Some("scuola"), MARK, json!({ "ids": [school_note] })).await;
        assert_eq!(r["data"]["markNotificationsRead"], json!({ "marked": 0, "unreadCount": 0 }), "{r}");
        let r = ask_as(&w, &tokens, Some("scuola"), INBOX, json!({ "unread": true })).await;
        assert_eq!(r["data"]["notifications"]["totalCount"], 0, "{r}");
        let r = ask_as(&w, &tokens, Some("scuola"), INBOX, json!({})).await;
        assert_eq!(r["data"]["notifications"]["edges"][0]["node"]["read"], true, "{r}");
        // The other account of the same school has not read it.
        let r = ask_as(&w, &tokens, Some("scuola.due"), INBOX, json!({ "unread": true })).await;
        assert_eq!(inbox_kinds(&r), vec!["CONTRACT_DEADLINE_MISSED"], "{r}");
        // Null ids: every unread one of one's own.
        let r = ask_as(&w, &tokens, Some("dipartimento"), MARK, json!({ "ids": null })).await;
        assert_eq!(r["data"]["markNotificationsRead"], json!({ "marked": 1, "unreadCount": 0 }), "{r}");
        assert_eq!(w.t.count("notification_read").await, 2);
    }
}

both! {
    async fn the_department_sets_the_terms_of_a_comuni_call(backend: Backend) {
        let w = world(backend).await;
        let tokens = Tokens::of(&w, &["genova", "dipartimento"]).await;
        let r = w.app.graphql("query($cup: String!) { application(cup: $cup) { nextDeadline { kind dueOn } call { title version contractTerm completionFrom hardCap } } }", json!({ "cup": GENOVA_CUP })).await;
        let call = r["data"]["application"]["call"].clone();
        assert!(call["contractTerm"].is_null(), "{r}");
        assert_eq!(r["data"]["application"]["nextDeadline"], json!({ "kind": "CONTRACT", "dueOn": "2026-03-31" }));
        const SET: &str = "mutation($t: CallTermsInput!) { setCallTerms(input: $t) { title contractTerm completionTerm completionFrom hardCap version } }";
        let terms = |version: i64, contract: &str| json!({ "t": {
            "title": call["title"], "version": version, "contractTerm": contract, "completionTerm": "18 mesi",
        }});

        let r = ask_as(&w, &tokens, None, SET, terms(1, "6 mesi")).await;
        assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"), "{r}");
        let r = ask_as(&w, &tokens, Some("genova"), SET, terms(1, "6 mesi")).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = ask_as(&w, &tokens, Some("dipartimento"), SET, terms(1, "6 weeks")).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "contractTerm");

        let r = ask_as(&w, &tokens, Some("dipartimento"), SET, terms(1, "6 mesi")).await;
        assert_eq!(r["data"]["setCallTerms"], json!({
            "title": call["title"], "contractTerm": "6 months", "completionTerm": "18 months",
            "completionFrom": "CONTRACT_DATE", "hardCap": null, "version": 2,
        }), "{r}");
        let r = ask_as(&w, &tokens, Some("dipartimento"), SET, terms(1, "7 mesi")).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        assert_eq!(w.t.count_where("event", "action = 'CALL_TERMS_CHANGED'").await, 1);

        // Funded 2022-08-08: the contract is now due within 6 months.
        let r = w.app.graphql(OVERDUE, json!({ "cup": GENOVA_CUP })).await;
        assert_eq!(r["data"]["application"]["nextDeadline"], json!({ "kind": "CONTRACT", "dueOn": "2023-02-08" }), "{r}");
        let report = check(&w, day(2023, 2, 9)).await;
        assert_eq!((report.newly_overdue, report.notifications), (1, 2), "{report:?}");
        let r = ask_as(&w, &tokens, Some("genova"), INBOX, json!({})).await;
        assert_eq!(inbox_kinds(&r), vec!["CONTRACT_DEADLINE_MISSED"], "{r}");
        assert_eq!(r["data"]["notifications"]["edges"][0]["node"]["application"]["cup"], GENOVA_CUP);
    }
}

both! {
    async fn an_open_verification_request_past_its_due_date_is_flagged_once(backend: Backend) {
        let w = world(backend).await;
        let project = school(&w).await;
        let now = chrono::Utc::now();
        let request = |title: &str, state: &str| verification_request::ActiveModel {
            application_id: Set(project.id),
            opened_by: Set(None),
            title: Set(title.to_owned()),
            body: Set("Inviare il contratto".to_owned()),
            due_on: Set(day(2023, 3, 1)),
            state: Set(state.to_owned()),
            opened_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        request("Contratto firmato", "OPEN").insert(&w.t.db).await.unwrap();
        request("Già risposta", "ANSWERED").insert(&w.t.db).await.unwrap();

        assert_eq!(check(&w, day(2023, 3, 1)).await.requests_overdue, 0);
        let report = check(&w, day(2023, 3, 2)).await;
        assert_eq!((report.requests_overdue, report.notifications, report.newly_overdue), (1, 2, 0), "{report:?}");
        let again = check(&w, day(2023, 3, 3)).await;
        assert_eq!((again.requests_overdue, again.notifications), (0, 0), "{again:?}");
        assert_eq!(w.t.count_where("notification", "kind = 'VERIFICATION_REQUEST_OVERDUE'").await, 2);
        assert_eq!(w.t.count_where("event", "action = 'REQUEST_OVERDUE'").await, 1);

        let tokens = Tokens::of(&w, &["scuola", "genova"]).await;
        let r = ask_as(&w, &tokens, Some("scuola"), INBOX, json!({})).await;
        assert_eq!(inbox_kinds(&r), vec!["VERIFICATION_REQUEST_OVERDUE"], "{r}");
        let r = ask_as(&w, &tokens, Some("genova"), INBOX, json!({})).await;
        assert!(inbox_kinds(&r).is_empty(), "{r}");
    }
}

fn nuvola(args: &[&str], url: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nuvola"))
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .unwrap()
}

fn last_line(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

both! {
    async fn the_deadlines_command_prints_its_summary_for_the_day_given(backend: Backend) {
        let w = world(backend).await;
        let out = nuvola(&["deadlines", "--today", "2023-06-05"], &w.t.url);
        assert_eq!(last_line(&out), "deadlines on 2023-06-05: 2 projects checked, 0 newly overdue, 0 no longer overdue, 0 verification requests overdue, 0 notifications raised");
        // The day's reminders first: the school's contract is due today (the "1 day" one).
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().next(), Some("reminders on 2023-06-05: 1 raised"));
        let out = nuvola(&["deadlines", "--today", "2023-06-06"], &w.t.url);
        assert_eq!(last_line(&out), "deadlines on 2023-06-06: 2 projects checked, 1 newly overdue, 0 no longer overdue, 0 verification requests overdue, 2 notifications raised");
        let out = nuvola(&["deadlines", "--today", "2023-06-06", "--database", &w.t.url], "sqlite::memory:");
        assert_eq!(last_line(&out), "deadlines on 2023-06-06: 2 projects checked, 0 newly overdue, 0 no longer overdue, 0 verification requests overdue, 0 notifications raised");
        let out = nuvola(&["deadlines", "--today", "2023-13-01"], &w.t.url);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("--today"));
        assert_eq!(w.t.count_where("notification", "kind <> 'CONTRACT_DEADLINE_REMINDER'").await, 2);
        assert_eq!(w.t.count("notification").await, 3);
    }
}

both! {
    async fn a_run_that_finds_many_projects_overdue_sends_the_department_one_digest(backend: Backend) {
        let w = world(backend).await;
        // The school's project and as many copies as the digest threshold: one more than it.
        let model = school(&w).await;
        for i in 0..deadlines::DEPARTMENT_DIGEST_ABOVE {
            let mut copy = model.clone().into_active_model().reset_all();
            copy.id = NotSet;
            copy.cup = Set(format!("G71C22000{i:06}"));
            copy.insert(&w.t.db).await.unwrap();
        }
        let late = deadlines::DEPARTMENT_DIGEST_ABOVE + 1;
        let report = check(&w, day(2023, 6, 6)).await;
        // One notification per project for the school, one digest for the department.
        assert_eq!((report.newly_overdue, report.notifications), (late, late + 1), "{report:?}");
        assert_eq!(w.t.count_where("event", "action = 'DEADLINE_MISSED'").await, late as i64);

        let tokens = Tokens::of(&w, &["dipartimento", "scuola"]).await;
        let r = ask_as(&w, &tokens, Some("dipartimento"), INBOX, json!({})).await;
        assert_eq!(r["data"]["notifications"]["totalCount"], 1, "{r}");
        let digest = &r["data"]["notifications"]["edges"][0]["node"];
        assert_eq!(digest["kind"], "CONTRACT_DEADLINE_MISSED", "{digest}");
        assert!(digest["application"].is_null(), "{digest}");
        let message = digest["message"].as_str().unwrap();
        assert!(message.contains(&format!("06/06/2023 ha trovato {late} progetti")), "{message}");
        let r = ask_as(&w, &tokens, Some("scuola"), INBOX, json!({})).await;
        assert_eq!(r["data"]["notifications"]["totalCount"], late, "{r}");
        // The department's list has them all.
        let r = ask_as(&w, &tokens, Some("dipartimento"), OVERDUE_LIST, json!({})).await;
        assert_eq!(r["data"]["overdueProjects"]["totalCount"], late, "{r}");

        // Checked again: nothing new, no second digest.
        let again = check(&w, day(2023, 6, 7)).await;
        assert_eq!((again.newly_overdue, again.notifications), (0, 0), "{again:?}");
        assert_eq!(w.t.count("notification").await, late as i64 + 1);
    }
}

both! {
    async fn new_terms_are_previewed_with_the_projects_whose_deadline_moves_and_a_past_hard_cap_is_refused(backend: Backend) {
        let w = world(backend).await;
        let tokens = Tokens::of(&w, &["genova", "dipartimento"]).await;
        let r = w.app.graphql("query($cup: String!) { application(cup: $cup) { call { title version } } }", json!({ "cup": GENOVA_CUP })).await;
        let title = r["data"]["application"]["call"]["title"].clone();
        const PREVIEW: &str = "query($t: CallTermsInput!) { callTermsImpact(input: $t) { projects changingDeadline } }";
        const SET: &str = "mutation($t: CallTermsInput!) { setCallTerms(input: $t) { version hardCap } }";
        let terms = |contract: Option<&str>, cap: Option<&str>| json!({ "t": {
            "title": title, "version": 1, "contractTerm": contract, "hardCap": cap,
        }});

        // Only the department asks.
        let r = ask_as(&w, &tokens, Some("genova"), PREVIEW, terms(Some("6 mesi"), None)).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        // Genova owes its contract by the programme's cap; 6 months from funding moves it.
        let r = ask_as(&w, &tokens, Some("dipartimento"), PREVIEW, terms(Some("6 mesi"), None)).await;
        assert_eq!(r["data"]["callTermsImpact"], json!({ "projects": 1, "changingDeadline": 1 }), "{r}");
        let r = ask_as(&w, &tokens, Some("dipartimento"), PREVIEW, terms(None, None)).await;
        assert_eq!(r["data"]["callTermsImpact"], json!({ "projects": 1, "changingDeadline": 0 }), "{r}");
        // A hard cap already past is refused, in the preview and in the change.
        for query in [PREVIEW, SET] {
            let r = ask_as(&w, &tokens, Some("dipartimento"), query, terms(None, Some("2001-01-01"))).await;
            assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], "hardCap", "{r}");
        }
        let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
        let r = ask_as(&w, &tokens, Some("dipartimento"), SET, terms(None, Some(&yesterday))).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "hardCap", "{r}");
        // The preview changed nothing.
        assert_eq!(w.t.count_where("event", "action = 'CALL_TERMS_CHANGED'").await, 0);

        // The change counts as the preview did, and records it.
        let cap = (chrono::Utc::now().date_naive() + chrono::Duration::days(365)).to_string();
        let r = ask_as(&w, &tokens, Some("dipartimento"), PREVIEW, terms(None, Some(&cap))).await;
        assert_eq!(r["data"]["callTermsImpact"]["changingDeadline"], 1, "{r}");
        let r = ask_as(&w, &tokens, Some("dipartimento"), SET, terms(None, Some(&cap))).await;
        assert_eq!(r["data"]["setCallTerms"], json!({ "version": 2, "hardCap": cap }), "{r}");
        assert_eq!(w.t.count_where("event", "action = 'CALL_TERMS_CHANGED' AND after_json LIKE '%\"projectsChangingDeadline\":1%'").await, 1);
        let r = w.app.graphql(OVERDUE, json!({ "cup": GENOVA_CUP })).await;
        assert_eq!(r["data"]["application"]["nextDeadline"], json!({ "kind": "CONTRACT", "dueOn": cap }), "{r}");
        // A stale version is CONFLICT in the preview too; the stored cap may stay as is.
        let r = ask_as(&w, &tokens, Some("dipartimento"), PREVIEW, terms(None, Some(&cap))).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        let mut same = terms(Some("6 mesi"), Some(&cap));
        same["t"]["version"] = json!(2);
        let r = ask_as(&w, &tokens, Some("dipartimento"), PREVIEW, same).await;
        assert_eq!(r["data"]["callTermsImpact"]["changingDeadline"], 1, "{r}");
    }
}

both! {
    async fn a_project_known_only_from_the_open_data_has_progress_not_reported_until_a_person_changes_it(backend: Backend) {
        const SPLIT: &str = "query($p: Boolean) { overdueProjects(progressReported: $p) { totalCount edges { node { cup progressReportedAt } } } }";
        const PUBLIC: &str = "query($cup: String!) { application(cup: $cup) { progressReportedAt overdue { kind } } }";
        let w = world(backend).await;
        check(&w, day(2023, 6, 6)).await;
        let tokens = Tokens::of(&w, &["scuola", "dipartimento"]).await;
        let split = |p: bool| ask_as(&w, &tokens, Some("dipartimento"), SPLIT, json!({ "p": p }));
        // The school is past its contract term by the call's rules, and Nuvola knows of it
        // only what the open data says: not late, progress not reported.
        let r = split(true).await;
        assert_eq!(r["data"]["overdueProjects"]["totalCount"], 0, "{r}");
        let r = split(false).await;
        assert_eq!(r["data"]["overdueProjects"]["totalCount"], 1, "{r}");
        assert_eq!(r["data"]["overdueProjects"]["edges"][0]["node"], json!({ "cup": SCHOOL_CUP, "progressReportedAt": null }));
        let r = w.app.graphql(PUBLIC, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(r["data"]["application"], json!({ "progressReportedAt": null, "overdue": { "kind": "CONTRACT" } }), "{r}");
        // The school is asked to report its progress, not told it is late.
        let r = ask_as(&w, &tokens, Some("scuola"), INBOX, json!({})).await;
        let message = r["data"]["notifications"]["edges"][0]["node"]["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains("Nuvola non ne ha notizia: comunicare l'avanzamento"), "{r}");

        // The school changes its plan: that is news of its progress, and it is now late.
        let plan = ask_as(&w, &tokens, Some("scuola"), "query($cup: String!) { application(cup: $cup) { plan { id version } } }", json!({ "cup": SCHOOL_CUP })).await;
        let first = &plan["data"]["application"]["plan"][0];
        let saved = ask_as(&w, &tokens, Some("scuola"), "mutation($i: PlannedServiceInput!) { savePlannedService(input: $i) { id version } }", json!({ "i": {
            "cup": SCHOOL_CUP, "id": first["id"], "version": first["version"], "catalogueCode": "SC_SEGRETERIA_DIGITALE",
            "dataClass": "ORDINARIO", "origin": "ON_PREMISES", "destination": "SAAS", "offeringCode": "DEMO-SAAS-SCUOLA",
        }})).await;
        assert!(saved["errors"].is_null(), "{saved}");
        let r = split(true).await;
        assert_eq!(r["data"]["overdueProjects"]["totalCount"], 1, "{r}");
        assert!(r["data"]["overdueProjects"]["edges"][0]["node"]["progressReportedAt"].is_string(), "{r}");
        let r = split(false).await;
        assert_eq!(r["data"]["overdueProjects"]["totalCount"], 0, "{r}");
        let reported = school(&w).await.progress_reported_at;
        assert!(reported.is_some());

        // The migration derives the same from the audit log, for the data before it.
        use sea_orm::ConnectionTrait;
        w.t.db.execute_unprepared("UPDATE application SET progress_reported_at = NULL").await.unwrap();
        w.t.db.execute_unprepared(nuvola_migrations::PROGRESS_REPORTED_BACKFILL).await.unwrap();
        assert!(school(&w).await.progress_reported_at.is_some());
        let genova = application::Entity::find()
            .filter(application::Column::Cup.eq(GENOVA_CUP))
            .one(&w.t.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(genova.progress_reported_at, None, "an import is not progress");
    }
}
