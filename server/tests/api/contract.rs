//! Recording supplier contracts: the first moves the project to CONTRACTED; expired
//! qualifications, mismatched offerings and stale versions are refused, all or nothing.

use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{json, Value};

use crate::helpers::{both, error_code};
use crate::permissions::{ask, world, World, SCHOOL_CUP};

const PLAN: &str = "query($cup: String!) { application(cup: $cup) { state nextDeadline { kind dueOn } plan { id version supplier { vatNumber } contractOn } } }";
const SAVE: &str =
    "mutation($i: PlannedServiceInput!) { savePlannedService(input: $i) { id version } }";
pub(crate) const CONTRACT: &str = "mutation($c: ContractInput!) { recordContract(input: $c) { id version contractOn supplier { vatNumber } } }";
pub(crate) const DEMO_VAT: &str = "01234567897";

async fn plan(w: &World) -> Value {
    ask(w, Some("scuola"), PLAN, json!({ "cup": SCHOOL_CUP })).await["data"]["application"].clone()
}

/// Plans the first two services of the school on the demo supplier's school offering.
pub(crate) async fn planned(w: &World) -> Vec<(String, i64)> {
    let p = plan(w).await;
    let mut out = Vec::new();
    for (s, code) in p["plan"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .zip(crate::lifecycle::SCHOOL_CODES)
    {
        let r = ask(w, Some("scuola"), SAVE, json!({ "i": {
            "cup": SCHOOL_CUP, "id": s["id"], "version": s["version"], "catalogueCode": code,
            "dataClass": "ORDINARIO", "origin": "ON_PREMISES", "destination": "SAAS", "offeringCode": "DEMO-SAAS-SCUOLA",
        }})).await;
        let saved = &r["data"]["savePlannedService"];
        out.push((
            saved["id"].as_str().unwrap().to_owned(),
            saved["version"].as_i64().unwrap(),
        ));
    }
    out
}

pub(crate) fn contract(vat: &str, on: &str, services: &[(String, i64)]) -> Value {
    json!({ "c": {
        "cup": SCHOOL_CUP, "supplierVat": vat, "contractOn": on,
        "services": services.iter().map(|(id, v)| json!({ "id": id, "version": v })).collect::<Vec<_>>(),
    }})
}

both! {
    async fn the_first_contract_moves_the_project_to_contracted(backend: Backend) {
        let w = world(backend).await;
        assert_eq!(plan(&w).await["state"], "FUNDED");
        let services = planned(&w).await;
        let r = ask(&w, Some("scuola"), CONTRACT, contract(DEMO_VAT, "2023-01-16", &services)).await;
        let saved = r["data"]["recordContract"].as_array().unwrap_or_else(|| panic!("{r}"));
        assert_eq!(saved.len(), 2);
        assert!(saved.iter().all(|s| s["supplier"]["vatNumber"] == DEMO_VAT && s["contractOn"] == "2023-01-16"));
        let p = plan(&w).await;
        assert_eq!(p["state"], "CONTRACTED");
        // Completion within 18 months of the contract, capped by the programme's end.
        assert_eq!(p["nextDeadline"], json!({ "kind": "COMPLETION", "dueOn": "2024-07-16" }));
        assert_eq!(w.t.count_where("event", "action = 'CONTRACT_RECORDED'").await, 2);
        assert_eq!(w.t.count_where("event", "action = 'STATE_CHANGED'").await, 1);
        // The supplier now sees the project among its own.
        let mine = ask(&w, Some("fornitore"), "{ myProjects { cup } }", json!({})).await;
        assert_eq!(mine["data"]["myProjects"][0]["cup"], SCHOOL_CUP);
    }
}

both! {
    async fn refused_contracts_change_nothing(backend: Backend) {
        let w = world(backend).await;
        let services = planned(&w).await;
        // PSN does not sell the offering these services target.
        let r = ask(&w, Some("scuola"), CONTRACT, contract("16825251008", "2023-01-16", &services)).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "supplierVat", "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("DEMO-SAAS-SCUOLA"));
        // A future date; a malformed VAT number.
        let r = ask(&w, Some("scuola"), CONTRACT, contract(DEMO_VAT, "2099-01-01", &services)).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "contractOn", "{r}");
        let r = ask(&w, Some("scuola"), CONTRACT, contract("12345", "2023-01-16", &services)).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "supplierVat", "{r}");
        // One stale version among two: neither service changes.
        let stale = vec![services[0].clone(), (services[1].0.clone(), services[1].1 - 1)];
        let r = ask(&w, Some("scuola"), CONTRACT, contract(DEMO_VAT, "2023-01-16", &stale)).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        // Another body may not record contracts on this project.
        let r = ask(&w, Some("genova"), CONTRACT, contract(DEMO_VAT, "2023-01-16", &services)).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");

        let p = plan(&w).await;
        assert_eq!(p["state"], "FUNDED");
        // (The world assigned the first service to the demo supplier, without a contract.)
        assert!(p["plan"].as_array().unwrap().iter().all(|s| s["contractOn"].is_null()), "{p}");
        assert!(p["plan"][1]["supplier"].is_null());
        assert_eq!(w.t.count_where("event", "action IN ('CONTRACT_RECORDED', 'STATE_CHANGED')").await, 0);
    }
}

