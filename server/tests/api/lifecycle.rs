//! The whole life of a project through the API: plan, contract, the suppliers' updates,
//! completion, verification, payment; the refusals with their stable codes; no lost
//! update when two people write the same service at once.

use serde_json::{json, Value};

use crate::helpers::{both, error_code};
use crate::permissions::{ask, world, World, SCHOOL_CUP};

const GENOVA_CUP: &str = "B31C22000060007";
const DEMO_VAT: &str = "01234567897";
const PSN_VAT: &str = "16825251008";

const PROJECT: &str = "query($cup: String!) { application(cup: $cup) { state version openDataState stateReason verificationOutcome plan { id version status name } } }";
const SAVE: &str =
    "mutation($i: PlannedServiceInput!) { savePlannedService(input: $i) { id version } }";
const CONTRACT: &str = "mutation($c: ContractInput!) { recordContract(input: $c) { id version } }";
const ASSESS: &str = "mutation($a: AssessmentInput!) { submitAssessment(input: $a) { version } }";
const MOVE_MANY: &str = "mutation($s: [ServiceStatusInput!]!) { updateServiceStatuses(input: $s) { id version status } }";
const MOVE_ONE: &str =
    "mutation($s: ServiceStatusInput!) { updateServiceStatus(input: $s) { id version status } }";
const COMPLETE: &str =
    "mutation($p: ProjectVersionInput!) { declareCompletion(project: $p) { state version } }";
const ASSIGN: &str = "mutation($p: ProjectVersionInput!, $v: String!) { assignVerifier(project: $p, verifier: $v) { state version } }";
const OUTCOME: &str = "mutation($p: ProjectVersionInput!, $o: VerificationOutcome!, $redo: [ID!]) { recordVerificationOutcome(project: $p, outcome: $o, notes: \"verificato\", redoServices: $redo) { state version verificationOutcome } }";
const REQUEST_PAYMENT: &str =
    "mutation($p: ProjectVersionInput!) { requestPayment(project: $p) { state version } }";
const PAY: &str = "mutation($p: ProjectVersionInput!) { pay(project: $p) { state version } }";
const ASK_RENOUNCE: &str = "mutation($p: ProjectVersionInput!, $r: String!) { requestRenunciation(project: $p, reason: $r) { state version renunciationRequest { reason } } }";
const WITHDRAW: &str = "mutation($p: ProjectVersionInput!) { withdrawRenunciationRequest(project: $p) { state version renunciationRequest { reason } } }";
const DECREE: &str = "mutation($p: ProjectVersionInput!) { decreeRenunciation(project: $p) { state version stateReason renunciationRequest { reason } } }";
const REVOKE: &str = "mutation($p: ProjectVersionInput!, $r: String!) { revoke(project: $p, reason: $r) { state version } }";
const HISTORY: &str = "query($cup: String!) { application(cup: $cup) { history { action entityType subject actorRole actorName before after } } }";

async fn project(w: &World, who: &str, cup: &str) -> Value {
    let r = ask(w, Some(who), PROJECT, json!({ "cup": cup })).await;
    r["data"]["application"].clone()
}

fn version_of(p: &Value, cup: &str) -> Value {
    json!({ "cup": cup, "version": p["version"] })
}

/// Runs a mutation that must succeed and returns its field.
async fn ok(w: &World, who: &str, query: &str, vars: Value) -> Value {
    let r = ask(w, Some(who), query, vars).await;
    assert!(r.get("errors").is_none(), "{who}: {query}: {r}");
    let data = r["data"].as_object().unwrap();
    data.values().next().unwrap().clone()
}

/// Runs a mutation that must fail and returns its error code.
async fn refused(w: &World, who: Option<&str>, query: &str, vars: Value) -> String {
    let r = ask(w, who, query, vars).await;
    error_code(&r).unwrap_or_else(|| panic!("{who:?} {query}: expected a refusal, got {r}"))
}

/// Distinct catalogue services for the lines of the school's plan.
pub(crate) const SCHOOL_CODES: [&str; 8] = [
    "SC_SEGRETERIA_DIGITALE",
    "SC_REGISTRO_ELETTRONICO",
    "SC_ALBO_ONLINE",
    "SC_GESTIONE_ALUNNI",
    "SC_SITO_WEB_ISTITUZIONALE",
    "SC_POSTA_ELETTRONICA",
    "SC_PAGAMENTI_PAGOPA",
    "SC_ORARIO_SCOLASTICO",
];

/// Plans every line of the school on the demo supplier and contracts them all.
async fn school_contracted(w: &World) {
    let p = project(w, "scuola", SCHOOL_CUP).await;
    let mut services = Vec::new();
    // A plan names each service once.
    for (s, code) in p["plan"].as_array().unwrap().iter().zip(SCHOOL_CODES) {
        let saved = ok(w, "scuola", SAVE, json!({ "i": {
            "cup": SCHOOL_CUP, "id": s["id"], "version": s["version"], "catalogueCode": code,
            "dataClass": "ORDINARIO", "origin": "ON_PREMISES", "destination": "SAAS", "offeringCode": "DEMO-SAAS-SCUOLA",
        }})).await;
        services.push(json!({ "id": saved["id"], "version": saved["version"] }));
    }
    ok(w, "scuola", CONTRACT, json!({ "c": {
        "cup": SCHOOL_CUP, "supplierVat": DEMO_VAT, "contractOn": "2023-01-16", "services": services,
    }}))
    .await;
}

