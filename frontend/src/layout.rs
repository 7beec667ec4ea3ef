//! The header and footer of every page, in the markup of Bootstrap Italia.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

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
                    <div class="it-brand-tagline d-none d-md-block">{tagline}</div>
                </div>
            </a>
        </div>
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let location = use_location();
    let current = move |path: &'static str| {
        let here = location.pathname.get();
        (here == path).then_some("page")
    };
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
                                <nav class="navbar navbar-expand-lg" aria-label="Menu principale">
                                    <div class="navbar-collapsable d-block position-static">
                                        <div class="menu-wrapper">
                                            <ul class="navbar-nav">
                                                <li class="nav-item">
                                                    <a
                                                        class="nav-link"
                                                        class:active=move || current("/").is_some()
                                                        href="/"
                                                        aria-current=move || current("/")
                                                    >
                                                        <span>"Dati aperti"</span>
                                                    </a>
                                                </li>
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
                                <h3 class="h5 footer-heading-title">"Il programma"</h3>
                                <p>
                                    "PNRR, Missione 1, Componente 1, Investimento 1.2: Abilitazione e facilitazione migrazione al cloud."
                                </p>
                            </div>
                            <div class="col-lg-4 col-md-6 pb-2">
                                <h3 class="h5 footer-heading-title">"Dati aperti"</h3>
                                <p>
                                    "Fonte: PA digitale 2026, Dipartimento per la trasformazione digitale, licenza "
                                    <a href="https://creativecommons.org/licenses/by/4.0/deed.it" rel="license">
                                        "CC BY 4.0"
                                    </a> "."
                                </p>
                            </div>
                            <div class="col-lg-4 col-md-6 pb-2">
                                <h3 class="h5 footer-heading-title">"Contatti"</h3>
                                <p>
                                    <a href="https://github.com/nuvola-pa/nuvola/issues">
                                        "Segnala un problema o un suggerimento"
                                    </a>
                                </p>
                            </div>
                        </div>
                    </section>
                </div>
            </div>
            <div class="it-footer-small-prints clearfix">
                <div class="container">
                    <h2 class="visually-hidden">"Link utili"</h2>
                    <ul class="it-footer-small-prints-list list-inline mb-0 d-flex flex-column flex-md-row">
                        <li class="list-inline-item">
                            <a href="/accessibilita">"Dichiarazione di accessibilità"</a>
                        </li>
                        <li class="list-inline-item">
                            <a href="/note-legali">"Note legali e fonti dei dati"</a>
                        </li>
                        <li class="list-inline-item">
                            <a href="https://github.com/nuvola-pa/nuvola/issues">"Feedback"</a>
                        </li>
                    </ul>
                </div>
            </div>
        </footer>
    }
}
