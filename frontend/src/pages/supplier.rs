//! The supplier's (and PSN's) area: the services contracted to it, across all the
//! administrations, a page at a time. The server filters (text, status, region),
//! counts and pages (`myServices`), so a supplier of thousands of schools loads one
//! page, not every project with every plan. A status change applies to the services
//! ticked (on any page) or, confirmed with their number, to every service the filter
//! selects (`updateServiceStatusesByFilter`).

use leptos::prelude::*;
use nuvola_shared::api::ServiceFilter;
use nuvola_shared::{ApplicationState, Region, ServiceState};
use serde::Deserialize;
use serde_json::json;

use super::administration::{CallRef, PlannedService};
use super::{Breadcrumb, Empty, ErrorAlert, Loading, ServiceBadge, StateBadge};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::{self, t, tf};
use crate::session::use_session;

/// Services on one page.
const PAGE_SIZE: usize = 20;

use format::number;

const PAGE_QUERY: &str = r#"query Contracted($first: Int!, $after: String, $filter: ServiceFilter) {
  myServices(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name dataClass modality origin destination status
                   supplier { vatNumber name } contractOn cutoverStart cutoverEnd version
                   assessments { version applicationName cpuCores memoryGb storageGb users destination
                                 providerActivatedOn migrationStartedOn goLiveOn submittedAt } }
            project { cup state administration { name region } call { title }
              contracts { id version corrected cig amountEur contractOn supplier { vatNumber name } document { id fileName downloadUrl }
                services { id name } versions { version cig amountEur contractOn reason recordedAt recordedBy } } } } } }"#;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    my_services: Connection,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    total_count: usize,
    page_info: PageInfo,
    edges: Vec<Edge>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Edge {
    node: PlannedService,
    project: Project,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Project {
    cup: String,
    state: ApplicationState,
    administration: Body,
    call: CallRef,
    #[serde(default)]
    contracts: Vec<super::contracts::Contract>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Body {
    name: String,
    region: String,
}

/// One row of the table: a contracted service with its project.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    cup: String,
    project_state: ApplicationState,
    body: String,
    region: String,
    call: String,
    service: PlannedService,
}

/// A service ticked for a status change, remembered across pages.
#[derive(Debug, Clone, PartialEq)]
struct Picked {
    id: String,
    version: i32,
    status: String,
    name: String,
}

impl From<&Row> for Picked {
    fn from(r: &Row) -> Self {
        Picked {
            id: r.service.id.clone(),
            version: r.service.version,
            status: r.service.status.clone(),
            name: r.service.name.clone(),
        }
    }
}

fn rows_of(edges: &[Edge]) -> Vec<Row> {
    edges
        .iter()
        .map(|e| Row {
            cup: e.project.cup.clone(),
            project_state: e.project.state,
            body: e.project.administration.name.clone(),
            region: e.project.administration.region.clone(),
            call: e.project.call.title.clone(),
            service: e.node.clone(),
        })
        .collect()
}

/// What the page holds: the filter, the cursors of the pages before this one, the ticks.
#[derive(Clone, Copy)]
struct Selection {
    /// Ticked services, on any page of the current filter.
    picked: RwSignal<Vec<Picked>>,
    /// Every service a filter selects, across pages: the filter of the page on which it
    /// was chosen and that page's total (one answer's, so they agree).
    all_matching: RwSignal<Option<(ServiceFilter, usize)>>,
}

#[component]
pub fn SupplierHome() -> impl IntoView {
    let session = use_session();
    // What the box shows, and what the server is asked once typing pauses (or on Enter).
    let typed = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let search_after_pause = super::after_pause(search);
    let status = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let filter = Memo::new(move |_| ServiceFilter {
        search: Some(search.get()).filter(|s| !s.trim().is_empty()),
        status: ServiceState::parse(&status.get()).ok(),
        region: Some(region.get()).filter(|s| !s.is_empty()),
    });
    // The cursors of the pages before the current one, for the filter they belong to:
    // a new filter starts again from the first page.
    let cursors = RwSignal::new((ServiceFilter::default(), Vec::<String>::new()));
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
    let selection = Selection {
        picked: RwSignal::new(Vec::new()),
        all_matching: RwSignal::new(None),
    };
    Effect::new(move |_| {
        filter.track();
        selection.picked.set(Vec::new());
        selection.all_matching.set(None);
    });
    let data = LocalResource::new(move || {
        let after = stack().last().cloned();
        let filter = filter.get();
        async move {
            if let Err(e) = filter.parse() {
                return Err(ApiError::invalid(
                    if e.field == "search" {
                        "filter.search"
                    } else {
                        "filter.region"
                    },
                    e.to_string(),
                ));
            }
            api::query::<Data>(
                PAGE_QUERY,
                json!({ "first": PAGE_SIZE, "after": after, "filter": filter }),
            )
            .await
            .map(|d| (filter, d))
        }
    });
    let who = move || session.user().map(|me| me.shown_name()).unwrap_or_default();
    let notice = RwSignal::new(None::<String>);
    let reload = Callback::new(move |message: String| {
        notice.set(Some(message).filter(|m| !m.is_empty()));
        selection.picked.set(Vec::new());
        selection.all_matching.set(None);
        data.refetch();
    });

    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("I servizi a contratto").to_owned())/>
            <h1>{move || t("I servizi a contratto")}</h1>
            <p class="lead">{move || tf("I servizi che le amministrazioni hanno affidato a {}, in tutti i progetti.", &[&who()])}</p>

            <form class="row g-3 mt-2" role="search" on:submit=move |ev| {
                ev.prevent_default();
                search.set(typed.get_untracked());
            }>
                <div class="col-12 col-lg-4">
                    <div class="form-group mb-0">
                        <label for="filtro-testo" class="active">{move || t("Cerca ente o servizio")}</label>
                        <input
                            id="filtro-testo"
                            type="search"
                            class="form-control"
                            maxlength="100"
                            prop:value=move || typed.get()
                            on:input=move |ev| {
                                let text = event_target_value(&ev);
                                typed.set(text.clone());
                                search_after_pause(text);
                            }
                        />
                    </div>
                </div>
                <div class="col-12 col-md-6 col-lg-4">
                    <div class="select-wrapper">
                        <label for="filtro-stato-servizio">{move || t("Stato del servizio")}</label>
                        <select id="filtro-stato-servizio" on:change=move |ev| status.set(event_target_value(&ev))>
                            <option value="">{move || t("Tutti gli stati")}</option>
                            {ServiceState::ALL.iter().map(|s| view! {
                                <option value=s.code()>{move || i18n::service_state_label(*s)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="col-12 col-md-6 col-lg-4">
                    <div class="select-wrapper">
                        <label for="filtro-regione-servizio">{move || t("Regione")}</label>
                        <select id="filtro-regione-servizio" on:change=move |ev| region.set(event_target_value(&ev))>
                            <option value="">{move || t("Tutte le regioni")}</option>
                            {Region::all().map(|r| view! { <option value=r.name()>{r.name()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
            </form>

            <Show when=move || notice.with(Option::is_some)>
                <div class="alert alert-success mt-3" role="status">{move || notice.get()}</div>
            </Show>
            <Transition fallback=|| view! { <Loading what="Caricamento dei servizi…"/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((loaded, d)) => {
                            let Connection { total_count, page_info, edges } = d.my_services;
                            let before = stack();
                            let first_page = before.is_empty();
                            let unfiltered = filter.with(|f| *f == ServiceFilter::default());
                            if total_count == 0 && first_page && unfiltered {
                                return view! { <Empty what="Non hai servizi a contratto."/> }.into_any();
                            }
                            // Each project's contracts with this supplier, for the projects on this page.
                            let mut contracts: Vec<(String, String, Vec<super::contracts::Contract>)> = Vec::new();
                            for e in &edges {
                                if !e.project.contracts.is_empty() && !contracts.iter().any(|(_, cup, _)| *cup == e.project.cup) {
                                    contracts.push((e.project.administration.name.clone(), e.project.cup.clone(), e.project.contracts.clone()));
                                }
                            }
                            let rows = rows_of(&edges);
                            let page = before.len() + 1;
                            let pages = total_count.div_ceil(PAGE_SIZE).max(1);
                            let page_rows = StoredValue::new(rows.clone());
                            let has_next = page_info.has_next_page;
                            let end_cursor = page_info.end_cursor;
                            view! {
                                <BulkUpdate page_rows selection filter loaded total=total_count notice reload/>
                                <ServiceTable rows=rows.clone() total=total_count selection/>
                                <nav class="pagination-wrapper justify-content-between d-flex align-items-center" aria-label=move || t("Paginazione")>
                                    <button
                                        type="button"
                                        class="btn btn-outline-primary btn-sm"
                                        disabled=page <= 1
                                        on:click=move |_| cursors.update(|(_, c)| drop(c.pop()))
                                    >
                                        {move || t("‹ Precedenti")}
                                    </button>
                                    <span data-testid="pagina-servizi">{move || tf("Pagina {} di {}", &[&page.to_string(), &pages.to_string()])}</span>
                                    <button
                                        type="button"
                                        class="btn btn-outline-primary btn-sm"
                                        disabled=!has_next
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
                                <section aria-labelledby="i-tuoi-contratti" class="mt-5">
                                    <h2 id="i-tuoi-contratti" class="h3">{move || t("I tuoi contratti")}</h2>
                                    <p class="small text-muted">{move || t("I contratti dei progetti dei servizi in questa pagina.")}</p>
                                    {contracts.into_iter().map(|(body, cup, list)| view! {
                                        <h3 class="h5 mt-3">{body}<span class="font-monospace small text-muted">{" · CUP "}{cup}</span></h3>
                                        <super::contracts::ContractList contracts=list/>
                                    }).collect_view()}
                                </section>
                                // Issue 5, item 4: questionnaire, cut-over window and evidence per service.
                                <section aria-labelledby="servizi-dettaglio" class="mt-5">
                                    <h2 id="servizi-dettaglio" class="h3">{move || t("Questionari, finestre di cut-over ed evidenze")}</h2>
                                    {rows.into_iter().map(|r| view! {
                                        <super::service::ServicePanel
                                            cup=r.cup.clone()
                                            service=r.service.clone()
                                            title=format!("{} · {}", r.service.name, r.body)
                                            reload=Callback::new(move |()| { notice.set(Some(t("Servizio aggiornato.").to_owned())); data.refetch(); })
                                        />
                                    }).collect_view()}
                                </section>
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
fn ServiceTable(rows: Vec<Row>, total: usize, selection: Selection) -> impl IntoView {
    let shown = rows.len();
    let picked = selection.picked;
    view! {
        <p class="mt-4" aria-live="polite" data-testid="riepilogo-servizi">
            {move || tf("{} servizi su {}.", &[&shown.to_string(), &number(total as i64)])}
        </p>
        <Show when=move || { shown > 0 } fallback=|| view! { <Empty what="Nessun servizio corrisponde ai filtri."/> }>
            <div class="table-responsive">
                <table class="table table-striped align-middle table-stack">
                    <caption class="visually-hidden">{move || t("I servizi a contratto")}</caption>
                    <thead>
                        <tr>
                            <th scope="col"><span class="visually-hidden">{move || t("Seleziona")}</span></th>
                            <th scope="col">{move || t("Ente")}</th>
                            <th scope="col">{move || t("Servizio")}</th>
                            <th scope="col">{move || t("Classe dei dati")}</th>
                            <th scope="col">{move || t("Modalità")}</th>
                            <th scope="col">{move || t("Destinazione")}</th>
                            <th scope="col">{move || t("Stato")}</th>
                            <th scope="col">{move || t("Finestra di cut-over")}</th>
                            <th scope="col">{move || t("Progetto")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.iter().map(|r| {
                            let window = match (&r.service.cutover_start, &r.service.cutover_end) {
                                (Some(a), Some(b)) => format!("{} → {}", format::date(a), format::date(b)),
                                _ => "—".to_owned(),
                            };
                            let id = r.service.id.clone();
                            let pick = Picked::from(r);
                            let check_id = format!("seleziona-{id}");
                            let check_label = format!("{} {} · {}", t("Seleziona"), r.service.name, r.body);
                            view! {
                                <tr>
                                    <td>
                                        <div class="form-check m-0">
                                            <input
                                                id=check_id.clone()
                                                type="checkbox"
                                                disabled=move || selection.all_matching.with(Option::is_some)
                                                prop:checked=move || selection.all_matching.with(Option::is_some) || picked.with(|s| s.iter().any(|p| p.id == id))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    picked.update(|s| {
                                                        s.retain(|p| p.id != pick.id);
                                                        if on {
                                                            s.push(pick.clone());
                                                        }
                                                    });
                                                }
                                            />
                                            <label for=check_id class="check-only"><span class="visually-hidden">{check_label}</span></label>
                                        </div>
                                    </td>
                                    <td data-label=move || t("Ente")>
                                        <span class="fw-semibold">{r.body.clone()}</span><br/>
                                        <small class="text-muted">{r.region.clone()}</small>
                                    </td>
                                    <th scope="row">{r.service.name.clone()}</th>
                                    <td data-label=move || t("Classe dei dati")>{i18n::data_class_label(&r.service.data_class)}</td>
                                    <td data-label=move || t("Modalità")>{r.service.modality.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td data-label=move || t("Destinazione")>{r.service.destination.clone().map(|d| i18n::model_label(&d)).unwrap_or_else(|| "—".into())}</td>
                                    <td data-label=move || t("Stato")><ServiceBadge status=r.service.status.clone()/></td>
                                    <td class="text-nowrap" data-label=move || t("Finestra di cut-over")>{window}</td>
                                    <td class="small" data-label=move || t("Progetto")>
                                        <span class="font-monospace">{r.cup.clone()}</span><br/>
                                        <StateBadge state=r.project_state/>
                                        <span class="visually-hidden">{r.call.clone()}</span>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

const UPDATE_STATUSES: &str = "mutation Statuses($input: [ServiceStatusInput!]!) { updateServiceStatuses(input: $input) { id status version } }";

const UPDATE_BY_FILTER: &str = "mutation StatusesByFilter($filter: ServiceFilter, $status: ServiceStatus!, $n: Int!) { updateServiceStatusesByFilter(filter: $filter, status: $status, expectedCount: $n) { moved status } }";

/// What waits for the person's confirmation.
#[derive(Debug, Clone, PartialEq)]
enum Pending {
    /// The services ticked, with their versions.
    Picked(Vec<serde_json::Value>),
    /// Every service the filter selects: this many.
    Filter(ServiceFilter, usize),
}

/// Moves the chosen services to one new status in one request, all or none: those
/// ticked (on any page), or every service the filter selects. The browser offers the
/// move only where `shared::state::SERVICE_TRANSITIONS` allows it, and says how many
/// services will move before it sends anything.
#[component]
fn BulkUpdate(
    page_rows: StoredValue<Vec<Row>>,
    selection: Selection,
    filter: Memo<ServiceFilter>,
    /// The filter the page on screen was loaded with (the live one may be newer).
    loaded: ServiceFilter,
    total: usize,
    notice: RwSignal<Option<String>>,
    reload: Callback<String>,
) -> impl IntoView {
    let picked = selection.picked;
    let all_matching = selection.all_matching;
    let target = RwSignal::new(ServiceState::Assessed.code().to_owned());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    // The move checked and waiting for the person's confirmation, with the sentence that
    // says what it does; a new choice of services or status asks again.
    let asking = RwSignal::new(None::<(Pending, String)>);
    Effect::new(move |_| {
        picked.track();
        all_matching.track();
        target.track();
        asking.set(None);
    });
    let on_page = page_rows.with_value(Vec::len);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        notice.set(None);
        let Ok(to) = ServiceState::parse(&target.get_untracked()) else {
            return;
        };
        if let Some((current, n)) = all_matching.get_untracked() {
            // With a status in the filter, the browser knows where they all come from.
            if let Some(from) = current.status {
                if !from.can_move_to(to) {
                    error.set(Some(ApiError::invalid(
                        "transition",
                        i18n::service_state_label(from).to_owned(),
                    )));
                    return;
                }
            }
            error.set(None);
            let sentence = match current.status {
                Some(from) => tf(
                    "{} servizi passeranno a «{}»: tutti quelli che corrispondono ai filtri, in tutte le pagine, da «{}». Il passaggio è registrato e l'ente lo vede subito.",
                    &[&number(n as i64), i18n::service_state_label(to), i18n::service_state_label(from)],
                ),
                None => tf(
                    "{} servizi passeranno a «{}»: tutti quelli che corrispondono ai filtri, in tutte le pagine. Se anche uno solo non può passare a questo stato, nessuno cambia. Il passaggio è registrato e l'ente lo vede subito.",
                    &[&number(n as i64), i18n::service_state_label(to)],
                ),
            };
            asking.set(Some((Pending::Filter(current, n), sentence)));
            return;
        }
        let chosen = picked.get_untracked();
        if chosen.is_empty() {
            error.set(Some(ApiError::invalid("selection", "none")));
            return;
        }
        if let Some(stuck) = chosen
            .iter()
            .find(|p| !ServiceState::parse(&p.status).is_ok_and(|from| from.can_move_to(to)))
        {
            error.set(Some(ApiError::invalid("transition", stuck.name.clone())));
            return;
        }
        error.set(None);
        let input: Vec<serde_json::Value> = chosen
            .iter()
            .map(|p| json!({ "id": p.id, "version": p.version, "status": to.code() }))
            .collect();
        // "N services will move to Y: n1 from X1, n2 from X2."
        let mut from: Vec<(ServiceState, usize)> = Vec::new();
        for p in &chosen {
            if let Ok(state) = ServiceState::parse(&p.status) {
                match from.iter_mut().find(|(s, _)| *s == state) {
                    Some((_, n)) => *n += 1,
                    None => from.push((state, 1)),
                }
            }
        }
        let parts: Vec<String> = from
            .iter()
            .map(|(s, n)| {
                tf(
                    "{} da «{}»",
                    &[&n.to_string(), i18n::service_state_label(*s)],
                )
            })
            .collect();
        let sentence = tf(
            "{} servizi passeranno a «{}»: {}. Il passaggio è registrato e l'ente lo vede subito.",
            &[
                &input.len().to_string(),
                i18n::service_state_label(to),
                &parts.join(", "),
            ],
        );
        asking.set(Some((Pending::Picked(input), sentence)));
    };
    let confirm = move |_| {
        let Some((what, _)) = asking.get_untracked() else {
            return;
        };
        let Ok(to) = ServiceState::parse(&target.get_untracked()) else {
            return;
        };
        asking.set(None);
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = match what {
                Pending::Picked(input) => {
                    let n = input.len();
                    api::query::<serde_json::Value>(UPDATE_STATUSES, json!({ "input": input }))
                        .await
                        .map(|_| n)
                }
                Pending::Filter(filter, n) => api::query::<serde_json::Value>(
                    UPDATE_BY_FILTER,
                    json!({ "filter": filter, "status": to.code(), "n": n }),
                )
                .await
                .map(|d| {
                    d["updateServiceStatusesByFilter"]["moved"]
                        .as_u64()
                        .unwrap_or(0) as usize
                }),
            };
            match result {
                Ok(n) => {
                    error.set(None);
                    reload.run(tf("{} servizi aggiornati.", &[&n.to_string()]));
                }
                Err(ApiError::Refused { code, .. })
                    if code == "CONFLICT" && all_matching.get_untracked().is_some() =>
                {
                    error.set(Some(ApiError::worded(
                        "count",
                        "Nel frattempo i servizi che corrispondono ai filtri sono cambiati: nessuno è stato aggiornato. La pagina è stata ricaricata: controlla il numero e conferma di nuovo.",
                        &[],
                    )));
                    reload.run(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    let message = move || {
        error.get().map(|e| match e.field() {
            Some("selection") => t("Seleziona almeno un servizio.").to_owned(),
            Some("transition") => {
                let name = match &e { ApiError::Refused { message, .. } => message.clone(), _ => String::new() };
                tf("Il servizio «{}» non può passare a questo stato: i passaggi previsti sono Da avviare → Analizzato → In migrazione → In collaudo → Migrato (o Collaudo fallito → In migrazione).", &[&name])
            }
            _ => e.to_string(),
        })
    };
    let button_label = move || match all_matching.get() {
        Some((_, n)) => tf("Aggiorna tutti i {} servizi filtrati", &[&number(n as i64)]),
        None => tf(
            "Aggiorna i servizi selezionati ({})",
            &[&picked.with(Vec::len).to_string()],
        ),
    };
    view! {
        <form class="row g-3 align-items-end mt-3 bulk-update" on:submit=submit novalidate>
            <div class="col-12 col-md-5">
                <div class="select-wrapper">
                    <label for="nuovo-stato">{move || t("Nuovo stato dei servizi selezionati")}</label>
                    <select id="nuovo-stato" aria-describedby="nuovo-stato-errore" on:change=move |ev| target.set(event_target_value(&ev))>
                        {ServiceState::ALL.iter().filter(|s| **s != ServiceState::NotStarted).map(|s| view! {
                            <option value=s.code() selected=*s == ServiceState::Assessed>{move || i18n::service_state_label(*s)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="col-12 col-md-7">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {button_label}
                </button>
            </div>
            // Selecting across pages: every service the filter selects, not only this page.
            <div class="col-12" data-testid="selezione-filtro">
                {move || match all_matching.get() {
                    Some((_, n)) => view! {
                        <p class="mb-0">
                            {tf("Sono selezionati tutti i {} servizi che corrispondono ai filtri, in tutte le pagine.", &[&number(n as i64)])}
                            " "
                            <button type="button" class="btn btn-link p-0 align-baseline" on:click=move |_| all_matching.set(None)>
                                {move || t("Annulla la selezione")}
                            </button>
                        </p>
                    }.into_any(),
                    None if total > on_page => view! {
                        <p class="mb-0">
                            // Only for the filter of the page on screen: while another loads, wait.
                            <button
                                type="button"
                                class="btn btn-link p-0 align-baseline"
                                disabled={
                                    let loaded = loaded.clone();
                                    move || filter.with(|f| *f != loaded)
                                }
                                on:click={
                                    let loaded = loaded.clone();
                                    move |_| {
                                        if filter.with_untracked(|f| *f == loaded) {
                                            picked.set(Vec::new());
                                            all_matching.set(Some((loaded.clone(), total)));
                                        }
                                    }
                                }
                            >
                                {tf("Seleziona tutti i {} servizi che corrispondono ai filtri", &[&number(total as i64)])}
                            </button>
                        </p>
                    }.into_any(),
                    None => ().into_any(),
                }}
            </div>
            <div id="nuovo-stato-errore" class="col-12 text-danger small" aria-live="polite">{message}</div>
            {move || asking.with(|a| a.as_ref().map(|(_, sentence)| sentence.clone())).map(|sentence| view! {
                <div class="col-12">
                    <div class="alert alert-warning" role="alertdialog" aria-label=move || t("Conferma l'aggiornamento dei servizi")>
                        <p>{sentence}</p>
                        <button type="button" class="btn btn-primary me-2" disabled=move || pending.get() on:click=confirm>
                            {move || t("Conferma l'aggiornamento")}
                        </button>
                        <button type="button" class="btn btn-outline-secondary" on:click=move |_| asking.set(None)>
                            {move || t("Annulla")}
                        </button>
                    </div>
                </div>
            })}
        </form>
    }
}
