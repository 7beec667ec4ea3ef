use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use nuvola_shared::api::{ApplicationFilter, ParsedFilter};
use sea_orm::DatabaseConnection;

use crate::entity::{administration, application, call, planned_service};
use crate::graphql::administration::object::Administration;
use crate::graphql::call::object::Call;
use crate::graphql::deadline::object::OverdueMark;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::lifecycle::object::HistoryEvent;
use crate::graphql::loaders::Loaders;
use crate::graphql::pagination;
use crate::graphql::plan::object::{NextDeadline, PlannedService};
use crate::graphql::scalars::Date;
use crate::graphql::viewer::viewer;
use crate::service;
use crate::service::access::{self, PlanScope};
use nuvola_shared::{NextDeadlineKind, OpenDataState};

/// A funded application (*candidatura*), a project once funded. Identified by its CUP
/// and its call: the same CUP may appear in two calls.
pub struct Application(pub application::Model, Preloaded);

/// What a page of projects read along with its nodes: a node answers `administration`
/// and `call` from it, without a round through the request's loaders.
#[derive(Default)]
pub struct Preloaded {
    body: Option<administration::Model>,
    calls: Option<Arc<HashMap<i32, call::Model>>>,
}

impl From<application::Model> for Application {
    fn from(model: application::Model) -> Self {
        Self(model, Preloaded::default())
    }
}

impl Application {
    /// The body the page read with the project, if it did.
    pub(super) fn preloaded_body(&self) -> Option<&administration::Model> {
        self.1.body.as_ref()
    }

    /// The project's call, from the calls the page was given, if it was.
    pub(super) fn preloaded_call(&self) -> Option<&call::Model> {
        self.1.calls.as_ref()?.get(&self.0.call_id)
    }

    /// The project's call: the one the page read with it, or through the loader.
    async fn call_model(&self, ctx: &Context<'_>) -> ApiResult<Option<call::Model>> {
        if let Some(call) = self.preloaded_call() {
            return Ok(Some(call.clone()));
        }
        let loaders = ctx.data_unchecked::<Loaders>();
        Ok(loaders.call.load_one(self.0.call_id).await?)
    }
}

#[Object]
impl Application {
    /// The national project code (*CUP*), 15 characters.
    async fn cup(&self) -> &str {
        &self.0.cup
    }

    /// The lump sum granted, in whole euros.
    async fn amount_eur(&self) -> i64 {
        self.0.amount_eur
    }

    /// The state of the project.
    async fn state(&self) -> ApiResult<nuvola_shared::ApplicationState> {
        nuvola_shared::ApplicationState::parse(&self.0.state).map_err(ApiError::internal)
    }

    /// The state as the open data writes it: `A` funded, `R` renounced or revoked,
    /// `E` paid; null while only submitted.
    async fn open_data_state(&self) -> Option<OpenDataState> {
        nuvola_shared::ApplicationState::parse(&self.0.state)
            .ok()
            .and_then(|s| s.open_data())
    }

    /// The date of the funding decree (*data finanziamento*).
    async fn funded_on(&self) -> Option<Date> {
        self.0.funded_on.map(Date)
    }

