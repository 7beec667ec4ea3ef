//! The life of a funded project after its contract: completion, verification, payment,
//! renunciation (requested by the administration, withdrawn or decreed by the
//! department) and revocation. Every move is checked against the tables of
//! `nuvola_shared::state`, made with the version the caller read (a stale one gets
//! CONFLICT, never a lost update) and recorded as a `STATE_CHANGED` event in the same
//! transaction.

use chrono::Utc;
use nuvola_shared::state::{ProjectAction, TransitionError};
use nuvola_shared::{ApplicationState, Reason, Role, ServiceState, VerificationOutcome};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};
use serde_json::{json, Value};

use crate::audit::{self, Change};
use crate::entity::{account, application, planned_service};
use crate::service::auth::Principal;
use crate::service::plan::{find_project, invalid, PlanServiceError};

/// The project a move is about, with the version the caller read.
#[derive(Debug, Clone)]
pub struct ProjectRef {
    pub cup: String,
    pub call_title: Option<String>,
    pub version: i32,
}

/// What a verifier found.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub outcome: VerificationOutcome,
    pub notes: Option<String>,
    /// For a partially positive outcome: the services to redo (they become FAILED).
    pub redo_services: Vec<i32>,
}

/// The administration declares every planned service migrated: MIGRATING → COMPLETED.
pub async fn declare_completion(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
) -> Result<application::Model, PlanServiceError> {
    let txn = crate::db::begin_write(db).await?;
    let current = project_for(&txn, principal, &project).await?;
    let services = planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(current.id))
        .all(&txn)
        .await?;
    if services.is_empty() {
        return Err(PlanServiceError::Transition(
            "the migration plan has no services: there is nothing to complete".to_owned(),
        ));
    }
    let pending: Vec<&str> = services
        .iter()
        .filter(|s| s.status != ServiceState::Migrated.code())
        .map(|s| s.name.as_str())
        .collect();
    if !pending.is_empty() {
        return Err(PlanServiceError::Transition(format!(
            "every planned service must be migrated first; {} not yet: {}",
            pending.len(),
            pending.join(", ")
        )));
    }
    let moved = apply(
        &txn,
        principal,
        &current,
        project.version,
        ProjectAction::DeclareCompletion,
        Vec::new(),
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(moved)
}

/// The department assigns a verifier to a completed project: COMPLETED →
/// UNDER_VERIFICATION. From then on the verifier sees the whole project.
pub async fn assign_verifier(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
    verifier_username: &str,
) -> Result<application::Model, PlanServiceError> {
    let txn = crate::db::begin_write(db).await?;
    let current = project_for(&txn, principal, &project).await?;
    let found = account::Entity::find()
        .filter(account::Column::Username.eq(verifier_username.trim().to_lowercase()))
        .one(&txn)
        .await?
        .filter(|a| !a.disabled);
    // A person is a verifier through an active VERIFIER membership.
    let verifier = match found {
        Some(a)
            if crate::service::membership::active_of(&txn, a.id)
                .await?
                .iter()
                .any(|m| m.role == Role::Verifier.code()) =>
        {
            Some(a)
        }
        _ => None,
    }
    .ok_or_else(|| {
        invalid(
            "verifier",
            format!("{verifier_username} is not an active verifier account"),
        )
    })?;
    let moved = apply(
        &txn,
        principal,
        &current,
        project.version,
        ProjectAction::StartVerification,
        vec![
            (
                application::Column::VerifierAccountId,
                Expr::value(Some(verifier.id)),
            ),
            (
                application::Column::VerificationOutcome,
                Expr::value(Option::<String>::None),
            ),
        ],
        json!({ "verifier": verifier.username }),
    )
    .await?;
    txn.commit().await?;
    Ok(moved)
}

