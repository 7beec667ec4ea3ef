use async_graphql::{Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::entity::{assessment, event};
use crate::graphql::scalars::Date;

/// One version of a planned service's assessment questionnaire. Every version is kept.
pub struct Assessment(pub assessment::Model);

#[Object]
impl Assessment {
    /// 1 for the first questionnaire, then one more for each update.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The application that delivers the service.
    async fn application_name(&self) -> Option<&str> {
        self.0.application_name.as_deref()
    }
    async fn cpu_cores(&self) -> Option<i32> {
        self.0.cpu_cores
    }
    async fn memory_gb(&self) -> Option<i32> {
        self.0.memory_gb
    }
    async fn storage_gb(&self) -> Option<i32> {
        self.0.storage_gb
    }
    /// How many people use the service.
    async fn users(&self) -> Option<i32> {
        self.0.users
    }
    /// Where the service will run, in words.
    async fn destination(&self) -> Option<&str> {
        self.0.destination.as_deref()
    }
    async fn provider_activated_on(&self) -> Option<Date> {
        self.0.provider_activated_on.map(Date)
    }
    async fn migration_started_on(&self) -> Option<Date> {
        self.0.migration_started_on.map(Date)
    }
    async fn go_live_on(&self) -> Option<Date> {
        self.0.go_live_on.map(Date)
    }
    /// When this version was submitted.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One event of a project's history (the audit log): who did what, when, before and
/// after. Not public.
#[derive(SimpleObject)]
pub struct HistoryEvent {
    pub id: ID,
    pub at: DateTime<Utc>,
    /// What happened.
    pub action: nuvola_shared::EventKind,
    /// What it happened to: the project (APPLICATION), a PLANNED_SERVICE, a DOCUMENT…
    pub entity_type: nuvola_shared::EntityType,
    pub entity_id: String,
    /// What it happened to, in words: the planned service's name, the document's file
    /// name, the verifier's request's title, the contract's CIG; null for the project
    /// itself.
    pub subject: Option<String>,
    /// The actor's role, or SYSTEM for the server's own jobs and commands.
    pub actor_role: nuvola_shared::ActorRole,
    /// The actor's username (or the command).
    pub actor_name: Option<String>,
    /// The changed values before, as a JSON object.
    pub before: Option<String>,
    /// The changed values after, as a JSON object.
    pub after: Option<String>,
}

impl HistoryEvent {
    /// The event, with what it is about (`service::history::subjects`).
    pub fn new(e: event::Model, subject: Option<String>) -> Self {
        Self {
            subject,
            id: ID(e.id.to_string()),
            at: e.occurred_at,
            action: nuvola_shared::EventKind::from_stored(&e.action),
            entity_type: nuvola_shared::EntityType::from_stored(&e.entity_type),
            entity_id: e.entity_id,
            // Written by this code from a role or SYSTEM; anything else was the server.
            actor_role: nuvola_shared::ActorRole::parse(&e.actor_role)
                .unwrap_or(nuvola_shared::ActorRole::System),
            actor_name: e.actor_name,
            before: e.before_json,
            after: e.after_json,
        }
    }
}
