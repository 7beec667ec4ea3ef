//! The header and footer of every page, in the markup of Bootstrap Italia.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use nuvola_shared::Role;

use crate::i18n::{self, t, Lang};
use crate::session::{use_session, SessionState};

/// An icon from Bootstrap Italia's sprite sheet; decorative, hidden from screen readers.
#[component]
pub fn Icon(name: &'static str, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! {
        <svg class=format!("icon {class}") aria-hidden="true" focusable="false">
            <use_ href=format!("/svg/sprites.svg#{name}")></use_>
        </svg>
    }
}

/// The service's name and emblem, linking home.
#[component]
fn Brand(tagline: &'static str) -> impl IntoView {
    view! {
        <div class="it-brand-wrapper">
            <a href="/">
                <Icon name="it-pa"/>
                <div class="it-brand-text">
                    <div class="it-brand-title">"Nuvola"</div>
                    <div class="it-brand-tagline d-none d-md-block">{move || t(tagline)}</div>
                </div>
            </a>
        </div>
    }
}

/// The `id` of the collapsible menu, which its hamburger button controls.
const MENU_ID: &str = "menu-principale";

/// The menu entries of a role: its own area, the organisation picker for a person who
/// acts for several, then the open data everyone sees.
fn menu_of(role: Option<Role>, several: bool) -> Vec<(&'static str, &'static str)> {
    let mut items = Vec::new();
    match role {
        Some(Role::Administration) => {
            items.push(("/amministrazione", "I miei progetti"));
            items.push(("/amministrazione/richieste", "Richieste"));
            items.push(("/ente/membri", "Membri"));
            items.push(("/webhook", "Webhook"));
        }
        Some(Role::Supplier | Role::Psn) => {
            items.push(("/fornitore", "I servizi a contratto"));
            items.push(("/ente/membri", "Membri"));
            items.push(("/webhook", "Webhook"));
        }
        Some(Role::Department) => {
            items.push(("/dipartimento", "Cruscotto nazionale"));
            items.push(("/dipartimento/fornitori", "Fornitori qualificati"));
            items.push(("/dipartimento/avvisi", "Termini degli avvisi"));
            items.push(("/dipartimento/importazioni", "Importazione dati aperti"));
            items.push(("/dipartimento/richieste-accesso", "Richieste di accesso"));
            items.push(("/ente/membri", "Personale e asseveratori"));
            items.push(("/webhook", "Webhook e consegne"));
        }
        Some(Role::Verifier) => items.push(("/asseveratore", "Progetti da asseverare")),
        Some(Role::Public) => items.push(("/richiedi-accesso", "Richiedi l'accesso")),
        None => {}
    }
    if several {
        items.push((crate::session::CHOOSE_PATH, "Cambia ente"));
    }
    items.push(("/", "Dati aperti"));
    items
}

/// ITA / ENG, as the slim header of Italian PA sites offers it.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let button = move |lang: Lang, label: &'static str, name: &'static str| {
        view! {
            <button
                type="button"
                class="btn btn-link btn-sm text-white text-decoration-none px-2"
                class:fw-bold=move || i18n::lang() == lang
                aria-pressed=move || (i18n::lang() == lang).to_string()
                lang=lang.code()
                on:click=move |_| i18n::set_lang(lang)
            >
                {label}
                <span class="visually-hidden">{format!(" {name}")}</span>
            </button>
        }
    };
    view! {
        <div class="nav-item d-flex align-items-center" role="group" aria-label=move || t("Lingua")>
            {button(Lang::It, "ITA", "Italiano")}
            <span class="text-white" aria-hidden="true">"|"</span>
            {button(Lang::En, "ENG", "English")}
        </div>
    }
}

