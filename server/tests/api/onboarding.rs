//! Onboarding (issue 12): a person who acts for nobody asks to act for an
//! administration or registers a supplier; only the department sees the queue and
//! decides, never on its own request; the first approved person is the referent, who
//! invites colleagues by a single-use link that expires and removes members, whose
//! sessions for that organisation end at once; waiting requests and invitations are
//! reminded, then expire, once across replicas. Every test runs on both databases.

use chrono::{Duration, Utc};
use nuvola_server::entity::{delivery, invitation, notification, onboarding_request, supplier};
use nuvola_server::service::onboarding;
use nuvola_shared::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::{json, Value};

use crate::helpers::{add_account, both, error_code};
use crate::permissions::{ask, world, World, PASSWORD};

const ME: &str = "{ me { role actingAs { id isReferent } memberships { id } } }";
const REQUEST: &str = "mutation($i: AccessRequestInput!) { requestAccess(input: $i) { id state kind role organisationName registersSupplier } }";
const QUEUE: &str = "query($f: AccessRequestFilter) { accessRequests(first: 10, filter: $f) { totalCount items { id state organisationName requester { username } } } }";
const APPROVE: &str = "mutation($id: ID!) { approveAccessRequest(id: $id) { id state } }";
const REJECT: &str = "mutation($id: ID!, $r: String!) { rejectAccessRequest(id: $id, reason: $r) { id state reason } }";
const INVITE: &str = "mutation($i: InvitationInput!) { inviteMember(input: $i) { id state role organisationName expiresAt } }";
const ACCEPT: &str = "mutation($t: String!) { acceptInvitation(token: $t) { id role isReferent } }";
const MEMBERS: &str = "{ organisationMembers { id role isReferent person { username email } } }";
const MINE: &str = "{ myProjects { cup } }";
const GENOVA_CUP: &str = "B31C22000060007";

async fn gql(w: &World, token: &str, query: &str, vars: Value) -> Value {
    w.app.graphql_as(Some(token), query, vars).await.1
}

/// A person with no membership, with an e-mail address, logged in.
async fn newcomer(w: &World, username: &str) -> String {
    add_account(&w.t.db, Role::Public, username, PASSWORD, None).await;
    w.t.db
        .execute_unprepared(&format!(
            "UPDATE account SET email = '{username}@example.org' WHERE username = '{username}'"
        ))
        .await
        .unwrap();
    w.app.login(username, PASSWORD).await
}

