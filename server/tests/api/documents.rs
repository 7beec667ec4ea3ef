//! Documents through the real HTTP server: uploads streamed into the storage folder
//! (size limit, type from the content, SHA-256), downloads, and who may do either.

use std::collections::HashMap;
use std::path::Path;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{both, error_code, TestApp};
use crate::permissions::{world, World, PASSWORD, SCHOOL_CUP};
use nuvola_server::entity::{application, planned_service};

/// A small but real-looking PDF.
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Logs each user in once.
pub struct Sessions<'a> {
    pub app: &'a TestApp,
    tokens: HashMap<String, String>,
}

impl<'a> Sessions<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            tokens: HashMap::new(),
        }
    }

    pub async fn token(&mut self, who: Option<&str>) -> Option<String> {
        let who = who?;
        if !self.tokens.contains_key(who) {
            let token = self.app.login(who, PASSWORD).await;
            self.tokens.insert(who.to_owned(), token);
        }
        self.tokens.get(who).cloned()
    }

    pub async fn gql(&mut self, who: Option<&str>, query: &str, variables: Value) -> Value {
        let token = self.token(who).await;
        self.app
            .graphql_as(token.as_deref(), query, variables)
            .await
            .1
    }

    /// Uploads `body` to the school's project with these query parameters.
    pub async fn upload(
        &mut self,
        who: Option<&str>,
        params: &[(&str, &str)],
        body: &[u8],
        content_type: Option<&str>,
    ) -> (u16, Value) {
        self.upload_to(who, SCHOOL_CUP, params, body, content_type)
            .await
    }

    pub async fn upload_to(
        &mut self,
        who: Option<&str>,
        cup: &str,
        params: &[(&str, &str)],
        body: &[u8],
        content_type: Option<&str>,
    ) -> (u16, Value) {
        let token = self.token(who).await;
        let mut req = self
            .app
            .client
            .post(self.app.url(&format!("/api/projects/{cup}/documents")))
            .query(params)
            .body(body.to_vec());
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn download(&mut self, who: Option<&str>, id: &str) -> reqwest::Response {
        let token = self.token(who).await;
        let mut req = self
            .app
            .client
            .get(self.app.url(&format!("/api/documents/{id}")));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }
}

/// The ids of the school's planned services, in order.
pub async fn school_services(w: &World) -> Vec<i32> {
    let school = application::Entity::find()
        .filter(application::Column::Cup.eq(SCHOOL_CUP))
        .one(&w.t.db)
        .await
        .unwrap()
        .unwrap();
    planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(school.id))
        .order_by_asc(planned_service::Column::Id)
        .all(&w.t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// Every file under the storage folder, `tmp/` included.
pub fn stored_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                out.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    out
}

const DOCS: &str =
    "query($cup: String!) { application(cup: $cup) { documents { id kind fileName contentType sizeBytes sha256 uploadedBy downloadUrl } } }";

both! {
    async fn an_uploaded_pdf_downloads_byte_for_byte_with_its_sha256(backend: Backend) {
        let w = world(backend).await;
        let mut s = Sessions::new(&w.app);
        let (status, doc) = s
            .upload(Some("scuola"), &[("kind", "CONFORMITY_FORM"), ("fileName", "Form di conformità.pdf")], PDF, Some("application/pdf"))
            .await;
        assert_eq!(status, 201, "{doc}");
        let sha = hex::encode(Sha256::digest(PDF));
        assert_eq!(doc["sha256"], sha.as_str());
        assert_eq!(doc["sizeBytes"], PDF.len());
        assert_eq!(doc["contentType"], "application/pdf");
        assert_eq!(doc["kind"], "CONFORMITY_FORM");
        assert_eq!(doc["fileName"], "Form di conformità.pdf");
        let id = doc["id"].as_str().unwrap().to_owned();
        assert_eq!(w.t.count_where("event", "action = 'DOCUMENT_UPLOADED'").await, 1);

        for who in ["scuola", "dipartimento", "asseveratore"] {
            let res = s.download(Some(who), &id).await;
            assert_eq!(res.status().as_u16(), 200, "{who}");
            let h = res.headers().clone();
            assert_eq!(h["content-type"], "application/pdf");
            assert_eq!(h["x-content-type-options"], "nosniff");
            let disposition = h["content-disposition"].to_str().unwrap().to_owned();
            assert!(disposition.starts_with("attachment"), "{disposition}");
            assert!(disposition.contains("filename=\"Form di conformit_.pdf\""), "{disposition}");
            assert!(disposition.contains("filename*=UTF-8''Form%20di%20conformit%C3%A0.pdf"), "{disposition}");
            let bytes = res.bytes().await.unwrap();
            assert_eq!(hex::encode(Sha256::digest(&bytes)), sha);
        }

        let r = s.gql(Some("scuola"), DOCS, json!({ "cup": SCHOOL_CUP })).await;
        let listed = &r["data"]["application"]["documents"];
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{r}");
        assert_eq!(listed[0]["sha256"], sha.as_str());
        assert_eq!(listed[0]["uploadedBy"], "scuola");
        assert_eq!(listed[0]["downloadUrl"], format!("/api/documents/{id}"));
    }
}

