//! `nuvola seed-national` at a small scale (0.01): deterministic, consistent, complete in
//! its references, and only for an empty database. The national scale runs in
//! `make bench` (server/benches/national.rs).

use std::collections::HashMap;
use std::process::Command;

use indicatif::ProgressBar;
use nuvola_server::entity::{application, event, planned_service};
use nuvola_server::seed::{self, Options};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::helpers::{both, TestApp, TestDb};

const SMALL: Options = Options {
    seed: 7,
    scale: 0.01,
};

/// What two runs with the same seed must agree on: every project's state and dates,
/// every planned service, and the newest audit events.
async fn sample(db: &DatabaseConnection) -> (Vec<String>, Vec<String>, Vec<String>) {
    let projects = application::Entity::find()
        .order_by_asc(application::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| {
            format!(
                "{} {} {} {:?} {:?} {:?} {:?} {}",
                a.cup,
                a.state,
                a.amount_eur,
                a.funded_on,
                a.contract_on,
                a.verifier_account_id,
                a.verification_outcome,
                a.version
            )
        })
        .collect();
    let services = planned_service::Entity::find()
        .order_by_asc(planned_service::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| {
            format!(
                "{} {} {} {} {:?} {:?} {}",
                s.application_id,
                s.name,
                s.data_class,
                s.status,
                s.supplier_id,
                s.offering_id,
                s.version
            )
        })
        .collect();
    let events = event::Entity::find()
        .filter(event::Column::ActorName.ne("nuvola serve --demo"))
        .order_by_desc(event::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.occurred_at.date_naive() <= seed::as_of())
        .take(500)
        .map(|e| {
            format!(
                "{} {} {} {} {:?} {:?}",
                e.occurred_at, e.action, e.entity_type, e.entity_id, e.application_id, e.after_json
            )
        })
        .collect();
    (projects, services, events)
}

async fn zero(t: &TestDb, what: &str, sql: &str) {
    let row =
        t.db.query_one(sea_orm::Statement::from_string(
            t.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM ({sql}) AS x"),
        ))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get("", "n").unwrap();
    assert_eq!(n, 0, "{what}: {sql}");
}

