use async_graphql::{Context, Object, ID};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};

use crate::entity::{application, planned_service, verification_check, verification_request};
use crate::graphql::application::object::Application;
use crate::graphql::document::object::Document;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::scalars::Date;
use crate::graphql::viewer::viewer;
use crate::service::{documents, verification};

async fn project_of(db: &DatabaseConnection, id: i32) -> ApiResult<application::Model> {
    Ok(application::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("project {id}")))?)
}

/// A verifier's document request (*richiesta*, "Area Richieste").
pub struct VerificationRequest(pub verification_request::Model);

#[Object]
impl VerificationRequest {
    /// The request's id, for the mutations and `requestId` of an upload.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The project asked.
    async fn application(&self, ctx: &Context<'_>) -> ApiResult<Application> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Application::from(
            project_of(db, self.0.application_id).await?,
        ))
    }

    /// A short title, up to 200 characters.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the verifier asks for.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// The answer is due by this day; unanswered, the funding is at risk.
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }

    /// Days from today to the due date; negative when overdue. Null once answered or
    /// closed.
    async fn days_left(&self) -> Option<i64> {
        (self.0.state == nuvola_shared::RequestState::Open.code())
            .then(|| (self.0.due_on - Utc::now().date_naive()).num_days())
    }

    /// OPEN, ANSWERED or CLOSED.
    async fn state(&self) -> ApiResult<nuvola_shared::RequestState> {
        nuvola_shared::RequestState::parse(&self.0.state).map_err(ApiError::internal)
    }

    /// When the verifier opened it.
    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.opened_at
    }

    /// When the administration last answered.
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }

    /// The administration's note with its answer.
    async fn answer_note(&self) -> Option<&str> {
        self.0.answer_note.as_deref()
    }

    /// When the verifier closed it (null once reopened).
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }

    /// Increases with every change; send it back to answer, close or reopen.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The documents attached to this request.
    async fn documents(&self, ctx: &Context<'_>) -> ApiResult<Vec<Document>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let project = project_of(db, self.0.application_id).await?;
        let docs = documents::list(db, viewer(ctx).principal(), &project, Some(self.0.id)).await?;
        Ok(docs.into_iter().map(Document).collect())
    }
}

/// One checklist outcome recorded by the verifier for a planned service.
pub struct VerificationCheck(pub verification_check::Model);

#[Object]
impl VerificationCheck {
    /// The check's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The planned service checked.
    async fn planned_service_id(&self) -> Option<ID> {
        self.0.planned_service_id.map(|id| ID(id.to_string()))
    }

    /// The name of the planned service checked.
    async fn planned_service_name(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let Some(id) = self.0.planned_service_id else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(planned_service::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|s| s.name))
    }

    /// What was checked, e.g. "Servizio raggiungibile dal nuovo ambiente".
    async fn item(&self) -> &str {
        &self.0.item
    }

    /// PASS, FAIL or NOT_APPLICABLE.
    async fn outcome(&self) -> ApiResult<nuvola_shared::CheckOutcome> {
        nuvola_shared::CheckOutcome::parse(&self.0.outcome).map_err(ApiError::internal)
    }

    /// The verifier's notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }

    /// When the outcome was last recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// `Application.verificationRequests`.
pub async fn requests_of(
    ctx: &Context<'_>,
    project: &application::Model,
) -> ApiResult<Vec<VerificationRequest>> {
    let db = ctx.data_unchecked::<DatabaseConnection>();
    let requests = verification::of_project(db, viewer(ctx).principal(), project).await?;
    Ok(requests.into_iter().map(VerificationRequest).collect())
}

/// `Application.checklist`.
pub async fn checklist_of(
    ctx: &Context<'_>,
    project: &application::Model,
) -> ApiResult<Vec<VerificationCheck>> {
    let db = ctx.data_unchecked::<DatabaseConnection>();
    let checks = verification::checklist(db, viewer(ctx).principal(), project).await?;
    Ok(checks.into_iter().map(VerificationCheck).collect())
}

/// `Application.documents`.
pub async fn documents_of(
    ctx: &Context<'_>,
    project: &application::Model,
) -> ApiResult<Vec<Document>> {
    let db = ctx.data_unchecked::<DatabaseConnection>();
    let docs = documents::list(db, viewer(ctx).principal(), project, None).await?;
    Ok(docs.into_iter().map(Document).collect())
}
