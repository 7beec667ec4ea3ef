//! The rows of the hottest read, a page of projects with their bodies, decoded by
//! position straight from sqlx.
//!
//! sea-orm decodes a model by column name: for every column of every row it looks the
//! name up in the row (in a join, after formatting the prefixed name, `A_cup`), and every
//! NULL of an `Option` field first builds an error message naming the column, then turns
//! it into `None`. A page of 51 projects with their bodies is over 2,000 columns: measured
//! on the national data set, that decoding was over a quarter of the server's time for
//! the public list. Here the query names its columns itself, in the order of each entity's
//! `Column` enum, and [`Positional::decode`] reads them in that order; the tests
//! (`tests/api/positional.rs`) compare every field with sea-orm's own decoding on both
//! databases, on rows where every nullable column holds a value of its own.
//!
//! The values are decoded without sqlx's check that the column's database type is one
//! the Rust type accepts (`try_get_unchecked`): that check compares type descriptions
//! for every value, and was measured at a fifth of the server's instructions for the
//! public list on the national data set. The columns and their types are the ones this
//! module names and the migrations create; the tests above prove they agree, and a value
//! that still does not decode (a NULL in a column read as not null, a short integer) is
//! an error, never a panic.

use sea_orm::sqlx::{self, postgres::Postgres, sqlite::Sqlite, Decode, Row, Type};
use sea_orm::{DbErr, EntityTrait, Iterable, QueryResult, QuerySelect, Select};

use super::{administration, application};

/// The columns of one row, read left to right.
pub struct Columns<'a> {
    row: &'a QueryResult,
    at: usize,
}

impl<'a> Columns<'a> {
    pub fn new(row: &'a QueryResult) -> Self {
        Self { row, at: 0 }
    }

    /// The next column, as `T` (an `Option` for a nullable column).
    fn next<T>(&mut self) -> Result<T, DbErr>
    where
        T: for<'r> Decode<'r, Postgres>
            + Type<Postgres>
            + for<'r> Decode<'r, Sqlite>
            + Type<Sqlite>,
    {
        let at = self.at;
        self.at += 1;
        let decoded = if let Some(row) = self.row.try_as_pg_row() {
            row.try_get_unchecked::<T, usize>(at)
        } else if let Some(row) = self.row.try_as_sqlite_row() {
            row.try_get_unchecked::<T, usize>(at)
        } else {
            return Err(DbErr::Type(
                "positional decoding reads PostgreSQL and SQLite rows only".to_owned(),
            ));
        };
        decoded.map_err(|e: sqlx::Error| DbErr::Type(format!("column {at}: {e}")))
    }
}

/// Which columns a page reads: every one, or only those its public fields answer from
/// (`graphql::application::plain`, whose fields read nothing else): a third party's page
/// then costs PostgreSQL 23 values a row to send instead of 41. In a model read at
/// [`Width::Public`] the other fields are empty (`None`, the epoch): such a page is only
/// ever answered with the plain fields, and `tests/api/plain.rs` compares its answers
/// with those of a page read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    Whole,
    Public,
}

/// A model read from consecutive columns: at [`Width::Whole`] in the order of its entity's
/// `Column` enum, at [`Width::Public`] in the order of [`Positional::public`].
pub trait Positional: Sized {
    type Entity: EntityTrait;

    /// The columns read at [`Width::Public`], in the order [`Positional::decode`] reads them.
    fn public() -> Vec<<Self::Entity as EntityTrait>::Column>;

    fn decode(columns: &mut Columns<'_>, width: Width) -> Result<Self, DbErr>;

    /// Adds the entity's columns at `width`, in the order [`Positional::decode`] reads them.
    fn select<E: EntityTrait>(select: Select<E>, width: Width) -> Select<E> {
        match width {
            Width::Whole => {
                <Self::Entity as EntityTrait>::Column::iter().fold(select, |s, c| s.column(c))
            }
            Width::Public => Self::public().into_iter().fold(select, |s, c| s.column(c)),
        }
    }
}

/// What a column not read holds in a model read at [`Width::Public`].
const NOT_READ: chrono::DateTime<chrono::Utc> = chrono::DateTime::UNIX_EPOCH;

impl Positional for application::Model {
    type Entity = application::Entity;

