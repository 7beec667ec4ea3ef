//! One planned service's working panel, for the administration and the supplier: the
//! assessment questionnaire (latest version, every earlier one, and a form for a new
//! version), the cut-over window, and the evidence of its migration.
//!
//! The forms check their input with `nuvola_shared::Questionnaire::check` and
//! `CutoverWindow::check` (the server's own rules) before sending, and show the server's
//! refusal next to the field it names.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use nuvola_shared::{CutoverWindow, DocumentKind, Questionnaire};
use serde::Deserialize;
use serde_json::json;
use wasm_bindgen::JsValue;

use super::administration::PlannedService;
use super::{blames, ErrorAlert, FieldError};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::{t, tf};
use crate::upload::{Document, DocumentList, Upload};

const SUBMIT: &str =
    "mutation Assess($input: AssessmentInput!) { submitAssessment(input: $input) { version } }";
const SCHEDULE: &str =
    "mutation Cutover($input: CutoverInput!) { scheduleCutover(input: $input) { id version } }";

/// One version of a questionnaire, as the server keeps it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assessment {
    pub version: i32,
    pub application_name: Option<String>,
    pub cpu_cores: Option<i32>,
    pub memory_gb: Option<i32>,
    pub storage_gb: Option<i32>,
    pub users: Option<i32>,
    pub destination: Option<String>,
    pub provider_activated_on: Option<String>,
    pub migration_started_on: Option<String>,
    pub go_live_on: Option<String>,
    pub submitted_at: String,
}

/// The panels of every service of a plan.
#[component]
pub fn ServicePanels(
    #[prop(into)] cup: String,
    plan: Vec<PlannedService>,
    reload: Callback<()>,
) -> impl IntoView {
    if plan.is_empty() {
        return ().into_any();
    }
    view! {
        <section aria-labelledby="servizi-dettaglio" class="mt-5">
            <h2 id="servizi-dettaglio" class="h3">{move || t("Questionari, finestre di cut-over ed evidenze")}</h2>
            {plan.into_iter().map(|s| view! { <ServicePanel cup=cup.clone() service=s reload/> }).collect_view()}
        </section>
    }
    .into_any()
}

fn or_dash<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "—".to_owned(), ToString::to_string)
}

fn date_or_dash(v: &Option<String>) -> String {
    v.as_deref().map_or_else(|| "—".to_owned(), format::date)
}

// Times go through the browser's `Date`, which knows the user's time zone: cheaper in
// the wasm than chrono's time-zone and formatting code.

