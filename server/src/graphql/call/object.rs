use async_graphql::{Context, Object};

use crate::entity::call;
use crate::graphql::error::ApiResult;
use crate::graphql::loaders::Loaders;
use crate::graphql::scalars::Date;

/// A call for applications (*avviso*) of measure 1.2, with its deadline rules.
pub struct Call(pub call::Model);

#[Object]
impl Call {
    /// The title, as published; it identifies the call.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The measure of the PNRR the call belongs to.
    async fn measure(&self) -> Option<&str> {
        self.0.measure.as_deref()
    }

    /// Who may apply, as published (e.g. "Scuole", "ASL;Aziende Ospedaliere").
    async fn target_types(&self) -> Option<&str> {
        self.0.target_types.as_deref()
    }

    /// The day the call opened.
    async fn opens_on(&self) -> Option<Date> {
        self.0.opens_on.map(Date)
    }

    /// The day the call closed.
    async fn closes_on(&self) -> Option<Date> {
        self.0.closes_on.map(Date)
    }

    /// The budget of the call (*importo stanziato*), in euros.
    async fn budget_eur(&self) -> Option<f64> {
        self.0.budget_eur.map(|v| v as f64)
    }

    /// The term within which the supplier contract must be signed, from the funding
    /// date, e.g. "9 months"; null when the call sets none.
    async fn contract_term(&self) -> Option<&str> {
        self.0.contract_term.as_deref()
    }

    /// The term within which the migration must be completed, e.g. "18 months".
    async fn completion_term(&self) -> Option<&str> {
        self.0.completion_term.as_deref()
    }

    /// From what date the completion term runs.
    async fn completion_from(&self) -> nuvola_shared::TermStart {
        nuvola_shared::TermStart::parse(&self.0.completion_from)
            .unwrap_or(nuvola_shared::TermStart::ContractDate)
    }

    /// The call's own last day for every project, whatever the terms say; null means
    /// the programme's (31 March 2026).
    async fn hard_cap(&self) -> Option<Date> {
        self.0.hard_cap.map(Date)
    }

    /// Increases with every change of the terms; send it back to `setCallTerms`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The days before each deadline at which reminders go (set with
    /// `setCallReminders`; 30, 7 and 1 by default).
    async fn reminder_days(&self) -> Vec<i32> {
        nuvola_shared::notify::ReminderSchedule::from_stored(self.0.reminder_days.as_deref())
            .days()
            .iter()
            .map(|d| i32::try_from(*d).unwrap_or(i32::MAX))
            .collect()
    }

    /// How many applications were funded under this call.
    async fn applications(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let loaders = ctx.data_unchecked::<Loaders>();
        Ok(loaders
            .call_application_count
            .load_one(self.0.id)
            .await?
            .unwrap_or(0))
    }
}
