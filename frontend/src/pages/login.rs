//! The login page. The server sets an HttpOnly session cookie; this page never sees
//! the token. Afterwards it goes back where the user was sent from, or to the role's
//! home page.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::{Breadcrumb, ErrorAlert};
use crate::api::ApiError;
use crate::i18n::t;
use crate::session::{home_of, use_session};

#[component]
pub fn Login() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

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
                    let target = after
                        .filter(|a| a.starts_with('/') && !a.starts_with("//"))
                        .unwrap_or_else(|| home_of(me.role).to_owned());
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
