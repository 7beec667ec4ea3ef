//! The router and the frame every page shares.
//!
//! | route | who | page |
//! |---|---|---|
//! | `/` | everyone | open-data explorer |
//! | `/progetti/:cup` | everyone | a project's public page |
//! | `/accedi` | everyone | login |
//! | `/api-e-dati-aperti` | everyone | the API for third parties: endpoint, tokens, limits, error codes |
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
//! | `/dipartimento/importazioni` | DEPARTMENT | importing open data with a preview; data-quality warnings |
//! | `/notifiche/preferenze` | anyone signed in | e-mail address, language, mode per kind of notification |
//! | `/webhook` | ADMINISTRATION, SUPPLIER, PSN, DEPARTMENT | the organisation's webhooks and their delivery log; the department's failed deliveries |
//! | `/richiedi-accesso` | anyone signed in, also acting for nobody | ask to act for an administration or register a supplier; one's requests |
//! | `/dipartimento/richieste-accesso` | DEPARTMENT | the queue of requests: approve, reject with a reason |
//! | `/ente/membri` | ADMINISTRATION, SUPPLIER, PSN, DEPARTMENT | the organisation's members; the referent invites and removes |
//! | `/invito/:token` | anyone signed in | accept an invitation |
//!
//! The guards only choose pages: the server refuses whatever a role may not see.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute};
use nuvola_shared::Role;

use crate::i18n::t;
use crate::layout::{Footer, Header};
use crate::pages::{AcceptInvitation, AccessQueue, Members, RequestAccess};
use crate::pages::{
    AccessibilityStatement, AdministrationHome, AdministrationProject, AdministrationRequests,
    ApiAndOpenData, Dashboard, DepartmentProject, Explorer, LegalNotes, Login, NotFound,
    Notifications, OrganisationPicker, PublicProject, RequireRole, SupplierHome,
    UnreadNotifications, VerifierHome, VerifierProject,
};
use crate::pages::{DepartmentCalls, DepartmentImports, DepartmentSuppliers};
use crate::pages::{NotificationPreferences, Webhooks};
use crate::session::Session;

const ADMINISTRATION: &[Role] = &[Role::Administration];
const SUPPLIERS: &[Role] = &[Role::Supplier, Role::Psn];
const DEPARTMENT: &[Role] = &[Role::Department];
const VERIFIER: &[Role] = &[Role::Verifier];
const ORGANISATIONS: &[Role] = &[
    Role::Administration,
    Role::Supplier,
    Role::Psn,
    Role::Department,
];
/// Anyone logged in, also a person who acts for nobody yet (role PUBLIC).
const ANY_PERSON: &[Role] = &[
    Role::Administration,
    Role::Supplier,
    Role::Psn,
    Role::Department,
    Role::Verifier,
    Role::Public,
];
const SIGNED_IN: &[Role] = &[
    Role::Administration,
    Role::Supplier,
    Role::Psn,
    Role::Department,
    Role::Verifier,
];

/// A page of a reserved area, loaded on demand: its code is split out of the main wasm
/// module (`scripts/build-frontend.sh` runs `wasm-split-cli`), so a visitor of the public
/// pages never downloads the areas of the roles. The role guard travels with the page.
macro_rules! reserved_page {
    ($route:ident, $roles:expr, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <RequireRole roles=$roles><$page/></RequireRole> }.into_any()
            }
        }
    };
}

/// The page for third parties' developers: public, but long and read by few, so it is
/// loaded on demand like the reserved areas (no role guard).
struct ApiPage;

#[lazy_route]
impl LazyRoute for ApiPage {
    fn data() -> Self {
        ApiPage
    }

    fn view(_this: Self) -> AnyView {
        view! { <ApiAndOpenData/> }.into_any()
    }
}

