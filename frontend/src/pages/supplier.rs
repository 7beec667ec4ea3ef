//! The supplier's (and PSN's) area: every service contracted to it, across all the
//! administrations, filterable by text, status and region.

use leptos::prelude::*;
use nuvola_shared::{ApplicationState, Region, ServiceState};
use serde::Deserialize;
use serde_json::json;

use super::administration::{CallRef, PlannedService};
use super::{Breadcrumb, Empty, ErrorAlert, Loading, ServiceBadge, StateBadge};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::{self, t, tf};
use crate::session::use_session;

const CONTRACTED: &str = r#"query Contracted { myProjects { cup state
  administration { name region }
  call { title }
  plan { id name dataClass modality origin destination status
         supplier { vatNumber name } contractOn cutoverStart cutoverEnd version
         assessments { version applicationName cpuCores memoryGb storageGb users destination
                       providerActivatedOn migrationStartedOn goLiveOn submittedAt } }
  contracts { id version corrected cig amountEur contractOn supplier { vatNumber name } document { id fileName downloadUrl }
    services { id name } versions { version cig amountEur contractOn reason recordedAt recordedBy } } } }"#;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    my_projects: Vec<Project>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Project {
    cup: String,
    state: ApplicationState,
    administration: Body,
    call: CallRef,
    plan: Vec<PlannedService>,
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

