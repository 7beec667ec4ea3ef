//! The national dashboard in one pass: the applications a filter keeps, broken down by
//! region, call, type of body and month of the funding decree, the bodies paid, and
//! the projects the deadline checker marked overdue.
//!
//! One read of the filtered applications (about 13,000 rows for the whole country) and
//! of the bodies and calls they point to, aggregated here: the same code on SQLite and
//! PostgreSQL, and the dashboard's page costs one GraphQL round trip.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use nuvola_shared::api::ParsedFilter;
use nuvola_shared::{ApplicationState, DeadlineKind, Overdue as Mark};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect};

use crate::entity::{administration, application, call};
use crate::service::applications::filtered;

/// Totals of one group (a region, a call, a type of body).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group {
    pub key: String,
    pub applications: i64,
    pub amount_eur: i64,
    pub administrations: i64,
}

/// The projects funded in one month, and what has become of them since.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Month {
    /// `YYYY-MM` of the funding decree.
    pub month: String,
    pub funded: i64,
    pub amount_eur: i64,
    /// Of those, renounced or revoked since.
    pub renounced: i64,
    /// Of those, paid since.
    pub paid: i64,
}

/// A project past its next deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct Overdue {
    pub application_id: i32,
    pub cup: String,
    pub administration: String,
    pub region: String,
    pub call: String,
    pub state: ApplicationState,
    /// CONTRACT or COMPLETION.
    pub kind: nuvola_shared::DeadlineKind,
    pub due_on: NaiveDate,
    pub days_late: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dashboard {
    pub by_region: Vec<Group>,
    pub by_call: Vec<Group>,
    pub by_type: Vec<Group>,
    pub monthly: Vec<Month>,
    /// Distinct bodies with at least one paid project.
    pub paid_administrations: i64,
    /// How many projects are past their next deadline and have reported progress in
    /// Nuvola: really late.
    pub overdue_count: i64,
    /// How many projects are past their next deadline by the rules of their call with no
    /// progress ever reported in Nuvola ("avanzamento non comunicato"): only the open
    /// data speaks of them, so nobody can say whether they are late.
    pub progress_not_reported_count: i64,
    /// The most overdue projects first, at most `overdue_limit`.
    pub overdue: Vec<Overdue>,
}

#[derive(Default)]
struct Acc {
    applications: i64,
    amount_eur: i64,
    bodies: HashSet<i32>,
}

impl Acc {
    fn add(&mut self, body: i32, amount: i64) {
        self.applications += 1;
        self.amount_eur += amount;
        self.bodies.insert(body);
    }
}

fn groups(map: HashMap<String, Acc>) -> Vec<Group> {
    let mut out: Vec<Group> = map
        .into_iter()
        .map(|(key, a)| Group {
            key,
            applications: a.applications,
            amount_eur: a.amount_eur,
            administrations: a.bodies.len() as i64,
        })
        .collect();
    // Largest first; ties by name, so the order is stable.
    out.sort_by(|a, b| b.applications.cmp(&a.applications).then(a.key.cmp(&b.key)));
    out
}

/// The dashboard of the applications `filter` keeps, on `today`. Overdue projects are
/// the deadline checker's standing marks, the same that `overdueProjects` lists and
/// that notified the department, so the two never disagree; a mark on a project that
/// never reported progress counts apart (`progress_not_reported_count`).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn compute(
    db: &impl ConnectionTrait,
    filter: &ParsedFilter,
    today: NaiveDate,
    overdue_limit: usize,
) -> Result<Dashboard, DbErr> {
    type Row = (
        i32,
        i32,
        i32,
        String,
        i64,
        String,
        Option<NaiveDate>,
        Option<String>,
        Option<NaiveDate>,
        Option<chrono::DateTime<chrono::Utc>>,
    );
    let rows: Vec<Row> = filtered(filter)
        .select_only()
        .column(application::Column::Id)
        .column(application::Column::AdministrationId)
        .column(application::Column::CallId)
        .column(application::Column::Cup)
        .column(application::Column::AmountEur)
        .column(application::Column::State)
        .column(application::Column::FundedOn)
        .column(application::Column::OverdueKind)
        .column(application::Column::OverdueSince)
        .column(application::Column::ProgressReportedAt)
        .into_tuple()
        .all(db)
        .await?;
    let bodies: HashMap<i32, administration::Model> = administration::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let calls: HashMap<i32, call::Model> = call::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();

    let mut by_region: HashMap<String, Acc> = HashMap::new();
    let mut by_call: HashMap<String, Acc> = HashMap::new();
    let mut by_type: HashMap<String, Acc> = HashMap::new();
    let mut monthly: BTreeMap<String, Month> = BTreeMap::new();
    let mut paid_bodies: HashSet<i32> = HashSet::new();
    let mut overdue = Vec::new();
    let mut progress_not_reported_count = 0;
    for (
        id,
        body_id,
        call_id,
        cup,
        amount,
        state,
        funded_on,
        overdue_kind,
        overdue_since,
        reported,
    ) in rows
    {
        let Ok(state) = ApplicationState::parse(&state) else {
            continue;
        };
        let body = bodies.get(&body_id);
        let region = body.map_or_else(String::new, |b| b.region.clone());
        let call = calls.get(&call_id);
        by_region
            .entry(region.clone())
            .or_default()
            .add(body_id, amount);
        by_type
            .entry(body.map_or_else(String::new, |b| b.type_code.clone()))
            .or_default()
            .add(body_id, amount);
        by_call
            .entry(call.map_or_else(String::new, |c| c.title.clone()))
            .or_default()
            .add(body_id, amount);
        if state == ApplicationState::Paid {
            paid_bodies.insert(body_id);
        }
        if let Some(funded) = funded_on {
            let key = format!("{:04}-{:02}", funded.year(), funded.month());
            let m = monthly.entry(key.clone()).or_insert_with(|| Month {
                month: key,
                ..Month::default()
            });
            m.funded += 1;
            m.amount_eur += amount;
            match state {
                ApplicationState::Renounced | ApplicationState::Revoked => m.renounced += 1,
                ApplicationState::Paid => m.paid += 1,
                _ => {}
            }
        }
        // The checker's mark, if the project still owes what it missed.
        let mark = overdue_kind
            .as_deref()
            .and_then(|k| DeadlineKind::parse(k).ok())
            .zip(overdue_since)
            .map(|(kind, since)| Mark { kind, since })
            .filter(|m| m.stands_in(state));
        if mark.is_some() && reported.is_none() {
            progress_not_reported_count += 1;
        } else if let Some(mark) = mark {
            overdue.push(Overdue {
                application_id: id,
                cup,
                administration: body.map_or_else(String::new, |b| b.name.clone()),
                region,
                call: call.map_or_else(String::new, |c| c.title.clone()),
                state,
                kind: mark.kind,
                due_on: mark.due_on(),
                days_late: mark.days_late(today),
            });
        }
    }
    let overdue_count = overdue.len() as i64;
    overdue.sort_by(|a, b| {
        b.days_late
            .cmp(&a.days_late)
            .then(a.application_id.cmp(&b.application_id))
    });
    overdue.truncate(overdue_limit);
    Ok(Dashboard {
        by_region: groups(by_region),
        by_call: groups(by_call),
        by_type: groups(by_type),
        monthly: monthly.into_values().collect(),
        paid_administrations: paid_bodies.len() as i64,
        overdue_count,
        progress_not_reported_count,
        overdue,
    })
}
