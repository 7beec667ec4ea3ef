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
use leptos_router::{path, Lazy, LazyRoute};
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

/// A page loaded on demand, in the split module of its area: `scripts/build-frontend.sh`
/// runs `wasm-split-cli`, which moves the code only the area's pages reach out of the main
/// wasm module, so a visitor of the public pages never downloads the areas of the roles.
/// The role guard travels with the page (`$roles`; none for a public page).
///
/// The pages are grouped by area (`$area`: one split module for every page of a role)
/// rather than one module per page: the splitter puts the code that several modules share
/// into one chunk per set of modules that share it, so nineteen per-page modules made 269
/// chunks, and a supplier's first visit fetched 131 of them (six at a time, over HTTP/1.1).
macro_rules! lazy_page {
    ($area:ident, $split_fn:ident: $route:ident, $page:ident $(, $roles:expr)?) => {
        mod $split_fn {
            use super::*;

            #[leptos::wasm_split::wasm_split(
                $area,
                wasm_split_path = ::leptos::wasm_split,
                preload(preload)
            )]
            pub fn $split_fn() -> AnyView {
                lazy_page!(@view $page $(, $roles)?)
            }
        }

        struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                $split_fn::$split_fn().await
            }

            async fn preload() {
                $split_fn::preload().await
            }
        }
    };
    (@view $page:ident) => {
        view! { <$page/> }.into_any()
    };
    (@view $page:ident, $roles:expr) => {
        view! { <RequireRole roles=$roles><$page/></RequireRole> }.into_any()
    };
}

// The page for third parties' developers: public, but long and read by few.
lazy_page!(api_docs, api_page: ApiPage, ApiAndOpenData);

lazy_page!(administration, administration_home: AdministrationHomePage, AdministrationHome, ADMINISTRATION);
lazy_page!(administration, administration_project: AdministrationProjectPage, AdministrationProject, ADMINISTRATION);
lazy_page!(administration, administration_requests: AdministrationRequestsPage, AdministrationRequests, ADMINISTRATION);
lazy_page!(supplier, supplier_home: SupplierHomePage, SupplierHome, SUPPLIERS);
lazy_page!(department, dashboard: DashboardPage, Dashboard, DEPARTMENT);
lazy_page!(department, department_project: DepartmentProjectPage, DepartmentProject, DEPARTMENT);
lazy_page!(department, department_suppliers: DepartmentSuppliersPage, DepartmentSuppliers, DEPARTMENT);
lazy_page!(department, department_calls: DepartmentCallsPage, DepartmentCalls, DEPARTMENT);
lazy_page!(department, department_imports: DepartmentImportsPage, DepartmentImports, DEPARTMENT);
lazy_page!(department, access_queue: AccessQueuePage, AccessQueue, DEPARTMENT);
lazy_page!(verifier, verifier_home: VerifierHomePage, VerifierHome, VERIFIER);
lazy_page!(verifier, verifier_project: VerifierProjectPage, VerifierProject, VERIFIER);
// The pages every signed-in person may open, whatever their role.
lazy_page!(account, notifications: NotificationsPage, Notifications, SIGNED_IN);
lazy_page!(account, preferences: PreferencesPage, NotificationPreferences, SIGNED_IN);
lazy_page!(account, webhooks: WebhooksPage, Webhooks, ORGANISATIONS);
lazy_page!(account, request_access: RequestAccessPage, RequestAccess, ANY_PERSON);
lazy_page!(account, members: MembersPage, Members, ORGANISATIONS);
lazy_page!(account, accept_invitation: AcceptInvitationPage, AcceptInvitation, ANY_PERSON);

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
