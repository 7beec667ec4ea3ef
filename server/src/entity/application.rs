use sea_orm::entity::prelude::*;

/// An application (*candidatura*), a project once funded. Identified by (CUP, call).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub administration_id: i32,
    pub call_id: i32,
    pub cup: String,
    pub amount_eur: i64,
    /// `nuvola_shared::ApplicationState` code.
    pub state: String,
    pub submitted_at: Option<DateTimeUtc>,
    pub funded_on: Option<Date>,
    pub decree_ref: Option<String>,
    pub time_window: Option<i32>,
    pub protocol_number: Option<i32>,
    pub state_changed_on: Option<Date>,
    pub contract_on: Option<Date>,
    pub verifier_account_id: Option<i32>,
    pub verification_outcome: Option<String>,
    pub verification_outcome_at: Option<DateTimeUtc>,
    /// Why the project was renounced or revoked.
    pub state_reason: Option<String>,
    /// When the administration asked to renounce; null when no request is pending.
    /// Cleared when the department decrees it (→ RENOUNCED) or the administration
    /// withdraws it.
    pub renunciation_requested_at: Option<DateTimeUtc>,
    /// The administration's reason for the pending request of renunciation.
    pub renunciation_reason: Option<String>,
    /// Optimistic-locking version, bumped by every write.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The deadline the checker found missed (`nuvola_shared::DeadlineKind` code); null
    /// when none. Written only by `service::deadlines::check`.
    pub overdue_kind: Option<String>,
    /// The first day late: the day after the missed due date.
    pub overdue_since: Option<Date>,
    /// The row's data-quality warnings as last imported (JSON array of
    /// `service::import::QualityWarning`); null when it had none.
    pub data_quality: Option<String>,
    /// When a person first changed the project in Nuvola (its plan, contract, services,
    /// state...); null while Nuvola knows only what the open data says. A deadline
    /// missed by a project with no progress reported is "avanzamento non comunicato",
    /// counted apart from the projects that are really late.
    pub progress_reported_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::administration::Entity",
        from = "Column::AdministrationId",
        to = "super::administration::Column::Id"
    )]
    Administration,
    #[sea_orm(
        belongs_to = "super::call::Entity",
        from = "Column::CallId",
        to = "super::call::Column::Id"
    )]
    Call,
    #[sea_orm(has_many = "super::planned_service::Entity")]
    PlannedService,
}

impl Related<super::administration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Administration.def()
    }
}

impl Related<super::call::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Call.def()
    }
}

impl Related<super::planned_service::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PlannedService.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
