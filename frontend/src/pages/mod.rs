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

use crate::api::ApiError;
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
