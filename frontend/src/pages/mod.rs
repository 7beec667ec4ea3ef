//! The pages of the application, one module each, and the pieces they share.

mod administration;
mod api_docs;
mod catalogue;
mod contracts;
mod dashboard;
mod department;
mod explorer;
mod imports;
mod info;
mod login;
mod notifications;
mod onboarding;
mod preferences;
mod project;
mod requests;
mod service;
mod supplier;
mod verifier;
mod webhooks;

pub use administration::{AdministrationHome, AdministrationProject};
pub use api_docs::ApiAndOpenData;
pub use dashboard::Dashboard;
pub use explorer::Explorer;
pub use info::{AccessibilityStatement, LegalNotes, NotFound};
pub use login::{Login, OrganisationPicker};
pub use notifications::{NotificationBadge, Notifications, UnreadNotifications};
pub use project::PublicProject;
pub use requests::AdministrationRequests;
pub use supplier::SupplierHome;
pub use verifier::VerifierHome;
// Issue 5: the verifier's project page and the department's project page.
pub use catalogue::{DepartmentCalls, DepartmentSuppliers};
pub use department::DepartmentProject;
pub use imports::DepartmentImports;
pub use verifier::VerifierProject;
// Issue 13: how people and programs are told.
pub use preferences::NotificationPreferences;
pub use webhooks::Webhooks;
// Issue 12: onboarding, members and invitations.
pub use onboarding::{AcceptInvitation, AccessQueue, Members, RequestAccess};

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;
use nuvola_shared::{ApplicationState, Role, ServiceState};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{self, ApiError};
use crate::i18n::{self, t, tf};
use crate::session::{use_session, SessionState};

/// Shown while a page waits for its first data.
/// How long a search box waits for the person to pause typing before it asks the server.
pub const SEARCH_PAUSE: std::time::Duration = std::time::Duration::from_millis(300);

/// A search box's text, handed to `target` once typing pauses for [`SEARCH_PAUSE`]: one
/// query per pause, not one per key (each keystroke cancels the previous wait).
pub fn after_pause(target: RwSignal<String>) -> impl Fn(String) + Copy {
    let pending = StoredValue::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    move |text: String| {
        if let Some(waiting) = pending.get_value() {
            waiting.clear();
        }
        let handle = leptos::leptos_dom::helpers::set_timeout_with_handle(
            move || target.set(text),
            SEARCH_PAUSE,
        )
        .ok();
        pending.set_value(handle);
    }
}

#[component]
pub fn Loading(what: &'static str) -> impl IntoView {
    view! {
        <div class="d-flex align-items-center gap-3 py-4" role="status">
            <div class="progress-spinner progress-spinner-active size-sm" aria-hidden="true"></div>
            <span>{move || t(what)}</span>
        </div>
    }
}

/// A failed request, in words, with nothing technical.
#[component]
pub fn ErrorAlert(error: ApiError) -> impl IntoView {
    view! {
        <div class="alert alert-danger" role="alert">
            <p class="mb-0">{move || error.to_string()}</p>
        </div>
    }
}

/// An empty list, said in words.
#[component]
pub fn Empty(what: &'static str) -> impl IntoView {
    view! {
        <div class="callout callout-highlight note my-3">
            <p class="mb-0">{move || t(what)}</p>
        </div>
    }
}

/// The message under a form field when the browser's check or the server blames it.
/// `names` are the field names (ours and the server's `extensions.field`) it answers for.
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    names: &'static [&'static str],
    #[prop(into)] error: Signal<Option<ApiError>>,
) -> impl IntoView {
    let text = move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| e.field().is_some_and(|f| names.contains(&f)))
                .map(ToString::to_string)
        })
    };
    view! {
        <div id=id class="form-feedback just-validate-error-label text-danger small mt-1" aria-live="polite">
            {text}
        </div>
    }
}

/// Whether `error` blames one of `names` (to mark the field invalid).
pub fn blames(error: Signal<Option<ApiError>>, names: &'static [&'static str]) -> Signal<bool> {
    Signal::derive(move || {
        error.with(|e| {
            e.as_ref()
                .and_then(ApiError::field)
                .is_some_and(|f| names.contains(&f))
        })
    })
}

/// A project's state as a coloured badge, always with its name in words.
#[component]
pub fn StateBadge(state: ApplicationState) -> impl IntoView {
    let class = match state {
        ApplicationState::Paid | ApplicationState::Verified => "bg-success",
        ApplicationState::Renounced | ApplicationState::Revoked => "bg-danger",
        ApplicationState::Funded | ApplicationState::Submitted => "bg-primary",
        _ => "bg-secondary",
    };
    view! { <span class=format!("badge {class}")>{move || i18n::state_label(state)}</span> }
}