/// Who is logged in, with the way out; or the way in.
#[component]
fn UserZone() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let logout = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            session.logout().await;
            navigate("/", NavigateOptions::default());
        });
    };
    move || match session.0.get() {
        SessionState::User(me) => {
            let role = me.role;
            let several = me.memberships.len() > 1;
            let choosing = me.must_choose() && !me.memberships.is_empty();
            view! {
                <div class="d-flex align-items-center gap-2 ms-3">
                    <crate::pages::NotificationBadge/>
                    <span class="text-white small text-end lh-sm" data-testid="utente">
                        <span class="fw-semibold">{me.shown_name()}</span>
                        <br/>
                        <span>
                            {move || if choosing { t("Ente da scegliere") } else { i18n::role_label(role) }}
                        </span>
                        {several.then(|| view! {
                            <br/>
                            <a class="text-white" href=crate::session::CHOOSE_PATH>{move || t("Cambia ente")}</a>
                        })}
                    </span>
                    <button type="button" class="btn btn-primary btn-sm btn-icon" on:click=logout.clone()>
                        <Icon name="it-logout" class="icon-white"/>
                        <span>{move || t("Esci")}</span>
                    </button>
                </div>
            }
            .into_any()
        }
        SessionState::Anonymous | SessionState::LoggedOut => view! {
            <a class="btn btn-primary btn-icon btn-full" href="/accedi">
                <span class="rounded-icon" aria-hidden="true">
                    <Icon name="it-user" class="icon-primary"/>
                </span>
                <span>{move || t("Accedi all'area riservata")}</span>
            </a>
        }
        .into_any(),
        SessionState::Loading => ().into_any(),
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let location = use_location();
    let session = use_session();
    let current = move |path: &'static str| {
        let here = location.pathname.get();
        // The longest entry that prefixes the address is the current one
        // (`/amministrazione/richieste`, not also `/amministrazione`).
        let matches = |p: &str| {
            if p == "/" {
                here == "/"
            } else {
                here.starts_with(p)
            }
        };
        let active = matches(path)
            && !menu_of(session.role(), true)
                .iter()
                .any(|(other, _)| other.len() > path.len() && matches(other));
        active.then_some("page")
    };
    // The menu on narrow screens (below Bootstrap's `lg`): a side panel the hamburger
    // opens. Opening moves the focus to its first link; closing with the close button,
    // the overlay or Escape gives the focus back to the hamburger; following a link (or
    // any other navigation) closes it.
    let open = RwSignal::new(false);
    let toggler = NodeRef::<leptos::html::Button>::new();
    let menu = NodeRef::<leptos::html::Div>::new();
    let set_menu = move |value: bool, refocus: bool| {
        open.set(value);
        if value {
            request_animation_frame(move || {
                if let Some(link) = menu
                    .get_untracked()
                    .and_then(|m| m.query_selector("a").ok().flatten())
                    .and_then(|a| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(a).ok())
                {
                    let _ = link.focus();
                }
            });
        } else if refocus {
            if let Some(button) = toggler.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    view! {
        <header class="it-header-wrapper">
            <div class="it-header-slim-wrapper">
                <div class="container">
                    <div class="row">
                        <div class="col-12">
                            <div class="it-header-slim-wrapper-content">
                                <a
                                    class="d-lg-block navbar-brand"
                                    href="https://innovazione.gov.it/"
                                    rel="external"
                                >
                                    "Dipartimento per la trasformazione digitale"
                                </a>
                                <div class="it-header-slim-right-zone" role="navigation" aria-label=move || t("Area riservata")>
                                    <LanguageSwitch/>
                                    <UserZone/>
                                </div>
                            </div>
                        </div>
                    </div>
                </div>
            </div>
            <div class="it-nav-wrapper">
                <div class="it-header-center-wrapper">
                    <div class="container">
                        <div class="row">
                            <div class="col-12">
                                <div class="it-header-center-content-wrapper">
                                    <Brand tagline="Migrazione al cloud della Pubblica Amministrazione · PNRR Misura 1.2"/>
                                </div>
                            </div>
                        </div>
                    </div>
                </div>
                <div class="it-header-navbar-wrapper">
                    <div class="container">
                        <div class="row">
                            <div class="col-12">
                                <nav class="navbar navbar-expand-lg" aria-label=move || t("Menu principale")>
                                    <button
                                        type="button"
                                        class="custom-navbar-toggler"
                                        aria-controls=MENU_ID
                                        aria-expanded=move || open.get().to_string()
                                        aria-label=move || t("Apri il menu")
                                        node_ref=toggler
                                        on:click=move |_| set_menu(true, false)
                                    >
                                        <Icon name="it-burger"/>
                                    </button>
                                    <div
                                        class="navbar-collapsable"
                                        class:expanded=move || open.get()
                                        id=MENU_ID
                                        style:display=move || open.get().then_some("block")
                                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                            if ev.key() == "Escape" && open.get_untracked() {
                                                set_menu(false, true);
                                            }
                                        }
                                    >
                                        <div
                                            class="overlay"
                                            style:display=move || open.get().then_some("block")
                                            on:click=move |_| set_menu(false, true)
                                        ></div>
                                        <div class="close-div">
                                            <button
                                                type="button"
                                                class="btn close-menu"
                                                on:click=move |_| set_menu(false, true)
                                            >
                                                <span class="visually-hidden">{move || t("Chiudi il menu")}</span>
                                                <Icon name="it-close-big"/>
                                            </button>
                                        </div>
                                        <div class="menu-wrapper" node_ref=menu>
                                            <ul class="navbar-nav">
                                                {move || {
                                                    let several = session
                                                        .user()
                                                        .is_some_and(|me| me.memberships.len() > 1);
                                                    menu_of(session.role(), several)
                                                        .into_iter()
                                                        .map(|(href, label)| view! {
                                                            <li class="nav-item">
                                                                <a
                                                                    class="nav-link"
                                                                    class:active=move || current(href).is_some()
                                                                    href=href
                                                                    aria-current=move || current(href)
                                                                    on:click=move |_| open.set(false)
                                                                >
                                                                    <span>{move || t(label)}</span>
                                                                </a>
                                                            </li>
                                                        })
                                                        .collect_view()
                                                }}
                                            </ul>
                                        </div>
                                    </div>
                                </nav>
                            </div>
                        </div>
                    </div>
                </div>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="it-footer">
            <div class="it-footer-main">
                <div class="container">
                    <section>
                        <div class="row clearfix">
                            <div class="col-sm-12">
                                <Brand tagline="Il sistema aperto della migrazione al cloud della PA"/>
                            </div>
                        </div>
                    </section>
                    <section class="py-4 border-white border-top">
                        <div class="row">
                            <div class="col-lg-4 col-md-6 pb-2">
                                <h3 class="h5 footer-heading-title">{move || t("Il programma")}</h3>
                                <p>
                                    {move || t("PNRR, Missione 1, Componente 1, Investimento 1.2: Abilitazione e facilitazione migrazione al cloud.")}
                                </p>
                            </div>
                            <div class="col-lg-4 col-md-6 pb-2">
                                <h3 class="h5 footer-heading-title">{move || t("Dati aperti")}</h3>
                                <p>
                                    {move || t("Fonte: PA digitale 2026, Dipartimento per la trasformazione digitale, licenza ")}
                                    <a href="https://creativecommons.org/licenses/by/4.0/deed.it" rel="license">
                                        "CC BY 4.0"
                                    </a> "."
                                </p>
                            </div>
                            <div class="col-lg-4 col-md-6 pb-2">
                                <h3 class="h5 footer-heading-title">{move || t("Contatti")}</h3>
                                <p>
                                    <a href="https://github.com/nuvola-pa/nuvola/issues">
                                        {move || t("Segnala un problema o un suggerimento")}
                                    </a>
                                </p>
                            </div>
                        </div>
                    </section>
                </div>
            </div>
            <div class="it-footer-small-prints clearfix">
                <div class="container">
                    <h2 class="visually-hidden">{move || t("Link utili")}</h2>
                    <ul class="it-footer-small-prints-list list-inline mb-0 d-flex flex-column flex-md-row">
                        <li class="list-inline-item">
                            <a href="/accessibilita">{move || t("Dichiarazione di accessibilità")}</a>
                        </li>
                        <li class="list-inline-item">
                            <a href="/note-legali">{move || t("Note legali e fonti dei dati")}</a>
                        </li>
                        <li class="list-inline-item">
                            <a href="/api-e-dati-aperti">{move || t("API e dati aperti")}</a>
                        </li>
                        <li class="list-inline-item">
                            <a href="https://github.com/nuvola-pa/nuvola/issues">{move || t("Feedback")}</a>
                        </li>
                    </ul>
                </div>
            </div>
        </footer>
    }
}
