//! Uploading a document with a progress bar.
//!
//! `fetch` does not report upload progress, so this sends the file as the raw body of
//! `POST /api/projects/{cup}/documents` with an `XMLHttpRequest` and follows its
//! `upload.onprogress` events. The session cookie authenticates it, as for `/graphql`.
//! The server answers errors as JSON `{code, message}` (413 too large, 415 a type it does
//! not accept); they are told in words.

use leptos::prelude::*;
use nuvola_shared::DocumentKind;
use serde::Deserialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::format;
use crate::i18n::{self, t, tf, Lang};

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq)]
enum Progress {
    Idle,
    /// Percent sent.
    Sending(u32),
    /// Uploaded: the file's name.
    Done(String),
    Failed(Failure),
}

/// Why an upload did not happen, put in words when shown (so a switch of language
/// translates a refusal already on screen).
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    NoFile,
    Unreachable,
    /// The server's status and body.
    Refused(u16, String),
}

impl Failure {
    fn text(&self) -> String {
        match self {
            Failure::NoFile => t("Scegli un file da caricare.").to_owned(),
            Failure::Unreachable => crate::api::ApiError::Unreachable.to_string(),
            Failure::Refused(status, body) => explain(*status, body),
        }
    }
}

#[derive(Deserialize)]
struct Refusal {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    field: Option<String>,
}

/// A document kind in words.
pub fn kind_label(code: &str) -> String {
    let (it, en) = match code {
        "CONFORMITY_FORM" => ("Form di conformità", "Conformity form"),
        "CONTRACT" => ("Contratto", "Contract"),
        "PAYMENT_REQUEST" => ("Domanda di erogazione", "Payment request"),
        "CRE" => (
            "Certificato di regolare esecuzione",
            "Certificate of regular execution",
        ),
        "EVIDENCE" => ("Evidenza di migrazione", "Migration evidence"),
        "OTHER" => ("Altro documento", "Other document"),
        other => return other.to_owned(),
    };
    (if i18n::lang() == Lang::En { en } else { it }).to_owned()
}

/// The server's refusal of an upload, in words.
fn explain(status: u16, body: &str) -> String {
    let refusal: Option<Refusal> = serde_json::from_str(body).ok();
    let code = refusal.as_ref().map(|r| r.code.as_str()).unwrap_or("");
    let en = i18n::lang() == Lang::En;
    let text = match (code, status) {
        ("PAYLOAD_TOO_LARGE", _) | (_, 413) => {
            if en {
                "The file is too large for the server (at most 20 MiB unless configured otherwise)."
            } else {
                "Il file è troppo grande per il server (al massimo 20 MiB, salvo diversa configurazione)."
            }
        }
        ("UNSUPPORTED_MEDIA_TYPE", _) | (_, 415) => {
            if en {
                "This type of file is not accepted: upload a PDF, a PNG or JPEG image, an OpenDocument or Word/Excel file, or plain text."
            } else {
                "Questo tipo di file non è accettato: carica un PDF, un'immagine PNG o JPEG, un file OpenDocument o Word/Excel, o testo semplice."
            }
        }
        ("INVALID_INPUT", _)
            if refusal
                .as_ref()
                .is_some_and(|r| r.message.contains("empty")) =>
        {
            if en {
                "The file is empty."
            } else {
                "Il file è vuoto."
            }
        }
        ("UNAUTHENTICATED", _) | (_, 401) => {
            if en {
                "Your session has expired: log in again."
            } else {
                "La sessione è scaduta: accedi di nuovo."
            }
        }
        ("FORBIDDEN", _) | (_, 403) => {
            if en {
                "You may not upload documents to this project."
            } else {
                "Non puoi caricare documenti su questo progetto."
            }
        }
        ("RATE_LIMITED", _) | (_, 429) => {
            if en {
                "Too many requests: wait a few seconds and try again."
            } else {
                "Troppe richieste: attendi qualche secondo e riprova."
            }
        }
        _ => {
            // Any other refusal the server words like the API's: said as the API's are.
            if let Some(r) = refusal {
                return crate::api::ApiError::Refused {
                    code: r.code,
                    message: r.message,
                    field: r.field,
                }
                .to_string();
            }
            return if en {
                format!("The upload was refused (HTTP {status}).")
            } else {
                format!("Il caricamento è stato rifiutato (HTTP {status}).")
            };
        }
    };
    text.to_owned()
}