reserved_page!(AdministrationHomePage, ADMINISTRATION, AdministrationHome);
reserved_page!(
    AdministrationProjectPage,
    ADMINISTRATION,
    AdministrationProject
);
reserved_page!(
    AdministrationRequestsPage,
    ADMINISTRATION,
    AdministrationRequests
);
reserved_page!(SupplierHomePage, SUPPLIERS, SupplierHome);
reserved_page!(DashboardPage, DEPARTMENT, Dashboard);
reserved_page!(DepartmentProjectPage, DEPARTMENT, DepartmentProject);
reserved_page!(DepartmentSuppliersPage, DEPARTMENT, DepartmentSuppliers);
reserved_page!(DepartmentCallsPage, DEPARTMENT, DepartmentCalls);
reserved_page!(DepartmentImportsPage, DEPARTMENT, DepartmentImports);
reserved_page!(VerifierHomePage, VERIFIER, VerifierHome);
reserved_page!(VerifierProjectPage, VERIFIER, VerifierProject);
reserved_page!(NotificationsPage, SIGNED_IN, Notifications);
reserved_page!(PreferencesPage, SIGNED_IN, NotificationPreferences);
reserved_page!(WebhooksPage, ORGANISATIONS, Webhooks);
reserved_page!(RequestAccessPage, ANY_PERSON, RequestAccess);
reserved_page!(AccessQueuePage, DEPARTMENT, AccessQueue);
reserved_page!(MembersPage, ORGANISATIONS, Members);
reserved_page!(AcceptInvitationPage, ANY_PERSON, AcceptInvitation);

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
                    <Route path=path!("/scegli-ente") view=OrganisationPicker/>
                    <Route path=path!("/accessibilita") view=AccessibilityStatement/>
                    <Route path=path!("/note-legali") view=LegalNotes/>
                    <Route path=path!("/api-e-dati-aperti") view={Lazy::<ApiPage>::new()}/>
                    <Route path=path!("/amministrazione") view={Lazy::<AdministrationHomePage>::new()}/>
                    <Route
                        path=path!("/amministrazione/progetti/:cup")
                        view={Lazy::<AdministrationProjectPage>::new()}
                    />
                    <Route
                        path=path!("/amministrazione/richieste")
                        view={Lazy::<AdministrationRequestsPage>::new()}
                    />
                    <Route path=path!("/fornitore") view={Lazy::<SupplierHomePage>::new()}/>
                    <Route path=path!("/dipartimento") view={Lazy::<DashboardPage>::new()}/>
                    <Route
                        path=path!("/dipartimento/progetti/:cup")
                        view={Lazy::<DepartmentProjectPage>::new()}
                    />
                    <Route path=path!("/dipartimento/fornitori") view={Lazy::<DepartmentSuppliersPage>::new()}/>
                    <Route path=path!("/dipartimento/avvisi") view={Lazy::<DepartmentCallsPage>::new()}/>
                    <Route path=path!("/dipartimento/importazioni") view={Lazy::<DepartmentImportsPage>::new()}/>
                    <Route path=path!("/asseveratore") view={Lazy::<VerifierHomePage>::new()}/>
                    <Route
                        path=path!("/asseveratore/progetti/:cup")
                        view={Lazy::<VerifierProjectPage>::new()}
                    />
                    <Route path=path!("/notifiche") view={Lazy::<NotificationsPage>::new()}/>
                    <Route path=path!("/notifiche/preferenze") view={Lazy::<PreferencesPage>::new()}/>
                    <Route path=path!("/webhook") view={Lazy::<WebhooksPage>::new()}/>
                    <Route path=path!("/richiedi-accesso") view={Lazy::<RequestAccessPage>::new()}/>
                    <Route path=path!("/dipartimento/richieste-accesso") view={Lazy::<AccessQueuePage>::new()}/>
                    <Route path=path!("/ente/membri") view={Lazy::<MembersPage>::new()}/>
                    <Route path=path!("/invito/:token") view={Lazy::<AcceptInvitationPage>::new()}/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}