/// The assigned verifier records the technical conformity outcome. Positive: VERIFIED.
/// Partially positive: back to MIGRATING, with the named services FAILED so their
/// supplier redoes them. Negative: the project stays UNDER_VERIFICATION with the outcome
/// on record, and the department may revoke it.
pub async fn record_outcome(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
    outcome: Outcome,
) -> Result<application::Model, PlanServiceError> {
    if let Some(notes) = &outcome.notes {
        if notes.chars().count() > Reason::MAX {
            return Err(invalid(
                "notes",
                format!("write at most {} characters", Reason::MAX),
            ));
        }
    }
    let txn = crate::db::begin_write(db).await?;
    let current = project_for(&txn, principal, &project).await?;
    let now = Utc::now();
    let outcome_columns = vec![
        (
            application::Column::VerificationOutcome,
            Expr::value(Some(outcome.outcome.code())),
        ),
        (
            application::Column::VerificationOutcomeAt,
            Expr::value(Some(now)),
        ),
    ];
    let detail = json!({ "outcome": outcome.outcome.code(), "notes": outcome.notes });
    let moved = match outcome.outcome {
        VerificationOutcome::Positive => {
            apply(
                &txn,
                principal,
                &current,
                project.version,
                ProjectAction::VerifyPositive,
                outcome_columns,
                detail,
            )
            .await?
        }
        VerificationOutcome::Partial => {
            if outcome.redo_services.is_empty() {
                return Err(invalid(
                    "redoServices",
                    "name the services to redo for a partially positive outcome",
                ));
            }
            let moved = apply(
                &txn,
                principal,
                &current,
                project.version,
                ProjectAction::VerifyPartial,
                outcome_columns,
                detail,
            )
            .await?;
            fail_services(&txn, principal, &current, &outcome.redo_services).await?;
            moved
        }
        VerificationOutcome::Negative => {
            let state = state_of(&current)?;
            if state != ApplicationState::UnderVerification {
                return Err(PlanServiceError::Transition(format!(
                    "an outcome is recorded only while the project is under verification; it is {}",
                    state.label_it()
                )));
            }
            let updated = bump(&txn, &current, project.version, outcome_columns, None).await?;
            audit::record(
                &txn,
                &principal.actor(),
                Change {
                    entity_type: nuvola_shared::EntityType::Application,
                    entity_id: current.id.to_string(),
                    action: "VERIFICATION_OUTCOME_RECORDED",
                    application_id: Some(current.id),
                    before: Some(json!({ "outcome": current.verification_outcome })),
                    after: Some(detail),
                },
            )
            .await?;
            updated
        }
    };
    txn.commit().await?;
    Ok(moved)
}

/// The administration asks to be paid after a positive outcome: VERIFIED →
/// PAYMENT_REQUESTED.
pub async fn request_payment(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
) -> Result<application::Model, PlanServiceError> {
    simple_move(db, principal, project, ProjectAction::RequestPayment).await
}

/// The department pays: PAYMENT_REQUESTED → PAID.
pub async fn pay(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
) -> Result<application::Model, PlanServiceError> {
    simple_move(db, principal, project, ProjectAction::Pay).await
}