/// A form that uploads one file to a project, optionally for a verification request or
/// a planned service, with a progress bar. `kinds` are the kinds offered (the first is
/// chosen); `on_done` gets the stored document after a successful upload (the page adds
/// it to its list itself, so the finished bar stays in view).
#[component]
pub fn Upload(
    /// Unique on the page: the ids of the controls derive from it.
    #[prop(into)]
    id: String,
    #[prop(into)] cup: String,
    kinds: &'static [DocumentKind],
    #[prop(optional, into)] request_id: Option<String>,
    #[prop(optional, into)] planned_service_id: Option<String>,
    /// The heading, in the language shown (it follows a switch).
    #[prop(optional, into)]
    label: Option<Signal<String>>,
    on_done: Callback<Document>,
) -> impl IntoView {
    let progress = RwSignal::new(Progress::Idle);
    let kind = RwSignal::new(kinds[0].code().to_owned());
    let file_input = NodeRef::<leptos::html::Input>::new();
    let file_id = format!("{id}-file");
    let kind_id = format!("{id}-kind");
    let status_id = format!("{id}-status");
    let heading = move || match label {
        Some(label) => label.get(),
        None => t("Carica un documento").to_owned(),
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if matches!(progress.get_untracked(), Progress::Sending(_)) {
            return;
        }
        let Some(file) = file_input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            progress.set(Progress::Failed(Failure::NoFile));
            return;
        };
        let mut url = format!(
            "/api/projects/{}/documents?kind={}&fileName={}",
            format::url_encode(&cup),
            kind.get_untracked(),
            format::url_encode(&file.name())
        );
        if let Some(r) = &request_id {
            url.push_str(&format!("&requestId={}", format::url_encode(r)));
        }
        if let Some(s) = &planned_service_id {
            url.push_str(&format!("&plannedServiceId={}", format::url_encode(s)));
        }
        let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
            progress.set(Progress::Failed(Failure::Unreachable));
            return;
        };
        if xhr.open("POST", &url).is_err() {
            progress.set(Progress::Failed(Failure::Unreachable));
            return;
        }
        progress.set(Progress::Sending(0));
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    let pct = (e.loaded() / e.total() * 100.0).clamp(0.0, 100.0) as u32;
                    progress.set(Progress::Sending(pct));
                }
            });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        let name = file.name();
        let done_xhr = xhr.clone();
        let on_end = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            let status = done_xhr.status().unwrap_or(0);
            let body = done_xhr.response_text().ok().flatten().unwrap_or_default();
            if status == 0 {
                progress.set(Progress::Failed(Failure::Unreachable));
            } else if (200..300).contains(&status) {
                progress.set(Progress::Done(name.clone()));
                if let Some(input) = file_input.get_untracked() {
                    input.set_value("");
                }
                if let Ok(document) = serde_json::from_str::<Document>(&body) {
                    on_done.run(document);
                }
            } else {
                progress.set(Progress::Failed(Failure::Refused(status, body)));
            }
        });
        xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
        // One pair of small closures per upload; they must outlive this handler.
        on_progress.forget();
        on_end.forget();
        if xhr.send_with_opt_blob(Some(&file)).is_err() {
            progress.set(Progress::Failed(Failure::Unreachable));
        }
    };
    let percent = move || match progress.get() {
        Progress::Sending(p) => p,
        Progress::Done(_) => 100,
        _ => 0,
    };
    let shows_bar = move || matches!(progress.get(), Progress::Sending(_) | Progress::Done(_));
    let sending = move || matches!(progress.get(), Progress::Sending(_));
    let offers_kinds = kinds.len() > 1;
    view! {
        <form class="upload-form border rounded p-3 my-3" on:submit=send novalidate>
            <p class="fw-semibold mb-4">{heading}</p>
            <div class="row g-3 align-items-end">
                {offers_kinds.then(|| view! {
                    <div class="col-12 col-md-4">
                        <div class="select-wrapper">
                            <label for=kind_id.clone()>{move || t("Tipo di documento")}</label>
                            <select id=kind_id.clone() on:change=move |e| kind.set(event_target_value(&e))>
                                {kinds.iter().map(|k| {
                                    let code = k.code();
                                    view! { <option value=code selected=move || kind.get() == code>{move || kind_label(code)}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    </div>
                })}
                <div class="col-12 col-md-5">
                    <label for=file_id.clone() class="form-label d-block">{move || t("File da caricare")}</label>
                    <input type="file" class="form-control" id=file_id.clone() node_ref=file_input aria-describedby=status_id.clone()/>
                </div>
                <div class="col-12 col-md-3">
                    <button type="submit" class="btn btn-primary" disabled=sending>
                        {move || t("Carica il documento")}
                    </button>
                </div>
            </div>
            <Show when=shows_bar>
                <div class="progress-bar-wrapper mt-3">
                    <div class="progress-bar-label">
                        <span class="visually-hidden">{move || t("Avanzamento del caricamento")}</span>
                        {move || format!("{}%", percent())}
                    </div>
                    <div class="progress">
                        <div
                            class=move || if matches!(progress.get(), Progress::Done(_)) { "progress-bar bg-success" } else { "progress-bar bg-primary" }
                            role="progressbar"
                            aria-label=move || t("Avanzamento del caricamento")
                            style:width=move || format!("{}%", percent())
                            aria-valuenow=move || percent().to_string()
                            aria-valuemin="0"
                            aria-valuemax="100"
                        ></div>
                    </div>
                </div>
            </Show>
            <div id=status_id class="mt-2" aria-live="polite">
                {move || match progress.get() {
                    Progress::Done(name) => view! { <p class="text-success mb-0">{move || tf("Caricato: {}.", &[&name])}</p> }.into_any(),
                    Progress::Failed(why) => view! { <p class="text-danger mb-0" role="alert">{move || why.text()}</p> }.into_any(),
                    Progress::Sending(_) => view! { <p class="mb-0">{move || t("Caricamento in corso…")}</p> }.into_any(),
                    Progress::Idle => ().into_any(),
                }}
            </div>
        </form>
    }
}

/// `Document` as the pages read it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub id: String,
    pub kind: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub uploaded_at: String,
    pub download_url: String,
    /// The planned service it is evidence of, if any.
    #[serde(default)]
    pub planned_service_id: Option<String>,
    /// Whether the reader may remove it now (nothing uses it yet).
    #[serde(default)]
    pub removable: bool,
}

/// Documents with their download links. With `on_removed`, a document the server says
/// is `removable` (nothing uses it yet, and the reader may upload it there) gets a
/// "Rimuovi" button that says what removing does and asks to confirm in the page;
/// `on_removed` gets the id once the server has removed it.
#[component]
pub fn DocumentList(
    documents: Vec<Document>,
    #[prop(optional)] on_removed: Option<Callback<String>>,
) -> impl IntoView {
    if documents.is_empty() {
        return view! { <p class="text-muted small mb-0">{move || t("Nessun documento caricato.")}</p> }
            .into_any();
    }
    view! {
        <ul class="list-unstyled mb-0">
            {documents.into_iter().map(|d| {
                let kb = (d.size_bytes + 1023) / 1024;
                let kind = d.kind.clone();
                let removal = on_removed
                    .filter(|_| d.removable)
                    .map(|done| view! { <RemoveDocument id=d.id.clone() name=d.file_name.clone() done/> });
                view! {
                    <li class="mb-1">
                        <a href=d.download_url.clone() download=d.file_name.clone()>{d.file_name.clone()}</a>
                        <span class="small text-muted">
                            " · " {move || kind_label(&kind)} " · " {format!("{} KB", format::count(kb))}
                            " · " {format::date(&d.uploaded_at)}
                        </span>
                        {removal}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

const REMOVE_DOCUMENT: &str = "mutation RemoveDocument($id: ID!) { removeDocument(id: $id) }";

/// Removing one document: the button, the question, the request and its refusal.
#[component]
fn RemoveDocument(id: String, name: String, done: Callback<String>) -> impl IntoView {
    let asking = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<crate::api::ApiError>);
    let id = StoredValue::new(id);
    let name = StoredValue::new(name);
    let confirm = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = crate::api::query_value(
                REMOVE_DOCUMENT,
                serde_json::json!({ "id": id.get_value() }),
            )
            .await;
            pending.set(false);
            asking.set(false);
            match result {
                Ok(_) => {
                    error.set(None);
                    done.run(id.get_value());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        {move || if asking.get() {
            view! {
                <div class="alert alert-warning mt-2 mb-2" role="alertdialog"
                    aria-label=move || tf("Rimuovi il documento {}", &[&name.get_value()])>
                    <p>{move || tf("Il file «{}» viene eliminato e non si potrà recuperare; la rimozione resta nella cronologia del progetto.", &[&name.get_value()])}</p>
                    <button type="button" class="btn btn-danger btn-sm me-2" disabled=move || pending.get() on:click=confirm>
                        {move || t("Conferma la rimozione")}
                    </button>
                    <button type="button" class="btn btn-outline-secondary btn-sm" on:click=move |_| asking.set(false)>
                        {move || t("Annulla")}
                    </button>
                </div>
            }.into_any()
        } else {
            view! {
                " "
                <button type="button" class="btn btn-link btn-sm p-0 align-baseline"
                    aria-label=move || tf("Rimuovi il documento {}", &[&name.get_value()])
                    on:click=move |_| { error.set(None); asking.set(true); }>
                    {move || t("Rimuovi")}
                </button>
            }.into_any()
        }}
        {move || error.get().map(|e| view! {
            <p class="text-danger small mb-1" role="alert">{e.to_string()}</p>
        })}
    }
}
