//! Keeping a migration plan through the API: the measure's rules on origin, destination,
//! data class and qualification, optimistic concurrency, ownership, audit.

use serde_json::{json, Value};

use crate::helpers::{both, error_code};
use crate::permissions::{ask, world, World, SCHOOL_CUP};

const SAVE: &str = "mutation($i: PlannedServiceInput!) { savePlannedService(input: $i) { id name dataClass modality origin destination status version } }";
const PLAN: &str = "query($cup: String!) { application(cup: $cup) { plan { id name version } } }";

async fn first_service(w: &World) -> (String, i64) {
    let r = ask(w, Some("scuola"), PLAN, json!({ "cup": SCHOOL_CUP })).await;
    let s = &r["data"]["application"]["plan"][0];
    (
        s["id"].as_str().unwrap().to_owned(),
        s["version"].as_i64().unwrap(),
    )
}

fn line(
    id: &str,
    version: i64,
    class: &str,
    origin: &str,
    destination: &str,
    offering: &str,
) -> Value {
    json!({ "i": {
        "cup": SCHOOL_CUP, "id": id, "version": version, "catalogueCode": "SC_REGISTRO_ELETTRONICO",
        "dataClass": class, "origin": origin, "destination": destination, "offeringCode": offering,
    }})
}

both! {
    async fn a_school_plans_a_service_within_the_rules_of_the_measure(backend: Backend) {
        let w = world(backend).await;
        let (id, version) = first_service(&w).await;

        let r = ask(&w, Some("scuola"), SAVE, line(&id, version, "ORDINARIO", "ON_PREMISES", "SAAS", "DEMO-SAAS-SCUOLA")).await;
        let saved = &r["data"]["savePlannedService"];
        assert_eq!(saved["name"], "Registro elettronico", "{r}");
        assert_eq!(saved["modality"], "B");
        assert_eq!(saved["version"], version + 1);

        // Critical data may not go to an offering qualified only for ordinary data.
        let (_, v) = first_service(&w).await;
        let r = ask(&w, Some("scuola"), SAVE, line(&id, v, "CRITICO", "ON_PREMISES", "SAAS", "DEMO-SAAS-SCUOLA")).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "offering");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("PSN"));
        // ... but it may go to PSN.
        let r = ask(&w, Some("scuola"), SAVE, line(&id, v, "CRITICO", "ON_PREMISES", "IAAS", "PSN-IAAS-SHARED")).await;
        assert_eq!(r["data"]["savePlannedService"]["modality"], "A", "{r}");
        // A move the measure does not fund.
        let (_, v) = first_service(&w).await;
        let r = ask(&w, Some("scuola"), SAVE, line(&id, v, "ORDINARIO", "NON_QUALIFIED_PAAS", "PAAS", "DEMO-PAAS")).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "destination", "{r}");
        // An offering whose qualification has expired.
        let r = ask(&w, Some("scuola"), SAVE, line(&id, v, "ORDINARIO", "ON_PREMISES", "SAAS", "DEMO-SAAS-OLD")).await;
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("expired"), "{r}");
        // A value that is not a data class.
        let r = ask(&w, Some("scuola"), SAVE, line(&id, v, "SEGRETISSIMO", "ON_PREMISES", "SAAS", "DEMO-SAAS-SCUOLA")).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "dataClass", "{r}");

        // Two changes accepted, each with one audit event; the refusals wrote nothing.
        assert_eq!(w.t.count_where("event", "entity_type = 'planned_service'").await, 2);
        assert_eq!(w.t.count_where("event", "action = 'PLAN_SERVICE_CHANGED'").await, 2);
    }
}