both! {
    async fn seed_national_is_deterministic_consistent_and_only_for_an_empty_database(backend: Backend) {
        let a = TestDb::new(backend).await;
        let b = TestDb::new(backend).await;
        let hidden = ProgressBar::hidden();
        let ra = seed::seed_national(&a.db, SMALL, &hidden).await.unwrap();
        let rb = seed::seed_national(&b.db, SMALL, &hidden).await.unwrap();

        // The same seed gives the same data set.
        assert_eq!(ra.counts, rb.counts);
        assert_eq!(ra.big_supplier_projects, rb.big_supplier_projects);
        let (pa, sa, ea) = sample(&a.db).await;
        let (pb, sb, eb) = sample(&b.db).await;
        assert_eq!(pa, pb, "projects differ");
        assert_eq!(sa, sb, "planned services differ");
        assert_eq!(ea, eb, "events differ");

        // A hundredth of the national figures on top of the open data and the demo.
        assert!(ra.count("administration") >= 12_369 + 40, "{}", ra.summary());
        assert!(ra.count("application") >= 12_934 + 100, "{}", ra.summary());
        assert!(ra.count("planned_service") >= 2_000, "{}", ra.summary());
        assert!(ra.count("assessment") >= 1_000, "{}", ra.summary());
        assert!(ra.count("event") >= 50_000, "{}", ra.summary());
        assert!(ra.count("supplier") >= 300, "{}", ra.summary());
        assert!(ra.count("verification_request") > 0, "{}", ra.summary());
        assert!(ra.count("document") > 0, "{}", ra.summary());
        assert!(ra.count("notification") > 0, "{}", ra.summary());
        assert!(ra.big_supplier_projects >= 20, "{}", ra.big_supplier_projects);
        for state in ["SUBMITTED", "FUNDED", "CONTRACTED", "MIGRATING", "COMPLETED", "UNDER_VERIFICATION", "VERIFIED", "PAYMENT_REQUESTED", "PAID", "RENOUNCED"] {
            assert!(a.count_where("application", &format!("state = '{state}'")).await > 0, "no project {state}");
        }

        // Every reference leads somewhere.
        for (what, sql) in [
            ("service without project", "SELECT s.id FROM planned_service s LEFT JOIN application a ON a.id = s.application_id WHERE a.id IS NULL"),
            ("service with unknown supplier", "SELECT s.id FROM planned_service s LEFT JOIN supplier p ON p.id = s.supplier_id WHERE s.supplier_id IS NOT NULL AND p.id IS NULL"),
            ("service with unknown offering", "SELECT s.id FROM planned_service s LEFT JOIN cloud_offering o ON o.id = s.offering_id WHERE s.offering_id IS NOT NULL AND o.id IS NULL"),
            ("questionnaire without service", "SELECT q.id FROM assessment q LEFT JOIN planned_service s ON s.id = q.planned_service_id WHERE s.id IS NULL"),
            ("project without body", "SELECT a.id FROM application a LEFT JOIN administration b ON b.id = a.administration_id WHERE b.id IS NULL"),
            ("project without call", "SELECT a.id FROM application a LEFT JOIN call c ON c.id = a.call_id WHERE c.id IS NULL"),
            ("event of an unknown project", "SELECT e.id FROM event e LEFT JOIN application a ON a.id = e.application_id WHERE e.application_id IS NOT NULL AND a.id IS NULL"),
            ("event of an unknown account", "SELECT e.id FROM event e LEFT JOIN account c ON c.id = e.actor_account_id WHERE e.actor_account_id IS NOT NULL AND c.id IS NULL"),
            ("document without project", "SELECT d.id FROM document d LEFT JOIN application a ON a.id = d.application_id WHERE a.id IS NULL"),
            ("request without project", "SELECT r.id FROM verification_request r LEFT JOIN application a ON a.id = r.application_id WHERE a.id IS NULL"),
            ("notification of an unknown project", "SELECT n.id FROM notification n LEFT JOIN application a ON a.id = n.application_id WHERE n.application_id IS NOT NULL AND a.id IS NULL"),
            ("account of an unknown supplier", "SELECT c.id FROM account c LEFT JOIN supplier s ON s.id = c.supplier_id WHERE c.supplier_id IS NOT NULL AND s.id IS NULL"),
            ("offering of an unknown supplier", "SELECT o.id FROM cloud_offering o LEFT JOIN supplier s ON s.id = o.supplier_id WHERE s.id IS NULL"),
            ("two bodies with one IPA code", "SELECT ipa_key FROM administration GROUP BY ipa_key HAVING COUNT(*) > 1"),
            ("notification without English", "SELECT n.id FROM notification n WHERE n.message_en IS NULL OR n.message_en = ''"),
        ] {
            zero(&a, what, sql).await;
        }

        // States and statuses agree.
        let done = "'COMPLETED', 'UNDER_VERIFICATION', 'VERIFIED', 'PAYMENT_REQUESTED', 'PAID'";
        let contracted = "'CONTRACTED', 'MIGRATING', 'COMPLETED', 'UNDER_VERIFICATION', 'VERIFIED', 'PAYMENT_REQUESTED', 'PAID'";
        for (what, sql) in [
            ("completed project with a service not migrated", format!("SELECT s.id FROM planned_service s JOIN application a ON a.id = s.application_id WHERE a.state IN ({done}) AND s.status <> 'MIGRATED'")),
            ("uncontracted project with a service under way", "SELECT s.id FROM planned_service s JOIN application a ON a.id = s.application_id WHERE a.state IN ('SUBMITTED', 'FUNDED') AND s.status <> 'NOT_STARTED'".to_owned()),
            ("contracted project with a service without supplier", format!("SELECT s.id FROM planned_service s JOIN application a ON a.id = s.application_id WHERE a.state IN ({contracted}) AND s.supplier_id IS NULL")),
            ("contracted project without contract date", format!("SELECT a.id FROM application a WHERE a.state IN ({contracted}) AND a.contract_on IS NULL")),
            ("contract before funding", "SELECT a.id FROM application a WHERE a.contract_on < a.funded_on".to_owned()),
            ("verified project without outcome", "SELECT a.id FROM application a WHERE a.state IN ('VERIFIED', 'PAYMENT_REQUESTED', 'PAID') AND a.verification_outcome IS NULL".to_owned()),
            ("verification without verifier", "SELECT a.id FROM application a WHERE a.state IN ('UNDER_VERIFICATION', 'VERIFIED', 'PAYMENT_REQUESTED', 'PAID') AND a.verifier_account_id IS NULL".to_owned()),
            ("submitted project with a funding date", "SELECT a.id FROM application a WHERE a.state = 'SUBMITTED' AND a.funded_on IS NOT NULL".to_owned()),
        ] {
            zero(&a, what, &sql).await;
        }
        // A project's newest state change names the state it is in.
        let changes = event::Entity::find()
            .filter(event::Column::Action.eq("STATE_CHANGED"))
            .order_by_asc(event::Column::Id)
            .all(&a.db)
            .await
            .unwrap();
        let mut last: HashMap<i32, String> = HashMap::new();
        for e in changes {
            let after: serde_json::Value = serde_json::from_str(e.after_json.as_deref().unwrap_or("{}")).unwrap();
            if let (Some(app), Some(state)) = (e.application_id, after["state"].as_str()) {
                last.insert(app, state.to_owned());
            }
        }
        let states: HashMap<i32, String> = application::Entity::find().all(&a.db).await.unwrap().into_iter().map(|p| (p.id, p.state)).collect();
        assert!(last.len() > 100, "{}", last.len());
        for (app, state) in &last {
            assert_eq!(states.get(app), Some(state), "project {app}: its history ends in {state}");
        }

        // The seeded supplier signs in and sees its projects; the demo logins still work.
        let app = TestApp::start(&a.db).await;
        let token = app.login(seed::BIG_SUPPLIER_USERNAME, seed::BIG_SUPPLIER_PASSWORD).await;
        let (_, me) = app.graphql_as(Some(&token), "{ me { username role } }", json!({})).await;
        assert_eq!(me["data"]["me"]["username"], seed::BIG_SUPPLIER_USERNAME, "{me}");
        app.login("comune.ferrara", "ferrara-demo-2026").await;

        // A database with data in it is refused, by the library and by the command.
        let again = seed::seed_national(&a.db, SMALL, &hidden).await.unwrap_err();
        assert!(format!("{again:#}").contains("not empty"), "{again:#}");
        let out = Command::new(env!("CARGO_BIN_EXE_nuvola"))
            .args(["seed-national", "--scale", "0.01"])
            .env("DATABASE_URL", &b.url)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("seed-national fills an empty database only"), "{stderr}");
    }
}
