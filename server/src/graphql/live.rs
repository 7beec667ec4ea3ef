//! Subscriptions over `GET /graphql/ws`: what a WebSocket connection carries, the limits
//! on it, and the stream every subscription field builds on the [`ChangeFeed`].
//!
//! Permissions are checked for every notice delivered, against the project as it is then
//! and a principal re-authenticated at least every [`REAUTHENTICATE_EVERY`]: a logout,
//! an expired token or a disabled account ends the subscription with UNAUTHENTICATED.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::extensions::ExtensionContext;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Context, ErrorExtensions, ServerResult};
use futures_util::stream::{self, BoxStream, StreamExt};
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast::error::RecvError;

use crate::changes::{ChangeFeed, Notice};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::viewer::viewer;
use crate::service::auth::{self, Principal};

/// Subscriptions one WebSocket connection may hold at once.
pub const MAX_SUBSCRIPTIONS_PER_CONNECTION: usize = 16;
/// How often a long-lived subscription checks that its token is still valid.
pub const REAUTHENTICATE_EVERY: Duration = Duration::from_secs(60);

/// The data of one WebSocket connection, set by the HTTP layer at `connection_init`.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The token the connection authenticated with, if any: checked again while the
    /// connection lives.
    token: Option<String>,
    open: Arc<AtomicUsize>,
}

impl Connection {
    pub fn new(token: Option<String>) -> Self {
        Self {
            token,
            open: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Takes one of the connection's subscription slots, given back when the guard drops
    /// (the client completes the subscription or the connection closes).
    fn take_slot(&self) -> ApiResult<Slot> {
        let before = self.open.fetch_add(1, Ordering::SeqCst);
        if before >= MAX_SUBSCRIPTIONS_PER_CONNECTION {
            self.open.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::RateLimited {
                message: format!(
                    "at most {MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection: complete one first"
                ),
                retry_after_secs: 0,
            });
        }
        Ok(Slot {
            open: self.open.clone(),
            counted: false,
        })
    }
}

/// One open subscription of a connection.
struct Slot {
    open: Arc<AtomicUsize>,
    /// Whether it counts in the `subscriptions_active` gauge (once it listens).
    counted: bool,
}

impl Slot {
    fn count(&mut self) {
        self.counted = true;
        crate::metrics::subscription_opened();
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
        if self.counted {
            crate::metrics::subscription_closed();
        }
    }
}

/// The feed of the schema: every schema built by [`crate::graphql::build_schema`] has one.
pub fn feed<'a>(ctx: &Context<'a>) -> ApiResult<&'a ChangeFeed> {
    ctx.data_opt::<ChangeFeed>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the schema has no change feed")))
}

/// Who a subscription delivers to, kept current while it lives.
struct Audience {
    db: DatabaseConnection,
    token: Option<String>,
    principal: Option<Principal>,
    checked_at: Instant,
}

impl Audience {
    /// Re-authenticates the token when the last check is old.
    async fn refresh(&mut self) -> ApiResult<()> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        if self.checked_at.elapsed() < REAUTHENTICATE_EVERY {
            return Ok(());
        }
        match auth::authenticate(&self.db, token).await? {
            Some(principal) => {
                self.principal = Some(principal);
                self.checked_at = Instant::now();
                Ok(())
            }
            None => Err(ApiError::Unauthenticated(
                "the token is no longer valid (logged out, expired or revoked): log in and subscribe again"
                    .to_owned(),
            )),
        }
    }
}

/// What a subscription field returns: its items, or the error that ends it.
pub type Live<T> = BoxStream<'static, ApiResult<T>>;

/// The stream of a subscription: each notice of the feed that `keep` turns into an item,
/// for the caller as it is when the notice arrives. Takes a slot of the connection.
pub async fn stream<T, F>(ctx: &Context<'_>, keep: F) -> ApiResult<Live<T>>
where
    T: Send + 'static,
    F: FnMut(&Notice, Option<&Principal>) -> Option<T> + Send + 'static,
{
    let connection = ctx.data_opt::<Connection>();
    let mut slot = connection.map(Connection::take_slot).transpose()?;
    let feed = feed(ctx)?;
    let audience = Audience {
        db: feed.db().clone(),
        token: connection.and_then(|c| c.token.clone()),
        principal: viewer(ctx).principal().cloned(),
        checked_at: Instant::now(),
    };
    let receiver = feed.subscribe().await;
    if let Some(slot) = &mut slot {
        slot.count();
    }
    struct State<F> {
        receiver: tokio::sync::broadcast::Receiver<Arc<Notice>>,
        audience: Audience,
        keep: F,
        ended: bool,
        _slot: Option<Slot>,
    }
    let state = State {
        receiver,
        audience,
        keep,
        ended: false,
        _slot: slot,
    };
    Ok(stream::unfold(state, |mut s| async move {
        if s.ended {
            return None;
        }
        loop {
            match s.receiver.recv().await {
                Ok(notice) => {
                    if let Err(e) = s.audience.refresh().await {
                        s.ended = true;
                        return Some((Err(e), s));
                    }
                    if let Some(item) = (s.keep)(&notice, s.audience.principal.as_ref()) {
                        return Some((Ok(item), s));
                    }
                }
                Err(RecvError::Lagged(skipped)) => {
                    // A slow consumer skips; it never holds up the feed or the others.
                    tracing::warn!(
                        skipped,
                        "a subscriber fell behind the change feed and skipped notices"
                    );
                }
                Err(RecvError::Closed) => return None,
            }
        }
    })
    .boxed())
}

/// Over `/graphql/ws` only subscriptions run: queries and mutations go to `POST /graphql`,
/// which applies the rate limit per request. Checked on every parsed document by
/// [`crate::graphql::limits::QueryLimits`], the extension of the schema subscriptions run on.
pub fn refuse_over_websocket(
    ctx: &ExtensionContext<'_>,
    document: &ExecutableDocument,
) -> ServerResult<()> {
    let over_websocket = ctx.data_opt::<Connection>().is_some();
    if over_websocket
        && document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty != OperationType::Subscription)
    {
        crate::metrics::graphql_error("BAD_REQUEST");
        return Err(async_graphql::Error::new(
            "only subscriptions are served over /graphql/ws: POST queries and mutations to /graphql",
        )
        .extend_with(|_, ext| ext.set("code", "BAD_REQUEST"))
        .into_server_error(async_graphql::Pos::default()));
    }
    Ok(())
}
