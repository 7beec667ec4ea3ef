use sea_orm::entity::prelude::*;

/// A person's request to act for an organisation: an administration (by IPA code), a
/// known supplier, or a supplier registered by the request (VAT number, name, address).
/// The department approves it (the membership, and the supplier for a new one, are
/// made in the same transaction) or rejects it with a reason.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "onboarding_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    /// ADMINISTRATION or SUPPLIER.
    pub kind: String,
    pub role: String,
    pub administration_id: Option<i32>,
    pub supplier_id: Option<i32>,
    pub supplier_vat: Option<String>,
    pub supplier_name: Option<String>,
    pub supplier_email: Option<String>,
    /// `ADMINISTRATION:<id>` or `SUPPLIER:<vat>`.
    pub organisation_key: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// PENDING, APPROVED, REJECTED, EXPIRED or WITHDRAWN.
    pub state: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub decided_by: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
    pub reminded_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
