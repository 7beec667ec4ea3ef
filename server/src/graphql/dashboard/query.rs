use async_graphql::{Context, Object, SimpleObject};
use sea_orm::DatabaseConnection;

use crate::graphql::application::object::ApplicationFilterInput;
use crate::graphql::error::ApiResult;
use crate::graphql::scalars::Date;
use crate::service;

/// The most overdue projects the dashboard lists.
const OVERDUE_LIMIT: usize = 20;

/// The figures of the national dashboard, from one read of the applications.
#[derive(SimpleObject)]
pub struct Dashboard {
    /// The applications by region, most first.
    pub by_region: Vec<Breakdown>,
    /// The applications by call, most first.
    pub by_call: Vec<Breakdown>,
    /// The applications by type of body (COMUNE, SCUOLA, ...), most first.
    pub by_type: Vec<Breakdown>,
    /// The applications by month of their funding decree, oldest first, with how many
    /// of them have since been renounced (or revoked) and paid.
    pub monthly: Vec<MonthStats>,
    /// Distinct bodies with at least one paid project.
    pub paid_administrations: i64,
    /// The national target of measure 1.2: administrations migrated by June 2026.
    pub target_administrations: i64,
    /// How many projects are really late: the deadline checker's marks that still stand
    /// on projects that have reported progress in Nuvola, the same projects
    /// `overdueProjects(progressReported: true)` lists (see `Application.overdue`).
    pub overdue_count: i64,
    /// How many projects are past a deadline of their call's rules and have never
    /// reported progress in Nuvola (*avanzamento non comunicato*): only the open data
    /// speaks of them, so whether they are late is unknown. They are not in
    /// `overdueCount`; `overdueProjects(progressReported: false)` lists them.
    pub progress_not_reported_count: i64,
    /// The most overdue projects that reported progress, most days late first (at most
    /// 20).
    pub overdue: Vec<OverdueProject>,
}

/// The totals of one group of applications.
#[derive(SimpleObject)]
pub struct Breakdown {
    /// The region's name, the call's title or the type of body's code.
    pub key: String,
    pub applications: i64,
    pub amount_eur: f64,
    /// Distinct bodies.
    pub administrations: i64,
}

/// The applications funded in one month.
#[derive(SimpleObject)]
pub struct MonthStats {
    /// `YYYY-MM`.
    pub month: String,
    pub funded: i64,
    pub amount_eur: f64,
    /// Of those funded that month, renounced or revoked since.
    pub renounced: i64,
    /// Of those funded that month, paid since.
    pub paid: i64,
}

/// A project past its next deadline.
#[derive(SimpleObject)]
pub struct OverdueProject {
    pub cup: String,
    pub administration: String,
    pub region: String,
    pub call_title: String,
    pub state: nuvola_shared::ApplicationState,
    /// The deadline it missed.
    pub kind: nuvola_shared::DeadlineKind,
    pub due_on: Date,
    pub days_late: i64,
}

#[derive(Default)]
pub struct DashboardQuery;

#[Object]
impl DashboardQuery {
    /// The national dashboard of the applications that match the filter: breakdowns by
    /// region, call, type of body and month of funding, bodies paid, overdue projects.
    /// Aggregates of open data: anyone may read them.
    ///
    /// Freshness: the figures are a summary each server keeps and refreshes from its
    /// change feed; they reflect every commit at most 1 second old (usually within
    /// milliseconds). Only what is asked is computed: `targetAdministrations` alone reads
    /// nothing.
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        filter: Option<ApplicationFilterInput>,
    ) -> ApiResult<Dashboard> {
        let filter = filter.unwrap_or_default().parse()?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let today = chrono::Utc::now().date_naive();
        let asked = ctx.look_ahead();
        let computed = [
            "byRegion",
            "byCall",
            "byType",
            "monthly",
            "paidAdministrations",
            "overdueCount",
            "progressNotReportedCount",
            "overdue",
        ]
        .iter()
        .any(|f| asked.field(f).exists());
        let d = if !computed {
            std::sync::Arc::new(service::dashboard::Dashboard::default())
        } else {
            let (summaries, generation) = crate::graphql::summaries(ctx);
            let key = format!("{filter:?}|{today}|{OVERDUE_LIMIT}");
            summaries
                .dashboard
                .get(generation, key, || {
                    service::dashboard::compute(db, &filter, today, OVERDUE_LIMIT)
                })
                .await?
        };
        let d = (*d).clone();
        let breakdown = |groups: Vec<service::dashboard::Group>| {
            groups
                .into_iter()
                .map(|g| Breakdown {
                    key: g.key,
                    applications: g.applications,
                    amount_eur: g.amount_eur as f64,
                    administrations: g.administrations,
                })
                .collect()
        };
        Ok(Dashboard {
            by_region: breakdown(d.by_region),
            by_call: breakdown(d.by_call),
            by_type: breakdown(d.by_type),
            monthly: d
                .monthly
                .into_iter()
                .map(|m| MonthStats {
                    month: m.month,
                    funded: m.funded,
                    amount_eur: m.amount_eur as f64,
                    renounced: m.renounced,
                    paid: m.paid,
                })
                .collect(),
            paid_administrations: d.paid_administrations,
            target_administrations: i64::from(nuvola_shared::NATIONAL_TARGET_ADMINISTRATIONS),
            overdue_count: d.overdue_count,
            progress_not_reported_count: d.progress_not_reported_count,
            overdue: d
                .overdue
                .into_iter()
                .map(|o| OverdueProject {
                    cup: o.cup,
                    administration: o.administration,
                    region: o.region,
                    call_title: o.call,
                    state: o.state,
                    kind: o.kind,
                    due_on: Date(o.due_on),
                    days_late: o.days_late,
                })
                .collect(),
        })
    }
}
