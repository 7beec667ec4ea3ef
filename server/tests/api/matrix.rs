//! The authorization matrix: every role × every root query and mutation (and the nested
//! fields that are not public), each either allowed or refused with FORBIDDEN (or
//! UNAUTHENTICATED without a session). A test also checks that the matrix names every
//! root field of the schema, so a new operation cannot ship without its row.
//!
//! "Allowed" means the server did not refuse on permissions: the mutations are sent with
//! stale versions or impossible moves, so an allowed caller gets CONFLICT,
//! INVALID_TRANSITION or NOT_FOUND and nothing changes while the matrix runs.

use std::collections::BTreeSet;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::{json, Value};

use crate::helpers::{add_account, both, error_code};
use crate::permissions::{ask, world, World, PASSWORD, SCHOOL_CUP};
use nuvola_server::entity::{application, planned_service, supplier};
use nuvola_shared::Role;

/// Who asks: a username of the test world, `public` (no token), `token` (a read-only
/// third-party API token), or a person with two memberships (the school and Genova)
/// through a session acting for one of them (`doppia@scuola`, `doppia@genova`): the
/// membership dimension, where each must be allowed exactly what that organisation's
/// own person is.
const WHO: [&str; 12] = [
    "public",
    "token",
    "scuola",
    "genova",
    "fornitore",
    "psn",
    "dipartimento",
    "asseveratore",
    "altro.asseveratore",
    "doppia@scuola",
    "doppia@genova",
    "doppia",
];

/// What a session of a person with several memberships may do before it picks one
/// (`doppia`, acting for none): what the public may, and its own session's business.
const UNPICKED: &[&str] = &[
    "logout",
    "selectMembership",
    // Onboarding: anyone logged in may ask for access, follow their requests and
    // accept an invitation, whatever they act for.
    "myAccessRequests",
    "requestAccess",
    "withdrawAccessRequest",
    "invitation",
    "acceptInvitation",
];

/// The membership a `doppia@…` session acts for: it must be treated as this person.
fn acts_as(who: &str) -> &str {
    match who {
        "doppia@scuola" => "scuola",
        "doppia@genova" => "genova",
        other => other,
    }
}

const EVERYONE: &[&str] = &WHO;
const SIGNED_IN: &[&str] = &[
    "scuola",
    "genova",
    "fornitore",
    "psn",
    "dipartimento",
    "asseveratore",
    "altro.asseveratore",
];
/// Who sees the school's whole project: its administration, the department, its verifier.
const WHOLE_SCHOOL: &[&str] = &["scuola", "dipartimento", "asseveratore"];
/// Who sees part of the school's plan: the above and the suppliers of its services.
const SCHOOL_PLAN: &[&str] = &["scuola", "dipartimento", "asseveratore", "fornitore", "psn"];
/// Who works on the first school service: its administration and its supplier.
const FIRST_SERVICE: &[&str] = &["scuola", "fornitore"];
const SCHOOL: &[&str] = &["scuola"];
/// Who has planned services of its own: administrations (those of their projects),
/// suppliers and PSN (those assigned to them).
const SERVICE_HOLDERS: &[&str] = &["scuola", "genova", "fornitore", "psn"];
/// Who may remove a document it uploaded: administrations and suppliers (each only its
/// own; a document that does not exist is NOT_FOUND to them).
const DOCUMENT_UPLOADERS: &[&str] = &["scuola", "genova", "fornitore", "psn"];
/// Every administration (each may correct only its own contracts: NOT_FOUND otherwise).
const ADMINISTRATIONS: &[&str] = &["scuola", "genova"];
/// Who may own webhooks: organisations (administrations, suppliers, PSN) and the department.
const ORGANISATIONS: &[&str] = &["scuola", "genova", "fornitore", "psn", "dipartimento"];
const DEPARTMENT: &[&str] = &["dipartimento"];
const VERIFIER: &[&str] = &["asseveratore"];
const WITH_PROJECTS: &[&str] = &[
    "scuola",
    "genova",
    "fornitore",
    "psn",
    "asseveratore",
    "altro.asseveratore",
];