/// The administration asks to renounce the funding, with its reason. The project keeps
/// its state; the request waits for the department's decree or the administration's
/// withdrawal. Recorded as `RENUNCIATION_REQUESTED`.
pub async fn request_renunciation(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
    reason: &str,
) -> Result<application::Model, PlanServiceError> {
    let reason = Reason::parse(reason).map_err(|e| invalid("reason", e.reason))?;
    let txn = crate::db::begin_write(db).await?;
    let current = project_for(&txn, principal, &project).await?;
    check(&current, ProjectAction::RequestRenunciation, principal.role)?;
    let updated = bump(
        &txn,
        &current,
        project.version,
        vec![
            (
                application::Column::RenunciationRequestedAt,
                Expr::value(Some(Utc::now())),
            ),
            (
                application::Column::RenunciationReason,
                Expr::value(Some(reason.as_str().to_owned())),
            ),
        ],
        None,
    )
    .await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Application,
            entity_id: current.id.to_string(),
            action: "RENUNCIATION_REQUESTED",
            application_id: Some(current.id),
            before: Some(json!({ "renunciationRequested": false })),
            after: Some(json!({ "renunciationRequested": true, "reason": reason.as_str() })),
        },
    )
    .await?;
    let body = body_name(&txn, &updated).await?;
    let cup = &updated.cup;
    let why = reason.as_str();
    tell(
        &txn,
        &updated,
        RENUNCIATION_REQUESTED,
        Role::Department,
        (
            format!("{body} chiede di rinunciare al finanziamento del progetto CUP {cup}, con questo motivo: «{why}». La rinuncia attende il decreto del Dipartimento."),
            format!("{body} asks to renounce the funding of project CUP {cup}, for this reason: «{why}». The renunciation awaits the Department's decree."),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The administration withdraws its pending request of renunciation. Recorded as
/// `RENUNCIATION_WITHDRAWN`.
pub async fn withdraw_renunciation(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
) -> Result<application::Model, PlanServiceError> {
    let txn = crate::db::begin_write(db).await?;
    let current = project_for(&txn, principal, &project).await?;
    check(
        &current,
        ProjectAction::WithdrawRenunciation,
        principal.role,
    )?;
    let updated = bump(&txn, &current, project.version, clear_request(), None).await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Application,
            entity_id: current.id.to_string(),
            action: "RENUNCIATION_WITHDRAWN",
            application_id: Some(current.id),
            before: Some(json!({
                "renunciationRequested": true,
                "reason": current.renunciation_reason,
            })),
            after: Some(json!({ "renunciationRequested": false })),
        },
    )
    .await?;
    let body = body_name(&txn, &updated).await?;
    let cup = &updated.cup;
    tell(
        &txn,
        &updated,
        RENUNCIATION_WITHDRAWN,
        Role::Department,
        (
            format!("{body} ha ritirato la richiesta di rinuncia al finanziamento del progetto CUP {cup}: il progetto prosegue, non serve alcun decreto."),
            format!("{body} withdrew its request to renounce the funding of project CUP {cup}: the project goes on, no decree is needed."),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The department decrees the renunciation the administration asked for: → RENOUNCED,
/// with the administration's reason as the project's reason.
pub async fn decree_renunciation(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
) -> Result<application::Model, PlanServiceError> {
    let txn = crate::db::begin_write(db).await?;
    let current = project_for(&txn, principal, &project).await?;
    let reason = current.renunciation_reason.clone();
    let mut columns = clear_request();
    columns.push((
        application::Column::StateReason,
        Expr::value(reason.clone()),
    ));
    let moved = apply(
        &txn,
        principal,
        &current,
        project.version,
        ProjectAction::Renounce,
        columns,
        json!({ "reason": reason, "decreed": true }),
    )
    .await?;
    let cup = &moved.cup;
    tell(
        &txn,
        &moved,
        RENUNCIATION_DECREED,
        Role::Administration,
        (
            format!("Il Dipartimento ha decretato la rinuncia al finanziamento del progetto CUP {cup}, come richiesto: il progetto è chiuso come rinunciato."),
            format!("The Department decreed the renunciation of the funding of project CUP {cup}, as requested: the project is closed as renounced."),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(moved)
}

/// Notification kinds of a renunciation: to the department when the administration
/// asks or withdraws, to the administration when the department decrees.
pub const RENUNCIATION_REQUESTED: &str = "RENUNCIATION_REQUESTED";
pub const RENUNCIATION_WITHDRAWN: &str = "RENUNCIATION_WITHDRAWN";
pub const RENUNCIATION_DECREED: &str = "RENUNCIATION_DECREED";

/// The name of the project's administration, as the messages say it.
async fn body_name(
    txn: &DatabaseTransaction,
    project: &application::Model,
) -> Result<String, DbErr> {
    Ok(
        crate::entity::administration::Entity::find_by_id(project.administration_id)
            .one(txn)
            .await?
            .map_or_else(|| "L'ente".to_owned(), |a| a.name),
    )
}

/// Tells the other side of a renunciation (`to`: the department, or the project's
/// administration) in Italian and English, with the e-mails its people's preferences
/// ask for, in the caller's transaction. Once per project version.
async fn tell(
    txn: &DatabaseTransaction,
    project: &application::Model,
    kind: &str,
    to: Role,
    (message, message_en): (String, String),
) -> Result<(), DbErr> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let note = crate::entity::notification::ActiveModel {
        account_id: Set(None),
        recipient_role: Set(Some(to.code().to_owned())),
        administration_id: Set((to == Role::Administration).then_some(project.administration_id)),
        application_id: Set(Some(project.id)),
        kind: Set(kind.to_owned()),
        message: Set(message),
        message_en: Set(Some(message_en)),
        created_at: Set(Utc::now()),
        read_at: Set(None),
        delivered_at: Set(None),
        dedupe_key: Set(Some(format!("{kind}:{}:{}", project.id, project.version))),
        due_on: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    crate::service::preferences::email_new_notifications(txn, &[note]).await?;
    Ok(())
}

fn clear_request() -> Vec<(application::Column, SimpleExpr)> {
    vec![
        (
            application::Column::RenunciationRequestedAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        ),
        (
            application::Column::RenunciationReason,
            Expr::value(Option::<String>::None),
        ),
    ]
}

/// Whether the life cycle allows `action` by `role` on `project` as it is now.
fn check(
    project: &application::Model,
    action: ProjectAction,
    role: Role,
) -> Result<ApplicationState, PlanServiceError> {
    let state = state_of(project)?;
    state
        .apply(action, role, renunciation_requested(project))
        .map_err(|e| refused(e, state))
}

/// Whether the administration's request of renunciation is pending on `project`.
pub(crate) fn renunciation_requested(project: &application::Model) -> bool {
    project.renunciation_requested_at.is_some()
}

/// The department withdraws the funding, with its reason (deadline missed, negative
/// verification, unanswered request): → REVOKED.
pub async fn revoke(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
    reason: &str,
) -> Result<application::Model, PlanServiceError> {
    closing_move(db, principal, project, ProjectAction::Revoke, reason).await
}

async fn simple_move(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
    action: ProjectAction,
) -> Result<application::Model, PlanServiceError> {
    let txn = crate::db::begin_write(db).await?;
    let current = project_for(&txn, principal, &project).await?;
    let moved = apply(
        &txn,
        principal,
        &current,
        project.version,
        action,
        Vec::new(),
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(moved)
}

async fn closing_move(
    db: &DatabaseConnection,
    principal: &Principal,
    project: ProjectRef,
    action: ProjectAction,
    reason: &str,
) -> Result<application::Model, PlanServiceError> {
    let reason = Reason::parse(reason).map_err(|e| invalid("reason", e.reason))?;
    let txn = crate::db::begin_write(db).await?;
    let current = project_for(&txn, principal, &project).await?;
    // A revoked project has no renunciation left to decree.
    let mut columns = clear_request();
    columns.push((
        application::Column::StateReason,
        Expr::value(Some(reason.as_str().to_owned())),
    ));
    let moved = apply(
        &txn,
        principal,
        &current,
        project.version,
        action,
        columns,
        json!({ "reason": reason.as_str() }),
    )
    .await?;
    txn.commit().await?;
    Ok(moved)
}

/// The project of `project`, if `principal` may act on it at all: the department on
/// every project, an administration on its own, a verifier on those assigned to it.
/// Whether the role may take a given action is the life cycle's to say.
async fn project_for(
    txn: &DatabaseTransaction,
    principal: &Principal,
    project: &ProjectRef,
) -> Result<application::Model, PlanServiceError> {
    if principal.read_only {
        return Err(PlanServiceError::Forbidden(
            "API tokens are read-only".to_owned(),
        ));
    }
    let current = find_project(txn, &project.cup, project.call_title.as_deref()).await?;
    let entitled = match principal.role {
        Role::Department => true,
        Role::Administration => principal.administration_id == Some(current.administration_id),
        Role::Verifier => current.verifier_account_id == Some(principal.account_id),
        _ => false,
    };
    if !entitled {
        return Err(PlanServiceError::Forbidden(
            "you may not act on this project".to_owned(),
        ));
    }
    Ok(current)
}

pub(crate) fn state_of(project: &application::Model) -> Result<ApplicationState, DbErr> {
    ApplicationState::parse(&project.state).map_err(|e| DbErr::Custom(e.to_string()))
}

/// Why the life cycle refused a move, as the API reports it.
pub(crate) fn refused(e: TransitionError, state: ApplicationState) -> PlanServiceError {
    match e {
        TransitionError::NotAllowed { .. } => PlanServiceError::Transition(format!(
            "{e}: the project is {} ({})",
            state.code(),
            state.label_it()
        )),
        TransitionError::WrongRole { .. } => PlanServiceError::Forbidden(e.to_string()),
    }
}

/// Moves `project` by `action` if the life cycle allows it for the principal's role,
/// setting `extra` columns too, and records the change.
pub(crate) async fn apply(
    txn: &DatabaseTransaction,
    principal: &Principal,
    project: &application::Model,
    expected_version: i32,
    action: ProjectAction,
    extra: Vec<(application::Column, SimpleExpr)>,
    detail: Value,
) -> Result<application::Model, PlanServiceError> {
    let state = state_of(project)?;
    let next = check(project, action, principal.role)?;
    let moved = bump(txn, project, expected_version, extra, Some(next)).await?;
    let mut after = json!({ "state": next.code() });
    if let (Value::Object(after), Value::Object(detail)) = (&mut after, detail) {
        after.extend(detail);
    }
    audit::record(
        txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Application,
            entity_id: project.id.to_string(),
            action: "STATE_CHANGED",
            application_id: Some(project.id),
            before: Some(json!({ "state": state.code() })),
            after: Some(after),
        },
    )
    .await?;
    Ok(moved)
}

/// Writes `extra` (and the new state) only if the project is still at
/// `expected_version`, bumping it.
async fn bump(
    txn: &DatabaseTransaction,
    project: &application::Model,
    expected_version: i32,
    extra: Vec<(application::Column, SimpleExpr)>,
    next: Option<ApplicationState>,
) -> Result<application::Model, PlanServiceError> {
    let now = Utc::now();
    let mut update = application::Entity::update_many()
        .col_expr(
            application::Column::Version,
            Expr::col(application::Column::Version).add(1),
        )
        .col_expr(application::Column::UpdatedAt, Expr::value(now));
    if let Some(next) = next {
        update = update
            .col_expr(application::Column::State, Expr::value(next.code()))
            .col_expr(
                application::Column::StateChangedOn,
                Expr::value(Some(now.date_naive())),
            );
    }
    for (column, value) in extra {
        update = update.col_expr(column, value);
    }
    let result = update
        .filter(application::Column::Id.eq(project.id))
        .filter(application::Column::Version.eq(expected_version))
        .exec(txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(PlanServiceError::Conflict(format!(
            "the project changed since you read it (version {} now, you sent {expected_version}): reload and try again",
            project.version
        )));
    }
    application::Entity::find_by_id(project.id)
        .one(txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the updated project".into()).into())
}

/// Sends migrated services back to FAILED after a partially positive verification.
async fn fail_services(
    txn: &DatabaseTransaction,
    principal: &Principal,
    project: &application::Model,
    ids: &[i32],
) -> Result<(), PlanServiceError> {
    let services = planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(project.id))
        .filter(planned_service::Column::Id.is_in(ids.iter().copied()))
        .all(txn)
        .await?;
    if services.len() != ids.len() {
        return Err(invalid(
            "redoServices",
            "name services of this project's plan, each once",
        ));
    }
    let now = Utc::now();
    let mut changes = Vec::with_capacity(services.len());
    for s in &services {
        planned_service::Entity::update_many()
            .col_expr(
                planned_service::Column::Status,
                Expr::value(ServiceState::Failed.code()),
            )
            .col_expr(planned_service::Column::Version, Expr::value(s.version + 1))
            .col_expr(planned_service::Column::UpdatedAt, Expr::value(now))
            .filter(planned_service::Column::Id.eq(s.id))
            .exec(txn)
            .await?;
        changes.push(Change {
            entity_type: nuvola_shared::EntityType::PlannedService,
            entity_id: s.id.to_string(),
            action: "STATUS_CHANGED",
            application_id: Some(project.id),
            before: Some(json!({ "status": s.status })),
            after: Some(json!({
                "status": ServiceState::Failed.code(),
                "version": s.version + 1,
                "cause": "VERIFICATION_PARTIAL",
            })),
        });
    }
    audit::record_many(txn, &principal.actor(), changes).await?;
    Ok(())
}
