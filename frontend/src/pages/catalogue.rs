//! The department's keeping of the rules others work under:
//!
//! - `/dipartimento/fornitori`: the national catalogue of qualified suppliers and their
//!   offerings (expiry, PSN, service model, highest data class), with the forms that
//!   qualify a supplier and an offering. The browser checks them with the server's own
//!   rules (`VatNumber::parse`, `OfferingQualification::check`, `check_deployment`);
//!   the server's refusals show next to the field they blame.
//! - `/dipartimento/avvisi`: the deadline terms of every call, edited with the version
//!   read (a stale one gets CONFLICT, said in words); terms checked by `Term::parse`;
//!   and the days before each deadline at which reminders go (`setCallReminders`),
//!   checked by `ReminderSchedule::new`.
//!
//! The answers are read field by field from JSON (no derived decoder per type: the
//! front end has a size budget), through the department's shared `fetch`/`send`.

use chrono::{Months, NaiveDate, Utc};
use leptos::prelude::*;
use nuvola_shared::cloud::{
    check_deployment, check_supplier_until, OfferingQualification, DEPLOYMENT_MODELS,
};
use nuvola_shared::deadline::check_hard_cap;
use nuvola_shared::notify::{ReminderSchedule, MAX_REMINDERS, MAX_REMINDER_DAYS};
use nuvola_shared::{DataClass, ServiceModel, Term, VatNumber};
use serde_json::{json, Value};

use super::administration::SelectField;
use super::service::{day, Field};
use super::verifier::{fetch, send};
use super::{Breadcrumb, Empty, ErrorAlert, Loading};
use crate::api::ApiError;
use crate::format;
use crate::i18n::{self, t, tf, tx};

const SUPPLIERS: &str = "query Suppliers { suppliers { vatNumber name isPsn qualifiedUntil \
    offerings { code name serviceModel deploymentModel maxDataClass qualifiedOn qualifiedUntil } } }";
const QUALIFY_SUPPLIER: &str = "mutation QualifySupplier($input: SupplierInput!) { qualifySupplier(input: $input) { vatNumber } }";
const QUALIFY_OFFERING: &str =
    "mutation QualifyOffering($input: OfferingInput!) { qualifyOffering(input: $input) { code } }";
const CALLS: &str = "query CallTerms { calls { title targetTypes contractTerm completionTerm completionFrom hardCap version applications reminderDays } }";
const SET_TERMS: &str =
    "mutation SetTerms($input: CallTermsInput!) { setCallTerms(input: $input) { version } }";
const SET_REMINDERS: &str = "mutation SetCallReminders($title: String!, $days: [Int!]!) { setCallReminders(title: $title, days: $days) { reminderDays } }";
const TERMS_IMPACT: &str = "query TermsImpact($input: CallTermsInput!) { callTermsImpact(input: $input) { projects changingDeadline } }";