both! {
    async fn an_oversized_file_is_refused_with_413_and_nothing_is_stored(backend: Backend) {
        let w = world(backend).await;
        let app = TestApp::start_with(&w.t.db, |o| o.max_upload_bytes = 64 * 1024).await;
        let mut s = Sessions::new(&app);
        let mut big = PDF.to_vec();
        big.resize(200 * 1024, b' ');
        // With an honest Content-Length: refused before reading.
        let (status, r) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "grande.pdf")], &big, None).await;
        assert_eq!(status, 413, "{r}");
        assert_eq!(r["code"], "PAYLOAD_TOO_LARGE");
        assert!(r["message"].as_str().unwrap().contains("65536"), "{r}");

        // Chunked, without Content-Length: counted while streaming.
        let token = s.token(Some("scuola")).await.unwrap();
        let mut tcp = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST /api/projects/{SCHOOL_CUP}/documents?kind=OTHER&fileName=grande.pdf HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        for chunk in big.chunks(16 * 1024) {
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
            if tcp.write_all(&framed).await.is_err() {
                break; // the server may stop reading once it has refused
            }
        }
        let _ = tcp.write_all(b"0\r\n\r\n").await;
        let mut answer = Vec::new();
        let _ = tcp.read_to_end(&mut answer).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("PAYLOAD_TOO_LARGE"), "{answer}");

        assert_eq!(w.t.count("document").await, 0);
        assert_eq!(w.t.count_where("event", "action = 'DOCUMENT_UPLOADED'").await, 0);
        assert!(stored_files(app.storage_dir.path()).is_empty(), "{:?}", stored_files(app.storage_dir.path()));

        // Under the limit, the same server takes it.
        let (status, r) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "piccolo.pdf")], PDF, None).await;
        assert_eq!(status, 201, "{r}");
    }
}

both! {
    async fn a_file_whose_content_is_not_what_its_name_says_is_refused_with_415(backend: Backend) {
        let w = world(backend).await;
        let mut s = Sessions::new(&w.app);
        // Text named .pdf.
        let (status, r) = s.upload(Some("scuola"), &[("kind", "CONTRACT"), ("fileName", "contratto.pdf")], b"not a pdf at all", None).await;
        assert_eq!(status, 415, "{r}");
        assert_eq!(r["code"], "UNSUPPORTED_MEDIA_TYPE");
        assert!(r["message"].as_str().unwrap().contains("plain text"), "{r}");
        // A PDF sent as an image.
        let (status, _) = s.upload(Some("scuola"), &[("kind", "CONTRACT"), ("fileName", "contratto")], PDF, Some("image/png")).await;
        assert_eq!(status, 415);
        // A program, whatever its name.
        let (status, r) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "setup.pdf")], b"MZ\x90\x00\x03\x00\x00\x00", Some("application/pdf")).await;
        assert_eq!(status, 415, "{r}");
        // A zip that is not an office document.
        let zip = b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x08\x00\x00\x00evil.exeMZ";
        let (status, _) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "relazione.docx")], zip, None).await;
        assert_eq!(status, 415);
        // An unknown kind is bad input, checked before the body.
        let (status, r) = s.upload(Some("scuola"), &[("kind", "SELFIE"), ("fileName", "a.pdf")], PDF, None).await;
        assert_eq!((status, r["code"].as_str()), (400, Some("INVALID_INPUT")), "{r}");
        assert_eq!(r["field"], "kind");

        assert_eq!(w.t.count("document").await, 0);
        assert!(stored_files(w.app.storage_dir.path()).is_empty());
    }
}

