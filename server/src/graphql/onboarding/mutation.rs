use async_graphql::{Context, Object, ID};
use nuvola_shared::Role;
use sea_orm::DatabaseConnection;

use super::object::{AccessRequest, AccessRequestInput, Invitation, InvitationInput};
use super::query::{parse_ipa, parse_vat};
use crate::graphql::account::object::Membership;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::viewer::viewer;
use crate::service::invitations::{self, NewInvitation};
use crate::service::onboarding::{self, NewRequest};

fn parse_id(id: &ID, what: &str) -> ApiResult<i32> {
    id.parse()
        .map_err(|_| ApiError::invalid("id", format!("not the id of {what}")))
}

#[derive(Default)]
pub struct OnboardingMutation;

#[Object]
impl OnboardingMutation {
    /// Asks to act for an administration (`ipaCode`) or a supplier (`supplierVat`,
    /// with `supplierName` when the supplier is not known yet: approving registers
    /// it). Any logged-in person, also one who acts for nobody yet. One pending request
    /// per person and organisation.
    async fn request_access(
        &self,
        ctx: &Context<'_>,
        input: AccessRequestInput,
    ) -> ApiResult<AccessRequest> {
        let principal = viewer(ctx).require_writer(&Role::ALL)?;
        let new = NewRequest {
            ipa_code: parse_ipa(input.ipa_code.as_deref())?,
            supplier_vat: parse_vat(input.supplier_vat.as_deref())?,
            supplier_name: input.supplier_name,
            supplier_email: input.supplier_email,
            note: input.note,
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(AccessRequest(onboarding::submit(db, principal, new).await?))
    }

    /// Withdraws a pending request of one's own.
    async fn withdraw_access_request(&self, ctx: &Context<'_>, id: ID) -> ApiResult<AccessRequest> {
        let principal = viewer(ctx).require_writer(&Role::ALL)?;
        let id = parse_id(&id, "a request")?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(AccessRequest(
            onboarding::withdraw(db, principal, id).await?,
        ))
    }

    /// Approves a pending request: the person acts for the organisation from now on
    /// (its referent when it has none), and a new supplier is registered. The
    /// requester is notified. DEPARTMENT only, never for one's own request.
    async fn approve_access_request(&self, ctx: &Context<'_>, id: ID) -> ApiResult<AccessRequest> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let id = parse_id(&id, "a request")?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(AccessRequest(onboarding::approve(db, principal, id).await?))
    }

    /// Rejects a pending request with its reason (5 to 1,000 characters), which the
    /// requester reads. DEPARTMENT only, never for one's own request.
    async fn reject_access_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> ApiResult<AccessRequest> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let id = parse_id(&id, "a request")?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(AccessRequest(
            onboarding::reject(db, principal, id, &reason).await?,
        ))
    }

    /// Invites someone by e-mail to act for an organisation: a referent to the one it
    /// acts for, in its role; the department to any, or its own staff and verifiers.
    /// The e-mail carries a link that works once, for 7 days.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        input: InvitationInput,
    ) -> ApiResult<Invitation> {
        let principal = viewer(ctx).require_writer(&[
            Role::Administration,
            Role::Supplier,
            Role::Psn,
            Role::Department,
        ])?;
        let new = NewInvitation {
            email: input.email,
            role: input.role,
            ipa_code: parse_ipa(input.ipa_code.as_deref())?,
            supplier_vat: parse_vat(input.supplier_vat.as_deref())?,
            body_name: input.body_name,
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let (model, _token) = invitations::invite(db, principal, new).await?;
        Ok(Invitation(model))
    }

    /// Revokes a pending invitation: its organisation's referent or the department.
    async fn revoke_invitation(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Invitation> {
        let principal = viewer(ctx).require_writer(&[
            Role::Administration,
            Role::Supplier,
            Role::Psn,
            Role::Department,
        ])?;
        let id = parse_id(&id, "an invitation")?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Invitation(invitations::revoke(db, principal, id).await?))
    }

    /// Accepts an invitation with the token of its link: once, before it expires. Any
    /// logged-in person; the session acts for the new membership if it acted for none.
    async fn accept_invitation(&self, ctx: &Context<'_>, token: String) -> ApiResult<Membership> {
        let principal = viewer(ctx).require_writer(&Role::ALL)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Membership(
            invitations::accept(db, principal, &token).await?,
        ))
    }
}
