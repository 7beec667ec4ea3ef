//! The GraphQL API: one schema, one file per operation grouped by resource.
//!
//! Every resolver returns [`ApiError`] codes, never internal messages. DataLoaders
//! are created per request (see [`with_request_data`]), so nothing is cached between
//! requests and replicas never disagree.

pub mod error;
pub mod live;
pub mod loaders;
pub mod pagination;
pub mod scalars;
pub mod viewer;

pub mod account;
pub mod administration;
pub mod application;
pub mod call;
pub mod dashboard;
pub mod deadline;
pub mod document;
pub mod import;
pub mod lifecycle;
pub mod notification;
pub mod plan;
pub mod qualification;
pub mod stats;
pub mod verification;

use async_graphql::{MergedObject, MergedSubscription, Schema};
use sea_orm::DatabaseConnection;

pub use error::ApiError;

/// The root of every query.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    application::query::ApplicationQuery,
    administration::query::AdministrationQuery,
    call::query::CallQuery,
    stats::query::StatsQuery,
    dashboard::query::DashboardQuery,
    account::query::AccountQuery,
    plan::query::PlanQuery,
    plan::query::CatalogueQuery,
    qualification::query::QualificationQuery,
    deadline::query::DeadlineQuery,
    notification::query::NotificationQuery,
    verification::query::VerificationQuery,
    import::query::ImportQuery,
);

/// The root of every change.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    account::mutation::AccountMutation,
    plan::mutation::PlanMutation,
    deadline::mutation::DeadlineMutation,
    notification::mutation::NotificationMutation,
    lifecycle::mutation::LifecycleMutation,
    qualification::mutation::QualificationMutation,
    verification::mutation::VerificationMutation,
    import::mutation::ImportMutation,
);

/// The root of every subscription (over `GET /graphql/ws`).
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    application::subscription::ApplicationSubscription,
    plan::subscription::PlanSubscription,
);

pub type NuvolaSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Limits against abusive queries (OWASP GraphQL cheat sheet).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
    /// Whether introspection is on (development and demo).
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // 13 is what the standard introspection query of GraphQL tools needs.
            depth: 15,
            complexity: 20_000,
            introspection: true,
        }
    }
}

/// The schema, with its own change feed for subscriptions (which starts listening with
/// the first subscriber).
pub fn build_schema(db: DatabaseConnection, limits: Limits) -> NuvolaSchema {
    let feed = crate::changes::ChangeFeed::new(db.clone());
    build_schema_with_feed(db, limits, feed)
}

/// The schema, with the change feed the server shares with its response cache.
pub fn build_schema_with_feed(
    db: DatabaseConnection,
    limits: Limits,
    feed: crate::changes::ChangeFeed,
) -> NuvolaSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .data(feed)
    .data(db)
    .data(std::sync::Arc::new(
        crate::service::dashboard::Summaries::default(),
    ))
    .extension(live::SubscriptionsOnlyOverWebSocket)
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity);
    if !limits.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema in SDL, as checked in at `server/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .finish()
    .sdl()
}

/// Adds what each request needs of its own: fresh DataLoaders, who is asking, and
/// facts about the HTTP request.
pub fn with_request_data(
    request: async_graphql::Request,
    db: &DatabaseConnection,
    viewer: viewer::Viewer,
    meta: viewer::RequestMeta,
) -> async_graphql::Request {
    request
        .data(loaders::Loaders::new(db.clone()))
        .data(viewer)
        .data(meta)
}