fn rows_of(data: Data, vat: Option<&str>) -> Vec<Row> {
    let mut rows = Vec::new();
    for p in data.my_projects {
        for s in p.plan {
            // The server gives a supplier only its own services; the check costs nothing.
            let mine = match (&s.supplier, vat) {
                (Some(sup), Some(vat)) => sup.vat_number == vat,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if mine {
                rows.push(Row {
                    cup: p.cup.clone(),
                    project_state: p.state,
                    body: p.administration.name.clone(),
                    region: p.administration.region.clone(),
                    call: p.call.title.clone(),
                    service: s,
                });
            }
        }
    }
    rows
}

#[component]
pub fn SupplierHome() -> impl IntoView {
    let session = use_session();
    let data = LocalResource::new(|| api::query::<Data>(CONTRACTED, json!({})));
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let who = move || session.user().map(|me| me.shown_name()).unwrap_or_default();
    let selected = RwSignal::new(Vec::<String>::new());
    let notice = RwSignal::new(None::<String>);

    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("I servizi a contratto").to_owned())/>
            <h1>{move || t("I servizi a contratto")}</h1>
            <p class="lead">{move || tf("I servizi che le amministrazioni hanno affidato a {}, in tutti i progetti.", &[&who()])}</p>

            <form class="row g-3 mt-2" role="search" on:submit=|ev| ev.prevent_default()>
                <div class="col-12 col-lg-4">
                    <div class="form-group mb-0">
                        <label for="filtro-testo" class="active">{move || t("Cerca ente o servizio")}</label>
                        <input
                            id="filtro-testo"
                            type="search"
                            class="form-control"
                            prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev))
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
                    let vat = session.user().and_then(|me| me.supplier_vat);
                    match data.await {
                        Ok(d) => {
                            // Each project's contracts with this supplier (the server lists its own only).
                            let contracts: Vec<(String, String, Vec<super::contracts::Contract>)> = d
                                .my_projects
                                .iter()
                                .filter(|p| !p.contracts.is_empty())
                                .map(|p| (p.administration.name.clone(), p.cup.clone(), p.contracts.clone()))
                                .collect();
                            let all = rows_of(d, vat.as_deref());
                            if all.is_empty() {
                                return view! { <Empty what="Non hai servizi a contratto."/> }.into_any();
                            }
                            let all = StoredValue::new(all);
                            let shown = move || {
                                let q = search.get().to_lowercase();
                                let st = status.get();
                                let rg = region.get();
                                all.with_value(|rows| {
                                    rows.iter()
                                        .filter(|r| q.is_empty() || r.body.to_lowercase().contains(&q) || r.service.name.to_lowercase().contains(&q))
                                        .filter(|r| st.is_empty() || r.service.status == st)
                                        .filter(|r| rg.is_empty() || r.region == rg)
                                        .cloned()
                                        .collect::<Vec<_>>()
                                })
                            };
                            view! {
                                <BulkUpdate all selected notice reload=Callback::new(move |message: String| { notice.set(Some(message)); selected.set(Vec::new()); data.refetch(); })/>
                                <ServiceTable rows=Signal::derive(shown) total=all.with_value(Vec::len) selected/>
                                <section aria-labelledby="i-tuoi-contratti" class="mt-5">
                                    <h2 id="i-tuoi-contratti" class="h3">{move || t("I tuoi contratti")}</h2>
                                    {contracts.into_iter().map(|(body, cup, list)| view! {
                                        <h3 class="h5 mt-3">{body}<span class="font-monospace small text-muted">{" · CUP "}{cup}</span></h3>
                                        <super::contracts::ContractList contracts=list/>
                                    }).collect_view()}
                                </section>
                                // Issue 5, item 4: questionnaire, cut-over window and evidence per service.
                                <section aria-labelledby="servizi-dettaglio" class="mt-5">
                                    <h2 id="servizi-dettaglio" class="h3">{move || t("Questionari, finestre di cut-over ed evidenze")}</h2>
                                    {all.with_value(|rows| rows.iter().map(|r| view! {
                                        <super::service::ServicePanel
                                            cup=r.cup.clone()
                                            service=r.service.clone()
                                            title=format!("{} · {}", r.service.name, r.body)
                                            reload=Callback::new(move |()| { notice.set(Some(t("Servizio aggiornato.").to_owned())); data.refetch(); })
                                        />
                                    }).collect_view())}
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
fn ServiceTable(
    rows: Signal<Vec<Row>>,
    total: usize,
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    view! {
        <p class="mt-4" aria-live="polite" data-testid="riepilogo-servizi">
            {move || tf("{} servizi su {}.", &[&rows.with(Vec::len).to_string(), &total.to_string()])}
        </p>
        <Show when=move || rows.with(|r| !r.is_empty()) fallback=|| view! { <Empty what="Nessun servizio corrisponde ai filtri."/> }>
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
                        {move || rows.get().into_iter().map(|r| {
                            let window = match (&r.service.cutover_start, &r.service.cutover_end) {
                                (Some(a), Some(b)) => format!("{} → {}", format::date(a), format::date(b)),
                                _ => "—".to_owned(),
                            };
                            let id = r.service.id.clone();
                                            let id2 = id.clone();
                            let check_id = format!("seleziona-{id}");
                            let check_label = format!("{} {} · {}", t("Seleziona"), r.service.name, r.body);
                            view! {
                                <tr>
                                    <td>
                                        <div class="form-check m-0">
                                            <input
                                                id=check_id.clone()
                                                type="checkbox"
                                                prop:checked=move || selected.with(|s| s.contains(&id))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    selected.update(|s| {
                                                        s.retain(|x| *x != id2);
                                                        if on {
                                                            s.push(id2.clone());
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

/// Moves the selected services to one new status in one request, all or none. The
/// browser offers the move only where `shared::state::SERVICE_TRANSITIONS` allows it.
#[component]
fn BulkUpdate(
    all: StoredValue<Vec<Row>>,
    selected: RwSignal<Vec<String>>,
    notice: RwSignal<Option<String>>,
    reload: Callback<String>,
) -> impl IntoView {
    let target = RwSignal::new(ServiceState::Assessed.code().to_owned());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    // The moves checked and waiting for the person's confirmation, with the sentence
    // that says what they do; a new choice of services or status asks again.
    let asking = RwSignal::new(None::<(Vec<serde_json::Value>, String)>);
    Effect::new(move |_| {
        selected.track();
        target.track();
        asking.set(None);
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        notice.set(None);
        let ids = selected.get_untracked();
        if ids.is_empty() {
            error.set(Some(ApiError::invalid("selection", "none")));
            return;
        }
        let Ok(to) = ServiceState::parse(&target.get_untracked()) else {
            return;
        };
        let chosen: Vec<Row> = all.with_value(|rows| {
            rows.iter()
                .filter(|r| ids.contains(&r.service.id))
                .cloned()
                .collect()
        });
        if let Some(stuck) = chosen.iter().find(|r| {
            !ServiceState::parse(&r.service.status).is_ok_and(|from| from.can_move_to(to))
        }) {
            error.set(Some(ApiError::invalid(
                "transition",
                stuck.service.name.clone(),
            )));
            return;
        }
        error.set(None);
        let input: Vec<serde_json::Value> = chosen
            .iter()
            .map(|r| json!({ "id": r.service.id, "version": r.service.version, "status": to.code() }))
            .collect();
        // "N services will move to Y: n1 from X1, n2 from X2."
        let mut from: Vec<(ServiceState, usize)> = Vec::new();
        for r in &chosen {
            if let Ok(state) = ServiceState::parse(&r.service.status) {
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
        asking.set(Some((input, sentence)));
    };
    let confirm = move |_| {
        let Some((input, _)) = asking.get_untracked() else {
            return;
        };
        asking.set(None);
        let n = input.len();
        pending.set(true);
        leptos::task::spawn_local(async move {
            match api::query::<serde_json::Value>(UPDATE_STATUSES, json!({ "input": input })).await
            {
                Ok(_) => {
                    error.set(None);
                    reload.run(tf("{} servizi aggiornati.", &[&n.to_string()]));
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
                    {move || tf("Aggiorna i servizi selezionati ({})", &[&selected.with(Vec::len).to_string()])}
                </button>
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
