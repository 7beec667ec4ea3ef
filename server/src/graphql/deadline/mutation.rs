use async_graphql::{Context, InputObject, Object};
use nuvola_shared::Role;
use sea_orm::DatabaseConnection;

use crate::graphql::call::object::Call;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::scalars::Date;
use crate::graphql::viewer::viewer;
use crate::service::deadlines::{self, CallTerms, TermsError};

impl From<TermsError> for ApiError {
    fn from(e: TermsError) -> Self {
        match e {
            TermsError::Forbidden(m) => ApiError::Forbidden(m),
            TermsError::NotFound(m) => ApiError::NotFound(m),
            TermsError::Conflict(m) => ApiError::Conflict(m),
            TermsError::Invalid { field, error } => ApiError::from_parse(field, error),
            TermsError::Db(e) => ApiError::internal(e),
        }
    }
}

/// The deadline terms of a call, all of them: a term left null means the call sets
/// none (then only the hard cap applies).
#[derive(InputObject)]
pub struct CallTermsInput {
    /// The call's title, exactly as listed by `calls`.
    pub title: String,
    /// The call's `version` as you read it.
    pub version: i32,
    /// Supplier contract within this term of the funding date: "6 months", "120 days"
    /// (Italian "6 mesi", "120 giorni" accepted), 1 to 3650 units.
    pub contract_term: Option<String>,
    /// Completion within this term of `completionFrom`.
    pub completion_term: Option<String>,
    /// From what date the completion term runs (default CONTRACT_DATE).
    #[graphql(default_with = "nuvola_shared::TermStart::ContractDate")]
    pub completion_from: nuvola_shared::TermStart,
    /// The call's own last day, whatever the terms say; null for the programme's
    /// (31 March 2026). A new hard cap cannot be a day already past (the one stored may
    /// be kept).
    pub hard_cap: Option<Date>,
}

impl From<CallTermsInput> for CallTerms {
    fn from(input: CallTermsInput) -> Self {
        CallTerms {
            title: input.title,
            expected_version: input.version,
            contract_term: input.contract_term,
            completion_term: input.completion_term,
            completion_from: input.completion_from,
            hard_cap: input.hard_cap.map(|d| d.0),
        }
    }
}

#[derive(Default)]
pub struct DeadlineMutation;

#[Object]
impl DeadlineMutation {
    /// Records the deadline terms of a call (the comuni calls publish none in
    /// machine-readable form). DEPARTMENT only; a stale `version` gets CONFLICT, a term
    /// that does not read as days or months, or a new hard cap already past, INVALID_INPUT
    /// naming the field. `callTermsImpact` says beforehand how many projects change
    /// their deadline. Projects'
    /// `nextDeadline` follows at once; overdue marks at the deadline checker's next run.
    async fn set_call_terms(&self, ctx: &Context<'_>, input: CallTermsInput) -> ApiResult<Call> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let (saved, _) = deadlines::set_call_terms(db, principal, input.into()).await?;
        Ok(Call(saved))
    }
}
