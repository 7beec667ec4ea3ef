//! Persons and memberships: a person acts for one organisation at a time, picked after
//! login and switched without logging in again; removing a membership ends that
//! person's sessions for it at once; accounts made before memberships existed become
//! persons with one membership and keep their sessions.

use nuvola_migrations::{Migrator, MigratorTrait};
use nuvola_shared::Role;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::{add_account, both, error_code, Backend, TestDb};
use crate::permissions::{ask, world, PASSWORD, SCHOOL_CUP};
use nuvola_server::entity::{account, event, membership};

const GENOVA_CUP: &str = "B31C22000060007";
const MINE: &str = "{ myProjects { cup } }";
const PLAN: &str = "query($cup: String!) { application(cup: $cup) { plan { name } } }";
const ME: &str = "{ me { role actingAs { id } administration { ipaCode } memberships { id role organisationName administration { ipaCode } } } }";

fn cups(r: &Value) -> Vec<String> {
    r["data"]["myProjects"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|p| p["cup"].as_str().unwrap().to_owned())
        .collect()
}

fn membership_of(me: &Value, ipa: &str) -> String {
    me["data"]["me"]["memberships"]
        .as_array()
        .unwrap_or_else(|| panic!("{me}"))
        .iter()
        .find(|m| m["administration"]["ipaCode"].as_str() == Some(ipa))
        .unwrap_or_else(|| panic!("no membership of {ipa}: {me}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

const SELECT: &str =
    "mutation($id: ID!) { selectMembership(id: $id) { role administration { ipaCode } } }";

both! {
    async fn a_person_with_two_memberships_sees_only_the_picked_organisations_rows(backend: Backend) {
        let w = world(backend).await;
        add_account(&w.t.db, Role::Administration, "doppia", PASSWORD, Some("ISTSC_FEIS011004")).await;
        w.add_genova_membership("doppia").await;
        let token = w.app.login("doppia", PASSWORD).await;
        let t = Some(token.as_str());

        // Two memberships: the session acts for none until the person picks one.
        let me = w.app.graphql_as(t, ME, json!({})).await.1;
        assert_eq!(me["data"]["me"]["role"], "PUBLIC", "{me}");
        assert_eq!(me["data"]["me"]["actingAs"], Value::Null);
        assert_eq!(me["data"]["me"]["memberships"].as_array().unwrap().len(), 2);
        let names: Vec<&str> = me["data"]["me"]["memberships"].as_array().unwrap().iter()
            .map(|m| m["organisationName"].as_str().unwrap()).collect();
        assert!(names.iter().any(|n| n.contains("VERGANI")) && names.iter().any(|n| n.contains("Genova")), "{names:?}");
        let r = w.app.graphql_as(t, MINE, json!({})).await.1;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("choose the organisation"), "{r}");

        // Acting for the school: the school's rows only.
        let school = membership_of(&me, "istsc_feis011004");
        let genova = membership_of(&me, "c_d969");
        let r = w.app.graphql_as(t, SELECT, json!({ "id": school })).await.1;
        assert_eq!(r["data"]["selectMembership"]["role"], "ADMINISTRATION", "{r}");
        assert_eq!(cups(&w.app.graphql_as(t, MINE, json!({})).await.1), vec![SCHOOL_CUP]);
        let r = w.app.graphql_as(t, PLAN, json!({ "cup": SCHOOL_CUP })).await.1;
        assert_eq!(r["data"]["application"]["plan"].as_array().map(Vec::len), Some(4), "{r}");
        let r = w.app.graphql_as(t, PLAN, json!({ "cup": GENOVA_CUP })).await.1;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");

        // Switching, with the same session: Genova's rows only.
        let r = w.app.graphql_as(t, SELECT, json!({ "id": genova })).await.1;
        assert_eq!(r["data"]["selectMembership"]["administration"]["ipaCode"], "c_d969", "{r}");
        assert_eq!(cups(&w.app.graphql_as(t, MINE, json!({})).await.1), vec![GENOVA_CUP]);
        let r = w.app.graphql_as(t, PLAN, json!({ "cup": SCHOOL_CUP })).await.1;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let me = w.app.graphql_as(t, ME, json!({})).await.1;
        assert_eq!(me["data"]["me"]["actingAs"]["id"], genova.as_str());
        assert_eq!(me["data"]["me"]["administration"]["ipaCode"], "c_d969");

        // Another person's membership cannot be picked.
        let theirs = membership::Entity::find()
            .filter(membership::Column::AccountId.ne(
                account::Entity::find().filter(account::Column::Username.eq("doppia")).one(&w.t.db).await.unwrap().unwrap().id,
            ))
            .one(&w.t.db).await.unwrap().unwrap();
        let r = w.app.graphql_as(t, SELECT, json!({ "id": theirs.id.to_string() })).await.1;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        // Each pick is audited.
        let picks = event::Entity::find().filter(event::Column::Action.eq("MEMBERSHIP_SELECTED")).all(&w.t.db).await.unwrap();
        assert_eq!(picks.len(), 2);
    }
}

both! {
    async fn a_person_with_one_membership_acts_for_it_from_login(backend: Backend) {
        let w = world(backend).await;
        let me = ask(&w, Some("scuola"), ME, json!({})).await;
        assert_eq!(me["data"]["me"]["role"], "ADMINISTRATION", "{me}");
        assert_eq!(me["data"]["me"]["administration"]["ipaCode"], "istsc_feis011004");
        assert_eq!(me["data"]["me"]["actingAs"]["id"], me["data"]["me"]["memberships"][0]["id"]);
    }
}

both! {
    async fn removing_a_membership_ends_that_persons_sessions_for_it_at_once(backend: Backend) {
        let w = world(backend).await;
        add_account(&w.t.db, Role::Administration, "doppia", PASSWORD, Some("ISTSC_FEIS011004")).await;
        w.add_genova_membership("doppia").await;
        let for_genova = w.session_acting_for("doppia@genova", "doppia", "c_d969").await;
        let for_school = w.session_acting_for("doppia@scuola", "doppia", "istsc_feis011004").await;
        let me = w.app.graphql_as(Some(&for_genova), ME, json!({})).await.1;
        let genova = membership_of(&me, "c_d969");
        // The department finds the person's memberships (and their ids) by username.
        let listed = ask(&w, Some("dipartimento"), r#"{ memberships(username: "doppia") { id administration { ipaCode } } }"#, json!({})).await;
        let ids: Vec<&str> = listed["data"]["memberships"].as_array().unwrap_or_else(|| panic!("{listed}"))
            .iter().map(|m| m["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 2, "{listed}");
        assert!(ids.contains(&genova.as_str()));

        // Only the department removes (in this step).
        let remove = "mutation($id: ID!) { removeMembership(id: $id) { id removedAt } }";
        let r = w.app.graphql_as(Some(&for_school), remove, json!({ "id": genova })).await.1;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = ask(&w, Some("dipartimento"), remove, json!({ "id": genova })).await;
        assert!(r["data"]["removeMembership"]["removedAt"].is_string(), "{r}");

        // The session acting for Genova is refused at once; the one for the school lives on.
        let (status, r) = w.app.graphql_as(Some(&for_genova), MINE, json!({})).await;
        assert_eq!((status, error_code(&r).as_deref()), (401, Some("UNAUTHENTICATED")), "{r}");
        assert_eq!(cups(&w.app.graphql_as(Some(&for_school), MINE, json!({})).await.1), vec![SCHOOL_CUP]);
        // The removed membership is no longer offered, nor can it be picked again.
        let me = w.app.graphql_as(Some(&for_school), ME, json!({})).await.1;
        assert_eq!(me["data"]["me"]["memberships"].as_array().unwrap().len(), 1, "{me}");
        let r = w.app.graphql_as(Some(&for_school), SELECT, json!({ "id": genova })).await.1;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        // A new login acts for the one membership left.
        let again = w.app.login("doppia", PASSWORD).await;
        let me = w.app.graphql_as(Some(&again), ME, json!({})).await.1;
        assert_eq!(me["data"]["me"]["administration"]["ipaCode"], "istsc_feis011004", "{me}");
        let removed = event::Entity::find().filter(event::Column::Action.eq("MEMBERSHIP_REMOVED")).one(&w.t.db).await.unwrap().unwrap();
        let after: Value = serde_json::from_str(removed.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["sessionsEnded"], 1, "{after}");
    }
}

both! {
    async fn a_membership_is_checked_like_an_account(backend: Backend) {
        let w = world(backend).await;
        let add = "mutation($u: String!, $r: Role!, $ipa: String, $vat: String) { addMembership(username: $u, role: $r, ipaCode: $ipa, supplierVat: $vat) { id } }";
        for (vars, field) in [
            (json!({ "u": "scuola", "r": "ADMINISTRATION" }), "ipa"),
            (json!({ "u": "scuola", "r": "ADMINISTRATION", "ipa": "c_a000" }), "ipa"),
            (json!({ "u": "scuola", "r": "ADMINISTRATION", "ipa": "istsc_feis011004" }), "role"),
            (json!({ "u": "scuola", "r": "PSN", "vat": "01234567897" }), "role"),
            (json!({ "u": "scuola", "r": "VERIFIER", "vat": "01234567897" }), "supplier"),
            (json!({ "u": "scuola", "r": "PUBLIC" }), "role"),
        ] {
            let r = ask(&w, Some("dipartimento"), add, vars.clone()).await;
            assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{vars}: {r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], field, "{vars}: {r}");
        }
        let r = ask(&w, Some("dipartimento"), add, json!({ "u": "nessuno", "r": "VERIFIER" })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        let r = ask(&w, Some("dipartimento"), add, json!({ "u": "scuola", "r": "VERIFIER" })).await;
        assert!(r["data"]["addMembership"]["id"].is_string(), "{r}");
        let added = event::Entity::find().filter(event::Column::Action.eq("MEMBERSHIP_ADDED")).all(&w.t.db).await.unwrap();
        // One per account of the world, and this one.
        assert_eq!(added.len() as i64, w.t.count("account").await + 1);
    }
}

/// The migration that brought memberships: every account of the day becomes a person
/// with one membership of its role and body, and its open session acts for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_made_before_memberships_become_persons_with_one_membership_sqlite() {
    accounts_made_before_memberships(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_made_before_memberships_become_persons_with_one_membership_postgres() {
    accounts_made_before_memberships(Backend::Postgres).await
}

async fn accounts_made_before_memberships(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    let total = Migrator::migrations().len() as u32;
    // The open data first, with today's schema; then back to the day before memberships
    // (the migrations after it go too, and come back with it).
    t.import_path(crate::helpers::CALLS_CSV).await;
    let csv = format!(
        "{}\n{}\n",
        crate::helpers::GENOVA_HEADER,
        crate::helpers::GENOVA_ROW
    );
    t.import_bytes("genova.csv", csv.as_bytes()).await.unwrap();
    let since = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261201_000101_membership")
        .expect("the membership migration");
    let steps = total - since as u32;
    Migrator::down(db, Some(steps)).await.unwrap();
    assert_eq!(
        Migrator::get_pending_migrations(db).await.unwrap().len() as u32,
        steps
    );
    let admin_id: i32 = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM administration WHERE ipa_key = 'c_d969'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();
    let now = "'2026-11-30T10:00:00+00:00'";
    db.execute_unprepared(&format!(
        "INSERT INTO account (username, password_hash, role, administration_id, display_name, disabled, created_at, updated_at) \
         VALUES ('genova.vecchio', 'x', 'ADMINISTRATION', {admin_id}, NULL, false, {now}, {now}), \
                ('dip.vecchio', 'x', 'DEPARTMENT', NULL, NULL, false, {now}, {now})"
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "INSERT INTO auth_token (account_id, token_hash, kind, expires_at, created_at) \
         SELECT id, 'h-' || username, 'SESSION', '2099-01-01T00:00:00+00:00', {now} FROM account"
    ))
    .await
    .unwrap();

    Migrator::up(db, None).await.unwrap();
    assert_eq!(
        Migrator::get_applied_migrations(db).await.unwrap().len() as u32,
        total
    );
    let persons = account::Entity::find().all(db).await.unwrap();
    for person in &persons {
        let held = membership::Entity::find()
            .filter(membership::Column::AccountId.eq(person.id))
            .all(db)
            .await
            .unwrap();
        assert_eq!(held.len(), 1, "{}", person.username);
        assert_eq!(held[0].role, person.role);
        assert_eq!(held[0].administration_id, person.administration_id);
        assert!(held[0].removed_at.is_none());
        let session = nuvola_server::entity::auth_token::Entity::find()
            .filter(nuvola_server::entity::auth_token::Column::AccountId.eq(person.id))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(session.membership_id, Some(held[0].id));
    }
    assert_eq!(persons.len(), 2);
}
