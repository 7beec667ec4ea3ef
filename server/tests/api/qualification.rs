//! The department keeps the national catalogue of qualified suppliers and offerings; the
//! plans and contracts of administrations follow it.

use serde_json::json;

use crate::helpers::{both, error_code};
use crate::permissions::{ask, world, SCHOOL_CUP};

const SUPPLIER: &str = "mutation($s: SupplierInput!) { qualifySupplier(input: $s) { vatNumber name isPsn qualifiedUntil } }";
const OFFERING: &str = "mutation($o: OfferingInput!) { qualifyOffering(input: $o) { code deploymentModel maxDataClass qualifiedUntil } }";
/// A valid VAT number that the demo catalogue does not have.
const NEW_VAT: &str = "12345678903";

fn offering(until: &str) -> serde_json::Value {
    json!({ "o": {
        "supplierVat": NEW_VAT, "code": "ACME-SAAS-SCUOLA", "name": "Registro ACME (SaaS)",
        "serviceModel": "SAAS", "deploymentModel": "PUBLIC", "maxDataClass": "ORDINARIO",
        "qualifiedOn": "2025-02-01", "qualifiedUntil": until,
    }})
}

both! {
    async fn the_department_qualifies_a_supplier_whose_offering_a_school_then_plans(backend: Backend) {
        let w = world(backend).await;
        let s = json!({ "s": { "vatNumber": NEW_VAT, "name": "ACME Cloud S.p.A.", "qualifiedUntil": "2028-01-31" } });
        // Only the department keeps the catalogue.
        for who in ["scuola", "fornitore", "asseveratore"] {
            assert_eq!(error_code(&ask(&w, Some(who), SUPPLIER, s.clone()).await).as_deref(), Some("FORBIDDEN"), "{who}");
        }
        assert_eq!(error_code(&ask(&w, None, SUPPLIER, s.clone()).await).as_deref(), Some("UNAUTHENTICATED"));
        // An offering needs its supplier qualified first.
        let r = ask(&w, Some("dipartimento"), OFFERING, offering("2028-01-31")).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "supplierVat", "{r}");
        let r = ask(&w, Some("dipartimento"), SUPPLIER, s.clone()).await;
        assert_eq!(r["data"]["qualifySupplier"]["name"], "ACME Cloud S.p.A.", "{r}");
        // At most 36 months; a PSN deployment only for PSN.
        let r = ask(&w, Some("dipartimento"), OFFERING, offering("2028-02-02")).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "qualifiedUntil", "{r}");
        let mut psn = offering("2028-01-31");
        psn["o"]["deploymentModel"] = json!("PSN");
        let r = ask(&w, Some("dipartimento"), OFFERING, psn).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "deploymentModel", "{r}");
        let r = ask(&w, Some("dipartimento"), OFFERING, offering("2028-01-31")).await;
        assert_eq!(r["data"]["qualifyOffering"]["qualifiedUntil"], "2028-01-31", "{r}");
        assert_eq!(w.t.count_where("event", "action IN ('SUPPLIER_QUALIFIED', 'OFFERING_QUALIFIED')").await, 2);
        // Its code is ACME's: another supplier cannot qualify an offering under it.
        let mut taken = offering("2028-01-31");
        taken["o"]["supplierVat"] = json!("01234567897");
        let r = ask(&w, Some("dipartimento"), OFFERING, taken).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "code", "{r}");

        // The catalogue is public, and the school can plan on the new offering.
        let r = ask(&w, None, "{ suppliers { vatNumber offerings { code } } }", json!({})).await;
        let acme = r["data"]["suppliers"].as_array().unwrap().iter().find(|s| s["vatNumber"] == NEW_VAT).cloned().unwrap();
        assert_eq!(acme["offerings"], json!([{ "code": "ACME-SAAS-SCUOLA" }]));
        let plan = ask(&w, Some("scuola"), "query($cup: String!) { application(cup: $cup) { plan { id version } } }", json!({ "cup": SCHOOL_CUP })).await;
        let line = plan["data"]["application"]["plan"][0].clone();
        let saved = ask(&w, Some("scuola"), "mutation($i: PlannedServiceInput!) { savePlannedService(input: $i) { id version } }", json!({ "i": {
            "cup": SCHOOL_CUP, "id": line["id"], "version": line["version"], "catalogueCode": "SC_REGISTRO_ELETTRONICO",
            "dataClass": "ORDINARIO", "origin": "ON_PREMISES", "destination": "SAAS", "offeringCode": "ACME-SAAS-SCUOLA",
        }})).await;
        let saved = saved["data"]["savePlannedService"].clone();
        assert!(saved.is_object(), "{saved}");

        // Withdrawn (qualification ended yesterday): the supplier can no longer be contracted.
        let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
        let mut ended = s.clone();
        ended["s"]["qualifiedUntil"] = json!(yesterday);
        let r = ask(&w, Some("dipartimento"), SUPPLIER, ended).await;
        assert_eq!(r["data"]["qualifySupplier"]["qualifiedUntil"], json!(yesterday), "{r}");
        let r = ask(&w, Some("scuola"), "mutation($c: ContractInput!) { recordContract(input: $c) { id } }", json!({ "c": {
            "cup": SCHOOL_CUP, "supplierVat": NEW_VAT, "contractOn": "2025-07-01",
            "services": [{ "id": saved["id"], "version": saved["version"] }],
        }})).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "supplierVat", "{r}");
    }
}