both! {
    async fn a_path_given_as_file_name_is_only_metadata(backend: Backend) {
        let w = world(backend).await;
        let mut s = Sessions::new(&w.app);
        let (status, doc) = s
            .upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "../../etc/passwd")], b"root:x:0:0\n", Some("text/plain"))
            .await;
        assert_eq!(status, 201, "{doc}");
        assert_eq!(doc["fileName"], "../../etc/passwd");
        assert_eq!(doc["contentType"], "text/plain; charset=utf-8");
        // The storage holds one file, named by a random key, inside the folder.
        let files = stored_files(w.app.storage_dir.path());
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].len() == 32 && files[0].bytes().all(|b| b.is_ascii_hexdigit()), "{files:?}");
        assert!(!w.app.storage_dir.path().join("etc").exists());
        let res = s.download(Some("scuola"), doc["id"].as_str().unwrap()).await;
        let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.contains("filename=\"passwd.txt\""), "{disposition}");
        assert_eq!(res.bytes().await.unwrap().as_ref(), b"root:x:0:0\n");
    }
}

both! {
    async fn outsiders_cannot_upload_download_or_list_documents(backend: Backend) {
        let w = world(backend).await;
        let mut s = Sessions::new(&w.app);
        let (status, doc) = s.upload(Some("scuola"), &[("kind", "CONTRACT"), ("fileName", "contratto.pdf")], PDF, None).await;
        assert_eq!(status, 201, "{doc}");
        let id = doc["id"].as_str().unwrap().to_owned();
        let services = school_services(&w).await;
        let own = services[0].to_string();

        // Another administration, another supplier, an unassigned verifier, PUBLIC.
        for (who, http, code) in [
            (Some("genova"), 403, "FORBIDDEN"),
            (Some("psn"), 403, "FORBIDDEN"),
            (Some("altro.asseveratore"), 403, "FORBIDDEN"),
            (None, 401, "UNAUTHENTICATED"),
        ] {
            let kind = if who == Some("psn") { "EVIDENCE" } else { "OTHER" };
            let (status, r) = s.upload(who, &[("kind", kind), ("fileName", "x.pdf"), ("plannedServiceId", &own)], PDF, None).await;
            assert_eq!((status, r["code"].as_str()), (http, Some(code)), "upload by {who:?}: {r}");
            let res = s.download(who, &id).await;
            assert_eq!(res.status().as_u16(), http, "download by {who:?}");
            let r = s.gql(who, DOCS, json!({ "cup": SCHOOL_CUP })).await;
            assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "listing by {who:?}: {r}");
        }
        // Those who read documents do not upload them.
        for who in ["dipartimento", "asseveratore"] {
            let (status, _) = s.upload(Some(who), &[("kind", "OTHER"), ("fileName", "x.pdf")], PDF, None).await;
            assert_eq!(status, 403, "{who}");
        }
        // The session cookie works as the bearer token does, but not from another site.
        let token = s.token(Some("scuola")).await.unwrap();
        let cookie = format!("{}={token}", nuvola_server::graphql::account::mutation::SESSION_COOKIE);
        let post = |origin: Option<&str>| {
            let mut req = w.app.client
                .post(w.app.url(&format!("/api/projects/{SCHOOL_CUP}/documents")))
                .query(&[("kind", "OTHER"), ("fileName", "x.pdf")])
                .header("cookie", cookie.clone())
                .body(PDF.to_vec());
            if let Some(o) = origin {
                req = req.header("origin", o);
            }
            req.send()
        };
        assert_eq!(post(Some("https://evil.example")).await.unwrap().status().as_u16(), 403);
        let own_origin = format!("http://{}", w.app.addr);
        assert_eq!(post(Some(&own_origin)).await.unwrap().status().as_u16(), 201);
        let res = w.app.client.get(w.app.url(&format!("/api/documents/{id}"))).header("cookie", cookie.clone()).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        // A document that does not exist.
        assert_eq!(s.download(Some("scuola"), "999999").await.status().as_u16(), 404);
        assert_eq!(w.t.count("document").await, 2);
        assert_eq!(stored_files(w.app.storage_dir.path()).len(), 2);
    }
}

