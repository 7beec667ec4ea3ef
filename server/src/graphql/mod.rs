//! The GraphQL API: one schema, one file per operation grouped by resource.
//!
//! Every resolver returns [`ApiError`] codes, never internal messages. DataLoaders
//! are created per request (see [`with_request_data`]), so nothing is cached between
//! requests and replicas never disagree.

pub mod error;
pub mod limits;
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
pub mod delivery;
pub mod document;
pub mod import;
pub mod lifecycle;
pub mod notification;
pub mod onboarding;
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
    plan::worklists::WorklistQuery,
    plan::query::CatalogueQuery,
    qualification::query::QualificationQuery,
    deadline::query::DeadlineQuery,
    lifecycle::query::LifecycleQuery,
    notification::query::NotificationQuery,
    verification::query::VerificationQuery,
    import::query::ImportQuery,
    delivery::query::DeliveryQuery,
    onboarding::query::OnboardingQuery,
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
    document::mutation::DocumentMutation,
    delivery::mutation::DeliveryMutation,
    onboarding::mutation::OnboardingMutation,
);

/// The root of every subscription (over `GET /graphql/ws`).
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    application::subscription::ApplicationSubscription,
    plan::subscription::PlanSubscription,
);

pub type NuvolaSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Limits against abusive queries (OWASP GraphQL cheat sheet); the defaults are the
/// published maxima of [`limits`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
    pub aliases: usize,
    /// Whether introspection is on (development and demo).
    pub introspection: bool,
    /// Whether webhooks may point to private and loopback addresses (tests and
    /// development); off in production.
    pub private_webhooks: bool,
}

impl From<Limits> for limits::QueryLimits {
    fn from(limits: Limits) -> Self {
        Self {
            max_aliases: limits.aliases,
            max_depth: limits.depth,
            max_complexity: limits.complexity,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            depth: limits::MAX_DEPTH,
            complexity: limits::MAX_COMPLEXITY,
            aliases: limits::MAX_ALIASES,
            introspection: true,
            private_webhooks: true,
        }
    }
}

/// The replica's summaries ([`crate::service::summary`]) and the generation of the change
/// feed they may be served for: `None` while the feed cannot vouch for one (then every
/// read computes).
pub(crate) fn summaries<'a>(
    ctx: &async_graphql::Context<'a>,
) -> (
    &'a crate::service::summary::Summaries,
    Option<crate::service::summary::Generation>,
) {
    let feed = ctx
        .data_opt::<crate::changes::ChangeFeed>()
        .and_then(|f| f.pulse().current());
    let summaries = ctx.data_unchecked::<std::sync::Arc<crate::service::summary::Summaries>>();
    (summaries, summaries.generation(feed))
}

/// How many projects `condition` keeps, kept as a summary under `key` (see
/// [`summaries`]).
pub(crate) async fn project_count(
    ctx: &async_graphql::Context<'_>,
    key: String,
    condition: sea_orm::Condition,
) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter};
    let db = ctx.data_unchecked::<DatabaseConnection>();
    let (summaries, generation) = summaries(ctx);
    let n = summaries
        .counts
        .get(generation, key, || async {
            let n = crate::entity::application::Entity::find()
                .filter(condition)
                .count(db)
                .await?;
            Ok(i64::try_from(n).unwrap_or(i64::MAX))
        })
        .await?;
    Ok(u64::try_from(*n).unwrap_or(0))
}

/// Every call by id, kept as a summary (see [`summaries`]): the calls a page of projects
/// names are read from memory, not queried for each page.
pub(crate) async fn calls(
    ctx: &async_graphql::Context<'_>,
) -> Result<
    std::sync::Arc<std::collections::HashMap<i32, crate::entity::call::Model>>,
    sea_orm::DbErr,
> {
    use sea_orm::EntityTrait;
    let db = ctx.data_unchecked::<DatabaseConnection>();
    let (summaries, generation) = summaries(ctx);
    summaries
        .calls
        .get(generation, String::new(), || async {
            Ok(crate::entity::call::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect())
        })
        .await
}

