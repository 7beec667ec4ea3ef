//! `/webhook`: the organisation's webhooks (an administration, a supplier, PSN, the
//! department): register an endpoint for some event kinds (the signing secret is shown
//! once), read each webhook's delivery log with the receiver's answers, send a delivery
//! again, remove a webhook. The department also sees every delivery that failed for good
//! (e-mail and webhooks) and resends it.

use leptos::prelude::*;
use nuvola_shared::notify::{WebhookEvent, WebhookUrl};
use nuvola_shared::Role;
use serde::Deserialize;
use serde_json::json;

use super::{blames, Breadcrumb, Empty, ErrorAlert, FieldError, Loading};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::{t, tf};
use crate::session::use_session;

const HOOKS: &str = "query Hooks { webhooks { id url kinds createdAt deliveries(first: 20) { id kind eventId status attempts lastAnswer createdAt } } }";
const FAILED: &str = "query Failed { failedDeliveries(first: 50) { id channel recipient kind eventId status attempts lastAnswer createdAt } }";
const REGISTER: &str = "mutation Register($u: String!, $k: [WebhookEvent!]!) { registerWebhook(url: $u, kinds: $k) { secret webhook { id } } }";
const REMOVE: &str = "mutation Remove($id: ID!) { removeWebhook(id: $id) { id } }";
const REPLAY: &str = "mutation Replay($id: ID!) { replayDelivery(id: $id) { id status } }";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    id: String,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    recipient: Option<String>,
    kind: String,
    event_id: String,
    status: String,
    attempts: i32,
    last_answer: Option<String>,
    created_at: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Hook {
    id: String,
    url: String,
    kinds: Vec<String>,
    created_at: String,
    deliveries: Vec<Delivery>,
}