/// Plans two lines of the Comune di Genova on PSN (one ordinary, one critical) and
/// contracts them with PSN.
async fn comune_contracted(w: &World) {
    let lines = [
        ("CO_ANAGRAFE_ANPR", "ORDINARIO", "IAAS", "PSN-IAAS-SHARED"),
        ("CO_STATO_CIVILE", "CRITICO", "PAAS", "PSN-PAAS"),
    ];
    let mut services = Vec::new();
    for (i, (code, class, destination, offering)) in lines.into_iter().enumerate() {
        let saved = ok(w, "genova", SAVE, json!({ "i": {
            "cup": GENOVA_CUP, "catalogueCode": code, "dataClass": class, "origin": "ON_PREMISES",
            "destination": destination, "offeringCode": offering, "idempotencyKey": format!("genova-line-{i}"),
        }})).await;
        services.push(json!({ "id": saved["id"], "version": saved["version"] }));
    }
    ok(w, "genova", CONTRACT, json!({ "c": {
        "cup": GENOVA_CUP, "supplierVat": PSN_VAT, "contractOn": "2022-10-03", "services": services,
    }}))
    .await;
}

/// The supplier fills in each questionnaire, then moves every service one step at a
/// time to `last`, in bulk.
async fn migrate_all(w: &World, supplier: &str, owner: &str, cup: &str, steps: &[&str]) {
    for step in steps {
        let p = project(w, owner, cup).await;
        if *step == "ASSESSED" {
            for s in p["plan"].as_array().unwrap() {
                ok(w, supplier, ASSESS, json!({ "a": {
                    "serviceId": s["id"], "latestVersion": 0, "applicationName": format!("App {}", s["name"]),
                    "cpuCores": 4, "memoryGb": 16, "storageGb": 200, "users": 40,
                }}))
                .await;
            }
        }
        let batch: Vec<Value> = p["plan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| json!({ "id": s["id"], "version": s["version"], "status": step }))
            .collect();
        let moved = ok(w, supplier, MOVE_MANY, json!({ "s": batch })).await;
        assert!(
            moved
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["status"] == *step),
            "{moved}"
        );
    }
}

const ALL_STEPS: [&str; 4] = ["ASSESSED", "MIGRATING", "TESTING", "MIGRATED"];

async fn verify_and_pay(w: &World, owner: &str, cup: &str) {
    let p = project(w, owner, cup).await;
    let done = ok(w, owner, COMPLETE, json!({ "p": version_of(&p, cup) })).await;
    assert_eq!(done["state"], "COMPLETED");
    // Once the migration is declared complete, renouncing is no longer offered.
    let late = json!({ "p": version_of(&done, cup), "r": "ci abbiamo ripensato" });
    assert_eq!(
        refused(w, Some(owner), ASK_RENOUNCE, late).await,
        "INVALID_TRANSITION"
    );
    let p = ok(
        w,
        "dipartimento",
        ASSIGN,
        json!({ "p": version_of(&done, cup), "v": "asseveratore" }),
    )
    .await;
    assert_eq!(p["state"], "UNDER_VERIFICATION");
    let p = ok(
        w,
        "asseveratore",
        OUTCOME,
        json!({ "p": version_of(&p, cup), "o": "POSITIVE" }),
    )
    .await;
    assert_eq!(p["state"], "VERIFIED");
    assert_eq!(p["verificationOutcome"], "POSITIVE");
    let p = ok(
        w,
        owner,
        REQUEST_PAYMENT,
        json!({ "p": version_of(&p, cup) }),
    )
    .await;
    assert_eq!(p["state"], "PAYMENT_REQUESTED");
    let late = json!({ "p": version_of(&p, cup), "r": "ci abbiamo ripensato" });
    assert_eq!(
        refused(w, Some(owner), ASK_RENOUNCE, late).await,
        "INVALID_TRANSITION"
    );
    let p = ok(w, "dipartimento", PAY, json!({ "p": version_of(&p, cup) })).await;
    assert_eq!(p["state"], "PAID");
    let public = ask(
        w,
        None,
        "query($cup: String!) { application(cup: $cup) { state openDataState } }",
        json!({ "cup": cup }),
    )
    .await;
    assert_eq!(
        public["data"]["application"],
        json!({ "state": "PAID", "openDataState": "E" })
    );
}

both! {
    async fn a_school_project_lives_from_funded_to_paid(backend: Backend) {
        let w = world(backend).await;
        school_contracted(&w).await;
        assert_eq!(project(&w, "scuola", SCHOOL_CUP).await["state"], "CONTRACTED");
        migrate_all(&w, "fornitore", "scuola", SCHOOL_CUP, &ALL_STEPS[..2]).await;
        // The first service to start migrating started the project.
        assert_eq!(project(&w, "scuola", SCHOOL_CUP).await["state"], "MIGRATING");
        migrate_all(&w, "fornitore", "scuola", SCHOOL_CUP, &ALL_STEPS[2..]).await;
        verify_and_pay(&w, "scuola", SCHOOL_CUP).await;

        // Every step is in the history, oldest last, with who did it.
        let h = ask(&w, Some("scuola"), HISTORY, json!({ "cup": SCHOOL_CUP })).await;
        let events = h["data"]["application"]["history"].as_array().unwrap_or_else(|| panic!("{h}"));
        let states: Vec<String> = events
            .iter()
            .filter(|e| e["action"] == "STATE_CHANGED")
            .map(|e| serde_json::from_str::<Value>(e["after"].as_str().unwrap()).unwrap()["state"].as_str().unwrap().to_owned())
            .rev()
            .collect();
        assert_eq!(states, ["CONTRACTED", "MIGRATING", "COMPLETED", "UNDER_VERIFICATION", "VERIFIED", "PAYMENT_REQUESTED", "PAID"]);
        let paid = &events[0];
        assert_eq!((paid["actorRole"].as_str(), paid["actorName"].as_str()), (Some("DEPARTMENT"), Some("dipartimento")));
        // 4 services × 4 steps, and 4 questionnaires.
        assert_eq!(w.t.count_where("event", "action = 'STATUS_CHANGED'").await, 16);
        assert_eq!(w.t.count_where("assessment", "version = 1").await, 4);
    }
}

