//! The one error type of the GraphQL boundary. Each error carries a stable
//! `extensions.code` that the browser translates; internal causes are logged, never
//! returned.

use async_graphql::ErrorExtensions;
use nuvola_shared::{ErrorCode, ParseError};

/// The code of [`ApiError::Unavailable`], answered with HTTP 503.
pub const UNAVAILABLE: &str = "UNAVAILABLE";
/// What a client reads when the database cannot be reached.
pub const UNAVAILABLE_MESSAGE: &str =
    "the service is temporarily unavailable (the database cannot be reached): retry in a few seconds";
/// Seconds a client is asked to wait before retrying an `UNAVAILABLE` request.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

/// An error of the API. Deliberately not `Display`: it converts into a GraphQL error
/// only through `From`, which strips internal detail.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The request needs a valid token (none, expired or revoked).
    Unauthenticated(String),
    /// The caller may not do or see this.
    Forbidden(String),
    /// Too many requests or attempts; retry after this many seconds.
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    NotFound(String),
    /// A stale version or a uniqueness clash.
    Conflict(String),
    /// The life cycle does not allow this move from the current state (or its
    /// precondition, e.g. every service migrated, does not hold yet).
    InvalidTransition(String),
    /// The input is malformed; `field` names the argument.
    InvalidInput {
        field: String,
        message: String,
    },
    /// The deadline for this action has passed.
    DeadlinePassed(String),
    /// The database (or another required service) cannot be reached now; the request
    /// may be retried. Logged with its cause; HTTP 503.
    Unavailable(std::sync::Arc<anyhow::Error>),
    /// Anything else. Logged with its cause; the client sees only the code.
    Internal(std::sync::Arc<anyhow::Error>),
}

impl ApiError {
    /// The stable code, one of the schema's `ErrorCode` enum.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            ApiError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::Conflict(_) => ErrorCode::Conflict,
            ApiError::InvalidTransition(_) => ErrorCode::InvalidTransition,
            ApiError::InvalidInput { .. } => ErrorCode::InvalidInput,
            ApiError::DeadlinePassed(_) => ErrorCode::DeadlinePassed,
            ApiError::Unavailable(_) => ErrorCode::Unavailable,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn code(&self) -> &'static str {
        self.error_code().code()
    }

    /// An internal failure: logged, never shown. A database that cannot be reached
    /// anywhere in the cause's chain makes it [`ApiError::Unavailable`] instead.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let cause = cause.into();
        if crate::db::chain_is_unavailable(&cause) {
            ApiError::Unavailable(std::sync::Arc::new(cause))
        } else {
            ApiError::Internal(std::sync::Arc::new(cause))
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::InvalidInput {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// A domain value that did not parse, attributed to an argument.
    pub fn from_parse(field: &str, err: ParseError) -> Self {
        ApiError::invalid(field, err.to_string())
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::internal(e)
    }
}

impl From<std::sync::Arc<sea_orm::DbErr>> for ApiError {
    fn from(e: std::sync::Arc<sea_orm::DbErr>) -> Self {
        if crate::db::is_unavailable(&e) {
            ApiError::Unavailable(std::sync::Arc::new(anyhow::anyhow!("{e}")))
        } else {
            ApiError::internal(anyhow::anyhow!("{e}"))
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::internal(e)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        let code = e.code();
        crate::metrics::graphql_error(code);
        let retry_after = match &e {
            ApiError::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            ApiError::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        };
        let (message, field) = match e {
            ApiError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error in a GraphQL resolver");
                ("internal error".to_owned(), None)
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "the database cannot be reached");
                (UNAVAILABLE_MESSAGE.to_owned(), None)
            }
            ApiError::InvalidInput { field, message } => (message, Some(field)),
            ApiError::RateLimited { message, .. } => (message, None),
            ApiError::Unauthenticated(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::InvalidTransition(m)
            | ApiError::DeadlinePassed(m) => (m, None),
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
            if let Some(secs) = retry_after {
                ext.set("retryAfter", secs);
            }
        })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A value of a closed set read back from the database, parsed into its `shared` type
/// (the API's enum). The server wrote it with the same type, so one that does not parse
/// is an internal error, logged.
pub fn stored<T>(parsed: Result<T, ParseError>) -> ApiResult<T> {
    parsed.map_err(ApiError::internal)
}

/// Like [`stored`], for a nullable column.
pub fn stored_opt<T>(
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, ParseError>,
) -> ApiResult<Option<T>> {
    value.map(parse).transpose().map_err(ApiError::internal)
}
