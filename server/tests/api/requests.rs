//! Verification requests (the "Area Richieste") and the checklist through the API: the
//! life of a request with its versions, who sees and does what, and the project state
//! they need.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::documents::{school_services, Sessions, PDF};
use crate::helpers::{both, error_code};
use crate::permissions::{world, World, SCHOOL_CUP};
use nuvola_server::entity::application;

const OPEN: &str = "mutation($i: OpenRequestInput!) { openVerificationRequest(input: $i) { id state version dueOn daysLeft } }";
const ANSWER: &str = "mutation($i: AnswerRequestInput!) { answerVerificationRequest(input: $i) { id state version answerNote answeredAt } }";
const CLOSE: &str = "mutation($i: CloseRequestInput!) { closeVerificationRequest(input: $i) { id state version closedAt } }";
const REOPEN: &str = "mutation($i: ReopenRequestInput!) { reopenVerificationRequest(input: $i) { id state version dueOn } }";
const INBOX: &str = "{ myRequests { id title state dueOn daysLeft application { cup } } }";
const OF_PROJECT: &str = "query($cup: String!) { application(cup: $cup) { verificationRequests { id state documents { fileName } } } }";
const CHECK: &str = "mutation($i: CheckInput!) { recordVerificationCheck(input: $i) { id item outcome notes plannedServiceName } }";
const CHECKLIST: &str = "query($cup: String!) { application(cup: $cup) { checklist { item outcome plannedServiceId } } }";

/// Moves the school's project to UNDER_VERIFICATION directly (the real transitions are
/// the life-cycle service's); its verifier is already assigned by `world`.
pub async fn put_under_verification(w: &World) {
    let school = application::Entity::find()
        .filter(application::Column::Cup.eq(SCHOOL_CUP))
        .one(&w.t.db)
        .await
        .unwrap()
        .unwrap();
    let mut project: application::ActiveModel = school.into();
    project.state = Set("UNDER_VERIFICATION".to_owned());
    project.update(&w.t.db).await.unwrap();
}

fn in_days(days: i64) -> String {
    (Utc::now().date_naive() + Duration::days(days)).to_string()
}

fn request(due: &str) -> Value {
    json!({ "i": { "cup": SCHOOL_CUP, "title": "Contratto di migrazione", "body": "Caricare il contratto firmato con il fornitore.", "dueOn": due } })
}

both! {
    async fn a_request_due_in_2099_or_yesterday_is_refused_on_its_due_date_and_nothing_is_opened(backend: Backend) {
        let w = world(backend).await;
        put_under_verification(&w).await;
        let mut s = Sessions::new(&w.app);
        for due in ["2099-01-01".to_owned(), in_days(181), in_days(-1)] {
            let r = s.gql(Some("asseveratore"), OPEN, request(&due)).await;
            assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{due}: {r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], "dueOn", "{r}");
        }
        let r = s.gql(Some("scuola"), INBOX, json!({})).await;
        assert_eq!(r["data"]["myRequests"].as_array().map(Vec::len), Some(0), "{r}");
        // The last day the rule allows is accepted.
        let r = s.gql(Some("asseveratore"), OPEN, request(&in_days(180))).await;
        assert_eq!(r["data"]["openVerificationRequest"]["state"], "OPEN", "{r}");
    }
}

