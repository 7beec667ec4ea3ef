//! The WebSocket transport of subscriptions (`GET /graphql/ws`): async-graphql's
//! protocol engine (`graphql-transport-ws` and the legacy `graphql-ws`) on an actix
//! actor, as async-graphql-actix-web does it, plus one thing it lacks: when the server
//! shuts down, every connection is closed with a close frame (1001, "going away") instead
//! of being cut, so that clients know to reconnect elsewhere at once.

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::{Duration, Instant};

use actix::{
    Actor, ActorContext, ActorFutureExt, ActorStreamExt, AsyncContext, ContextFutureSpawner,
    StreamHandler, WrapFuture, WrapStream,
};
use actix_web::web::Bytes;
use actix_web::{error::PayloadError, HttpRequest, HttpResponse};
use actix_web_actors::ws::{
    self, CloseCode, CloseReason, Message, ProtocolError, WebsocketContext,
};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::{Data, Result};
use futures_util::stream::Stream;
use tokio::sync::watch;

use crate::graphql::NuvolaSchema;

/// How often the server pings; a client silent for [`CLIENT_TIMEOUT`] is dropped.
const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(5);
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client has to answer the server's close frame before the connection is
/// dropped anyway.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// What turns a `connection_init` payload into the connection's data (or refuses it).
pub(super) type OnInit = Box<
    dyn FnOnce(serde_json::Value) -> Pin<Box<dyn Future<Output = Result<Data>> + Send>>
        + Send
        + Unpin,
>;

/// Starts a subscription connection. `shutdown` turns true when the server stops.
pub(super) fn start<S>(
    schema: NuvolaSchema,
    on_init: OnInit,
    shutdown: watch::Receiver<bool>,
    request: &HttpRequest,
    stream: S,
) -> actix_web::Result<HttpResponse>
where
    S: Stream<Item = std::result::Result<Bytes, PayloadError>> + 'static,
{
    let protocol = request
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|value| value.to_str().ok())
        .and_then(|protocols| {
            protocols
                .split(',')
                .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        })
        .ok_or_else(|| {
            actix_web::error::ErrorBadRequest("no supported GraphQL WebSocket protocol")
        })?;
    let actor = Subscriptions {
        schema,
        protocol,
        on_init: Some(on_init),
        shutdown,
        last_heartbeat: Instant::now(),
        messages: None,
        continuation: Vec::new(),
    };
    ws::WsResponseBuilder::new(actor, request, stream)
        .protocols(&ALL_WEBSOCKET_PROTOCOLS)
        .start()
}

struct Subscriptions {
    schema: NuvolaSchema,
    protocol: WebSocketProtocols,
    on_init: Option<OnInit>,
    shutdown: watch::Receiver<bool>,
    last_heartbeat: Instant,
    /// The client's messages, to the protocol engine.
    messages: Option<async_channel::Sender<Vec<u8>>>,
    continuation: Vec<u8>,
}

impl Actor for Subscriptions {
    type Context = WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(HEARTBEAT_INTERVAL, |act, ctx| {
            if Instant::now().duration_since(act.last_heartbeat) > CLIENT_TIMEOUT {
                ctx.stop();
            }
            ctx.ping(b"");
        });

        let (tx, rx) = async_channel::unbounded();
        let Some(on_init) = self.on_init.take() else {
            ctx.stop();
            return;
        };
        WebSocket::new(self.schema.clone(), rx, self.protocol)
            .on_connection_init(on_init)
            .into_actor(self)
            .map(|response, _act, ctx| match response {
                WsMessage::Text(text) => ctx.text(text),
                WsMessage::Close(code, msg) => ctx.close(Some(CloseReason {
                    code: code.into(),
                    description: Some(msg),
                })),
            })
            .finish()
            .spawn(ctx);
        self.messages = Some(tx);

        // The server stops: say so with a close frame, give the client a moment to
        // answer it, then drop the connection so that the server's drain can finish.
        let mut shutdown = self.shutdown.clone();
        async move {
            let _ = shutdown.wait_for(|stopping| *stopping).await;
        }
        .into_actor(self)
        .map(|_, _act, ctx| {
            ctx.close(Some(CloseReason {
                code: CloseCode::Away,
                description: Some("the server is shutting down: reconnect".to_owned()),
            }));
            ctx.run_later(CLOSE_GRACE, |_, ctx| ctx.stop());
        })
        .spawn(ctx);
    }
}

impl StreamHandler<std::result::Result<Message, ProtocolError>> for Subscriptions {
    fn handle(
        &mut self,
        msg: std::result::Result<Message, ProtocolError>,
        ctx: &mut Self::Context,
    ) {
        let Ok(msg) = msg else {
            ctx.stop();
            return;
        };
        let message = match msg {
            Message::Ping(msg) => {
                self.last_heartbeat = Instant::now();
                ctx.pong(&msg);
                None
            }
            Message::Pong(_) => {
                self.last_heartbeat = Instant::now();
                None
            }
            Message::Continuation(item) => match item {
                actix_http::ws::Item::FirstText(bytes)
                | actix_http::ws::Item::FirstBinary(bytes) => {
                    self.continuation = bytes.to_vec();
                    None
                }
                actix_http::ws::Item::Continue(bytes) => {
                    self.continuation.extend_from_slice(&bytes);
                    None
                }
                actix_http::ws::Item::Last(bytes) => {
                    self.continuation.extend_from_slice(&bytes);
                    Some(std::mem::take(&mut self.continuation))
                }
            },
            Message::Text(s) => Some(s.into_bytes().to_vec()),
            Message::Binary(bytes) => Some(bytes.to_vec()),
            Message::Close(_) => {
                ctx.stop();
                None
            }
            Message::Nop => None,
        };
        if let (Some(message), Some(sender)) = (message, self.messages.clone()) {
            async move { sender.send(message).await }
                .into_actor(self)
                .map(|res, _actor, ctx| {
                    if res.is_err() {
                        ctx.stop();
                    }
                })
                .spawn(ctx);
        }
    }
}
