//! `/notifiche/preferenze`: how the signed-in person is told. Its e-mail address and the
//! language of its e-mail, and for each kind of notification: e-mail at once, a daily
//! digest, or in Nuvola only. Mandatory notices (the funding at risk) offer no "only in
//! Nuvola": the same rule as the server's (`nuvola_shared::notify`).

use leptos::prelude::*;
use nuvola_shared::notify::{DeliveryMode, EmailAddress, NotificationKind};
use serde::Deserialize;
use serde_json::json;

use super::{blames, Breadcrumb, ErrorAlert, FieldError, Loading};
use crate::api::{self, ApiError};
use crate::i18n::t;

const SETTINGS: &str = "query Settings { notificationSettings { email language preferences { kind mode mandatory } } }";
const CONTACT: &str = "mutation Contact($e: String, $l: Language!) { updateNotificationContact(email: $e, language: $l) { email language preferences { kind mode mandatory } } }";
const PREFER: &str = "mutation Prefer($k: NotificationKind!, $m: DeliveryMode!) { setNotificationPreference(kind: $k, mode: $m) { email language preferences { kind mode mandatory } } }";

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Preference {
    kind: String,
    mode: String,
    mandatory: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Settings {
    email: Option<String>,
    language: String,
    preferences: Vec<Preference>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Loaded {
    notification_settings: Settings,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Contacted {
    update_notification_contact: Settings,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Preferred {
    set_notification_preference: Settings,
}

/// The kind of notification in words.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "VERIFICATION_REQUEST_OPENED" => "Nuova richiesta dell'asseveratore",
        "VERIFICATION_REQUEST_REOPENED" => "Richiesta dell'asseveratore riaperta",
        "VERIFICATION_REQUEST_OVERDUE" => "Richiesta dell'asseveratore scaduta",
        "CONTRACT_DEADLINE_MISSED" => "Termine del contratto superato",
        "COMPLETION_DEADLINE_MISSED" => "Termine di completamento superato",
        "VERIFICATION_REQUEST_REMINDER" => "Promemoria: richiesta in scadenza",
        "CONTRACT_DEADLINE_REMINDER" => "Promemoria: termine del contratto",
        "COMPLETION_DEADLINE_REMINDER" => "Promemoria: termine di completamento",
        "VERIFICATION_REQUEST_ANSWERED" => "Risposta a una richiesta",
        "RENUNCIATION_REQUESTED" => "Richiesta di rinuncia al finanziamento",
        "RENUNCIATION_WITHDRAWN" => "Richiesta di rinuncia ritirata",
        "RENUNCIATION_DECREED" => "Rinuncia al finanziamento decretata",
        _ => "Notifica",
    }
}

fn mode_label(mode: DeliveryMode) -> &'static str {
    match mode {
        DeliveryMode::Immediate => "E-mail subito",
        DeliveryMode::Digest => "Riepilogo giornaliero",
        DeliveryMode::InApp => "Solo in Nuvola",
    }
}

#[component]
pub fn NotificationPreferences() -> impl IntoView {
    let settings = RwSignal::new(None::<Settings>);
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<&'static str>);
    let email = RwSignal::new(String::new());
    let language = RwSignal::new("IT".to_owned());
    let busy = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        match api::query::<Loaded>(SETTINGS, json!({})).await {
            Ok(d) => {
                email.set(d.notification_settings.email.clone().unwrap_or_default());
                language.set(d.notification_settings.language.clone());
                settings.set(Some(d.notification_settings));
            }
            Err(e) => error.set(Some(e)),
        }
    });
    let save_contact = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let address = email.get_untracked().trim().to_owned();
        // The same rule as the server's, before sending.
        if !address.is_empty() {
            if let Err(e) = EmailAddress::parse(&address) {
                error.set(Some(ApiError::invalid("email", e.to_string())));
                return;
            }
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let e = (!address.is_empty()).then_some(address);
            match api::query::<Contacted>(CONTACT, json!({ "e": e, "l": language.get_untracked() }))
                .await
            {
                Ok(d) => {
                    settings.set(Some(d.update_notification_contact));
                    error.set(None);
                    saved.set(Some("Recapito salvato."));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let choose = move |kind: String, mode: DeliveryMode| {
        saved.set(None);
        leptos::task::spawn_local(async move {
            match api::query::<Preferred>(PREFER, json!({ "k": kind, "m": mode.code() })).await {
                Ok(d) => {
                    settings.set(Some(d.set_notification_preference));
                    error.set(None);
                    saved.set(Some("Preferenza salvata."));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let email_invalid = blames(error.into(), &["email"]);
    view! {
        <div class="container my-4">
            <Breadcrumb
                links=vec![("Notifiche", "/notifiche".to_owned())]
                here=Signal::derive(|| t("Preferenze di notifica").to_owned())
            />
            <h1>{move || t("Preferenze di notifica")}</h1>
            <p class="lead">{move || t("Scegli come ricevere ogni tipo di notifica. Gli avvisi obbligatori, che mettono a rischio il finanziamento, arrivano sempre per e-mail.")}</p>
            {move || error.get().filter(|e| e.field() != Some("email")).map(|e| view! { <ErrorAlert error=e/> })}
            <p class="text-success" role="status" aria-live="polite">{move || saved.get().map(t)}</p>
            {move || match settings.get() {
                None => view! { <Loading what="Caricamento delle preferenze…"/> }.into_any(),
                Some(s) => view! {
                    <form class="my-4" on:submit=save_contact novalidate>
                        <h2 class="h4">{move || t("Recapito")}</h2>
                        <div class="row g-3 align-items-end">
                            <div class="col-12 col-md-6">
                                <label for="email" class="form-label">{move || t("Indirizzo e-mail")}</label>
                                <input
                                    id="email"
                                    type="email"
                                    class="form-control"
                                    class:is-invalid=move || email_invalid.get()
                                    aria-describedby="email-errore"
                                    autocomplete="email"
                                    prop:value=move || email.get()
                                    on:input=move |e| email.set(event_target_value(&e))
                                />
                                <FieldError id="email-errore" names=&["email"] error=error/>
                            </div>
                            <div class="col-12 col-md-3">
                                <label for="lingua" class="form-label">{move || t("Lingua delle e-mail")}</label>
                                <select
                                    id="lingua"
                                    class="form-select"
                                    prop:value=move || language.get()
                                    on:change=move |e| language.set(event_target_value(&e))
                                >
                                    <option value="IT">"Italiano"</option>
                                    <option value="EN">"English"</option>
                                </select>
                            </div>
                            <div class="col-12 col-md-3">
                                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                                    {move || t("Salva il recapito")}
                                </button>
                            </div>
                        </div>
                    </form>
                    <h2 class="h4">{move || t("Tipi di notifica")}</h2>
                    <div class="table-responsive">
                        <table class="table">
                            <caption class="visually-hidden">{move || t("Tipi di notifica")}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{move || t("Notifica")}</th>
                                    <th scope="col">{move || t("Come riceverla")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {s.preferences.into_iter().map(|p| {
                                    let kind = p.kind.clone();
                                    let select_id = format!("modo-{}", p.kind.to_lowercase());
                                    let rule = NotificationKind::parse(&p.kind).ok();
                                    let label = kind_label(&p.kind);
                                    view! {
                                        <tr>
                                            <th scope="row">
                                                <label for=select_id.clone()>{move || t(label)}</label>
                                                {p.mandatory.then(|| view! {
                                                    <span class="badge bg-warning text-dark ms-2">{move || t("Obbligatoria")}</span>
                                                })}
                                            </th>
                                            <td>
                                                <select
                                                    id=select_id
                                                    class="form-select"
                                                    prop:value=p.mode.clone()
                                                    on:change=move |e| {
                                                        if let Ok(mode) = DeliveryMode::parse(&event_target_value(&e)) {
                                                            choose(kind.clone(), mode);
                                                        }
                                                    }
                                                >
                                                    {DeliveryMode::ALL.into_iter()
                                                        .filter(|m| rule.is_none_or(|k| k.check_mode(*m).is_ok()))
                                                        .map(|m| view! {
                                                            <option value=m.code() selected=p.mode == m.code()>{move || t(mode_label(m))}</option>
                                                        })
                                                        .collect_view()}
                                                </select>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