both! {
    async fn a_request_is_opened_answered_with_a_document_closed_and_reopened(backend: Backend) {
        let w = world(backend).await;
        put_under_verification(&w).await;
        let mut s = Sessions::new(&w.app);

        let r = s.gql(Some("asseveratore"), OPEN, request(&in_days(10))).await;
        let opened = &r["data"]["openVerificationRequest"];
        assert_eq!(opened["state"], "OPEN", "{r}");
        assert_eq!(opened["version"], 1);
        assert_eq!(opened["daysLeft"], 10);
        let id = opened["id"].as_str().unwrap().to_owned();

        // The administration finds it in its inbox, attaches a document and answers.
        let r = s.gql(Some("scuola"), INBOX, json!({})).await;
        assert_eq!(r["data"]["myRequests"][0]["id"], id.as_str(), "{r}");
        assert_eq!(r["data"]["myRequests"][0]["application"]["cup"], SCHOOL_CUP);
        let (status, doc) = s.upload(Some("scuola"), &[("kind", "CONTRACT"), ("fileName", "contratto.pdf"), ("requestId", &id)], PDF, None).await;
        assert_eq!(status, 201, "{doc}");
        assert_eq!(doc["requestId"], id.as_str());
        let r = s.gql(Some("scuola"), ANSWER, json!({ "i": { "id": id, "version": 1, "note": "Allegato il contratto." } })).await;
        let answered = &r["data"]["answerVerificationRequest"];
        assert_eq!((answered["state"].as_str(), answered["version"].as_i64()), (Some("ANSWERED"), Some(2)), "{r}");
        assert_eq!(answered["answerNote"], "Allegato il contratto.");

        // A stale version loses with CONFLICT and changes nothing.
        let r = s.gql(Some("asseveratore"), CLOSE, json!({ "i": { "id": id, "version": 1 } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        // Nothing more is attached to an answered request.
        let (status, _) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "tardi.pdf"), ("requestId", &id)], PDF, None).await;
        assert_eq!(status, 409);

        let r = s.gql(Some("asseveratore"), CLOSE, json!({ "i": { "id": id, "version": 2 } })).await;
        assert_eq!(r["data"]["closeVerificationRequest"]["state"], "CLOSED", "{r}");
        assert_eq!(r["data"]["closeVerificationRequest"]["version"], 3);
        // Answering a closed request is a conflict of state.
        let r = s.gql(Some("scuola"), ANSWER, json!({ "i": { "id": id, "version": 3 } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");

        // Reopened with a new due date; the due date cannot be in the past.
        let r = s.gql(Some("asseveratore"), REOPEN, json!({ "i": { "id": id, "version": 3, "dueOn": in_days(-1) } })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "dueOn", "{r}");
        let r = s.gql(Some("asseveratore"), REOPEN, json!({ "i": { "id": id, "version": 3, "dueOn": in_days(5) } })).await;
        let reopened = &r["data"]["reopenVerificationRequest"];
        assert_eq!((reopened["state"].as_str(), reopened["version"].as_i64()), (Some("OPEN"), Some(4)), "{r}");
        assert_eq!(reopened["dueOn"], in_days(5));

        let r = s.gql(Some("asseveratore"), OF_PROJECT, json!({ "cup": SCHOOL_CUP })).await;
        let requests = &r["data"]["application"]["verificationRequests"];
        assert_eq!(requests[0]["documents"][0]["fileName"], "contratto.pdf", "{r}");
        for action in ["VERIFICATION_REQUEST_OPENED", "VERIFICATION_REQUEST_ANSWERED", "VERIFICATION_REQUEST_CLOSED", "VERIFICATION_REQUEST_REOPENED"] {
            assert_eq!(w.t.count_where("event", &format!("action = '{action}'")).await, 1, "{action}");
        }
    }
}

both! {
    async fn an_answer_without_a_document_or_a_note_is_refused_and_a_reopened_request_needs_a_new_one(backend: Backend) {
        let w = world(backend).await;
        put_under_verification(&w).await;
        let mut s = Sessions::new(&w.app);
        let r = s.gql(Some("asseveratore"), OPEN, request(&in_days(10))).await;
        let id = r["data"]["openVerificationRequest"]["id"].as_str().unwrap().to_owned();

        // Nothing, or a blank note: refused on the note, and the request stays open.
        for note in [Value::Null, json!("   ")] {
            let r = s.gql(Some("scuola"), ANSWER, json!({ "i": { "id": id, "version": 1, "note": note } })).await;
            assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], "note", "{r}");
        }
        assert_eq!(w.t.count_where("event", "action = 'VERIFICATION_REQUEST_ANSWERED'").await, 0);

        // A document alone is an answer.
        let (status, _) = s.upload(Some("scuola"), &[("kind", "CONTRACT"), ("fileName", "contratto.pdf"), ("requestId", &id)], PDF, None).await;
        assert_eq!(status, 201);
        let r = s.gql(Some("scuola"), ANSWER, json!({ "i": { "id": id, "version": 1 } })).await;
        assert_eq!(r["data"]["answerVerificationRequest"]["state"], "ANSWERED", "{r}");

        // Reopened: the document of the first answer does not answer again.
        let r = s.gql(Some("asseveratore"), REOPEN, json!({ "i": { "id": id, "version": 2, "dueOn": in_days(5) } })).await;
        assert_eq!(r["data"]["reopenVerificationRequest"]["state"], "OPEN", "{r}");
        let r = s.gql(Some("scuola"), ANSWER, json!({ "i": { "id": id, "version": 3 } })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "note", "{r}");
        let r = s.gql(Some("scuola"), ANSWER, json!({ "i": { "id": id, "version": 3, "note": "Il contratto allegato è quello definitivo." } })).await;
        assert_eq!(r["data"]["answerVerificationRequest"]["answerNote"], "Il contratto allegato è quello definitivo.", "{r}");
    }
}

both! {
    async fn each_side_is_notified_when_a_request_is_opened_answered_or_reopened(backend: Backend) {
        let w = world(backend).await;
        put_under_verification(&w).await;
        let mut s = Sessions::new(&w.app);
        const KINDS: &str = "{ notifications(first: 20) { edges { node { kind message application { cup } } } } }";
        let kinds = |r: &Value| -> Vec<String> {
            r["data"]["notifications"]["edges"].as_array().unwrap_or_else(|| panic!("{r}")).iter()
                .map(|e| e["node"]["kind"].as_str().unwrap().to_owned()).collect()
        };
        let r = s.gql(Some("asseveratore"), OPEN, request(&in_days(10))).await;
        let id = r["data"]["openVerificationRequest"]["id"].as_str().unwrap().to_owned();
        let r = s.gql(Some("scuola"), KINDS, json!({})).await;
        assert_eq!(kinds(&r), ["VERIFICATION_REQUEST_OPENED"]);
        let message = r["data"]["notifications"]["edges"][0]["node"]["message"].as_str().unwrap();
        assert!(message.contains("Contratto di migrazione") && message.contains(&Utc::now().date_naive().checked_add_signed(Duration::days(10)).unwrap().format("%d/%m/%Y").to_string()), "{message}");

        s.gql(Some("scuola"), ANSWER, json!({ "i": { "id": id, "version": 1, "note": "Contratto inviato per PEC." } })).await;
        let r = s.gql(Some("asseveratore"), KINDS, json!({})).await;
        assert_eq!(kinds(&r), ["VERIFICATION_REQUEST_ANSWERED"]);
        s.gql(Some("asseveratore"), REOPEN, json!({ "i": { "id": id, "version": 2, "dueOn": in_days(5) } })).await;
        let r = s.gql(Some("scuola"), KINDS, json!({})).await;
        assert_eq!(kinds(&r), ["VERIFICATION_REQUEST_REOPENED", "VERIFICATION_REQUEST_OPENED"]);
        // Nobody else hears of it.
        for who in ["altro.asseveratore", "genova", "fornitore"] {
            let r = s.gql(Some(who), KINDS, json!({})).await;
            assert!(kinds(&r).iter().all(|k| !k.starts_with("VERIFICATION_REQUEST_")), "{who}: {r}");
        }
    }
}

both! {
    async fn an_open_requests_due_date_is_the_projects_next_deadline_for_those_who_see_it(backend: Backend) {
        let w = world(backend).await;
        put_under_verification(&w).await;
        let mut s = Sessions::new(&w.app);
        const NEXT: &str = "query($cup: String!) { application(cup: $cup) { nextDeadline { kind dueOn daysLeft } } }";
        // Under verification the call owes nothing more.
        let r = s.gql(Some("scuola"), NEXT, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(r["data"]["application"]["nextDeadline"], Value::Null, "{r}");
        let later = s.gql(Some("asseveratore"), OPEN, request(&in_days(20))).await;
        s.gql(Some("asseveratore"), OPEN, request(&in_days(7))).await;
        for who in ["scuola", "asseveratore", "dipartimento"] {
            let r = s.gql(Some(who), NEXT, json!({ "cup": SCHOOL_CUP })).await;
            assert_eq!(r["data"]["application"]["nextDeadline"], json!({ "kind": "VERIFICATION_REQUEST", "dueOn": in_days(7), "daysLeft": 7 }), "{who}: {r}");
        }
        // The public and the suppliers do not see requests, nor their due dates.
        for who in [None, Some("fornitore")] {
            let r = s.gql(who, NEXT, json!({ "cup": SCHOOL_CUP })).await;
            assert_eq!(r["data"]["application"]["nextDeadline"], Value::Null, "{who:?}: {r}");
        }
        // Answered, it no longer counts; the other open one does.
        let first = s.gql(Some("asseveratore"), "{ myRequests { id dueOn } }", json!({})).await;
        let soon = first["data"]["myRequests"].as_array().unwrap().iter().find(|q| q["dueOn"] == in_days(7).as_str()).unwrap()["id"].clone();
        s.gql(Some("scuola"), ANSWER, json!({ "i": { "id": soon, "version": 1, "note": "Inviato." } })).await;
        let r = s.gql(Some("scuola"), NEXT, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(r["data"]["application"]["nextDeadline"]["dueOn"], in_days(20), "{r} {later}");
    }
}

both! {
    async fn a_request_needs_the_assigned_verifier_a_project_under_verification_and_a_due_date_ahead(backend: Backend) {
        let w = world(backend).await;
        let mut s = Sessions::new(&w.app);
        // The school's project is only FUNDED.
        let r = s.gql(Some("asseveratore"), OPEN, request(&in_days(10))).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("under verification"), "{r}");

        put_under_verification(&w).await;
        let r = s.gql(Some("asseveratore"), OPEN, request(&in_days(-1))).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "dueOn");
        for (who, code) in [
            (Some("altro.asseveratore"), "FORBIDDEN"),
            (Some("scuola"), "FORBIDDEN"),
            (Some("dipartimento"), "FORBIDDEN"),
            (None, "UNAUTHENTICATED"),
        ] {
            let r = s.gql(who, OPEN, request(&in_days(10))).await;
            assert_eq!(error_code(&r).as_deref(), Some(code), "{who:?}: {r}");
        }
        assert_eq!(w.t.count("verification_request").await, 0);
        assert_eq!(w.t.count_where("event", "entity_type = 'verification_request'").await, 0);
    }
}

both! {
    async fn only_the_owner_the_assigned_verifier_and_the_department_see_requests(backend: Backend) {
        let w = world(backend).await;
        put_under_verification(&w).await;
        let mut s = Sessions::new(&w.app);
        let later = s.gql(Some("asseveratore"), OPEN, request(&in_days(30))).await;
        let sooner = s.gql(Some("asseveratore"), OPEN, request(&in_days(3))).await;
        let later = later["data"]["openVerificationRequest"]["id"].as_str().unwrap().to_owned();
        let sooner = sooner["data"]["openVerificationRequest"]["id"].as_str().unwrap().to_owned();
        // The answered one goes after the open ones, whatever its due date.
        let first = s.gql(Some("asseveratore"), OPEN, request(&in_days(0))).await;
        let first = first["data"]["openVerificationRequest"]["id"].as_str().unwrap().to_owned();
        let r = s.gql(Some("scuola"), ANSWER, json!({ "i": { "id": first, "version": 1, "note": "Inviato per PEC." } })).await;
        assert!(r["errors"].is_null(), "{r}");

        for who in ["scuola", "asseveratore"] {
            let r = s.gql(Some(who), INBOX, json!({})).await;
            let ids: Vec<&str> = r["data"]["myRequests"].as_array().unwrap_or_else(|| panic!("{r}")).iter().map(|q| q["id"].as_str().unwrap()).collect();
            assert_eq!(ids, vec![sooner.as_str(), later.as_str(), first.as_str()], "{who}");
        }
        for who in ["scuola", "asseveratore", "dipartimento"] {
            let r = s.gql(Some(who), OF_PROJECT, json!({ "cup": SCHOOL_CUP })).await;
            assert_eq!(r["data"]["application"]["verificationRequests"].as_array().map(Vec::len), Some(3), "{who}: {r}");
        }
        for who in [Some("genova"), Some("fornitore"), Some("psn"), Some("altro.asseveratore"), None] {
            let r = s.gql(who, OF_PROJECT, json!({ "cup": SCHOOL_CUP })).await;
            assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{who:?}: {r}");
        }
        for who in ["genova", "altro.asseveratore"] {
            let r = s.gql(Some(who), INBOX, json!({})).await;
            assert_eq!(r["data"]["myRequests"].as_array().map(Vec::len), Some(0), "{who}: {r}");
        }
        let r = s.gql(Some("fornitore"), INBOX, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        // Others cannot move a request either.
        let r = s.gql(Some("genova"), ANSWER, json!({ "i": { "id": later, "version": 1 } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = s.gql(Some("altro.asseveratore"), CLOSE, json!({ "i": { "id": later, "version": 1 } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    }
}

both! {
    async fn the_assigned_verifier_records_a_checklist_per_planned_service(backend: Backend) {
        let w = world(backend).await;
        put_under_verification(&w).await;
        let mut s = Sessions::new(&w.app);
        let services = school_services(&w).await;
        let check = |outcome: &str| json!({ "i": {
            "cup": SCHOOL_CUP, "plannedServiceId": services[0].to_string(),
            "item": "Servizio raggiungibile nel nuovo ambiente", "outcome": outcome, "notes": "Verificato il 12/11"
        }});

        let r = s.gql(Some("asseveratore"), CHECK, check("PASS")).await;
        assert_eq!(r["data"]["recordVerificationCheck"]["outcome"], "PASS", "{r}");
        assert_eq!(r["data"]["recordVerificationCheck"]["plannedServiceName"], "Servizio da definire n. 1");
        // The same item again replaces the outcome.
        let r = s.gql(Some("asseveratore"), CHECK, check("FAIL")).await;
        assert_eq!(r["data"]["recordVerificationCheck"]["outcome"], "FAIL", "{r}");
        let mut na = check("NOT_APPLICABLE");
        na["i"]["plannedServiceId"] = json!(services[1].to_string());
        let r = s.gql(Some("asseveratore"), CHECK, na).await;
        assert!(r["errors"].is_null(), "{r}");

        for who in ["scuola", "dipartimento", "asseveratore"] {
            let r = s.gql(Some(who), CHECKLIST, json!({ "cup": SCHOOL_CUP })).await;
            let list = r["data"]["application"]["checklist"].as_array().unwrap_or_else(|| panic!("{who}: {r}")).clone();
            assert_eq!(list.len(), 2, "{who}: {r}");
            assert_eq!(list[0]["outcome"], "FAIL");
        }
        for who in [Some("fornitore"), Some("genova"), Some("altro.asseveratore"), None] {
            let r = s.gql(who, CHECKLIST, json!({ "cup": SCHOOL_CUP })).await;
            assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{who:?}: {r}");
        }
        for who in ["scuola", "altro.asseveratore"] {
            let r = s.gql(Some(who), CHECK, check("PASS")).await;
            assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{who}: {r}");
        }
        // A service of another project.
        let mut foreign = check("PASS");
        foreign["i"]["plannedServiceId"] = json!("999999");
        let r = s.gql(Some("asseveratore"), CHECK, foreign).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        assert_eq!(w.t.count_where("event", "action = 'CHECK_RECORDED'").await, 3);
    }
}