/// A planned service's status as a badge.
#[component]
pub fn ServiceBadge(status: String) -> impl IntoView {
    let parsed = ServiceState::parse(&status).ok();
    let class = match parsed {
        Some(ServiceState::Migrated) => "bg-success",
        Some(ServiceState::Failed) => "bg-danger",
        Some(ServiceState::NotStarted) | None => "bg-secondary",
        _ => "bg-primary",
    };
    view! {
        <span class=format!("badge {class}")>
            {move || parsed.map(i18n::service_state_label).map(str::to_owned).unwrap_or_else(|| status.clone())}
        </span>
    }
}

/// `nextDeadline` of an application.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextDeadline {
    pub kind: String,
    pub due_on: String,
    pub days_left: i64,
}

/// The next deadline, with its date and the days left in words; red when overdue. A
/// project that never reported progress in Nuvola (`unreported`: its
/// `progressReportedAt` is null) is not called late when the date has passed: only the
/// open data speaks of it, so it reads "avanzamento non comunicato".
#[component]
pub fn DeadlineText(
    deadline: Option<NextDeadline>,
    #[prop(optional)] unreported: bool,
) -> impl IntoView {
    match deadline {
        None => {
            view! { <span class="text-muted">{move || t("Nessuna scadenza")}</span> }.into_any()
        }
        Some(d) => {
            let kind = match d.kind.as_str() {
                "CONTRACT" => ("Contratto con il fornitore", "Supplier contract"),
                "VERIFICATION_REQUEST" => (
                    "Risposta alla richiesta dell'asseveratore",
                    "Answer to the verifier's request",
                ),
                _ => (
                    "Completamento della migrazione",
                    "Completion of the migration",
                ),
            };
            let days = d.days_left;
            let left = move || match days {
                0 => t("scade oggi").to_owned(),
                n if n < 0 && unreported => t("avanzamento non comunicato").to_owned(),
                n if n < 0 => tf("scaduta da {} giorni", &[&(-n).to_string()]),
                n => tf("tra {} giorni", &[&n.to_string()]),
            };
            let class = if days < 0 && unreported {
                "text-body-secondary fw-semibold"
            } else if days < 0 {
                "text-danger fw-semibold"
            } else if days <= 30 {
                "text-warning-emphasis fw-semibold"
            } else {
                ""
            };
            view! {
                <span>
                    {move || if i18n::lang() == i18n::Lang::En { kind.1 } else { kind.0 }}
                    ": " {crate::format::date(&d.due_on)} " "
                    <span class=class data-testid="giorni-mancanti">"(" {left} ")"</span>
                </span>
            }
            .into_any()
        }
    }
}

/// Shows `children` only to the roles given. Anyone not logged in is sent to the login
/// page (and back here afterwards); a user of another role is told so and pointed home.
#[component]
pub fn RequireRole(roles: &'static [Role], children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    move || {
        match session.0.get() {
        SessionState::Loading => view! { <div class="container my-5"><Loading what="Accesso in corso…"/></div> }.into_any(),
        SessionState::Anonymous => {
            let here = location.pathname.get_untracked();
            view! { <Redirect path=format!("/accedi?dopo={here}")/> }.into_any()
        }
        SessionState::LoggedOut => view! {
            <div class="container my-5">
                <h1>{move || t("Area riservata")}</h1>
                <p class="lead">{move || t("Accedi per continuare.")}</p>
                <a class="btn btn-primary" href="/accedi">{move || t("Accedi")}</a>
            </div>
        }
        .into_any(),
        SessionState::User(me) if roles.contains(&me.role) => children().into_any(),
        // Several organisations and none picked yet: pick one, then come back here.
        SessionState::User(me) if me.must_choose() && !me.memberships.is_empty() => {
            let here = location.pathname.get_untracked();
            view! { <Redirect path=format!("{}?dopo={here}", crate::session::CHOOSE_PATH)/> }.into_any()
        }
        SessionState::User(me) => view! {
            <div class="container my-5">
                <h1>{move || t("Area riservata")}</h1>
                <p class="lead">{move || t("Questa pagina è riservata ad altri ruoli.")}</p>
                <a class="btn btn-primary" href=me.landing()>{move || t("Torna alla tua area")}</a>
            </div>
        }
        .into_any(),
    }
    }
}

/// The breadcrumb of a page: the links before it and its own name.
#[component]
pub fn Breadcrumb(
    #[prop(optional)] links: Vec<(&'static str, String)>,
    #[prop(into)] here: Signal<String>,
) -> impl IntoView {
    view! {
        <nav aria-label=move || t("Percorso di navigazione") class="breadcrumb-container">
            <ol class="breadcrumb">
                {links
                    .into_iter()
                    .map(|(label, href)| view! {
                        <li class="breadcrumb-item">
                            <a href=href>{move || t(label)}</a>
                            <span class="separator">"/"</span>
                        </li>
                    })
                    .collect_view()}
                <li class="breadcrumb-item active" aria-current="page">{move || here.get()}</li>
            </ol>
        </nav>
    }
}