#[derive(Deserialize)]
struct Hooks {
    webhooks: Vec<Hook>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Failed {
    failed_deliveries: Vec<Delivery>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Registered {
    register_webhook: Secret,
}

#[derive(Deserialize)]
struct Secret {
    secret: String,
}

fn event_label(kind: &str) -> &'static str {
    match kind {
        "PROJECT_STATE_CHANGED" => "Cambio di stato di un progetto",
        "SERVICE_STATUS_CHANGED" => "Avanzamento di un servizio",
        "REQUEST_OPENED" => "Richiesta dell'asseveratore aperta",
        "REQUEST_ANSWERED" => "Risposta a una richiesta",
        "DOCUMENT_UPLOADED" => "Documento caricato",
        _ => "Evento",
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "DELIVERED" => "Consegnata",
        "FAILED" => "Non riuscita",
        _ => "In corso",
    }
}

/// One delivery as a row of a log, with its "send again" button.
fn delivery_row(
    d: Delivery,
    department: bool,
    replay: impl Fn(String) + Copy + 'static,
) -> impl IntoView {
    let id = d.id.clone();
    let failed = d.status == "FAILED";
    let done = d.status != "PENDING";
    let status = d.status.clone();
    let delivered = d.status == "DELIVERED";
    view! {
        <tr>
            <td>{format::date(&d.created_at)}</td>
            {department.then(|| view! { <td class="text-break">{d.recipient.clone().unwrap_or_default()}</td> })}
            <td>{move || t(event_label(&d.kind))}<br/><code class="small">{d.event_id.clone()}</code></td>
            <td>
                <span class="badge" class:bg-success=delivered class:bg-danger=failed class:bg-secondary=!done>
                    {move || t(status_label(&status))}
                </span>
            </td>
            <td>{d.attempts}</td>
            <td class="text-break small">{d.last_answer.clone().unwrap_or_default()}</td>
            <td>
                {done.then(|| {
                    let id = id.clone();
                    view! {
                        <button type="button" class="btn btn-outline-primary btn-sm" on:click=move |_| replay(id.clone())>
                            {move || t("Invia di nuovo")}
                        </button>
                    }
                })}
            </td>
        </tr>
    }
}

#[component]
pub fn Webhooks() -> impl IntoView {
    let session = use_session();
    let department = move || session.role() == Some(Role::Department);
    let hooks = RwSignal::new(None::<Vec<Hook>>);
    let failed = RwSignal::new(Vec::<Delivery>::new());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<String>);
    let url = RwSignal::new(String::new());
    let kinds = RwSignal::new(Vec::<&'static str>::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::query::<Hooks>(HOOKS, json!({})).await {
                Ok(d) => hooks.set(Some(d.webhooks)),
                Err(e) => error.set(Some(e)),
            }
            if department() {
                match api::query::<Failed>(FAILED, json!({})).await {
                    Ok(d) => failed.set(d.failed_deliveries),
                    Err(e) => error.set(Some(e)),
                }
            }
        });
    };
    load();
    let register = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        secret.set(None);
        let address = url.get_untracked().trim().to_owned();
        // The shape of the address is checked here too; whether it is public is the
        // server's to say (it resolves the name).
        if let Err(e) = WebhookUrl::parse(&address, true) {
            error.set(Some(ApiError::invalid("url", e.to_string())));
            return;
        }
        let chosen = kinds.get_untracked();
        if chosen.is_empty() {
            error.set(Some(ApiError::worded(
                "kinds",
                "Scegli almeno un tipo di evento.",
                &[],
            )));
            return;
        }
        leptos::task::spawn_local(async move {
            match api::query::<Registered>(REGISTER, json!({ "u": address, "k": chosen })).await {
                Ok(r) => {
                    secret.set(Some(r.register_webhook.secret));
                    url.set(String::new());
                    kinds.set(Vec::new());
                    error.set(None);
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let replay = move |id: String| {
        leptos::task::spawn_local(async move {
            match api::query::<serde_json::Value>(REPLAY, json!({ "id": id })).await {
                Ok(_) => {
                    notice.set(Some(
                        t("Consegna rimessa in coda: parte entro pochi secondi.").to_owned(),
                    ));
                    error.set(None);
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let remove = move |id: String| {
        leptos::task::spawn_local(async move {
            match api::query::<serde_json::Value>(REMOVE, json!({ "id": id })).await {
                Ok(_) => {
                    notice.set(Some(t("Webhook rimosso.").to_owned()));
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let url_invalid = blames(error.into(), &["url"]);
    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("Webhook").to_owned())/>
            <h1>{move || t("Webhook")}</h1>
            <p class="lead">{move || t("Nuvola avvisa i vostri sistemi dei cambiamenti che potete vedere: ogni chiamata è firmata (HMAC-SHA256) e ripetuta finché il sistema non risponde.")}</p>
            {move || error.get().filter(|e| !matches!(e.field(), Some("url" | "kinds"))).map(|e| view! { <ErrorAlert error=e/> })}
            <p class="text-success" role="status" aria-live="polite">{move || notice.get()}</p>
            {move || secret.get().map(|s| view! {
                <div class="alert alert-warning" role="alert">
                    <p class="fw-semibold mb-1">{move || t("Webhook registrato. Copia ora la chiave di firma: non sarà più mostrata.")}</p>
                    <code class="d-block text-break" data-testid="segreto">{s}</code>
                </div>
            })}
            <form class="my-4 border rounded p-3" on:submit=register novalidate>
                <h2 class="h4">{move || t("Registra un webhook")}</h2>
                <div class="mb-3">
                    <label for="webhook-url" class="form-label">{move || t("Indirizzo dell'endpoint")}</label>
                    <input
                        id="webhook-url"
                        type="url"
                        class="form-control"
                        class:is-invalid=move || url_invalid.get()
                        aria-describedby="webhook-url-errore"
                        placeholder="https://"
                        prop:value=move || url.get()
                        on:input=move |e| url.set(event_target_value(&e))
                    />
                    <FieldError id="webhook-url-errore" names=&["url"] error=error/>
                </div>
                <fieldset class="mb-3">
                    <legend class="h6">{move || t("Eventi")}</legend>
                    {WebhookEvent::ALL.into_iter().map(|k| {
                        let id = format!("evento-{}", k.code().to_lowercase());
                        view! {
                            <div class="form-check">
                                <input
                                    id=id.clone()
                                    type="checkbox"
                                    prop:checked=move || kinds.with(|v| v.contains(&k.code()))
                                    on:change=move |e| {
                                        let on = event_target_checked(&e);
                                        kinds.update(|v| {
                                            v.retain(|c| *c != k.code());
                                            if on {
                                                v.push(k.code());
                                            }
                                        });
                                    }
                                />
                                <label for=id>{move || t(event_label(k.code()))}</label>
                            </div>
                        }
                    }).collect_view()}
                    <FieldError id="webhook-eventi-errore" names=&["kinds"] error=error/>
                </fieldset>
                <button type="submit" class="btn btn-primary">{move || t("Registra")}</button>
            </form>
            {move || match hooks.get() {
                None => view! { <Loading what="Caricamento dei webhook…"/> }.into_any(),
                Some(list) if list.is_empty() => view! { <Empty what="Nessun webhook registrato."/> }.into_any(),
                Some(list) => list.into_iter().map(|h| {
                    let id = h.id.clone();
                    let url_text = h.url.clone();
                    view! {
                        <section class="my-4" aria-label=tf("Webhook {}", &[&url_text])>
                            <h2 class="h5 text-break">{h.url.clone()}</h2>
                            <p class="small mb-2">
                                {move || tf("Registrato il {}", &[&format::date(&h.created_at)])}
                                " · "
                                {h.kinds.iter().map(|k| t(event_label(k))).collect::<Vec<_>>().join(", ")}
                            </p>
                            <button type="button" class="btn btn-outline-danger btn-sm mb-2" on:click=move |_| remove(id.clone())>
                                {move || t("Rimuovi il webhook")}
                            </button>
                            {if h.deliveries.is_empty() {
                                view! { <p class="text-muted">{move || t("Nessuna consegna finora.")}</p> }.into_any()
                            } else {
                                view! {
                                    // Focusable, so that a keyboard scrolls it on a narrow screen.
                                    <div class="table-responsive" tabindex="0" role="region" aria-label=move || t("Registro delle consegne")>
                                        <table class="table table-sm">
                                            <caption>{move || t("Registro delle consegne")}</caption>
                                            <thead><tr>
                                                <th scope="col">{move || t("Data")}</th>
                                                <th scope="col">{move || t("Evento")}</th>
                                                <th scope="col">{move || t("Stato")}</th>
                                                <th scope="col">{move || t("Tentativi")}</th>
                                                <th scope="col">{move || t("Ultima risposta")}</th>
                                                <th scope="col"><span class="visually-hidden">{move || t("Azioni")}</span></th>
                                            </tr></thead>
                                            <tbody>
                                                {h.deliveries.into_iter().map(|d| delivery_row(d, false, replay)).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                        </section>
                    }
                }).collect_view().into_any(),
            }}
            <Show when=department>
                <section class="my-5" aria-labelledby="consegne-fallite">
                    <h2 id="consegne-fallite" class="h4">{move || t("Consegne non riuscite")}</h2>
                    <p>{move || t("E-mail e webhook che non sono stati consegnati dopo tutti i tentativi. Si possono inviare di nuovo.")}</p>
                    {move || {
                        let list = failed.get();
                        if list.is_empty() {
                            view! { <Empty what="Nessuna consegna non riuscita."/> }.into_any()
                        } else {
                            view! {
                                <div class="table-responsive" tabindex="0" role="region" aria-label=move || t("Consegne non riuscite")>
                                    <table class="table table-sm">
                                        <caption class="visually-hidden">{move || t("Consegne non riuscite")}</caption>
                                        <thead><tr>
                                            <th scope="col">{move || t("Data")}</th>
                                            <th scope="col">{move || t("Destinatario")}</th>
                                            <th scope="col">{move || t("Evento")}</th>
                                            <th scope="col">{move || t("Stato")}</th>
                                            <th scope="col">{move || t("Tentativi")}</th>
                                            <th scope="col">{move || t("Ultima risposta")}</th>
                                            <th scope="col"><span class="visually-hidden">{move || t("Azioni")}</span></th>
                                        </tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|d| delivery_row(d, true, replay)).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }
                    }}
                </section>
            </Show>
        </div>
    }
}