    /// When the application was sent (*data invio candidatura*).
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }

    /// The time window (*finestra temporale*) in which it was decreed.
    async fn time_window(&self) -> Option<i32> {
        self.0.time_window
    }

    /// The protocol number of the funding decree.
    async fn protocol_number(&self) -> Option<i32> {
        self.0.protocol_number
    }

    /// The reference of the funding decree, where published.
    async fn decree(&self) -> Option<&str> {
        self.0.decree_ref.as_deref()
    }

    /// The public body that applied.
    async fn administration(&self, ctx: &Context<'_>) -> ApiResult<Administration> {
        if let Some(body) = &self.1.body {
            return Ok(Administration(body.clone()));
        }
        let loaders = ctx.data_unchecked::<Loaders>();
        loaders
            .administration
            .load_one(self.0.administration_id)
            .await?
            .map(Administration)
            .ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!(
                    "application {} has no administration",
                    self.0.id
                ))
            })
    }

    /// The call it applied to.
    async fn call(&self, ctx: &Context<'_>) -> ApiResult<Call> {
        self.call_model(ctx).await?.map(Call).ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("application {} has no call", self.0.id))
        })
    }

    /// The supplier contracts (CIG, amount, date, document, services), oldest first, each
    /// with its versions. Not public: the administration that owns the project, the
    /// department and the verifier assigned see all of them; a supplier sees its own;
    /// anyone else is refused with FORBIDDEN.
    async fn contracts(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::graphql::plan::object::SupplierContract>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let listed = service::contract::list(db, viewer(ctx).principal(), &self.0).await?;
        Ok(listed
            .into_iter()
            .map(
                |(contract, versions)| crate::graphql::plan::object::SupplierContract {
                    contract,
                    versions,
                },
            )
            .collect())
    }

    /// The migration plan. Not public: the administration that owns the project, the
    /// department and the verifier assigned see all of it; a supplier sees only the
    /// services contracted to it; anyone else is refused with FORBIDDEN.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Vec<PlannedService>> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let scope = access::plan_scope(viewer(ctx).principal(), &self.0);
        let mut query = planned_service::Entity::find()
            .filter(planned_service::Column::ApplicationId.eq(self.0.id))
            .order_by_asc(planned_service::Column::Id);
        match scope {
            PlanScope::Whole => {}
            PlanScope::SupplierServices(supplier_id) => {
                query = query.filter(planned_service::Column::SupplierId.eq(supplier_id));
            }
            PlanScope::Nothing => {
                return Err(ApiError::Forbidden(
                    "the migration plan is visible only to the administration, its suppliers, its verifier and the department".to_owned(),
                ))
            }
        }
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let services = query.all(db).await?;
        if services.is_empty() && matches!(scope, PlanScope::SupplierServices(_)) {
            return Err(ApiError::Forbidden(
                "no service of this project is contracted to your organisation".to_owned(),
            ));
        }
        Ok(services.into_iter().map(PlannedService).collect())
    }

    /// Increases with every change of the project; send it back with a life-cycle
    /// mutation (a stale one gets CONFLICT).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Why the project was renounced or revoked. Not public: the administration, the
    /// department and the verifier assigned.
    async fn state_reason(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        whole_project(ctx, &self.0, "the reason")?;
        Ok(self.0.state_reason.as_deref())
    }

    /// The administration's pending request to renounce the funding, if any: when it
    /// was made and why. Not public: the administration, the department and the
    /// verifier assigned.
    async fn renunciation_request(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<RenunciationRequest>> {
        whole_project(ctx, &self.0, "the request of renunciation")?;
        Ok(self
            .0
            .renunciation_requested_at
            .map(|requested_at| RenunciationRequest {
                requested_at,
                reason: self.0.renunciation_reason.clone().unwrap_or_default(),
            }))
    }

    /// The technical conformity outcome, once recorded. Not public: the administration,
    /// the department and the verifier assigned.
    async fn verification_outcome(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<nuvola_shared::VerificationOutcome>> {
        whole_project(ctx, &self.0, "the verification outcome")?;
        Ok(self
            .0
            .verification_outcome
            .as_deref()
            .and_then(|o| nuvola_shared::VerificationOutcome::parse(o).ok()))
    }

    /// The project's history (its audit events), newest first: `first` (at most 500)
    /// events older than the event `before`. Not public: the department, the
    /// administration and the verifier read all of it; a supplier only the events of
    /// its own services.
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] first: i32,
        before: Option<ID>,
    ) -> ApiResult<Vec<HistoryEvent>> {
        let before = match before {
            Some(id) => Some(
                id.parse::<i32>()
                    .map_err(|_| ApiError::invalid("before", "not the id of an event"))?,
            ),
            None => None,
        };
        let first = u64::try_from(first)
            .ok()
            .filter(|n| (1..=service::history::MAX_EVENTS).contains(n))
            .ok_or_else(|| ApiError::invalid("first", "ask for 1 to 500 events"))?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let events =
            service::history::project_history(db, viewer(ctx).principal(), &self.0, first, before)
                .await
                .map_err(|e| match e {
                    service::history::HistoryError::Forbidden => ApiError::Forbidden(e.to_string()),
                    service::history::HistoryError::Db(e) => ApiError::internal(e),
                })?;
        let mut subjects = service::history::subjects(db, &events).await?;
        Ok(events
            .into_iter()
            .map(|e| {
                let subject = subjects.remove(&e.id);
                HistoryEvent::new(e, subject)
            })
            .collect())
    }

    /// The verifier's document requests on this project, open first. The department,
    /// the administration that owns the project and the verifier assigned only;
    /// anyone else is refused with FORBIDDEN.
    async fn verification_requests(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::graphql::verification::object::VerificationRequest>> {
        crate::graphql::verification::object::requests_of(ctx, &self.0).await
    }

    /// The verifier's checklist, one outcome per planned service and item. Visible as
    /// `verificationRequests`.
    async fn checklist(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::graphql::verification::object::VerificationCheck>> {
        crate::graphql::verification::object::checklist_of(ctx, &self.0).await
    }

    /// The project's documents (metadata; download each at its `downloadUrl`). Never
    /// public: the department, the owner and the verifier assigned see them all, a
    /// supplier only the EVIDENCE of its own services; anyone else gets FORBIDDEN.
    async fn documents(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::graphql::document::object::Document>> {
        crate::graphql::verification::object::documents_of(ctx, &self.0).await
    }

    /// What the project must do next and by when, from the rules of its call: the
    /// supplier contract while FUNDED, the completion while CONTRACTED or MIGRATING.
    /// For those who see the whole project (the administration, its verifier, the
    /// department), an OPEN verification request's due date counts too
    /// (`VERIFICATION_REQUEST`): the earliest of them is shown. Null when nothing is due.
    async fn next_deadline(&self, ctx: &Context<'_>) -> ApiResult<Option<NextDeadline>> {
        let state =
            nuvola_shared::ApplicationState::parse(&self.0.state).map_err(ApiError::internal)?;
        let Some(call) = self.call_model(ctx).await? else {
            return Ok(None);
        };
        let loaders = ctx.data_unchecked::<Loaders>();
        let today = chrono::Utc::now().date_naive();
        let of_call = service::deadlines::call_rule(&call)
            .next_due(state, self.0.funded_on, self.0.contract_on)
            .map(|due| (NextDeadlineKind::from(due.kind), due.due_on));
        // An open verification request is answered by its due date, "pena la decadenza
        // del finanziamento": a deadline like the call's, for those who see requests.
        let of_request = if matches!(
            access::plan_scope(viewer(ctx).principal(), &self.0),
            PlanScope::Whole
        ) {
            loaders
                .open_request_due
                .load_one(self.0.id)
                .await?
                .map(|due| (NextDeadlineKind::VerificationRequest, due))
        } else {
            None
        };
        Ok(of_call
            .into_iter()
            .chain(of_request)
            .min_by_key(|(_, due)| *due)
            .map(|(kind, due)| NextDeadline::new(kind, due, today)))
    }

    /// When someone working on the project first reported its progress in Nuvola (its
    /// plan, contract, services, state, a request of renunciation...); null while Nuvola
    /// knows only what the open data says (an import is not news of progress). With an
    /// `overdue` mark and no progress reported, the project's status is *avanzamento non
    /// comunicato*: its call's rules say something was due and nobody has told Nuvola
    /// whether it was done. Such projects are counted apart from those really late
    /// (`dashboard.progressNotReportedCount`, `overdueProjects(progressReported:)`).
    async fn progress_reported_at(&self) -> Option<DateTime<Utc>> {
        self.0.progress_reported_at
    }

    /// The deadline the project has missed and still owes, as the deadline checker
    /// recorded it; null when none. Public, like the deadlines it derives from. Once
    /// the obligation is met (the contract recorded, the completion declared) it is
    /// null at once. See `progressReportedAt` for whether the project is really late.
    async fn overdue(&self) -> Option<OverdueMark> {
        service::deadlines::standing_mark(&self.0).map(|mark| OverdueMark {
            mark,
            today: chrono::Utc::now().date_naive(),
        })
    }
}

/// Refuses `what` of a project unless the viewer sees the whole project.
fn whole_project(ctx: &Context<'_>, project: &application::Model, what: &str) -> ApiResult<()> {
    match access::plan_scope(viewer(ctx).principal(), project) {
        PlanScope::Whole => Ok(()),
        _ => Err(ApiError::Forbidden(format!(
            "{what} is visible only to the administration, its verifier and the department"
        ))),
    }
}

/// Which applications to list. Every criterion is optional; they combine with AND.
#[derive(InputObject, Default, Debug, Clone)]
#[graphql(name = "ApplicationFilter")]
pub struct ApplicationFilterInput {
    /// The region's name as the open data writes it: "Lombardia", "Emilia-Romagna",
    /// "Trentino-Alto Adige/Südtirol".
    pub region: Option<String>,
    /// The exact title of a call.
    pub call_title: Option<String>,
    /// A code of `AdministrationType` (COMUNE, SCUOLA, ASL_AO, PROVINCIA,
    /// CITTA_METROPOLITANA, ALTRO) or the open data's label ("Comune", "Scuole", "Altri
    /// Enti"). A String, not the enum, because the published contract fixes it.
    pub administration_type: Option<String>,
    pub state: Option<nuvola_shared::ApplicationState>,
}

impl ApplicationFilterInput {
    /// Parses with the same rules the browser uses.
    pub fn parse(self) -> ApiResult<ParsedFilter> {
        let filter = ApplicationFilter {
            region: self.region,
            call_title: self.call_title,
            administration_type: self.administration_type,
            state: self.state,
        };
        filter.parse().map_err(|e| {
            let field = match e.field {
                "region" => "filter.region",
                "call title" => "filter.callTitle",
                _ => "filter.administrationType",
            };
            ApiError::from_parse(field, e)
        })
    }
}

/// A page of applications (Relay cursor connection).
pub struct ApplicationConnection {
    pub filter: ParsedFilter,
    pub edges: Vec<ApplicationEdge>,
    pub has_next: bool,
    pub has_previous: bool,
}

impl ApplicationConnection {
    /// The page's edges, each node carrying its body (when the page read them) and the
    /// calls (when given): the cost of a page does not depend on how its nodes resolve.
    pub fn new(
        filter: ParsedFilter,
        page: service::applications::Page,
        calls: Option<Arc<HashMap<i32, call::Model>>>,
        has_previous: bool,
    ) -> Self {
        let mut bodies = page.bodies.map(Vec::into_iter);
        let edges = page
            .items
            .into_iter()
            .map(|a| ApplicationEdge {
                cursor: encode_cursor(a.id),
                node: Application(
                    a,
                    Preloaded {
                        body: bodies.as_mut().and_then(Iterator::next),
                        calls: calls.clone(),
                    },
                ),
            })
            .collect();
        Self {
            filter,
            edges,
            has_next: page.has_next,
            has_previous,
        }
    }
}

#[Object]
impl ApplicationConnection {
    /// How many applications match the filter, across all pages. A summary each server
    /// keeps per filter and refreshes from its change feed: it reflects every commit at
    /// most 1 second old (usually within milliseconds).
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let (summaries, generation) = crate::graphql::summaries(ctx);
        let key = format!("applications|{:?}", self.filter);
        Ok(*summaries
            .counts
            .get(generation, key, || {
                service::applications::count(db, &self.filter)
            })
            .await?)
    }

    async fn edges(&self) -> super::plain::Edges<'_> {
        super::plain::Edges(&self.edges)
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.has_next,
            has_previous_page: self.has_previous,
            start_cursor: self.edges.first().map(|e| e.cursor.clone()),
            end_cursor: self.edges.last().map(|e| e.cursor.clone()),
        }
    }
}

/// One application of a page, with its cursor.
pub struct ApplicationEdge {
    pub(super) cursor: String,
    pub(super) node: Application,
}

#[Object]
impl ApplicationEdge {
    /// Pass it as `after` to get the applications that follow this one.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> &Application {
        &self.node
    }
}

/// Where a page sits in the whole list.
#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    /// True when the page was asked for with `after`.
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

const CURSOR_PREFIX: &str = "application:";

pub fn encode_cursor(id: i32) -> String {
    pagination::encode_cursor(CURSOR_PREFIX, id)
}

pub fn decode_cursor(cursor: &str) -> ApiResult<i32> {
    pagination::decode_cursor(CURSOR_PREFIX, cursor, |id| id.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)).unwrap(), 42);
        assert!(decode_cursor("nope").is_err());
        assert!(
            decode_cursor(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("user:1"))
                .is_err()
        );
    }
}

/// An administration's pending request to renounce the funding (*richiesta di rinuncia*),
/// waiting for the department's decree.
#[derive(SimpleObject)]
pub struct RenunciationRequest {
    pub requested_at: DateTime<Utc>,
    /// The administration's reason.
    pub reason: String,
}
