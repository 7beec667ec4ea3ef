//! The administration's request inbox (*Area Richieste*): the verifier's document
//! requests on its projects, open ones first with their due dates, each answered with
//! documents (uploaded with a progress bar) and a note.

use leptos::prelude::*;
use nuvola_shared::DocumentKind;
use serde::Deserialize;
use serde_json::json;

use super::{Breadcrumb, ErrorAlert, FieldError, Growing, GrowingList};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::{t, tf};
use crate::upload::{Document, DocumentList, Upload};

/// The fields of `VerificationRequest` a card needs (documents included).
pub const REQUEST_FIELDS: &str = "id title body dueOn daysLeft state openedAt answeredAt answerNote version \
     application { cup call { title } } documents { id kind fileName sizeBytes uploadedAt downloadUrl removable }";

const ANSWER: &str = "mutation Answer($input: AnswerRequestInput!) { answerVerificationRequest(input: $input) { id state } }";

/// The kinds an administration attaches to an answer.
const ANSWER_KINDS: &[DocumentKind] = &[
    DocumentKind::ConformityForm,
    DocumentKind::Contract,
    DocumentKind::PaymentRequest,
    DocumentKind::Cre,
    DocumentKind::Evidence,
    DocumentKind::Other,
];

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationRequest {
    id: String,
    title: String,
    body: String,
    due_on: String,
    days_left: Option<i64>,
    state: String,
    answered_at: Option<String>,
    answer_note: Option<String>,
    version: i32,
    application: RequestProject,
    documents: Vec<Document>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct RequestProject {
    cup: String,
    call: super::administration::CallRef,
}

/// Requests per page of the inbox.
const INBOX_PAGE: usize = 20;

/// `/amministrazione/richieste`: the requests on the administration's projects, open
/// first and the nearest due date first (the server's order), a page at a time with the
/// total.
#[component]
pub fn AdministrationRequests() -> impl IntoView {
    let list = Growing::new(
        format!(
            "query Inbox($first: Int!, $after: String) {{ myRequestsConnection(first: $first, after: $after) {{ \
             totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {REQUEST_FIELDS} }} }} }} }}"
        ),
        "myRequestsConnection",
        INBOX_PAGE,
    );
    view! {
        <div class="container my-4">
            <Breadcrumb
                links=vec![("I miei progetti", "/amministrazione".to_owned())]
                here=Signal::derive(|| t("Richieste dell'asseveratore").to_owned())
            />
            <h1>{move || t("Richieste dell'asseveratore")}</h1>
            <p class="lead">{move || t("Le richieste di documenti sui tuoi progetti: rispondi entro la scadenza, o il finanziamento è a rischio.")}</p>
            <GrowingList
                list
                total=|n| if n == 1 { t("1 richiesta.").to_owned() } else { tf("{} richieste.", &[&format::number(n as i64)]) }
                page=request_cards
                class="d-flex flex-column gap-3"
                more="Mostra altre richieste"
                loading="Caricamento delle richieste…"
                empty="Non ci sono richieste sui tuoi progetti."
                testid="totale-richieste"
            />
        </div>
    }
}

/// A page of the inbox as cards; an answer reloads the list, which the answered request
/// leaves for its place after the open ones.
fn request_cards(items: Vec<serde_json::Value>, list: Growing) -> AnyView {
    let reload = Callback::new(move |()| list.reload());
    match super::verifier::decode::<Vec<VerificationRequest>>(serde_json::Value::Array(items)) {
        Ok(requests) => requests
            .into_iter()
            .map(|r| view! { <RequestCard request=r show_project=true reload/> })
            .collect_view()
            .into_any(),
        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
    }
}

/// Requests as cards, each with its documents and, while open, the way to answer.
#[component]
pub fn RequestList(
    requests: Vec<VerificationRequest>,
    #[prop(optional)] show_project: bool,
    reload: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="d-flex flex-column gap-3">
            {requests.into_iter().map(|r| view! { <RequestCard request=r show_project reload/> }).collect_view()}
        </div>
    }
}

fn state_words(state: &str) -> &'static str {
    match state {
        "OPEN" => "Aperta",
        "ANSWERED" => "Risposta inviata",
        "CLOSED" => "Chiusa",
        _ => "Stato sconosciuto",
    }
}

