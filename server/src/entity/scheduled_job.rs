use sea_orm::entity::prelude::*;

/// One row per periodic job (e.g. `deadlines`). A run updates its row first, inside its
/// transaction: the row lock makes concurrent runs (two replicas) take turns.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduled_job")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The "today" of the last run.
    pub last_run_on: Option<Date>,
    pub last_run_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
