use async_graphql::{Context, InputObject, Object, ID};
use nuvola_shared::Role;
use sea_orm::DatabaseConnection;

use super::object::{VerificationCheck, VerificationRequest};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::scalars::Date;
use crate::graphql::viewer::viewer;
use crate::service::verification::{self, CheckRecord, NewRequest};

/// A new verification request.
#[derive(InputObject)]
pub struct OpenRequestInput {
    /// The project's CUP.
    pub cup: String,
    /// The project's call, when the same CUP appears in two calls.
    pub call_title: Option<String>,
    /// Up to 200 characters.
    pub title: String,
    /// What is asked for, up to 10,000 characters.
    pub body: String,
    /// The answer is due by this day (today or later).
    pub due_on: Date,
    /// A key of yours: sending the same request again with it returns the request
    /// first opened instead of a second one.
    pub idempotency_key: Option<String>,
}

/// The administration's answer to an open request.
#[derive(InputObject)]
pub struct AnswerRequestInput {
    /// The request's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// An optional note with the answer (the documents are uploaded before, with
    /// `requestId`).
    pub note: Option<String>,
}

/// A request to close, with the version you read.
#[derive(InputObject)]
pub struct CloseRequestInput {
    /// The request's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// A request to ask again, with a new due date.
#[derive(InputObject)]
pub struct ReopenRequestInput {
    /// The request's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// The new due date (today or later).
    pub due_on: Date,
}

/// A checklist outcome for one planned service.
#[derive(InputObject)]
pub struct CheckInput {
    /// The project's CUP.
    pub cup: String,
    /// The project's call, when the same CUP appears in two calls.
    pub call_title: Option<String>,
    /// The planned service checked (see `Application.plan`).
    pub planned_service_id: ID,
    /// What was checked; recording the same item again for the service replaces it.
    pub item: String,
    /// PASS, FAIL or NOT_APPLICABLE.
    pub outcome: nuvola_shared::CheckOutcome,
    /// Optional notes, up to 10,000 characters.
    pub notes: Option<String>,
}

fn id_of(field: &str, id: &ID) -> ApiResult<i32> {
    id.parse::<i32>()
        .map_err(|_| ApiError::invalid(field, "not an id returned by this API"))
}

#[derive(Default)]
pub struct VerificationMutation;

#[Object]
impl VerificationMutation {
    /// Opens a document request on a project. The verifier assigned to the project
    /// only, while it is UNDER_VERIFICATION (else CONFLICT); the due date may not be in
    /// the past (INVALID_INPUT, field `dueOn`).
    async fn open_verification_request(
        &self,
        ctx: &Context<'_>,
        input: OpenRequestInput,
    ) -> ApiResult<VerificationRequest> {
        let principal = viewer(ctx).require_writer(&[Role::Verifier])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let saved = verification::open(
            db,
            principal,
            NewRequest {
                cup: input.cup,
                call_title: input.call_title,
                title: input.title,
                body: input.body,
                due_on: input.due_on.0,
                idempotency_key: input.idempotency_key,
            },
        )
        .await?;
        Ok(VerificationRequest(saved))
    }

    /// Answers an OPEN request (it becomes ANSWERED). The administration that owns the
    /// project only; a stale `version` gets CONFLICT. An answer carries at least one
    /// document attached to the request since it was (re)opened, or a `note`; else
    /// INVALID_INPUT on `note`.
    async fn answer_verification_request(
        &self,
        ctx: &Context<'_>,
        input: AnswerRequestInput,
    ) -> ApiResult<VerificationRequest> {
        let principal = viewer(ctx).require_writer(&[Role::Administration])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let id = id_of("id", &input.id)?;
        let saved = verification::answer(db, principal, id, input.version, input.note).await?;
        Ok(VerificationRequest(saved))
    }

    /// Closes a request, OPEN or ANSWERED (it becomes CLOSED). The verifier assigned
    /// only; a stale `version` gets CONFLICT.
    async fn close_verification_request(
        &self,
        ctx: &Context<'_>,
        input: CloseRequestInput,
    ) -> ApiResult<VerificationRequest> {
        let principal = viewer(ctx).require_writer(&[Role::Verifier])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let id = id_of("id", &input.id)?;
        let saved = verification::close(db, principal, id, input.version).await?;
        Ok(VerificationRequest(saved))
    }

    /// Asks again: an ANSWERED or CLOSED request becomes OPEN with a new due date. The
    /// verifier assigned only, while the project is UNDER_VERIFICATION.
    async fn reopen_verification_request(
        &self,
        ctx: &Context<'_>,
        input: ReopenRequestInput,
    ) -> ApiResult<VerificationRequest> {
        let principal = viewer(ctx).require_writer(&[Role::Verifier])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let id = id_of("id", &input.id)?;
        let saved = verification::reopen(db, principal, id, input.version, input.due_on.0).await?;
        Ok(VerificationRequest(saved))
    }

    /// Records the outcome of one checklist item for a planned service (again for the
    /// same item replaces it). The verifier assigned only, while the project is
    /// UNDER_VERIFICATION.
    async fn record_verification_check(
        &self,
        ctx: &Context<'_>,
        input: CheckInput,
    ) -> ApiResult<VerificationCheck> {
        let principal = viewer(ctx).require_writer(&[Role::Verifier])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let outcome: nuvola_shared::CheckOutcome = input.outcome;
        let saved = verification::record_check(
            db,
            principal,
            CheckRecord {
                cup: input.cup,
                call_title: input.call_title,
                planned_service_id: id_of("plannedServiceId", &input.planned_service_id)?,
                item: input.item,
                outcome: outcome.code().to_owned(),
                notes: input.notes,
            },
        )
        .await?;
        Ok(VerificationCheck(saved))
    }
}
