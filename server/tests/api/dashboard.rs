//! The department's dashboard query and the CSV export of the explorer's filter.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{both, gql, TestApp, TestDb, ALL_ROWS};

const DASHBOARD: &str = r#"query($f: ApplicationFilter) { dashboard(filter: $f) {
  byRegion { key applications amountEur administrations }
  byCall { key applications amountEur }
  byType { key applications }
  monthly { month funded renounced paid amountEur }
  paidAdministrations targetAdministrations overdueCount progressNotReportedCount
  overdue { cup administration region callTitle state kind dueOn daysLate } } }"#;

fn sum(list: &serde_json::Value, field: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .map(|g| g[field].as_i64().unwrap())
        .sum()
}

both! {
    async fn the_dashboard_breaks_the_open_data_down_by_region_call_type_and_month(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let r = gql(&t.db, DASHBOARD, json!({})).await;
        assert!(r["errors"].is_null(), "{r}");
        let d = &r["data"]["dashboard"];
        let all = ALL_ROWS as i64;
        // Every application falls in exactly one group of each breakdown.
        assert_eq!(sum(&d["byRegion"], "applications"), all);
        assert_eq!(sum(&d["byCall"], "applications"), all);
        assert_eq!(sum(&d["byType"], "applications"), all);
        assert_eq!(d["byRegion"].as_array().unwrap().len(), 20);
        let liguria = d["byRegion"].as_array().unwrap().iter().find(|g| g["key"] == "Liguria").unwrap();
        assert_eq!(liguria["applications"], 344);
        // Largest first.
        let counts: Vec<i64> = d["byRegion"].as_array().unwrap().iter().map(|g| g["applications"].as_i64().unwrap()).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
        // Months in order, each counting the projects decreed in it.
        let months: Vec<&str> = d["monthly"].as_array().unwrap().iter().map(|m| m["month"].as_str().unwrap()).collect();
        assert!(months.windows(2).all(|w| w[0] < w[1]), "{months:?}");
        assert_eq!(sum(&d["monthly"], "funded"), all, "every published application has a decree date");
        assert_eq!(sum(&d["monthly"], "renounced"), sum_state(&t, "RENOUNCED").await + sum_state(&t, "REVOKED").await);
        assert_eq!(sum(&d["monthly"], "paid"), sum_state(&t, "PAID").await);
        // The bundled open data has no paid project yet: no body counts as paid.
        assert_eq!(d["paidAdministrations"].as_i64().unwrap() > 0, sum_state(&t, "PAID").await > 0);
        assert_eq!(d["targetAdministrations"], 16_547);
        // Overdue projects come most late first, at most 20 of them.
        let overdue = d["overdue"].as_array().unwrap();
        assert!(overdue.len() <= 20);
        assert!(d["overdueCount"].as_i64().unwrap() >= overdue.len() as i64);
        let late: Vec<i64> = overdue.iter().map(|o| o["daysLate"].as_i64().unwrap()).collect();
        assert!(late.windows(2).all(|w| w[0] >= w[1]), "{late:?}");
        assert!(late.iter().all(|d| *d > 0));

        // A filter narrows every breakdown.
        let r = gql(&t.db, DASHBOARD, json!({ "f": { "region": "Liguria" } })).await;
        let d = &r["data"]["dashboard"];
        assert_eq!(d["byRegion"].as_array().unwrap().len(), 1);
        assert_eq!(sum(&d["byCall"], "applications"), 344);

        // A bad filter is refused with the field to blame, as `applications` does.
        let r = gql(&t.db, DASHBOARD, json!({ "f": { "region": "Atlantide" } })).await;
        assert_eq!(r["errors"][0]["extensions"]["code"], "INVALID_INPUT");
        assert_eq!(r["errors"][0]["extensions"]["field"], "filter.region");
    }
}

async fn sum_state(t: &TestDb, state: &str) -> i64 {
    t.count_where("application", &format!("state = '{state}'"))
        .await
}

