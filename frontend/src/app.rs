//! The router and the frame every page shares.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::layout::{Footer, Header};
use crate::pages::{AccessibilityStatement, Explorer, LegalNotes, NotFound};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <a class="visually-hidden-focusable skiplink" href="#contenuto">
                "Vai al contenuto principale"
            </a>
            <Header/>
            <main id="contenuto" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Explorer/>
                    <Route path=path!("/accessibilita") view=AccessibilityStatement/>
                    <Route path=path!("/note-legali") view=LegalNotes/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}
