//! A project's public page: the open data of one application, its call and the other
//! applications of the same body. Never the plan or documents (PUBLIC may not see them).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use nuvola_shared::ApplicationState;
use serde::Deserialize;
use serde_json::json;

use super::{Breadcrumb, ErrorAlert, Loading, StateBadge};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::t;

const PROJECT: &str = r#"query PublicProject($cup: String!) {
  application(cup: $cup) {
    cup amountEur state openDataState fundedOn submittedAt timeWindow protocolNumber decree
    administration { ipaCode name typeLabel region comune provincia
      applications { cup amountEur state fundedOn call { title } } }
    call { title measure opensOn closesOn budgetEur contractTerm completionTerm }
  }
}"#;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Data {
    application: Option<Project>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Project {
    cup: String,
    amount_eur: i64,
    state: ApplicationState,
    open_data_state: Option<String>,
    funded_on: Option<String>,
    submitted_at: Option<String>,
    time_window: Option<i64>,
    protocol_number: Option<i64>,
    decree: Option<String>,
    administration: Body,
    call: Call,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    ipa_code: String,
    name: String,
    type_label: String,
    region: String,
    comune: Option<String>,
    provincia: Option<String>,
    applications: Vec<Sibling>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sibling {
    cup: String,
    amount_eur: i64,
    state: ApplicationState,
    funded_on: Option<String>,
    call: super::administration::CallRef,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Call {
    title: String,
    measure: Option<String>,
    opens_on: Option<String>,
    closes_on: Option<String>,
    budget_eur: Option<f64>,
    contract_term: Option<String>,
    completion_term: Option<String>,
}

#[component]
pub fn PublicProject() -> impl IntoView {
    let params = use_params_map();
    let data = LocalResource::new(move || {
        let cup = params.with(|p| p.get("cup").unwrap_or_default());
        async move { api::query::<Data>(PROJECT, json!({ "cup": cup })).await }
    });
    view! {
        <div class="container my-4">
            <Transition fallback=|| view! { <Loading what="Caricamento del progetto…"/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(Data { application: Some(p) }) => view! { <ProjectView project=p/> }.into_any(),
                        Ok(_) => view! {
                            <Breadcrumb links=vec![("Dati aperti", "/".to_owned())] here=Signal::derive(|| t("Progetto").to_owned())/>
                            <ErrorAlert error=ApiError::Refused { code: "NOT_FOUND".into(), message: String::new(), field: None }/>
                        }.into_any(),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

fn or_dash(v: Option<String>) -> String {
    v.filter(|s| !s.is_empty())
        .unwrap_or_else(|| "—".to_owned())
}

#[component]
fn ProjectView(project: Project) -> impl IntoView {
    let body = project.administration.clone();
    let place = match (&body.comune, &body.provincia) {
        (Some(c), Some(p)) => format!("{c} ({p}), {}", body.region),
        (Some(c), None) => format!("{c}, {}", body.region),
        _ => body.region.clone(),
    };
    let others: Vec<Sibling> = body
        .applications
        .iter()
        .filter(|a| !(a.cup == project.cup && a.call.title == project.call.title))
        .cloned()
        .collect();
    let has_others = !others.is_empty();
    let csv = format!(
        "/api/export.csv?region={}",
        format::url_encode(&body.region)
    );
    view! {
        <Breadcrumb links=vec![("Dati aperti", "/".to_owned())] here=Signal::stored(project.cup.clone())/>
        <div class="d-flex flex-wrap align-items-center gap-2 mb-1">
            <StateBadge state=project.state/>
            <span class="font-monospace text-muted">{"CUP "}{project.cup.clone()}</span>
        </div>
        <h1 class="h2">{body.name.clone()}</h1>
        <p class="lead">{project.call.title.clone()}</p>
        <div class="row g-3 my-2">
            <div class="col-12 col-md-4">
                <div class="figure-card p-3 h-100">
                    <p class="figure-label mb-1">{move || t("Importo finanziato")}</p>
                    <p class="figure-value mb-0" data-testid="progetto-importo">{format::euros(project.amount_eur)}</p>
                </div>
            </div>
            <div class="col-12 col-md-4">
                <div class="figure-card p-3 h-100">
                    <p class="figure-label mb-1">{move || t("Finanziato il")}</p>
                    <p class="figure-value mb-0">{project.funded_on.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</p>
                </div>
            </div>
            <div class="col-12 col-md-4">
                <div class="figure-card p-3 h-100">
                    <p class="figure-label mb-1">{move || t("Stato nei dati aperti")}</p>
                    <p class="figure-value mb-0">{or_dash(project.open_data_state.clone())}</p>
                </div>
            </div>
        </div>
        <div class="row mt-4">
            <section class="col-12 col-lg-6" aria-labelledby="ente">
                <h2 id="ente" class="h4">{move || t("Ente")}</h2>
                <dl class="row">
                    <dt class="col-5">{move || t("Denominazione")}</dt><dd class="col-7">{body.name.clone()}</dd>
                    <dt class="col-5">{move || t("Tipo di ente")}</dt><dd class="col-7">{body.type_label.clone()}</dd>
                    <dt class="col-5">{move || t("Codice IPA")}</dt><dd class="col-7 font-monospace">{body.ipa_code.clone()}</dd>
                    <dt class="col-5">{move || t("Sede")}</dt><dd class="col-7">{place}</dd>
                </dl>
            </section>
            <section class="col-12 col-lg-6" aria-labelledby="avviso">
                <h2 id="avviso" class="h4">{move || t("Avviso")}</h2>
                <dl class="row">
                    <dt class="col-5">{move || t("Misura")}</dt><dd class="col-7">{or_dash(project.call.measure.clone())}</dd>
                    <dt class="col-5">{move || t("Apertura")}</dt><dd class="col-7">{project.call.opens_on.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</dd>
                    <dt class="col-5">{move || t("Chiusura")}</dt><dd class="col-7">{project.call.closes_on.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</dd>
                    <dt class="col-5">{move || t("Dotazione")}</dt><dd class="col-7">{project.call.budget_eur.map(format::euros_short).unwrap_or_else(|| "—".into())}</dd>
                    <dt class="col-5">{move || t("Termini")}</dt>
                    <dd class="col-7">
                        {let c = project.call.contract_term.clone(); move || or_dash(c.as_deref().map(|c| format!("{} {}", t("Contratto entro"), format::term(c))))}
                        {let c = project.call.completion_term.clone(); move || c.as_deref().map(|c| format!(" · {} {}", t("completamento entro"), format::term(c)))}
                    </dd>
                    <dt class="col-5">{move || t("Candidatura inviata il")}</dt><dd class="col-7">{project.submitted_at.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</dd>
                    <dt class="col-5">{move || t("Finestra temporale")}</dt><dd class="col-7">{project.time_window.map(|w| w.to_string()).unwrap_or_else(|| "—".into())}</dd>
                    <dt class="col-5">{move || t("Protocollo del decreto")}</dt><dd class="col-7">{or_dash(project.protocol_number.map(|p| p.to_string()).or(project.decree.clone()))}</dd>
                </dl>
            </section>
        </div>
        <Show when=move || has_others>
            <section aria-labelledby="altri" class="mt-4">
                <h2 id="altri" class="h4">{move || t("Altri progetti dello stesso ente")}</h2>
                <ul class="list-unstyled">
                    {others.clone().into_iter().map(|o| view! {
                        <li class="mb-2">
                            <a href=format!("/progetti/{}", o.cup) class="font-monospace">{o.cup.clone()}</a>
                            " · " {o.call.title.clone()} " · " {format::euros(o.amount_eur)} " "
                            <StateBadge state=o.state/>
                            {o.funded_on.as_deref().map(|d| format!(" · {}", format::date(d)))}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
        <p class="mt-4">
            <a class="btn btn-outline-primary btn-sm" href=csv download="candidature.csv">
                {move || t("Scarica CSV dei progetti della regione")}
            </a>
        </p>
    }
}
