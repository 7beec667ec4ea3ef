use async_graphql::{Context, Object, SimpleObject};
use sea_orm::DatabaseConnection;

use crate::graphql::application::object::ApplicationFilterInput;
use crate::graphql::error::{ApiError, ApiResult};
use crate::service;

/// Totals of the applications that match a filter.
#[derive(SimpleObject)]
pub struct Stats {
    /// How many applications.
    pub applications: i64,
    /// Their total amount, in euros.
    pub amount_eur: f64,
    /// How many distinct bodies they belong to.
    pub administrations: i64,
    /// The same totals for each state that has applications.
    pub by_state: Vec<StateStats>,
}

/// Totals of the applications in one state.
#[derive(SimpleObject)]
pub struct StateStats {
    pub state: nuvola_shared::ApplicationState,
    pub applications: i64,
    pub amount_eur: f64,
}

#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Totals of the applications that match the filter (all of them without one).
    ///
    /// Freshness: a summary each server keeps and refreshes from its change feed; it
    /// reflects every commit at most 1 second old (usually within milliseconds).
    async fn stats(
        &self,
        ctx: &Context<'_>,
        filter: Option<ApplicationFilterInput>,
    ) -> ApiResult<Stats> {
        let filter = filter.unwrap_or_default().parse()?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let (summaries, generation) = crate::graphql::summaries(ctx);
        let totals = summaries
            .totals
            .get(generation, format!("{filter:?}"), || {
                service::applications::totals(db, &filter)
            })
            .await?;
        let mut by_state = totals
            .by_state
            .iter()
            .map(|(state, n, amount)| {
                let state =
                    nuvola_shared::ApplicationState::parse(state).map_err(ApiError::internal)?;
                Ok(StateStats {
                    state,
                    applications: *n,
                    amount_eur: *amount as f64,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        by_state.sort_by_key(|s| s.state);
        Ok(Stats {
            applications: totals.applications,
            amount_eur: totals.amount_eur as f64,
            administrations: totals.administrations,
            by_state,
        })
    }
}
