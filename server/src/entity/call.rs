use sea_orm::entity::prelude::*;

/// A call for applications (*avviso*) and its deadline rules.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub title: String,
    pub measure: Option<String>,
    pub target_types: Option<String>,
    pub opens_on: Option<Date>,
    pub closes_on: Option<Date>,
    pub status: Option<String>,
    pub budget_eur: Option<i64>,
    pub measure_budget_eur: Option<i64>,
    /// e.g. "9 months"; parsed with `nuvola_shared::Term::parse`.
    pub contract_term: Option<String>,
    pub completion_term: Option<String>,
    pub completion_from: String,
    pub hard_cap: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic-locking version, bumped when the department changes the terms.
    pub version: i32,
    /// Days before a deadline at which reminders go (`30,7,1`); none: the default.
    pub reminder_days: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::application::Entity")]
    Application,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
