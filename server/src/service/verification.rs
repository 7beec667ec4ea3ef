//! Verification of a project (*asseverazione*): the verifier's document requests
//! (*richieste*, the "Area Richieste") and the checklist per planned service.
//!
//! The verifier assigned to a project UNDER_VERIFICATION opens a request with a due
//! date; the administration that owns the project attaches documents and answers; the
//! verifier closes it or reopens it with a new due date. Each change names the version
//! it read (a stale one gets CONFLICT) and leaves an audit event in its transaction.

use chrono::{NaiveDate, Utc};
use nuvola_shared::verification::{RequestAction, MAX_REQUEST_TEXT, MAX_REQUEST_TITLE};
use nuvola_shared::{ApplicationState, CheckOutcome, RequestState, Role};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::audit::{self, Change};
use crate::entity::{
    application, document, notification, planned_service, verification_check, verification_request,
};
use crate::service::access;
use crate::service::auth::Principal;
use crate::service::idempotency;
use crate::service::plan::{find_project, invalid, PlanServiceError};

/// A new request, as the verifier writes it.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub cup: String,
    pub call_title: Option<String>,
    pub title: String,
    pub body: String,
    pub due_on: NaiveDate,
    /// A client's key: a retried request returns the request first opened.
    pub idempotency_key: Option<String>,
}

/// A checklist outcome, as the verifier records it.
#[derive(Debug, Clone)]
pub struct CheckRecord {
    pub cup: String,
    pub call_title: Option<String>,
    pub planned_service_id: i32,
    pub item: String,
    pub outcome: String,
    pub notes: Option<String>,
}

fn text(field: &str, value: &str, max: usize) -> Result<String, PlanServiceError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(field, "is empty"));
    }
    if value.chars().count() > max {
        return Err(invalid(field, format!("is longer than {max} characters")));
    }
    Ok(value.to_owned())
}

fn optional_text(
    field: &str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, PlanServiceError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(field, v, max).map(Some),
    }
}

/// A request's due date by `shared`'s rule: from today to `MAX_REQUEST_DAYS` later.
fn not_in_the_past(field: &str, due_on: NaiveDate) -> Result<(), PlanServiceError> {
    nuvola_shared::verification::check_due(due_on, Utc::now().date_naive())
        .map_err(|e| invalid(field, e.reason))
}

/// Refuses unless the project is under verification; `doing` names the action.
fn under_verification(project: &application::Model, doing: &str) -> Result<(), PlanServiceError> {
    let state =
        ApplicationState::parse(&project.state).map_err(|e| DbErr::Custom(e.to_string()))?;
    if state != ApplicationState::UnderVerification {
        return Err(PlanServiceError::Conflict(format!(
            "{doing} only while the project is under verification; it is {}",
            state.label_it()
        )));
    }
    Ok(())
}

/// The project of `cup` when `principal` is the verifier assigned to it.
async fn verifier_project(
    txn: &DatabaseTransaction,
    principal: &Principal,
    cup: &str,
    call_title: Option<&str>,
) -> Result<application::Model, PlanServiceError> {
    let project = find_project(txn, cup, call_title).await?;
    if principal.read_only || !access::is_assigned_verifier(principal, &project) {
        return Err(PlanServiceError::Forbidden(
            "only the verifier assigned to the project does this".to_owned(),
        ));
    }
    Ok(project)
}

fn snapshot(r: &verification_request::Model) -> serde_json::Value {
    json!({
        "title": r.title,
        "dueOn": r.due_on,
        "state": r.state,
        "answerNote": r.answer_note,
        "version": r.version,
    })
}

