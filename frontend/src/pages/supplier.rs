//! The supplier's (and PSN's) area: every service contracted to it, across all the
//! administrations, filterable by text, status and region.

use leptos::prelude::*;
use nuvola_shared::{ApplicationState, Region, ServiceState};
use serde::Deserialize;
use serde_json::json;

use super::administration::{CallRef, PlannedService};
use super::{Breadcrumb, Empty, ErrorAlert, Loading, ServiceBadge, StateBadge};
use crate::api;
use crate::format;
use crate::i18n::{self, t, tf};
use crate::session::use_session;

const CONTRACTED: &str = r#"query Contracted { myProjects { cup state
  administration { name region }
  call { title }
  plan { id name dataClass modality origin destination status
         supplier { vatNumber name } contractOn cutoverStart cutoverEnd version } } }"#;

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

            <Transition fallback=|| view! { <Loading what="Caricamento dei servizi…"/> }>
                {move || Suspend::new(async move {
                    let vat = session.user().and_then(|me| me.supplier_vat);
                    match data.await {
                        Ok(d) => {
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
                            view! { <ServiceTable rows=Signal::derive(shown) total=all.with_value(Vec::len)/> }.into_any()
                        }
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn ServiceTable(rows: Signal<Vec<Row>>, total: usize) -> impl IntoView {
    view! {
        <p class="mt-4" aria-live="polite" data-testid="riepilogo-servizi">
            {move || tf("{} servizi su {}.", &[&rows.with(Vec::len).to_string(), &total.to_string()])}
        </p>
        <Show when=move || rows.with(|r| !r.is_empty()) fallback=|| view! { <Empty what="Nessun servizio corrisponde ai filtri."/> }>
            <div class="table-responsive">
                <table class="table table-striped align-middle">
                    <caption class="visually-hidden">{move || t("I servizi a contratto")}</caption>
                    <thead>
                        <tr>
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
                            view! {
                                <tr>
                                    <td>
                                        <span class="fw-semibold">{r.body.clone()}</span><br/>
                                        <small class="text-muted">{r.region.clone()}</small>
                                    </td>
                                    <th scope="row">{r.service.name.clone()}</th>
                                    <td>{i18n::data_class_label(&r.service.data_class)}</td>
                                    <td>{r.service.modality.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>{r.service.destination.clone().map(|d| i18n::model_label(&d)).unwrap_or_else(|| "—".into())}</td>
                                    <td><ServiceBadge status=r.service.status.clone()/></td>
                                    <td class="text-nowrap">{window}</td>
                                    <td class="small">
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