/// A string field of a JSON answer ("" when absent).
fn s(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

/// A date field of a JSON answer in Italian, or a dash.
fn d(v: &Value, key: &str) -> String {
    v[key].as_str().map_or_else(|| "—".to_owned(), format::date)
}

/// A date field with "(scaduta)" when it is past.
fn until(v: &Value, key: &str) -> String {
    let today = Utc::now().date_naive().to_string();
    match v[key].as_str() {
        Some(day) if *day < *today.as_str() => format!("{} ({})", format::date(day), t("scaduta")),
        _ => d(v, key),
    }
}

/// A date field of a JSON answer, parsed (none when absent or unreadable).
fn date_of(v: &Value, key: &str) -> Option<NaiveDate> {
    v[key]
        .as_str()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// Each supplier of the catalogue with the end of its qualification, by VAT number.
fn qualification_ends(suppliers: &[Value]) -> Vec<(String, Option<NaiveDate>)> {
    suppliers
        .iter()
        .map(|x| (s(x, "vatNumber"), date_of(x, "qualifiedUntil")))
        .collect()
}

/// A call's term ("9 months", as stored) in the reader's language ("9 mesi"); the
/// form reads it back with `Term::parse`, which knows both.
fn term(v: &Value, key: &str) -> Option<String> {
    v[key].as_str().map(format::term)
}

/// The page's frame: breadcrumb, title, lead, the notice of the last change, and the
/// data loaded by `document`, shown by `body`.
fn page(
    title: &'static str,
    lead: &'static str,
    document: &'static str,
    body: fn(Value, Callback<&'static str>) -> AnyView,
) -> impl IntoView {
    let data = LocalResource::new(move || fetch(document, None));
    let notice = RwSignal::new(None::<&'static str>);
    let reload = Callback::new(move |message: &'static str| {
        notice.set(Some(message));
        data.refetch();
    });
    view! {
        <div class="container my-4">
            <Breadcrumb
                links=vec![("Cruscotto nazionale", "/dipartimento".to_owned())]
                here=Signal::derive(move || t(title).to_owned())
            />
            <h1>{tx(title)}</h1>
            <p class="lead">{tx(lead)}</p>
            <div role="status">
                {move || notice.get().map(|n| view! { <p class="alert alert-success">{tx(n)}</p> })}
            </div>
            <Transition fallback=|| view! { <Loading what="Caricamento…"/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        // Untracked: a switch of language must not draw the page again (it
                        // would close an open form and lose what was typed); each text that
                        // depends on the language is a closure of its own.
                        Ok(v) => untrack(move || body(v, reload)),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// `/dipartimento/fornitori`.
#[component]
pub fn DepartmentSuppliers() -> impl IntoView {
    page(
        "Fornitori qualificati",
        "Il catalogo nazionale dei servizi cloud qualificati: i fornitori, il PSN e le loro offerte, con la scadenza della qualificazione.",
        SUPPLIERS,
        |v, reload| {
            let suppliers = v["suppliers"].as_array().cloned().unwrap_or_default();
            view! {
                <SupplierList suppliers=suppliers.clone()/>
                <SupplierForm known=qualification_ends(&suppliers) reload/>
                <OfferingForm suppliers reload/>
            }
            .into_any()
        },
    )
}

#[component]
fn SupplierList(suppliers: Vec<Value>) -> impl IntoView {
    if suppliers.is_empty() {
        return view! { <Empty what="Nessun fornitore qualificato."/> }.into_any();
    }
    view! {
        <section aria-labelledby="catalogo" class="mt-4">
            <h2 id="catalogo" class="h3">{tx("Fornitori e offerte")}</h2>
            {suppliers.into_iter().map(|sup| {
                let offerings = sup["offerings"].as_array().cloned().unwrap_or_default();
                let name = s(&sup, "name");
                view! {
                    <article class="card card-bg shadow-sm p-3 mb-3" data-testid="fornitore">
                        <h3 class="h5 mb-1">
                            {name.clone()}
                            {sup["isPsn"].as_bool().unwrap_or(false).then(|| view! { " " <span class="badge bg-primary">"PSN"</span> })}
                        </h3>
                        <p class="small text-muted mb-2">
                            "P.IVA " <span class="font-monospace">{s(&sup, "vatNumber")}</span> " · "
                            {tx("qualificato fino al")} " " {let sup = sup.clone(); move || until(&sup, "qualifiedUntil")}
                        </p>
                        {if offerings.is_empty() {
                            view! { <p class="mb-0 text-muted">{tx("Nessuna offerta qualificata.")}</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-responsive">
                                    <table class="table table-sm align-middle mb-0 table-stack">
                                        <caption class="visually-hidden">{move || tf("Offerte di {}", &[&name])}</caption>
                                        <thead><tr>
                                            <th scope="col">{tx("Codice")}</th>
                                            <th scope="col">{tx("Offerta")}</th>
                                            <th scope="col">{tx("Modello di servizio")}</th>
                                            <th scope="col">{tx("Modello di rilascio")}</th>
                                            <th scope="col">{tx("Classe massima dei dati")}</th>
                                            <th scope="col">{tx("Qualificata dal")}</th>
                                            <th scope="col">{tx("Qualificata fino al")}</th>
                                        </tr></thead>
                                        <tbody>
                                            {offerings.into_iter().map(|o| {
                                                let (model, deployment, class) = (s(&o, "serviceModel"), s(&o, "deploymentModel"), s(&o, "maxDataClass"));
                                                let row = o.clone();
                                                view! {
                                                    <tr>
                                                        <td class="font-monospace small" data-label=move || t("Codice")>{s(&o, "code")}</td>
                                                        <th scope="row">{s(&o, "name")}</th>
                                                        <td data-label=move || t("Modello di servizio")>{move || i18n::model_label(&model)}</td>
                                                        <td data-label=move || t("Modello di rilascio")>{move || deployment_label(&deployment)}</td>
                                                        <td data-label=move || t("Classe massima dei dati")>{move || i18n::data_class_label(&class)}</td>
                                                        <td data-label=move || t("Qualificata dal")>{d(&o, "qualifiedOn")}</td>
                                                        <td data-label=move || t("Qualificata fino al")>{move || until(&row, "qualifiedUntil")}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }}
                    </article>
                }
            }).collect_view()}
        </section>
    }
    .into_any()
}

fn deployment_label(code: &str) -> &'static str {
    t(match code {
        "PUBLIC" => "Cloud pubblico",
        "PRIVATE" => "Cloud privato",
        "HYBRID" => "Cloud ibrido",
        "PSN" => "PSN",
        _ => "—",
    })
}

/// The fields a form's general alert leaves to the lines under each field.
fn general(
    error: RwSignal<Option<ApiError>>,
    fields: &'static [&'static str],
) -> impl Fn() -> Option<AnyView> {
    move || {
        error
            .get()
            .filter(|e| !e.field().is_some_and(|f| fields.contains(&f)))
            .map(|e| view! { <div class="mb-5"><ErrorAlert error=e/></div> }.into_any())
    }
}

/// Qualifies a new supplier or changes one (`known`: the catalogue's suppliers and the
/// end of their qualification, for `check_supplier_until`).
#[component]
fn SupplierForm(
    known: Vec<(String, Option<NaiveDate>)>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    let vat = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let psn = RwSignal::new(false);
    let end = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked = (|| {
            let vat = VatNumber::parse(&vat.get_untracked())
                .map_err(|e| ApiError::invalid("vatNumber", e.to_string()))?;
            let name = name.get_untracked().trim().to_owned();
            if !(2..=200).contains(&name.chars().count()) {
                return Err(ApiError::invalid(
                    "name",
                    "the name must have 2 to 200 characters",
                ));
            }
            let end = day("qualifiedUntil", &end.get_untracked())?;
            // The server's rule: not a day already past for a new supplier, at most 36
            // months; an existing one is withdrawn by ending it yesterday.
            let current = known
                .iter()
                .find(|(v, _)| v == vat.as_str())
                .map(|(_, until)| *until);
            check_supplier_until(end, current, Utc::now().date_naive())
                .map_err(|e| ApiError::invalid(e.field, e.message))?;
            Ok(
                json!({ "vatNumber": vat.as_str(), "name": name, "isPsn": psn.get_untracked(), "qualifiedUntil": end }),
            )
        })();
        match checked {
            Ok(input) => send(
                QUALIFY_SUPPLIER,
                json!({ "input": input }),
                pending,
                error,
                move || reload.run("Fornitore qualificato."),
            ),
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <form class="card card-bg shadow-sm p-4 mt-4" novalidate on:submit=submit aria-labelledby="nuovo-fornitore">
            <h2 id="nuovo-fornitore" class="h4 mb-5">{tx("Qualifica un fornitore")}</h2>
            {general(error, &["vatNumber", "name", "qualifiedUntil"])}
            <div class="row gy-4">
                <Field id="fornitore-piva".into() label="Partita IVA" names=&["vatNumber"] value=vat error/>
                <Field id="fornitore-nome".into() label="Ragione sociale" names=&["name"] value=name error/>
                <Field id="fornitore-scadenza".into() label="Qualificato fino al" names=&["qualifiedUntil"] value=end error kind="date"/>
            </div>
            <div class="form-check my-3">
                <input id="fornitore-psn" type="checkbox" prop:checked=move || psn.get()
                    on:change=move |ev| psn.set(event_target_checked(&ev))/>
                <label for="fornitore-psn">{tx("Polo Strategico Nazionale (PSN)")}</label>
            </div>
            <div>
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>{tx("Qualifica il fornitore")}</button>
            </div>
        </form>
    }
}

#[component]
fn OfferingForm(suppliers: Vec<Value>, reload: Callback<&'static str>) -> impl IntoView {
    let today = Utc::now().date_naive();
    let supplier = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let model = RwSignal::new(ServiceModel::Iaas.code().to_owned());
    let deployment = RwSignal::new(DEPLOYMENT_MODELS[0].to_owned());
    let class = RwSignal::new(DataClass::Ordinario.code().to_owned());
    let from = RwSignal::new(today.to_string());
    let to = RwSignal::new(
        today
            .checked_add_months(Months::new(36))
            .unwrap_or(today)
            .to_string(),
    );
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let options: Vec<(String, String)> = suppliers
        .iter()
        .map(|x| {
            (
                s(x, "vatNumber"),
                format!("{} · P.IVA {}", s(x, "name"), s(x, "vatNumber")),
            )
        })
        .collect();
    let psn_vats: Vec<String> = suppliers
        .iter()
        .filter(|x| x["isPsn"].as_bool().unwrap_or(false))
        .map(|x| s(x, "vatNumber"))
        .collect();
    let ends = qualification_ends(&suppliers);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let vat = supplier.get_untracked();
        let checked = (|| {
            VatNumber::parse(&vat).map_err(|e| ApiError::invalid("supplierVat", e.to_string()))?;
            let date = |field, v: RwSignal<String>| -> Result<NaiveDate, ApiError> {
                day(field, &v.get_untracked())?
                    .ok_or_else(|| ApiError::invalid(field, "write the date as YYYY-MM-DD"))
            };
            let q = OfferingQualification {
                code: code.get_untracked().trim().to_owned(),
                name: name.get_untracked().trim().to_owned(),
                service_model: ServiceModel::parse(&model.get_untracked())
                    .map_err(|e| ApiError::invalid("serviceModel", e.to_string()))?,
                max_data_class: DataClass::parse(&class.get_untracked())
                    .map_err(|e| ApiError::invalid("maxDataClass", e.to_string()))?,
                qualified_on: date("qualifiedOn", from)?,
                qualified_until: date("qualifiedUntil", to)?,
            };
            q.check()
                .map_err(|e| ApiError::invalid(e.field, e.message))?;
            let deploy = deployment.get_untracked();
            check_deployment(&deploy, psn_vats.contains(&vat))
                .map_err(|e| ApiError::invalid(e.field, e.message))?;
            // Not ended already, and not beyond the supplier's own qualification (said
            // with its date).
            let supplier_end = ends
                .iter()
                .find(|(v, _)| *v == vat)
                .and_then(|(_, until)| *until);
            q.check_on(today, supplier_end).map_err(|e| match supplier_end {
                Some(end) if q.qualified_until > end => ApiError::worded(
                    e.field,
                    "Il fornitore è qualificato fino al {}: l'offerta non può restare qualificata oltre quella data.",
                    &[&format::date(&end.to_string())],
                ),
                _ => ApiError::invalid(e.field, e.message),
            })?;
            Ok(json!({
                "supplierVat": vat, "code": q.code, "name": q.name,
                "serviceModel": q.service_model.code(), "deploymentModel": deploy,
                "maxDataClass": q.max_data_class.code(),
                "qualifiedOn": q.qualified_on, "qualifiedUntil": q.qualified_until,
            }))
        })();
        match checked {
            Ok(input) => send(
                QUALIFY_OFFERING,
                json!({ "input": input }),
                pending,
                error,
                move || reload.run("Offerta qualificata."),
            ),
            Err(e) => error.set(Some(e)),
        }
    };
    let error_signal: Signal<Option<ApiError>> = error.into();
    view! {
        <form class="card card-bg shadow-sm p-4 mt-4" novalidate on:submit=submit aria-labelledby="nuova-offerta">
            <h2 id="nuova-offerta" class="h4 mb-5">{tx("Qualifica un'offerta")}</h2>
            {general(error, &["supplierVat", "code", "name", "serviceModel", "deploymentModel", "maxDataClass", "qualifiedOn", "qualifiedUntil"])}
            <SelectField id="offerta-fornitore" label="Fornitore dell'offerta" any="(scegli)" value=supplier
                options=Signal::stored(options) names=&["supplierVat"] error=error_signal/>
            <div class="row gy-4">
                <Field id="offerta-codice".into() label="Codice dell'offerta" names=&["code"] value=code error/>
                <Field id="offerta-nome".into() label="Nome dell'offerta" names=&["name"] value=name error/>
                <div class="col-12 col-md-4">
                    <SelectField id="offerta-modello" label="Modello di servizio" value=model
                        options=Signal::derive(|| ServiceModel::ALL.iter().map(|m| (m.code().to_owned(), i18n::model_label(m.code()))).collect())
                        names=&["serviceModel"] error=error_signal/>
                </div>
                <div class="col-12 col-md-4">
                    <SelectField id="offerta-rilascio" label="Modello di rilascio" value=deployment
                        options=Signal::derive(|| DEPLOYMENT_MODELS.iter().map(|m| ((*m).to_owned(), deployment_label(m).to_owned())).collect())
                        names=&["deploymentModel"] error=error_signal/>
                </div>
                <div class="col-12 col-md-4">
                    <SelectField id="offerta-classe" label="Classe massima dei dati" value=class
                        options=Signal::derive(|| DataClass::ALL.iter().map(|c| (c.code().to_owned(), i18n::data_class_label(c.code()))).collect())
                        names=&["maxDataClass"] error=error_signal/>
                </div>
                <Field id="offerta-dal".into() label="Qualificata dal" names=&["qualifiedOn"] value=from error kind="date"/>
                <Field id="offerta-al".into() label="Qualificata fino al" names=&["qualifiedUntil"] value=to error kind="date"/>
            </div>
            <p class="small">{tx("Una qualificazione dura al massimo 36 mesi.")}</p>
            <div>
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>{tx("Qualifica l'offerta")}</button>
            </div>
        </form>
    }
}

/// `/dipartimento/avvisi`.
#[component]
pub fn DepartmentCalls() -> impl IntoView {
    page(
        "Termini degli avvisi",
        "Le scadenze di ogni avviso: il contratto con il fornitore, il completamento della migrazione e il termine ultimo. Le scadenze dei progetti seguono subito.",
        CALLS,
        |v, reload| {
            let calls = v["calls"].as_array().cloned().unwrap_or_default();
            if calls.is_empty() {
                return view! { <Empty what="Nessun avviso."/> }.into_any();
            }
            let editing = RwSignal::new(None::<Value>);
            view! {
                <div class="table-responsive">
                    <table class="table table-striped align-middle table-stack">
                        <caption class="visually-hidden">{tx("Termini degli avvisi")}</caption>
                        <thead><tr>
                            <th scope="col">{tx("Avviso")}</th>
                            <th scope="col">{tx("Contratto entro")}</th>
                            <th scope="col">{tx("Completamento entro")}</th>
                            <th scope="col">{tx("Termine ultimo")}</th>
                            <th scope="col">{tx("Promemoria")}</th>
                            <th scope="col">{tx("Versione")}</th>
                            <th scope="col"><span class="visually-hidden">{tx("Azioni")}</span></th>
                        </tr></thead>
                        <tbody>
                            {calls.into_iter().map(|c| {
                                let title = s(&c, "title");
                                let label = move || tf("Modifica i termini di {}", &[&title]);
                                let from = if s(&c, "completionFrom") == "FUNDING_DATE" { "dal finanziamento" } else { "dal contratto" };
                                let row = c.clone();
                                let (terms, count) = (c.clone(), format::count(c["applications"].as_i64().unwrap_or(0)));
                                let (terms2, cap) = (c.clone(), c["hardCap"].as_str().map(str::to_owned));
                                view! {
                                    <tr data-testid="avviso">
                                        <th scope="row">{s(&c, "title")}
                                            <span class="d-block small text-muted">{move || tf("{} progetti", &[&count])}</span>
                                        </th>
                                        <td data-label=move || t("Contratto entro")>{move || term(&terms, "contractTerm").unwrap_or_else(|| "—".to_owned())}</td>
                                        <td data-label=move || t("Completamento entro")>{move || match term(&terms2, "completionTerm") { Some(x) => format!("{x} {}", t(from)), None => "—".to_owned() }}</td>
                                        <td data-label=move || t("Termine ultimo")>{move || cap.as_deref().map_or_else(|| t("31/03/2026 (programma)").to_owned(), format::date)}</td>
                                        <td data-label=move || t("Promemoria") data-testid="promemoria">{reminders_text(&c)}</td>
                                        <td data-label=move || t("Versione")>{c["version"].as_i64().unwrap_or(0)}</td>
                                        <td class="text-end">
                                            <button type="button" class="btn btn-outline-primary btn-xs" aria-label=label.clone()
                                                on:click=move |_| editing.set(Some(row.clone()))>
                                                {tx("Modifica")}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {move || editing.get().map(|c| view! {
                    <TermsForm call=c.clone() editing reload/>
                    <RemindersForm call=c editing reload/>
                })}
            }
            .into_any()
        },
    )
}

/// The terms of one call. Saving is two steps: the server first says how many of the
/// call's projects would change their deadline (`callTermsImpact`, counted by the code
/// that applies the change), then the department confirms; a field changed after the
/// preview asks for a new one.
#[component]
fn TermsForm(
    call: Value,
    editing: RwSignal<Option<Value>>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    let title = s(&call, "title");
    let version = call["version"].as_i64().unwrap_or(0);
    let stored_cap = date_of(&call, "hardCap");
    let contract = RwSignal::new(term(&call, "contractTerm").unwrap_or_default());
    let completion = RwSignal::new(term(&call, "completionTerm").unwrap_or_default());
    let from = RwSignal::new(s(&call, "completionFrom"));
    let cap = RwSignal::new(s(&call, "hardCap"));
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    // The input the preview was made for, and what it said (projects owing a deadline,
    // those whose deadline changes).
    let preview = RwSignal::new(None::<(Value, i64, i64)>);
    let heading = {
        let title = title.clone();
        move || tf("Termini di «{}»", &[&title])
    };
    let checked = move || -> Result<Value, ApiError> {
        let term = |field: &'static str, v: RwSignal<String>| -> Result<Option<String>, ApiError> {
            let v = v.get_untracked();
            if v.trim().is_empty() {
                return Ok(None);
            }
            Term::parse(&v)
                .map(|t| Some(t.to_string()))
                .map_err(|e| ApiError::invalid(field, e.to_string()))
        };
        let hard_cap = day("hardCap", &cap.get_untracked())?;
        check_hard_cap(hard_cap, stored_cap, Utc::now().date_naive())
            .map_err(|e| ApiError::invalid("hardCap", e.to_string()))?;
        Ok(json!({
            "title": title, "version": version,
            "contractTerm": term("contractTerm", contract)?,
            "completionTerm": term("completionTerm", completion)?,
            "completionFrom": from.get_untracked(),
            "hardCap": hard_cap,
        }))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let input = match checked() {
            Ok(input) => input,
            Err(e) => {
                preview.set(None);
                error.set(Some(e));
                return;
            }
        };
        let confirmed =
            preview.with_untracked(|p| p.as_ref().is_some_and(|(seen, _, _)| *seen == input));
        if confirmed {
            send(
                SET_TERMS,
                json!({ "input": input }),
                pending,
                error,
                move || {
                    editing.set(None);
                    reload.run("Termini dell'avviso salvati.");
                },
            );
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            match crate::api::query_value(TERMS_IMPACT, json!({ "input": input.clone() })).await {
                Ok(v) => {
                    let impact = &v["callTermsImpact"];
                    error.set(None);
                    preview.set(Some((
                        input,
                        impact["projects"].as_i64().unwrap_or(0),
                        impact["changingDeadline"].as_i64().unwrap_or(0),
                    )));
                }
                Err(e) => {
                    preview.set(None);
                    error.set(Some(e));
                }
            }
            pending.set(false);
        });
    };
    // A field changed after the preview: the preview no longer describes the input.
    Effect::new(move |_| {
        contract.track();
        completion.track();
        from.track();
        cap.track();
        preview.set(None);
    });
    let error_signal: Signal<Option<ApiError>> = error.into();
    let impact = move || {
        preview.get().map(|(_, projects, changing)| {
            let sentence = match changing {
                0 => t("Nessun progetto cambia scadenza.").to_owned(),
                1 => t("1 progetto cambia scadenza.").to_owned(),
                n => tf("{} progetti cambiano scadenza.", &[&format::count(n)]),
            };
            view! {
                <div class="alert alert-warning" role="status">
                    <p class="fw-semibold mb-1" data-testid="impatto-termini">{sentence}</p>
                    <p class="mb-0 small">{tf("Su {} progetti dell'avviso con una scadenza in corso. Conferma per salvare i nuovi termini: le scadenze dei progetti cambiano subito.", &[&format::count(projects)])}</p>
                </div>
            }
        })
    };
    view! {
        <form class="card card-bg shadow-sm p-4 mt-4" novalidate on:submit=submit aria-labelledby="termini">
            <h2 id="termini" class="h4 mb-2">{heading}</h2>
            <p class="small mb-5">{move || tf("Versione letta: {}. Un termine si scrive in giorni o mesi, per esempio «6 mesi» o «120 giorni»; vuoto se l'avviso non lo fissa.", &[&version.to_string()])}</p>
            {general(error, &["contractTerm", "completionTerm", "hardCap"])}
            <div class="row gy-4">
                <Field id="termini-contratto".into() label="Contratto con il fornitore entro" names=&["contractTerm"] value=contract error/>
                <Field id="termini-completamento".into() label="Completamento entro" names=&["completionTerm"] value=completion error/>
                <div class="col-12 col-md-4">
                    <SelectField id="termini-decorrenza" label="Il completamento decorre" value=from
                        options=Signal::derive(|| vec![("CONTRACT_DATE".to_owned(), t("dal contratto").to_owned()), ("FUNDING_DATE".to_owned(), t("dal finanziamento").to_owned())])
                        names=&["completionFrom"] error=error_signal/>
                </div>
                <Field id="termini-ultimo".into() label="Termine ultimo dell'avviso" names=&["hardCap"] value=cap error kind="date"/>
            </div>
            <div aria-live="polite">{impact}</div>
            <div class="d-flex gap-2 flex-wrap">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {move || if preview.with(Option::is_some) { t("Conferma e salva i termini") } else { t("Salva i termini") }}
                </button>
                <button type="button" class="btn btn-outline-primary" on:click=move |_| editing.set(None)>{tx("Annulla")}</button>
            </div>
        </form>
    }
}

/// A call's reminder days as stored ("30, 7, 1"), said in the reader's language.
fn reminders_text(call: &Value) -> impl Fn() -> String {
    let days = reminder_days(call);
    move || {
        if days.is_empty() {
            t("nessuno").to_owned()
        } else {
            tf("{} giorni prima", &[&days])
        }
    }
}

/// A call's reminder days as the form shows them: "30, 7, 1".
fn reminder_days(call: &Value) -> String {
    call["reminderDays"]
        .as_array()
        .map(|days| {
            days.iter()
                .filter_map(Value::as_i64)
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// The days typed in the reminders field ("30, 7, 1"; empty: no reminders), checked by
/// `ReminderSchedule::new` (what the server checks), each refusal in words on `days`.
pub(crate) fn parse_reminder_days(text: &str) -> Result<Vec<i64>, ApiError> {
    let mut days = Vec::new();
    for part in text.split([',', ';', ' ']).filter(|p| !p.trim().is_empty()) {
        let part = part.trim();
        let Ok(day) = part.parse::<i64>() else {
            return Err(ApiError::worded(
                "days",
                "«{}» non è un numero di giorni: scrivi i giorni separati da virgole, per esempio «30, 7, 1».",
                &[part],
            ));
        };
        if !(1..=i64::from(MAX_REMINDER_DAYS)).contains(&day) {
            return Err(ApiError::worded(
                "days",
                "Ogni promemoria va da 1 a {} giorni prima della scadenza: {} non va bene.",
                &[&MAX_REMINDER_DAYS.to_string(), part],
            ));
        }
        if days.contains(&day) {
            return Err(ApiError::worded(
                "days",
                "Il giorno {} è ripetuto: scrivilo una volta sola.",
                &[part],
            ));
        }
        days.push(day);
    }
    if days.len() > MAX_REMINDERS {
        return Err(ApiError::worded(
            "days",
            "Al massimo {} promemoria per scadenza.",
            &[&MAX_REMINDERS.to_string()],
        ));
    }
    // The same rule the server applies; the checks above only word its refusals.
    ReminderSchedule::new(&days).map_err(|e| ApiError::invalid("days", e.to_string()))?;
    Ok(days)
}

/// The days before each deadline of the call (the supplier contract, the completion,
/// a verification request's due date) at which its administrations are reminded.
#[component]
fn RemindersForm(
    call: Value,
    editing: RwSignal<Option<Value>>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    let title = s(&call, "title");
    let days = RwSignal::new(reminder_days(&call));
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse_reminder_days(&days.get_untracked()) {
            Ok(list) => send(
                SET_REMINDERS,
                json!({ "title": title, "days": list }),
                pending,
                error,
                move || {
                    editing.set(None);
                    reload.run("Promemoria dell'avviso salvati.");
                },
            ),
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <form class="card card-bg shadow-sm p-4 mt-4" novalidate on:submit=submit aria-labelledby="promemoria">
            <h2 id="promemoria" class="h4 mb-2">{tx("Promemoria prima delle scadenze")}</h2>
            <p class="small mb-5">{move || tf("I giorni prima di ogni scadenza (contratto, completamento, risposta all'asseveratore) in cui le amministrazioni ricevono un promemoria, separati da virgole: da 1 a {} giorni, al massimo {}. Vuoto: nessun promemoria.", &[&MAX_REMINDER_DAYS.to_string(), &MAX_REMINDERS.to_string()])}</p>
            {general(error, &["days"])}
            <div class="row gy-4">
                <Field id="promemoria-giorni".into() label="Giorni prima della scadenza" names=&["days"] value=days error/>
            </div>
            <div class="d-flex gap-2 flex-wrap">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>{tx("Salva i promemoria")}</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_reminder_days;
    use crate::api::ApiError;

    fn refused(text: &str) -> (String, Vec<String>) {
        match parse_reminder_days(text) {
            Err(ApiError::Worded {
                field,
                sentence,
                args,
            }) => {
                assert_eq!(field, "days", "{text}");
                (sentence.to_owned(), args)
            }
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn reminder_days_are_read_from_what_a_person_types() {
        assert_eq!(parse_reminder_days("1, 7, 30").unwrap(), vec![1, 7, 30]);
        assert_eq!(parse_reminder_days(" 30,7 1 ").unwrap(), vec![30, 7, 1]);
        assert_eq!(parse_reminder_days("").unwrap(), Vec::<i64>::new());
    }

    #[test]
    fn zero_negatives_duplicates_words_and_too_many_are_refused_on_the_field() {
        assert!(refused("0")
            .0
            .starts_with("Ogni promemoria va da 1 a {} giorni"));
        assert_eq!(refused("30, -7").1, vec!["365".to_owned(), "-7".to_owned()]);
        assert_eq!(refused("366").1[1], "366");
        assert_eq!(
            refused("7, 30, 7").0,
            "Il giorno {} è ripetuto: scrivilo una volta sola."
        );
        assert!(refused("trenta")
            .0
            .starts_with("«{}» non è un numero di giorni"));
        assert_eq!(
            refused("1, 2, 3, 4, 5, 6, 7").0,
            "Al massimo {} promemoria per scadenza."
        );
    }
}
