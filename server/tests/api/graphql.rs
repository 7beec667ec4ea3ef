use std::collections::HashSet;
use std::sync::atomic::Ordering;

use serde_json::json;

use crate::helpers::{both, count_queries, error_code, gql, TestDb, ALL_ROWS, APPLICATIONS_CSV};

const PAGE: &str = r#"query($first: Int, $after: String, $filter: ApplicationFilter) {
  applications(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { cup amountEur state fundedOn administration { ipaCode name type region } call { title } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"#;

/// Sums and counts computed from the CSV itself, independently of the server.
fn published_totals(region: Option<&str>) -> (i64, i64) {
    let mut reader = csv::Reader::from_path(APPLICATIONS_CSV).unwrap();
    let mut n = 0;
    let mut sum = 0i64;
    for r in reader.deserialize::<std::collections::HashMap<String, String>>() {
        let r = r.unwrap();
        if region.is_none_or(|reg| r["regione"] == reg) {
            n += 1;
            sum += r["importo_finanziamento"].parse::<f64>().unwrap() as i64;
        }
    }
    (n, sum)
}

both! {
    async fn the_public_can_page_through_a_region_without_gaps_or_repeats(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let (expected, _) = published_totals(Some("Lombardia"));
        let mut seen = HashSet::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let r = gql(&t.db, PAGE, json!({ "first": 100, "after": after, "filter": { "region": "Lombardia" } })).await;
            assert!(r.get("errors").is_none(), "{r}");
            let conn = &r["data"]["applications"];
            assert_eq!(conn["totalCount"], expected);
            for edge in conn["edges"].as_array().unwrap() {
                assert_eq!(edge["node"]["administration"]["region"], "Lombardia");
                assert!(seen.insert(edge["cursor"].as_str().unwrap().to_owned()), "repeated {edge}");
            }
            assert_eq!(conn["pageInfo"]["hasPreviousPage"], pages > 0);
            pages += 1;
            if conn["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen.len() as i64, expected);
        assert_eq!(pages, (expected + 99) / 100);
    }
}

both! {
    async fn filters_combine_and_stats_match_the_published_figures(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let r = gql(&t.db, "{ stats { applications amountEur administrations byState { state applications } } }", json!({})).await;
        let (n, sum) = published_totals(None);
        assert_eq!(r["data"]["stats"]["applications"], n);
        assert_eq!(r["data"]["stats"]["amountEur"].as_f64().unwrap() as i64, sum);
        assert_eq!(r["data"]["stats"]["administrations"], 12_369);
        let by_state = r["data"]["stats"]["byState"].as_array().unwrap();
        assert_eq!(by_state.len(), 2);
        assert_eq!(by_state[0], json!({ "state": "FUNDED", "applications": 9198 }));
        assert_eq!(by_state[1], json!({ "state": "RENOUNCED", "applications": 3736 }));

        let (n, sum) = published_totals(Some("Trentino-Alto Adige/Südtirol"));
        let r = gql(
            &t.db,
            "query($f: ApplicationFilter) { stats(filter: $f) { applications amountEur } }",
            json!({ "f": { "region": "Trentino-Alto Adige/Südtirol" } }),
        )
        .await;
        assert_eq!(r["data"]["stats"]["applications"], n);
        assert_eq!(r["data"]["stats"]["amountEur"].as_f64().unwrap() as i64, sum);

        let r = gql(
            &t.db,
            "query($f: ApplicationFilter) { applications(first: 5, filter: $f) { totalCount edges { node { state administration { type region } call { title } } } } }",
            json!({ "f": { "region": "Liguria", "administrationType": "SCUOLA", "state": "RENOUNCED",
                           "callTitle": "1.2 Abilitazione al Cloud - Scuole - Aprile 2022" } }),
        )
        .await;
        let conn = &r["data"]["applications"];
        assert!(conn["totalCount"].as_i64().unwrap() > 0, "{r}");
        for e in conn["edges"].as_array().unwrap() {
            assert_eq!(e["node"]["state"], "RENOUNCED");
            assert_eq!(e["node"]["administration"]["type"], "SCUOLA");
            assert_eq!(e["node"]["administration"]["region"], "Liguria");
            assert_eq!(e["node"]["call"]["title"], "1.2 Abilitazione al Cloud - Scuole - Aprile 2022");
        }
    }
}

both! {
    async fn a_page_of_one_hundred_costs_the_same_few_queries_as_a_page_of_ten(backend: Backend) {
        let mut t = TestDb::with_open_data(backend).await;
        let counter = count_queries(&mut t.db);
        let mut costs = Vec::new();
        for first in [10, 100] {
            counter.store(0, Ordering::SeqCst);
            let r = gql(&t.db, PAGE, json!({ "first": first, "filter": { "region": "Lombardia" } })).await;
            assert_eq!(r["data"]["applications"]["edges"].as_array().unwrap().len(), first);
            costs.push(counter.load(Ordering::SeqCst));
        }
        // The page with its bodies joined, the count, the calls.
        assert_eq!(costs, vec![3, 3]);
    }
}

both! {
    async fn one_application_and_one_body_are_found_by_their_codes(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let r = gql(&t.db, r#"{ application(cup: "b31c22000060007") { cup amountEur state fundedOn openDataState timeWindow administration { name comune provincia } } }"#, json!({})).await;
        assert_eq!(
            r["data"]["application"],
            json!({ "cup": "B31C22000060007", "amountEur": 4566860, "state": "FUNDED", "fundedOn": "2022-08-08",
                    "openDataState": "A", "timeWindow": 1,
                    "administration": { "name": "Comune di Genova", "comune": "Genova", "provincia": "GE" } })
        );
        let r = gql(&t.db, r#"{ administration(ipaCode: "C_D548") { ipaCode name type typeLabel region applications { amountEur } } }"#, json!({})).await;
        assert_eq!(
            r["data"]["administration"],
            json!({ "ipaCode": "c_d548", "name": "Comune di Ferrara", "type": "COMUNE", "typeLabel": "Comune",
                    "region": "Emilia-Romagna", "applications": [{ "amountEur": 1031574 }] })
        );
        let r = gql(&t.db, r#"{ application(cup: "ZZZZZZZZZZZZZZZ") { cup } administration(ipaCode: "nobody") { name } }"#, json!({})).await;
        assert_eq!(r["data"], json!({ "application": null, "administration": null }));
        let r = gql(&t.db, "{ calls { title applications } }", json!({})).await;
        let calls = r["data"]["calls"].as_array().unwrap();
        assert_eq!(calls.len(), 14);
        let total: i64 = calls.iter().map(|c| c["applications"].as_i64().unwrap()).sum();
        assert_eq!(total, ALL_ROWS as i64);
    }
}

both! {
    async fn bad_arguments_get_a_precise_invalid_input_error(backend: Backend) {
        let t = TestDb::new(backend).await;
        let r = gql(&t.db, "{ applications(first: 101) { totalCount } }", json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"));
        assert_eq!(r["errors"][0]["extensions"]["field"], "first");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("100"));

        let r = gql(&t.db, r#"{ applications(filter: { region: "Lombardy" }) { totalCount } }"#, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"));
        assert_eq!(r["errors"][0]["extensions"]["field"], "filter.region");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("Lombardia"));

        let r = gql(&t.db, r#"{ applications(after: "garbage") { totalCount } }"#, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"));
        assert_eq!(r["errors"][0]["extensions"]["field"], "after");

        // Any published CUP can be looked up, even one that breaks the structure: a
        // short one is simply not found; blanks inside are refused.
        let r = gql(&t.db, r#"{ application(cup: "short") { cup } }"#, json!({})).await;
        assert!(r["errors"].is_null() && r["data"]["application"].is_null(), "{r}");
        let r = gql(&t.db, r#"{ application(cup: "B31C 22000060007") { cup } }"#, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"));

        let r = gql(&t.db, r#"{ applications(filter: { administrationType: "castle" }) { totalCount } }"#, json!({})).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "filter.administrationType");
    }
}