both! {
    async fn the_csv_export_gives_the_published_rows_the_explorer_filter_keeps(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let app = TestApp::start(&t.db).await;

        let res = app.client.get(app.url("/api/export.csv?region=Liguria")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let body = res.text().await.unwrap();
        let mut lines = body.lines();
        assert!(lines.next().unwrap().starts_with("codice_ipa,ente,comune"));
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), 344);
        assert!(rows.iter().all(|r| r.contains(",Liguria,")));
        assert!(rows[0].starts_with("c_d969,Comune di Genova"));

        let renounced = app
            .client
            .get(app.url("/api/export.csv?region=Liguria&state=RENOUNCED"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(renounced.lines().count(), 1 + 68);

        let everything = app.client.get(app.url("/api/export.csv")).send().await.unwrap().text().await.unwrap();
        assert_eq!(everything.lines().count(), 1 + ALL_ROWS);

        let bad = app.client.get(app.url("/api/export.csv?state=LOST")).send().await.unwrap();
        assert_eq!(bad.status(), 400);
        let body: serde_json::Value = bad.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_INPUT");
    }
}

both! {
    async fn the_dashboard_counts_the_overdue_projects_the_deadline_checker_marked(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        // Before any check, nothing is marked: the dashboard shows no overdue project.
        let r = gql(&t.db, DASHBOARD, json!({})).await;
        assert_eq!(r["data"]["dashboard"]["overdueCount"], 0, "{r}");

        let today = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let report = nuvola_server::service::deadlines::check(&t.db, today).await.unwrap();
        assert!(report.newly_overdue > 0, "{report:?}");
        let marked = t.count_where("application", "overdue_kind IS NOT NULL").await;
        assert_eq!(marked as usize, report.newly_overdue);
        // Every mark is on a project known only from the open data: "avanzamento non
        // comunicato", counted apart, and none is called late.
        let r = gql(&t.db, DASHBOARD, json!({})).await;
        let d = &r["data"]["dashboard"];
        assert_eq!(d["overdueCount"], 0, "{d}");
        assert_eq!(d["progressNotReportedCount"].as_i64().unwrap(), marked, "{d}");
        assert_eq!(d["overdue"], json!([]), "{d}");

        // Five of them report progress (as a person's change does): they are late now.
        t.db.execute_unprepared(
            "UPDATE application SET progress_reported_at = CURRENT_TIMESTAMP WHERE id IN \
             (SELECT id FROM application WHERE overdue_kind IS NOT NULL ORDER BY id LIMIT 5)",
        )
        .await
        .unwrap();
        let r = gql(&t.db, DASHBOARD, json!({})).await;
        let d = &r["data"]["dashboard"];
        // The same projects `overdueProjects(progressReported: true)` lists.
        assert_eq!(d["overdueCount"], 5, "{d}");
        assert_eq!(d["progressNotReportedCount"].as_i64().unwrap(), marked - 5, "{d}");
        assert_eq!(d["overdue"].as_array().unwrap().len(), 5, "{d}");
        let first = &d["overdue"][0];
        assert!(first["daysLate"].as_i64().unwrap() > 0, "{first}");
        assert!(["CONTRACT", "COMPLETION"].contains(&first["kind"].as_str().unwrap()), "{first}");
    }
}

/// The public totals the server keeps as summaries (`stats`, a list's `totalCount`, the
/// dashboard), read with the response cache off: what one replica answers.
async fn public_totals(addr: &str) -> (i64, i64, i64, i64) {
    let r: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .json(&json!({ "query": r#"{
            stats(filter: {region: "Liguria"}) { applications amountEur }
            applications(first: 1, filter: {region: "Liguria"}) { totalCount }
            dashboard { byRegion { key applications amountEur } } }"# }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let d = &r["data"];
    let liguria = d["dashboard"]["byRegion"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .find(|g| g["key"] == "Liguria")
        .unwrap_or_else(|| panic!("{r}"));
    (
        d["stats"]["applications"].as_i64().unwrap(),
        d["stats"]["amountEur"].as_f64().unwrap() as i64,
        d["applications"]["totalCount"].as_i64().unwrap(),
        liguria["amountEur"].as_f64().unwrap() as i64,
    )
}

both! {
    async fn the_totals_a_server_keeps_follow_a_change_made_elsewhere_within_a_second(backend: Backend) {
        use crate::helpers::{GENOVA_HEADER, GENOVA_ROW};
        use std::time::{Duration, Instant};
        let t = TestDb::with_calls_and_one_body(backend).await;
        let static_dir = tempfile::tempdir().unwrap();
        std::fs::write(static_dir.path().join("index.html"), "<!doctype html>").unwrap();
        let replica = crate::subscriptions::Replica::start_with(
            &t.url,
            static_dir.path(),
            &["--no-response-cache", "--rate-limit", "0"],
        )
        .await;
        for _ in 0..5 {
            assert_eq!(public_totals(&replica.addr).await, (1, 4_566_860, 1, 4_566_860));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Another process (as `nuvola import` or another replica) funds a second project
        // in Liguria and changes Genova's amount.
        let other = nuvola_server::db::connect(&t.url).await.unwrap();
        let second = GENOVA_ROW
            .replace("B31C22000060007", "B31C22000070007")
            .replace(",4566860.0,", ",1000.0,");
        let changed = GENOVA_ROW.replace(",4566860.0,", ",4566861.0,");
        let csv = format!("{GENOVA_HEADER}\n{changed}\n{second}\n");
        let report = nuvola_server::service::import::import_file(
            &other,
            "liguria.csv",
            csv.as_bytes(),
            &nuvola_server::audit::Actor::system("test"),
            &indicatif::ProgressBar::hidden(),
        )
        .await
        .unwrap();
        assert_eq!((report.new, report.updated), (1, 1));
        other.close().await.unwrap();
        let at = Instant::now();
        let bound = nuvola_server::changes::STALE_AFTER + Duration::from_millis(1500);
        loop {
            let seen = public_totals(&replica.addr).await;
            if seen == (2, 4_567_861, 2, 4_567_861) {
                break;
            }
            assert!(at.elapsed() < bound, "still {seen:?} after {:?}", at.elapsed());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

both! {
    async fn a_bodys_new_region_and_type_reach_its_projects_in_every_filter(backend: Backend) {
        use crate::helpers::{GENOVA_HEADER, GENOVA_ROW};
        let t = TestDb::with_calls_and_one_body(backend).await;
        let count = |filter: serde_json::Value| {
            let db = t.db.clone();
            async move {
                let r = gql(
                    &db,
                    "query($f: ApplicationFilter) { applications(first: 5, filter: $f) { totalCount edges { node { cup } } } }",
                    json!({ "f": filter }),
                )
                .await;
                let page = &r["data"]["applications"];
                let total = page["totalCount"].as_i64().unwrap_or_else(|| panic!("{r}"));
                assert_eq!(page["edges"].as_array().unwrap().len() as i64, total, "{r}");
                total
            }
        };
        assert_eq!(count(json!({"region": "Liguria"})).await, 1);
        assert_eq!(count(json!({"region": "Liguria", "administrationType": "COMUNE"})).await, 1);
        assert_eq!(count(json!({"region": "Piemonte"})).await, 0);
        // The open data moves the body to another region (as a newer snapshot correcting
        // it would): its project follows in every filter.
        let moved = GENOVA_ROW.replace(",Liguria,07,", ",Piemonte,01,");
        assert_ne!(moved, GENOVA_ROW);
        let report = t
            .import_bytes("moved.csv", format!("{GENOVA_HEADER}\n{moved}\n").as_bytes())
            .await
            .unwrap();
        assert_eq!(report.new, 0, "{}", report.summary());
        assert_eq!(count(json!({"region": "Liguria"})).await, 0);
        assert_eq!(count(json!({"region": "Piemonte"})).await, 1);
        // Whatever writes the body (here plain SQL), its projects follow its type too.
        t.db.execute_unprepared("UPDATE administration SET type_code = 'PROVINCIA' WHERE ipa_code = 'c_d969'")
            .await
            .unwrap();
        assert_eq!(count(json!({"administrationType": "COMUNE"})).await, 0);
        assert_eq!(count(json!({"region": "Piemonte", "administrationType": "PROVINCIA"})).await, 1);
    }
}
