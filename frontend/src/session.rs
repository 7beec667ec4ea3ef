//! Who is using the application. The login mutation sets an HttpOnly session cookie
//! that scripts never see; the SPA asks `me` who that is, and routes by role. The
//! server enforces every permission anyway: the role only chooses pages.

use leptos::prelude::*;
use nuvola_shared::Role;
use serde::Deserialize;
use serde_json::json;

use crate::api::{self, ApiError};

const ACCOUNT_FIELDS: &str = "username displayName role supplierVat administration { ipaCode name } actingAs { id role organisationName } memberships { id role organisationName }";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub supplier_vat: Option<String>,
    pub administration: Option<AdministrationRef>,
    /// The membership this session acts for; none until the person picks one.
    pub acting_as: Option<MembershipRef>,
    /// Every organisation the person may act for.
    pub memberships: Vec<MembershipRef>,
}

/// An organisation the person may act for, and the role in it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipRef {
    pub id: String,
    pub role: Role,
    pub organisation_name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdministrationRef {
    pub ipa_code: String,
    pub name: String,
}

impl Me {
    /// The name to show: the body or company it acts for, else the username.
    pub fn shown_name(&self) -> String {
        self.administration
            .as_ref()
            .map(|a| a.name.clone())
            .or_else(|| {
                // With several memberships, the organisation picked says who acts.
                (self.memberships.len() > 1)
                    .then(|| self.acting_as.as_ref().map(|m| m.organisation_name.clone()))
                    .flatten()
            })
            .or_else(|| self.display_name.clone())
            .unwrap_or_else(|| self.username.clone())
    }

    /// Whether the person must pick an organisation before acting.
    pub fn must_choose(&self) -> bool {
        self.acting_as.is_none()
    }

    /// Where to go after login, or after picking: the organisation picker while none is
    /// picked, else the role's home page.
    pub fn landing(&self) -> &'static str {
        if self.memberships.is_empty() {
            // Nobody to act for yet: ask for access (onboarding).
            REQUEST_ACCESS_PATH
        } else if self.must_choose() {
            CHOOSE_PATH
        } else {
            home_of(self.role)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// Still asking the server.
    Loading,
    Anonymous,
    /// Logged out in this tab: reserved pages say so instead of sending to the login.
    LoggedOut,
    User(Me),
}

/// The session of this tab, shared through the context.
#[derive(Debug, Clone, Copy)]
pub struct Session(pub RwSignal<SessionState>);

impl Session {
    /// Creates the session, provides it to every page and asks the server who we are.
    pub fn provide() -> Session {
        let session = Session(RwSignal::new(SessionState::Loading));
        provide_context(session);
        leptos::task::spawn_local(async move { session.refresh().await });
        session
    }

    /// Asks the server again who we are (after a change of memberships: an accepted
    /// invitation, an approved request).
    pub async fn refresh(&self) {
        #[derive(Deserialize)]
        struct Data {
            me: Option<Me>,
        }
        let state = match api::query::<Data>(
            &format!("query Me {{ me {{ {ACCOUNT_FIELDS} }} }}"),
            json!({}),
        )
        .await
        {
            Ok(Data { me: Some(me) }) => SessionState::User(me),
            _ => SessionState::Anonymous,
        };
        self.0.set(state);
    }

    pub fn user(&self) -> Option<Me> {
        match self.0.get() {
            SessionState::User(me) => Some(me),
            _ => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.0.with(|s| match s {
            SessionState::User(me) => Some(me.role),
            _ => None,
        })
    }

    pub async fn login(&self, username: String, password: String) -> Result<Me, ApiError> {
        #[derive(Deserialize)]
        struct Data {
            login: Login,
        }
        #[derive(Deserialize)]
        struct Login {
            account: Me,
        }
        let document = format!(
            "mutation Login($username: String!, $password: String!) {{ login(username: $username, password: $password) {{ account {{ {ACCOUNT_FIELDS} }} }} }}"
        );
        let data: Data = api::query(
            &document,
            json!({ "username": username, "password": password }),
        )
        .await?;
        self.0.set(SessionState::User(data.login.account.clone()));
        Ok(data.login.account)
    }

    /// Makes the session act for one of the person's memberships (the first pick or a
    /// switch); the server records it on the session.
    pub async fn select(&self, membership: String) -> Result<Me, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            select_membership: Me,
        }
        let document = format!(
            "mutation SelectMembership($id: ID!) {{ selectMembership(id: $id) {{ {ACCOUNT_FIELDS} }} }}"
        );
        let data: Data = api::query(&document, json!({ "id": membership })).await?;
        self.0
            .set(SessionState::User(data.select_membership.clone()));
        Ok(data.select_membership)
    }

    pub async fn logout(&self) {
        // Whatever the server says, this tab forgets the user.
        let _ = api::query::<serde_json::Value>("mutation Logout { logout }", json!({})).await;
        self.0.set(SessionState::LoggedOut);
    }
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session(RwSignal::new(SessionState::Anonymous)))
}

/// The organisation picker ("Seleziona l'ente per cui operare").
pub const CHOOSE_PATH: &str = "/scegli-ente";

/// Where a person who acts for nobody asks for access (onboarding).
pub const REQUEST_ACCESS_PATH: &str = "/richiedi-accesso";

/// The home page of each role.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Administration => "/amministrazione",
        Role::Supplier | Role::Psn => "/fornitore",
        Role::Department => "/dipartimento",
        Role::Verifier => "/asseveratore",
        Role::Public => "/",
    }
}
