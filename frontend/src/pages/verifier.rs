//! The verifier's (*asseveratore*) area: the projects assigned to it for verification.

use leptos::prelude::*;
use nuvola_shared::ApplicationState;
use serde::Deserialize;
use serde_json::json;

use super::administration::{CallRef, PlanTable, PlannedService};
use super::{Breadcrumb, Empty, ErrorAlert, Loading, StateBadge};
use crate::api;
use crate::format;
use crate::i18n::t;

const QUEUE: &str = r#"query Queue { myProjects { cup amountEur state
  administration { name region } call { title }
  plan { id name dataClass modality origin destination status supplier { vatNumber name } contractOn cutoverStart cutoverEnd version } } }"#;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    my_projects: Vec<Project>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Project {
    cup: String,
    amount_eur: i64,
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

#[component]
pub fn VerifierHome() -> impl IntoView {
    let data = LocalResource::new(|| api::query::<Data>(QUEUE, json!({})));
    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("Progetti da asseverare").to_owned())/>
            <h1>{move || t("Progetti da asseverare")}</h1>
            <p class="lead">{move || t("I progetti che il Dipartimento ti ha assegnato: per ciascuno il piano dei servizi da verificare.")}</p>
            <Transition fallback=|| view! { <Loading what="Caricamento dei progetti…"/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) if d.my_projects.is_empty() => view! { <Empty what="Nessun progetto ti è assegnato."/> }.into_any(),
                        Ok(d) => d.my_projects.into_iter().map(|p| view! {
                            <article class="card card-bg shadow-sm my-4">
                                <div class="card-body">
                                    <div class="d-flex gap-2 align-items-center mb-2">
                                        <StateBadge state=p.state/>
                                        <span class="font-monospace small">{p.cup.clone()}</span>
                                    </div>
                                    <h2 class="h4">{p.administration.name.clone()}</h2>
                                    <p class="text-muted">{p.call.title.clone()}" · "{p.administration.region.clone()}" · "{format::euros(p.amount_eur)}</p>
                                    <PlanTable plan=p.plan/>
                                </div>
                            </article>
                        }).collect_view().into_any(),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}
