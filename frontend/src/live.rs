//! Live updates of one project over `/graphql/ws` (protocol `graphql-transport-ws`):
//! `connection_init` → `connection_ack` → `subscribe` → `next`… The session cookie
//! authenticates the upgrade. A plain `web_sys::WebSocket` keeps the wasm small.
//!
//! When the socket closes (network, server restart) the feed says so and opens a new one
//! after 1 s, then 2, 4… up to 30 s between attempts. The server does not replay what
//! happened meanwhile, so a feed that comes back reports [`Change::Resumed`] and the page
//! reloads its data once: nothing missed is lost.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::Deserialize;
use serde_json::{json, Value};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};

/// What the feed reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The server accepted the first connection: changes from now on arrive.
    Connected,
    /// The feed is back after an interruption: reload what may have been missed.
    Resumed,
    /// A planned service moved.
    Service { name: String, status: String },
    /// The project moved.
    Project { state: String },
    /// The feed stopped (network, server restart, session ended); the next attempt is
    /// in `retry_in` seconds.
    Lost { retry_in: u32 },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceChange {
    name: String,
    status: String,
}

#[derive(Deserialize)]
struct ProjectChange {
    state: String,
}

const SERVICES: &str =
    "subscription S($cup: String!) { serviceStatusChanged(cup: $cup) { serviceId name status } }";
const PROJECT: &str = "subscription P($cup: String!) { projectStateChanged(cup: $cup) { state } }";

/// The first wait before reconnecting, and the longest, in seconds.
const FIRST_RETRY: u32 = 1;
const LAST_RETRY: u32 = 30;

/// One socket with the handlers that must live as long as it.
struct Socket {
    socket: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_open: Closure<dyn FnMut()>,
    _on_close: Closure<dyn FnMut()>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.socket.set_onmessage(None);
        self.socket.set_onopen(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

struct State {
    cup: String,
    on_change: Box<dyn Fn(Change)>,
    socket: RefCell<Option<Socket>>,
    /// The wait before the next attempt, doubled at each failure.
    retry: Cell<u32>,
    /// Whether a connection was ever acknowledged (a new one is then a resumption).
    acknowledged: Cell<bool>,
}

/// An open feed; dropping it closes the socket and stops reconnecting.
pub struct Feed {
    _state: Rc<State>,
}

fn endpoint() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/graphql/ws", location.host().ok()?))
}

/// Subscribes to the service and project changes of `cup`; `on_change` gets each.
pub fn follow(cup: &str, on_change: impl Fn(Change) + 'static) -> Option<Feed> {
    endpoint()?;
    let state = Rc::new(State {
        cup: cup.to_owned(),
        on_change: Box::new(on_change),
        socket: RefCell::new(None),
        retry: Cell::new(FIRST_RETRY),
        acknowledged: Cell::new(false),
    });
    connect(&state);
    Some(Feed { _state: state })
}

/// Opens a socket; its handlers hold the state weakly, so a dropped feed stops.
fn connect(state: &Rc<State>) {
    let Some(socket) =
        endpoint().and_then(|url| WebSocket::new_with_str(&url, "graphql-transport-ws").ok())
    else {
        lost(state);
        return;
    };

    let opener = socket.clone();
    let on_open = Closure::<dyn FnMut()>::new(move || {
        let _ = opener.send_with_str(r#"{"type":"connection_init","payload":{}}"#);
    });

    let sender = socket.clone();
    let weak = Rc::downgrade(state);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(state) = weak.upgrade() else {
            return;
        };
        let Some(message) = e
            .data()
            .as_string()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        else {
            return;
        };
        let told = &state.on_change;
        match message["type"].as_str() {
            Some("connection_ack") => {
                for (id, query) in [("services", SERVICES), ("project", PROJECT)] {
                    let subscribe = json!({
                        "id": id, "type": "subscribe",
                        "payload": { "query": query, "variables": { "cup": state.cup } }
                    });
                    let _ = sender.send_with_str(&subscribe.to_string());
                }
                state.retry.set(FIRST_RETRY);
                told(if state.acknowledged.replace(true) {
                    Change::Resumed
                } else {
                    Change::Connected
                });
            }
            Some("ping") => {
                let _ = sender.send_with_str(r#"{"type":"pong"}"#);
            }
            Some("next") => {
                let data = &message["payload"]["data"];
                if let Ok(s) = ServiceChange::deserialize(&data["serviceStatusChanged"]) {
                    told(Change::Service {
                        name: s.name,
                        status: s.status,
                    });
                } else if let Ok(p) = ProjectChange::deserialize(&data["projectStateChanged"]) {
                    told(Change::Project { state: p.state });
                }
            }
            // A subscription refused (e.g. the session ended): no point in retrying it.
            Some("error") => told(Change::Lost { retry_in: 0 }),
            _ => {}
        }
    });

    let weak = Rc::downgrade(state);
    let on_close = Closure::<dyn FnMut()>::new(move || {
        if let Some(state) = weak.upgrade() {
            lost(&state);
        }
    });

    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    // The socket replaced is closed already; its handlers are not running (this runs
    // from a timer or from `follow`), so dropping them here is safe.
    *state.socket.borrow_mut() = Some(Socket {
        socket,
        _on_message: on_message,
        _on_open: on_open,
        _on_close: on_close,
    });
}

/// The socket closed, or could not open: tell the page when the next attempt is, and
/// make it then.
fn lost(state: &Rc<State>) {
    let wait = state.retry.get();
    state.retry.set((wait * 2).min(LAST_RETRY));
    (state.on_change)(Change::Lost { retry_in: wait });
    let weak = Rc::downgrade(state);
    let again = Closure::once_into_js(move || {
        if let Some(state) = weak.upgrade() {
            connect(&state);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            again.unchecked_ref(),
            (wait * 1000) as i32,
        );
    }
}