    fn public() -> Vec<application::Column> {
        use application::Column as C;
        vec![
            C::Id,
            C::AdministrationId,
            C::CallId,
            C::Cup,
            C::AmountEur,
            C::State,
            C::SubmittedAt,
            C::FundedOn,
            C::DecreeRef,
            C::TimeWindow,
            C::ProtocolNumber,
            C::Version,
            C::ProgressReportedAt,
        ]
    }

    fn decode(c: &mut Columns<'_>, width: Width) -> Result<Self, DbErr> {
        if width == Width::Public {
            // In the order of `public`.
            return Ok(Self {
                id: c.next()?,
                administration_id: c.next()?,
                call_id: c.next()?,
                cup: c.next()?,
                amount_eur: c.next()?,
                state: c.next()?,
                submitted_at: c.next()?,
                funded_on: c.next()?,
                decree_ref: c.next()?,
                time_window: c.next()?,
                protocol_number: c.next()?,
                version: c.next()?,
                progress_reported_at: c.next()?,
                state_changed_on: None,
                contract_on: None,
                verifier_account_id: None,
                verification_outcome: None,
                verification_outcome_at: None,
                state_reason: None,
                renunciation_requested_at: None,
                renunciation_reason: None,
                created_at: NOT_READ,
                updated_at: NOT_READ,
                overdue_kind: None,
                overdue_since: None,
                data_quality: None,
            });
        }
        // Struct fields are evaluated in the order written: the order of `Column`.
        Ok(Self {
            id: c.next()?,
            administration_id: c.next()?,
            call_id: c.next()?,
            cup: c.next()?,
            amount_eur: c.next()?,
            state: c.next()?,
            submitted_at: c.next()?,
            funded_on: c.next()?,
            decree_ref: c.next()?,
            time_window: c.next()?,
            protocol_number: c.next()?,
            state_changed_on: c.next()?,
            contract_on: c.next()?,
            verifier_account_id: c.next()?,
            verification_outcome: c.next()?,
            verification_outcome_at: c.next()?,
            state_reason: c.next()?,
            renunciation_requested_at: c.next()?,
            renunciation_reason: c.next()?,
            version: c.next()?,
            created_at: c.next()?,
            updated_at: c.next()?,
            overdue_kind: c.next()?,
            overdue_since: c.next()?,
            data_quality: c.next()?,
            progress_reported_at: c.next()?,
        })
    }
}

impl Positional for administration::Model {
    type Entity = administration::Entity;

    fn public() -> Vec<administration::Column> {
        use administration::Column as C;
        vec![
            C::Id,
            C::IpaCode,
            C::Name,
            C::TypeCode,
            C::Comune,
            C::ComuneIstat,
            C::Provincia,
            C::ProvinciaIstat,
            C::Region,
            C::RegionIstat,
        ]
    }

    fn decode(c: &mut Columns<'_>, width: Width) -> Result<Self, DbErr> {
        if width == Width::Public {
            // In the order of `public`.
            return Ok(Self {
                id: c.next()?,
                ipa_code: c.next()?,
                name: c.next()?,
                type_code: c.next()?,
                comune: c.next()?,
                comune_istat: c.next()?,
                provincia: c.next()?,
                provincia_istat: c.next()?,
                region: c.next()?,
                region_istat: c.next()?,
                ipa_key: String::new(),
                type_label: None,
                population: None,
                created_at: NOT_READ,
                updated_at: NOT_READ,
            });
        }
        Ok(Self {
            id: c.next()?,
            ipa_code: c.next()?,
            ipa_key: c.next()?,
            name: c.next()?,
            type_code: c.next()?,
            type_label: c.next()?,
            comune: c.next()?,
            comune_istat: c.next()?,
            provincia: c.next()?,
            provincia_istat: c.next()?,
            region: c.next()?,
            region_istat: c.next()?,
            population: c.next()?,
            created_at: c.next()?,
            updated_at: c.next()?,
        })
    }
}
