//! Row-level permissions through the real HTTP server: who sees which project's migration
//! plan, however it is reached (directly, or nested under a body's applications).

use nuvola_shared::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::{json, Value};

use crate::helpers::{add_account, both, error_code, TestApp, TestDb, GENOVA_HEADER, GENOVA_ROW};
use nuvola_server::entity::{application, planned_service, supplier};

/// A school of Ferrara, EUR 2,212 = 4 services of EUR 553.
const SCHOOL_ROW: &str = "istsc_feis011004,ISTITUTO SUPERIORE - I.I.S. 'O.VERGANI',Ferrara,038008,FE,038,Emilia-Romagna,08,2212.0,1.2 Abilitazione al Cloud - Scuole - Aprile 2022,2022-06-22T09:38:17.000+0000,2022-09-05,G71C22000700006,2.0,31.0,A,1.2 Abilitazione e facilitazione migrazione al Cloud,Scuole";
pub const SCHOOL_CUP: &str = "G71C22000700006";
pub const PASSWORD: &str = "password-lunga-9";

const PLAN: &str = "query($cup: String!) { application(cup: $cup) { cup plan { name status supplier { vatNumber } } } }";
const NESTED: &str =
    r#"{ administration(ipaCode: "istsc_feis011004") { applications { plan { name } } } }"#;
const MINE: &str = "{ myProjects { cup } }";

pub struct World {
    pub app: TestApp,
    pub t: TestDb,
    /// One session per user, so that tests do not hit the login rate limit.
    tokens: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

pub async fn world(backend: crate::helpers::Backend) -> World {
    let t = TestDb::new(backend).await;
    t.import_path(crate::helpers::CALLS_CSV).await;
    let csv = format!("{GENOVA_HEADER}\n{GENOVA_ROW}\n{SCHOOL_ROW}\n");
    t.import_bytes("two.csv", csv.as_bytes()).await.unwrap();
    nuvola_server::demo::ensure_suppliers(&t.db).await.unwrap();
    add_account(
        &t.db,
        Role::Administration,
        "scuola",
        PASSWORD,
        Some("ISTSC_FEIS011004"),
    )
    .await;
    add_account(
        &t.db,
        Role::Administration,
        "genova",
        PASSWORD,
        Some("c_d969"),
    )
    .await;
    add_account(&t.db, Role::Department, "dipartimento", PASSWORD, None).await;
    let verifier = add_account(&t.db, Role::Verifier, "asseveratore", PASSWORD, None).await;
    add_account(&t.db, Role::Verifier, "altro.asseveratore", PASSWORD, None).await;
    for (username, vat, role) in [
        ("fornitore", "01234567897", Role::Supplier),
        ("psn", "16825251008", Role::Psn),
    ] {
        nuvola_server::service::accounts::create(
            &t.db,
            nuvola_server::service::accounts::NewAccount {
                role,
                username: username.to_owned(),
                password: PASSWORD.to_owned(),
                ipa_code: None,
                supplier_vat: Some(nuvola_shared::VatNumber::parse(vat).unwrap()),
                display_name: None,
            },
            &nuvola_server::audit::Actor::system("test"),
        )
        .await
        .unwrap();
    }
    // The first service of the school goes to "Fornitore Uno"; the verifier is assigned.
    let school = application::Entity::find()
        .filter(application::Column::Cup.eq(SCHOOL_CUP))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let first = planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(school.id))
        .order_by_asc(planned_service::Column::Id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let fornitore = supplier::Entity::find()
        .filter(supplier::Column::VatNumber.eq("01234567897"))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let mut service: planned_service::ActiveModel = first.into();
    service.supplier_id = Set(Some(fornitore.id));
    service.update(&t.db).await.unwrap();
    let mut project: application::ActiveModel = school.into();
    project.verifier_account_id = Set(Some(verifier.id));
    project.update(&t.db).await.unwrap();
    World {
        app: TestApp::start(&t.db).await,
        t,
        tokens: Default::default(),
    }
}

impl World {
    /// A session of `username`, logging in the first time only.
    pub async fn token(&self, username: &str) -> String {
        let known = self.tokens.lock().unwrap().get(username).cloned();
        match known {
            Some(token) => token,
            None => {
                let token = self.app.login(username, PASSWORD).await;
                self.tokens
                    .lock()
                    .unwrap()
                    .insert(username.to_owned(), token.clone());
                token
            }
        }
    }
}

impl World {
    /// Gives `username` (an administration's person) a second membership, for Comune di
    /// Genova, through the department's mutation.
    pub async fn add_genova_membership(&self, username: &str) {
        let r = ask(
            self,
            Some("dipartimento"),
            r#"mutation($u: String!) { addMembership(username: $u, role: ADMINISTRATION, ipaCode: "c_d969") { id role } }"#,
            json!({ "u": username }),
        )
        .await;
        assert_eq!(r["data"]["addMembership"]["role"], "ADMINISTRATION", "{r}");
    }

    /// A new session of `username` (who holds several memberships) that picks none,
    /// known to [`ask`] by the username.
    pub async fn unpicked_session(&self, username: &str) {
        let token = self.app.login(username, PASSWORD).await;
        self.tokens
            .lock()
            .unwrap()
            .insert(username.to_owned(), token);
    }

