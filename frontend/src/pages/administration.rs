//! The administration's area: its projects, and one project's migration plan with the
//! plan line editor and the contract form.
//!
//! Every form checks its input with the rules of `nuvola_shared` (the same code the
//! server runs) before sending, and shows the server's refusal next to the field it
//! names (`extensions.field`).

use chrono::{NaiveDate, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use nuvola_shared::cloud::fundable_modality;
use nuvola_shared::plan::{offering_admits, OfferingFacts, PlanLine};
use nuvola_shared::{
    ApplicationState, DataClass, Deployment, ServiceModel, ServiceState, VatNumber,
};
use serde::Deserialize;
use serde_json::json;

use super::{
    blames, Breadcrumb, DeadlineText, Empty, ErrorAlert, FieldError, Growing, GrowingList, Loading,
    NextDeadline, ServiceBadge, StateBadge,
};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::{self, t, tf};
use crate::live;

/// One page of the administration's projects, with what a card shows.
const MY_PROJECTS: &str = "query MyProjects($first: Int!, $after: String) { \
    myProjectsConnection(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } \
    edges { node { cup amountEur state fundedOn call { title } nextDeadline { kind dueOn daysLeft } \
    progressReportedAt plan { id status } } } } }";

/// Project cards per page: an even number, two to a row on a wide screen.
const PROJECTS_PAGE: usize = 12;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProjectSummary {
    cup: String,
    amount_eur: i64,
    state: ApplicationState,
    funded_on: Option<String>,
    call: CallRef,
    next_deadline: Option<NextDeadline>,
    /// Null while the project has never reported progress in Nuvola.
    progress_reported_at: Option<String>,
    plan: Vec<PlanStatus>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct CallRef {
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct PlanStatus {
    status: String,
}

/// "I miei progetti": each project with its state, amount and next deadline, a page of
/// cards at a time with the total.
#[component]
pub fn AdministrationHome() -> impl IntoView {
    let list = Growing::new(
        MY_PROJECTS.to_owned(),
        "myProjectsConnection",
        PROJECTS_PAGE,
    );
    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("I miei progetti").to_owned())/>
            <h1>{move || t("I miei progetti")}</h1>
            <p class="lead">{move || t("I progetti di migrazione al cloud del tuo ente: lo stato, l'importo finanziato e la prossima scadenza.")}</p>
            <GrowingList
                list
                total=|n| if n == 1 { t("1 progetto.").to_owned() } else { tf("{} progetti.", &[&format::number(n as i64)]) }
                page=project_cards
                class="row g-4"
                more="Mostra altri progetti"
                loading="Caricamento dei progetti…"
                empty="Non hai ancora progetti."
                testid="totale-progetti"
            />
        </div>
    }
}

/// A page of project cards.
fn project_cards(items: Vec<serde_json::Value>, _: Growing) -> AnyView {
    match super::verifier::decode::<Vec<ProjectSummary>>(serde_json::Value::Array(items)) {
        Ok(projects) => projects
            .into_iter()
            .map(|p| view! { <ProjectCard project=p/> })
            .collect_view()
            .into_any(),
        Err(e) => view! { <div class="col-12"><ErrorAlert error=e/></div> }.into_any(),
    }
}

#[component]
fn ProjectCard(project: ProjectSummary) -> impl IntoView {
    let migrated = project
        .plan
        .iter()
        .filter(|s| s.status == ServiceState::Migrated.code())
        .count();
    let planned = project.plan.len();
    let href = format!("/amministrazione/progetti/{}", project.cup);
    let cup = project.cup.clone();
    let label = move || format!("{} {cup}", t("Apri il progetto"));
    view! {
        <div class="col-12 col-lg-6">
            <article class="card-wrapper card-space">
                <div class="card card-bg rounded shadow-sm h-100">
                    <div class="card-body">
                        <div class="d-flex justify-content-between align-items-start gap-2 mb-2">
                            <StateBadge state=project.state/>
                            <span class="font-monospace small text-muted">{project.cup.clone()}</span>
                        </div>
                        <h2 class="card-title h5">{project.call.title}</h2>
                        <dl class="row mb-0 project-facts">
                            <dt class="col-6">{move || t("Importo finanziato")}</dt>
                            <dd class="col-6 text-end fw-semibold" data-testid="importo">{format::euros(project.amount_eur)}</dd>
                            <dt class="col-6">{move || t("Finanziato il")}</dt>
                            <dd class="col-6 text-end">{project.funded_on.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</dd>
                            <dt class="col-6">{move || t("Servizi migrati")}</dt>
                            <dd class="col-6 text-end">{format!("{migrated} / {planned}")}</dd>
                            <dt class="col-12">{move || t("Prossima scadenza")}</dt>
                            <dd class="col-12"><DeadlineText deadline=project.next_deadline unreported=project.progress_reported_at.is_none()/></dd>
                        </dl>
                        <a class="btn btn-primary btn-sm mt-3" href=href aria-label=label>
                            {move || t("Apri il progetto")}
                        </a>
                    </div>
                </div>
            </article>
        </div>
    }
}

const PROJECT: &str = r#"query Project($cup: String!) {
  application(cup: $cup) {
    cup amountEur state fundedOn decree version stateReason renunciationRequest { requestedAt reason }
    history(first: 50) { id at action entityType actorRole actorName subject before after }
    administration { name ipaCode type typeLabel region comune }
    call { title contractTerm completionTerm }
    nextDeadline { kind dueOn daysLeft } progressReportedAt
    plan { id name dataClass modality origin destination status catalogueCode offering { code name supplierName }
           supplier { vatNumber name isPsn } contractOn cutoverStart cutoverEnd version
           assessments { version applicationName cpuCores memoryGb storageGb users destination
                         providerActivatedOn migrationStartedOn goLiveOn submittedAt } }
    verificationRequests { id title body dueOn daysLeft state openedAt answeredAt answerNote version
      application { cup call { title } } documents { id kind fileName sizeBytes uploadedAt downloadUrl removable } }
    documents { id kind fileName sizeBytes uploadedAt downloadUrl removable }
    contracts { id version corrected cig amountEur contractOn supplier { vatNumber name } document { id fileName downloadUrl }
      services { id name } versions { version cig amountEur contractOn reason recordedAt recordedBy } }
  }
  catalogue { code name targetType }
  cloudOfferings { code name serviceModel maxDataClass qualifiedUntil supplierVat supplierName isPsn }
}"#;

const REMOVE_SERVICE: &str =
    "mutation Remove($input: RemovePlannedServiceInput!) { removePlannedService(input: $input) }";
const SAVE_SERVICE: &str = "mutation Save($input: PlannedServiceInput!) { savePlannedService(input: $input) { id version } }";
const RECORD_CONTRACT: &str =
    "mutation Contract($input: ContractInput!) { recordContract(input: $input) { id } }";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProjectData {
    application: Option<Project>,
    catalogue: Vec<CatalogueEntry>,
    cloud_offerings: Vec<Offering>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Project {
    cup: String,
    amount_eur: i64,
    state: ApplicationState,
    funded_on: Option<String>,
    decree: Option<String>,
    administration: Body,
    call: CallTerms,
    next_deadline: Option<NextDeadline>,
    progress_reported_at: Option<String>,
    plan: Vec<PlannedService>,
    version: i32,
    state_reason: Option<String>,
    renunciation_request: Option<RenunciationRequest>,
    #[serde(default)]
    history: Vec<HistoryEvent>,
    #[serde(default)]
    verification_requests: Vec<super::requests::VerificationRequest>,
    #[serde(default)]
    documents: Vec<crate::upload::Document>,
    #[serde(default)]
    contracts: Vec<super::contracts::Contract>,
}

/// The administration's pending request to renounce, waiting for the department's decree.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RenunciationRequest {
    pub(super) requested_at: String,
    pub(super) reason: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HistoryEvent {
    id: String,
    at: String,
    action: String,
    entity_type: nuvola_shared::EntityType,
    actor_role: String,
    actor_name: Option<String>,
    /// The service, document, request or contract it is about, by name.
    subject: Option<String>,
    /// The changed values before and after, as JSON objects.
    before: Option<String>,
    after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    name: String,
    ipa_code: String,
    #[serde(rename = "type")]
    kind: String,
    type_label: String,
    region: String,
    comune: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallTerms {
    title: String,
    contract_term: Option<String>,
    completion_term: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PlannedService {
    pub id: String,
    pub name: String,
    pub data_class: String,
    pub modality: Option<String>,
    pub origin: Option<String>,
    pub destination: Option<String>,
    pub status: String,
    pub supplier: Option<SupplierRef>,
    pub contract_on: Option<String>,
    pub cutover_start: Option<String>,
    pub cutover_end: Option<String>,
    #[serde(default)]
    pub version: i32,
    #[serde(default)]
    pub assessments: Vec<super::service::Assessment>,
    /// The catalogue entry it was chosen from.
    #[serde(default)]
    pub catalogue_code: Option<String>,
    /// The offering it targets, with its supplier.
    #[serde(default)]
    pub offering: Option<PlannedOffering>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PlannedOffering {
    pub code: String,
    pub name: String,
    pub supplier_name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SupplierRef {
    pub vat_number: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CatalogueEntry {
    code: String,
    name: String,
    target_type: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Offering {
    code: String,
    name: String,
    service_model: String,
    max_data_class: String,
    qualified_until: Option<String>,
    supplier_vat: String,
    supplier_name: String,
    is_psn: bool,
}

impl Offering {
    fn facts(&self) -> Option<OfferingFacts> {
        Some(OfferingFacts {
            service_model: ServiceModel::parse(&self.service_model).ok()?,
            max_data_class: DataClass::parse(&self.max_data_class).ok()?,
            qualified_until: self
                .qualified_until
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        })
    }
}

/// The plan can change, and contracts be recorded, while the project is FUNDED or
/// CONTRACTED (the server's rule, `service::plan::EDITABLE_STATES`).
fn editable(state: ApplicationState) -> bool {
    matches!(
        state,
        ApplicationState::Funded | ApplicationState::Contracted
    )
}

/// A line can change until its migration starts.
fn line_editable(status: &str) -> bool {
    matches!(
        ServiceState::parse(status),
        Ok(ServiceState::NotStarted | ServiceState::Assessed)
    )
}

/// One project of the administration: facts, migration plan, plan editor, contracts.
#[component]
pub fn AdministrationProject() -> impl IntoView {
    let params = use_params_map();
    let cup = move || params.with(|p| p.get("cup").unwrap_or_default());
    let data = LocalResource::new(move || {
        let cup = cup();
        async move { api::query::<ProjectData>(PROJECT, json!({ "cup": cup })).await }
    });
    let notice = RwSignal::new(None::<&'static str>);
    let reload = Callback::new(move |message: &'static str| {
        notice.set(Some(message));
        data.refetch();
    });
    // Live updates: a supplier's move shows here without a reload.
    let connected = RwSignal::new(false);
    // Some(seconds to the next attempt) while the feed is interrupted.
    let retry = RwSignal::new(None::<u32>);
    let last_change = RwSignal::new(None::<String>);
    let feed = StoredValue::new_local(None::<live::Feed>);
    Effect::new(move |_| {
        let cup = cup();
        feed.set_value(live::follow(&cup, move |change| match change {
            live::Change::Connected => {
                connected.set(true);
                retry.set(None);
            }
            live::Change::Resumed => {
                connected.set(true);
                retry.set(None);
                last_change.set(Some(
                    t("Aggiornamenti in tempo reale ripristinati: dati ricaricati.").to_owned(),
                ));
                data.refetch();
            }
            live::Change::Lost { retry_in } => {
                connected.set(false);
                retry.set((retry_in > 0).then_some(retry_in));
            }
            live::Change::Service { name, status } => {
                let label = ServiceState::parse(&status)
                    .map(i18n::service_state_label)
                    .unwrap_or("");
                last_change.set(Some(tf("Aggiornato ora: {} è «{}».", &[&name, t(label)])));
                data.refetch();
            }
            live::Change::Project { state } => {
                let label = ApplicationState::parse(&state)
                    .map(i18n::state_label)
                    .unwrap_or("");
                last_change.set(Some(tf("Aggiornato ora: il progetto è «{}».", &[t(label)])));
                data.refetch();
            }
        }));
    });
    on_cleanup(move || {
        let _ = feed.try_update_value(|f| *f = None);
    });
    view! {
        <div class="container my-4">
            <div class="d-flex flex-wrap justify-content-end align-items-center gap-3 small" role="status">
                // One status: interrupted (with the next attempt) or on/off.
                {move || match retry.get() {
                    Some(n) => view! {
                        <span class="text-danger fw-semibold" data-testid="tempo-reale-interrotto">
                            {tf("Aggiornamenti in tempo reale interrotti: nuovo tentativo tra {} s.", &[&n.to_string()])}
                        </span>
                    }.into_any(),
                    None => view! {
                        <span class="text-muted" data-testid="tempo-reale">
                            {if connected.get() { t("Aggiornamenti in tempo reale attivi") } else { t("Aggiornamenti in tempo reale non attivi") }}
                        </span>
                    }.into_any(),
                }}
            </div>
            <div role="status" aria-live="polite" class="live-change">
                {move || last_change.get().map(|m| view! { <p class="alert alert-info py-2 mb-2">{m}</p> })}
            </div>
            <Transition fallback=|| view! { <Loading what="Caricamento del progetto…"/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(ProjectData { application: Some(p), catalogue, cloud_offerings }) => view! {
                            <ProjectView project=p catalogue cloud_offerings notice reload/>
                        }.into_any(),
                        Ok(_) => view! { <ErrorAlert error=ApiError::Refused { code: "NOT_FOUND".into(), message: String::new(), field: None }/> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn ProjectView(
    project: Project,
    catalogue: Vec<CatalogueEntry>,
    cloud_offerings: Vec<Offering>,
    notice: RwSignal<Option<&'static str>>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    let can_edit = editable(project.state);
    let editing = RwSignal::new(None::<PlannedService>);
    let remove_error = RwSignal::new(None::<ApiError>);
    let catalogue: Vec<CatalogueEntry> = catalogue
        .into_iter()
        .filter(|c| c.target_type == project.administration.kind)
        .collect();
    let uncontracted: Vec<PlannedService> = project
        .plan
        .iter()
        .filter(|s| s.supplier.is_none() && line_editable(&s.status))
        .cloned()
        .collect();
    let cup = project.cup.clone();
    let call_title = project.call.title.clone();
    let funded_on = project
        .funded_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    // The project's contract documents, for a contract's "Documento del contratto".
    let contract_documents: Vec<(String, String)> = project
        .documents
        .iter()
        .filter(|d| d.kind == "CONTRACT")
        .map(|d| (d.id.clone(), d.file_name.clone()))
        .collect();
    let correcting = (!project.state.is_final()).then(|| super::contracts::Correcting {
        documents: contract_documents.clone(),
        funded_on,
        reload,
    });
    let place = match &project.administration.comune {
        Some(c) => format!(
            "{} · {c} ({})",
            project.administration.type_label, project.administration.region
        ),
        None => format!(
            "{} · {}",
            project.administration.type_label, project.administration.region
        ),
    };
    let plan = project.plan.clone();
    let has_plan = !plan.is_empty();
    // A school's grant fixes how many lines it has: its lines are changed, not removed.
    let remove = (can_edit && project.administration.kind != "SCUOLA").then(|| {
        let (cup, call_title) = (project.cup.clone(), project.call.title.clone());
        Callback::new(move |line: PlannedService| {
            let vars = json!({ "input": { "cup": cup, "callTitle": call_title, "id": line.id, "version": line.version } });
            leptos::task::spawn_local(async move {
                match api::query::<serde_json::Value>(REMOVE_SERVICE, vars).await {
                    Ok(_) => reload.run("Servizio rimosso dal piano."),
                    Err(e) => remove_error.set(Some(e)),
                }
            });
        })
    });
    view! {
        <Breadcrumb
            links=vec![("I miei progetti", "/amministrazione".to_owned())]
            here=Signal::stored(project.cup.clone())
        />
        <div class="d-flex flex-wrap align-items-center gap-2 mb-1">
            <StateBadge state=project.state/>
            <span class="font-monospace text-muted">{"CUP "}{project.cup.clone()}</span>
        </div>
        <h1 class="h2">{project.call.title.clone()}</h1>
        <p class="lead mb-1">{project.administration.name.clone()}</p>
        <p class="text-muted">{place}{" · IPA "}<span class="font-monospace">{project.administration.ipa_code.clone()}</span></p>

        <Show when=move || notice.get().is_some()>
            <div class="alert alert-success" role="status">{move || notice.get().map(t)}</div>
        </Show>

        <div class="row g-3 my-2">
            <div class="col-12 col-md-4">
                <div class="figure-card p-3 h-100">
                    <p class="figure-label mb-1">{move || t("Importo finanziato")}</p>
                    <p class="figure-value mb-0">{format::euros(project.amount_eur)}</p>
                </div>
            </div>
            <div class="col-12 col-md-4">
                <div class="figure-card p-3 h-100">
                    <p class="figure-label mb-1">{move || t("Finanziato il")}</p>
                    <p class="figure-value mb-0">{project.funded_on.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</p>
                    <p class="small mb-0 text-muted">{project.decree.clone()}</p>
                </div>
            </div>
            <div class="col-12 col-md-4">
                <div class="figure-card p-3 h-100">
                    <p class="figure-label mb-1">{move || t("Prossima scadenza")}</p>
                    <p class="mb-0"><DeadlineText deadline=project.next_deadline.clone() unreported=project.progress_reported_at.is_none()/></p>
                    <p class="small mb-0 text-muted">
                        {let c = project.call.contract_term.clone(); move || c.as_deref().map(|c| format!("{} {}", t("Contratto entro"), format::term(c)))}
                        {let c = project.call.completion_term.clone(); move || c.as_deref().map(|c| format!(" · {} {}", t("completamento entro"), format::term(c)))}
                    </p>
                </div>
            </div>
        </div>

        <section aria-labelledby="piano" class="mt-5">
            <h2 id="piano" class="h3">{move || t("Il piano di migrazione")}</h2>
            <Show when=move || has_plan fallback=|| view! { <Empty what="Il piano non ha ancora servizi."/> }>
                <PlanTable plan=plan.clone() can_edit editing remove/>
            </Show>
            {move || remove_error.get().map(|e| view! { <ErrorAlert error=e/> })}
        </section>

        {can_edit.then(|| view! {
            <section aria-labelledby="editor" class="mt-5">
                <PlanEditor
                    cup=cup.clone()
                    call_title=call_title.clone()
                    catalogue=catalogue
                    offerings=cloud_offerings.clone()
                    editing
                    reload
                />
            </section>
        })}

        <LifecycleActions cup=project.cup.clone() call_title=project.call.title.clone() state=project.state version=project.version reason=project.state_reason.clone() renunciation=project.renunciation_request.clone() reload/>

        // While a request of renunciation waits, no contract is offered (the server refuses it).
        {(can_edit && !uncontracted.is_empty() && project.renunciation_request.is_none()).then(|| view! {
            <section aria-labelledby="contratto" class="mt-5">
                <ContractForm
                    cup=cup
                    call_title=call_title
                    services=uncontracted
                    offerings=cloud_offerings
                    documents=contract_documents
                    funded_on
                    reload
                />
            </section>
        })}

        <section aria-labelledby="contratti" class="mt-5">
            <h2 id="contratti" class="h3">{move || t("Contratti con i fornitori")}</h2>
            {match correcting {
                Some(correcting) => view! { <super::contracts::ContractList contracts=project.contracts.clone() correcting/> }.into_any(),
                None => view! { <super::contracts::ContractList contracts=project.contracts.clone()/> }.into_any(),
            }}
        </section>

        <ProjectRequests
            requests=project.verification_requests.clone()
            documents=project.documents.clone()
            upload_to=(!project.state.is_final()).then(|| project.cup.clone())
            reload=Callback::new(move |()| reload.run("Documenti e richieste aggiornati."))
        />

        <super::service::ServicePanels
            cup=project.cup.clone()
            plan=project.plan.clone()
            reload=Callback::new(move |()| reload.run("Servizio aggiornato."))
        />

        <section aria-labelledby="cronologia" class="mt-5">
            <h2 id="cronologia" class="h3">{move || t("Cronologia del progetto")}</h2>
            <Timeline events=project.history.clone()/>
        </section>
    }
}

#[component]
pub(crate) fn PlanTable(
    plan: Vec<PlannedService>,
    #[prop(optional)] can_edit: bool,
    #[prop(optional)] editing: Option<RwSignal<Option<PlannedService>>>,
    /// Removes a line (after the person confirms); offered on lines not yet contracted.
    #[prop(optional_no_strip)]
    remove: Option<Callback<PlannedService>>,
) -> impl IntoView {
    let removing = RwSignal::new(None::<PlannedService>);
    view! {
        <div class="table-responsive">
            <table class="table table-striped align-middle plan-table table-stack">
                <caption class="visually-hidden">{move || t("Il piano di migrazione")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || t("Servizio")}</th>
                        <th scope="col">{move || t("Classe dei dati")}</th>
                        <th scope="col">{move || t("Modalità")}</th>
                        <th scope="col">{move || t("Destinazione")}</th>
                        <th scope="col">{move || t("Offerta")}</th>
                        <th scope="col">{move || t("Fornitore")}</th>
                        <th scope="col">{move || t("Stato")}</th>
                        {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">{move || t("Azioni")}</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {plan
                        .into_iter()
                        .map(|s| {
                            let editable_line = can_edit && line_editable(&s.status);
                            let removable = remove.is_some() && s.supplier.is_none() && s.status == "NOT_STARTED";
                            let line = s.clone();
                            let to_remove = s.clone();
                            let (edit_name, remove_name) = (s.name.clone(), s.name.clone());
                            let label = move || format!("{} {}", t("Modifica"), edit_name);
                            let remove_label = move || format!("{} {}", t("Rimuovi"), remove_name);
                            view! {
                                <tr>
                                    <th scope="row" class="fw-semibold">{s.name.clone()}</th>
                                    <td data-label=move || t("Classe dei dati")>{let class = s.data_class.clone(); move || i18n::data_class_label(&class)}</td>
                                    <td data-label=move || t("Modalità")>{s.modality.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td data-label=move || t("Destinazione")>{s.destination.clone().map(|d| i18n::model_label(&d)).unwrap_or_else(|| "—".into())}</td>
                                    <td data-label=move || t("Offerta")>{match s.offering.clone() {
                                        Some(o) => view! {
                                            <span>{o.name}</span>
                                            <span class="d-block small text-muted">{o.code}" · "{o.supplier_name}</span>
                                        }.into_any(),
                                        None => "—".into_any(),
                                    }}</td>
                                    <td data-label=move || t("Fornitore")>{s.supplier.clone().map(|x| x.name).unwrap_or_else(|| "—".into())}</td>
                                    <td data-label=move || t("Stato")><ServiceBadge status=s.status.clone()/></td>
                                    {can_edit.then(|| view! {
                                        <td class="text-lg-end">
                                            {editable_line.then(|| view! {
                                                <button
                                                    type="button"
                                                    class="btn btn-outline-primary btn-xs"
                                                    aria-label=label.clone()
                                                    on:click=move |_| {
                                                        if let Some(e) = editing {
                                                            e.set(Some(line.clone()));
                                                        }
                                                    }
                                                >
                                                    {move || t("Modifica")}
                                                </button>
                                            })}
                                            {removable.then(|| view! {
                                                <button
                                                    type="button"
                                                    class="btn btn-outline-danger btn-xs ms-1"
                                                    aria-label=remove_label.clone()
                                                    on:click=move |_| removing.set(Some(to_remove.clone()))
                                                >
                                                    {move || t("Rimuovi")}
                                                </button>
                                            })}
                                        </td>
                                    })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {move || removing.get().map(|line| {
            let name = line.name.clone();
            view! {
                <div class="alert alert-warning" role="alertdialog" aria-label=move || t("Rimuovi il servizio dal piano")>
                    <p>{move || tf("Rimuovi «{}» dal piano di migrazione? Il servizio esce dal piano; la rimozione resta nella cronologia del progetto.", &[&name])}</p>
                    <button type="button" class="btn btn-danger me-2" on:click=move |_| {
                        removing.set(None);
                        if let Some(r) = remove {
                            r.run(line.clone());
                        }
                    }>{move || t("Conferma la rimozione")}</button>
                    <button type="button" class="btn btn-outline-secondary" on:click=move |_| removing.set(None)>
                        {move || t("Annulla")}
                    </button>
                </div>
            }
        })}
    }
}

/// A labelled select of (value, text) options, with its error line.
#[component]
pub(crate) fn SelectField(
    id: &'static str,
    label: &'static str,
    #[prop(optional)] any: Option<&'static str>,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    names: &'static [&'static str],
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    let invalid = blames(error, names);
    let error_id = format!("{id}-errore");
    view! {
        <div class="select-wrapper mb-4">
            <label for=id>{move || t(label)}</label>
            <select
                id=id
                class:is-invalid=move || invalid.get()
                aria-invalid=move || invalid.get().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {any.map(|a| view! { <option value="">{move || t(a)}</option> })}
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(v, text)| {
                            let selected = v == value.get_untracked();
                            view! { <option value=v selected=selected>{text}</option> }
                        })
                        .collect_view()
                }}
            </select>
            <FieldError id=error_id names error/>
        </div>
    }
}

#[component]
fn PlanEditor(
    cup: String,
    call_title: String,
    catalogue: Vec<CatalogueEntry>,
    offerings: Vec<Offering>,
    editing: RwSignal<Option<PlannedService>>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    let catalogue_code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let data_class = RwSignal::new(DataClass::Ordinario.code().to_owned());
    let origin = RwSignal::new(Deployment::OnPremises.code().to_owned());
    let destination = RwSignal::new(ServiceModel::Saas.code().to_owned());
    let offering = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let catalogue_names = StoredValue::new(catalogue.clone());
    // "Modifica" on a line loads it into the form.
    Effect::new(move |_| {
        if let Some(line) = editing.get() {
            // Start from what is saved: the catalogue entry (the typed name only when it
            // differs from the entry's, so that choosing another entry takes effect) and
            // the offering.
            let code = line.catalogue_code.clone().unwrap_or_default();
            let entry_name = catalogue_names
                .with_value(|c| c.iter().find(|e| e.code == code).map(|e| e.name.clone()));
            catalogue_code.set(code);
            name.set(if entry_name.as_deref() == Some(line.name.as_str()) {
                String::new()
            } else {
                line.name.clone()
            });
            data_class.set(line.data_class.clone());
            origin.set(line.origin.clone().unwrap_or_default());
            destination.set(line.destination.clone().unwrap_or_default());
            offering.set(
                line.offering
                    .as_ref()
                    .map(|o| o.code.clone())
                    .unwrap_or_default(),
            );
            error.set(None);
        }
    });

    let catalogue_options: Vec<(String, String)> = catalogue
        .iter()
        .map(|c| (c.code.clone(), c.name.clone()))
        .collect();
    let offerings = StoredValue::new(offerings);
    // Only the offerings the server's rule admits for this line (service model, data
    // class, qualification not expired: `shared::plan::offering_admits`), plus the one
    // already chosen, so that an edit form shows what is saved even when it no longer
    // fits (saving then says why).
    let offering_options = Signal::derive(move || {
        let today = Utc::now().date_naive();
        let class = DataClass::parse(&data_class.get()).ok();
        let model = ServiceModel::parse(&destination.get()).ok();
        let chosen = offering.get();
        offerings.with_value(|all| {
            all.iter()
                .filter(|o| {
                    o.code == chosen
                        || match (class, model, o.facts()) {
                            (Some(c), Some(m), Some(f)) => offering_admits(c, m, &f, today).is_ok(),
                            _ => false,
                        }
                })
                .map(|o| {
                    let until = o
                        .qualified_until
                        .as_deref()
                        .map(|d| format!(", {} {}", t("qualificata fino al"), format::date(d)))
                        .unwrap_or_default();
                    (
                        o.code.clone(),
                        format!(
                            "{} · {} ({}{until})",
                            o.name,
                            o.supplier_name,
                            i18n::data_class_label(&o.max_data_class)
                        ),
                    )
                })
                .collect()
        })
    });
    let modality = move || {
        let (Ok(o), Ok(d)) = (
            Deployment::parse(&origin.get()),
            ServiceModel::parse(&destination.get()),
        ) else {
            return String::new();
        };
        match fundable_modality(o, d) {
            Ok(m) => format!("{}: {}", t("Modalità"), i18n::modality_label(m)),
            Err(_) => t("Questo passaggio non è finanziato dalla misura 1.2.").to_owned(),
        }
    };

    let cup = StoredValue::new(cup);
    let call_title = StoredValue::new(call_title);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let code = catalogue_code.get_untracked();
        let typed = name.get_untracked();
        let chosen_name = if typed.trim().is_empty() {
            catalogue_names
                .with_value(|c| c.iter().find(|e| e.code == code).map(|e| e.name.clone()))
        } else {
            Some(typed.trim().to_owned())
        };
        let offering_code = offering.get_untracked();
        let facts = offerings.with_value(|all| {
            all.iter()
                .find(|o| o.code == offering_code)
                .and_then(Offering::facts)
        });
        // The same rules as the server, before sending anything.
        let checked = (|| {
            let name = chosen_name.clone().ok_or_else(|| {
                ApiError::invalid(
                    "name",
                    "give the service a name or choose it from the catalogue",
                )
            })?;
            let line = PlanLine {
                name,
                data_class: DataClass::parse(&data_class.get_untracked())
                    .map_err(|e| ApiError::invalid("dataClass", e.to_string()))?,
                origin: Deployment::parse(&origin.get_untracked())
                    .map_err(|e| ApiError::invalid("origin", e.to_string()))?,
                destination: ServiceModel::parse(&destination.get_untracked())
                    .map_err(|e| ApiError::invalid("destination", e.to_string()))?,
                offering: facts,
            };
            line.check(Utc::now().date_naive())
                .map_err(|e| ApiError::invalid(e.field, e.message))
        })();
        if let Err(e) = checked {
            error.set(Some(e));
            return;
        }
        let current = editing.get_untracked();
        let input = json!({
            "cup": cup.get_value(),
            "callTitle": call_title.get_value(),
            "id": current.as_ref().map(|l| l.id.clone()),
            "version": current.as_ref().map(|l| l.version),
            "catalogueCode": (!code.is_empty()).then_some(code),
            "name": chosen_name,
            "dataClass": data_class.get_untracked(),
            "origin": origin.get_untracked(),
            "destination": destination.get_untracked(),
            "offeringCode": (!offering_code.is_empty()).then_some(offering_code),
        });
        pending.set(true);
        leptos::task::spawn_local(async move {
            match api::query::<serde_json::Value>(SAVE_SERVICE, json!({ "input": input })).await {
                Ok(_) => {
                    error.set(None);
                    editing.set(None);
                    reload.run("Servizio salvato nel piano.");
                }
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    let error_signal: Signal<Option<ApiError>> = error.into();
    let general = move || {
        error.get().filter(|e| {
            !matches!(
                e.field(),
                Some(
                    "name"
                        | "catalogueCode"
                        | "dataClass"
                        | "origin"
                        | "destination"
                        | "offering"
                        | "offeringCode"
                )
            )
        })
    };
    let name_invalid = blames(error_signal, &["name"]);

    view! {
        <h2 id="editor" class="h3">
            {move || if editing.with(Option::is_some) { t("Modifica il servizio") } else { t("Aggiungi un servizio al piano") }}
        </h2>
        <p>{move || t("Il piano si può modificare finché il progetto è finanziato o contrattualizzato e il servizio non è in migrazione.")}</p>
        <form class="plan-editor mt-4" on:submit=submit novalidate>
            {move || general().map(|e| view! { <ErrorAlert error=e/> })}
            <div class="row">
                <div class="col-12 col-lg-6">
                    <SelectField
                        id="piano-catalogo"
                        label="Servizio dal catalogo"
                        any="altro nome…"
                        value=catalogue_code
                        options=Signal::stored(catalogue_options)
                        names=&["catalogueCode"]
                        error=error_signal
                    />
                </div>
                <div class="col-12 col-lg-6">
                    <div class="form-group">
                        <label for="piano-nome" class="active">{move || t("Nome del servizio")}</label>
                        <input
                            id="piano-nome"
                            type="text"
                            class="form-control"
                            class:is-invalid=move || name_invalid.get()
                            aria-invalid=move || name_invalid.get().to_string()
                            aria-describedby="piano-nome-errore"
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))
                        />
                        <FieldError id="piano-nome-errore" names=&["name"] error=error_signal/>
                    </div>
                </div>
                <div class="col-12 col-md-4">
                    <SelectField
                        id="piano-classe"
                        label="Classe dei dati"
                        value=data_class
                        options=Signal::derive(|| DataClass::ALL.iter().map(|c| (c.code().to_owned(), i18n::data_class_label(c.code()))).collect())
                        names=&["dataClass"]
                        error=error_signal
                    />
                </div>
                <div class="col-12 col-md-4">
                    <SelectField
                        id="piano-origine"
                        label="Dove si trova oggi"
                        value=origin
                        options=Signal::derive(|| Deployment::ALL.iter().map(|d| (d.code().to_owned(), i18n::origin_label(d.code()))).collect())
                        names=&["origin"]
                        error=error_signal
                    />
                </div>
                <div class="col-12 col-md-4">
                    <SelectField
                        id="piano-destinazione"
                        label="Destinazione"
                        value=destination
                        options=Signal::derive(|| ServiceModel::ALL.iter().map(|m| (m.code().to_owned(), i18n::model_label(m.code()))).collect())
                        names=&["destination"]
                        error=error_signal
                    />
                </div>
                <div class="col-12">
                    <SelectField
                        id="piano-offerta"
                        label="Offerta cloud qualificata"
                        any="(nessuna)"
                        value=offering
                        options=offering_options
                        names=&["offering", "offeringCode"]
                        error=error_signal
                    />
                </div>
            </div>
            <p class="fw-semibold" aria-live="polite" data-testid="modalita">{modality}</p>
            <div class="d-flex gap-2">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {move || if pending.get() { t("Salvataggio…") } else { t("Salva il servizio") }}
                </button>
                <Show when=move || editing.with(Option::is_some)>
                    <button type="button" class="btn btn-outline-primary" on:click=move |_| { editing.set(None); error.set(None); }>
                        {move || t("Annulla")}
                    </button>
                </Show>
            </div>
        </form>
    }
}

#[component]
fn ContractForm(
    cup: String,
    call_title: String,
    services: Vec<PlannedService>,
    offerings: Vec<Offering>,
    /// The project's documents of kind CONTRACT, (id, file name).
    documents: Vec<(String, String)>,
    funded_on: Option<NaiveDate>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    let supplier = RwSignal::new(String::new());
    let contract_on = RwSignal::new(Utc::now().date_naive().to_string());
    let cig = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let document = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<(String, i32)>::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let mut suppliers: Vec<(String, String)> = Vec::new();
    for o in &offerings {
        if !suppliers.iter().any(|(vat, _)| *vat == o.supplier_vat) {
            let name = if o.is_psn {
                format!("{} (PSN)", o.supplier_name)
            } else {
                o.supplier_name.clone()
            };
            suppliers.push((
                o.supplier_vat.clone(),
                format!("{name} · P.IVA {}", o.supplier_vat),
            ));
        }
    }
    let cup = StoredValue::new(cup);
    let call_title = StoredValue::new(call_title);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let vat = supplier.get_untracked();
        let date = contract_on.get_untracked();
        let picked = chosen.get_untracked();
        let checked = (|| {
            VatNumber::parse(&vat).map_err(|e| ApiError::invalid("supplierVat", e.to_string()))?;
            let day = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|_| ApiError::invalid("contractOn", "invalid date"))?;
            // The server's rule for what a contract says (CIG, amount, date).
            let amount_eur: i64 = amount
                .get_untracked()
                .trim()
                .replace('.', "")
                .parse()
                .map_err(|_| {
                    ApiError::invalid(
                        "amountEur",
                        "the contract's amount is 1 to 1,000,000,000 whole euros",
                    )
                })?;
            let terms = nuvola_shared::contract::ContractTerms::check(
                &cig.get_untracked(),
                amount_eur,
                day,
                funded_on,
                Utc::now().date_naive(),
            )
            .map_err(|e| ApiError::invalid(e.field, e.message))?;
            if picked.is_empty() {
                return Err(ApiError::invalid(
                    "services",
                    "name 1 to 500 planned services",
                ));
            }
            Ok(terms)
        })();
        let terms = match checked {
            Ok(terms) => terms,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        let doc = document.get_untracked();
        let input = json!({
            "cup": cup.get_value(),
            "callTitle": call_title.get_value(),
            "supplierVat": vat,
            "contractOn": date,
            "cig": terms.cig.as_str(),
            "amountEur": terms.amount.value(),
            "documentId": (!doc.is_empty()).then_some(doc),
            "services": picked.iter().map(|(id, version)| json!({ "id": id, "version": version })).collect::<Vec<_>>(),
        });
        pending.set(true);
        leptos::task::spawn_local(async move {
            match api::query::<serde_json::Value>(RECORD_CONTRACT, json!({ "input": input })).await
            {
                Ok(_) => {
                    error.set(None);
                    reload.run("Contratto registrato.");
                }
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    let error_signal: Signal<Option<ApiError>> = error.into();
    let general = move || {
        error.get().filter(|e| {
            !matches!(
                e.field(),
                Some(
                    "supplierVat" | "contractOn" | "services" | "cig" | "amountEur" | "documentId"
                )
            )
        })
    };
    let date_invalid = blames(error_signal, &["contractOn"]);
    let services_invalid = blames(error_signal, &["services"]);

    view! {
        <h2 id="contratto" class="h3">{move || t("Registra un contratto")}</h2>
        <p>{move || t("Il primo contratto porta il progetto nello stato «Contrattualizzata» e fa partire il termine per il completamento.")}</p>
        <form class="mt-4" on:submit=submit novalidate>
            {move || general().map(|e| view! { <ErrorAlert error=e/> })}
            <div class="row">
                <div class="col-12 col-lg-6">
                    <SelectField
                        id="contratto-fornitore"
                        label="Fornitore"
                        any="(nessuno)"
                        value=supplier
                        options=Signal::stored(suppliers)
                        names=&["supplierVat"]
                        error=error_signal
                    />
                </div>
                <div class="col-12 col-lg-6">
                    <div class="form-group">
                        <label for="contratto-data" class="active">{move || t("Data del contratto")}</label>
                        <input
                            id="contratto-data"
                            type="date"
                            class="form-control"
                            class:is-invalid=move || date_invalid.get()
                            aria-invalid=move || date_invalid.get().to_string()
                            aria-describedby="contratto-data-errore"
                            prop:value=move || contract_on.get()
                            on:input=move |ev| contract_on.set(event_target_value(&ev))
                        />
                        <FieldError id="contratto-data-errore" names=&["contractOn"] error=error_signal/>
                    </div>
                </div>
            </div>
            <div class="row">
                <super::service::Field id="contratto-cig".into() label="CIG" names=&["cig"] value=cig error/>
                <super::service::Field id="contratto-importo".into() label="Importo del contratto (euro)" names=&["amountEur"] value=amount error/>
                <div class="col-12 col-md-4">
                    <SelectField
                        id="contratto-documento"
                        label="Documento del contratto"
                        any="(nessuno)"
                        value=document
                        options=Signal::stored(documents)
                        names=&["documentId"]
                        error=error_signal
                    />
                </div>
            </div>
            <fieldset class="mb-4" aria-describedby="contratto-servizi-errore">
                <legend class="h6 fw-semibold" class:text-danger=move || services_invalid.get()>{move || t("Servizi coperti dal contratto")}</legend>
                {services
                    .into_iter()
                    .map(|s| {
                        let id = format!("contratto-servizio-{}", s.id);
                        let key = (s.id.clone(), s.version);
                        let k2 = key.clone();
                        view! {
                            <div class="form-check">
                                <input
                                    id=id.clone()
                                    type="checkbox"
                                    prop:checked=move || chosen.with(|c| c.contains(&key))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| {
                                            c.retain(|x| *x != k2);
                                            if on {
                                                c.push(k2.clone());
                                            }
                                        });
                                    }
                                />
                                <label for=id>{s.name}</label>
                            </div>
                        }
                    })
                    .collect_view()}
                <FieldError id="contratto-servizi-errore" names=&["services"] error=error_signal/>
            </fieldset>
            <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                {move || if pending.get() { t("Salvataggio…") } else { t("Registra il contratto") }}
            </button>
        </form>
    }
}

const DECLARE_COMPLETION: &str = "mutation Complete($project: ProjectVersionInput!) { declareCompletion(project: $project) { state } }";
const REQUEST_PAYMENT: &str =
    "mutation Pay($project: ProjectVersionInput!) { requestPayment(project: $project) { state } }";
const REQUEST_RENUNCIATION: &str = "mutation AskRenounce($project: ProjectVersionInput!, $reason: String!) { requestRenunciation(project: $project, reason: $reason) { state } }";
const WITHDRAW_RENUNCIATION: &str = "mutation Withdraw($project: ProjectVersionInput!) { withdrawRenunciationRequest(project: $project) { state } }";

/// The moves of the life cycle the administration may make from this state, offered
/// from `shared::state` (the table the server checks them against). Each asks to
/// confirm, saying what will happen.
#[component]
fn LifecycleActions(
    cup: String,
    call_title: String,
    state: ApplicationState,
    version: i32,
    reason: Option<String>,
    renunciation: Option<RenunciationRequest>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    use nuvola_shared::state::ProjectAction;
    use nuvola_shared::{Reason, Role};
    let allowed: Vec<ProjectAction> = state
        .transitions(renunciation.is_some())
        .into_iter()
        .filter(|tr| tr.by.contains(&Role::Administration))
        .map(|tr| tr.action)
        .collect();
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let motive = RwSignal::new(String::new());
    let project = json!({ "cup": cup, "callTitle": call_title, "version": version });
    let run = move |document: &'static str, variables: serde_json::Value, done: &'static str| {
        super::verifier::send(document, variables, pending, error, move || {
            reload.run(done)
        });
    };
    let complete = allowed.contains(&ProjectAction::DeclareCompletion).then(|| {
        let project = project.clone();
        view! {
            <super::ConfirmStep
                label="Dichiara completamento"
                consequence="Dichiari che ogni servizio del piano è migrato. Il progetto passa alla verifica dell'asseveratore e il piano non si potrà più modificare."
                confirm="Conferma il completamento"
                pending
                on_confirm=Callback::new(move |()| run(DECLARE_COMPLETION, json!({ "project": project.clone() }), "Completamento dichiarato."))
            />
        }
    });
    let pay = allowed.contains(&ProjectAction::RequestPayment).then(|| {
        let project = project.clone();
        view! {
            <super::ConfirmStep
                label="Richiedi l'erogazione"
                consequence="Invii la domanda di erogazione al Dipartimento. Dopo l'invio non si potrà più rinunciare al finanziamento."
                confirm="Invia la domanda di erogazione"
                pending
                on_confirm=Callback::new(move |()| run(REQUEST_PAYMENT, json!({ "project": project.clone() }), "Domanda di erogazione inviata."))
            />
        }
    });
    let error_signal: Signal<Option<ApiError>> = error.into();
    let pending_request = renunciation.clone().map(|r| {
        let project = project.clone();
        let withdraw = allowed.contains(&ProjectAction::WithdrawRenunciation).then(|| view! {
            <super::ConfirmStep
                label="Ritira la richiesta di rinuncia"
                consequence="Ritiri la richiesta: il progetto prosegue come prima e potrai di nuovo registrare il contratto, dichiarare il completamento e chiedere l'erogazione."
                confirm="Conferma il ritiro"
                class="btn-outline-primary"
                pending
                on_confirm=Callback::new(move |()| run(WITHDRAW_RENUNCIATION, json!({ "project": project.clone() }), "Richiesta di rinuncia ritirata."))
            />
        });
        view! {
            <div class="alert alert-warning mt-4" role="status" data-testid="richiesta-rinuncia">
                <p class="fw-semibold mb-1">{move || t("Rinuncia richiesta, in attesa del decreto del Dipartimento")}</p>
                <p class="mb-1">{move || t("Richiesta il")}" "{format::date(&r.requested_at)}</p>
                <p class="mb-2"><span class="fw-semibold">{move || t("Motivo")}": "</span>{r.reason.clone()}</p>
                {withdraw}
            </div>
        }
    });
    let renounce = allowed.contains(&ProjectAction::RequestRenunciation).then(|| {
        let project = project.clone();
        let invalid = blames(error_signal, &["reason"]);
        let ready = Callback::new(move |()| match Reason::parse(&motive.get_untracked()) {
            Ok(_) => {
                error.set(None);
                true
            }
            Err(e) => {
                error.set(Some(ApiError::invalid("reason", e.to_string())));
                false
            }
        });
        view! {
            <details class="mt-3 renounce">
                <summary class="text-danger fw-semibold">{move || t("Rinuncia al finanziamento")}</summary>
                <div class="form-group mt-4">
                    <label for="rinuncia-motivo" class="active">{move || t("Motivo della rinuncia")}</label>
                    <textarea
                        id="rinuncia-motivo"
                        class="form-control"
                        rows="3"
                        class:is-invalid=move || invalid.get()
                        aria-describedby="rinuncia-motivo-aiuto rinuncia-motivo-errore"
                        prop:value=move || motive.get()
                        on:input=move |ev| motive.set(event_target_value(&ev))
                    ></textarea>
                    <small id="rinuncia-motivo-aiuto" class="form-text">{move || t("Da 10 a 2.000 caratteri. La rinuncia diventa effettiva solo con il decreto del Dipartimento; fino ad allora puoi ritirare la richiesta.")}</small>
                    <FieldError id="rinuncia-motivo-errore" names=&["reason"] error=error_signal/>
                </div>
                <super::ConfirmStep
                    label="Richiedi la rinuncia"
                    consequence="Chiedi al Dipartimento di decretare la rinuncia al finanziamento. Finché la richiesta è in attesa le altre azioni sul progetto sono sospese; con il decreto il progetto è rinunciato e il finanziamento non si può più recuperare."
                    confirm="Conferma la richiesta di rinuncia"
                    class="btn-danger"
                    pending
                    ready
                    on_confirm=Callback::new(move |()| {
                        let why = motive.get_untracked().trim().to_owned();
                        run(REQUEST_RENUNCIATION, json!({ "project": project.clone(), "reason": why }), "Richiesta di rinuncia inviata al Dipartimento.");
                    })
                />
            </details>
        }
    });
    let has_any =
        complete.is_some() || pay.is_some() || renounce.is_some() || pending_request.is_some();
    let general = move || error.get().filter(|e| e.field() != Some("reason"));
    view! {
        {reason.map(|r| view! {
            <div class="alert alert-warning mt-4" role="status">
                <span class="fw-semibold">{move || t("Motivo")}": "</span>{r}
            </div>
        })}
        {has_any.then(|| view! {
            <section aria-labelledby="azioni" class="mt-5">
                <h2 id="azioni" class="h3">{move || t("Azioni sul progetto")}</h2>
                {move || general().map(|e| view! { <ErrorAlert error=e/> })}
                {pending_request}
                <div>{complete}{pay}</div>
                {renounce}
            </section>
        })}
    }
}

/// Who did what to the project, newest first (the audit log).
#[component]
fn Timeline(events: Vec<HistoryEvent>) -> impl IntoView {
    if events.is_empty() {
        return view! { <super::Empty what="Nessun evento registrato."/> }.into_any();
    }
    view! {
        <ol class="timeline-nuvola list-unstyled">
            {events.into_iter().map(|e| {
                let what = history_label(&e.action, e.entity_type);
                let who = e.actor_name.clone().unwrap_or_else(|| e.actor_role.clone());
                let when = format!("{} {}", format::date(&e.at), e.at.get(11..16).unwrap_or_default());
                let id = e.id.clone();
                let detail = move || history_detail(&e);
                view! {
                    <li class="timeline-item" data-event=id>
                        <p class="mb-0 fw-semibold">{move || t(what)}</p>
                        <p class="mb-0" data-testid="dettaglio-evento">{detail}</p>
                        <p class="mb-0 small text-muted">{when}" · "{who}</p>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// What an event changed, in words: which service or document, from what to what, and
/// why when a reason was given ("«Protocollo informatico»: In migrazione → Migrato").
fn history_detail(e: &HistoryEvent) -> String {
    let parse = |json: &Option<String>| {
        json.as_deref()
            .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
            .unwrap_or_default()
    };
    let (before, after) = (parse(&e.before), parse(&e.after));
    let text =
        |v: &serde_json::Value, key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_owned);
    let mut parts = Vec::new();
    if let Some(subject) = &e.subject {
        parts.push(format!("«{subject}»"));
    }
    let service = |code: Option<String>| {
        code.map(|c| match nuvola_shared::ServiceState::parse(&c) {
            Ok(s) => i18n::service_state_label(s).to_owned(),
            Err(_) => c,
        })
    };
    let project = |code: Option<String>| {
        code.map(|c| match ApplicationState::parse(&c) {
            Ok(s) => i18n::state_label(s).to_owned(),
            Err(_) => c,
        })
    };
    let moved = match e.entity_type {
        nuvola_shared::EntityType::PlannedService => (
            service(text(&before, "status")),
            service(text(&after, "status")),
        ),
        nuvola_shared::EntityType::Application => (
            project(text(&before, "state")),
            project(text(&after, "state")),
        ),
        _ => (None, None),
    };
    match moved {
        (Some(from), Some(to)) if from != to => parts.push(format!("{from} → {to}")),
        (None, Some(to)) => parts.push(to),
        _ => {}
    }
    if let Some(reason) = text(&after, "reason").filter(|r| !r.is_empty()) {
        parts.push(format!("{}: {reason}", t("motivo")));
    }
    if text(&after, "cause").as_deref() == Some("VERIFICATION_PARTIAL") {
        parts.push(t("esito parzialmente positivo dell'asseverazione").to_owned());
    }
    parts.join(" · ")
}

fn history_label(action: &str, entity: nuvola_shared::EntityType) -> &'static str {
    match action {
        "CONTRACT_RECORDED" => "Contratto registrato",
        "STATE_CHANGED" => "Cambio di stato del progetto",
        "RENUNCIATION_REQUESTED" => "Rinuncia richiesta",
        "RENUNCIATION_WITHDRAWN" => "Rinuncia ritirata",
        "PLAN_SERVICE_REMOVED" => "Servizio rimosso dal piano",
        "STATUS_CHANGED" => "Cambio di stato di un servizio",
        "CUTOVER_SCHEDULED" => "Finestra di cut-over pianificata",
        "ASSESSMENT_SUBMITTED" => "Questionario di assessment aggiornato",
        "DOCUMENT_UPLOADED" => "Documento caricato",
        "DEADLINE_MISSED" => "Scadenza superata",
        "OVERDUE_CLEARED" => "Ritardo sanato",
        "VERIFICATION_REQUEST_OPENED" => "Richiesta dell'asseveratore aperta",
        "VERIFICATION_OUTCOME_RECORDED" => "Esito dell'asseverazione registrato",
        "CHECK_RECORDED" => "Verifica registrata",
        "IMPORT_CREATE" | "IMPORT_UPDATE" | "IMPORT_OPEN_DATA" => "Dati aperti importati",
        _ if entity == nuvola_shared::EntityType::PlannedService => {
            "Piano di migrazione modificato"
        }
        _ => "Aggiornamento del progetto",
    }
}

/// What the administration uploads to its project outside a request: the signed
/// contract first (the contract form offers the project's CONTRACT documents), then the
/// conformity form, the certificate of regular execution, the payment request.
const PROJECT_DOCUMENT_KINDS: &[nuvola_shared::DocumentKind] = &[
    nuvola_shared::DocumentKind::Contract,
    nuvola_shared::DocumentKind::ConformityForm,
    nuvola_shared::DocumentKind::Cre,
    nuvola_shared::DocumentKind::PaymentRequest,
    nuvola_shared::DocumentKind::Other,
];

/// The verifier's requests on this project and every document uploaded to it, with the
/// form that uploads one (`upload_to`: the project's CUP, while it is not closed).
#[component]
fn ProjectRequests(
    requests: Vec<super::requests::VerificationRequest>,
    documents: Vec<crate::upload::Document>,
    upload_to: Option<String>,
    reload: Callback<()>,
) -> impl IntoView {
    let has_requests = !requests.is_empty();
    view! {
        {has_requests.then(|| view! {
            <section aria-labelledby="richieste" class="mt-5">
                <h2 id="richieste" class="h3">{move || t("Richieste dell'asseveratore")}</h2>
                <super::requests::RequestList requests=requests.clone() reload/>
            </section>
        })}
        <section aria-labelledby="documenti" class="mt-5">
            <h2 id="documenti" class="h3">{move || t("Documenti del progetto")}</h2>
            <p class="small text-muted">{move || t("Un documento si può rimuovere finché non è allegato a una risposta, non è l'evidenza di un servizio migrato e il completamento non è stato dichiarato.")}</p>
            <crate::upload::DocumentList documents on_removed=Callback::new(move |_| reload.run(()))/>
            {upload_to.map(|cup| view! {
                <crate::upload::Upload
                    id="documento-progetto"
                    cup
                    kinds=PROJECT_DOCUMENT_KINDS
                    label=t("Carica un documento del progetto").to_owned()
                    on_done=Callback::new(move |_| reload.run(()))
                />
            })}
        </section>
    }
}