both! {
    async fn a_stale_version_gets_conflict_and_changes_nothing(backend: Backend) {
        let w = world(backend).await;
        let (id, version) = first_service(&w).await;
        let first = ask(&w, Some("scuola"), SAVE, line(&id, version, "ORDINARIO", "ON_PREMISES", "SAAS", "DEMO-SAAS-SCUOLA")).await;
        assert!(first["errors"].is_null(), "{first}");
        // A second writer who read the same version loses, with CONFLICT.
        let second = ask(&w, Some("scuola"), SAVE, line(&id, version, "ORDINARIO", "ON_PREMISES", "IAAS", "PSN-IAAS-SHARED")).await;
        assert_eq!(error_code(&second).as_deref(), Some("CONFLICT"), "{second}");
        let (_, now) = first_service(&w).await;
        assert_eq!(now, version + 1);
        assert_eq!(w.t.count_where("event", "action = 'PLAN_SERVICE_CHANGED'").await, 1);
    }
}

both! {
    async fn only_the_owner_keeps_a_plan_and_a_school_cannot_add_lines(backend: Backend) {
        let w = world(backend).await;
        let (id, version) = first_service(&w).await;
        let change = line(&id, version, "ORDINARIO", "ON_PREMISES", "SAAS", "DEMO-SAAS-SCUOLA");
        for (who, code) in [(None, "UNAUTHENTICATED"), (Some("genova"), "FORBIDDEN"), (Some("fornitore"), "FORBIDDEN"), (Some("dipartimento"), "FORBIDDEN")] {
            let r = ask(&w, who, SAVE, change.clone()).await;
            assert_eq!(error_code(&r).as_deref(), Some(code), "{who:?}: {r}");
        }
        let mut add = change.clone();
        add["i"].as_object_mut().unwrap().remove("id");
        let r = ask(&w, Some("scuola"), SAVE, add).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("553"));
        assert_eq!(w.t.count_where("event", "entity_type = 'planned_service'").await, 0);
    }
}

both! {
    async fn the_catalogue_and_the_offerings_are_public(backend: Backend) {
        let w = world(backend).await;
        let r = ask(&w, None, r#"{ catalogue(targetType: SCUOLA) { code name } cloudOfferings { code maxDataClass qualifiedUntil isPsn } }"#, json!({})).await;
        assert_eq!(r["data"]["catalogue"].as_array().unwrap().len(), 32, "{r}");
        let offerings = r["data"]["cloudOfferings"].as_array().unwrap();
        assert!(offerings.iter().any(|o| o["code"] == "PSN-IAAS-PRIVATE" && o["isPsn"] == true && o["maxDataClass"] == "STRATEGICO"));
        let r = ask(&w, None, r#"{ catalogue(targetType: COMUNE) { code } }"#, json!({})).await;
        assert_eq!(r["data"]["catalogue"].as_array().unwrap().len(), 95);
    }
}

const GENOVA_CUP: &str = "B31C22000060007";
const GENOVA_PLAN: &str = "query($cup: String!) { application(cup: $cup) { plan { id name version catalogueCode offering { code name supplierName } } } }";
const REMOVE: &str = "mutation($i: RemovePlannedServiceInput!) { removePlannedService(input: $i) }";

fn comune_line(code: &str) -> Value {
    json!({ "i": {
        "cup": GENOVA_CUP, "catalogueCode": code, "dataClass": "ORDINARIO",
        "origin": "ON_PREMISES", "destination": "IAAS", "offeringCode": "PSN-IAAS-SHARED",
    }})
}

both! {
    async fn a_plan_reads_back_its_offering_and_refuses_a_service_twice(backend: Backend) {
        let w = world(backend).await;
        let r = ask(&w, Some("genova"), SAVE, comune_line("CO_ANAGRAFE_ANPR")).await;
        assert!(r["errors"].is_null(), "{r}");
        // Each line says what it was chosen from and on which offering, whose supplier.
        let r = ask(&w, Some("genova"), GENOVA_PLAN, json!({ "cup": GENOVA_CUP })).await;
        let line = &r["data"]["application"]["plan"][0];
        assert_eq!(line["catalogueCode"], "CO_ANAGRAFE_ANPR", "{r}");
        assert_eq!(line["offering"]["code"], "PSN-IAAS-SHARED");
        assert!(line["offering"]["supplierName"].as_str().unwrap().contains("Polo Strategico"), "{r}");
        // The same service again, from the catalogue or typed with other capitals, is refused on its name.
        let r = ask(&w, Some("genova"), SAVE, comune_line("CO_ANAGRAFE_ANPR")).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "name");
        let mut typed = comune_line("CO_STATO_CIVILE");
        typed["i"]["name"] = json!(line["name"].as_str().unwrap().to_uppercase());
        let r = ask(&w, Some("genova"), SAVE, typed).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "name", "{r}");
        // Saving a line under its own name is not a duplicate.
        let mut same = comune_line("CO_ANAGRAFE_ANPR");
        same["i"]["id"] = line["id"].clone();
        same["i"]["version"] = line["version"].clone();
        let r = ask(&w, Some("genova"), SAVE, same).await;
        assert!(r["errors"].is_null(), "{r}");
        assert_eq!(w.t.count_where("planned_service", "application_id = (SELECT id FROM application WHERE cup = 'B31C22000060007')").await, 1);
    }
}