both! {
    async fn a_supplier_uploads_and_sees_only_evidence_of_its_own_service(backend: Backend) {
        let w = world(backend).await;
        let mut s = Sessions::new(&w.app);
        let services = school_services(&w).await;
        let (own, other) = (services[0].to_string(), services[1].to_string());
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";

        let (status, evidence) = s.upload(Some("fornitore"), &[("kind", "EVIDENCE"), ("fileName", "collaudo.png"), ("plannedServiceId", &own)], png, Some("image/png")).await;
        assert_eq!(status, 201, "{evidence}");
        assert_eq!(evidence["plannedServiceId"], own.as_str());
        for params in [
            [("kind", "CONTRACT"), ("fileName", "c.pdf"), ("plannedServiceId", own.as_str())],
            [("kind", "EVIDENCE"), ("fileName", "c.png"), ("plannedServiceId", other.as_str())],
        ] {
            let (status, r) = s.upload(Some("fornitore"), &params, png, None).await;
            assert_eq!(status, 403, "{params:?}: {r}");
        }
        let (status, _) = s.upload(Some("fornitore"), &[("kind", "EVIDENCE"), ("fileName", "c.png")], png, None).await;
        assert_eq!(status, 403, "evidence without a service");

        let (_, contract) = s.upload(Some("scuola"), &[("kind", "CONTRACT"), ("fileName", "contratto.pdf")], PDF, None).await;
        let r = s.gql(Some("fornitore"), DOCS, json!({ "cup": SCHOOL_CUP })).await;
        let listed = r["data"]["application"]["documents"].as_array().unwrap_or_else(|| panic!("{r}")).clone();
        assert_eq!(listed.len(), 1, "{r}");
        assert_eq!(listed[0]["kind"], "EVIDENCE");
        assert_eq!(s.download(Some("fornitore"), evidence["id"].as_str().unwrap()).await.status().as_u16(), 200);
        assert_eq!(s.download(Some("fornitore"), contract["id"].as_str().unwrap()).await.status().as_u16(), 403);
        // The school sees both.
        let r = s.gql(Some("scuola"), DOCS, json!({ "cup": SCHOOL_CUP })).await;
        assert_eq!(r["data"]["application"]["documents"].as_array().map(Vec::len), Some(2), "{r}");
    }
}

const REMOVE: &str = "mutation($id: ID!) { removeDocument(id: $id) }";
const REMOVABLE: &str =
    "query($cup: String!) { application(cup: $cup) { documents { id removable } } }";

/// Whether the document `id` is listed as removable to `who`.
async fn removable(s: &mut Sessions<'_>, who: &str, id: &str) -> Option<bool> {
    let r = s
        .gql(Some(who), REMOVABLE, json!({ "cup": SCHOOL_CUP }))
        .await;
    r["data"]["application"]["documents"]
        .as_array()?
        .iter()
        .find(|d| d["id"] == id)
        .and_then(|d| d["removable"].as_bool())
}