both! {
    async fn a_comune_project_is_partially_verified_then_paid(backend: Backend) {
        let w = world(backend).await;
        comune_contracted(&w).await;
        migrate_all(&w, "psn", "genova", GENOVA_CUP, &ALL_STEPS).await;
        let p = project(&w, "genova", GENOVA_CUP).await;
        let p = ok(&w, "genova", COMPLETE, json!({ "p": version_of(&p, GENOVA_CUP) })).await;
        let p = ok(&w, "dipartimento", ASSIGN, json!({ "p": version_of(&p, GENOVA_CUP), "v": "asseveratore" })).await;
        // Partially positive: the civil registry must be redone, the project migrates again.
        let plan = project(&w, "genova", GENOVA_CUP).await["plan"].clone();
        let redo = plan[1]["id"].clone();
        let p = ok(&w, "asseveratore", OUTCOME, json!({ "p": version_of(&p, GENOVA_CUP), "o": "PARTIAL", "redo": [redo] })).await;
        assert_eq!(p["state"], "MIGRATING");
        let plan = project(&w, "genova", GENOVA_CUP).await["plan"].clone();
        assert_eq!(plan[0]["status"], "MIGRATED");
        assert_eq!(plan[1]["status"], "FAILED");
        for step in ["MIGRATING", "TESTING", "MIGRATED"] {
            let s = project(&w, "genova", GENOVA_CUP).await["plan"][1].clone();
            ok(&w, "psn", MOVE_ONE, json!({ "s": { "id": s["id"], "version": s["version"], "status": step } })).await;
        }
        verify_and_pay(&w, "genova", GENOVA_CUP).await;
        // The idempotency keys kept one line each.
        assert_eq!(w.t.count("idempotency_key").await, 2);
    }
}

both! {
    async fn a_retried_request_with_its_key_does_not_duplicate(backend: Backend) {
        let w = world(backend).await;
        let line = json!({ "i": {
            "cup": GENOVA_CUP, "catalogueCode": "CO_ANAGRAFE_ANPR", "dataClass": "ORDINARIO",
            "origin": "ON_PREMISES", "destination": "SAAS", "idempotencyKey": "7f1c9a52-0d4e-4d7b-9a51-3c2e8f6b1a00",
        }});
        let first = ok(&w, "genova", SAVE, line.clone()).await;
        let again = ok(&w, "genova", SAVE, line.clone()).await;
        assert_eq!(first, again);
        assert_eq!(project(&w, "genova", GENOVA_CUP).await["plan"].as_array().unwrap().len(), 1);
        assert_eq!(w.t.count_where("event", "action = 'PLAN_SERVICE_ADDED'").await, 1);
        // Without a key, a second request is a second line; a malformed key is refused.
        let mut unkeyed = line.clone();
        unkeyed["i"].as_object_mut().unwrap().remove("idempotencyKey");
        // (Another service: a plan names each service once.)
        unkeyed["i"]["catalogueCode"] = json!("CO_STATO_CIVILE");
        ok(&w, "genova", SAVE, unkeyed).await;
        let mut bad = line.clone();
        bad["i"]["idempotencyKey"] = json!("../x");
        assert_eq!(refused(&w, Some("genova"), SAVE, bad).await, "INVALID_INPUT");

        // Keys are forgotten after a week: the purge keeps this one (just stored), and a
        // purge as if 8 days had passed removes it; the same key then adds a new line.
        use nuvola_server::service::idempotency::{purge, KEEP};
        let now = chrono::Utc::now();
        assert_eq!(purge(&w.t.db, now - KEEP).await.unwrap(), 0);
        assert_eq!(w.t.count("idempotency_key").await, 1);
        assert_eq!(purge(&w.t.db, now + chrono::TimeDelta::days(1)).await.unwrap(), 1);
        assert_eq!(w.t.count("idempotency_key").await, 0);
        let mut later = line.clone();
        later["i"]["catalogueCode"] = json!("CO_PROTOCOLLO_INFORMATICO");
        ok(&w, "genova", SAVE, later).await;
        assert_eq!(project(&w, "genova", GENOVA_CUP).await["plan"].as_array().unwrap().len(), 3);
    }
}

