//! The department's imports from the web application: upload over HTTP, preview (a
//! dry run that writes nothing), confirm, and the background run, one at a time.

use nuvola_shared::Role;
use serde_json::{json, Value};

use crate::helpers::{add_account, both, error_code, TestApp, TestDb, APPLICATIONS_CSV, CALLS_CSV};

const JOB: &str = "query($id: ID!) { importJob(id: $id) { id status version phase progressDone progressTotal error files { name size } preview { file error kind newRows updatedRows unchangedRows skippedRows noRows warnings { line cup field reason } skipped { line reason } samples { cup changes { field before after } } } result { file newRows updatedRows unchangedRows skippedRows } } }";

async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
    job: Option<&str>,
) -> (u16, Value) {
    let mut url = app.url(&format!("/api/imports?fileName={name}"));
    if let Some(job) = job {
        url.push_str(&format!("&job={job}"));
    }
    let res = app
        .client
        .post(url)
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn job(app: &TestApp, token: &str, id: &str) -> Value {
    let (_, body) = app.graphql_as(Some(token), JOB, json!({ "id": id })).await;
    body["data"]["importJob"].clone()
}

both! {
    async fn the_department_uploads_previews_confirms_and_the_import_runs_in_the_background(backend: Backend) {
        let t = TestDb::new(backend).await;
        add_account(&t.db, Role::Department, "dipartimento", "password-lunga-1", None).await;
        add_account(&t.db, Role::Verifier, "genova", "password-lunga-2", None).await;
        let app = TestApp::start(&t.db).await;
        let token = app.login("dipartimento", "password-lunga-1").await;

        // Another role may not upload.
        let other = app.login("genova", "password-lunga-2").await;
        let (status, body) = upload(&app, &other, "avvisi.csv", std::fs::read(CALLS_CSV).unwrap(), None).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));

        // The calls file first, then the applications, into one job.
        let (status, body) = upload(&app, &token, "avvisi.csv", std::fs::read(CALLS_CSV).unwrap(), None).await;
        assert_eq!(status, 201, "{body}");
        let id = body["jobId"].as_str().unwrap().to_owned();
        let mut apps = std::fs::read_to_string(APPLICATIONS_CSV).unwrap();
        apps.push_str(&apps.lines().nth(1).unwrap().replace("B31C22000060007", "B31C220000600071"));
        apps.push('\n');
        let (status, _) = upload(&app, &token, "candidature.csv", apps.into_bytes(), Some(&id)).await;
        assert_eq!(status, 201);
        assert_eq!(job(&app, &token, &id).await["status"], "UPLOADED");

        // The preview: what would happen, and nothing written.
        let (_, body) = app
            .graphql_as(Some(&token), "mutation($id: ID!) { previewImport(id: $id) { status } }", json!({ "id": id }))
            .await;
        assert_eq!(body["data"]["previewImport"]["status"], "PREVIEWED", "{body}");
        assert_eq!(t.count("application").await, 0, "a preview writes nothing");
        let j = job(&app, &token, &id).await;
        let preview = j["preview"].as_array().unwrap();
        assert_eq!(preview.len(), 2);
        assert_eq!((preview[0]["kind"].as_str(), preview[0]["newRows"].as_i64()), (Some("CALLS"), Some(14)));
        assert_eq!(preview[1]["newRows"], 12_935);
        let warned: Vec<&str> = preview[1]["warnings"].as_array().unwrap().iter().map(|w| w["cup"].as_str().unwrap()).collect();
        assert!(warned.contains(&"B31C220000600071"), "{warned:?}");
        assert_eq!(warned.len(), 8, "the bundled file's 7 CUPs that break the structure, and ours");

        // Files cannot be added after the preview; confirming queues it.
        let (status, _) = upload(&app, &token, "late.csv", b"x".to_vec(), Some(&id)).await;
        assert_eq!(status, 409);
        let (_, body) = app
            .graphql_as(Some(&token), "mutation($id: ID!) { confirmImport(id: $id) { status } }", json!({ "id": id }))
            .await;
        assert_eq!(body["data"]["confirmImport"]["status"], "QUEUED", "{body}");
        // Confirming twice is refused.
        let (_, body) = app
            .graphql_as(Some(&token), "mutation($id: ID!) { confirmImport(id: $id) { status } }", json!({ "id": id }))
            .await;
        assert_eq!(error_code(&body).as_deref(), Some("INVALID_TRANSITION"));

        // A worker (any replica's) runs it.
        let ran = nuvola_server::service::import_job::run_next(&t.db).await.unwrap();
        assert_eq!(ran, Some(id.parse().unwrap()));
        let j = job(&app, &token, &id).await;
        assert_eq!(j["status"], "DONE", "{j}");
        assert_eq!(j["result"][1]["newRows"], 12_935);
        assert_eq!(t.count("application").await, 12_935);
        assert_eq!(t.count_where("application", "data_quality IS NOT NULL").await, 8);
        // Nothing else waits.
        assert_eq!(nuvola_server::service::import_job::run_next(&t.db).await.unwrap(), None);

        // The flagged projects are listed for the department.
        let (_, body) = app
            .graphql_as(Some(&token), "{ dataQuality(first: 3) { totalCount applications { cup warnings { field value reason } } } }", json!({}))
            .await;
        assert_eq!(body["data"]["dataQuality"]["totalCount"], 8, "{body}");
        assert_eq!(body["data"]["dataQuality"]["applications"][0]["warnings"][0]["field"], "codice_cup");
        let (_, body) = app.graphql_as(Some(&other), "{ dataQuality { totalCount } }", json!({})).await;
        assert_eq!(error_code(&body).as_deref(), Some("FORBIDDEN"));
    }
}

