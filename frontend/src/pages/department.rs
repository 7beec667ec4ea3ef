//! The department's page of one project (`/dipartimento/progetti/:cup`): its state,
//! deadlines and plan, and the department's moves offered from `shared::state`:
//! assigning a verifier to a completed project, paying a payment request, decreeing the
//! renunciation an administration asked for, revoking the funding with its reason; each
//! irreversible one asks to confirm.

use leptos::prelude::*;
use nuvola_shared::state::ProjectAction;
use nuvola_shared::{ApplicationState, Reason, Role, VerificationOutcome};
use serde::Deserialize;
use serde_json::{json, Value};

use super::administration::{CallRef, PlanTable, PlannedService, RenunciationRequest};
use super::verifier::{project_page, send, Body};
use super::{
    blames, Breadcrumb, ConfirmStep, DeadlineText, ErrorAlert, FieldError, NextDeadline, StateBadge,
};
use crate::api::ApiError;
use crate::format;
use crate::i18n::{tf, tx};

const PROJECT: &str = r#"query DepartmentProject($cup: String!) { application(cup: $cup) {
  cup amountEur state version stateReason verificationOutcome fundedOn renunciationRequest { requestedAt reason }
  administration { name region } call { title }
  nextDeadline { kind dueOn daysLeft } progressReportedAt
  overdue { kind since dueOn daysLate }
  plan { id name dataClass modality origin destination status offering { code name supplierName } supplier { vatNumber name } contractOn cutoverStart cutoverEnd version }
  contracts { id version corrected cig amountEur contractOn supplier { vatNumber name } document { id fileName downloadUrl }
    services { id name } versions { version cig amountEur contractOn reason recordedAt recordedBy } }
} }"#;
const ASSIGN: &str = "mutation Assign($project: ProjectVersionInput!, $verifier: String!) { assignVerifier(project: $project, verifier: $verifier) { state } }";
const PAY: &str =
    "mutation Pay($project: ProjectVersionInput!) { pay(project: $project) { state } }";
