//! The verifier's (*asseveratore*) area: the queue of projects assigned to it, and one
//! project's verification: the plan, the checklist per service, the document requests
//! (*Area Richieste*) and the technical conformity outcome. Every move offered comes
//! from the tables of `shared` (`state`, `verification`) that the server checks too.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use nuvola_shared::state::ProjectAction;
use nuvola_shared::verification::{
    RequestAction, MAX_REQUEST_TEXT, MAX_REQUEST_TITLE, REQUEST_TRANSITIONS,
};
use nuvola_shared::{ApplicationState, CheckOutcome, RequestState, Role, VerificationOutcome};
use serde::Deserialize;
use serde_json::{json, Value};

use super::administration::{CallRef, PlanTable, PlannedService};
use super::{blames, Breadcrumb, Connection, Empty, ErrorAlert, FieldError, Loading, StateBadge};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::{t, tf, tx};

/// One page of the verifier's projects, with the total of those matching the filter.
const QUEUE: &str = r#"query Queue($first: Int!, $after: String, $filter: MyProjectFilter) {
  myProjectsConnection(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { cup amountEur state administration { name region } call { title } } }
  } }"#;

/// Projects per page of the queue.
const QUEUE_PAGE: usize = 25;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Queue {
    my_projects_connection: Connection<QueueItem>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueItem {
    cup: String,
    amount_eur: i64,
    state: ApplicationState,
    administration: Body,
    call: CallRef,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Body {
    pub name: String,
    pub region: String,
}

/// A page's data as JSON, by the project's CUP when one is given. The verifier's and
/// the department's pages all load through this one future type, and decode with
/// [`decode`]: the wasm holds one copy of the resource machinery instead of one per
/// page (the front end has a size budget).
pub(crate) async fn fetch(document: &'static str, cup: Option<String>) -> Result<Value, ApiError> {
    let variables = match cup {
        Some(cup) => json!({ "cup": cup }),
        None => json!({}),
    };
    api::query_value(document, variables).await
}

/// The answer of [`fetch`] as the page's type.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(data: Value) -> Result<T, ApiError> {
    serde_json::from_value(data).map_err(|_| ApiError::Malformed)
}

/// The page of the project the route's `:cup` names, for the verifier's and the
/// department's pages: `document` (taking `$cup`) is fetched, its `application` decoded as
/// `P` and drawn by `show`, which gets a notice line and a callback that sets the notice
/// and reloads. Loading, a project that does not exist and failures are shown here.
pub(crate) fn project_page<P>(
    document: &'static str,
    show: fn(P, RwSignal<Option<&'static str>>, Callback<&'static str>) -> AnyView,
) -> impl IntoView
where
    P: serde::de::DeserializeOwned + 'static,
{
    #[derive(Deserialize)]
    struct Data<P> {
        application: Option<P>,
    }
    let params = use_params_map();
    let cup = move || params.with(|p| p.get("cup").unwrap_or_default());
    let data = LocalResource::new(move || fetch(document, Some(cup())));
    let notice = RwSignal::new(None::<&'static str>);
    let reload = Callback::new(move |message: &'static str| {
        notice.set(Some(message));
        data.refetch();
    });
    view! {
        <div class="container my-4">
            <Transition fallback=|| view! { <Loading what="Caricamento del progetto…"/> }>
                {move || Suspend::new(async move {
                    match data.await.and_then(decode::<Data<P>>) {
                        Ok(Data { application: Some(p) }) => show(p, notice, reload),
                        Ok(_) => view! { <ErrorAlert error=ApiError::Refused { code: "NOT_FOUND".into(), message: String::new(), field: None }/> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The projects assigned to the verifier, a page at a time from the server: those still
/// to verify by default, any state on request, searched by CUP or body.
#[component]
pub fn VerifierHome() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let state = RwSignal::new(ApplicationState::UnderVerification.code().to_owned());
    let filter = Memo::new(move |_| {
        let search = search.get().trim().to_owned();
        let mut filter = serde_json::Map::new();
        if !search.is_empty() {
            filter.insert("search".into(), Value::String(search));
        }
        if let Ok(s) = ApplicationState::parse(&state.get()) {
            filter.insert("state".into(), Value::String(s.code().to_owned()));
        }
        Value::Object(filter)
    });
    // The cursors of the pages before the current one, for the filter they belong to:
    // another filter starts again from the first page.
    let cursors = RwSignal::new((Value::Null, Vec::<String>::new()));
    let stack = move || {
        let current = filter.get();
        cursors.with(|(of, stack)| {
            if *of == current {
                stack.clone()
            } else {
                Vec::new()
            }
        })
    };
    let data = LocalResource::new(move || {
        let variables =
            json!({ "first": QUEUE_PAGE, "after": stack().last(), "filter": filter.get() });
        async move {
            api::query_value(QUEUE, variables)
                .await
                .and_then(decode::<Queue>)
        }
    });
    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("Progetti da asseverare").to_owned())/>
            <h1>{tx("Progetti da asseverare")}</h1>
            <p class="lead">{tx("I progetti che il Dipartimento ti ha assegnato: apri un progetto per verificarne il piano, chiedere documenti e registrare l'esito.")}</p>
            <form class="row g-3 mt-2" role="search" on:submit=|ev| ev.prevent_default()>
                <div class="col-12 col-md-6">
                    <div class="form-group mb-0">
                        <label for="coda-testo" class="active">{tx("Cerca ente o CUP")}</label>
                        <input
                            id="coda-testo"
                            type="search"
                            class="form-control"
                            maxlength="100"
                            prop:value=move || search.get()
                            on:change=move |ev| search.set(event_target_value(&ev))
                        />
                    </div>
                </div>
                <div class="col-12 col-md-6">
                    <div class="select-wrapper">
                        <label for="coda-stato">{tx("Stato")}</label>
                        <select id="coda-stato" on:change=move |ev| state.set(event_target_value(&ev))>
                            {ApplicationState::ALL.iter().map(|s| view! {
                                <option value=s.code() selected=*s == ApplicationState::UnderVerification>
                                    {move || crate::i18n::state_label(*s)}
                                </option>
                            }).collect_view()}
                            <option value="">{tx("Tutti gli stati")}</option>
                        </select>
                    </div>
                </div>
            </form>
            <Transition fallback=|| view! { <Loading what="Caricamento dei progetti…"/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => {
                            let Connection { total_count, page_info, edges } = d.my_projects_connection;
                            if total_count == 0 {
                                return view! { <Empty what="Nessun progetto assegnato in questo stato o con questa ricerca."/> }.into_any();
                            }
                            let page = stack().len() + 1;
                            let pages = total_count.div_ceil(QUEUE_PAGE).max(1);
                            let end_cursor = page_info.end_cursor;
                            view! {
                                <p class="mt-3" data-testid="totale-coda">
                                    {move || if total_count == 1 {
                                        t("1 progetto.").to_owned()
                                    } else {
                                        tf("{} progetti.", &[&format::number(total_count as i64)])
                                    }}
                                </p>
                                <QueueTable projects=edges.into_iter().map(|e| e.node).collect()/>
                                <nav class="pagination-wrapper justify-content-between d-flex align-items-center" aria-label=move || t("Paginazione")>
                                    <button
                                        type="button"
                                        class="btn btn-outline-primary btn-sm"
                                        disabled=page <= 1
                                        on:click=move |_| cursors.update(|(_, c)| drop(c.pop()))
                                    >
                                        {move || t("‹ Precedenti")}
                                    </button>
                                    <span>{move || tf("Pagina {} di {}", &[&page.to_string(), &pages.to_string()])}</span>
                                    <button
                                        type="button"
                                        class="btn btn-outline-primary btn-sm"
                                        disabled=!page_info.has_next_page
                                        on:click=move |_| {
                                            if let Some(cursor) = end_cursor.clone() {
                                                let current = filter.get_untracked();
                                                cursors.update(|(of, c)| {
                                                    if *of != current {
                                                        *of = current;
                                                        c.clear();
                                                    }
                                                    c.push(cursor);
                                                });
                                            }
                                        }
                                    >
                                        {move || t("Successivi ›")}
                                    </button>
                                </nav>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn QueueTable(projects: Vec<QueueItem>) -> impl IntoView {
    view! {
        <div class="table-responsive">
            <table class="table table-striped align-middle table-stack">
                <caption class="visually-hidden">{tx("Progetti da asseverare")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tx("Ente")}</th>
                        <th scope="col">{tx("Avviso")}</th>
                        <th scope="col">{tx("Stato")}</th>
                        <th scope="col" class="text-end">{tx("Importo")}</th>
                    </tr>
                </thead>
                <tbody>
                    {projects.into_iter().map(|p| view! {
                        <tr>
                            <th scope="row" class="fw-normal">
                                <a href=format!("/asseveratore/progetti/{}", p.cup) class="fw-semibold">{p.administration.name.clone()}</a>
                                <br/><small class="text-muted">{p.administration.region.clone()}" · CUP "<span class="font-monospace">{p.cup.clone()}</span></small>
                            </th>
                            <td data-label=move || t("Avviso")>{p.call.title.clone()}</td>
                            <td data-label=move || t("Stato")><StateBadge state=p.state/></td>
                            <td class="text-end" data-label=move || t("Importo")>{format::euros(p.amount_eur)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

const PROJECT: &str = r#"query Verify($cup: String!) { application(cup: $cup) {
  cup amountEur state version verificationOutcome
  administration { name region } call { title }
  plan { id name dataClass modality origin destination status offering { code name supplierName } supplier { vatNumber name } contractOn cutoverStart cutoverEnd version
         assessments { version applicationName cpuCores memoryGb storageGb users destination
                       providerActivatedOn migrationStartedOn goLiveOn submittedAt } }
  documents { id kind fileName sizeBytes uploadedAt downloadUrl plannedServiceId }
  checklist { plannedServiceName item outcome notes recordedAt }
  verificationRequests { id title body dueOn daysLeft state version openedAt answeredAt answerNote
    documents { id fileName sizeBytes downloadUrl } }
} }"#;
const RECORD_CHECK: &str =
    "mutation Check($input: CheckInput!) { recordVerificationCheck(input: $input) { id } }";
const OPEN_REQUEST: &str =
    "mutation Open($input: OpenRequestInput!) { openVerificationRequest(input: $input) { id } }";
const CLOSE_REQUEST: &str =
    "mutation Close($input: CloseRequestInput!) { closeVerificationRequest(input: $input) { id } }";
const REOPEN_REQUEST: &str = "mutation Reopen($input: ReopenRequestInput!) { reopenVerificationRequest(input: $input) { id } }";
const RECORD_OUTCOME: &str = "mutation Outcome($project: ProjectVersionInput!, $outcome: VerificationOutcome!, $notes: String, $redo: [ID!]) { recordVerificationOutcome(project: $project, outcome: $outcome, notes: $notes, redoServices: $redo) { state } }";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Project {
    cup: String,
    amount_eur: i64,
    state: ApplicationState,
    version: i32,
    verification_outcome: Option<VerificationOutcome>,
    administration: Body,
    call: CallRef,
    plan: Vec<PlannedService>,
    checklist: Vec<Value>,
    verification_requests: Vec<Request>,
    documents: Vec<crate::upload::Document>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    id: String,
    title: String,
    body: String,
    due_on: String,
    days_left: Option<i64>,
    state: RequestState,
    version: i32,
    opened_at: String,
    answered_at: Option<String>,
    answer_note: Option<String>,
    /// Read field by field: less wasm than a derived decoder.
    documents: Vec<Value>,
}

/// What a verifier checks on every service; recording an item again replaces it.
const CHECK_ITEMS: [&str; 4] = [
    "Servizio attivo sull'ambiente cloud qualificato",
    "Dati migrati integralmente",
    "Collaudo superato",
    "Documentazione di conformità presente",
];

/// Sends one mutation; on success clears the error and calls `done`. Shared by the
/// department's page: one copy of the request's future in the wasm.
pub(crate) fn send(
    document: &'static str,
    variables: Value,
    pending: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    done: impl FnOnce() + 'static,
) {
    if pending.get_untracked() {
        return;
    }
    pending.set(true);
    leptos::task::spawn_local(async move {
        match api::query::<Value>(document, variables).await {
            Ok(_) => {
                error.set(None);
                done();
            }
            Err(e) => error.set(Some(e)),
        }
        pending.set(false);
    });
}

/// One project under the verifier's eyes.
#[component]
pub fn VerifierProject() -> impl IntoView {
    project_page(PROJECT, |project: Project, notice, reload| {
        view! { <VerificationView project notice reload/> }.into_any()
    })
}

#[component]
fn VerificationView(
    project: Project,
    notice: RwSignal<Option<&'static str>>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    let verifying = project.state == ApplicationState::UnderVerification;
    let name = project.administration.name.clone();
    let services: Vec<(String, String)> = project
        .plan
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let outcome = project.verification_outcome;
    view! {
        <Breadcrumb
            links=vec![("Progetti da asseverare", "/asseveratore".to_owned())]
            here=Signal::derive(move || name.clone())
        />
        <div class="d-flex gap-2 align-items-center mb-2">
            <span data-testid="stato-progetto"><StateBadge state=project.state/></span>
            <span class="font-monospace small">"CUP "{project.cup.clone()}</span>
        </div>
        <h1>{project.administration.name.clone()}</h1>
        <p class="lead">{project.call.title.clone()}" · "{project.administration.region.clone()}" · "{format::euros(project.amount_eur)}</p>
        {move || notice.get().map(|n| view! {
            <div class="alert alert-success" role="status"><p class="mb-0">{tx(n)}</p></div>
        })}
        {outcome.map(|o| view! {
            <p><span class="fw-semibold">{tx("Esito registrato")}": "</span>{tx(outcome_label(o))}</p>
        })}
        {(!verifying).then(|| view! {
            <div class="callout callout-highlight note my-3">
                <p class="mb-0">{tx("Il progetto non è in verifica: puoi consultarlo, ma non registrare verifiche, richieste o esiti.")}</p>
            </div>
        })}

        <section aria-labelledby="piano" class="mt-5">
            <h2 id="piano" class="h3">{tx("Piano di migrazione")}</h2>
            <PlanTable plan=project.plan.clone()/>
        </section>

        <super::service::ServiceEvidence plan=project.plan.clone() documents=project.documents.clone()/>

        <section aria-labelledby="documenti" class="mt-5">
            <h2 id="documenti" class="h3">{tx("Documenti del progetto")}</h2>
            <crate::upload::DocumentList documents=project.documents.clone()/>
        </section>

        <section aria-labelledby="checklist" class="mt-5">
            <h2 id="checklist" class="h3">{tx("Lista di controllo")}</h2>
            <ChecklistTable checks=project.checklist.clone()/>
            {verifying.then(|| view! { <CheckForm cup=project.cup.clone() call_title=project.call.title.clone() services=services.clone() reload/> })}
        </section>

        <section aria-labelledby="richieste" class="mt-5">
            <h2 id="richieste" class="h3">{tx("Richieste di documenti")}</h2>
            <RequestList requests=project.verification_requests.clone() verifying reload/>
            {verifying.then(|| view! { <RequestForm cup=project.cup.clone() call_title=project.call.title.clone() reload/> })}
        </section>

        <OutcomeForm
            cup=project.cup.clone()
            call_title=project.call.title.clone()
            state=project.state
            version=project.version
            services
            reload
        />
    }
}

fn check_label(outcome: CheckOutcome) -> &'static str {
    outcome.label_it()
}

fn outcome_label(outcome: VerificationOutcome) -> &'static str {
    outcome.label_it()
}

#[component]
fn ChecklistTable(checks: Vec<Value>) -> impl IntoView {
    if checks.is_empty() {
        return view! { <Empty what="Nessuna verifica registrata."/> }.into_any();
    }
    view! {
        <div class="table-responsive">
            <table class="table table-sm align-middle table-stack">
                <caption class="visually-hidden">{tx("Lista di controllo")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tx("Servizio")}</th>
                        <th scope="col">{tx("Voce")}</th>
                        <th scope="col">{tx("Esito")}</th>
                        <th scope="col">{tx("Note")}</th>
                        <th scope="col">{tx("Registrata il")}</th>
                    </tr>
                </thead>
                <tbody>
                    {checks.into_iter().map(|c| {
                        let outcome = CheckOutcome::parse(c["outcome"].as_str().unwrap_or_default()).unwrap_or(CheckOutcome::NotApplicable);
                        let class = match outcome {
                            CheckOutcome::Pass => "badge bg-success",
                            CheckOutcome::Fail => "badge bg-danger",
                            CheckOutcome::NotApplicable => "badge bg-secondary",
                        };
                        view! {
                            <tr>
                                <th scope="row" class="fw-normal">{text(&c["plannedServiceName"])}</th>
                                <td data-label=move || t("Voce")>{text(&c["item"])}</td>
                                <td data-label=move || t("Esito")><span class=class>{tx(check_label(outcome))}</span></td>
                                <td data-label=move || t("Note")>{text(&c["notes"])}</td>
                                <td data-label=move || t("Registrata il")>{format::date(&text(&c["recordedAt"]))}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Records one checklist item for one service.
#[component]
fn CheckForm(
    cup: String,
    call_title: String,
    services: Vec<(String, String)>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    let service = RwSignal::new(services.first().map(|s| s.0.clone()).unwrap_or_default());
    let item = RwSignal::new(CHECK_ITEMS[0].to_owned());
    let outcome = RwSignal::new(CheckOutcome::Pass.code().to_owned());
    let notes = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let notes_text = notes.get_untracked();
        if notes_text.chars().count() > MAX_REQUEST_TEXT {
            error.set(Some(ApiError::invalid("notes", "notes too long")));
            return;
        }
        let input = json!({
            "cup": cup, "callTitle": call_title, "plannedServiceId": service.get_untracked(),
            "item": item.get_untracked(), "outcome": outcome.get_untracked(),
            "notes": Some(notes_text.trim()).filter(|n| !n.is_empty()),
        });
        send(
            RECORD_CHECK,
            json!({ "input": input }),
            pending,
            error,
            move || reload.run("Verifica registrata."),
        );
    };
    let error_signal: Signal<Option<ApiError>> = error.into();
    let general = move || error.get().filter(|e| e.field() != Some("notes"));
    let bad_notes = blames(error_signal, &["notes"]);
    view! {
        <form class="card card-bg shadow-sm p-4 mt-3" on:submit=submit novalidate>
            <h3 class="h5 mb-4">{tx("Registra una verifica")}</h3>
            {move || general().map(|e| view! { <ErrorAlert error=e/> })}
            <div class="row g-3">
                <div class="col-12 col-md-6 select-wrapper">
                    <label for="verifica-servizio">{tx("Servizio verificato")}</label>
                    // Each option says from the signal whether it is chosen, so the select
                    // always shows what will be recorded, also after a save re-creates the form.
                    <select id="verifica-servizio" prop:value=move || service.get() on:change=move |ev| service.set(event_target_value(&ev))>
                        {services.into_iter().map(|(id, name)| {
                            let this = id.clone();
                            view! { <option value=id prop:selected=move || service.with(|s| *s == this)>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="col-12 col-md-6 select-wrapper">
                    <label for="verifica-voce">{tx("Voce della lista")}</label>
                    <select id="verifica-voce" prop:value=move || item.get() on:change=move |ev| item.set(event_target_value(&ev))>
                        {CHECK_ITEMS.into_iter().map(|i| view! { <option value=i prop:selected=move || item.with(|s| s == i)>{tx(i)}</option> }).collect_view()}
                    </select>
                </div>
                <fieldset class="col-12">
                    <legend class="fs-6 fw-semibold">{tx("Esito della verifica")}</legend>
                    {CheckOutcome::ALL.into_iter().map(|o| {
                        let id = format!("esito-voce-{}", o.code().to_lowercase());
                        view! {
                            <div class="form-check form-check-inline">
                                <input type="radio" name="esito-voce" id=id.clone() value=o.code()
                                    prop:checked=move || outcome.get() == o.code()
                                    on:change=move |_| outcome.set(o.code().to_owned())/>
                                <label for=id>{tx(check_label(o))}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="col-12 form-group mt-4 mb-0">
                    <label for="verifica-note" class="active">{tx("Note della verifica")}</label>
                    <textarea id="verifica-note" class="form-control" rows="2"
                        class:is-invalid=move || bad_notes.get() aria-describedby="verifica-note-errore"
                        prop:value=move || notes.get()
                        on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                    <FieldError id="verifica-note-errore" names=&["notes"] error=error_signal/>
                </div>
            </div>
            <div class="mt-3">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {move || if pending.get() { t("Salvataggio…") } else { t("Registra la verifica") }}
                </button>
            </div>
        </form>
    }
}

fn request_state_label(state: RequestState) -> &'static str {
    state.label_it()
}

/// Whether the verifier may `action` a request in `state` (the table the server checks).
fn verifier_may(state: RequestState, action: RequestAction) -> bool {
    REQUEST_TRANSITIONS
        .iter()
        .any(|tr| tr.from == state && tr.action == action && tr.by.contains(&Role::Verifier))
}

/// A string field of a JSON object, empty when absent.
fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// Today plus `days`, as `YYYY-MM-DD`.
/// A request's due date as typed, by `shared`'s rule; the reason is the server's words.
fn due_by_the_rule(due: &str) -> Result<(), &'static str> {
    use nuvola_shared::verification::{check_due, DUE_IN_THE_PAST, DUE_TOO_FAR};
    let Ok(date) = chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d") else {
        return Err("give the due date");
    };
    check_due(date, chrono::Utc::now().date_naive()).map_err(|e| {
        if e.reason == DUE_TOO_FAR {
            DUE_TOO_FAR
        } else {
            DUE_IN_THE_PAST
        }
    })
}

fn in_days(days: u64) -> String {
    let today = chrono::Utc::now().date_naive();
    today
        .checked_add_days(chrono::Days::new(days))
        .unwrap_or(today)
        // `Display` of a date is ISO 8601; cheaper in the wasm than `format()`.
        .to_string()
}

fn days_text(days: Option<i64>) -> String {
    match days {
        None => "—".to_owned(),
        Some(0) => t("scade oggi").to_owned(),
        Some(n) if n < 0 => tf("scaduta da {} giorni", &[&(-n).to_string()]),
        Some(n) => tf("tra {} giorni", &[&n.to_string()]),
    }
}

#[component]
fn RequestList(
    requests: Vec<Request>,
    verifying: bool,
    reload: Callback<&'static str>,
) -> impl IntoView {
    if requests.is_empty() {
        return view! { <Empty what="Nessuna richiesta di documenti."/> }.into_any();
    }
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    view! {
        {move || error.get().map(|e| view! { <ErrorAlert error=e/> })}
        <ul class="list-unstyled">
            {requests.into_iter().map(|r| {
                let (id, version, state) = (r.id.clone(), r.version, r.state);
                let can_close = verifier_may(state, RequestAction::Close);
                let can_reopen = verifying && verifier_may(state, RequestAction::Reopen);
                let new_due = RwSignal::new(in_days(15));
                // Reopening's own refusals, said at its date (or in its card).
                let reopen_error = RwSignal::new(None::<ApiError>);
                let reopen_signal: Signal<Option<ApiError>> = reopen_error.into();
                let bad_due = blames(reopen_signal, &["dueOn"]);
                let reopen_general = move || reopen_error.get().filter(|e| e.field() != Some("dueOn"));
                let due_error_id = format!("nuova-scadenza-{id}-errore");
                let days = r.days_left;
                let late = days.is_some_and(|d| d < 0);
                let due_id = format!("nuova-scadenza-{id}");
                let close_label = format!("{} {}", t("Chiudi la richiesta"), r.title);
                let reopen_label = format!("{} {}", t("Riapri la richiesta"), r.title);
                let (close_id, reopen_id) = (id.clone(), id.clone());
                let badge = match state {
                    RequestState::Open => "badge bg-primary",
                    RequestState::Answered => "badge bg-success",
                    RequestState::Closed => "badge bg-secondary",
                };
                view! {
                    <li class="card card-bg shadow-sm my-3" data-request=id.clone()>
                        <div class="card-body">
                            <div class="d-flex gap-2 align-items-center mb-2">
                                <span class=badge>{tx(request_state_label(state))}</span>
                                <span class="small">{tx("Scadenza")}": "{format::date(&r.due_on)}</span>
                                <span class=if late { "small text-danger fw-semibold" } else { "small" }>{move || days.map(|_| format!("({})", days_text(days)))}</span>
                            </div>
                            <h3 class="h5">{r.title.clone()}</h3>
                            <p class="mb-2" style="white-space: pre-line">{r.body.clone()}</p>
                            <p class="small text-muted mb-2">{tx("Aperta il")}" "{format::date(&r.opened_at)}
                                {r.answered_at.clone().map(|a| view! { " · " {tx("Risposta del")} " " {format::date(&a)} })}</p>
                            {r.answer_note.clone().map(|n| view! {
                                <p class="mb-2"><span class="fw-semibold">{tx("Risposta dell'ente")}": "</span>{n}</p>
                            })}
                            {(!r.documents.is_empty()).then(|| view! {
                                <p class="fw-semibold mb-1">{tx("Documenti allegati")}</p>
                                <ul>
                                    {r.documents.iter().map(|d| view! {
                                        <li><a href=text(&d["downloadUrl"]) download=text(&d["fileName"])>{text(&d["fileName"])}</a>
                                            " " <small class="text-muted">"(" {format::count((d["sizeBytes"].as_i64().unwrap_or(0) + 1023) / 1024)} " KB)"</small></li>
                                    }).collect_view()}
                                </ul>
                            })}
                            <div class="d-flex flex-wrap gap-3 align-items-end mt-2">
                                {can_close.then(|| {
                                    // Closing ends the request: say so and wait for the confirmation.
                                    let asking = RwSignal::new(false);
                                    move || if asking.get() {
                                        let close_id = close_id.clone();
                                        view! {
                                            <div class="alert alert-warning mb-0" role="alertdialog" aria-label=close_label.clone()>
                                                <p>{tx("Chiudi la richiesta: l'ente non potrà più rispondere né allegare documenti, salvo che tu la riapra con una nuova scadenza.")}</p>
                                                <button type="button" class="btn btn-primary btn-sm me-2" disabled=move || pending.get()
                                                    on:click=move |_| {
                                                        asking.set(false);
                                                        send(CLOSE_REQUEST, json!({ "input": { "id": close_id.clone(), "version": version } }), pending, error, move || reload.run("Richiesta chiusa."));
                                                    }>
                                                    {tx("Conferma la chiusura")}
                                                </button>
                                                <button type="button" class="btn btn-outline-secondary btn-sm" on:click=move |_| asking.set(false)>{tx("Annulla")}</button>
                                            </div>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <button type="button" class="btn btn-outline-primary btn-sm" aria-label=close_label.clone() disabled=move || pending.get()
                                                on:click=move |_| asking.set(true)>
                                                {tx("Chiudi")}
                                            </button>
                                        }.into_any()
                                    }
                                })}
                                {can_reopen.then(|| view! {
                                    <div>
                                        <label for=due_id.clone() class="small d-block">{tx("Nuova scadenza")}</label>
                                        <input type="date" id=due_id.clone() class="form-control form-control-sm" min=in_days(0) max=in_days(nuvola_shared::verification::MAX_REQUEST_DAYS)
                                            class:is-invalid=move || bad_due.get() aria-describedby=due_error_id.clone()
                                            prop:value=move || new_due.get() on:input=move |ev| new_due.set(event_target_value(&ev))/>
                                        <FieldError id=due_error_id.clone() names=&["dueOn"] error=reopen_signal/>
                                    </div>
                                    <button type="button" class="btn btn-outline-primary btn-sm" aria-label=reopen_label.clone() disabled=move || pending.get()
                                        on:click=move |_| {
                                            let due = new_due.get_untracked();
                                            if let Err(reason) = due_by_the_rule(&due) {
                                                reopen_error.set(Some(ApiError::invalid("dueOn", reason)));
                                                return;
                                            }
                                            send(REOPEN_REQUEST, json!({ "input": { "id": reopen_id.clone(), "version": version, "dueOn": due } }), pending, reopen_error, move || reload.run("Richiesta riaperta."));
                                        }>
                                        {tx("Riapri")}
                                    </button>
                                })}
                            </div>
                            {move || reopen_general().map(|e| view! { <div class="mt-2"><ErrorAlert error=e/></div> })}
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Opens a document request; title, text and due date are checked before sending.
#[component]
fn RequestForm(cup: String, call_title: String, reload: Callback<&'static str>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let due = RwSignal::new(in_days(15));
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let error_signal: Signal<Option<ApiError>> = error.into();
    // One key per form shown: a retried send opens the request once.
    let key = format!("req-{cup}-{}", chrono::Utc::now().timestamp_millis());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (ti, bo, du) = (
            title.get_untracked().trim().to_owned(),
            body.get_untracked().trim().to_owned(),
            due.get_untracked(),
        );
        let problem = if ti.is_empty() || ti.chars().count() > MAX_REQUEST_TITLE {
            Some((
                "title",
                "give the request a title of at most 200 characters",
            ))
        } else if bo.is_empty() || bo.chars().count() > MAX_REQUEST_TEXT {
            Some((
                "body",
                "say what the request asks for, at most 10,000 characters",
            ))
        } else if let Err(reason) = due_by_the_rule(&du) {
            Some(("dueOn", reason))
        } else {
            None
        };
        if let Some((field, message)) = problem {
            error.set(Some(ApiError::invalid(field, message)));
            return;
        }
        let input = json!({ "cup": cup, "callTitle": call_title, "title": ti, "body": bo, "dueOn": du, "idempotencyKey": key });
        send(
            OPEN_REQUEST,
            json!({ "input": input }),
            pending,
            error,
            move || reload.run("Richiesta inviata all'ente."),
        );
    };
    let general = move || {
        error
            .get()
            .filter(|e| !matches!(e.field(), Some("title" | "body" | "dueOn")))
    };
    let (bad_title, bad_body, bad_due) = (
        blames(error_signal, &["title"]),
        blames(error_signal, &["body"]),
        blames(error_signal, &["dueOn"]),
    );
    view! {
        <form class="card card-bg shadow-sm p-4 mt-3" on:submit=submit novalidate>
            <h3 class="h5 mb-5">{tx("Nuova richiesta di documenti")}</h3>
            {move || general().map(|e| view! { <ErrorAlert error=e/> })}
            <div class="form-group">
                <label for="richiesta-titolo" class="active">{tx("Titolo della richiesta")}</label>
                <input type="text" id="richiesta-titolo" class="form-control" maxlength="200"
                    class:is-invalid=move || bad_title.get() aria-describedby="richiesta-titolo-errore"
                    prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                <FieldError id="richiesta-titolo-errore" names=&["title"] error=error_signal/>
            </div>
            <div class="form-group">
                <label for="richiesta-testo" class="active">{tx("Documenti richiesti")}</label>
                <textarea id="richiesta-testo" class="form-control" rows="3"
                    class:is-invalid=move || bad_body.get() aria-describedby="richiesta-testo-errore"
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <FieldError id="richiesta-testo-errore" names=&["body"] error=error_signal/>
            </div>
            <div class="form-group mb-3">
                <label for="richiesta-scadenza" class="active">{tx("Da consegnare entro")}</label>
                <input type="date" id="richiesta-scadenza" class="form-control" min=in_days(0) max=in_days(nuvola_shared::verification::MAX_REQUEST_DAYS)
                    class:is-invalid=move || bad_due.get() aria-describedby="richiesta-scadenza-errore"
                    prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev))/>
                <FieldError id="richiesta-scadenza-errore" names=&["dueOn"] error=error_signal/>
            </div>
            <div>
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {move || if pending.get() { t("Invio…") } else { t("Invia la richiesta") }}
                </button>
            </div>
        </form>
    }
}

/// What recording `outcome` does, said before it is done.
fn outcome_consequence(outcome: VerificationOutcome) -> &'static str {
    match outcome {
        VerificationOutcome::Positive => "Esito positivo: il progetto diventa asseverato e l'ente potrà chiedere l'erogazione. L'esito non si può modificare.",
        VerificationOutcome::Partial => "Esito parzialmente positivo: i servizi scelti tornano al fornitore come collaudo fallito e il progetto torna in migrazione. L'esito non si può modificare.",
        VerificationOutcome::Negative => "Esito negativo: il progetto resta in asseverazione e il Dipartimento potrà revocare il finanziamento. L'esito non si può modificare.",
    }
}

/// The technical conformity outcome, offering only what the life cycle allows from the
/// project's state: positive and partially positive are moves of `shared::state`; a
/// negative outcome is recorded while they are possible and leaves the project to the
/// department.
#[component]
fn OutcomeForm(
    cup: String,
    call_title: String,
    state: ApplicationState,
    version: i32,
    services: Vec<(String, String)>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    // A verifier's moves do not depend on a pending renunciation.
    let moves: Vec<ProjectAction> = state
        .transitions(false)
        .into_iter()
        .filter(|tr| tr.by.contains(&Role::Verifier))
        .map(|tr| tr.action)
        .collect();
    let mut offered = Vec::new();
    if moves.contains(&ProjectAction::VerifyPositive) {
        offered.push(VerificationOutcome::Positive);
    }
    if moves.contains(&ProjectAction::VerifyPartial) {
        offered.push(VerificationOutcome::Partial);
    }
    if !offered.is_empty() {
        offered.push(VerificationOutcome::Negative);
    }
    if offered.is_empty() {
        return ().into_any();
    }
    let chosen = RwSignal::new(None::<VerificationOutcome>);
    let redo = RwSignal::new(Vec::<String>::new());
    let notes = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let error_signal: Signal<Option<ApiError>> = error.into();
    let confirming = RwSignal::new(None::<(VerificationOutcome, serde_json::Value)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(outcome) = chosen.get_untracked() else {
            error.set(Some(ApiError::invalid("outcome", "choose the outcome")));
            return;
        };
        let redo_ids = redo.get_untracked();
        if outcome == VerificationOutcome::Partial && redo_ids.is_empty() {
            error.set(Some(ApiError::invalid(
                "redoServices",
                "name the services to redo",
            )));
            return;
        }
        let text = notes.get_untracked().trim().to_owned();
        if text.chars().count() > nuvola_shared::Reason::MAX {
            error.set(Some(ApiError::invalid("notes", "notes too long")));
            return;
        }
        let vars = json!({
            "project": { "cup": cup, "callTitle": call_title, "version": version },
            "outcome": outcome.code(),
            "notes": Some(text).filter(|n| !n.is_empty()),
            "redo": (outcome == VerificationOutcome::Partial).then_some(redo_ids),
        });
        // Irreversible: say what will happen and wait for the confirmation.
        error.set(None);
        confirming.set(Some((outcome, vars)));
    };
    let confirm = move |_| {
        if let Some((_, vars)) = confirming.get_untracked() {
            confirming.set(None);
            send(RECORD_OUTCOME, vars, pending, error, move || {
                reload.run("Esito registrato.")
            });
        }
    };
    let general = move || {
        error
            .get()
            .filter(|e| !matches!(e.field(), Some("outcome" | "redoServices" | "notes")))
    };
    view! {
        <section aria-labelledby="esito" class="mt-5">
            <h2 id="esito" class="h3">{tx("Esito dell'asseverazione")}</h2>
            <form class="card card-bg shadow-sm p-4" on:submit=submit novalidate>
                {move || general().map(|e| view! { <ErrorAlert error=e/> })}
                <fieldset aria-describedby="esito-errore">
                    <legend class="fs-6 fw-semibold">{tx("Esito")}</legend>
                    {offered.into_iter().map(|o| {
                        let id = format!("esito-{}", o.code().to_lowercase());
                        view! {
                            <div class="form-check">
                                <input type="radio" name="esito" id=id.clone() value=o.code()
                                    prop:checked=move || chosen.get() == Some(o)
                                    on:change=move |_| chosen.set(Some(o))/>
                                <label for=id>{tx(outcome_label(o))}</label>
                            </div>
                        }
                    }).collect_view()}
                    <FieldError id="esito-errore" names=&["outcome"] error=error_signal/>
                </fieldset>
                {move || (chosen.get() == Some(VerificationOutcome::Partial)).then(|| view! {
                    <fieldset class="mt-3" aria-describedby="rifare-errore">
                        <legend class="fs-6 fw-semibold">{tx("Servizi da rifare")}</legend>
                        {services.clone().into_iter().map(|(id, name)| {
                            let input_id = format!("rifare-{id}");
                            let (a, b) = (id.clone(), id.clone());
                            view! {
                                <div class="form-check">
                                    <input type="checkbox" id=input_id.clone()
                                        prop:checked=move || redo.with(|r| r.contains(&a))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            redo.update(|r| {
                                                r.retain(|x| x != &b);
                                                if on { r.push(b.clone()); }
                                            });
                                        }/>
                                    <label for=input_id>{name}</label>
                                </div>
                            }
                        }).collect_view()}
                        <FieldError id="rifare-errore" names=&["redoServices"] error=error_signal/>
                    </fieldset>
                })}
                <div class="form-group mt-4 mb-3">
                    <label for="esito-note" class="active">{tx("Note sull'esito")}</label>
                    <textarea id="esito-note" class="form-control" rows="3" aria-describedby="esito-note-errore"
                        prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                    <FieldError id="esito-note-errore" names=&["notes"] error=error_signal/>
                </div>
                {move || match confirming.get() {
                    Some((outcome, _)) => view! {
                        <div class="alert alert-warning" role="alertdialog" aria-label=move || t("Registra l'esito")>
                            <p>{tx(outcome_consequence(outcome))}</p>
                            <button type="button" class="btn btn-primary me-2" disabled=move || pending.get() on:click=confirm>
                                {tx("Conferma l'esito")}
                            </button>
                            <button type="button" class="btn btn-outline-secondary" on:click=move |_| confirming.set(None)>
                                {tx("Annulla")}
                            </button>
                        </div>
                    }.into_any(),
                    None => view! {
                        <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                            {move || if pending.get() { t("Salvataggio…") } else { t("Registra l'esito") }}
                        </button>
                    }.into_any(),
                }}
            </form>
        </section>
    }
    .into_any()
}
