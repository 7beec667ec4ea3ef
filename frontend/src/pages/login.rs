//! The login page. The server sets an HttpOnly session cookie; this page never sees
//! the token. Afterwards it goes back where the user was sent from, or to the role's
//! home page.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::{Breadcrumb, ErrorAlert};
use crate::api::ApiError;
use crate::i18n::t;
use crate::session::{home_of, use_session, SessionState, CHOOSE_PATH};

/// An identity provider the server offers (`GET /api/oidc/providers`).
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
struct Provider {
    id: String,
    label: String,
    /// SPID, CIE or OIDC.
    kind: String,
}

/// The configured providers; none (or no answer) means no buttons.
async fn providers() -> Vec<Provider> {
    let Ok(response) = gloo_net::http::Request::get("/api/oidc/providers")
        .send()
        .await
    else {
        return Vec::new();
    };
    response.json::<Vec<Provider>>().await.unwrap_or_default()
}

/// The sentence of a refused identity-provider login (`/accedi?errore=CODE`, set by the
/// server's callback).
fn provider_refusal(code: &str) -> &'static str {
    match code {
        "provider_unknown" => t("Questo gestore di identità non è configurato su Nuvola."),
        "provider_unreachable" => t("Il gestore di identità non risponde. Riprova tra qualche minuto."),
        "provider_error" => t("Il gestore di identità non ha concluso l'accesso (forse lo hai annullato). Riprova."),
        "state_invalid" => t("Questa risposta del gestore di identità è già stata usata o non è di un accesso avviato qui. Riprova dall'inizio."),
        "state_expired" => t("L'accesso è durato più di 10 minuti ed è scaduto. Riprova."),
        "issuer_unknown" => t("La risposta viene da un gestore di identità diverso da quello scelto: accesso rifiutato."),
        "code_refused" => t("Il gestore di identità ha rifiutato il codice di accesso (già usato o scaduto). Riprova dall'inizio."),
        "token_invalid" => t("L'identità ricevuta non ha una firma valida: accesso rifiutato per sicurezza."),
        "acr_too_low" => t("Il livello di sicurezza dell'accesso è inferiore a quello richiesto da Nuvola (SPID livello 2 o superiore)."),
        "nonce_mismatch" => t("L'identità ricevuta non corrisponde a questo accesso: accesso rifiutato per sicurezza."),
        "userinfo_invalid" => t("I dati della persona inviati dal gestore di identità non sono validi: accesso rifiutato."),
        "fiscal_code_missing" => t("Il gestore di identità non ha comunicato un codice fiscale valido."),
        "account_disabled" => t("Questo account è disattivato. Rivolgiti al Dipartimento."),
        "rate_limited" => t("Troppi accessi avviati da questa rete in un minuto. Attendi un minuto e riprova."),
        _ => t("L'accesso con il gestore di identità non è riuscito. Riprova."),
    }
}