both! {
    async fn a_document_nothing_uses_is_removed_with_its_file_and_audited_and_a_used_one_stays(backend: Backend) {
        use nuvola_server::entity::{document, verification_request};
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};

        let w = world(backend).await;
        let mut s = Sessions::new(&w.app);
        let (status, wrong) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "sbagliato.pdf")], PDF, None).await;
        assert_eq!(status, 201, "{wrong}");
        let wrong_id = wrong["id"].as_str().unwrap().to_owned();
        assert_eq!(removable(&mut s, "scuola", &wrong_id).await, Some(true));
        // Readers do not remove; outsiders do not even see it.
        assert_eq!(removable(&mut s, "dipartimento", &wrong_id).await, Some(false));
        for (who, code) in [
            (Some("dipartimento"), "FORBIDDEN"),
            (Some("asseveratore"), "FORBIDDEN"),
            (Some("genova"), "NOT_FOUND"),
            (Some("fornitore"), "NOT_FOUND"),
            (None, "UNAUTHENTICATED"),
        ] {
            let r = s.gql(who, REMOVE, json!({ "id": wrong_id })).await;
            assert_eq!(error_code(&r).as_deref(), Some(code), "{who:?}: {r}");
        }
        assert_eq!(w.t.count("document").await, 1);

        // The administration removes it: row, file and download gone, one audit event.
        let r = s.gql(Some("scuola"), REMOVE, json!({ "id": wrong_id })).await;
        assert_eq!(r["data"]["removeDocument"], wrong_id.as_str(), "{r}");
        assert_eq!(w.t.count("document").await, 0);
        assert!(stored_files(w.app.storage_dir.path()).is_empty(), "{:?}", stored_files(w.app.storage_dir.path()));
        assert_eq!(s.download(Some("scuola"), &wrong_id).await.status().as_u16(), 404);
        assert_eq!(w.t.count_where("event", "action = 'DOCUMENT_REMOVED' AND before_json IS NOT NULL").await, 1);
        let r = s.gql(Some("scuola"), REMOVE, json!({ "id": wrong_id })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");

        // A supplier's evidence: the supplier removes it, not the school; once the
        // service is migrated it stays as its proof.
        let own = school_services(&w).await[0];
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        let service = own.to_string();
        let evidence = |name: &'static str| [("kind", "EVIDENCE"), ("fileName", name), ("plannedServiceId", service.as_str())];
        let (_, first) = s.upload(Some("fornitore"), &evidence("prima.png"), png, Some("image/png")).await;
        let (_, second) = s.upload(Some("fornitore"), &evidence("seconda.png"), png, Some("image/png")).await;
        let r = s.gql(Some("scuola"), REMOVE, json!({ "id": first["id"] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = s.gql(Some("fornitore"), REMOVE, json!({ "id": first["id"] })).await;
        assert_eq!(r["data"]["removeDocument"], first["id"], "{r}");
        let migrated = planned_service::Entity::find_by_id(own).one(&w.t.db).await.unwrap().unwrap();
        let mut migrated: planned_service::ActiveModel = migrated.into();
        migrated.status = Set("MIGRATED".to_owned());
        migrated.update(&w.t.db).await.unwrap();
        assert_eq!(removable(&mut s, "fornitore", second["id"].as_str().unwrap()).await, Some(false));
        let r = s.gql(Some("fornitore"), REMOVE, json!({ "id": second["id"] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_TRANSITION"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("evidence of a migrated service"), "{r}");

        // A document that came with an answer stays with it.
        let (_, answer) = s.upload(Some("scuola"), &[("kind", "OTHER"), ("fileName", "risposta.pdf")], PDF, None).await;
        let school = application::Entity::find().filter(application::Column::Cup.eq(SCHOOL_CUP)).one(&w.t.db).await.unwrap().unwrap();
        let request = verification_request::ActiveModel {
            application_id: Set(school.id),
            title: Set("Contratto firmato".to_owned()),
            body: Set("Allegare il contratto".to_owned()),
            due_on: Set(chrono::Utc::now().date_naive()),
            state: Set("ANSWERED".to_owned()),
            opened_at: Set(chrono::Utc::now()),
            answered_at: Set(Some(chrono::Utc::now())),
            version: Set(1),
            ..Default::default()
        }
        .insert(&w.t.db)
        .await
        .unwrap();
        let answer_id: i32 = answer["id"].as_str().unwrap().parse().unwrap();
        let row = document::Entity::find_by_id(answer_id).one(&w.t.db).await.unwrap().unwrap();
        let mut row: document::ActiveModel = row.into();
        row.request_id = Set(Some(request.id));
        row.update(&w.t.db).await.unwrap();
        let r = s.gql(Some("scuola"), REMOVE, json!({ "id": answer["id"] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_TRANSITION"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("answer to a verification request"), "{r}");

        // Once completion is declared, every document stays for the verification.
        let (_, late) = s.upload(Some("scuola"), &[("kind", "CONFORMITY_FORM"), ("fileName", "form.pdf")], PDF, None).await;
        let mut completed: application::ActiveModel = school.into();
        completed.state = Set("COMPLETED".to_owned());
        completed.update(&w.t.db).await.unwrap();
        let r = s.gql(Some("scuola"), REMOVE, json!({ "id": late["id"] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_TRANSITION"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("completion"), "{r}");
        assert_eq!(w.t.count("document").await, 3);
        assert_eq!(w.t.count_where("event", "action = 'DOCUMENT_REMOVED'").await, 2);
    }
}

const EVIDENCE: &str = "query($cup: String!) { application(cup: $cup) {
  documents { id kind fileName plannedServiceId }
  plan { id name version assessments { version applicationName users destination } } } }";
const ASSESS: &str = "mutation($a: AssessmentInput!) { submitAssessment(input: $a) { version } }";

both! {
    async fn the_assigned_verifier_reads_the_evidence_and_questionnaires_and_cannot_change_them(backend: Backend) {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};

        let w = world(backend).await;
        let mut s = Sessions::new(&w.app);
        let services = school_services(&w).await;
        let own = services[0].to_string();
        // The supplier fills in its service's questionnaire and uploads its evidence;
        // the school uploads its contract.
        let r = s.gql(Some("fornitore"), ASSESS, json!({ "a": {
            "serviceId": own, "latestVersion": 0, "applicationName": "Protocollo informatico",
            "users": 120, "destination": "Cloud qualificato, regione Italia",
        }})).await;
        assert_eq!(r["data"]["submitAssessment"]["version"], 1, "{r}");
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        let (status, evidence) = s.upload(Some("fornitore"), &[("kind", "EVIDENCE"), ("fileName", "collaudo.png"), ("plannedServiceId", &own)], png, Some("image/png")).await;
        assert_eq!(status, 201, "{evidence}");
        let (status, contract) = s.upload(Some("scuola"), &[("kind", "CONTRACT"), ("fileName", "contratto.pdf")], PDF, None).await;
        assert_eq!(status, 201, "{contract}");
        let mut p: application::ActiveModel = application::Entity::find()
            .filter(application::Column::Cup.eq(SCHOOL_CUP)).one(&w.t.db).await.unwrap().unwrap().into();
        p.state = Set("UNDER_VERIFICATION".to_owned());
        p.update(&w.t.db).await.unwrap();

        // The verifier assigned reads all of it: the documents, the evidence with its
        // service, the questionnaire's values; and downloads the files.
        let r = s.gql(Some("asseveratore"), EVIDENCE, json!({ "cup": SCHOOL_CUP })).await;
        let app = &r["data"]["application"];
        let mut files: Vec<(String, String)> = app["documents"].as_array().unwrap_or_else(|| panic!("{r}")).iter()
            .map(|d| (d["fileName"].as_str().unwrap().to_owned(), d["kind"].as_str().unwrap().to_owned())).collect();
        files.sort();
        assert_eq!(files, vec![("collaudo.png".to_owned(), "EVIDENCE".to_owned()), ("contratto.pdf".to_owned(), "CONTRACT".to_owned())], "{r}");
        let listed = app["documents"].as_array().unwrap().iter().find(|d| d["fileName"] == "collaudo.png").unwrap().clone();
        assert_eq!(listed["plannedServiceId"], own.as_str(), "{r}");
        let service = app["plan"].as_array().unwrap().iter().find(|x| x["id"] == own.as_str()).unwrap_or_else(|| panic!("{r}")).clone();
        assert_eq!(service["assessments"], json!([{ "version": 1, "applicationName": "Protocollo informatico", "users": 120, "destination": "Cloud qualificato, regione Italia" }]), "{r}");
        for id in [&evidence["id"], &contract["id"]] {
            assert_eq!(s.download(Some("asseveratore"), id.as_str().unwrap()).await.status().as_u16(), 200, "{id}");
        }
        // Another verifier, not assigned, reads none of it.
        let r = s.gql(Some("altro.asseveratore"), EVIDENCE, json!({ "cup": SCHOOL_CUP })).await;
        assert!(r["data"]["application"]["documents"].as_array().is_none_or(Vec::is_empty), "{r}");
        assert_eq!(s.download(Some("altro.asseveratore"), evidence["id"].as_str().unwrap()).await.status().as_u16(), 403);

        // Read-only: no questionnaire, no upload of any kind, no removal.
        let r = s.gql(Some("asseveratore"), ASSESS, json!({ "a": {
            "serviceId": own, "latestVersion": 1, "applicationName": "Cambiato dall'asseveratore", "users": 1,
        }})).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        for params in [
            vec![("kind", "EVIDENCE"), ("fileName", "mio.png"), ("plannedServiceId", own.as_str())],
            vec![("kind", "CONTRACT"), ("fileName", "mio.pdf")],
            vec![("kind", "OTHER"), ("fileName", "mio.pdf")],
        ] {
            let (status, r) = s.upload(Some("asseveratore"), &params, PDF, None).await;
            assert_eq!(status, 403, "{params:?}: {r}");
        }
        for id in [&evidence["id"], &contract["id"]] {
            let r = s.gql(Some("asseveratore"), REMOVE, json!({ "id": id })).await;
            assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        }
        assert_eq!(w.t.count("document").await, 2);
        assert_eq!(w.t.count("assessment").await, 1);
        let r = s.gql(Some("asseveratore"), EVIDENCE, json!({ "cup": SCHOOL_CUP })).await;
        let service = r["data"]["application"]["plan"].as_array().unwrap().iter().find(|x| x["id"] == own.as_str()).unwrap().clone();
        assert_eq!(service["assessments"][0]["applicationName"], "Protocollo informatico", "{r}");
    }
}