/// The schema, with its own change feed for subscriptions (which starts listening with
/// the first subscriber).
pub fn build_schema(db: DatabaseConnection, limits: Limits) -> NuvolaSchema {
    let feed = crate::changes::ChangeFeed::new(db.clone());
    build_schema_with_feed(db, limits, feed, None, Default::default())
}

/// The schema, with the change feed the server shares with its response cache and the
/// document folder (whose files `removeDocument` deletes; without one, only the row
/// goes and the file stays, unreferenced).
pub fn build_schema_with_feed(
    db: DatabaseConnection,
    limits: Limits,
    feed: crate::changes::ChangeFeed,
    storage: Option<crate::storage::Storage>,
    summaries: std::sync::Arc<crate::service::summary::Summaries>,
) -> NuvolaSchema {
    builder(db, limits, feed, storage, summaries)
        .extension(limits::QueryLimits::from(limits))
        .finish()
}

/// The server's two schemas over the same data: the checked one, with [`limits::QueryLimits`]
/// (subscriptions run on it, and every request over HTTP is checked on it first), and the
/// same schema without any extension, which runs the requests the first one passed (see
/// [`limits::execute`]).
pub fn build_schemas(
    db: DatabaseConnection,
    limits: Limits,
    feed: crate::changes::ChangeFeed,
    storage: Option<crate::storage::Storage>,
    summaries: std::sync::Arc<crate::service::summary::Summaries>,
) -> (NuvolaSchema, limits::Unchecked) {
    let checked = build_schema_with_feed(
        db.clone(),
        limits,
        feed.clone(),
        storage.clone(),
        summaries.clone(),
    );
    let unchecked = limits::Unchecked::new(
        builder(db, limits, feed, storage, summaries)
            .validation_mode(async_graphql::ValidationMode::Fast)
            .data(application::plain::Plain)
            .finish(),
    );
    (checked, unchecked)
}

fn builder(
    db: DatabaseConnection,
    limits: Limits,
    feed: crate::changes::ChangeFeed,
    storage: Option<crate::storage::Storage>,
    summaries: std::sync::Arc<crate::service::summary::Summaries>,
) -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .data(feed)
    .data(db)
    .data(storage)
    .register_output_type::<nuvola_shared::ErrorCode>()
    .data(delivery::mutation::WebhookPolicy {
        allow_private: limits.private_webhooks,
    })
    .data(summaries)
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity);
    if !limits.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder
}

/// The schema in SDL, as checked in at `server/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .register_output_type::<nuvola_shared::ErrorCode>()
    .finish()
    .sdl()
}

/// Checks a query document against the schema, as a request would be checked before
/// it runs (parsing, every validation rule, the limits), and runs nothing: `Ok` with
/// its cost (with every `Int` variable at the largest page, 100), or the errors a
/// client would get. The front end's documents are checked
/// with it (`tests/api/documents_of_the_front_end.rs`).
pub async fn validate(document: &str) -> Result<limits::Cost, Vec<async_graphql::ServerError>> {
    let limits = Limits::default();
    let schema = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .register_output_type::<nuvola_shared::ErrorCode>()
    .extension(limits::QueryLimits::from(limits))
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity)
    .finish();
    // Paged fields compute their complexity from `first`: every Int variable is given
    // the largest page, so the document is checked at its most expensive. Other
    // variables are left out (their values are the caller's; their types are checked).
    let mut variables = async_graphql::Variables::default();
    if let Ok(parsed) = async_graphql::parser::parse_query(document) {
        for (_, operation) in parsed.operations.iter() {
            for definition in &operation.node.variable_definitions {
                let ty = &definition.node.var_type.node;
                if matches!(&ty.base, async_graphql::parser::types::BaseType::Named(n) if n.as_str() == "Int")
                {
                    variables.insert(
                        definition.node.name.node.clone(),
                        async_graphql::Value::from(limits::MAX_PAGE_SIZE as i32),
                    );
                }
            }
        }
    }
    let cost = limits::CostCell::default();
    let request = async_graphql::Request::new(document)
        .variables(variables)
        .data(cost.clone())
        .data(limits::CheckOnly);
    let response = schema.execute(request).await;
    match limits::checked(&response) {
        true => cost.get().ok_or_else(|| response.errors.clone()),
        false => Err(response.errors),
    }
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