#[component]
fn RequestCard(
    request: VerificationRequest,
    show_project: bool,
    reload: Callback<()>,
) -> impl IntoView {
    let open = request.state == "OPEN";
    let heading_id = format!("richiesta-{}", request.id);
    let badge = match request.state.as_str() {
        "OPEN" => "bg-warning text-dark",
        "ANSWERED" => "bg-primary",
        _ => "bg-secondary",
    };
    let state = request.state.clone();
    let days = request.days_left;
    let left = move || match days {
        Some(0) => t("scade oggi").to_owned(),
        Some(n) if n < 0 => tf("scaduta da {} giorni", &[&(-n).to_string()]),
        Some(n) => tf("tra {} giorni", &[&n.to_string()]),
        None => String::new(),
    };
    let late = days.is_some_and(|d| d < 0) && open;
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let (id, version) = (request.id.clone(), request.version);
    let documents = RwSignal::new(request.documents.clone());
    let previous_answer = request.answered_at.clone();
    let answer = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, text) = (id.clone(), note.get_untracked());
        // The server's rule, checked here first: a document attached since the request
        // was (re)opened, or a note.
        let new_documents = documents.with_untracked(|docs| {
            docs.iter()
                .filter(|d| {
                    previous_answer
                        .as_deref()
                        .is_none_or(|at| d.uploaded_at.as_str() > at)
                })
                .count()
        });
        if let Err(e) = nuvola_shared::verification::check_answer(Some(&text), new_documents) {
            error.set(Some(ApiError::invalid("note", e.reason)));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let note = (!text.trim().is_empty()).then_some(text);
            let result = api::query::<serde_json::Value>(
                ANSWER,
                json!({ "input": { "id": id, "version": version, "note": note } }),
            )
            .await;
            busy.set(false);
            match result {
                Ok(_) => {
                    error.set(None);
                    reload.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let uploaded = Callback::new(move |d: Document| documents.update(|v| v.push(d)));
    let note_id = format!("nota-{}", request.id);
    let error_signal: Signal<Option<ApiError>> = error.into();
    let note_invalid = super::blames(error_signal, &["note"]);
    let upload_id = format!("carica-{}", request.id);
    let project_link = format!("/amministrazione/progetti/{}", request.application.cup);
    view! {
        <article class="card card-bg shadow-sm request-card" aria-labelledby=heading_id.clone()>
            <div class="card-body">
                <div class="d-flex flex-wrap align-items-center gap-2 mb-2">
                    <span class=format!("badge {badge}")>{move || t(state_words(&state))}</span>
                    {show_project.then(|| view! {
                        <a href=project_link.clone() class="font-monospace small">{"CUP "}{request.application.cup.clone()}</a>
                        <span class="small text-muted">{request.application.call.title.clone()}</span>
                    })}
                </div>
                // Its own page lists requests under the h1; the project page under an h2.
                {if show_project {
                    view! { <h2 id=heading_id.clone() class="h5 card-title">{request.title.clone()}</h2> }.into_any()
                } else {
                    view! { <h3 id=heading_id.clone() class="h5 card-title">{request.title.clone()}</h3> }.into_any()
                }}
                <p class="request-body">{request.body.clone()}</p>
                <p class="mb-2">
                    {move || t("Scadenza")} ": " {format::date(&request.due_on)} " "
                    {open.then(|| view! {
                        <span class:text-danger=late class:fw-semibold=true>"(" {left} ")"</span>
                    })}
                </p>
                {request.answered_at.clone().map(|at| view! {
                    <p class="small text-muted mb-2">
                        {move || t("Risposta inviata il")} " " {format::date(&at)}
                        {request.answer_note.clone().map(|n| format!(": «{n}»"))}
                    </p>
                })}
                <p class="h6 mt-3">{move || t("Documenti allegati")}</p>
                {move || view! { <DocumentList documents=documents.get()
                    on_removed=Callback::new(move |id: String| documents.update(|v| v.retain(|d| d.id != id)))/> }}
                {open.then(|| view! {
                    <Upload
                        id=upload_id
                        cup=request.application.cup.clone()
                        kinds=ANSWER_KINDS
                        request_id=request.id.clone()
                        label=Signal::derive({
                            let title = request.title.clone();
                            move || tf("Allega un documento a «{}»", &[&title])
                        })
                        on_done=uploaded
                    />
                    <form class="mt-2" on:submit=answer novalidate>
                        <div class="mb-2">
                            <label for=note_id.clone() class="form-label d-block">{move || t("Nota per l'asseveratore")}</label>
                            <textarea
                                id=note_id.clone()
                                class="form-control"
                                class:is-invalid=move || note_invalid.get()
                                rows="2"
                                maxlength="2000"
                                aria-describedby=format!("{note_id}-aiuto {note_id}-errore")
                                prop:value=move || note.get()
                                on:input=move |e| note.set(event_target_value(&e))
                            ></textarea>
                            <small id=format!("{note_id}-aiuto") class="form-text">{move || t("Una risposta porta almeno un documento allegato o una nota.")}</small>
                            <FieldError id=format!("{note_id}-errore") names=&["note"] error=error_signal/>
                        </div>
                        <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                            {move || t("Invia la risposta")}
                        </button>
                        {move || error.get().filter(|e| e.field() != Some("note")).map(|e| view! { <ErrorAlert error=e/> })}
                    </form>
                })}
            </div>
        </article>
    }
}