/// The official-style buttons ("Entra con SPID", "Entra con CIE"): plain links to the
/// server, which sends the browser to the provider.
#[component]
fn ProviderButtons(list: Vec<Provider>) -> impl IntoView {
    let count = |kind: &str| list.iter().filter(|p| p.kind == kind).count();
    let (spids, cies) = (count("SPID"), count("CIE"));
    let buttons = list
        .iter()
        .map(|p| {
            let href = format!("/auth/oidc/{}/start", p.id);
            let (class, icon, base, several) = match p.kind.as_str() {
                "SPID" => (
                    "btn-idp btn-spid",
                    spid_icon().into_any(),
                    "Entra con SPID",
                    spids > 1,
                ),
                "CIE" => (
                    "btn-idp btn-cie",
                    cie_icon().into_any(),
                    "Entra con CIE",
                    cies > 1,
                ),
                _ => ("btn-idp btn-oidc", ().into_any(), "Entra con", true),
            };
            let label = p.label.clone();
            let text = move || {
                if several {
                    format!("{} {}", t(base), label)
                } else {
                    t(base).to_owned()
                }
            };
            view! {
                <li>
                    <a class=class href=href rel="external">
                        {icon}
                        <span>{text}</span>
                    </a>
                </li>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <section class="mt-4" aria-labelledby="login-idp-title">
            <h2 id="login-idp-title" class="h5">{move || t("Con la tua identità digitale")}</h2>
            <ul class="list-unstyled d-flex flex-column flex-sm-row flex-wrap gap-3 mt-3">{buttons}</ul>
            <p class="small text-muted mb-0">
                {move || t("Chi accede per la prima volta senza un ente potrà chiedere di operare per un'amministrazione o registrare un fornitore.")}
            </p>
        </section>
        <h2 class="h5 mt-4">{move || t("Oppure con nome utente e password")}</h2>
    }
}

/// A simple pictogram of a person, white on the SPID blue (drawn here: no asset is fetched).
fn spid_icon() -> impl IntoView {
    view! {
        <svg class="btn-idp-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
            <circle cx="12" cy="12" r="11.5" fill="#fff"/>
            <circle cx="12" cy="8.5" r="3.2" fill="#06c"/>
            <path d="M6.5 18.5c0-3.2 2.5-5.2 5.5-5.2s5.5 2 5.5 5.2z" fill="#06c"/>
        </svg>
    }
}

/// A simple pictogram of an identity card, white on the CIE blue.
fn cie_icon() -> impl IntoView {
    view! {
        <svg class="btn-idp-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
            <rect x="1" y="4" width="22" height="16" rx="2.5" fill="#fff"/>
            <circle cx="7.5" cy="11" r="2.4" fill="#06c"/>
            <path d="M3.8 17c0-2.2 1.7-3.4 3.7-3.4s3.7 1.2 3.7 3.4z" fill="#06c"/>
            <rect x="13" y="8.5" width="7" height="1.8" rx=".9" fill="#06c"/>
            <rect x="13" y="12" width="5" height="1.8" rx=".9" fill="#06c"/>
        </svg>
    }
}

/// A path as a query value.
fn encode(path: &str) -> String {
    js_sys::encode_uri_component(path).into()
}

#[component]
pub fn Login() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let idps = LocalResource::new(providers);
    let refusal = move || {
        query
            .with(|q| q.get("errore"))
            .map(|code| provider_refusal(&code))
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (u, p) = (username.get_untracked(), password.get_untracked());
        if u.trim().is_empty() || p.is_empty() {
            error.set(Some(ApiError::invalid("credentials", "missing")));
            return;
        }
        pending.set(true);
        let navigate = navigate.clone();
        let after = query.get_untracked().get("dopo");
        leptos::task::spawn_local(async move {
            match session.login(u.trim().to_owned(), p).await {
                Ok(me) => {
                    error.set(None);
                    // Only a path of this site: never an address elsewhere.
                    let after = after.filter(|a| a.starts_with('/') && !a.starts_with("//"));
                    let target = match after {
                        // Several organisations: pick one first, then go on.
                        Some(a) if me.must_choose() => format!("{CHOOSE_PATH}?dopo={}", encode(&a)),
                        Some(a) => a,
                        None => me.landing().to_owned(),
                    };
                    navigate(&target, NavigateOptions::default());
                }
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };

    let missing =
        move || error.with(|e| e.as_ref().and_then(ApiError::field) == Some("credentials"));

    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("Accedi").to_owned())/>
            <div class="row justify-content-center">
                <div class="col-12 col-md-8 col-lg-6">
                    <h1 class="mb-3">{move || t("Accedi a Nuvola")}</h1>
                    <p class="lead">
                        {move || t("L'area riservata è per le amministrazioni, i fornitori cloud e il PSN, il Dipartimento e gli asseveratori. I dati aperti sono consultabili senza accedere.")}
                    </p>
                    {move || refusal().map(|sentence| view! {
                        <div class="alert alert-danger" role="alert">{sentence}</div>
                    })}
                    {move || idps.get().filter(|l| !l.is_empty()).map(|list| view! { <ProviderButtons list=list/> })}
                    <form class="mt-4" on:submit=submit novalidate>
                        <div class="form-group">
                            <label for="login-username" class="active">{move || t("Nome utente")}</label>
                            <input
                                id="login-username"
                                type="text"
                                class="form-control"
                                autocomplete="username"
                                required
                                prop:value=move || username.get()
                                on:input=move |ev| username.set(event_target_value(&ev))
                            />
                        </div>
                        <div class="form-group">
                            <label for="login-password" class="active">{move || t("Password")}</label>
                            <input
                                id="login-password"
                                type="password"
                                class="form-control"
                                autocomplete="current-password"
                                required
                                prop:value=move || password.get()
                                on:input=move |ev| password.set(event_target_value(&ev))
                            />
                        </div>
                        <Show when=missing>
                            <div class="alert alert-warning" role="alert">
                                {move || t("Scrivi il nome utente e la password.")}
                            </div>
                        </Show>
                        <Show when=move || error.with(|e| e.is_some()) && !missing()>
                            {move || error.get().map(|e| view! { <ErrorAlert error=e/> })}
                        </Show>
                        <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                            {move || if pending.get() { t("Accesso in corso…") } else { t("Accedi") }}
                        </button>
                    </form>
                </div>
            </div>
        </div>
    }
}

/// "Seleziona l'ente per cui operare": a person who may act for several organisations
/// picks one after login, and may switch here at any time without logging in again.
#[component]
pub fn OrganisationPicker() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(None::<String>);

    let pick = move |id: String| {
        if pending.get_untracked().is_some() {
            return;
        }
        pending.set(Some(id.clone()));
        let navigate = navigate.clone();
        let after = query
            .get_untracked()
            .get("dopo")
            .filter(|a| a.starts_with('/') && !a.starts_with("//"));
        leptos::task::spawn_local(async move {
            match session.select(id).await {
                Ok(me) => {
                    error.set(None);
                    let target = after.unwrap_or_else(|| home_of(me.role).to_owned());
                    navigate(&target, NavigateOptions::default());
                }
                Err(e) => error.set(Some(e)),
            }
            pending.set(None);
        });
    };

    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("Seleziona l'ente").to_owned())/>
            <div class="row justify-content-center">
                <div class="col-12 col-md-10 col-lg-8">
                    <h1 class="mb-3">{move || t("Seleziona l'ente per cui operare")}</h1>
                    {move || match session.0.get() {
                        SessionState::User(me) if me.memberships.is_empty() => view! {
                            <div class="alert alert-info" role="status">
                                {move || t("Non operi ancora per alcun ente.")}
                            </div>
                        }
                        .into_any(),
                        SessionState::User(me) => {
                            let acting = me.acting_as.as_ref().map(|m| m.id.clone());
                            view! {
                                <p class="lead">
                                    {move || t("Puoi cambiare ente in ogni momento, senza accedere di nuovo.")}
                                </p>
                                <ul class="list-unstyled mt-3" aria-label=move || t("Enti per cui puoi operare")>
                                    {me
                                        .memberships
                                        .into_iter()
                                        .map(|m| {
                                            let current = acting.as_deref() == Some(m.id.as_str());
                                            let id = m.id.clone();
                                            let pick = pick.clone();
                                            let role = m.role;
                                            let busy = {
                                                let id = m.id.clone();
                                                move || pending.with(|p| p.as_deref() == Some(id.as_str()))
                                            };
                                            view! {
                                                <li class="card card-bg mb-3 p-3 d-flex flex-row flex-wrap align-items-center justify-content-between gap-2">
                                                    <div>
                                                        <p class="fw-semibold mb-0">{m.organisation_name.clone()}</p>
                                                        <p class="small mb-0">{move || crate::i18n::role_label(role)}</p>
                                                    </div>
                                                    {if current {
                                                        view! {
                                                            <span class="badge bg-success" aria-current="true">
                                                                {move || t("Ente attuale")}
                                                            </span>
                                                        }
                                                        .into_any()
                                                    } else {
                                                        view! {
                                                            <button
                                                                type="button"
                                                                class="btn btn-primary btn-sm"
                                                                aria-label=format!("{}: {}", t("Opera per questo ente"), m.organisation_name)
                                                                disabled=move || pending.with(Option::is_some)
                                                                on:click=move |_| pick(id.clone())
                                                            >
                                                                {move || if busy() { t("Attendi…") } else { t("Opera per questo ente") }}
                                                            </button>
                                                        }
                                                        .into_any()
                                                    }}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                            .into_any()
                        }
                        SessionState::Loading => ().into_any(),
                        SessionState::Anonymous | SessionState::LoggedOut => view! {
                            <div class="alert alert-warning" role="alert">
                                {move || t("Accedi per continuare.")}
                                " "
                                <a href="/accedi?dopo=%2Fscegli-ente">{move || t("Accedi")}</a>
                            </div>
                        }
                        .into_any(),
                    }}
                    <Show when=move || error.with(|e| e.is_some())>
                        {move || error.get().map(|e| view! { <ErrorAlert error=e/> })}
                    </Show>
                </div>
            </div>
        </div>
    }
}