/// Tells the other side of a request that it moved, in the notifications outbox, in the
/// change's own transaction: an opened or reopened request to the administration's
/// accounts (with its due date), an answer to the verifier assigned. `action` is the
/// audit action, which is also the notification's kind. Keyed by request and version,
/// so each move notifies once.
async fn notify(
    txn: &DatabaseTransaction,
    project: &application::Model,
    request: &verification_request::Model,
    action: &'static str,
) -> Result<(), DbErr> {
    let due = request.due_on.format("%d/%m/%Y");
    let (title, cup) = (&request.title, &project.cup);
    let (role, administration_id, account_id, message, message_en) = match action {
        "VERIFICATION_REQUEST_ANSWERED" => (
            Role::Verifier,
            None,
            project.verifier_account_id.or(request.opened_by),
            format!("L'ente ha risposto alla richiesta «{title}» sul progetto CUP {cup}."),
            format!("The administration answered the request «{title}» on project CUP {cup}."),
        ),
        "VERIFICATION_REQUEST_REOPENED" => (
            Role::Administration,
            Some(project.administration_id),
            None,
            format!(
                "L'asseveratore ha riaperto la richiesta «{title}» sul progetto CUP {cup}: rispondere entro il {due}, pena la decadenza del finanziamento."
            ),
            format!(
                "The verifier reopened the request «{title}» on project CUP {cup}: answer by {due}, or the funding lapses."
            ),
        ),
        _ => (
            Role::Administration,
            Some(project.administration_id),
            None,
            format!(
                "L'asseveratore ha aperto la richiesta «{title}» sul progetto CUP {cup}: rispondere entro il {due}, pena la decadenza del finanziamento."
            ),
            format!(
                "The verifier opened the request «{title}» on project CUP {cup}: answer by {due}, or the funding lapses."
            ),
        ),
    };
    if role == Role::Verifier && account_id.is_none() {
        return Ok(());
    }
    let note = notification::ActiveModel {
        account_id: Set(account_id),
        recipient_role: Set(Some(role.code().to_owned())),
        administration_id: Set(administration_id),
        application_id: Set(Some(project.id)),
        kind: Set(action.to_owned()),
        message: Set(message),
        message_en: Set(Some(message_en)),
        created_at: Set(Utc::now()),
        read_at: Set(None),
        delivered_at: Set(None),
        dedupe_key: Set(Some(format!("{action}:{}:{}", request.id, request.version))),
        due_on: Set(Some(request.due_on)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    // The e-mails it causes, in the same transaction (the outbox).
    crate::service::preferences::email_new_notifications(txn, &[note]).await?;
    Ok(())
}

/// The operation name under which idempotency keys are kept.
const OPEN: &str = "openVerificationRequest";

/// Opens a request on a project under verification. The verifier assigned only.
#[tracing::instrument(skip(db, principal, new), fields(cup = %new.cup, user = %principal.username))]
pub async fn open(
    db: &DatabaseConnection,
    principal: &Principal,
    new: NewRequest,
) -> Result<verification_request::Model, PlanServiceError> {
    let title = text("title", &new.title, MAX_REQUEST_TITLE)?;
    let body = text("body", &new.body, MAX_REQUEST_TEXT)?;
    not_in_the_past("dueOn", new.due_on)?;
    let key = idempotency::parse(new.idempotency_key.clone())?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(done) = idempotency::recall(&txn, principal, key.as_deref(), OPEN).await? {
        if let Some(first) = idempotency::ids(&done).first() {
            if let Some(request) = verification_request::Entity::find_by_id(*first)
                .one(&txn)
                .await?
            {
                return Ok(request);
            }
        }
    }
    let project = verifier_project(&txn, principal, &new.cup, new.call_title.as_deref()).await?;
    under_verification(&project, "requests are opened")?;
    let model = verification_request::ActiveModel {
        application_id: Set(project.id),
        opened_by: Set(Some(principal.account_id)),
        title: Set(title),
        body: Set(body),
        due_on: Set(new.due_on),
        state: Set(RequestState::Open.code().to_owned()),
        opened_at: Set(Utc::now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::VerificationRequest,
            entity_id: model.id.to_string(),
            action: "VERIFICATION_REQUEST_OPENED",
            application_id: Some(project.id),
            before: None,
            after: Some(snapshot(&model)),
        },
    )
    .await?;
    notify(&txn, &project, &model, "VERIFICATION_REQUEST_OPENED").await?;
    idempotency::remember(
        &txn,
        principal,
        key.as_deref(),
        OPEN,
        &json!({ "ids": [model.id] }),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// What a move of a request changes besides its state.
enum Effect {
    Answer { note: Option<String> },
    Close,
    Reopen { due_on: NaiveDate },
}

impl Effect {
    fn action(&self) -> RequestAction {
        match self {
            Effect::Answer { .. } => RequestAction::Answer,
            Effect::Close => RequestAction::Close,
            Effect::Reopen { .. } => RequestAction::Reopen,
        }
    }
}

/// The administration that owns the project answers an OPEN request, after attaching
/// its documents (uploads with `requestId`), with a note: at least one of the two
/// (`shared::verification::check_answer`), else INVALID_INPUT on `note`.
pub async fn answer(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
    version: i32,
    note: Option<String>,
) -> Result<verification_request::Model, PlanServiceError> {
    let note = optional_text("note", note, MAX_REQUEST_TEXT)?;
    transition(db, principal, id, version, Effect::Answer { note }).await
}

/// The verifier assigned closes a request (answered, or withdrawn while open).
pub async fn close(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
    version: i32,
) -> Result<verification_request::Model, PlanServiceError> {
    transition(db, principal, id, version, Effect::Close).await
}

/// The verifier assigned asks again, with a new due date.
pub async fn reopen(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
    version: i32,
    due_on: NaiveDate,
) -> Result<verification_request::Model, PlanServiceError> {
    not_in_the_past("dueOn", due_on)?;
    transition(db, principal, id, version, Effect::Reopen { due_on }).await
}

#[tracing::instrument(skip(db, principal, effect), fields(user = %principal.username))]
async fn transition(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
    version: i32,
    effect: Effect,
) -> Result<verification_request::Model, PlanServiceError> {
    let txn = crate::db::begin_write(db).await?;
    let current = verification_request::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| {
            PlanServiceError::NotFound(format!("no verification request has the id {id}"))
        })?;
    let project = application::Entity::find_by_id(current.application_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("a request's project".into()))?;
    let allowed = !principal.read_only
        && match effect {
            Effect::Answer { .. } => access::is_owner(principal, &project),
            Effect::Close | Effect::Reopen { .. } => {
                access::is_assigned_verifier(principal, &project)
            }
        };
    if !allowed {
        let who = if matches!(effect, Effect::Answer { .. }) {
            "the administration that owns the project"
        } else {
            "the verifier assigned to the project"
        };
        return Err(PlanServiceError::Forbidden(format!("only {who} does this")));
    }
    let state = RequestState::parse(&current.state).map_err(|e| DbErr::Custom(e.to_string()))?;
    let next = state.apply(effect.action(), principal.role).map_err(|_| {
        PlanServiceError::Conflict(format!(
            "the request is {}: it cannot be {} now",
            state.label_it().to_lowercase(),
            match effect {
                Effect::Answer { .. } => "answered",
                Effect::Close => "closed",
                Effect::Reopen { .. } => "reopened",
            }
        ))
    })?;
    if matches!(effect, Effect::Reopen { .. }) {
        under_verification(&project, "requests are reopened")?;
    }
    if let Effect::Answer { note } = &effect {
        // Documents attached since the request was (re)opened: after a reopening, those
        // of the previous answer do not answer again.
        let mut attached = document::Entity::find().filter(document::Column::RequestId.eq(id));
        if let Some(previous) = current.answered_at {
            attached = attached.filter(document::Column::UploadedAt.gt(previous));
        }
        let new_documents = attached.count(&txn).await?;
        nuvola_shared::verification::check_answer(
            note.as_deref(),
            usize::try_from(new_documents).unwrap_or(usize::MAX),
        )
        .map_err(|e| invalid("note", e.reason))?;
    }

    let now = Utc::now();
    let mut update = verification_request::Entity::update_many()
        .col_expr(
            verification_request::Column::State,
            Expr::value(next.code()),
        )
        .col_expr(
            verification_request::Column::Version,
            Expr::value(current.version + 1),
        );
    let action = match &effect {
        Effect::Answer { note } => {
            update = update
                .col_expr(verification_request::Column::AnsweredAt, Expr::value(now))
                .col_expr(
                    verification_request::Column::AnsweredBy,
                    Expr::value(principal.account_id),
                )
                .col_expr(
                    verification_request::Column::AnswerNote,
                    Expr::value(note.clone()),
                );
            "VERIFICATION_REQUEST_ANSWERED"
        }
        Effect::Close => {
            update = update.col_expr(verification_request::Column::ClosedAt, Expr::value(now));
            "VERIFICATION_REQUEST_CLOSED"
        }
        Effect::Reopen { due_on } => {
            update = update
                .col_expr(verification_request::Column::DueOn, Expr::value(*due_on))
                .col_expr(
                    verification_request::Column::ClosedAt,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                );
            "VERIFICATION_REQUEST_REOPENED"
        }
    };
    // The version in the WHERE clause: a concurrent writer makes this match nothing.
    let result = update
        .filter(verification_request::Column::Id.eq(id))
        .filter(verification_request::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(PlanServiceError::Conflict(format!(
            "the request changed since you read it (version {} now, you sent {version}): reload and try again",
            current.version
        )));
    }
    let updated = verification_request::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the updated request".into()))?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::VerificationRequest,
            entity_id: id.to_string(),
            action,
            application_id: Some(project.id),
            before: Some(snapshot(&current)),
            after: Some(snapshot(&updated)),
        },
    )
    .await?;
    if action != "VERIFICATION_REQUEST_CLOSED" {
        notify(&txn, &project, &updated, action).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Orders requests for an inbox: open first, then answered, then closed; within each,
/// the nearest due date first.
fn inbox_order(requests: &mut [verification_request::Model]) {
    let rank = |s: &str| match RequestState::parse(s) {
        Ok(RequestState::Open) => 0,
        Ok(RequestState::Answered) => 1,
        _ => 2,
    };
    requests.sort_by(|a, b| {
        rank(&a.state)
            .cmp(&rank(&b.state))
            .then(a.due_on.cmp(&b.due_on))
            .then(a.id.cmp(&b.id))
    });
}

/// The requests of `project` that `principal` may see, in inbox order.
pub async fn of_project(
    db: &DatabaseConnection,
    principal: Option<&Principal>,
    project: &application::Model,
) -> Result<Vec<verification_request::Model>, PlanServiceError> {
    if !access::sees_verification(principal, project) {
        return Err(PlanServiceError::Forbidden(
            "verification requests are visible only to the administration, its verifier and the department".to_owned(),
        ));
    }
    let mut requests = verification_request::Entity::find()
        .filter(verification_request::Column::ApplicationId.eq(project.id))
        .all(db)
        .await?;
    inbox_order(&mut requests);
    Ok(requests)
}

/// The inbox of an administration (requests on its projects) or of a verifier
/// (requests on the projects assigned to it), open first, nearest due date first.
pub async fn inbox(
    db: &DatabaseConnection,
    principal: &Principal,
    state: Option<RequestState>,
) -> Result<Vec<verification_request::Model>, PlanServiceError> {
    let mut requests = inbox_query(principal, state)?.all(db).await?;
    inbox_order(&mut requests);
    Ok(requests)
}

/// The requests of `principal`'s inbox, unordered.
fn inbox_query(
    principal: &Principal,
    state: Option<RequestState>,
) -> Result<sea_orm::Select<verification_request::Entity>, PlanServiceError> {
    let projects = match principal.role {
        Role::Administration => Query::select()
            .column(application::Column::Id)
            .from(application::Entity)
            .and_where(
                application::Column::AdministrationId.eq(principal.administration_id.unwrap_or(-1)),
            )
            .to_owned(),
        Role::Verifier => Query::select()
            .column(application::Column::Id)
            .from(application::Entity)
            .and_where(application::Column::VerifierAccountId.eq(principal.account_id))
            .to_owned(),
        _ => {
            return Err(PlanServiceError::Forbidden(
                "only administrations and verifiers have a request inbox".to_owned(),
            ))
        }
    };
    let mut query = verification_request::Entity::find()
        .filter(verification_request::Column::ApplicationId.in_subquery(projects));
    if let Some(state) = state {
        query = query.filter(verification_request::Column::State.eq(state.code()));
    }
    Ok(query)
}

/// A page of the inbox in inbox order (open first, then answered, then closed; the
/// nearest due date first), `first` from position `offset`, and whether more follow.
/// The order is computed, not a key, so the page is found by position: an inbox is one
/// administration's or one verifier's, hundreds of requests at most.
pub async fn inbox_page(
    db: &DatabaseConnection,
    principal: &Principal,
    state: Option<RequestState>,
    offset: u64,
    first: u64,
) -> Result<(Vec<verification_request::Model>, bool), PlanServiceError> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{Order, QueryOrder, QuerySelect};
    let rank = Expr::cust(format!(
        "CASE state WHEN '{}' THEN 0 WHEN '{}' THEN 1 ELSE 2 END",
        RequestState::Open.code(),
        RequestState::Answered.code()
    ));
    let query = inbox_query(principal, state)?
        .order_by(rank, Order::Asc)
        .order_by_asc(verification_request::Column::DueOn)
        .order_by_asc(verification_request::Column::Id)
        .offset(offset);
    // Paged by offset: the limit stays a parameter (see `paging::with_literal_limit`).
    Ok(crate::service::paging::first(db, query, first).await?)
}

/// How many requests the inbox holds (of `state`, when given).
pub async fn inbox_count(
    db: &DatabaseConnection,
    principal: &Principal,
    state: Option<RequestState>,
) -> Result<u64, PlanServiceError> {
    use sea_orm::PaginatorTrait;
    Ok(inbox_query(principal, state)?.count(db).await?)
}

/// Records (or changes) the outcome of one checklist item for a planned service.
/// The verifier assigned only, while the project is under verification.
#[tracing::instrument(skip(db, principal, record), fields(cup = %record.cup, user = %principal.username))]
pub async fn record_check(
    db: &DatabaseConnection,
    principal: &Principal,
    record: CheckRecord,
) -> Result<verification_check::Model, PlanServiceError> {
    let item = text("item", &record.item, 200)?;
    let outcome =
        CheckOutcome::parse(&record.outcome).map_err(|e| invalid("outcome", e.to_string()))?;
    let notes = optional_text("notes", record.notes, MAX_REQUEST_TEXT)?;
    let txn = crate::db::begin_write(db).await?;
    let project =
        verifier_project(&txn, principal, &record.cup, record.call_title.as_deref()).await?;
    under_verification(&project, "checks are recorded")?;
    let service = planned_service::Entity::find_by_id(record.planned_service_id)
        .filter(planned_service::Column::ApplicationId.eq(project.id))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            PlanServiceError::NotFound(format!(
                "the project has no planned service {}",
                record.planned_service_id
            ))
        })?;
    let existing = verification_check::Entity::find()
        .filter(verification_check::Column::PlannedServiceId.eq(service.id))
        .filter(verification_check::Column::Item.eq(item.as_str()))
        .one(&txn)
        .await?;
    let now = Utc::now();
    let snapshot = |c: &verification_check::Model| json!({ "plannedServiceId": c.planned_service_id, "item": c.item, "outcome": c.outcome, "notes": c.notes });
    let (before, saved) = match existing {
        Some(current) => {
            let mut active: verification_check::ActiveModel = current.clone().into();
            active.outcome = Set(outcome.code().to_owned());
            active.notes = Set(notes);
            active.recorded_by = Set(Some(principal.account_id));
            active.recorded_at = Set(now);
            (Some(snapshot(&current)), active.update(&txn).await?)
        }
        None => (
            None,
            verification_check::ActiveModel {
                application_id: Set(project.id),
                planned_service_id: Set(Some(service.id)),
                item: Set(item),
                outcome: Set(outcome.code().to_owned()),
                notes: Set(notes),
                recorded_by: Set(Some(principal.account_id)),
                recorded_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        ),
    };
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::VerificationCheck,
            entity_id: saved.id.to_string(),
            action: "CHECK_RECORDED",
            application_id: Some(project.id),
            before,
            after: Some(snapshot(&saved)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// The checklist of `project`, by planned service and item.
pub async fn checklist(
    db: &DatabaseConnection,
    principal: Option<&Principal>,
    project: &application::Model,
) -> Result<Vec<verification_check::Model>, PlanServiceError> {
    if !access::sees_verification(principal, project) {
        return Err(PlanServiceError::Forbidden(
            "the checklist is visible only to the administration, its verifier and the department"
                .to_owned(),
        ));
    }
    Ok(verification_check::Entity::find()
        .filter(verification_check::Column::ApplicationId.eq(project.id))
        .order_by_asc(verification_check::Column::PlannedServiceId)
        .order_by_asc(verification_check::Column::Item)
        .all(db)
        .await?)
}