both! {
    async fn imports_run_one_at_a_time_and_a_dead_replicas_job_is_failed(backend: Backend) {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
        use nuvola_server::entity::import_job;
        let t = TestDb::new(backend).await;
        add_account(&t.db, Role::Department, "dipartimento", "password-lunga-1", None).await;
        let app = TestApp::start(&t.db).await;
        let token = app.login("dipartimento", "password-lunga-1").await;
        let mut ids = Vec::new();
        for _ in 0..2 {
            let (_, body) = upload(&app, &token, "avvisi.csv", std::fs::read(CALLS_CSV).unwrap(), None).await;
            let id = body["jobId"].as_str().unwrap().to_owned();
            for m in ["previewImport", "confirmImport"] {
                let (_, body) = app
                    .graphql_as(Some(&token), &format!("mutation($id: ID!) {{ {m}(id: $id) {{ status }} }}"), json!({ "id": id }))
                    .await;
                assert!(body["errors"].is_null(), "{body}");
            }
            ids.push(id.parse::<i32>().unwrap());
        }
        // The first is running on a replica that is alive: no other job starts.
        let now = chrono::Utc::now();
        let running = import_job::ActiveModel {
            id: Set(ids[0]),
            status: Set("RUNNING".to_owned()),
            heartbeat_at: Set(Some(now)),
            ..Default::default()
        };
        running.update(&t.db).await.unwrap();
        assert_eq!(nuvola_server::service::import_job::run_next(&t.db).await.unwrap(), None);
        // Its replica died (no heartbeat for minutes): the job is failed, and the next runs.
        import_job::ActiveModel {
            id: Set(ids[0]),
            heartbeat_at: Set(Some(now - chrono::Duration::minutes(10))),
            ..Default::default()
        }
        .update(&t.db)
        .await
        .unwrap();
        assert_eq!(nuvola_server::service::import_job::run_next(&t.db).await.unwrap(), Some(ids[1]));
        let first = import_job::Entity::find_by_id(ids[0]).one(&t.db).await.unwrap().unwrap();
        assert_eq!(first.status, "FAILED");
        assert!(first.error.unwrap().contains("nothing of it was written"));
        let second = import_job::Entity::find_by_id(ids[1]).one(&t.db).await.unwrap().unwrap();
        assert_eq!(second.status, "DONE");
        // Two workers at once on one queued job: exactly one runs it.
        let (_, body) = upload(&app, &token, "avvisi.csv", std::fs::read(CALLS_CSV).unwrap(), None).await;
        let id = body["jobId"].as_str().unwrap().to_owned();
        for m in ["previewImport", "confirmImport"] {
            app.graphql_as(Some(&token), &format!("mutation($id: ID!) {{ {m}(id: $id) {{ status }} }}"), json!({ "id": id })).await;
        }
        let (a, b) = tokio::join!(
            nuvola_server::service::import_job::run_next(&t.db),
            nuvola_server::service::import_job::run_next(&t.db)
        );
        let ran: Vec<i32> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
        assert_eq!(ran, vec![id.parse::<i32>().unwrap()]);
    }
}