both! {
    async fn a_planned_service_is_removed_before_its_contract_and_the_removal_is_audited(backend: Backend) {
        let w = world(backend).await;
        ask(&w, Some("genova"), SAVE, comune_line("CO_ANAGRAFE_ANPR")).await;
        ask(&w, Some("genova"), SAVE, comune_line("CO_STATO_CIVILE")).await;
        let r = ask(&w, Some("genova"), GENOVA_PLAN, json!({ "cup": GENOVA_CUP })).await;
        let plan = r["data"]["application"]["plan"].as_array().unwrap().clone();
        let (first, second) = (&plan[0], &plan[1]);
        let removal = |s: &Value, version: Value| json!({ "i": { "cup": GENOVA_CUP, "id": s["id"], "version": version } });
        // Someone else, a stale version: refused, nothing removed.
        for (who, code) in [(Some("scuola"), "FORBIDDEN"), (Some("dipartimento"), "FORBIDDEN"), (None, "UNAUTHENTICATED")] {
            let r = ask(&w, who, REMOVE, removal(first, first["version"].clone())).await;
            assert_eq!(error_code(&r).as_deref(), Some(code), "{who:?}: {r}");
        }
        let r = ask(&w, Some("genova"), REMOVE, removal(first, json!(99))).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");

        let r = ask(&w, Some("genova"), REMOVE, removal(first, first["version"].clone())).await;
        assert_eq!(r["data"]["removePlannedService"], first["id"], "{r}");
        let r = ask(&w, Some("genova"), GENOVA_PLAN, json!({ "cup": GENOVA_CUP })).await;
        let left: Vec<&str> = r["data"]["application"]["plan"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(left, [second["name"].as_str().unwrap()]);
        assert_eq!(w.t.count_where("event", "action = 'PLAN_SERVICE_REMOVED' AND actor_role = 'ADMINISTRATION'").await, 1);

        // Once under contract, a line stays.
        let r = ask(&w, Some("genova"), "mutation($c: ContractInput!) { recordContract(input: $c) { id version } }", json!({ "c": {
            "cup": GENOVA_CUP, "supplierVat": "16825251008", "contractOn": "2023-03-01",
            "services": [{ "id": second["id"], "version": second["version"] }],
        }})).await;
        let contracted = r["data"]["recordContract"][0].clone();
        assert!(contracted.is_object(), "{r}");
        let r = ask(&w, Some("genova"), REMOVE, removal(&contracted, contracted["version"].clone())).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");

        // A school's grant fixes its number of lines.
        let (id, version) = first_service(&w).await;
        let r = ask(&w, Some("scuola"), REMOVE, json!({ "i": { "cup": SCHOOL_CUP, "id": id, "version": version } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("553"), "{r}");
    }
}
