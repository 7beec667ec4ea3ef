//! Live updates of one project over `/graphql/ws` (protocol `graphql-transport-ws`):
//! `connection_init` → `connection_ack` → `subscribe` → `next`… The session cookie
//! authenticates the upgrade. A plain `web_sys::WebSocket` keeps the wasm small; there
//! is no reconnection: a page that loses the feed says so and a reload starts a new one.

use serde::Deserialize;
use serde_json::{json, Value};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};

/// What the feed reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The server accepted the connection: changes from now on arrive.
    Connected,
    /// A planned service moved.
    Service { name: String, status: String },
    /// The project moved.
    Project { state: String },
    /// The feed stopped (network, server restart, session ended).
    Lost,
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

/// An open feed; dropping it closes the socket.
pub struct Feed {
    socket: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_open: Closure<dyn FnMut()>,
    _on_close: Closure<dyn FnMut()>,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.socket.set_onmessage(None);
        self.socket.set_onopen(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
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
    let socket = WebSocket::new_with_str(&endpoint()?, "graphql-transport-ws").ok()?;
    let on_change = std::rc::Rc::new(on_change);

    let opener = socket.clone();
    let on_open = Closure::<dyn FnMut()>::new(move || {
        let _ = opener.send_with_str(r#"{"type":"connection_init","payload":{}}"#);
    });

    let sender = socket.clone();
    let cup = cup.to_owned();
    let told = on_change.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(text) = e.data().as_string() else {
            return;
        };
        let Ok(message) = serde_json::from_str::<Value>(&text) else {
            return;
        };
        match message["type"].as_str() {
            Some("connection_ack") => {
                for (id, query) in [("services", SERVICES), ("project", PROJECT)] {
                    let subscribe = json!({
                        "id": id, "type": "subscribe",
                        "payload": { "query": query, "variables": { "cup": cup } }
                    });
                    let _ = sender.send_with_str(&subscribe.to_string());
                }
                told(Change::Connected);
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
            Some("error") => told(Change::Lost),
            _ => {}
        }
    });

    let lost = on_change.clone();
    let on_close = Closure::<dyn FnMut()>::new(move || lost(Change::Lost));

    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    Some(Feed {
        socket,
        _on_message: on_message,
        _on_open: on_open,
        _on_close: on_close,
    })
}
