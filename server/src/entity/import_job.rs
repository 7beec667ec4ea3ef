use sea_orm::entity::prelude::*;

/// An import the department started in the web application: its files are uploaded,
/// previewed (a dry run), confirmed, then run in the background by one replica at a time
/// (`service::import_job`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_job")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `service::import_job::JobStatus` code.
    pub status: String,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    /// The dry run's report (JSON).
    pub preview: Option<String>,
    pub queued_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub heartbeat_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub progress_done: i32,
    pub progress_total: i32,
    pub phase: Option<String>,
    /// The run's report (JSON).
    pub result: Option<String>,
    pub error: Option<String>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::import_job_file::Entity")]
    File,
}

impl Related<super::import_job_file::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::File.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