    /// A new session of `username` acting for its membership of the body `ipa`, known to
    /// [`ask`] as `key` from then on.
    pub async fn session_acting_for(&self, key: &str, username: &str, ipa: &str) -> String {
        let token = self.app.login(username, PASSWORD).await;
        let me = self
            .app
            .graphql_as(
                Some(&token),
                "{ me { memberships { id administration { ipaCode } } } }",
                json!({}),
            )
            .await
            .1;
        let id = me["data"]["me"]["memberships"]
            .as_array()
            .unwrap_or_else(|| panic!("{me}"))
            .iter()
            .find(|m| {
                m["administration"]["ipaCode"]
                    .as_str()
                    .is_some_and(|c| c.eq_ignore_ascii_case(ipa))
            })
            .unwrap_or_else(|| panic!("{username} has no membership of {ipa}: {me}"))["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = self
            .app
            .graphql_as(
                Some(&token),
                "mutation($id: ID!) { selectMembership(id: $id) { role actingAs { id } } }",
                json!({ "id": id }),
            )
            .await
            .1;
        assert_eq!(r["data"]["selectMembership"]["actingAs"]["id"], id, "{r}");
        self.tokens
            .lock()
            .unwrap()
            .insert(key.to_owned(), token.clone());
        token
    }
}

pub async fn ask(w: &World, who: Option<&str>, query: &str, variables: Value) -> Value {
    let token = match who {
        Some(username) => Some(w.token(username).await),
        None => None,
    };
    w.app.graphql_as(token.as_deref(), query, variables).await.1
}

fn plan_names(r: &Value) -> Vec<String> {
    r["data"]["application"]["plan"]
        .as_array()
        .unwrap_or_else(|| panic!("no plan in {r}"))
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

both! {
    async fn each_role_sees_exactly_its_part_of_a_plan(backend: Backend) {
        let w = world(backend).await;
        let vars = json!({ "cup": SCHOOL_CUP });
        let all = vec![
            "Servizio da definire n. 1", "Servizio da definire n. 2",
            "Servizio da definire n. 3", "Servizio da definire n. 4",
        ];
        // Whole plan: the school itself, the department, the verifier assigned.
        for who in ["scuola", "dipartimento", "asseveratore"] {
            let r = ask(&w, Some(who), PLAN, vars.clone()).await;
            assert_eq!(plan_names(&r), all, "{who}: {r}");
        }
        // The supplier: only the service contracted to it.
        let r = ask(&w, Some("fornitore"), PLAN, vars.clone()).await;
        assert_eq!(plan_names(&r), vec!["Servizio da definire n. 1"]);
        assert_eq!(r["data"]["application"]["plan"][0]["supplier"]["vatNumber"], "01234567897");
        // Refused, with FORBIDDEN, while the public part of the project stays readable.
        for who in [None, Some("genova"), Some("psn"), Some("altro.asseveratore")] {
            let r = ask(&w, who, PLAN, vars.clone()).await;
            assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{who:?}: {r}");
        }
    }
}

both! {
    async fn a_plan_reached_through_a_body_is_checked_the_same_way(backend: Backend) {
        let w = world(backend).await;
        let r = ask(&w, None, NESTED, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = ask(&w, Some("genova"), NESTED, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        let r = ask(&w, Some("scuola"), NESTED, json!({})).await;
        assert_eq!(r["data"]["administration"]["applications"][0]["plan"].as_array().unwrap().len(), 4, "{r}");
    }
}

both! {
    async fn my_projects_lists_what_each_actor_works_on(backend: Backend) {
        let w = world(backend).await;
        let cups = |r: &Value| -> Vec<String> {
            r["data"]["myProjects"].as_array().unwrap_or_else(|| panic!("{r}"))
                .iter().map(|p| p["cup"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(cups(&ask(&w, Some("scuola"), MINE, json!({})).await), vec![SCHOOL_CUP]);
        assert_eq!(cups(&ask(&w, Some("genova"), MINE, json!({})).await), vec!["B31C22000060007"]);
        assert_eq!(cups(&ask(&w, Some("fornitore"), MINE, json!({})).await), vec![SCHOOL_CUP]);
        assert!(cups(&ask(&w, Some("psn"), MINE, json!({})).await).is_empty());
        assert_eq!(cups(&ask(&w, Some("asseveratore"), MINE, json!({})).await), vec![SCHOOL_CUP]);
        assert!(cups(&ask(&w, Some("altro.asseveratore"), MINE, json!({})).await).is_empty());
        let r = ask(&w, None, MINE, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"));
        let r = ask(&w, Some("dipartimento"), MINE, json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"));
    }
}

both! {
    async fn a_funded_project_shows_its_next_deadline(backend: Backend) {
        let w = world(backend).await;
        let r = ask(&w, None, "query($cup: String!) { application(cup: $cup) { nextDeadline { kind dueOn daysLeft } } }", json!({ "cup": SCHOOL_CUP })).await;
        // Funded 2022-09-05, contract within 9 months: 2023-06-05, long past by now.
        let d = &r["data"]["application"]["nextDeadline"];
        assert_eq!(d["kind"], "CONTRACT", "{r}");
        assert_eq!(d["dueOn"], "2023-06-05");
        assert!(d["daysLeft"].as_i64().unwrap() < 0);
    }
}
