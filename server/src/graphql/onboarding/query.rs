use async_graphql::{Context, Object};
use nuvola_shared::{IpaCode, Role, VatNumber};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::object::{
    AccessRequest, AccessRequestFilter, AccessRequestPage, AdministrationSearch, Invitation,
    InvitationPreview, Member,
};
use crate::entity::membership;
use crate::graphql::administration::object::Administration;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::pagination::{decode_cursor, encode_cursor, page_size};
use crate::graphql::viewer::viewer;
use crate::service::{invitations, onboarding};

const QUEUE_CURSOR: &str = "accessRequest:";
const SEARCH_CURSOR: &str = "administrationSearch:";

pub(crate) fn parse_ipa(v: Option<&str>) -> ApiResult<Option<IpaCode>> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(IpaCode::parse)
        .transpose()
        .map_err(|e| ApiError::from_parse("ipaCode", e))
}

pub(crate) fn parse_vat(v: Option<&str>) -> ApiResult<Option<VatNumber>> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(VatNumber::parse)
        .transpose()
        .map_err(|e| ApiError::from_parse("supplierVat", e))
}

#[derive(Default)]
pub struct OnboardingQuery;

#[Object]
impl OnboardingQuery {
    /// Administrations whose name or IPA code contains `text` (at least 2 characters),
    /// ignoring case, by name: the onboarding form's picker. Public. `first` is at most
    /// 100 (default 20); pass a page's `endCursor` as `after` for the next.
    async fn search_administrations(
        &self,
        ctx: &Context<'_>,
        text: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<AdministrationSearch> {
        let first = page_size(first)?;
        let offset = match after.as_deref() {
            Some(c) => decode_cursor(SEARCH_CURSOR, c, |s| s.parse::<u64>().ok())?,
            None => 0,
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let (items, total) = onboarding::search_administrations(db, &text, first, offset).await?;
        let end = offset + items.len() as u64;
        Ok(AdministrationSearch {
            total_count: i64::try_from(total).unwrap_or(i64::MAX),
            has_next_page: end < total,
            end_cursor: (!items.is_empty()).then(|| encode_cursor(SEARCH_CURSOR, end)),
            items: items.into_iter().map(Administration).collect(),
        })
    }

    /// The requests to act for an organisation the logged-in person made, newest first.
    async fn my_access_requests(&self, ctx: &Context<'_>) -> ApiResult<Vec<AccessRequest>> {
        let principal = viewer(ctx).require_writer(&Role::ALL)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(onboarding::mine(db, principal.account_id)
            .await?
            .into_iter()
            .map(AccessRequest)
            .collect())
    }

    /// The department's queue of requests, oldest first, filtered, a page at a time.
    /// DEPARTMENT only. `first` is at most 100 (default 20); pass a page's `endCursor`
    /// as `after` for the next.
    async fn access_requests(
        &self,
        ctx: &Context<'_>,
        filter: Option<AccessRequestFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<AccessRequestPage> {
        viewer(ctx).require(&[Role::Department])?;
        let first = page_size(first)?;
        let after = after
            .as_deref()
            .map(|c| decode_cursor(QUEUE_CURSOR, c, |s| s.parse::<i32>().ok()))
            .transpose()?;
        let filter = filter.unwrap_or_default();
        if filter
            .search
            .as_ref()
            .is_some_and(|s| s.chars().count() > 100)
        {
            return Err(ApiError::invalid(
                "search",
                "a search has at most 100 characters",
            ));
        }
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let page = onboarding::queue(
            db,
            &onboarding::QueueFilter {
                state: filter.state,
                kind: filter.kind,
                search: filter.search,
            },
            first,
            after,
        )
        .await?;
        Ok(AccessRequestPage {
            total_count: i64::try_from(page.total).unwrap_or(i64::MAX),
            has_next_page: page.has_next,
            end_cursor: page.items.last().map(|r| encode_cursor(QUEUE_CURSOR, r.id)),
            items: page.items.into_iter().map(AccessRequest).collect(),
        })
    }

    /// The active members of an organisation: the one the session acts for (any of
    /// its members may read them), or, for the department, the one named (none: the
    /// department's own staff and the verifiers).
    async fn organisation_members(
        &self,
        ctx: &Context<'_>,
        ipa_code: Option<String>,
        supplier_vat: Option<String>,
    ) -> ApiResult<Vec<Member>> {
        let principal = viewer(ctx).require(&[
            Role::Administration,
            Role::Supplier,
            Role::Psn,
            Role::Department,
        ])?;
        let ipa = parse_ipa(ipa_code.as_deref())?;
        let vat = parse_vat(supplier_vat.as_deref())?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let (a, s) =
            invitations::managed_organisation(db, principal, ipa.as_ref(), vat.as_ref(), false)
                .await?;
        let contact = principal.role == Role::Department
            || match principal.membership_id {
                Some(id) => membership::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .is_some_and(|m| m.is_referent),
                None => false,
            };
        let mut q = membership::Entity::find()
            .filter(membership::Column::RemovedAt.is_null())
            .order_by_asc(membership::Column::Id);
        q = match (a, s) {
            (Some(a), _) => q.filter(membership::Column::AdministrationId.eq(a)),
            (None, Some(s)) => q.filter(membership::Column::SupplierId.eq(s)),
            (None, None) => q.filter(
                membership::Column::Role.is_in([Role::Department.code(), Role::Verifier.code()]),
            ),
        };
        Ok(q.all(db)
            .await?
            .into_iter()
            .map(|membership| Member {
                membership,
                contact,
            })
            .collect())
    }

    /// The invitations of an organisation, newest first: its referent's (for the
    /// organisation the session acts for) or the department's (for the one named, or
    /// its own staff and verifiers).
    async fn organisation_invitations(
        &self,
        ctx: &Context<'_>,
        ipa_code: Option<String>,
        supplier_vat: Option<String>,
    ) -> ApiResult<Vec<Invitation>> {
        let principal = viewer(ctx).require(&[
            Role::Administration,
            Role::Supplier,
            Role::Psn,
            Role::Department,
        ])?;
        let ipa = parse_ipa(ipa_code.as_deref())?;
        let vat = parse_vat(supplier_vat.as_deref())?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let (a, s) =
            invitations::managed_organisation(db, principal, ipa.as_ref(), vat.as_ref(), true)
                .await?;
        Ok(invitations::of_organisation(db, a, s)
            .await?
            .into_iter()
            .map(Invitation)
            .collect())
    }

    /// What an invitation link offers, for the logged-in person about to accept it;
    /// null for a link that names no invitation.
    async fn invitation(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> ApiResult<Option<InvitationPreview>> {
        viewer(ctx).require_writer(&Role::ALL)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(invitations::by_token(db, &token)
            .await?
            .map(InvitationPreview))
    }
}