/// An irreversible step: a button that first says what will happen and asks to confirm.
/// `ready` runs before asking (e.g. checking a reason with the `shared` rule) and keeps
/// the question closed when it says no. The question is an `alertdialog` with the
/// confirming button and "Annulla".
#[component]
pub fn ConfirmStep(
    /// The button that asks.
    label: &'static str,
    /// What will happen, in one or two sentences.
    consequence: &'static str,
    /// The button that does it.
    confirm: &'static str,
    /// Bootstrap class of both buttons: `btn-primary`, `btn-danger`…
    #[prop(default = "btn-primary")]
    class: &'static str,
    pending: RwSignal<bool>,
    #[prop(optional)] ready: Option<Callback<(), bool>>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let ask = move |_| {
        if ready.is_none_or(|r| r.run(())) {
            asking.set(true);
        }
    };
    move || {
        if asking.get() {
            view! {
                <div class="alert alert-warning mt-3" role="alertdialog" aria-label=move || t(label)>
                    <p>{move || t(consequence)}</p>
                    <button type="button" class=format!("btn {class} me-2") disabled=move || pending.get()
                        on:click=move |_| {
                            asking.set(false);
                            on_confirm.run(());
                        }>
                        {move || t(confirm)}
                    </button>
                    <button type="button" class="btn btn-outline-secondary" on:click=move |_| asking.set(false)>
                        {move || t("Annulla")}
                    </button>
                </div>
            }
            .into_any()
        } else {
            view! {
                <button type="button" class=format!("btn {class} me-2") disabled=move || pending.get() on:click=ask>
                    {move || t(label)}
                </button>
            }
            .into_any()
        }
    }
}

/// One page of a GraphQL connection, as the server's `…Connection` fields give it: the
/// total across every page, where this page ends, and its items.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Connection<T> {
    pub total_count: usize,
    pub page_info: PageInfo,
    pub edges: Vec<Edge<T>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Edge<T> {
    pub node: T,
}

/// The server's largest page: `first` is at most 100.
const LARGEST_PAGE: usize = 100;

/// The pages a [`Growing`] list has read, each item as the JSON its document asked for.
#[derive(Debug, Clone, Default, PartialEq)]
struct Grown {
    /// The reading these pages come from: the pages of a reload are drawn anew.
    round: u32,
    pages: Vec<Vec<Value>>,
    total: usize,
    /// Where the next page starts, while more follow.
    next: Option<String>,
    /// Whether the first page has arrived.
    loaded: bool,
}

impl Grown {
    fn shown(&self) -> usize {
        self.pages.iter().map(Vec::len).sum()
    }
}

/// A list read from a GraphQL connection a page at a time and shown as it grows (see
/// [`GrowingList`]): the first page, then each further page appended to what is shown.
/// The list's document takes `$first: Int!` and `$after: String`; the items are kept as
/// JSON, so the reading and the drawing exist once in the wasm whatever the item.
#[derive(Clone, Copy)]
pub(crate) struct Growing {
    document: StoredValue<String>,
    /// The field of the answer that holds the connection.
    field: &'static str,
    /// Items per page.
    size: usize,
    grown: RwSignal<Grown>,
    /// The reading asked for last: an answer to an earlier one is out of date.
    asked: StoredValue<u32>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
}

impl Growing {
    /// Starts reading the first `size` items of the connection `field` of `document`.
    pub fn new(document: String, field: &'static str, size: usize) -> Self {
        let list = Growing {
            document: StoredValue::new(document),
            field,
            size,
            grown: RwSignal::new(Grown::default()),
            asked: StoredValue::new(0),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        };
        list.read(None, size, 0);
        list
    }

    /// Appends the next page, if there is one and nothing is being read.
    fn more(self) {
        if self.busy.get_untracked() {
            return;
        }
        let (after, round) = self.grown.with_untracked(|g| (g.next.clone(), g.round));
        if after.is_some() {
            self.read(after, self.size, round);
        }
    }

    /// Reads the list again from its start, as many items as are shown (at least a page,
    /// at most the server's largest): a change that moves an item to another page (an
    /// answered request goes after the open ones) shows it where it now belongs, and the
    /// person keeps their place.
    pub fn reload(self) {
        let round = self.asked.get_value().wrapping_add(1);
        self.asked.set_value(round);
        let first = self
            .grown
            .with_untracked(Grown::shown)
            .clamp(self.size, LARGEST_PAGE);
        self.read(None, first, round);
    }

