//! The router and the frame every page shares.
//!
//! | route | who | page |
//! |---|---|---|
//! | `/` | everyone | open-data explorer |
//! | `/progetti/:cup` | everyone | a project's public page |
//! | `/accedi` | everyone | login |
//! | `/amministrazione` | ADMINISTRATION | my projects |
//! | `/amministrazione/progetti/:cup` | ADMINISTRATION | a project: plan, contract |
//! | `/fornitore` | SUPPLIER, PSN | the services contracted to me |
//! | `/dipartimento` | DEPARTMENT | national dashboard |
//! | `/asseveratore` | VERIFIER | projects to verify |
//! | `/amministrazione/richieste` | ADMINISTRATION | the verifier's requests, answered with documents |
//! | `/notifiche` | anyone signed in | notifications |
//! | `/asseveratore/progetti/:cup` | VERIFIER | a verification: checklist, requests, outcome |
//! | `/dipartimento/progetti/:cup` | DEPARTMENT | a project: assign a verifier, pay, revoke |
//! | `/dipartimento/fornitori` | DEPARTMENT | qualified suppliers and offerings, qualifying them |
//! | `/dipartimento/avvisi` | DEPARTMENT | the deadline terms of each call |
//!
//! The guards only choose pages: the server refuses whatever a role may not see.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use nuvola_shared::Role;

use crate::i18n::t;
use crate::layout::{Footer, Header};
use crate::pages::{
    AccessibilityStatement, AdministrationHome, AdministrationProject, Dashboard, Explorer,
    LegalNotes, Login, NotFound, PublicProject, RequireRole, SupplierHome, VerifierHome,
};
use crate::pages::{AdministrationRequests, Notifications, UnreadNotifications};
use crate::pages::{DepartmentCalls, DepartmentProject, DepartmentSuppliers, VerifierProject};
use crate::session::Session;

const ADMINISTRATION: &[Role] = &[Role::Administration];
const SUPPLIERS: &[Role] = &[Role::Supplier, Role::Psn];
const DEPARTMENT: &[Role] = &[Role::Department];
const VERIFIER: &[Role] = &[Role::Verifier];
const SIGNED_IN: &[Role] = &[
    Role::Administration,
    Role::Supplier,
    Role::Psn,
    Role::Department,
    Role::Verifier,
];

#[component]
pub fn App() -> impl IntoView {
    Session::provide();
    UnreadNotifications::provide();
    view! {
        <Router>
            <a class="visually-hidden-focusable skiplink" href="#contenuto">
                {move || t("Vai al contenuto principale")}
            </a>
            <Header/>
            <main id="contenuto" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Explorer/>
                    <Route path=path!("/progetti/:cup") view=PublicProject/>
                    <Route path=path!("/accedi") view=Login/>
                    <Route
                        path=path!("/amministrazione")
                        view=|| view! { <RequireRole roles=ADMINISTRATION><AdministrationHome/></RequireRole> }
                    />
                    <Route
                        path=path!("/amministrazione/progetti/:cup")
                        view=|| view! { <RequireRole roles=ADMINISTRATION><AdministrationProject/></RequireRole> }
                    />
                    <Route
                        path=path!("/fornitore")
                        view=|| view! { <RequireRole roles=SUPPLIERS><SupplierHome/></RequireRole> }
                    />
                    <Route
                        path=path!("/dipartimento")
                        view=|| view! { <RequireRole roles=DEPARTMENT><Dashboard/></RequireRole> }
                    />
                    <Route
                        path=path!("/asseveratore")
                        view=|| view! { <RequireRole roles=VERIFIER><VerifierHome/></RequireRole> }
                    />
                    <Route path=path!("/accessibilita") view=AccessibilityStatement/>
                    // Issue 5: the verification and the department's project page.
                    <Route
                        path=path!("/asseveratore/progetti/:cup")
                        view=|| view! { <RequireRole roles=VERIFIER><VerifierProject/></RequireRole> }
                    />
                    <Route
                        path=path!("/dipartimento/progetti/:cup")
                        view=|| view! { <RequireRole roles=DEPARTMENT><DepartmentProject/></RequireRole> }
                    />
                    <Route
                        path=path!("/dipartimento/fornitori")
                        view=|| view! { <RequireRole roles=DEPARTMENT><DepartmentSuppliers/></RequireRole> }
                    />
                    <Route
                        path=path!("/dipartimento/avvisi")
                        view=|| view! { <RequireRole roles=DEPARTMENT><DepartmentCalls/></RequireRole> }
                    />
                    <Route path=path!("/note-legali") view=LegalNotes/>
                    // Issue 5, items 3 and 4: requests, notifications.
                    <Route
                        path=path!("/amministrazione/richieste")
                        view=|| view! { <RequireRole roles=ADMINISTRATION><AdministrationRequests/></RequireRole> }
                    />
                    <Route
                        path=path!("/notifiche")
                        view=|| view! { <RequireRole roles=SIGNED_IN><Notifications/></RequireRole> }
                    />
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}