struct Row {
    /// The root field this row covers.
    field: &'static str,
    query: String,
    vars: Value,
    allowed: &'static [&'static str],
}

fn row(field: &'static str, query: &str, vars: Value, allowed: &'static [&'static str]) -> Row {
    Row {
        field,
        query: query.to_owned(),
        vars,
        allowed,
    }
}

/// The first two services of the school: the first is the demo supplier's (see
/// `permissions::world`), the second goes to PSN here.
async fn school_services(w: &World) -> (i32, i32) {
    let school = application::Entity::find()
        .filter(application::Column::Cup.eq(SCHOOL_CUP))
        .one(&w.t.db)
        .await
        .unwrap()
        .unwrap();
    let services = planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(school.id))
        .order_by_asc(planned_service::Column::Id)
        .all(&w.t.db)
        .await
        .unwrap();
    let psn = supplier::Entity::find()
        .filter(supplier::Column::IsPsn.eq(true))
        .one(&w.t.db)
        .await
        .unwrap()
        .unwrap();
    let mut second: planned_service::ActiveModel = services[1].clone().into();
    second.supplier_id = Set(Some(psn.id));
    second.update(&w.t.db).await.unwrap();
    (services[0].id, services[1].id)
}

fn rows(first: i32, request: &str) -> Vec<Row> {
    let cup = json!({ "cup": SCHOOL_CUP });
    let stale = json!({ "p": { "cup": SCHOOL_CUP, "version": 999 } });
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    let window_end = tomorrow + chrono::Duration::hours(4);
    let next_month = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
    vec![
        // Open data: everyone.
        row("applications", "{ applications(first: 2) { totalCount edges { node { cup } } } }", json!({}), EVERYONE),
        row("application", "query($cup: String!) { application(cup: $cup) { cup state amountEur version nextDeadline { kind } } }", cup.clone(), EVERYONE),
        row("administration", r#"{ administration(ipaCode: "istsc_feis011004") { name applications { cup } } }"#, json!({}), EVERYONE),
        row("stats", "{ stats { applications amountEur } }", json!({}), EVERYONE),
        row("dashboard", "{ dashboard { paidAdministrations byRegion { key } } }", json!({}), EVERYONE),
        row("calls", "{ calls { title } }", json!({}), EVERYONE),
        row("catalogue", r#"{ catalogue(targetType: SCUOLA) { code } }"#, json!({}), EVERYONE),
        row("cloudOfferings", "{ cloudOfferings { code } }", json!({}), EVERYONE),
        row("me", "{ me { username } }", json!({}), EVERYONE),
        // Not public, reached directly or nested.
        row("application", "query($cup: String!) { application(cup: $cup) { plan { id } } }", cup.clone(), SCHOOL_PLAN),
        row("administration", r#"{ administration(ipaCode: "istsc_feis011004") { applications { plan { id } } } }"#, json!({}), SCHOOL_PLAN),
        row("application", "query($cup: String!) { application(cup: $cup) { history { action } } }", cup.clone(), SCHOOL_PLAN),
        row("application", "query($cup: String!) { application(cup: $cup) { stateReason } }", cup.clone(), WHOLE_SCHOOL),
        row("application", "query($cup: String!) { application(cup: $cup) { verificationOutcome } }", cup.clone(), WHOLE_SCHOOL),
        row("applications", r#"{ applications(first: 1, filter: { region: "Emilia-Romagna", callTitle: "1.2 Abilitazione al Cloud - Scuole - Aprile 2022" }) { edges { node { plan { id } } } } }"#, json!({}), SCHOOL_PLAN),
        row("myProjects", "{ myProjects { cup } }", json!({}), WITH_PROJECTS),
        row("myProjectsConnection", r#"{ myProjectsConnection(first: 5, filter: { search: "g71" }) { totalCount edges { node { cup } } } }"#, json!({}), WITH_PROJECTS),
        row("myServices", r#"{ myServices(first: 5, filter: { status: ASSESSED }) { totalCount edges { node { id } project { cup } } } }"#, json!({}), SERVICE_HOLDERS),
        row("apiTokens", "{ apiTokens { name } }", json!({}), DEPARTMENT),
        row("importJobs", "{ importJobs { id status } }", json!({}), DEPARTMENT),
        row("importJob", r#"{ importJob(id: "999999") { id } }"#, json!({}), DEPARTMENT),
        row("dataQuality", "{ dataQuality { totalCount applications { cup warnings { field } } } }", json!({}), DEPARTMENT),
        row("previewImport", r#"mutation { previewImport(id: "999999") { id } }"#, json!({}), DEPARTMENT),
        row("confirmImport", r#"mutation { confirmImport(id: "999999") { id } }"#, json!({}), DEPARTMENT),
        row("discardImport", r#"mutation { discardImport(id: "999999") { id } }"#, json!({}), DEPARTMENT),
        // Deadlines derive from public data; inboxes are each account's own.
        row("application", "query($cup: String!) { application(cup: $cup) { overdue { kind daysLate } } }", cup.clone(), EVERYONE),
        row("overdueProjects", "{ overdueProjects(first: 5) { totalCount edges { node { cup } } } }", json!({}), DEPARTMENT),
        row("pendingRenunciations", "{ pendingRenunciations(first: 5) { totalCount projects { cup renunciationRequest { reason } } } }", json!({}), DEPARTMENT),
        row("notifications", "{ notifications(first: 5) { totalCount edges { node { id kind } } } }", json!({}), SIGNED_IN),
        row("unreadNotificationCount", "{ unreadNotificationCount }", json!({}), SIGNED_IN),
        // Changes.
        row("login", r#"mutation { login(username: "genova", password: "password-lunga-9") { token } }"#, json!({}), EVERYONE),
        row("setAccountDisabled", r#"mutation { setAccountDisabled(username: "nessuno", disabled: true) { username } }"#, json!({}), DEPARTMENT),
        row("issueApiToken", "mutation($e: Date!) { issueApiToken(name: \"Matrice\", expiresOn: $e) { token } }", json!({ "e": next_month }), DEPARTMENT),
        row("revokeApiToken", r#"mutation { revokeApiToken(id: "999999") { id } }"#, json!({}), DEPARTMENT),
        row("savePlannedService", "mutation($i: PlannedServiceInput!) { savePlannedService(input: $i) { id } }", json!({ "i": {
            "cup": SCHOOL_CUP, "id": first.to_string(), "version": 999, "catalogueCode": "SC_SEGRETERIA_DIGITALE",
            "dataClass": "ORDINARIO", "origin": "ON_PREMISES", "destination": "SAAS",
        }}), SCHOOL),
        row("removePlannedService", "mutation($i: RemovePlannedServiceInput!) { removePlannedService(input: $i) }", json!({ "i": {
            "cup": SCHOOL_CUP, "id": first.to_string(), "version": 999,
        }}), SCHOOL),
        row("application", "query($cup: String!) { application(cup: $cup) { plan { catalogueCode offering { code supplierName } assessments { version } } } }", cup.clone(), SCHOOL_PLAN),
        row("recordContract", "mutation($c: ContractInput!) { recordContract(input: $c) { id } }", json!({ "c": {
            "cup": SCHOOL_CUP, "supplierVat": "01234567897", "contractOn": "2023-01-16",
            "services": [{ "id": first.to_string(), "version": 999 }],
        }}), SCHOOL),
        row("declareCompletion", "mutation($p: ProjectVersionInput!) { declareCompletion(project: $p) { state } }", stale.clone(), SCHOOL),
        row("requestPayment", "mutation($p: ProjectVersionInput!) { requestPayment(project: $p) { state } }", stale.clone(), SCHOOL),
        row("requestRenunciation", "mutation($p: ProjectVersionInput!) { requestRenunciation(project: $p, reason: \"prova della matrice\") { state } }", stale.clone(), SCHOOL),
        row("withdrawRenunciationRequest", "mutation($p: ProjectVersionInput!) { withdrawRenunciationRequest(project: $p) { state } }", stale.clone(), SCHOOL),
        row("decreeRenunciation", "mutation($p: ProjectVersionInput!) { decreeRenunciation(project: $p) { state } }", stale.clone(), DEPARTMENT),
        row("application", "query($cup: String!) { application(cup: $cup) { renunciationRequest { reason } } }", cup.clone(), WHOLE_SCHOOL),
        row("assignVerifier", "mutation($p: ProjectVersionInput!) { assignVerifier(project: $p, verifier: \"asseveratore\") { state } }", stale.clone(), DEPARTMENT),
        row("pay", "mutation($p: ProjectVersionInput!) { pay(project: $p) { state } }", stale.clone(), DEPARTMENT),
        row("revoke", "mutation($p: ProjectVersionInput!) { revoke(project: $p, reason: \"prova della matrice\") { state } }", stale.clone(), DEPARTMENT),
        row("recordVerificationOutcome", "mutation($p: ProjectVersionInput!) { recordVerificationOutcome(project: $p, outcome: POSITIVE) { state } }", stale.clone(), VERIFIER),
        row("updateServiceStatus", "mutation($s: ServiceStatusInput!) { updateServiceStatus(input: $s) { id } }", json!({ "s": { "id": first.to_string(), "version": 999, "status": "ASSESSED" } }), FIRST_SERVICE),
        row("updateServiceStatusesByFilter", r#"mutation { updateServiceStatusesByFilter(filter: { search: "nessun servizio ha questo nome" }, status: MIGRATING, expectedCount: 1) { moved } }"#, json!({}), SERVICE_HOLDERS),
        row("updateServiceStatuses", "mutation($s: [ServiceStatusInput!]!) { updateServiceStatuses(input: $s) { id } }", json!({ "s": [{ "id": first.to_string(), "version": 999, "status": "ASSESSED" }] }), FIRST_SERVICE),
        row("scheduleCutover", "mutation($c: CutoverInput!) { scheduleCutover(input: $c) { id } }", json!({ "c": { "id": first.to_string(), "version": 999, "start": tomorrow, "end": window_end } }), FIRST_SERVICE),
        row("submitAssessment", "mutation($a: AssessmentInput!) { submitAssessment(input: $a) { version } }", json!({ "a": { "serviceId": first.to_string(), "latestVersion": 999, "users": 3 } }), FIRST_SERVICE),
        // Verification: requests, answers, the checklist, documents.
        row("application", "query($cup: String!) { application(cup: $cup) { verificationRequests { id } } }", cup.clone(), WHOLE_SCHOOL),
        row("application", "query($cup: String!) { application(cup: $cup) { checklist { item } } }", cup.clone(), WHOLE_SCHOOL),
        row("application", "query($cup: String!) { application(cup: $cup) { documents { id } } }", cup.clone(), SCHOOL_PLAN),
        row("myRequests", "{ myRequests { id } }", json!({}), &["scuola", "genova", "asseveratore", "altro.asseveratore"]),
        row("myRequestsConnection", "{ myRequestsConnection(first: 5, state: OPEN) { totalCount edges { node { id } } pageInfo { endCursor } } }", json!({}), &["scuola", "genova", "asseveratore", "altro.asseveratore"]),
        row("openVerificationRequest", "mutation($i: OpenRequestInput!) { openVerificationRequest(input: $i) { id } }", json!({ "i": {
            "cup": SCHOOL_CUP, "title": "Contratto", "body": "Caricare il contratto firmato.", "dueOn": next_month,
        }}), VERIFIER),
        row("answerVerificationRequest", "mutation($i: AnswerRequestInput!) { answerVerificationRequest(input: $i) { id } }", json!({ "i": { "id": request, "version": 999 } }), SCHOOL),
        row("closeVerificationRequest", "mutation($i: CloseRequestInput!) { closeVerificationRequest(input: $i) { id } }", json!({ "i": { "id": request, "version": 999 } }), VERIFIER),
        row("reopenVerificationRequest", "mutation($i: ReopenRequestInput!) { reopenVerificationRequest(input: $i) { id } }", json!({ "i": { "id": request, "version": 999, "dueOn": next_month } }), VERIFIER),
        row("recordVerificationCheck", "mutation($i: CheckInput!) { recordVerificationCheck(input: $i) { id } }", json!({ "i": {
            "cup": SCHOOL_CUP, "plannedServiceId": first.to_string(), "item": "Servizio attivo", "outcome": "PASS",
        }}), VERIFIER),
        row("markNotificationsRead", r#"mutation { markNotificationsRead(ids: ["999999"]) { marked } }"#, json!({}), SIGNED_IN),
        row("setCallTerms", "mutation($t: CallTermsInput!) { setCallTerms(input: $t) { version } }", json!({ "t": {
            "title": "1.2 Abilitazione al Cloud - Scuole - Aprile 2022", "version": 999, "contractTerm": "9 months",
        }}), DEPARTMENT),
        row("callTermsImpact", "query($t: CallTermsInput!) { callTermsImpact(input: $t) { projects changingDeadline } }", json!({ "t": {
            "title": "1.2 Abilitazione al Cloud - Scuole - Aprile 2022", "version": 999, "contractTerm": "9 months",
        }}), DEPARTMENT),
        row("correctContract", r#"mutation { correctContract(input: { id: "999999", version: 1, cig: "9A1B2C3D4E", amountEur: 1, contractOn: "2023-01-01", reason: "Correzione di prova" }) { id } }"#, json!({}), ADMINISTRATIONS),
        row("removeDocument", r#"mutation { removeDocument(id: "999999") }"#, json!({}), DOCUMENT_UPLOADERS),
        // The catalogue of qualified suppliers: public to read, kept by the department.
        row("suppliers", "{ suppliers { vatNumber offerings { code } } }", json!({}), EVERYONE),
        row("qualifySupplier", r#"mutation { qualifySupplier(input: { vatNumber: "12345678903", name: "Prova", qualifiedUntil: "2027-01-01" }) { name } }"#, json!({}), DEPARTMENT),
        row("qualifyOffering", r#"mutation { qualifyOffering(input: { supplierVat: "12345678903", code: "PROVA-1", name: "Prova", serviceModel: SAAS, deploymentModel: PUBLIC, maxDataClass: ORDINARIO, qualifiedOn: "2026-01-01", qualifiedUntil: "2027-01-01" }) { code } }"#, json!({}), DEPARTMENT),
        // How people and programs are told (issue 13): each person's own settings, the
        // organisations' webhooks, the department's failed deliveries.
        row("notificationSettings", "{ notificationSettings { email preferences { kind mode } } }", json!({}), SIGNED_IN),
        row("setNotificationPreference", r#"mutation { setNotificationPreference(kind: "VERIFICATION_REQUEST_OPENED", mode: IN_APP) { email } }"#, json!({}), SIGNED_IN),
        row("updateNotificationContact", r#"mutation { updateNotificationContact(email: "not an address", language: IT) { email } }"#, json!({}), SIGNED_IN),
        row("webhooks", "{ webhooks { id deliveries { id attemptLog { ok } } } }", json!({}), ORGANISATIONS),
        row("registerWebhook", r#"mutation { registerWebhook(url: "ftp://matrice.example.org", kinds: [PROJECT_STATE_CHANGED]) { secret } }"#, json!({}), ORGANISATIONS),
        row("removeWebhook", r#"mutation { removeWebhook(id: "999999") { id } }"#, json!({}), ORGANISATIONS),
        row("replayDelivery", r#"mutation { replayDelivery(id: "999999") { id } }"#, json!({}), ORGANISATIONS),
        row("failedDeliveries", "{ failedDeliveries(first: 5) { id status } }", json!({}), DEPARTMENT),
        row("setCallReminders", r#"mutation { setCallReminders(title: "1.2 Abilitazione al Cloud - Scuole - Aprile 2022", days: [0]) { reminderDays } }"#, json!({}), DEPARTMENT),
        // Onboarding (issue 12): asking for access, the department's queue, members and
        // invitations (in this world nobody is a referent: only the department invites).
        row("searchAdministrations", r#"{ searchAdministrations(text: "genova", first: 5) { totalCount items { ipaCode } } }"#, json!({}), EVERYONE),
        row("myAccessRequests", "{ myAccessRequests { id state } }", json!({}), SIGNED_IN),
        row("requestAccess", r#"mutation { requestAccess(input: { ipaCode: "nessun_ente" }) { id } }"#, json!({}), SIGNED_IN),
        row("withdrawAccessRequest", r#"mutation { withdrawAccessRequest(id: "999999") { id } }"#, json!({}), SIGNED_IN),
        row("accessRequests", "{ accessRequests(first: 5, filter: { state: PENDING }) { totalCount items { id requester { username } } } }", json!({}), DEPARTMENT),
        row("approveAccessRequest", r#"mutation { approveAccessRequest(id: "999999") { id } }"#, json!({}), DEPARTMENT),
        row("rejectAccessRequest", r#"mutation { rejectAccessRequest(id: "999999", reason: "prova della matrice") { id } }"#, json!({}), DEPARTMENT),
        row("organisationMembers", "{ organisationMembers { id role isReferent person { username } } }", json!({}), ORGANISATIONS),
        row("organisationInvitations", "{ organisationInvitations { id state } }", json!({}), DEPARTMENT),
        row("inviteMember", r#"mutation { inviteMember(input: { email: "not an address", role: ADMINISTRATION }) { id } }"#, json!({}), DEPARTMENT),
        row("revokeInvitation", r#"mutation { revokeInvitation(id: "999999") { id } }"#, json!({}), DEPARTMENT),
        row("invitation", r#"{ invitation(token: "inv_nessuno") { role } }"#, json!({}), SIGNED_IN),
        row("acceptInvitation", r#"mutation { acceptInvitation(token: "inv_nessuno") { id } }"#, json!({}), SIGNED_IN),
        // Last: it ends each session.
        row("memberships", r#"{ memberships(username: "scuola") { id role } }"#, json!({}), DEPARTMENT),
        row("selectMembership", r#"mutation { selectMembership(id: "999999") { username } }"#, json!({}), SIGNED_IN),
        row("addMembership", r#"mutation { addMembership(username: "nessuno", role: VERIFIER) { id } }"#, json!({}), DEPARTMENT),
        row("removeMembership", r#"mutation { removeMembership(id: "999999") { id } }"#, json!({}), DEPARTMENT),
        row("logout", "mutation { logout }", json!({}), SIGNED_IN),
    ]
}

/// Puts the school under verification and has its verifier open a request.
async fn open_request(w: &World) -> String {
    crate::requests::put_under_verification(w).await;
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string();
    let r = ask(w, Some("asseveratore"), "mutation($i: OpenRequestInput!) { openVerificationRequest(input: $i) { id } }", json!({ "i": {
        "cup": SCHOOL_CUP, "title": "Form di conformità", "body": "Caricare il form di conformità firmato.", "dueOn": due,
    }})).await;
    r["data"]["openVerificationRequest"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_owned()
}

/// A third-party token issued by the department.
async fn api_token(w: &World) -> String {
    let next_month = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
    let r = ask(
        w,
        Some("dipartimento"),
        "mutation($e: Date!) { issueApiToken(name: \"Terzi\", expiresOn: $e) { token } }",
        json!({ "e": next_month }),
    )
    .await;
    r["data"]["issueApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

both! {
    async fn every_role_is_allowed_or_refused_on_every_operation(backend: Backend) {
        let w = world(backend).await;
        let (first, _) = school_services(&w).await;
        let request = open_request(&w).await;
        let token = api_token(&w).await;
        add_account(&w.t.db, Role::Administration, "doppia", PASSWORD, Some("ISTSC_FEIS011004")).await;
        w.add_genova_membership("doppia").await;
        w.session_acting_for("doppia@scuola", "doppia", "istsc_feis011004").await;
        w.session_acting_for("doppia@genova", "doppia", "c_d969").await;
        w.unpicked_session("doppia").await;
        let mut wrong = Vec::new();
        for r in rows(first, &request) {
            for who in WHO {
                let response = match who {
                    "public" => ask(&w, None, &r.query, r.vars.clone()).await,
                    "token" => w.app.graphql_as(Some(&token), &r.query, r.vars.clone()).await.1,
                    user => ask(&w, Some(user), &r.query, r.vars.clone()).await,
                };
                let code = error_code(&response);
                let refused = matches!(code.as_deref(), Some("FORBIDDEN" | "UNAUTHENTICATED"));
                let expected_refusal = if who == "doppia" {
                    !(r.allowed.contains(&"public") || UNPICKED.contains(&r.field))
                } else {
                    !r.allowed.contains(&acts_as(who))
                };
                // A signed-in person is told FORBIDDEN; only a missing session is UNAUTHENTICATED.
                let right_code = !refused || who == "public" || code.as_deref() == Some("FORBIDDEN");
                if refused != expected_refusal || !right_code || code.as_deref() == Some("INTERNAL") {
                    wrong.push(format!("{} as {who}: expected {}, got {response}", r.field, if expected_refusal { "a refusal" } else { "no refusal" }));
                }
            }
        }
        assert!(wrong.is_empty(), "{} cells of the matrix are wrong:\n{}", wrong.len(), wrong.join("\n"));
    }
}

both! {
    async fn a_supplier_sees_only_its_own_services_of_a_shared_project(backend: Backend) {
        let w = world(backend).await;
        let (first, second) = school_services(&w).await;
        let plan = "query($cup: String!) { application(cup: $cup) { plan { id } history { entityId } } }";
        for (who, mine) in [("fornitore", first), ("psn", second)] {
            let r = ask(&w, Some(who), plan, json!({ "cup": SCHOOL_CUP })).await;
            assert_eq!(r["data"]["application"]["plan"], json!([{ "id": mine.to_string() }]), "{who}: {r}");
        }
        // Asking to move the other supplier's service of the same project is refused.
        let r = ask(&w, Some("psn"), "mutation($s: ServiceStatusInput!) { updateServiceStatus(input: $s) { id } }",
            json!({ "s": { "id": first.to_string(), "version": 1, "status": "ASSESSED" } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"));
    }
}

both! {
    async fn the_matrix_names_every_root_field(backend: Backend) {
        let w = world(backend).await;
        let r = ask(&w, None, "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }", json!({})).await;
        let mut fields = BTreeSet::new();
        for root in ["queryType", "mutationType"] {
            for f in r["data"]["__schema"][root]["fields"].as_array().unwrap() {
                fields.insert(f["name"].as_str().unwrap().to_owned());
            }
        }
        let covered: BTreeSet<String> = rows(1, "1").iter().map(|r| r.field.to_owned()).collect();
        let missing: Vec<_> = fields.difference(&covered).collect();
        assert!(missing.is_empty(), "root fields without a row in the matrix: {missing:?}");
    }
}
