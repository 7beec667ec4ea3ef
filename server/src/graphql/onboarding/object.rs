use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use nuvola_shared::{AccessRequestState, InvitationState, OrganisationKind, Role};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::entity::{account, administration, invitation, membership, onboarding_request};
use crate::graphql::administration::object::Administration;
use crate::graphql::error::{ApiError, ApiResult};
use crate::service::onboarding::OnboardingError;

impl From<OnboardingError> for ApiError {
    fn from(e: OnboardingError) -> Self {
        match e {
            OnboardingError::Invalid { field, message } => ApiError::invalid(field, message),
            OnboardingError::NotFound(m) => ApiError::NotFound(m),
            OnboardingError::Forbidden(m) => ApiError::Forbidden(m),
            OnboardingError::Conflict(m) => ApiError::Conflict(m),
            OnboardingError::Expired(m) => ApiError::DeadlinePassed(m),
            OnboardingError::Db(e) => ApiError::internal(e),
        }
    }
}

/// A person as the department's queue and an organisation's members page show them.
pub struct Person {
    pub model: account::Model,
    /// Whether the reader may see the e-mail address (the department, a referent).
    pub contact: bool,
}

#[Object]
impl Person {
    async fn username(&self) -> &str {
        &self.model.username
    }

    /// The name to show, when known (from the identity provider or the account).
    async fn display_name(&self) -> Option<&str> {
        self.model.display_name.as_deref()
    }

    /// The fiscal code an identity provider asserted; shown to the department and to
    /// referents only.
    async fn fiscal_code(&self) -> Option<&str> {
        self.contact
            .then_some(self.model.fiscal_code.as_deref())
            .flatten()
    }

    /// The person's e-mail address; shown to the department and to referents only.
    async fn email(&self) -> Option<&str> {
        self.contact
            .then_some(self.model.email.as_deref())
            .flatten()
    }
}

async fn person(ctx: &Context<'_>, id: i32, contact: bool) -> ApiResult<Option<Person>> {
    let db = ctx.data_unchecked::<DatabaseConnection>();
    Ok(account::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|model| Person { model, contact }))
}

/// A request to act for an organisation (*richiesta di accesso*): an administration,
/// a known supplier, or a supplier it registers. Seen by the person who made it and by
/// the department.
pub struct AccessRequest(pub onboarding_request::Model);

#[Object]
impl AccessRequest {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn kind(&self) -> OrganisationKind {
        OrganisationKind::parse(&self.0.kind).unwrap_or(OrganisationKind::Administration)
    }

    /// The role the membership has once approved.
    async fn role(&self) -> Role {
        Role::parse(&self.0.role).unwrap_or(Role::Public)
    }

    async fn state(&self) -> AccessRequestState {
        AccessRequestState::parse(&self.0.state).unwrap_or(AccessRequestState::Pending)
    }

    /// The administration's or the supplier's name (the proposed one for a new supplier).
    async fn organisation_name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(crate::service::onboarding::organisation_name(db, &self.0).await?)
    }

    /// The administration asked for.
    async fn administration(&self, ctx: &Context<'_>) -> ApiResult<Option<Administration>> {
        let Some(id) = self.0.administration_id else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(administration::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(Administration))
    }

    /// The supplier's VAT number (partita IVA).
    async fn supplier_vat(&self) -> Option<&str> {
        self.0.supplier_vat.as_deref()
    }

    /// The supplier's name.
    async fn supplier_name(&self) -> Option<&str> {
        self.0.supplier_name.as_deref()
    }

    /// The address a new supplier gave (e.g. its PEC).
    async fn supplier_email(&self) -> Option<&str> {
        self.0.supplier_email.as_deref()
    }

    /// Whether approving it registers a supplier not known yet.
    async fn registers_supplier(&self) -> bool {
        self.0.kind == OrganisationKind::Supplier.code() && self.0.supplier_id.is_none()
    }

    /// The requester's note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The department's reason, for a rejected request.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// Who asked.
    async fn requester(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        person(ctx, self.0.account_id, true).await
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was decided, withdrawn or expired.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
}

