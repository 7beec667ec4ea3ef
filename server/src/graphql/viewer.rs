//! Who is asking: every resolver that is not public asks the [`Viewer`] first.
//!
//! The HTTP layer authenticates the bearer token (or the session cookie) once per request
//! and puts the `Viewer` into the request's data; no token means PUBLIC.

use std::net::IpAddr;

use async_graphql::Context;
use nuvola_shared::Role;

use crate::graphql::error::{ApiError, ApiResult};
use crate::service::auth::Principal;

/// The authenticated principal of a request, or nobody (PUBLIC).
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<Principal>);

/// Facts about the HTTP request that some resolvers need.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The client's address (the peer, or the proxy's `X-Forwarded-For` when trusted).
    pub address: Option<IpAddr>,
}

impl Viewer {
    pub fn role(&self) -> Role {
        self.0.as_ref().map_or(Role::Public, |p| p.role)
    }

    pub fn principal(&self) -> Option<&Principal> {
        self.0.as_ref()
    }

    /// The principal, if its role is one of `roles`.
    pub fn require(&self, roles: &[Role]) -> ApiResult<&Principal> {
        let principal = self.0.as_ref().ok_or_else(|| {
            ApiError::Unauthenticated("log in first: this needs a valid token".to_owned())
        })?;
        if principal.membership_id.is_none()
            && !principal.read_only
            && !roles.contains(&principal.role)
        {
            return Err(ApiError::Forbidden(
                "choose the organisation you act for first (selectMembership)".to_owned(),
            ));
        }
        if !roles.contains(&principal.role) {
            return Err(ApiError::Forbidden(format!(
                "the role {} may not do this",
                principal.role.code()
            )));
        }
        Ok(principal)
    }

    /// Like [`Viewer::require`], for changes: third-party API tokens only read.
    pub fn require_writer(&self, roles: &[Role]) -> ApiResult<&Principal> {
        let principal = self.require(roles)?;
        if principal.read_only {
            return Err(ApiError::Forbidden(
                "API tokens are read-only: log in as a person to make changes".to_owned(),
            ));
        }
        Ok(principal)
    }
}

/// The viewer of the request (PUBLIC when the request carries none, as in tests that
/// call the schema directly).
pub fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    static PUBLIC: Viewer = Viewer(None);
    ctx.data_opt::<Viewer>().unwrap_or(&PUBLIC)
}

pub fn request_meta<'a>(ctx: &Context<'a>) -> &'a RequestMeta {
    static NONE: RequestMeta = RequestMeta { address: None };
    ctx.data_opt::<RequestMeta>().unwrap_or(&NONE)
}