/// `username` asks for Genova and the department approves: they become its referent.
async fn genova_referent(w: &World, username: &str) -> String {
    let token = newcomer(w, username).await;
    let r = gql(
        w,
        &token,
        REQUEST,
        json!({ "i": { "ipaCode": "C_D969", "note": "Sono il RTD del Comune." } }),
    )
    .await;
    let id = r["data"]["requestAccess"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_owned();
    let r = ask(w, Some("dipartimento"), APPROVE, json!({ "id": id })).await;
    assert_eq!(
        r["data"]["approveAccessRequest"]["state"], "APPROVED",
        "{r}"
    );
    token
}

/// The token of the newest invitation e-mail to `email`, read from its outbox row (the
/// one place it exists in clear).
async fn invitation_token(w: &World, email: &str) -> String {
    let d = delivery::Entity::find()
        .filter(delivery::Column::Recipient.eq(email))
        .filter(delivery::Column::Kind.eq("INVITATION"))
        .order_by_desc(delivery::Column::Id)
        .one(&w.t.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no invitation e-mail to {email}"));
    let payload: Value = serde_json::from_str(&d.payload).unwrap();
    payload["path"]
        .as_str()
        .unwrap()
        .strip_prefix("/invito/")
        .unwrap()
        .to_owned()
}

both! {
    async fn a_person_with_no_membership_asks_for_an_administration_and_the_department_approves(backend: Backend) {
        let w = world(backend).await;
        let token = newcomer(&w, "nuovo").await;
        let me = gql(&w, &token, ME, json!({})).await;
        assert_eq!(me["data"]["me"]["role"], "PUBLIC", "{me}");
        assert_eq!(me["data"]["me"]["memberships"], json!([]));

        // The public search finds the body by name, ignoring case, a page at a time.
        let r = w.app.graphql(r#"{ searchAdministrations(text: "GENOV", first: 5) { totalCount items { ipaCode name } } }"#, json!({})).await;
        assert_eq!(r["data"]["searchAdministrations"]["totalCount"], 1, "{r}");
        assert_eq!(r["data"]["searchAdministrations"]["items"][0]["ipaCode"], "c_d969");
        let r = w.app.graphql(r#"{ searchAdministrations(text: "g") { totalCount } }"#, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");

        let r = gql(&w, &token, REQUEST, json!({ "i": { "ipaCode": "C_D969", "note": "Sono il RTD del Comune." } })).await;
        let req = &r["data"]["requestAccess"];
        assert_eq!(req["state"], "PENDING", "{r}");
        assert_eq!(req["kind"], "ADMINISTRATION");
        assert_eq!(req["organisationName"], "Comune di Genova");
        let id = req["id"].as_str().unwrap().to_owned();

        // One pending request per person and organisation.
        let again = gql(&w, &token, REQUEST, json!({ "i": { "ipaCode": "c_d969" } })).await;
        assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"), "{again}");
        assert!(again["errors"][0]["message"].as_str().unwrap().contains("already asked"), "{again}");
        let r = gql(&w, &token, REQUEST, json!({ "i": { "ipaCode": "c_x000" } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "ipaCode", "{r}");

        // Only the department sees the queue.
        for who in ["genova", "fornitore", "asseveratore"] {
            let r = ask(&w, Some(who), QUEUE, json!({})).await;
            assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{who}: {r}");
        }
        let r = gql(&w, &token, QUEUE, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = ask(&w, Some("dipartimento"), QUEUE, json!({ "f": { "state": "PENDING", "search": "NUOVO" } })).await;
        assert_eq!(r["data"]["accessRequests"]["totalCount"], 1, "{r}");
        assert_eq!(r["data"]["accessRequests"]["items"][0]["requester"]["username"], "nuovo");
        let r = ask(&w, Some("dipartimento"), QUEUE, json!({ "f": { "search": "genova" } })).await;
        assert_eq!(r["data"]["accessRequests"]["totalCount"], 1, "{r}");
        let r = ask(&w, Some("dipartimento"), QUEUE, json!({ "f": { "kind": "SUPPLIER" } })).await;
        assert_eq!(r["data"]["accessRequests"]["totalCount"], 0, "{r}");
        // The department was told of it.
        assert_eq!(w.t.count_where("notification", "kind = 'ACCESS_REQUESTED' AND recipient_role = 'DEPARTMENT'").await, 1);

        // Only the department decides.
        let r = ask(&w, Some("genova"), APPROVE, json!({ "id": id })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = ask(&w, Some("dipartimento"), APPROVE, json!({ "id": id })).await;
        assert_eq!(r["data"]["approveAccessRequest"]["state"], "APPROVED", "{r}");
        let r = ask(&w, Some("dipartimento"), APPROVE, json!({ "id": id })).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");

        // The same session now acts for Genova, as its referent (the first approved).
        let me = gql(&w, &token, ME, json!({})).await;
        assert_eq!(me["data"]["me"]["role"], "ADMINISTRATION", "{me}");
        assert_eq!(me["data"]["me"]["actingAs"]["isReferent"], true, "{me}");
        let r = gql(&w, &token, MINE, json!({})).await;
        assert_eq!(r["data"]["myProjects"], json!([{ "cup": GENOVA_CUP }]), "{r}");

        // Told in Italian and English, and by e-mail through the outbox.
        let note = notification::Entity::find()
            .filter(notification::Column::Kind.eq("ACCESS_APPROVED"))
            .one(&w.t.db).await.unwrap().unwrap();
        assert!(note.message.contains("Comune di Genova") && note.message.contains("referente"), "{}", note.message);
        assert!(note.message_en.as_deref().unwrap().contains("you now act for Comune di Genova"));
        assert_eq!(w.t.count_where("delivery", &format!("channel = 'EMAIL' AND recipient = 'nuovo@example.org' AND notification_id = {}", note.id)).await, 1);
        for action in ["ACCESS_REQUESTED", "ACCESS_REQUEST_APPROVED"] {
            assert_eq!(w.t.count_where("event", &format!("action = '{action}' AND entity_id = '{id}'")).await, 1, "{action}");
        }
        let r = gql(&w, &token, "{ myAccessRequests { state } }", json!({})).await;
        assert_eq!(r["data"]["myAccessRequests"], json!([{ "state": "APPROVED" }]), "{r}");
        // Already a member: asking again is refused.
        let r = gql(&w, &token, REQUEST, json!({ "i": { "ipaCode": "c_d969" } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
    }
}

both! {
    async fn a_supplier_is_registered_by_an_approved_request_and_a_rejection_needs_a_reason(backend: Backend) {
        let w = world(backend).await;
        let token = newcomer(&w, "nuovo").await;
        let r = gql(&w, &token, REQUEST, json!({ "i": { "supplierVat": "09876543210", "supplierName": "Nuvola Nuova S.r.l." } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "supplierVat", "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("check digit"), "{r}");
        // Control characters (PostgreSQL stores no NUL) are refused as input, not failed on.
        let r = gql(&w, &token, REQUEST, json!({ "i": { "ipaCode": "c_d969", "note": "nota\u{0}" } })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "note", "{r}");
        let r = w.app.graphql("query($q: String!) { searchAdministrations(text: $q) { totalCount } }", json!({ "q": "gen\u{0}ova" })).await;
        assert!(r["errors"].is_null(), "{r}");
        let r = gql(&w, &token, REQUEST, json!({ "i": { "supplierVat": "09876543217" } })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "supplierName", "{r}");
        let r = gql(&w, &token, REQUEST, json!({ "i": { "supplierVat": "09876543217", "supplierName": "Nuvola Nuova S.r.l.", "supplierEmail": "pec@" } })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "supplierEmail", "{r}");

        let r = gql(&w, &token, REQUEST, json!({ "i": { "supplierVat": "IT09876543217", "supplierName": "Nuvola Nuova S.r.l.", "supplierEmail": "nuvolanuova@pec.example.org" } })).await;
        assert_eq!(r["data"]["requestAccess"]["registersSupplier"], true, "{r}");
        assert_eq!(r["data"]["requestAccess"]["role"], "SUPPLIER");
        let id = r["data"]["requestAccess"]["id"].as_str().unwrap().to_owned();

        // A rejection needs a reason, which the person reads.
        let r = ask(&w, Some("dipartimento"), REJECT, json!({ "id": id, "r": " no " })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "reason", "{r}");
        let r = ask(&w, Some("dipartimento"), REJECT, json!({ "id": id, "r": "Manca la visura camerale." })).await;
        assert_eq!(r["data"]["rejectAccessRequest"]["state"], "REJECTED", "{r}");
        let note = notification::Entity::find()
            .filter(notification::Column::Kind.eq("ACCESS_REJECTED"))
            .one(&w.t.db).await.unwrap().unwrap();
        assert!(note.message.contains("Manca la visura camerale."), "{}", note.message);
        assert_eq!(supplier::Entity::find().filter(supplier::Column::VatNumber.eq("09876543217")).one(&w.t.db).await.unwrap(), None);

        // Asked again, approved: the supplier exists with the membership, in one commit.
        let r = gql(&w, &token, REQUEST, json!({ "i": { "supplierVat": "09876543217", "supplierName": "Nuvola Nuova S.r.l." } })).await;
        let id = r["data"]["requestAccess"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
        let r = ask(&w, Some("dipartimento"), APPROVE, json!({ "id": id })).await;
        assert_eq!(r["data"]["approveAccessRequest"]["state"], "APPROVED", "{r}");
        let s = supplier::Entity::find().filter(supplier::Column::VatNumber.eq("09876543217")).one(&w.t.db).await.unwrap().unwrap();
        assert_eq!(s.name, "Nuvola Nuova S.r.l.");
        assert!(!s.is_psn);
        assert_eq!(w.t.count_where("event", "action = 'SUPPLIER_REGISTERED'").await, 1);
        let me = gql(&w, &token, "{ me { role supplierVat actingAs { isReferent } } }", json!({})).await;
        assert_eq!(me["data"]["me"]["role"], "SUPPLIER", "{me}");
        assert_eq!(me["data"]["me"]["supplierVat"], "09876543217");
        assert_eq!(me["data"]["me"]["actingAs"]["isReferent"], true);

        // A request for a known supplier takes its role (PSN for PSN).
        let other = newcomer(&w, "altro").await;
        let r = gql(&w, &other, REQUEST, json!({ "i": { "supplierVat": "16825251008" } })).await;
        assert_eq!(r["data"]["requestAccess"]["role"], "PSN", "{r}");
        assert_eq!(r["data"]["requestAccess"]["registersSupplier"], false);
    }
}

both! {
    async fn nobody_decides_their_own_request(backend: Backend) {
        let w = world(backend).await;
        add_account(&w.t.db, Role::Department, "dipartimento2", PASSWORD, None).await;
        let r = ask(&w, Some("dipartimento"), REQUEST, json!({ "i": { "ipaCode": "c_d969" } })).await;
        let id = r["data"]["requestAccess"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
        let r = ask(&w, Some("dipartimento"), APPROVE, json!({ "id": id })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("their own request"), "{r}");
        let r = ask(&w, Some("dipartimento"), REJECT, json!({ "id": id, "r": "Non mi spetta." })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = ask(&w, Some("dipartimento2"), APPROVE, json!({ "id": id })).await;
        assert_eq!(r["data"]["approveAccessRequest"]["state"], "APPROVED", "{r}");
    }
}

both! {
    async fn a_referent_invites_a_colleague_who_accepts_once_and_loses_their_session_when_removed(backend: Backend) {
        let w = world(backend).await;
        let referent = genova_referent(&w, "referente").await;
        let invite = |email: &str, role: &str| json!({ "i": { "email": email, "role": role } });

        // Only a referent (or the department) invites, to its own organisation, in its role.
        let r = ask(&w, Some("genova"), INVITE, invite("collega@example.org", "ADMINISTRATION")).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = gql(&w, &referent, INVITE, invite("collega@example.org", "SUPPLIER")).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "role", "{r}");
        let r = gql(&w, &referent, INVITE, invite("collega@example.org", "VERIFIER")).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "role", "{r}");
        let r = gql(&w, &referent, INVITE, json!({ "i": { "email": "collega@example.org", "role": "ADMINISTRATION", "ipaCode": "istsc_feis011004" } })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = gql(&w, &referent, INVITE, invite("collega@", "ADMINISTRATION")).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "email", "{r}");

        let r = gql(&w, &referent, INVITE, invite("Collega@Example.org", "ADMINISTRATION")).await;
        assert_eq!(r["data"]["inviteMember"]["state"], "PENDING", "{r}");
        assert_eq!(r["data"]["inviteMember"]["organisationName"], "Comune di Genova");
        let r = gql(&w, &referent, INVITE, invite("collega@example.org", "ADMINISTRATION")).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");

        // The token travels only in the e-mail; the invitation keeps its SHA-256.
        let token = invitation_token(&w, "collega@example.org").await;
        let inv = invitation::Entity::find().one(&w.t.db).await.unwrap().unwrap();
        assert_ne!(inv.token_hash, token);
        assert_eq!(inv.token_hash, nuvola_server::service::auth::token_hash(&token));
        let r = gql(&w, &referent, "{ organisationInvitations { email state } }", json!({})).await;
        assert_eq!(r["data"]["organisationInvitations"], json!([{ "email": "collega@example.org", "state": "PENDING" }]), "{r}");

        // The colleague logs in (acting for nobody) and accepts: the session acts for Genova.
        let colleague = newcomer(&w, "collega").await;
        let r = gql(&w, &colleague, "query($t: String!) { invitation(token: $t) { organisationName role state } }", json!({ "t": token })).await;
        assert_eq!(r["data"]["invitation"], json!({ "organisationName": "Comune di Genova", "role": "ADMINISTRATION", "state": "PENDING" }), "{r}");
        let r = w.app.graphql(ACCEPT, json!({ "t": token })).await;
        assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"), "{r}");
        let r = gql(&w, &colleague, ACCEPT, json!({ "t": token })).await;
        assert_eq!(r["data"]["acceptInvitation"]["role"], "ADMINISTRATION", "{r}");
        assert_eq!(r["data"]["acceptInvitation"]["isReferent"], false, "{r}");
        let colleague_membership = r["data"]["acceptInvitation"]["id"].as_str().unwrap().to_owned();
        let r = gql(&w, &colleague, MINE, json!({})).await;
        assert_eq!(r["data"]["myProjects"], json!([{ "cup": GENOVA_CUP }]), "{r}");
        assert_eq!(w.t.count_where("event", "action = 'INVITATION_ACCEPTED'").await, 1);

        // The link works once.
        let third = newcomer(&w, "terzo").await;
        let r = gql(&w, &third, ACCEPT, json!({ "t": token })).await;
        assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("works once"), "{r}");
        let r = gql(&w, &third, ACCEPT, json!({ "t": "inv_nessuno" })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");

        // Members: the referent sees addresses; a plain member does not.
        let r = gql(&w, &referent, MEMBERS, json!({})).await;
        let members = r["data"]["organisationMembers"].as_array().unwrap_or_else(|| panic!("{r}"));
        assert_eq!(members.len(), 3, "genova, the referent and the colleague: {r}");
        assert!(members.iter().any(|m| m["person"]["email"] == "collega@example.org"), "{r}");
        let r = gql(&w, &colleague, MEMBERS, json!({})).await;
        assert!(r["data"]["organisationMembers"].as_array().unwrap().iter().all(|m| m["person"]["email"].is_null()), "{r}");

        // Only the referent (or the department) removes, only its organisation's members,
        // never itself.
        let r = gql(&w, &colleague, "mutation($id: ID!) { removeMembership(id: $id) { id } }", json!({ "id": colleague_membership })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let me = gql(&w, &referent, ME, json!({})).await;
        let own = me["data"]["me"]["actingAs"]["id"].as_str().unwrap().to_owned();
        let r = gql(&w, &referent, "mutation($id: ID!) { removeMembership(id: $id) { id } }", json!({ "id": own })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let school = ask(&w, Some("dipartimento"), r#"{ memberships(username: "scuola") { id } }"#, json!({})).await;
        let school_id = school["data"]["memberships"][0]["id"].as_str().unwrap().to_owned();
        let r = gql(&w, &referent, "mutation($id: ID!) { removeMembership(id: $id) { id } }", json!({ "id": school_id })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");

        let r = gql(&w, &referent, "mutation($id: ID!) { removeMembership(id: $id) { removedAt } }", json!({ "id": colleague_membership })).await;
        assert!(r["data"]["removeMembership"]["removedAt"].is_string(), "{r}");
        // The removed member's session stops working at once.
        let (status, r) = w.app.graphql_as(Some(&colleague), MINE, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"), "{status} {r}");
        let again = w.app.login("collega", PASSWORD).await;
        let me = gql(&w, &again, ME, json!({})).await;
        assert_eq!(me["data"]["me"]["role"], "PUBLIC", "{me}");
        assert_eq!(w.t.count_where("event", "action = 'MEMBERSHIP_REMOVED'").await, 1);
    }
}

both! {
    async fn the_department_invites_verifiers_and_an_invitation_is_for_its_own_organisation_only(backend: Backend) {
        let w = world(backend).await;
        let r = ask(&w, Some("dipartimento"), INVITE, json!({ "i": { "email": "verifica@example.org", "role": "VERIFIER", "bodyName": "Asseverazioni Italia S.r.l." } })).await;
        assert_eq!(r["data"]["inviteMember"]["organisationName"], "Asseverazioni Italia S.r.l.", "{r}");
        let r = ask(&w, Some("dipartimento"), INVITE, json!({ "i": { "email": "x@example.org", "role": "ADMINISTRATION" } })).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "role", "{r}");
        let token = invitation_token(&w, "verifica@example.org").await;
        let person = newcomer(&w, "verificatore").await;
        let r = gql(&w, &person, ACCEPT, json!({ "t": token })).await;
        assert_eq!(r["data"]["acceptInvitation"]["role"], "VERIFIER", "{r}");
        let me = gql(&w, &person, "{ me { role } }", json!({})).await;
        assert_eq!(me["data"]["me"]["role"], "VERIFIER", "{me}");

        // A referent of Genova cannot revoke the school's invitation, nor list it.
        let referent = genova_referent(&w, "referente").await;
        let r = ask(&w, Some("dipartimento"), INVITE, json!({ "i": { "email": "prof@example.org", "role": "ADMINISTRATION", "ipaCode": "istsc_feis011004" } })).await;
        let school_invitation = r["data"]["inviteMember"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
        let r = gql(&w, &referent, "mutation($id: ID!) { revokeInvitation(id: $id) { state } }", json!({ "id": school_invitation })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        let r = gql(&w, &referent, r#"{ organisationInvitations(ipaCode: "istsc_feis011004") { id } }"#, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        // The school's invitation makes its acceptor a member of the school, not of Genova.
        let token = invitation_token(&w, "prof@example.org").await;
        let prof = newcomer(&w, "prof").await;
        let r = gql(&w, &prof, ACCEPT, json!({ "t": token })).await;
        assert_eq!(r["data"]["acceptInvitation"]["role"], "ADMINISTRATION", "{r}");
        let r = gql(&w, &prof, "{ me { administration { ipaCode } } }", json!({})).await;
        assert_eq!(r["data"]["me"]["administration"]["ipaCode"], "istsc_feis011004", "{r}");
        // Nobody was the school's referent: the first to join through the department is.
        let r = gql(&w, &prof, "{ me { actingAs { isReferent } } }", json!({})).await;
        assert_eq!(r["data"]["me"]["actingAs"]["isReferent"], true, "{r}");
    }
}

both! {
    async fn waiting_requests_and_invitations_are_reminded_once_then_expire(backend: Backend) {
        let w = world(backend).await;
        let token = newcomer(&w, "nuovo").await;
        let r = gql(&w, &token, REQUEST, json!({ "i": { "ipaCode": "c_d969" } })).await;
        let id: i32 = r["data"]["requestAccess"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).parse().unwrap();
        let r = ask(&w, Some("dipartimento"), INVITE, json!({ "i": { "email": "tardi@example.org", "role": "DEPARTMENT" } })).await;
        assert_eq!(r["data"]["inviteMember"]["state"], "PENDING", "{r}");
        let invitation_token = invitation_token(&w, "tardi@example.org").await;
        let now = Utc::now();

        // Nothing waits long enough yet.
        let report = onboarding::sweep(&w.t.db, now).await.unwrap();
        assert_eq!(report, onboarding::SweepReport::default());

        // Six days on, two replicas at once: the department is reminded once, the
        // invitee once (the invitation expires in a day).
        let later = now + Duration::days(6);
        let (a, b) = tokio::join!(onboarding::sweep(&w.t.db, later), onboarding::sweep(&w.t.db, later));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.requests_reminded + b.requests_reminded, 1, "{a:?} {b:?}");
        assert_eq!(a.invitations_reminded + b.invitations_reminded, 1, "{a:?} {b:?}");
        assert_eq!(w.t.count_where("notification", "kind = 'ACCESS_REQUESTS_WAITING' AND recipient_role = 'DEPARTMENT'").await, 1);
        assert_eq!(w.t.count_where("delivery", "kind = 'INVITATION_REMINDER' AND recipient = 'tardi@example.org'").await, 1);
        let again = onboarding::sweep(&w.t.db, later + Duration::hours(1)).await.unwrap();
        assert_eq!(again, onboarding::SweepReport::default());

        // Past its expiry the link is refused even before the job records it.
        let person = newcomer(&w, "tardivo").await;
        let inv = invitation::Entity::find().one(&w.t.db).await.unwrap().unwrap();
        let mut active: invitation::ActiveModel = inv.into();
        active.expires_at = Set(now - Duration::seconds(1));
        active.update(&w.t.db).await.unwrap();
        let r = gql(&w, &person, ACCEPT, json!({ "t": invitation_token })).await;
        assert_eq!(error_code(&r).as_deref(), Some("DEADLINE_PASSED"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("expired"), "{r}");

        // Thirty-one days on the request expires and its person is told; the
        // invitation is recorded EXPIRED.
        let report = onboarding::sweep(&w.t.db, now + Duration::days(31)).await.unwrap();
        assert_eq!(report.requests_expired, 1, "{report:?}");
        assert_eq!(report.invitations_expired, 1, "{report:?}");
        let r = onboarding_request::Entity::find_by_id(id).one(&w.t.db).await.unwrap().unwrap();
        assert_eq!(r.state, "EXPIRED");
        assert_eq!(w.t.count_where("notification", "kind = 'ACCESS_REQUEST_EXPIRED'").await, 1);
        assert_eq!(w.t.count_where("event", "action = 'ACCESS_REQUEST_EXPIRED'").await, 1);
        assert_eq!(w.t.count_where("event", "action = 'INVITATION_EXPIRED'").await, 1);
        let r = gql(&w, &person, ACCEPT, json!({ "t": invitation_token })).await;
        assert_eq!(error_code(&r).as_deref(), Some("DEADLINE_PASSED"), "{r}");
        // An expired request no longer blocks a new one.
        let r = gql(&w, &token, REQUEST, json!({ "i": { "ipaCode": "c_d969" } })).await;
        assert_eq!(r["data"]["requestAccess"]["state"], "PENDING", "{r}");
    }
}

#[test]
fn the_invitation_email_carries_its_link_in_both_languages_and_its_reminder_does_not() {
    use nuvola_server::service::invitations::InvitationMail;
    let mail = InvitationMail {
        invitation_id: 7,
        path: Some("/invito/inv_abc".to_owned()),
        organisation: "Comune di Genova".to_owned(),
        role: "ADMINISTRATION".to_owned(),
        inviter: "Giulia Nuovi".to_owned(),
        expires_at: Utc::now() + Duration::days(7),
    };
    let email = nuvola_server::service::mail::invitation(
        "https://nuvola.example",
        "collega@example.org",
        &mail,
    );
    assert_eq!(email.to, "collega@example.org");
    assert!(email
        .subject
        .contains("Invito a operare per Comune di Genova"));
    assert!(email
        .subject
        .contains("Invitation to act for Comune di Genova"));
    assert!(email.text.contains("https://nuvola.example/invito/inv_abc"));
    assert!(email
        .html
        .contains("href=\"https://nuvola.example/invito/inv_abc\""));
    assert!(
        email.text.contains("Giulia Nuovi ti invita")
            && email.text.contains("Giulia Nuovi invites you")
    );
    let reminder = nuvola_server::service::mail::invitation(
        "https://nuvola.example",
        "collega@example.org",
        &InvitationMail { path: None, ..mail },
    );
    assert!(reminder.subject.starts_with("Promemoria"));
    assert!(!reminder.text.contains("/invito/"), "{}", reminder.text);
}
