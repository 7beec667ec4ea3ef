use sea_orm::entity::prelude::*;

/// One version of the assessment questionnaire of a planned service.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub planned_service_id: i32,
    pub version: i32,
    pub application_name: Option<String>,
    pub cpu_cores: Option<i32>,
    pub memory_gb: Option<i32>,
    pub storage_gb: Option<i32>,
    pub users: Option<i32>,
    pub destination: Option<String>,
    pub provider_activated_on: Option<Date>,
    pub migration_started_on: Option<Date>,
    pub go_live_on: Option<Date>,
    pub submitted_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