both! {
    async fn master_data_that_has_already_ended_or_outlives_its_supplier_is_refused(backend: Backend) {
        let w = world(backend).await;
        let today = chrono::Utc::now().date_naive();
        let when = |days: i64| (today + chrono::Duration::days(days)).to_string();
        let supplier = |until: &str| json!({ "s": { "vatNumber": NEW_VAT, "name": "ACME Cloud S.p.A.", "qualifiedUntil": until } });
        let refused = |r: &serde_json::Value, needle: &str| {
            assert_eq!(error_code(r).as_deref(), Some("INVALID_INPUT"), "{r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], "qualifiedUntil", "{r}");
            assert!(r["errors"][0]["message"].as_str().unwrap().contains(needle), "{needle}: {r}");
        };
        // A new supplier whose qualification already ended, or lasts beyond 36 months.
        refused(&ask(&w, Some("dipartimento"), SUPPLIER, supplier("2025-06-30")).await, "already past");
        refused(&ask(&w, Some("dipartimento"), SUPPLIER, supplier(&when(37 * 31))).await, "36 months");
        assert_eq!(w.t.count_where("supplier", &format!("vat_number = '{NEW_VAT}'")).await, 0);
        let r = ask(&w, Some("dipartimento"), SUPPLIER, supplier(&when(365))).await;
        assert_eq!(r["data"]["qualifySupplier"]["qualifiedUntil"], json!(when(365)), "{r}");
        // Ended in 2001 is not a withdrawal.
        refused(&ask(&w, Some("dipartimento"), SUPPLIER, supplier("2001-01-01")).await, "withdraw");

        // An offering valid beyond its supplier's qualification, or already ended.
        let mut beyond = offering(&when(400));
        beyond["o"]["qualifiedOn"] = json!(today.to_string());
        refused(&ask(&w, Some("dipartimento"), OFFERING, beyond).await, "after its supplier");
        let mut ended = offering(&when(-1));
        ended["o"]["qualifiedOn"] = json!("2024-01-01");
        refused(&ask(&w, Some("dipartimento"), OFFERING, ended).await, "ended already");
        let mut fits = offering(&when(365));
        fits["o"]["qualifiedOn"] = json!(today.to_string());
        let r = ask(&w, Some("dipartimento"), OFFERING, fits).await;
        assert_eq!(r["data"]["qualifyOffering"]["qualifiedUntil"], json!(when(365)), "{r}");
        assert_eq!(w.t.count_where("event", "action = 'OFFERING_QUALIFIED'").await, 1);
    }
}