    fn read(self, after: Option<String>, first: usize, round: u32) {
        self.busy.set(true);
        let more = after.is_some();
        let document = self.document.get_value();
        let field = self.field;
        leptos::task::spawn_local(async move {
            let answer = api::query_value(&document, json!({ "first": first, "after": after }))
                .await
                .and_then(|mut data| {
                    serde_json::from_value::<Connection<Value>>(data[field].take())
                        .map_err(|_| ApiError::Malformed)
                });
            // The page was left, or a reload was asked for since: out of date.
            if self.asked.try_get_value() != Some(round) {
                return;
            }
            self.busy.set(false);
            match answer {
                Ok(page) => {
                    self.error.set(None);
                    self.grown.update(|g| {
                        if !more {
                            g.pages.clear();
                            g.round = round;
                        }
                        g.total = page.total_count;
                        g.next = page
                            .page_info
                            .has_next_page
                            .then_some(page.page_info.end_cursor)
                            .flatten();
                        g.pages
                            .push(page.edges.into_iter().map(|e| e.node).collect());
                        g.loaded = true;
                    });
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }
}

/// A [`Growing`] list on a page: its total in words, its items, and while more follow
/// how many are shown and a button that appends the next page below them. Each page is drawn once by `page` (one
/// element per item, in a box of class `class`): what is shown stays as it is when the
/// next page comes (a note being typed in a card is kept). After the button, the focus
/// moves to the first item it brought (the button may be gone: that was the last page).
#[component]
pub(crate) fn GrowingList(
    list: Growing,
    /// The total in words, in the language shown ("14 progetti.").
    total: fn(usize) -> String,
    /// Draws one page's items from their JSON; it gets the list to reload it.
    page: fn(Vec<Value>, Growing) -> AnyView,
    class: &'static str,
    /// The button's words ("Mostra altri progetti").
    more: &'static str,
    /// Said while the first page loads.
    loading: &'static str,
    /// Said when the list has no items.
    empty: &'static str,
    /// The `data-testid` of the total.
    testid: &'static str,
) -> impl IntoView {
    let Growing {
        grown, busy, error, ..
    } = list;
    // 0: waiting for the first page; 1: no items; 2: items. The items' box is drawn once
    // and only its pages change.
    let phase = Memo::new(move |_| {
        grown.with(|g| match (g.loaded, g.total) {
            (false, _) => 0u8,
            (true, 0) => 1,
            _ => 2,
        })
    });
    let items = NodeRef::<leptos::html::Div>::new();
    let focus_from = StoredValue::new(None::<usize>);
    Effect::new(move |_| {
        let shown = grown.with(Grown::shown);
        let Some(from) = focus_from.get_value().filter(|from| shown > *from) else {
            return;
        };
        focus_from.set_value(None);
        request_animation_frame(move || {
            let selector = format!(":scope > :nth-child({}) a[href]", from + 1);
            if let Some(link) = items
                .get_untracked()
                .and_then(|b| b.query_selector(&selector).ok().flatten())
                .and_then(|a| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(a).ok())
            {
                let _ = link.focus();
            }
        });
    });
    let show_more = move |_| {
        focus_from.set_value(Some(grown.with_untracked(Grown::shown)));
        list.more();
    };
    move || {
        match phase.get() {
        0 => match error.get() {
            Some(e) => view! { <ErrorAlert error=e/> }.into_any(),
            None => view! { <Loading what=loading/> }.into_any(),
        },
        1 => view! { <Empty what=empty/> }.into_any(),
        _ => view! {
            <p class="mt-3" data-testid=testid>{move || total(grown.with(|g| g.total))}</p>
            <div class=class node_ref=items>
                <For
                    each=move || grown.with(|g| (0..g.pages.len()).map(|i| (g.round, i)).collect::<Vec<_>>())
                    key=|key| *key
                    children=move |(_, i)| page(grown.with_untracked(|g| g.pages.get(i).cloned().unwrap_or_default()), list)
                />
            </div>
            {move || error.get().map(|e| view! { <div class="mt-3"><ErrorAlert error=e/></div> })}
            {move || grown.with(|g| g.next.is_some()).then(|| view! {
                <div class="mt-4 text-center">
                    <p class="small text-muted mb-2">
                        {move || grown.with(|g| tf("Ne vedi {} su {}.", &[&crate::format::number(g.shown() as i64), &crate::format::number(g.total as i64)]))}
                    </p>
                    <button type="button" class="btn btn-outline-primary" disabled=move || busy.get() on:click=show_more>
                        {move || t(more)}
                    </button>
                </div>
            })}
        }
        .into_any(),
    }
    }
}