/// A page of the department's queue, oldest first.
#[derive(SimpleObject)]
pub struct AccessRequestPage {
    /// How many requests match the filter, across all pages.
    pub total_count: i64,
    pub items: Vec<AccessRequest>,
    pub has_next_page: bool,
    /// Give it as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// The filters of the department's queue.
#[derive(InputObject, Default)]
pub struct AccessRequestFilter {
    pub state: Option<AccessRequestState>,
    pub kind: Option<OrganisationKind>,
    /// Words of the person's name, username or fiscal code, or of the organisation's
    /// name, IPA code or VAT number, ignoring case.
    pub search: Option<String>,
}

/// What a person asks for: an administration by IPA code, or a supplier by VAT number
/// (with its name, and optionally its address, when the supplier is not known yet).
#[derive(InputObject)]
pub struct AccessRequestInput {
    pub ipa_code: Option<String>,
    pub supplier_vat: Option<String>,
    pub supplier_name: Option<String>,
    /// An address of the supplier (e.g. its PEC).
    pub supplier_email: Option<String>,
    /// A short note for the department (at most 1,000 characters).
    pub note: Option<String>,
}

/// A page of administrations found by name or IPA code.
#[derive(SimpleObject)]
pub struct AdministrationSearch {
    pub total_count: i64,
    pub items: Vec<Administration>,
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// An invitation to act for an organisation, sent by e-mail. Seen by its
/// organisation's referent and by the department.
pub struct Invitation(pub invitation::Model);

#[Object]
impl Invitation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The invited address.
    async fn email(&self) -> &str {
        &self.0.email
    }

    async fn role(&self) -> Role {
        Role::parse(&self.0.role).unwrap_or(Role::Public)
    }

    /// EXPIRED as soon as its expiry passes, even before the periodic job records it.
    async fn state(&self) -> InvitationState {
        self.state_now()
    }

    async fn organisation_name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(crate::service::invitations::organisation_of(db, &self.0).await?)
    }

    /// A verifier body's or department office's name, when given.
    async fn body_name(&self) -> Option<&str> {
        self.0.body_name.as_deref()
    }

    /// Who invited.
    async fn invited_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        person(ctx, self.0.invited_by, false).await
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
}

/// What an invitation link offers, shown to the logged-in person before accepting.
pub struct InvitationPreview(pub invitation::Model);

#[Object]
impl InvitationPreview {
    async fn organisation_name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(crate::service::invitations::organisation_of(db, &self.0).await?)
    }

    async fn role(&self) -> Role {
        Role::parse(&self.0.role).unwrap_or(Role::Public)
    }

    /// PENDING only while it can be accepted.
    async fn state(&self) -> InvitationState {
        Invitation(self.0.clone()).state_now()
    }

    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
}

impl Invitation {
    pub fn state_now(&self) -> InvitationState {
        let state = InvitationState::parse(&self.0.state).unwrap_or(InvitationState::Expired);
        if state == InvitationState::Pending && self.0.expires_at <= Utc::now() {
            InvitationState::Expired
        } else {
            state
        }
    }
}

/// A member of an organisation: a person's membership of it.
pub struct Member {
    pub membership: membership::Model,
    /// Whether the reader sees contact details (the department, a referent).
    pub contact: bool,
}

#[Object]
impl Member {
    /// The membership's id (for `removeMembership`).
    async fn id(&self) -> ID {
        ID(self.membership.id.to_string())
    }

    async fn role(&self) -> Role {
        Role::parse(&self.membership.role).unwrap_or(Role::Public)
    }

    /// The organisation's referent: invites colleagues and removes members.
    async fn is_referent(&self) -> bool {
        self.membership.is_referent
    }

    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        person(ctx, self.membership.account_id, self.contact).await
    }

    /// Since when the person acts for the organisation.
    async fn created_at(&self) -> DateTime<Utc> {
        self.membership.created_at
    }
}

/// Who is invited, to what. A referent invites to the organisation it acts for; the
/// department names the organisation (`ipaCode` or `supplierVat`), or none for its own
/// staff (DEPARTMENT) and verifiers (VERIFIER, with the body's name).
#[derive(InputObject)]
pub struct InvitationInput {
    pub email: String,
    pub role: Role,
    pub ipa_code: Option<String>,
    pub supplier_vat: Option<String>,
    pub body_name: Option<String>,
}
