//! Supplier contracts as a list (CIG, amount, date, document, the services covered, the
//! version and whether it was corrected, with every earlier version), shown to the
//! administration (which may correct one), the department and the supplier (its own).
//! A correction is checked in the browser with the server's own rules
//! (`shared::contract::ContractTerms`, `Reason`) and becomes a new version on the server.

use chrono::{NaiveDate, Utc};
use leptos::prelude::*;
use nuvola_shared::contract::ContractTerms;
use nuvola_shared::Reason;
use serde::Deserialize;
use serde_json::json;

use super::administration::SelectField;
use super::service::{day, Field};
use super::ErrorAlert;
use crate::api::ApiError;
use crate::format;
use crate::i18n::{t, tf, tx};

const CORRECT: &str = "mutation Correct($input: ContractCorrectionInput!) { correctContract(input: $input) { id version } }";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub id: String,
    pub version: i32,
    pub corrected: bool,
    pub cig: Option<String>,
    pub amount_eur: Option<i64>,
    pub contract_on: Option<String>,
    pub supplier: Option<Party>,
    pub document: Option<DocumentRef>,
    #[serde(default)]
    pub services: Vec<Named>,
    #[serde(default)]
    pub versions: Vec<Version>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Party {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRef {
    pub id: String,
    pub file_name: String,
    pub download_url: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Named {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub version: i32,
    pub cig: Option<String>,
    pub amount_eur: Option<i64>,
    pub contract_on: String,
    pub reason: Option<String>,
    pub recorded_at: String,
    pub recorded_by: Option<String>,
}

/// What the administration may correct with: the project's CONTRACT documents and
/// funding date, and what to do after a correction.
#[derive(Clone)]
pub struct Correcting {
    pub documents: Vec<(String, String)>,
    pub funded_on: Option<NaiveDate>,
    pub reload: Callback<&'static str>,
}

fn money(amount: Option<i64>) -> String {
    amount.map_or_else(|| "—".to_owned(), format::euros)
}

/// The contracts of a project as a table; with `correcting`, each has "Correggi".
#[component]
pub fn ContractList(
    contracts: Vec<Contract>,
    #[prop(optional)] correcting: Option<Correcting>,
) -> impl IntoView {
    if contracts.is_empty() {
        return view! { <p class="text-muted">{tx("Nessun contratto registrato.")}</p> }.into_any();
    }
    let editing = RwSignal::new(None::<Contract>);
    let can_correct = correcting.is_some();
    view! {
        <div class="table-responsive">
            <table class="table align-middle table-stack" data-testid="contratti">
                <caption class="visually-hidden">{tx("Contratti con i fornitori")}</caption>
                <thead><tr>
                    <th scope="col">{tx("Fornitore")}</th>
                    <th scope="col">{tx("CIG")}</th>
                    <th scope="col">{tx("Importo")}</th>
                    <th scope="col">{tx("Data del contratto")}</th>
                    <th scope="col">{tx("Documento")}</th>
                    <th scope="col">{tx("Versione")}</th>
                    {can_correct.then(|| view! { <th scope="col"><span class="visually-hidden">{tx("Azioni")}</span></th> })}
                </tr></thead>
                <tbody>
                    {contracts.into_iter().map(|c| {
                        let cig = c.cig.clone().unwrap_or_else(|| "—".to_owned());
                        let supplier = c.supplier.as_ref().map(|s| s.name.clone()).unwrap_or_default();
                        let services = c.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ");
                        let row = c.clone();
                        let label_cig = cig.clone();
                        let history = (c.versions.len() > 1).then(|| {
                            let versions = c.versions.clone();
                            view! {
                                <details class="small mt-1">
                                    <summary>{tx("Versioni precedenti")}</summary>
                                    <ol class="mb-0">
                                        {versions.into_iter().rev().skip(1).map(|v| view! {
                                            <li>
                                                {move || tf("Versione {}", &[&v.version.to_string()])}": "
                                                {v.cig.clone().unwrap_or_else(|| "—".into())}" · "{money(v.amount_eur)}" · "
                                                {format::date(&v.contract_on)}
                                                {v.recorded_by.clone().map(|by| format!(" · {by}"))}
                                            </li>
                                        }).collect_view()}
                                    </ol>
                                </details>
                            }
                        });
                        let current = c.versions.iter().find(|v| v.version == c.version).cloned();
                        view! {
                            <tr data-testid="contratto">
                                <th scope="row">{supplier}<span class="d-block small text-muted">{services}</span></th>
                                <td class="font-monospace" data-label=move || t("CIG")>{cig}</td>
                                <td data-label=move || t("Importo")>{money(c.amount_eur)}</td>
                                <td data-label=move || t("Data del contratto")>{c.contract_on.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</td>
                                <td data-label=move || t("Documento")>{match c.document.clone() {
                                    Some(d) => view! { <a href=d.download_url download=d.file_name.clone()>{d.file_name.clone()}</a> }.into_any(),
                                    None => "—".into_any(),
                                }}</td>
                                <td data-label=move || t("Versione")>
                                    {c.version}
                                    {c.corrected.then(|| {
                                        let current = current.clone();
                                        view! {
                                            <span class="badge bg-warning text-dark ms-1">{tx("corretto")}</span>
                                            {current.map(|v| view! {
                                                <span class="d-block small text-muted">
                                                    {move || tf("il {}", &[&format::date(&v.recorded_at)])}
                                                    {v.reason.clone().map(|r| format!(": «{r}»"))}
                                                </span>
                                            })}
                                        }
                                    })}
                                    {history}
                                </td>
                                {can_correct.then(|| view! {
                                    <td class="text-lg-end">
                                        <button type="button" class="btn btn-outline-primary btn-xs"
                                            aria-label=move || tf("Correggi il contratto {}", &[&label_cig])
                                            on:click=move |_| editing.set(Some(row.clone()))>
                                            {tx("Correggi")}
                                        </button>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {move || {
            let correcting = correcting.clone()?;
            editing.get().map(|c| view! { <CorrectionForm contract=c correcting editing/> })
        }}
    }
    .into_any()
}

/// Corrects one contract: every field starts from the current version; a reason is
/// required.
#[component]
fn CorrectionForm(
    contract: Contract,
    correcting: Correcting,
    editing: RwSignal<Option<Contract>>,
) -> impl IntoView {
    let cig = RwSignal::new(contract.cig.clone().unwrap_or_default());
    let amount = RwSignal::new(
        contract
            .amount_eur
            .map(|a| a.to_string())
            .unwrap_or_default(),
    );
    let on = RwSignal::new(contract.contract_on.clone().unwrap_or_default());
    let document = RwSignal::new(
        contract
            .document
            .as_ref()
            .map(|d| d.id.clone())
            .unwrap_or_default(),
    );
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let (id, version) = (contract.id.clone(), contract.version);
    let funded_on = correcting.funded_on;
    let reload = correcting.reload;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked = (|| {
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
            let signed_on = day("contractOn", &on.get_untracked())?
                .ok_or_else(|| ApiError::invalid("contractOn", "invalid date"))?;
            let terms = ContractTerms::check(
                &cig.get_untracked(),
                amount_eur,
                signed_on,
                funded_on,
                Utc::now().date_naive(),
            )
            .map_err(|e| ApiError::invalid(e.field, e.message))?;
            let why = Reason::parse(&reason.get_untracked())
                .map_err(|e| ApiError::invalid("reason", e.to_string()))?;
            let doc = document.get_untracked();
            Ok::<_, ApiError>(json!({
                "id": id, "version": version, "cig": terms.cig.as_str(), "amountEur": terms.amount.value(),
                "contractOn": terms.signed_on, "documentId": (!doc.is_empty()).then_some(doc),
                "reason": why.as_str(),
            }))
        })();
        match checked {
            Ok(input) => super::verifier::send(
                CORRECT,
                json!({ "input": input }),
                pending,
                error,
                move || {
                    editing.set(None);
                    reload.run("Contratto corretto: la versione precedente resta nello storico.");
                },
            ),
            Err(e) => error.set(Some(e)),
        }
    };
    let error_signal: Signal<Option<ApiError>> = error.into();
    let fields = ["cig", "amountEur", "contractOn", "documentId", "reason"];
    let general = move || {
        error
            .get()
            .filter(|e| !e.field().is_some_and(|f| fields.contains(&f)))
            .map(|e| view! { <ErrorAlert error=e/> })
    };
    let heading = tf(
        "Correggi il contratto con {}",
        &[&contract
            .supplier
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default()],
    );
    view! {
        <form class="card card-bg shadow-sm p-4 mt-3" novalidate on:submit=submit aria-labelledby="correzione-contratto">
            <h3 id="correzione-contratto" class="h5 mb-2">{heading}</h3>
            <p class="small mb-4">{move || tf("Versione letta: {}. La correzione diventa una nuova versione; la precedente resta nello storico del contratto.", &[&version.to_string()])}</p>
            {general}
            <div class="row gy-3">
                <Field id="correzione-cig".into() label="CIG corretto" names=&["cig"] value=cig error/>
                <Field id="correzione-importo".into() label="Importo corretto (euro)" names=&["amountEur"] value=amount error/>
                <Field id="correzione-data".into() label="Data corretta del contratto" names=&["contractOn"] value=on error kind="date"/>
            </div>
            <SelectField id="correzione-documento" label="Documento corretto del contratto" any="(nessuno)" value=document
                options=Signal::stored(correcting.documents.clone()) names=&["documentId"] error=error_signal/>
            <div class="form-group">
                <label for="correzione-motivo" class="active">{tx("Motivo della correzione")}</label>
                <textarea id="correzione-motivo" class="form-control" rows="2"
                    class:is-invalid=move || error.with(|e| e.as_ref().and_then(ApiError::field) == Some("reason"))
                    aria-describedby="correzione-motivo-errore"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                <super::FieldError id="correzione-motivo-errore" names=&["reason"] error=error_signal/>
            </div>
            <div class="d-flex gap-2 flex-wrap">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>{tx("Salva la correzione")}</button>
                <button type="button" class="btn btn-outline-primary" on:click=move |_| editing.set(None)>{tx("Annulla")}</button>
            </div>
        </form>
    }
}