both! {
    async fn forbidden_moves_are_refused_with_stable_codes(backend: Backend) {
        let w = world(backend).await;
        let p = project(&w, "scuola", SCHOOL_CUP).await;
        let v = json!({ "p": version_of(&p, SCHOOL_CUP) });
        let first = p["plan"][0].clone();
        // Out of order in the project's life.
        assert_eq!(refused(&w, Some("scuola"), COMPLETE, v.clone()).await, "INVALID_TRANSITION");
        assert_eq!(refused(&w, Some("scuola"), REQUEST_PAYMENT, v.clone()).await, "INVALID_TRANSITION");
        assert_eq!(refused(&w, Some("dipartimento"), PAY, v.clone()).await, "INVALID_TRANSITION");
        assert_eq!(refused(&w, Some("dipartimento"), ASSIGN, json!({ "p": version_of(&p, SCHOOL_CUP), "v": "asseveratore" })).await, "INVALID_TRANSITION");
        // The wrong role, or somebody else's project.
        assert_eq!(refused(&w, Some("scuola"), PAY, v.clone()).await, "FORBIDDEN");
        assert_eq!(refused(&w, Some("dipartimento"), ASK_RENOUNCE, json!({ "p": version_of(&p, SCHOOL_CUP), "r": "non serve più a nulla" })).await, "FORBIDDEN");
        assert_eq!(refused(&w, Some("genova"), ASK_RENOUNCE, json!({ "p": version_of(&p, SCHOOL_CUP), "r": "non serve più a nulla" })).await, "FORBIDDEN");
        assert_eq!(refused(&w, Some("scuola"), DECREE, v.clone()).await, "FORBIDDEN");
        assert_eq!(refused(&w, Some("scuola"), REVOKE, json!({ "p": version_of(&p, SCHOOL_CUP), "r": "scadenza mancata" })).await, "FORBIDDEN");
        assert_eq!(refused(&w, Some("altro.asseveratore"), OUTCOME, json!({ "p": version_of(&p, SCHOOL_CUP), "o": "POSITIVE" })).await, "FORBIDDEN");
        assert_eq!(refused(&w, None, COMPLETE, v.clone()).await, "UNAUTHENTICATED");
        // A service not contracted yet does not move; a supplier never moves another's.
        assert_eq!(refused(&w, Some("fornitore"), MOVE_ONE, json!({ "s": { "id": first["id"], "version": first["version"], "status": "ASSESSED" } })).await, "INVALID_TRANSITION");
        school_contracted(&w).await;
        let p = project(&w, "scuola", SCHOOL_CUP).await;
        let first = p["plan"][0].clone();
        assert_eq!(refused(&w, Some("psn"), MOVE_ONE, json!({ "s": { "id": first["id"], "version": first["version"], "status": "ASSESSED" } })).await, "FORBIDDEN");
        assert_eq!(refused(&w, Some("genova"), MOVE_ONE, json!({ "s": { "id": first["id"], "version": first["version"], "status": "ASSESSED" } })).await, "FORBIDDEN");
        // Steps the migration does not have; ASSESSED needs a questionnaire.
        assert_eq!(refused(&w, Some("fornitore"), MOVE_ONE, json!({ "s": { "id": first["id"], "version": first["version"], "status": "MIGRATED" } })).await, "INVALID_TRANSITION");
        assert_eq!(refused(&w, Some("fornitore"), MOVE_ONE, json!({ "s": { "id": first["id"], "version": first["version"], "status": "ASSESSED" } })).await, "INVALID_TRANSITION");
        assert_eq!(refused(&w, Some("fornitore"), MOVE_ONE, json!({ "s": { "id": first["id"], "version": first["version"], "status": "DONE" } })).await, "INVALID_INPUT");
        // Completion needs every service migrated.
        assert_eq!(refused(&w, Some("scuola"), COMPLETE, json!({ "p": version_of(&p, SCHOOL_CUP) })).await, "INVALID_TRANSITION");
        // A stale version.
        let stale = json!({ "p": { "cup": SCHOOL_CUP, "version": p["version"].as_i64().unwrap() - 1 }, "r": "abbiamo cambiato idea" });
        assert_eq!(refused(&w, Some("scuola"), ASK_RENOUNCE, stale).await, "CONFLICT");
        // A reason too short to mean anything.
        let r = ask(&w, Some("scuola"), ASK_RENOUNCE, json!({ "p": version_of(&p, SCHOOL_CUP), "r": "boh" })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"));
        assert_eq!(r["errors"][0]["extensions"]["field"], "reason");
        // Asked, then decreed with the administration's reason; nothing moves a closed project.
        let asked = ok(&w, "scuola", ASK_RENOUNCE, json!({ "p": version_of(&p, SCHOOL_CUP), "r": "la scuola è stata accorpata" })).await;
        let closed = ok(&w, "dipartimento", DECREE, json!({ "p": version_of(&asked, SCHOOL_CUP) })).await;
        assert_eq!(closed["state"], "RENOUNCED");
        assert_eq!(closed["stateReason"], "la scuola è stata accorpata");
        assert_eq!(refused(&w, Some("dipartimento"), REVOKE, json!({ "p": version_of(&closed, SCHOOL_CUP), "r": "scadenza mancata" })).await, "INVALID_TRANSITION");
        assert_eq!(refused(&w, Some("fornitore"), MOVE_ONE, json!({ "s": { "id": first["id"], "version": first["version"], "status": "ASSESSED" } })).await, "INVALID_TRANSITION");
        // The reason is not public.
        let public = ask(&w, None, "query($cup: String!) { application(cup: $cup) { state stateReason } }", json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(error_code(&public).as_deref(), Some("FORBIDDEN"));
    }
}

both! {
    async fn a_renunciation_is_requested_by_the_administration_and_decreed_by_the_department(backend: Backend) {
        let w = world(backend).await;
        school_contracted(&w).await;
        let p = project(&w, "scuola", SCHOOL_CUP).await;
        // Nothing to decree or withdraw before the administration asks.
        assert_eq!(refused(&w, Some("dipartimento"), DECREE, json!({ "p": version_of(&p, SCHOOL_CUP) })).await, "INVALID_TRANSITION");
        assert_eq!(refused(&w, Some("scuola"), WITHDRAW, json!({ "p": version_of(&p, SCHOOL_CUP) })).await, "INVALID_TRANSITION");

        // Asking keeps the state and records the request with its reason.
        let asked = ok(&w, "scuola", ASK_RENOUNCE, json!({ "p": version_of(&p, SCHOOL_CUP), "r": "il fornitore ha chiuso l'attività" })).await;
        assert_eq!(asked["state"], "CONTRACTED");
        assert_eq!(asked["renunciationRequest"]["reason"], "il fornitore ha chiuso l'attività");
        assert_eq!(refused(&w, Some("scuola"), ASK_RENOUNCE, json!({ "p": version_of(&asked, SCHOOL_CUP), "r": "lo chiediamo di nuovo" })).await, "INVALID_TRANSITION");
        // While it waits, a further contract waits too, though it would not change the state.
        let line = project(&w, "scuola", SCHOOL_CUP).await["plan"][0].clone();
        let contract = json!({ "c": { "cup": SCHOOL_CUP, "supplierVat": DEMO_VAT, "contractOn": "2023-01-16",
            "services": [{ "id": line["id"], "version": line["version"] }] } });
        assert_eq!(refused(&w, Some("scuola"), CONTRACT, contract).await, "INVALID_TRANSITION");
        // The department reads it; the public does not.
        let seen = ask(&w, Some("dipartimento"), "query($cup: String!) { application(cup: $cup) { renunciationRequest { reason requestedAt } } }", json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(seen["data"]["application"]["renunciationRequest"]["reason"], "il fornitore ha chiuso l'attività");
        let public = ask(&w, None, "query($cup: String!) { application(cup: $cup) { renunciationRequest { reason } } }", json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(error_code(&public).as_deref(), Some("FORBIDDEN"));

        // Withdrawn: the project goes on as before.
        let back = ok(&w, "scuola", WITHDRAW, json!({ "p": version_of(&asked, SCHOOL_CUP) })).await;
        assert_eq!(back["state"], "CONTRACTED");
        assert_eq!(back["renunciationRequest"], Value::Null);
        assert_eq!(refused(&w, Some("dipartimento"), DECREE, json!({ "p": version_of(&back, SCHOOL_CUP) })).await, "INVALID_TRANSITION");

        // Asked again and decreed: RENOUNCED only now, with the administration's reason.
        let asked = ok(&w, "scuola", ASK_RENOUNCE, json!({ "p": version_of(&back, SCHOOL_CUP), "r": "la scuola è stata accorpata" })).await;
        assert_eq!(refused(&w, Some("scuola"), DECREE, json!({ "p": version_of(&asked, SCHOOL_CUP) })).await, "FORBIDDEN");
        let decreed = ok(&w, "dipartimento", DECREE, json!({ "p": version_of(&asked, SCHOOL_CUP) })).await;
        assert_eq!(decreed["state"], "RENOUNCED");
        assert_eq!(decreed["stateReason"], "la scuola è stata accorpata");
        assert_eq!(decreed["renunciationRequest"], Value::Null);
        assert_eq!(refused(&w, Some("scuola"), WITHDRAW, json!({ "p": version_of(&decreed, SCHOOL_CUP) })).await, "INVALID_TRANSITION");

        // Each step is in the history, by whom it was taken.
        let h = ask(&w, Some("scuola"), HISTORY, json!({ "cup": SCHOOL_CUP })).await;
        let steps: Vec<(String, String)> = h["data"]["application"]["history"].as_array().unwrap().iter()
            .take(4)
            .map(|e| (e["action"].as_str().unwrap().to_owned(), e["actorRole"].as_str().unwrap().to_owned()))
            .rev()
            .collect();
        let expected = [("RENUNCIATION_REQUESTED", "ADMINISTRATION"), ("RENUNCIATION_WITHDRAWN", "ADMINISTRATION"), ("RENUNCIATION_REQUESTED", "ADMINISTRATION"), ("STATE_CHANGED", "DEPARTMENT")];
        assert_eq!(steps, expected.map(|(a, r)| (a.to_owned(), r.to_owned())));
    }
}

both! {
    async fn a_pending_renunciation_holds_the_administrations_other_moves(backend: Backend) {
        let w = world(backend).await;
        school_contracted(&w).await;
        migrate_all(&w, "fornitore", "scuola", SCHOOL_CUP, &ALL_STEPS).await;
        let p = project(&w, "scuola", SCHOOL_CUP).await;
        let asked = ok(&w, "scuola", ASK_RENOUNCE, json!({ "p": version_of(&p, SCHOOL_CUP), "r": "il fornitore ha chiuso l'attività" })).await;
        // Completion waits for the request to be withdrawn (or decreed).
        assert_eq!(refused(&w, Some("scuola"), COMPLETE, json!({ "p": version_of(&asked, SCHOOL_CUP) })).await, "INVALID_TRANSITION");
        let back = ok(&w, "scuola", WITHDRAW, json!({ "p": version_of(&asked, SCHOOL_CUP) })).await;
        let done = ok(&w, "scuola", COMPLETE, json!({ "p": version_of(&back, SCHOOL_CUP) })).await;
        assert_eq!(done["state"], "COMPLETED");
    }
}

both! {
    async fn a_bulk_update_is_all_or_nothing(backend: Backend) {
        let w = world(backend).await;
        school_contracted(&w).await;
        comune_contracted(&w).await;
        let school = project(&w, "scuola", SCHOOL_CUP).await["plan"].clone();
        for s in school.as_array().unwrap() {
            ok(&w, "fornitore", ASSESS, json!({ "a": { "serviceId": s["id"], "latestVersion": 0, "users": 10 } })).await;
        }
        let genova = project(&w, "genova", GENOVA_CUP).await["plan"].clone();
        let mut batch: Vec<Value> = school.as_array().unwrap().iter()
            .map(|s| json!({ "id": s["id"], "version": s["version"], "status": "ASSESSED" }))
            .collect();
        // One service of another supplier spoils the batch: nothing moves.
        batch.push(json!({ "id": genova[0]["id"], "version": genova[0]["version"], "status": "ASSESSED" }));
        assert_eq!(refused(&w, Some("fornitore"), MOVE_MANY, json!({ "s": batch })).await, "FORBIDDEN");
        // So does one stale version.
        batch.pop();
        batch[3]["version"] = json!(99);
        assert_eq!(refused(&w, Some("fornitore"), MOVE_MANY, json!({ "s": batch })).await, "CONFLICT");
        assert_eq!(w.t.count_where("planned_service", "status <> 'NOT_STARTED'").await, 0);
        assert_eq!(w.t.count_where("event", "action = 'STATUS_CHANGED'").await, 0);
        // More than 500 is refused before anything is read.
        let huge: Vec<Value> = (1..=501).map(|i| json!({ "id": i.to_string(), "version": 1, "status": "ASSESSED" })).collect();
        assert_eq!(refused(&w, Some("fornitore"), MOVE_MANY, json!({ "s": huge })).await, "INVALID_INPUT");
        // The good batch goes through whole.
        batch[3]["version"] = school[3]["version"].clone();
        let moved = ok(&w, "fornitore", MOVE_MANY, json!({ "s": batch })).await;
        assert_eq!(moved.as_array().unwrap().len(), 4);
        assert_eq!(w.t.count_where("event", "action = 'STATUS_CHANGED'").await, 4);
    }
}

both! {
    async fn questionnaires_keep_every_version(backend: Backend) {
        let w = world(backend).await;
        school_contracted(&w).await;
        let s = project(&w, "scuola", SCHOOL_CUP).await["plan"][0].clone();
        let answer = |latest: i64, cores: i64| json!({ "a": { "serviceId": s["id"], "latestVersion": latest, "applicationName": "Segreteria", "cpuCores": cores } });
        assert_eq!(ok(&w, "fornitore", ASSESS, answer(0, 2)).await["version"], 1);
        assert_eq!(ok(&w, "scuola", ASSESS, answer(1, 4)).await["version"], 2);
        // Somebody who read version 1 is told it moved on.
        assert_eq!(refused(&w, Some("fornitore"), ASSESS, answer(1, 8)).await, "CONFLICT");
        let r = ask(&w, Some("fornitore"), ASSESS, answer(2, 0)).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "cpuCores");
        // Another supplier may not answer for this service.
        assert_eq!(refused(&w, Some("psn"), ASSESS, answer(2, 8)).await, "FORBIDDEN");
        let q = "query($cup: String!) { application(cup: $cup) { plan { assessments { version cpuCores } } } }";
        let r = ask(&w, Some("scuola"), q, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(r["data"]["application"]["plan"][0]["assessments"], json!([{ "version": 2, "cpuCores": 4 }, { "version": 1, "cpuCores": 2 }]));
    }
}

both! {
    async fn two_writers_on_one_service_one_wins_one_conflicts(backend: Backend) {
        let w = world(backend).await;
        school_contracted(&w).await;
        let s = project(&w, "scuola", SCHOOL_CUP).await["plan"][0].clone();
        ok(&w, "fornitore", ASSESS, json!({ "a": { "serviceId": s["id"], "latestVersion": 0, "users": 10 } })).await;
        let supplier = w.app.login("fornitore", crate::permissions::PASSWORD).await;
        let school = w.app.login("scuola", crate::permissions::PASSWORD).await;
        let vars = json!({ "s": { "id": s["id"], "version": s["version"], "status": "ASSESSED" } });
        let (a, b) = tokio::join!(
            w.app.graphql_as(Some(&supplier), MOVE_ONE, vars.clone()),
            w.app.graphql_as(Some(&school), MOVE_ONE, vars.clone()),
        );
        let outcomes = [error_code(&a.1), error_code(&b.1)];
        assert!(
            outcomes.contains(&None) && outcomes.contains(&Some("CONFLICT".to_owned())),
            "one must win and one get CONFLICT: {} / {}", a.1, b.1
        );
        let condition = format!("action = 'STATUS_CHANGED' AND entity_id = '{}'", s["id"].as_str().unwrap());
        assert_eq!(w.t.count_where("event", &condition).await, 1);
    }
}

both! {
    async fn the_department_revokes_and_the_supplier_reads_only_its_history(backend: Backend) {
        let w = world(backend).await;
        school_contracted(&w).await;
        comune_contracted(&w).await;
        // A supplier reads only the events of its own services; PUBLIC reads none.
        let h = ask(&w, Some("fornitore"), HISTORY, json!({ "cup": SCHOOL_CUP })).await;
        let events = h["data"]["application"]["history"].as_array().unwrap_or_else(|| panic!("{h}"));
        assert!(!events.is_empty());
        assert!(events.iter().all(|e| e["entityType"] == "PLANNED_SERVICE"), "{h}");
        // Each event names the service it is about, also when it carries only a status.
        let plan = project(&w, "scuola", SCHOOL_CUP).await["plan"].clone();
        let names: Vec<&str> = plan.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert!(events.iter().all(|e| names.contains(&e["subject"].as_str().unwrap_or_default())), "{h}");
        let h = ask(&w, Some("dipartimento"), HISTORY, json!({ "cup": SCHOOL_CUP })).await;
        let events = h["data"]["application"]["history"].as_array().unwrap_or_else(|| panic!("{h}"));
        assert!(events.iter().any(|e| e["entityType"] == "APPLICATION" && e["subject"].is_null()), "{h}");
        assert_eq!(error_code(&ask(&w, Some("fornitore"), HISTORY, json!({ "cup": GENOVA_CUP })).await).as_deref(), Some("FORBIDDEN"));
        assert_eq!(error_code(&ask(&w, None, HISTORY, json!({ "cup": SCHOOL_CUP })).await).as_deref(), Some("FORBIDDEN"));
        assert_eq!(error_code(&ask(&w, Some("genova"), HISTORY, json!({ "cup": SCHOOL_CUP })).await).as_deref(), Some("FORBIDDEN"));
        // The public answer is read (and cached) before the change, and is not stale after.
        let public_state = "query($cup: String!) { application(cup: $cup) { openDataState } }";
        for _ in 0..2 {
            let before = ask(&w, None, public_state, json!({ "cup": GENOVA_CUP })).await;
            assert_eq!(before["data"]["application"]["openDataState"], "A");
        }
        let p = project(&w, "dipartimento", GENOVA_CUP).await;
        let revoked = ok(&w, "dipartimento", REVOKE, json!({ "p": version_of(&p, GENOVA_CUP), "r": "contratto non conforme all'avviso" })).await;
        assert_eq!(revoked["state"], "REVOKED");
        let public = ask(&w, None, public_state, json!({ "cup": GENOVA_CUP })).await;
        assert_eq!(public["data"]["application"]["openDataState"], "R");
    }
}

both! {
    async fn questionnaires_requests_and_uploads_retried_with_their_key_are_stored_once(backend: Backend) {
        let w = world(backend).await;
        school_contracted(&w).await;
        let s = project(&w, "scuola", SCHOOL_CUP).await["plan"][0].clone();
        let answer = json!({ "a": { "serviceId": s["id"], "latestVersion": 0, "users": 12, "idempotencyKey": "questionario-0001" } });
        let first = ok(&w, "fornitore", ASSESS, answer.clone()).await;
        // The retry would be stale without its key; with it, the first answer comes back.
        assert_eq!(ok(&w, "fornitore", ASSESS, answer).await, first);
        assert_eq!(w.t.count("assessment").await, 1);

        crate::requests::put_under_verification(&w).await;
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(10)).to_string();
        let open = "mutation($i: OpenRequestInput!) { openVerificationRequest(input: $i) { id } }";
        let request = json!({ "i": { "cup": SCHOOL_CUP, "title": "Contratto", "body": "Il contratto firmato.", "dueOn": due, "idempotencyKey": "richiesta-0001" } });
        let a = ok(&w, "asseveratore", open, request.clone()).await;
        assert_eq!(ok(&w, "asseveratore", open, request).await, a);
        assert_eq!(w.t.count("verification_request").await, 1);

        let token = w.token("scuola").await;
        let mut ids = Vec::new();
        for _ in 0..2 {
            let r = w.app.client
                .post(w.app.url(&format!("/api/projects/{SCHOOL_CUP}/documents")))
                .query(&[("kind", "CONTRACT"), ("fileName", "contratto.pdf")])
                .bearer_auth(&token)
                .header("Idempotency-Key", "contratto-0001")
                .body(crate::documents::PDF.to_vec())
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            let body: Value = r.json().await.unwrap();
            ids.push(body["id"].clone());
        }
        assert_eq!(ids[0], ids[1]);
        assert_eq!(w.t.count("document").await, 1);
    }
}

const PENDING: &str = "{ pendingRenunciations(first: 10) { totalCount projects { cup renunciationRequest { reason } } } }";
const INBOX: &str = "{ notifications(first: 10) { totalCount edges { node { kind cup: application { cup } it: message en: message(language: EN) } } } }";

/// The kinds in `who`'s inbox, newest first, with their Italian and English texts.
async fn inbox(w: &World, who: &str) -> Vec<(String, String, String)> {
    let r = ask(w, Some(who), INBOX, json!({})).await;
    r["data"]["notifications"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["it"].as_str().unwrap().to_owned(),
                n["en"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

both! {
    async fn the_department_is_told_of_a_renunciation_request_finds_it_pending_and_the_administration_is_told_of_the_decree(backend: Backend) {
        let w = world(backend).await;
        school_contracted(&w).await;
        const CONTACT: &str = "mutation($e: String, $l: Language!) { updateNotificationContact(email: $e, language: $l) { email } }";
        for (who, email, lang) in [("dipartimento", "pnrr@dipartimento.example.it", "IT"), ("scuola", "dirigente@scuola.example.it", "EN"), ("genova", "protocollo@comune.genova.it", "IT")] {
            let r = ask(&w, Some(who), CONTACT, json!({ "e": email, "l": lang })).await;
            assert_eq!(r["data"]["updateNotificationContact"]["email"], email, "{r}");
        }
        // Nothing pending yet.
        let r = ask(&w, Some("dipartimento"), PENDING, json!({})).await;
        assert_eq!(r["data"]["pendingRenunciations"], json!({ "totalCount": 0, "projects": [] }), "{r}");

        let p = project(&w, "scuola", SCHOOL_CUP).await;
        let asked = ok(&w, "scuola", ASK_RENOUNCE, json!({ "p": version_of(&p, SCHOOL_CUP), "r": "la scuola è stata accorpata" })).await;
        // The department is told, in both languages, and by e-mail in the same transaction.
        let told = inbox(&w, "dipartimento").await;
        assert_eq!(told.len(), 1, "{told:?}");
        assert_eq!(told[0].0, "RENUNCIATION_REQUESTED");
        assert!(told[0].1.contains(&format!("chiede di rinunciare al finanziamento del progetto CUP {SCHOOL_CUP}")) && told[0].1.contains("«la scuola è stata accorpata»"), "{told:?}");
        assert!(told[0].2.contains(&format!("asks to renounce the funding of project CUP {SCHOOL_CUP}")), "{told:?}");
        assert_eq!(w.t.count_where("delivery", "channel = 'EMAIL' AND kind = 'RENUNCIATION_REQUESTED' AND recipient = 'pnrr@dipartimento.example.it'").await, 1);
        assert_eq!(w.t.count_where("delivery", "kind = 'RENUNCIATION_REQUESTED'").await, 1, "nobody else is e-mailed");
        // Nobody else hears of it.
        for who in ["scuola", "genova", "fornitore", "asseveratore"] {
            assert!(inbox(&w, who).await.iter().all(|(k, _, _)| !k.starts_with("RENUNCIATION")), "{who}");
        }
        // The department finds it among the pending requests; nobody else may list them.
        let r = ask(&w, Some("dipartimento"), PENDING, json!({})).await;
        assert_eq!(r["data"]["pendingRenunciations"], json!({ "totalCount": 1, "projects": [{ "cup": SCHOOL_CUP, "renunciationRequest": { "reason": "la scuola è stata accorpata" } }] }), "{r}");
        for who in [Some("scuola"), Some("asseveratore"), Some("fornitore"), None] {
            let r = ask(&w, who, PENDING, json!({})).await;
            assert!(matches!(error_code(&r).as_deref(), Some("FORBIDDEN" | "UNAUTHENTICATED")), "{who:?}: {r}");
        }

        // Withdrawn: the department is told, and the list is empty again.
        let back = ok(&w, "scuola", WITHDRAW, json!({ "p": version_of(&asked, SCHOOL_CUP) })).await;
        let told = inbox(&w, "dipartimento").await;
        assert_eq!(told[0].0, "RENUNCIATION_WITHDRAWN", "{told:?}");
        assert!(told[0].1.contains("ha ritirato la richiesta di rinuncia"), "{told:?}");
        let r = ask(&w, Some("dipartimento"), PENDING, json!({})).await;
        assert_eq!(r["data"]["pendingRenunciations"]["totalCount"], 0, "{r}");

        // Asked again and decreed: the administration is told, in its language by e-mail.
        let asked = ok(&w, "scuola", ASK_RENOUNCE, json!({ "p": version_of(&back, SCHOOL_CUP), "r": "la scuola è stata accorpata" })).await;
        assert_eq!(w.t.count_where("notification", "kind = 'RENUNCIATION_REQUESTED'").await, 2, "once per request");
        ok(&w, "dipartimento", DECREE, json!({ "p": version_of(&asked, SCHOOL_CUP) })).await;
        let told = inbox(&w, "scuola").await;
        assert_eq!(told[0].0, "RENUNCIATION_DECREED", "{told:?}");
        assert!(told[0].2.starts_with(&format!("The Department decreed the renunciation of the funding of project CUP {SCHOOL_CUP}")), "{told:?}");
        let mail = w.t.count_where("delivery", "channel = 'EMAIL' AND kind = 'RENUNCIATION_DECREED' AND recipient = 'dirigente@scuola.example.it' AND LOWER(payload) LIKE '%\"language\":\"en\"%'").await;
        assert_eq!(mail, 1);
        assert!(inbox(&w, "genova").await.is_empty());
        let r = ask(&w, Some("dipartimento"), PENDING, json!({})).await;
        assert_eq!(r["data"]["pendingRenunciations"]["totalCount"], 0, "{r}");
    }
}

both! {
    async fn a_department_that_wants_renunciation_requests_in_the_app_only_gets_no_email(backend: Backend) {
        let w = world(backend).await;
        school_contracted(&w).await;
        let r = ask(&w, Some("dipartimento"), "mutation { updateNotificationContact(email: \"pnrr@dipartimento.example.it\", language: IT) { email } }", json!({})).await;
        assert!(r["data"]["updateNotificationContact"].is_object(), "{r}");
        let r = ask(&w, Some("dipartimento"), "mutation { setNotificationPreference(kind: RENUNCIATION_REQUESTED, mode: IN_APP) { preferences { kind mode mandatory } } }", json!({})).await;
        let prefs = r["data"]["setNotificationPreference"]["preferences"].as_array().unwrap_or_else(|| panic!("{r}")).clone();
        assert!(prefs.contains(&json!({ "kind": "RENUNCIATION_REQUESTED", "mode": "IN_APP", "mandatory": false })), "{r}");
        let p = project(&w, "scuola", SCHOOL_CUP).await;
        ok(&w, "scuola", ASK_RENOUNCE, json!({ "p": version_of(&p, SCHOOL_CUP), "r": "la scuola è stata accorpata" })).await;
        assert_eq!(inbox(&w, "dipartimento").await[0].0, "RENUNCIATION_REQUESTED");
        assert_eq!(w.t.count("delivery").await, 0);
    }
}