const DECREE: &str = "mutation Decree($project: ProjectVersionInput!) { decreeRenunciation(project: $project) { state } }";
const REVOKE: &str = "mutation Revoke($project: ProjectVersionInput!, $reason: String!) { revoke(project: $project, reason: $reason) { state } }";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Project {
    cup: String,
    amount_eur: i64,
    state: ApplicationState,
    version: i32,
    state_reason: Option<String>,
    verification_outcome: Option<VerificationOutcome>,
    renunciation_request: Option<RenunciationRequest>,
    funded_on: Option<String>,
    administration: Body,
    call: CallRef,
    next_deadline: Option<NextDeadline>,
    /// Null while the project has never reported progress in Nuvola.
    progress_reported_at: Option<String>,
    overdue: Option<OverdueMark>,
    plan: Vec<PlannedService>,
    #[serde(default)]
    contracts: Vec<super::contracts::Contract>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OverdueMark {
    kind: String,
    since: String,
    due_on: String,
    days_late: i64,
}

#[component]
pub fn DepartmentProject() -> impl IntoView {
    project_page(PROJECT, |project: Project, notice, reload| {
        view! { <ProjectView project notice reload/> }.into_any()
    })
}

#[component]
fn ProjectView(
    project: Project,
    notice: RwSignal<Option<&'static str>>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    let name = project.administration.name.clone();
    let outcome = project.verification_outcome;
    view! {
        <Breadcrumb
            links=vec![("Cruscotto nazionale", "/dipartimento".to_owned())]
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
        <dl class="row">
            <dt class="col-sm-4">{tx("Data del decreto")}</dt>
            <dd class="col-sm-8">{project.funded_on.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</dd>
            <dt class="col-sm-4">{tx("Prossima scadenza")}</dt>
            <dd class="col-sm-8"><DeadlineText deadline=project.next_deadline.clone() unreported=project.progress_reported_at.is_none()/></dd>
            {project.overdue.clone().map(|o| {
                let kind = if o.kind == "CONTRACT" { "Contratto con il fornitore" } else { "Completamento della migrazione" };
                if project.progress_reported_at.is_none() {
                    return view! {
                        <dt class="col-sm-4">{tx("Avanzamento")}</dt>
                        <dd class="col-sm-8 fw-semibold" data-testid="avanzamento-non-comunicato">
                            {tx("Non comunicato in Nuvola")}" · "{tx(kind)}": "{format::date(&o.due_on)}
                            <span class="d-block fw-normal small text-body-secondary">
                                {tx("La scadenza è passata secondo le regole dell'avviso, ma l'ente non ha mai comunicato l'avanzamento in Nuvola: non si sa se sia in ritardo.")}
                            </span>
                        </dd>
                    }.into_any();
                }
                view! {
                    <dt class="col-sm-4">{tx("Scadenza superata")}</dt>
                    <dd class="col-sm-8 text-danger fw-semibold" data-testid="ritardo">
                        {tx(kind)}": "{format::date(&o.due_on)}" · "
                        {move || tf("{} giorni di ritardo (dal {})", &[&format::count(o.days_late), &format::date(&o.since)])}
                    </dd>
                }.into_any()
            })}
            {outcome.map(|o| view! {
                <dt class="col-sm-4">{tx("Esito registrato")}</dt>
                <dd class="col-sm-8">{tx(o.label_it())}</dd>
            })}
        </dl>
        {project.state_reason.clone().map(|r| view! {
            <div class="alert alert-warning" role="status">
                <span class="fw-semibold">{tx("Motivo")}": "</span>{r}
            </div>
        })}

        <DepartmentActions
            cup=project.cup.clone()
            call_title=project.call.title.clone()
            state=project.state
            version=project.version
            renunciation=project.renunciation_request.clone()
            reload
        />

        <section aria-labelledby="piano" class="mt-5">
            <h2 id="piano" class="h3">{tx("Piano di migrazione")}</h2>
            {if project.plan.is_empty() {
                view! { <super::Empty what="Il piano di migrazione è vuoto."/> }.into_any()
            } else {
                view! { <PlanTable plan=project.plan.clone()/> }.into_any()
            }}
        </section>
        <section aria-labelledby="contratti" class="mt-5">
            <h2 id="contratti" class="h3">{tx("Contratti con i fornitori")}</h2>
            <super::contracts::ContractList contracts=project.contracts.clone()/>
        </section>
    }
}

/// The department's moves from the project's state, as `shared::state` allows them.
#[component]
fn DepartmentActions(
    cup: String,
    call_title: String,
    state: ApplicationState,
    version: i32,
    renunciation: Option<RenunciationRequest>,
    reload: Callback<&'static str>,
) -> impl IntoView {
    let allowed: Vec<ProjectAction> = state
        .transitions(renunciation.is_some())
        .into_iter()
        .filter(|tr| tr.by.contains(&Role::Department))
        .map(|tr| tr.action)
        .collect();
    if allowed.is_empty() {
        return ().into_any();
    }
    let project = json!({ "cup": cup, "callTitle": call_title, "version": version });
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let error_signal: Signal<Option<ApiError>> = error.into();
    let run = move |document: &'static str, variables: Value, done: &'static str| {
        send(document, variables, pending, error, move || {
            reload.run(done)
        });
    };

    let assign = allowed.contains(&ProjectAction::StartVerification).then(|| {
        let project = project.clone();
        let verifier = RwSignal::new(String::new());
        let invalid = blames(error_signal, &["verifier"]);
        view! {
            <form class="card card-bg shadow-sm p-4 mb-3" novalidate on:submit=move |ev| {
                ev.prevent_default();
                let who = verifier.get_untracked().trim().to_owned();
                if who.is_empty() {
                    error.set(Some(ApiError::invalid("verifier", "give the verifier's username")));
                    return;
                }
                run(ASSIGN, json!({ "project": project.clone(), "verifier": who }), "Asseveratore assegnato: il progetto è in verifica.");
            }>
                <h3 class="h5 mb-5">{tx("Assegna un asseveratore")}</h3>
                <div class="form-group">
                    <label for="asseveratore-utente" class="active">{tx("Nome utente dell'asseveratore")}</label>
                    <input type="text" id="asseveratore-utente" class="form-control" autocomplete="off"
                        class:is-invalid=move || invalid.get() aria-describedby="asseveratore-utente-errore"
                        prop:value=move || verifier.get() on:input=move |ev| verifier.set(event_target_value(&ev))/>
                    <FieldError id="asseveratore-utente-errore" names=&["verifier"] error=error_signal/>
                </div>
                <div>
                    <button type="submit" class="btn btn-primary" disabled=move || pending.get()>{tx("Assegna l'asseveratore")}</button>
                </div>
            </form>
        }
    });

    let pay = allowed.contains(&ProjectAction::Pay).then(|| {
        let project = project.clone();
        view! {
            <div class="mb-3">
                <ConfirmStep
                    label="Registra il pagamento"
                    consequence="Registri che il contributo è stato erogato: il progetto diventa liquidato e nessuna altra azione sarà più possibile."
                    confirm="Conferma il pagamento"
                    pending
                    on_confirm=Callback::new(move |()| run(PAY, json!({ "project": project.clone() }), "Pagamento registrato: il progetto è liquidato."))
                />
            </div>
        }
    });

    let decree = renunciation
        .filter(|_| allowed.contains(&ProjectAction::Renounce))
        .map(|r| {
            let project = project.clone();
            view! {
                <div class="card card-bg shadow-sm p-4 mb-3" data-testid="richiesta-rinuncia">
                    <h3 class="h5">{tx("L'ente ha chiesto di rinunciare al finanziamento")}</h3>
                    <p class="mb-1">{tx("Richiesta il")}" "{format::date(&r.requested_at)}</p>
                    <p><span class="fw-semibold">{tx("Motivo")}": "</span>{r.reason.clone()}</p>
                    <div>
                        <ConfirmStep
                            label="Decreta la rinuncia"
                            consequence="Decreti la rinuncia: il progetto diventa rinunciato, il finanziamento è perso e l'operazione non si può annullare."
                            confirm="Conferma il decreto di rinuncia"
                            class="btn-danger"
                            pending
                            on_confirm=Callback::new(move |()| run(DECREE, json!({ "project": project.clone() }), "Rinuncia decretata: il progetto è rinunciato."))
                        />
                    </div>
                </div>
            }
        });

    let revoke = allowed.contains(&ProjectAction::Revoke).then(|| {
        let project = project.clone();
        let motive = RwSignal::new(String::new());
        let confirming = RwSignal::new(false);
        let invalid = blames(error_signal, &["reason"]);
        let ask = move |_| {
            match Reason::parse(&motive.get_untracked()) {
                Ok(_) => {
                    error.set(None);
                    confirming.set(true);
                }
                Err(e) => error.set(Some(ApiError::invalid("reason", e.to_string()))),
            }
        };
        view! {
            <details class="mt-3 renounce">
                <summary class="text-danger fw-semibold">{tx("Revoca il finanziamento")}</summary>
                <div class="form-group mt-4">
                    <label for="revoca-motivo" class="active">{tx("Motivo della revoca")}</label>
                    <textarea id="revoca-motivo" class="form-control" rows="3"
                        class:is-invalid=move || invalid.get() aria-describedby="revoca-motivo-aiuto revoca-motivo-errore"
                        prop:value=move || motive.get()
                        on:input=move |ev| { motive.set(event_target_value(&ev)); confirming.set(false); }></textarea>
                    <small id="revoca-motivo-aiuto" class="form-text">{tx("Da 10 a 2.000 caratteri: il motivo resta agli atti ed è visibile all'ente.")}</small>
                    <FieldError id="revoca-motivo-errore" names=&["reason"] error=error_signal/>
                </div>
                {move || if confirming.get() {
                    let project = project.clone();
                    view! {
                        <div class="alert alert-warning" role="alert">
                            <p>{tx("Confermi la revoca del finanziamento? L'operazione non si può annullare.")}</p>
                            <button type="button" class="btn btn-danger me-2" disabled=move || pending.get()
                                on:click=move |_| {
                                    let why = motive.get_untracked().trim().to_owned();
                                    run(REVOKE, json!({ "project": project.clone(), "reason": why }), "Finanziamento revocato.");
                                }>
                                {tx("Conferma la revoca")}
                            </button>
                            <button type="button" class="btn btn-outline-secondary" on:click=move |_| confirming.set(false)>
                                {tx("Annulla")}
                            </button>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="btn btn-danger" on:click=ask>{tx("Revoca")}</button>
                    }.into_any()
                }}
            </details>
        }
    });

    let general = move || {
        error
            .get()
            .filter(|e| !matches!(e.field(), Some("reason" | "verifier")))
    };
    view! {
        <section aria-labelledby="azioni" class="mt-4">
            <h2 id="azioni" class="h3">{tx("Azioni del Dipartimento")}</h2>
            {move || general().map(|e| view! { <ErrorAlert error=e/> })}
            {decree}
            {assign}
            {pay}
            {revoke}
        </section>
    }
    .into_any()
}