/// `2026-12-01T22:00:00Z` → `01/12/2026 23:00` in the browser's time zone.
fn local_time(iso: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(iso));
    if d.get_time().is_nan() {
        return iso.to_owned();
    }
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        d.get_date(),
        d.get_month() + 1,
        d.get_full_year(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The value of a `datetime-local` input (`2026-12-01T23:00`), which `Date` reads in the
/// browser's time zone.
fn parse_local(value: &str) -> Option<DateTime<Utc>> {
    if value.len() < 16 {
        return None;
    }
    let ms = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    if ms.is_nan() {
        return None;
    }
    DateTime::from_timestamp_millis(ms as i64)
}

/// One service's panel, folded; `title` names it (the service's name by default).
#[component]
pub(crate) fn ServicePanel(
    #[prop(into)] cup: String,
    service: PlannedService,
    #[prop(optional, into)] title: Option<String>,
    reload: Callback<()>,
) -> impl IntoView {
    let id = service.id.clone();
    let mut versions = service.assessments.clone();
    versions.sort_by_key(|a| std::cmp::Reverse(a.version));
    let latest = versions.first().cloned();
    let older: Vec<Assessment> = versions.iter().skip(1).cloned().collect();
    let latest_version = latest.as_ref().map_or(0, |a| a.version);
    let name = service.name.clone();
    let uploaded = RwSignal::new(Vec::<Document>::new());
    let window = match (&service.cutover_start, &service.cutover_end) {
        (Some(s), Some(e)) => Some(format!("{} – {}", local_time(s), local_time(e))),
        _ => None,
    };
    view! {
        <details class="service-panel border rounded p-3 my-3">
            <summary class="fw-semibold">{title.unwrap_or_else(|| name.clone())}</summary>
            <div class="mt-3">
                <h3 class="h5">{move || t("Questionario di assessment")}</h3>
                {match latest.clone() {
                    None => view! { <p class="text-muted">{move || t("Nessun questionario compilato.")}</p> }.into_any(),
                    Some(a) => view! { <AssessmentView assessment=a/> }.into_any(),
                }}
                {(!older.is_empty()).then(|| view! {
                    <h4 class="h6">{move || t("Versioni precedenti")}</h4>
                    <ul class="small">
                        {older.iter().map(|a| view! {
                            <li>
                                {move || t("Versione")} " " {a.version} " · " {format::date(&a.submitted_at)} " · "
                                {or_dash(&a.application_name)} " · " {or_dash(&a.users)} " " {move || t("utenti")}
                                " · " {move || t("go-live")} " " {date_or_dash(&a.go_live_on)}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                <QuestionnaireForm service_id=id.clone() name=name.clone() latest_version previous=latest reload/>

                <h3 class="h5 mt-4">{move || t("Finestra di cut-over")}</h3>
                <p>
                    {match window {
                        Some(w) => w.into_any(),
                        None => view! { <span class="text-muted">{move || t("Nessuna finestra pianificata.")}</span> }.into_any(),
                    }}
                </p>
                <CutoverForm service_id=id.clone() version=service.version name=name.clone() reload/>

                <h3 class="h5 mt-4">{move || t("Evidenze della migrazione")}</h3>
                <Upload
                    id=format!("evidenza-{id}")
                    cup=cup
                    kinds=&[DocumentKind::Evidence]
                    planned_service_id=id.clone()
                    label=Signal::derive({
                        let name = name.clone();
                        move || tf("Carica un'evidenza per {}", &[&name])
                    })
                    on_done=Callback::new(move |d: Document| uploaded.update(|v| v.push(d)))
                />
                <Show when=move || uploaded.with(|v| !v.is_empty())>
                    {move || view! { <DocumentList documents=uploaded.get()/> }}
                </Show>
            </div>
        </details>
    }
}

/// Every service's questionnaires, cut-over window and evidence, read-only: what the
/// verifier checks. `documents` are the project's; each panel lists those attached to
/// its service.
#[component]
pub fn ServiceEvidence(plan: Vec<PlannedService>, documents: Vec<Document>) -> impl IntoView {
    view! {
        <section aria-labelledby="evidenze" class="mt-5">
            <h2 id="evidenze" class="h3">{move || t("Questionari ed evidenze dei servizi")}</h2>
            {plan.into_iter().map(|service| {
                let mut versions = service.assessments.clone();
                versions.sort_by_key(|a| std::cmp::Reverse(a.version));
                let latest = versions.first().cloned();
                let older: Vec<Assessment> = versions.iter().skip(1).cloned().collect();
                let evidence: Vec<Document> = documents
                    .iter()
                    .filter(|d| d.planned_service_id.as_deref() == Some(service.id.as_str()))
                    .cloned()
                    .collect();
                let window = match (&service.cutover_start, &service.cutover_end) {
                    (Some(s), Some(e)) => Some(format!("{} – {}", local_time(s), local_time(e))),
                    _ => None,
                };
                view! {
                    <details class="service-panel border rounded p-3 my-3">
                        <summary class="fw-semibold">{service.name.clone()}</summary>
                        <div class="mt-3">
                            <h3 class="h5">{move || t("Questionario di assessment")}</h3>
                            {match latest {
                                None => view! { <p class="text-muted">{move || t("Nessun questionario compilato.")}</p> }.into_any(),
                                Some(a) => view! { <AssessmentView assessment=a/> }.into_any(),
                            }}
                            {(!older.is_empty()).then(|| view! {
                                <h4 class="h6">{move || t("Versioni precedenti")}</h4>
                                <ul class="small">
                                    {older.iter().map(|a| view! {
                                        <li>
                                            {move || t("Versione")} " " {a.version} " · " {format::date(&a.submitted_at)} " · "
                                            {or_dash(&a.application_name)} " · " {or_dash(&a.users)} " " {move || t("utenti")}
                                            " · " {move || t("go-live")} " " {date_or_dash(&a.go_live_on)}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            })}
                            <h3 class="h5 mt-4">{move || t("Finestra di cut-over")}</h3>
                            <p>
                                {match window {
                                    Some(w) => w.into_any(),
                                    None => view! { <span class="text-muted">{move || t("Nessuna finestra pianificata.")}</span> }.into_any(),
                                }}
                            </p>
                            <h3 class="h5 mt-4">{move || t("Evidenze della migrazione")}</h3>
                            <DocumentList documents=evidence/>
                        </div>
                    </details>
                }
            }).collect_view()}
        </section>
    }
}

#[component]
fn AssessmentView(assessment: Assessment) -> impl IntoView {
    let a = assessment;
    view! {
        <p class="small text-muted mb-1">
            {move || t("Versione")} " " {a.version} " · " {move || t("inviata il")} " " {format::date(&a.submitted_at)}
        </p>
        <dl class="row small">
            <dt class="col-6 col-md-3">{move || t("Applicativo")}</dt><dd class="col-6 col-md-3">{or_dash(&a.application_name)}</dd>
            <dt class="col-6 col-md-3">{move || t("Utenti")}</dt><dd class="col-6 col-md-3">{or_dash(&a.users)}</dd>
            <dt class="col-6 col-md-3">{move || t("CPU (core)")}</dt><dd class="col-6 col-md-3">{or_dash(&a.cpu_cores)}</dd>
            <dt class="col-6 col-md-3">{move || t("Memoria (GB)")}</dt><dd class="col-6 col-md-3">{or_dash(&a.memory_gb)}</dd>
            <dt class="col-6 col-md-3">{move || t("Spazio disco (GB)")}</dt><dd class="col-6 col-md-3">{or_dash(&a.storage_gb)}</dd>
            <dt class="col-6 col-md-3">{move || t("Destinazione")}</dt><dd class="col-6 col-md-3">{or_dash(&a.destination)}</dd>
            <dt class="col-6 col-md-3">{move || t("Attivazione del fornitore")}</dt><dd class="col-6 col-md-3">{date_or_dash(&a.provider_activated_on)}</dd>
            <dt class="col-6 col-md-3">{move || t("Inizio della migrazione")}</dt><dd class="col-6 col-md-3">{date_or_dash(&a.migration_started_on)}</dd>
            <dt class="col-6 col-md-3">{move || t("Messa in esercizio")}</dt><dd class="col-6 col-md-3">{date_or_dash(&a.go_live_on)}</dd>
        </dl>
    }
}

/// A text or number field of the questionnaire, bound to `value`.
#[component]
pub(crate) fn Field(
    id: String,
    label: &'static str,
    names: &'static [&'static str],
    value: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
    #[prop(optional)] kind: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-errore");
    let invalid = blames(error.into(), names);
    view! {
        <div class="col-12 col-md-4">
            <div class="form-group mb-2">
                <label for=id.clone() class="active">{move || t(label)}</label>
                <input
                    id=id.clone()
                    class="form-control"
                    class:is-invalid=move || invalid.get()
                    type=if kind.is_empty() { "text" } else { kind }
                    prop:value=move || value.get()
                    on:input=move |e| value.set(event_target_value(&e))
                    aria-invalid=move || invalid.get().to_string()
                    aria-describedby=error_id.clone()
                />
                <FieldError id=error_id names error=Signal::derive(move || error.get())/>
            </div>
        </div>
    }
}

fn number(field: &'static str, v: &str) -> Result<Option<i32>, ApiError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.replace('.', "")
        .parse()
        .map(Some)
        .map_err(|_| ApiError::invalid(field, "write a whole number"))
}

pub(crate) fn day(field: &'static str, v: &str) -> Result<Option<NaiveDate>, ApiError> {
    if v.trim().is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ApiError::invalid(field, "write the date as YYYY-MM-DD"))
}

fn text(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

#[component]
fn QuestionnaireForm(
    service_id: String,
    name: String,
    latest_version: i32,
    previous: Option<Assessment>,
    reload: Callback<()>,
) -> impl IntoView {
    let p = previous.unwrap_or(Assessment {
        version: 0,
        application_name: None,
        cpu_cores: None,
        memory_gb: None,
        storage_gb: None,
        users: None,
        destination: None,
        provider_activated_on: None,
        migration_started_on: None,
        go_live_on: None,
        submitted_at: String::new(),
    });
    let s = |v: &Option<String>| RwSignal::new(v.clone().unwrap_or_default());
    let n = |v: &Option<i32>| RwSignal::new(v.map(|x| x.to_string()).unwrap_or_default());
    let application = s(&p.application_name);
    let cpu = n(&p.cpu_cores);
    let memory = n(&p.memory_gb);
    let storage = n(&p.storage_gb);
    let users = n(&p.users);
    let destination = s(&p.destination);
    let activated = s(&p.provider_activated_on);
    let started = s(&p.migration_started_on);
    let live = s(&p.go_live_on);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // One key per form shown: a retried click does not add two versions.
    let key = format!(
        "assessment-{service_id}-{}-{}",
        latest_version,
        Utc::now().timestamp_millis()
    );
    let sid = service_id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = (|| -> Result<Questionnaire, ApiError> {
            Ok(Questionnaire {
                application_name: text(&application.get_untracked()),
                cpu_cores: number("cpuCores", &cpu.get_untracked())?,
                memory_gb: number("memoryGb", &memory.get_untracked())?,
                storage_gb: number("storageGb", &storage.get_untracked())?,
                users: number("users", &users.get_untracked())?,
                destination: text(&destination.get_untracked()),
                provider_activated_on: day("providerActivatedOn", &activated.get_untracked())?,
                migration_started_on: day("migrationStartedOn", &started.get_untracked())?,
                go_live_on: day("goLiveOn", &live.get_untracked())?,
            })
        })();
        let q = match parsed.and_then(|q| {
            q.check(Utc::now().date_naive())
                .map_err(|e| ApiError::invalid(e.field, e.message))
                .map(|()| q)
        }) {
            Ok(q) => q,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        let mut input = serde_json::to_value(&q).unwrap_or_else(|_| json!({}));
        input["serviceId"] = json!(sid.clone());
        input["latestVersion"] = json!(latest_version);
        input["idempotencyKey"] = json!(key.clone());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = api::query::<serde_json::Value>(SUBMIT, json!({ "input": input })).await;
            busy.set(false);
            match r {
                Ok(_) => {
                    error.set(None);
                    reload.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let f = |suffix: &str| format!("q-{service_id}-{suffix}");
    let unblamed = move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| {
                    !e.field().is_some_and(|f| {
                        [
                            "applicationName",
                            "cpuCores",
                            "memoryGb",
                            "storageGb",
                            "users",
                            "destination",
                            "providerActivatedOn",
                            "migrationStartedOn",
                            "goLiveOn",
                        ]
                        .contains(&f)
                    })
                })
                .cloned()
        })
    };
    view! {
        <form class="border rounded p-3 my-3" on:submit=submit novalidate aria-label=tf("Questionario di {}", &[&name])>
            <p class="fw-semibold mb-4">{move || t("Nuova versione del questionario")}</p>
            <div class="row gx-2 gy-4">
                <Field id=f("app") label="Applicativo" names=&["applicationName"] value=application error/>
                <Field id=f("users") label="Utenti" names=&["users"] value=users error kind="number"/>
                <Field id=f("dest") label="Destinazione" names=&["destination"] value=destination error/>
                <Field id=f("cpu") label="CPU (core)" names=&["cpuCores"] value=cpu error kind="number"/>
                <Field id=f("mem") label="Memoria (GB)" names=&["memoryGb"] value=memory error kind="number"/>
                <Field id=f("disk") label="Spazio disco (GB)" names=&["storageGb"] value=storage error kind="number"/>
                <Field id=f("active") label="Attivazione del fornitore" names=&["providerActivatedOn"] value=activated error kind="date"/>
                <Field id=f("start") label="Inizio della migrazione" names=&["migrationStartedOn"] value=started error kind="date"/>
                <Field id=f("live") label="Messa in esercizio" names=&["goLiveOn"] value=live error kind="date"/>
            </div>
            <button type="submit" class="btn btn-primary mt-2" disabled=move || busy.get()>
                {move || t("Salva il questionario")}
            </button>
            {move || unblamed().map(|e| view! { <div class="mt-2"><ErrorAlert error=e/></div> })}
        </form>
    }
}

#[component]
fn CutoverForm(
    service_id: String,
    version: i32,
    name: String,
    reload: Callback<()>,
) -> impl IntoView {
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let sid = service_id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(s), Some(e)) = (
            parse_local(&start.get_untracked()),
            parse_local(&end.get_untracked()),
        ) else {
            let field = if parse_local(&start.get_untracked()).is_none() {
                "start"
            } else {
                "end"
            };
            error.set(Some(ApiError::invalid(field, "give a date and time")));
            return;
        };
        let window = CutoverWindow { start: s, end: e };
        if let Err(e) = window.check(Utc::now()) {
            error.set(Some(ApiError::invalid(e.field, e.message)));
            return;
        }
        let input = json!({ "id": sid.clone(), "version": version, "start": s.to_rfc3339(), "end": e.to_rfc3339() });
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = api::query::<serde_json::Value>(SCHEDULE, json!({ "input": input })).await;
            busy.set(false);
            match r {
                Ok(_) => {
                    error.set(None);
                    reload.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let unblamed = move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| !e.field().is_some_and(|f| f == "start" || f == "end"))
                .cloned()
        })
    };
    view! {
        <form class="border rounded p-3 my-3" on:submit=submit novalidate aria-label=tf("Finestra di cut-over di {}", &[&name])>
            <div class="row gx-2 gy-4 mt-2">
                <Field id=format!("c-{service_id}-start") label="Inizio del fermo" names=&["start"] value=start error kind="datetime-local"/>
                <Field id=format!("c-{service_id}-end") label="Fine del fermo" names=&["end"] value=end error kind="datetime-local"/>
            </div>
            <button type="submit" class="btn btn-primary mt-2" disabled=move || busy.get()>
                {move || t("Pianifica il cut-over")}
            </button>
            {move || unblamed().map(|e| view! { <div class="mt-2"><ErrorAlert error=e/></div> })}
        </form>
    }
}
