//! `/notifiche`: the signed-in account's notifications, newest first, each linking to its
//! project; marking them read updates the badge in the header.

use leptos::prelude::*;
use nuvola_shared::Role;
use serde::Deserialize;
use serde_json::json;

use super::{Breadcrumb, Empty, ErrorAlert, Loading};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::{t, tf};
use crate::session::use_session;

const PAGE: &str = "query Notifications($after: String, $unreadOnly: Boolean) { \
     notifications(first: 20, after: $after, unreadOnly: $unreadOnly) { totalCount \
       edges { node { id kind message messageEn: message(language: EN) createdAt read application { cup } } } \
       pageInfo { hasNextPage endCursor } } }";

const MARK: &str =
    "mutation Mark($ids: [ID!]) { markNotificationsRead(ids: $ids) { marked unreadCount } }";

/// The unread count the header shows; bumping `stale` makes it ask again.
#[derive(Debug, Clone, Copy)]
pub struct UnreadNotifications {
    pub stale: RwSignal<u32>,
}

impl UnreadNotifications {
    pub fn provide() {
        provide_context(UnreadNotifications {
            stale: RwSignal::new(0),
        });
    }

    /// Asks the header to count again.
    pub fn refresh(self) {
        self.stale.update(|n| *n += 1);
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    id: String,
    kind: String,
    /// In Italian.
    message: String,
    /// In English (the Italian text for notifications raised before it was kept).
    message_en: String,
    created_at: String,
    read: bool,
    application: Option<Cup>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Cup {
    cup: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Edge {
    node: Notification,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    total_count: i64,
    edges: Vec<Edge>,
    page_info: PageInfo,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Data {
    notifications: Connection,
}

fn kind_words(kind: &str) -> &'static str {
    match kind {
        "CONTRACT_DEADLINE_MISSED" => "Termine del contratto superato",
        "COMPLETION_DEADLINE_MISSED" => "Termine di completamento superato",
        "VERIFICATION_REQUEST_OVERDUE" => "Richiesta dell'asseveratore scaduta",
        "VERIFICATION_REQUEST_OPENED" => "Nuova richiesta dell'asseveratore",
        "VERIFICATION_REQUEST_REOPENED" => "Richiesta dell'asseveratore riaperta",
        "VERIFICATION_REQUEST_ANSWERED" => "Risposta a una richiesta",
        "RENUNCIATION_REQUESTED" => "Richiesta di rinuncia al finanziamento",
        "RENUNCIATION_WITHDRAWN" => "Richiesta di rinuncia ritirata",
        "RENUNCIATION_DECREED" => "Rinuncia al finanziamento decretata",
        "VERIFICATION_REQUEST_REMINDER" => "Promemoria: richiesta in scadenza",
        "CONTRACT_DEADLINE_REMINDER" => "Promemoria: termine del contratto",
        "COMPLETION_DEADLINE_REMINDER" => "Promemoria: termine di completamento",
        "DEADLINE_REMINDERS_SUMMARY" => "Promemoria: scadenze vicine",
        _ => "Notifica",
    }
}

#[component]
pub fn Notifications() -> impl IntoView {
    let session = use_session();
    let unread_only = RwSignal::new(false);
    // Pages loaded so far (each "Mostra le precedenti" adds one).
    let items = RwSignal::new(Vec::<Notification>::new());
    let cursor = RwSignal::new(None::<String>);
    let total = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);
    let load = move |after: Option<String>| {
        loading.set(true);
        leptos::task::spawn_local(async move {
            let vars = json!({ "after": after, "unreadOnly": unread_only.get_untracked() });
            match api::query::<Data>(PAGE, vars).await {
                Ok(d) => {
                    let c = d.notifications;
                    let fresh: Vec<Notification> = c.edges.into_iter().map(|e| e.node).collect();
                    if after.is_some() {
                        items.update(|v| v.extend(fresh));
                    } else {
                        items.set(fresh);
                    }
                    cursor.set(
                        c.page_info
                            .has_next_page
                            .then_some(c.page_info.end_cursor)
                            .flatten(),
                    );
                    total.set(Some(c.total_count));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    Effect::new(move |_| {
        unread_only.track();
        load(None);
    });
    // Taken here: the context is not reachable from inside the task below.
    let unread = use_context::<UnreadNotifications>();
    let mark = move |ids: Option<Vec<String>>| {
        leptos::task::spawn_local(async move {
            match api::query::<serde_json::Value>(MARK, json!({ "ids": ids })).await {
                Ok(_) => {
                    items.update(|v| {
                        for n in v.iter_mut() {
                            if ids.as_ref().is_none_or(|ids| ids.contains(&n.id)) {
                                n.read = true;
                            }
                        }
                    });
                    if let Some(u) = unread {
                        u.refresh();
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let administration = move || session.role() == Some(Role::Administration);
    let any_unread = move || items.with(|v| v.iter().any(|n| !n.read));
    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("Notifiche").to_owned())/>
            <h1>{move || t("Notifiche")}</h1>
            <div class="d-flex flex-wrap align-items-center gap-3 my-3">
                <div class="form-check form-check-inline mb-0">
                    <input
                        id="solo-non-lette"
                        type="checkbox"
                        prop:checked=move || unread_only.get()
                        on:change=move |e| unread_only.set(event_target_checked(&e))
                    />
                    <label for="solo-non-lette">{move || t("Solo non lette")}</label>
                </div>
                <Show when=any_unread>
                    <button type="button" class="btn btn-outline-primary btn-sm" on:click=move |_| mark(None)>
                        {move || t("Segna tutte come lette")}
                    </button>
                </Show>
                <a href="/notifiche/preferenze" class="btn btn-outline-secondary btn-sm">{move || t("Preferenze di notifica")}</a>
                <span class="small text-muted" aria-live="polite">
                    {move || total.get().map(|n| tf("{} notifiche.", &[&format::count(n)]))}
                </span>
            </div>
            {move || error.get().map(|e| view! { <ErrorAlert error=e/> })}
            {move || (loading.get() && items.with(Vec::is_empty)).then(|| view! { <Loading what="Caricamento delle notifiche…"/> })}
            {move || (!loading.get() && total.get() == Some(0)).then(|| view! { <Empty what="Nessuna notifica."/> })}
            <ul class="list-unstyled d-flex flex-column gap-2" aria-label=move || t("Notifiche")>
                // A short list redrawn whole: cheaper in the wasm than a keyed <For>.
                {move || items.get().into_iter().map(|n| {
                        let id = n.id.clone();
                        let kind = n.kind.clone();
                        let link = n.application.as_ref().map(|a| {
                            let href = if administration() {
                                format!("/amministrazione/progetti/{}", a.cup)
                            } else {
                                format!("/progetti/{}", a.cup)
                            };
                            (href, a.cup.clone())
                        });
                        view! {
                            <li class="border rounded p-3" class:notification-unread=!n.read>
                                <div class="d-flex flex-wrap align-items-center gap-2 mb-1">
                                    {(!n.read).then(|| view! { <span class="badge bg-primary">{move || t("Non letta")}</span> })}
                                    <span class="fw-semibold">{move || t(kind_words(&kind))}</span>
                                    <span class="small text-muted">{format::date(&n.created_at)}</span>
                                </div>
                                <p class="mb-2">{
                                    let (it, en) = (n.message.clone(), n.message_en.clone());
                                    move || if crate::i18n::lang() == crate::i18n::Lang::En { en.clone() } else { it.clone() }
                                }</p>
                                <div class="d-flex flex-wrap gap-3 align-items-center">
                                    {link.map(|(href, cup)| view! {
                                        <a href=href>{move || tf("Vai al progetto {}", &[&cup])}</a>
                                    })}
                                    {(!n.read).then(|| {
                                        let id = id.clone();
                                        view! {
                                            <button type="button" class="btn btn-link btn-sm p-0" on:click=move |_| mark(Some(vec![id.clone()]))>
                                                {move || t("Segna come letta")}
                                            </button>
                                        }
                                    })}
                                </div>
                            </li>
                        }
                    }).collect_view()}
            </ul>
            {move || cursor.get().map(|after| view! {
                <button type="button" class="btn btn-outline-primary" on:click=move |_| load(Some(after.clone()))>
                    {move || t("Mostra le precedenti")}
                </button>
            })}
        </div>
    }
}

/// The bell in the header with the unread count; asks again on every page change and
/// whenever the notifications page marks some read.
#[component]
pub fn NotificationBadge() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let stale = use_context::<UnreadNotifications>().map(|u| u.stale);
    let count = LocalResource::new(move || {
        location.pathname.track();
        if let Some(s) = stale {
            s.track();
        }
        async move {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Count {
                unread_notification_count: i64,
            }
            api::query::<Count>("query Unread { unreadNotificationCount }", json!({}))
                .await
                .map(|c| c.unread_notification_count)
                .unwrap_or(0)
        }
    });
    let n = move || count.get().unwrap_or(0);
    let label = move || match n() {
        0 => t("Notifiche, nessuna da leggere").to_owned(),
        1 => t("Notifiche, 1 da leggere").to_owned(),
        k => tf("Notifiche, {} da leggere", &[&k.to_string()]),
    };
    view! {
        <a class="btn btn-link btn-sm text-white position-relative px-2 notification-bell" href="/notifiche" aria-label=label data-testid="notifiche">
            <crate::layout::Icon name="it-horn" class="icon-white icon-sm"/>
            <Show when=move || { n() > 0 }>
                <span class="badge rounded-pill bg-danger notification-count" aria-hidden="true">{n}</span>
            </Show>
        </a>
    }
}