both! {
    async fn a_supplier_whose_qualification_expired_cannot_be_chosen(backend: Backend) {
        let w = world(backend).await;
        let now = chrono::Utc::now();
        nuvola_server::entity::supplier::ActiveModel {
            vat_number: Set("00743110157".to_owned()),
            name: Set("Cloud Scaduto S.p.A.".to_owned()),
            is_psn: Set(false),
            qualified_until: Set(chrono::NaiveDate::from_ymd_opt(2025, 1, 31)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&w.t.db)
        .await
        .unwrap();
        let p = plan(&w).await;
        let third = &p["plan"][2];
        let services = vec![(third["id"].as_str().unwrap().to_owned(), third["version"].as_i64().unwrap())];
        let r = ask(&w, Some("scuola"), CONTRACT, contract("00743110157", "2023-01-16", &services)).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "supplierVat", "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("expired on 2025-01-31"));
    }
}

const CONTRACTS: &str = "query($cup: String!) { application(cup: $cup) { contracts { id version corrected cig amountEur contractOn \
    supplier { vatNumber } document { fileName } services { id } versions { version cig amountEur contractOn reason recordedBy } } \
    nextDeadline { kind dueOn } } }";
const CORRECT: &str = "mutation($c: ContractCorrectionInput!) { correctContract(input: $c) { id version corrected cig amountEur contractOn } }";

both! {
    async fn a_contract_is_listed_with_its_cig_amount_date_and_document_and_corrected_with_a_version(backend: Backend) {
        use crate::documents::{Sessions, PDF};
        let w = world(backend).await;
        let services = planned(&w).await;
        let mut s = Sessions::new(&w.app);
        let (status, signed) = s.upload(Some("scuola"), &[("kind", "CONTRACT"), ("fileName", "contratto.pdf")], PDF, None).await;
        assert_eq!(status, 201, "{signed}");
        let (_, other) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "altro.pdf")], PDF, None).await;

        // Each wrong part is refused naming its field, nothing recorded.
        let with = |cig: &str, amount: i64, doc: &Value| {
            let mut c = contract(DEMO_VAT, "2023-01-16", &services);
            c["c"]["cig"] = json!(cig);
            c["c"]["amountEur"] = json!(amount);
            c["c"]["documentId"] = doc.clone();
            c
        };
        for (input, field) in [
            (with("ABC", 12_500, &signed["id"]), "cig"),
            (with("9A1B2C3D4E", 0, &signed["id"]), "amountEur"),
            (with("9A1B2C3D4E", 12_500, &other["id"]), "documentId"),
        ] {
            let r = ask(&w, Some("scuola"), CONTRACT, input).await;
            assert_eq!(r["errors"][0]["extensions"]["field"], field, "{r}");
        }
        assert_eq!(w.t.count("supplier_contract").await, 0);
        let r = ask(&w, Some("scuola"), CONTRACT, with("9a1b2c3d4e", 12_500, &signed["id"])).await;
        assert!(r["data"]["recordContract"].is_array(), "{r}");

        let listed = ask(&w, Some("scuola"), CONTRACTS, json!({ "cup": SCHOOL_CUP })).await;
        let c = listed["data"]["application"]["contracts"][0].clone();
        assert_eq!(c["cig"], "9A1B2C3D4E", "{listed}");
        assert_eq!((c["amountEur"].clone(), c["contractOn"].clone(), c["version"].clone(), c["corrected"].clone()),
            (json!(12_500), json!("2023-01-16"), json!(1), json!(false)));
        assert_eq!(c["document"]["fileName"], "contratto.pdf");
        assert_eq!(c["services"].as_array().map(Vec::len), Some(2));
        // The contract's document is used now: it stays.
        let r = s.gql(Some("scuola"), "mutation($id: ID!) { removeDocument(id: $id) }", json!({ "id": signed["id"] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_TRANSITION"), "{r}");

        // Who sees it: the department and the supplier (its own, without the document,
        // which only the administration, its verifier and the department read).
        let d = ask(&w, Some("dipartimento"), CONTRACTS, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(d["data"]["application"]["contracts"][0]["cig"], "9A1B2C3D4E", "{d}");
        let f = ask(&w, Some("fornitore"), CONTRACTS, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(f["data"]["application"]["contracts"][0]["cig"], "9A1B2C3D4E", "{f}");
        assert!(f["data"]["application"]["contracts"][0]["document"].is_null(), "{f}");
        let p = ask(&w, Some("psn"), CONTRACTS, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(p["data"]["application"]["contracts"], json!([]), "{p}");
        let g = ask(&w, Some("genova"), CONTRACTS, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(error_code(&g).as_deref(), Some("FORBIDDEN"), "{g}");

        // A correction: a new version with its reason; the first stays; a new date moves
        // the services' contract date and the completion term.
        let correction = |version: i64, reason: &str| json!({ "c": {
            "id": c["id"], "version": version, "cig": "9A1B2C3D4F", "amountEur": 13_000,
            "contractOn": "2023-02-01", "documentId": signed["id"], "reason": reason,
        }});
        let r = ask(&w, Some("scuola"), CORRECT, correction(1, "corto")).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "reason", "{r}");
        for who in ["fornitore", "dipartimento", "genova"] {
            let r = ask(&w, Some(who), CORRECT, correction(1, "CIG trascritto male dal contratto firmato")).await;
            assert!(matches!(error_code(&r).as_deref(), Some("FORBIDDEN" | "NOT_FOUND")), "{who}: {r}");
        }
        let r = ask(&w, Some("scuola"), CORRECT, correction(1, "CIG trascritto male dal contratto firmato")).await;
        assert_eq!(r["data"]["correctContract"], json!({
            "id": c["id"], "version": 2, "corrected": true, "cig": "9A1B2C3D4F", "amountEur": 13_000, "contractOn": "2023-02-01",
        }), "{r}");
        let r = ask(&w, Some("scuola"), CORRECT, correction(1, "CIG trascritto male dal contratto firmato")).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        let listed = ask(&w, Some("scuola"), CONTRACTS, json!({ "cup": SCHOOL_CUP })).await;
        let app = &listed["data"]["application"];
        let versions = app["contracts"][0]["versions"].as_array().unwrap().clone();
        assert_eq!(versions.len(), 2, "{listed}");
        assert_eq!(versions[0]["cig"], "9A1B2C3D4E");
        assert!(versions[0]["reason"].is_null());
        assert_eq!(versions[1]["reason"], "CIG trascritto male dal contratto firmato");
        assert_eq!(versions[1]["recordedBy"], "scuola");
        assert_eq!(app["nextDeadline"], json!({ "kind": "COMPLETION", "dueOn": "2024-08-01" }), "{listed}");
        let p = plan(&w).await;
        assert!(p["plan"].as_array().unwrap().iter().filter(|s| s["supplier"].is_object()).all(|s| s["contractOn"] == "2023-02-01"), "{p}");
        assert_eq!(w.t.count_where("event", "action = 'CONTRACT_CORRECTED'").await, 1);
        assert_eq!(w.t.count_where("event", "action = 'CONTRACT_CREATED'").await, 1);
        assert_eq!(w.t.count("contract_version").await, 2);
    }
}
