//! `/dipartimento/importazioni`: the department imports the publisher's newest open-data
//! files. It chooses the files (the calls file first, then the applications), sees what
//! the import would change (a dry run on the server: new, updated with the changed
//! values, unchanged, skipped with reasons, data-quality warnings), confirms, and follows
//! the run in the background with a progress bar. The job lives on the server, so a
//! reload (or another tab) finds it where it is. Below, the projects whose published
//! rows carry data-quality warnings.

use std::time::Duration;

use gloo_net::http::Request;
use leptos::prelude::*;
use serde_json::{json, Value};

use super::{Breadcrumb, ErrorAlert, Loading};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::{t, tf, tx};

const JOB_FIELDS: &str =
    "id status version phase progressDone progressTotal error createdAt finishedAt \
    files { name size } \
    preview { ...Report } result { ...Report }";
const REPORT: &str = "fragment Report on ImportFileReport { file error kind newRows updatedRows unchangedRows skippedRows noRows \
    outOfScope { reason rows } skipped { line reason } warnings { line cup field value reason } \
    samples { cup callTitle changes { field before after } } }";

fn jobs_query() -> String {
    format!("query ImportJobs {{ importJobs(first: 5) {{ {JOB_FIELDS} }} dataQuality(first: 50) {{ totalCount applications {{ cup callTitle warnings {{ field value reason }} }} }} }} {REPORT}")
}

fn job_query() -> String {
    format!("query ImportJob($id: ID!) {{ importJob(id: $id) {{ {JOB_FIELDS} }} }} {REPORT}")
}

/// A job's move, each written out so that the test of the front end's documents
/// (server/tests/api/frontend_documents.rs) checks every one against the schema.
fn mutation(name: &str) -> String {
    match name {
        "previewImport" => format!(
            "mutation Preview($id: ID!) {{ previewImport(id: $id) {{ {JOB_FIELDS} }} }} {REPORT}"
        ),
        "confirmImport" => format!(
            "mutation Confirm($id: ID!) {{ confirmImport(id: $id) {{ {JOB_FIELDS} }} }} {REPORT}"
        ),
        _ => format!(
            "mutation Discard($id: ID!) {{ discardImport(id: $id) {{ {JOB_FIELDS} }} }} {REPORT}"
        ),
    }
}

/// A data-quality reason (the server's English words, `service::import`) in the page's
/// language. The server's reasons are few and fixed in form: each is recognised here;
/// anything else is shown as it came.
fn reason(text: &str) -> String {
    if crate::i18n::lang() == crate::i18n::Lang::En {
        text.to_owned()
    } else {
        reason_it(text)
    }
}

/// [`reason`] in Italian.
fn reason_it(text: &str) -> String {
    if let Some(euros) = text.strip_prefix("has cents; counted as EUR ") {
        return format!("ha i centesimi; conteggiato come {euros} euro");
    }
    let (head, tail) = match text.split_once("; ") {
        Some((h, t)) => (h, Some(t)),
        None => (text, None),
    };
    let number_after = |needle: &str| -> Option<String> {
        let rest = &head[head.find(needle)? + needle.len()..];
        Some(rest.chars().take_while(char::is_ascii_digit).collect())
    };
    let quoted = || head.split('\'').nth(1).unwrap_or_default().to_owned();
    let main = if head.starts_with("has the letter O in position") {
        format!(
            "ha la lettera O in posizione {}, dove un CUP ha una cifra (uno zero?)",
            number_after("position ").unwrap_or_default()
        )
    } else if head.contains("characters, a CUP has") {
        format!(
            "ha {} caratteri, un CUP ne ha 15",
            number_after("has ").unwrap_or_default()
        )
    } else if head.contains("where a CUP has a letter") {
        format!(
            "ha «{}» in posizione {}, dove un CUP ha una lettera",
            quoted(),
            number_after("position ").unwrap_or_default()
        )
    } else if head.contains("where a CUP has a digit") {
        format!(
            "ha «{}» in posizione {}, dove un CUP ha una cifra",
            quoted(),
            number_after("position ").unwrap_or_default()
        )
    } else if head.contains("a CUP has only letters and digits") {
        "contiene caratteri diversi da lettere e cifre".to_owned()
    } else if head.contains("taken from cod_regione") {
        "non è il nome di una regione; la regione è presa da cod_regione".to_owned()
    } else {
        head.to_owned()
    };
    let tail = match tail {
        Some("imported as published") => "importato come pubblicato",
        Some("left empty") => "lasciato vuoto",
        Some(other) => other,
        None => "",
    };
    if tail.is_empty() {
        main
    } else {
        format!("{main}; {tail}")
    }
}

/// "riga 12" / "line 12", following the language switch.
fn line_label(line: i64) -> impl IntoView {
    let line = line.to_string();
    move || tf("riga {}", &[&line])
}

fn s(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

fn n(v: &Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or(0)
}

/// A job that has not reached its end: the page follows it.
fn unfinished(job: &Value) -> bool {
    matches!(
        job["status"].as_str(),
        Some("UPLOADED" | "PREVIEWED" | "QUEUED" | "RUNNING")
    )
}

/// Sends one file to `POST /api/imports` (into `job`, or a new one); the job's id.
async fn upload(file: web_sys::File, job: Option<String>) -> Result<String, ApiError> {
    let mut url = format!("/api/imports?fileName={}", format::url_encode(&file.name()));
    if let Some(job) = &job {
        url.push_str(&format!("&job={}", format::url_encode(job)));
    }
    let response = Request::post(&url)
        .body(wasm_bindgen::JsValue::from(file))
        .map_err(|_| ApiError::Malformed)?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|_| ApiError::Http(status))?;
    if (200..300).contains(&status) {
        return body["jobId"]
            .as_str()
            .map(str::to_owned)
            .ok_or(ApiError::Malformed);
    }
    Err(ApiError::Refused {
        code: s(&body, "code"),
        message: s(&body, "message"),
        field: None,
    })
}

/// `/dipartimento/importazioni`.
#[component]
pub fn DepartmentImports() -> impl IntoView {
    let data =
        LocalResource::new(move || async move { api::query_value(&jobs_query(), json!({})).await });
    // The job the page works on: the newest unfinished one, or the one just started.
    let current = RwSignal::new(None::<Value>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(None::<&'static str>);
    let files = NodeRef::<leptos::html::Input>::new();

    Effect::new(move |_| {
        if let Some(Ok(v)) = data.get() {
            if current.get_untracked().is_none() {
                let newest = v["importJobs"]
                    .as_array()
                    .and_then(|jobs| jobs.first())
                    .filter(|j| unfinished(j) || j["status"] == "DONE" || j["status"] == "FAILED")
                    .cloned();
                current.set(newest);
            }
        }
    });

    // While a job is queued or running, ask for it every second.
    let poll = move || {
        let Some(job) = current.get_untracked() else {
            return;
        };
        if !matches!(job["status"].as_str(), Some("QUEUED" | "RUNNING")) {
            return;
        }
        let id = s(&job, "id");
        leptos::task::spawn_local(async move {
            match api::query_value(&job_query(), json!({ "id": id })).await {
                Ok(v) => {
                    let job = v["importJob"].clone();
                    let ended = !unfinished(&job);
                    current.set(Some(job));
                    if ended {
                        data.refetch();
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    if let Ok(handle) = set_interval_with_handle(poll, Duration::from_millis(1000)) {
        on_cleanup(move || handle.clear());
    }

    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked().is_some() {
            return;
        }
        error.set(None);
        let Some(list) = files.get_untracked().and_then(|i| i.files()) else {
            return;
        };
        let chosen: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        if chosen.is_empty() {
            error.set(Some(ApiError::worded(
                "files",
                "Scegli almeno un file da importare.",
                &[],
            )));
            return;
        }
        busy.set(Some("Caricamento dei file e anteprima in corso…"));
        leptos::task::spawn_local(async move {
            let mut job = None;
            for file in chosen {
                match upload(file, job.clone()).await {
                    Ok(id) => job = Some(id),
                    Err(e) => {
                        error.set(Some(e));
                        busy.set(None);
                        return;
                    }
                }
            }
            let id = job.unwrap_or_default();
            match api::query_value(&mutation("previewImport"), json!({ "id": id })).await {
                Ok(v) => current.set(Some(v["previewImport"].clone())),
                Err(e) => error.set(Some(e)),
            }
            busy.set(None);
        });
    };

    let act = move |name: &'static str| {
        let Some(job) = current.get_untracked() else {
            return;
        };
        error.set(None);
        let id = s(&job, "id");
        leptos::task::spawn_local(async move {
            match api::query_value(&mutation(name), json!({ "id": id })).await {
                Ok(v) => current.set(Some(v[name].clone())),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let error_signal: Signal<Option<ApiError>> = error.into();
    let bad_files = super::blames(error_signal, &["files"]);
    view! {
        <div class="container my-4">
            <Breadcrumb
                links=vec![("Cruscotto nazionale", "/dipartimento".to_owned())]
                here=Signal::derive(move || t("Importazione dei dati aperti").to_owned())
            />
            <h1>{tx("Importazione dei dati aperti")}</h1>
            <p class="lead">{tx("Carica gli ultimi file pubblicati da PA digitale 2026: prima il file degli avvisi, poi le candidature. Vedrai cosa cambierebbe prima di confermare; nessun dato viene cancellato.")}</p>

            <form class="border rounded p-3 my-3" on:submit=send novalidate>
                <label for="file-import" class="form-label d-block fw-semibold">{tx("File da importare (CSV o JSON, al massimo 5)")}</label>
                <input type="file" id="file-import" class="form-control" multiple accept=".csv,.json,text/csv,application/json" node_ref=files
                    class:is-invalid=move || bad_files.get() aria-describedby="file-import-help file-import-errore"/>
                <p id="file-import-help" class="form-text">{tx("Nell'ordine in cui li scegli: il file degli avvisi decide la misura di ogni avviso.")}</p>
                <super::FieldError id="file-import-errore" names=&["files"] error=error_signal/>
                <button type="submit" class="btn btn-primary mt-2" disabled=move || busy.get().is_some()>{tx("Carica e mostra l'anteprima")}</button>
            </form>
            <div aria-live="polite">
                {move || busy.get().map(|b| view! { <Loading what=b/> })}
                {move || error.get().filter(|e| e.field() != Some("files")).map(|e| view! { <ErrorAlert error=e/> })}
            </div>

            {move || current.get().map(|job| view! { <Job job act/> })}

            <Transition fallback=|| view! { <Loading what="Caricamento…"/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <Quality data=v["dataQuality"].clone()/> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The job the page follows: its state, its progress, its preview or its result.
#[component]
fn Job(job: Value, act: impl Fn(&'static str) + Copy + Send + Sync + 'static) -> impl IntoView {
    // Confirming asks once more, in the page, saying what will happen.
    let asking = RwSignal::new(false);
    let status = s(&job, "status");
    let names: Vec<String> = job["files"]
        .as_array()
        .map(|f| f.iter().map(|f| s(f, "name")).collect())
        .unwrap_or_default();
    let (label, percent): (&'static str, i64) = match status.as_str() {
        "UPLOADED" => ("File caricati", 0),
        "PREVIEWED" => ("Anteprima pronta: conferma o annulla", 0),
        "QUEUED" => ("In coda: parte appena il server è libero", 5),
        "RUNNING" => {
            let total = n(&job, "progressTotal");
            let done = n(&job, "progressDone");
            (
                "Importazione in corso",
                if total > 0 {
                    (5 + done * 90 / total).min(95)
                } else {
                    10
                },
            )
        }
        "DONE" => ("Importazione completata", 100),
        "FAILED" => (
            "Importazione non riuscita: nessun dato è stato scritto",
            100,
        ),
        _ => ("Importazione annullata", 0),
    };
    let shows_bar = matches!(status.as_str(), "QUEUED" | "RUNNING" | "DONE" | "FAILED");
    let bar_class = match status.as_str() {
        "DONE" => "progress-bar bg-success",
        "FAILED" => "progress-bar bg-danger",
        _ => "progress-bar bg-primary",
    };
    let reports = if status == "DONE" {
        job["result"].clone()
    } else {
        job["preview"].clone()
    };
    let reports = reports.as_array().cloned().unwrap_or_default();
    let heading = if status == "DONE" {
        "Risultato"
    } else {
        "Anteprima: cosa cambierebbe"
    };
    let phase = s(&job, "phase");
    view! {
        <section class="card card-bg shadow-sm p-3 my-4" aria-labelledby="job-title" data-testid="importazione">
            <h2 id="job-title" class="h4">{tx(label)}</h2>
            <p class="mb-2">{let files = names.join(", "); move || tf("File: {}", &[&files])}</p>
            {shows_bar.then(|| view! {
                <div class="progress-bar-wrapper my-3">
                    <div class="progress-bar-label">
                        <span class="visually-hidden">{tx("Avanzamento dell'importazione")}</span>
                        {format!("{percent}%")}
                        {(status == "RUNNING" && !phase.is_empty()).then(|| format!(" · {phase}"))}
                    </div>
                    <div class="progress">
                        <div class=bar_class role="progressbar" aria-label=move || t("Avanzamento dell'importazione")
                            style:width=format!("{percent}%") aria-valuenow=percent.to_string() aria-valuemin="0" aria-valuemax="100"></div>
                    </div>
                </div>
            })}
            {job["error"].as_str().map(|e| view! { <p class="text-danger" role="alert">{e.to_owned()}</p> })}
            {(!reports.is_empty()).then(|| view! {
                <h3 class="h5 mt-3">{tx(heading)}</h3>
                {reports.into_iter().map(|r| view! { <FileReport report=r/> }).collect_view()}
            })}
            {(status == "PREVIEWED").then(|| view! {
                <Show when=move || asking.get() fallback=move || view! {
                    <div class="d-flex flex-wrap gap-2 mt-3">
                        <button type="button" class="btn btn-primary" on:click=move |_| asking.set(true)>
                            {tx("Conferma l'importazione")}
                        </button>
                        <button type="button" class="btn btn-outline-secondary" on:click=move |_| act("discardImport")>
                            {tx("Annulla")}
                        </button>
                    </div>
                }>
                    <div class="callout warning mt-3" role="alertdialog" aria-labelledby="conferma-importazione">
                        <p id="conferma-importazione" class="mb-2">{tx("Confermi l'importazione? I progetti nuovi saranno aggiunti e quelli cambiati aggiornati come nell'anteprima; nessun progetto sarà cancellato.")}</p>
                        <div class="d-flex flex-wrap gap-2">
                            <button type="button" class="btn btn-primary" on:click=move |_| act("confirmImport")>{tx("Sì, importa")}</button>
                            <button type="button" class="btn btn-outline-secondary" on:click=move |_| asking.set(false)>{tx("No, torna all'anteprima")}</button>
                        </div>
                    </div>
                </Show>
            })}
        </section>
    }
}

/// One file's report: counts, then the details a department reads before confirming.
#[component]
fn FileReport(report: Value) -> impl IntoView {
    let file = s(&report, "file");
    if let Some(e) = report["error"].as_str() {
        return view! {
            <div class="alert alert-danger" role="alert">
                <p class="mb-0"><strong>{file}</strong>": " {tx("file rifiutato, non sarà importato nulla: ")} {e.to_owned()}</p>
            </div>
        }
        .into_any();
    }
    if report["noRows"].as_bool().unwrap_or(false) {
        return view! {
            <div class="callout note my-2"><p class="mb-0"><strong>{file}</strong>": " {tx("il file non ha righe: non si importa nulla e non si cancella nulla.")}</p></div>
        }
        .into_any();
    }
    let list = |key: &str| report[key].as_array().cloned().unwrap_or_default();
    let (warnings, skipped, samples, out) = (
        list("warnings"),
        list("skipped"),
        list("samples"),
        list("outOfScope"),
    );
    let kind = if s(&report, "kind") == "CALLS" {
        "avvisi"
    } else {
        "candidature"
    };
    view! {
        <div class="border-top pt-3 mt-3" data-testid="rapporto-file">
            <p class="fw-semibold mb-1">{file} " (" {tx(kind)} ")"</p>
            <ul class="list-inline mb-2">
                {[
                    ("{} nuove", format::count(n(&report, "newRows"))),
                    ("{} aggiornate", format::count(n(&report, "updatedRows"))),
                    ("{} invariate", format::count(n(&report, "unchangedRows"))),
                    ("{} scartate", format::count(n(&report, "skippedRows"))),
                    ("{} avvisi di qualità", warnings.len().to_string()),
                ].into_iter().map(|(text, count)| view! {
                    <li class="list-inline-item">{move || tf(text, &[&count])}</li>
                }).collect_view()}
            </ul>
            {(!samples.is_empty()).then(|| view! {
                <details class="mb-2"><summary>{tx("Progetti aggiornati (campione)")}</summary>
                    <ul>{samples.into_iter().map(|u| {
                        let changes: Vec<String> = u["changes"].as_array().map(|c| c.iter().map(|c| format!("{}: {} → {}", s(c, "field"), s(c, "before"), s(c, "after"))).collect()).unwrap_or_default();
                        view! { <li><span class="font-monospace">{s(&u, "cup")}</span>" — " {changes.join("; ")}</li> }
                    }).collect_view()}</ul>
                </details>
            })}
            {(!warnings.is_empty()).then(|| view! {
                <details class="mb-2"><summary>{tx("Avvisi di qualità dei dati")}</summary>
                    <ul>{warnings.into_iter().map(|w| view! {
                        <li>{line_label(n(&w, "line"))} ": " <span class="font-monospace">{s(&w, "value")}</span> " (" {s(&w, "field")} "): " {let why = s(&w, "reason"); move || reason(&why)}</li>
                    }).collect_view()}</ul>
                </details>
            })}
            {(!skipped.is_empty()).then(|| view! {
                <details class="mb-2"><summary>{tx("Righe scartate")}</summary>
                    <ul>{skipped.into_iter().map(|r| view! { <li>{line_label(n(&r, "line"))} ": " {s(&r, "reason")}</li> }).collect_view()}</ul>
                </details>
            })}
            {(!out.is_empty()).then(|| view! {
                <details class="mb-2"><summary>{tx("Righe di altre misure (non importate)")}</summary>
                    <ul>{out.into_iter().map(|o| view! { <li>{n(&o, "rows")} " × " {s(&o, "reason")}</li> }).collect_view()}</ul>
                </details>
            })}
        </div>
    }
    .into_any()
}

/// The projects whose published rows carry data-quality warnings.
#[component]
fn Quality(data: Value) -> impl IntoView {
    let apps = data["applications"].as_array().cloned().unwrap_or_default();
    let total = n(&data, "totalCount");
    view! {
        <section aria-labelledby="qualita" class="mt-5">
            <h2 id="qualita" class="h4">{tx("Qualità dei dati pubblicati")}</h2>
            <p>{let count = format::count(total); move || tf("{} progetti hanno identificativi fuori standard o valori illeggibili: sono importati come pubblicati e contano nei totali.", &[&count])}</p>
            {(!apps.is_empty()).then(|| view! {
                <div class="table-responsive">
                    <table class="table table-sm align-middle">
                        <caption class="visually-hidden">{tx("Qualità dei dati pubblicati")}</caption>
                        <thead><tr>
                            <th scope="col">"CUP"</th>
                            <th scope="col">{tx("Avviso")}</th>
                            <th scope="col">{tx("Problema")}</th>
                        </tr></thead>
                        <tbody>
                            {apps.into_iter().map(|a| {
                                let cup = s(&a, "cup");
                                let href = format!("/dipartimento/progetti/{}", format::url_encode(&cup));
                                let warnings = a["warnings"].as_array().cloned().unwrap_or_default();
                                let problems = move || warnings.iter().map(|w| format!("{}: {}", s(w, "field"), reason(&s(w, "reason")))).collect::<Vec<_>>().join("; ");
                                view! {
                                    <tr>
                                        <th scope="row"><a href=href class="font-monospace">{cup}</a></th>
                                        <td>{s(&a, "callTitle")}</td>
                                        <td>{problems}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::reason_it as reason;

    #[test]
    fn the_servers_data_quality_reasons_read_in_italian() {
        // The reasons `Cup::structure_problem` and the importer write.
        assert_eq!(
            reason("has the letter O in position 7, where a CUP has a digit (a zero?); imported as published"),
            "ha la lettera O in posizione 7, dove un CUP ha una cifra (uno zero?); importato come pubblicato"
        );
        assert_eq!(
            reason("has 16 characters, a CUP has 15; imported as published"),
            "ha 16 caratteri, un CUP ne ha 15; importato come pubblicato"
        );
        assert_eq!(
            reason("has '2' in position 1, where a CUP has a letter; imported as published"),
            "ha «2» in posizione 1, dove un CUP ha una lettera; importato come pubblicato"
        );
        assert_eq!(
            reason("has 'C' in position 5, where a CUP has a digit; imported as published"),
            "ha «C» in posizione 5, dove un CUP ha una cifra; importato come pubblicato"
        );
        assert_eq!(
            reason("has cents; counted as EUR 4058598"),
            "ha i centesimi; conteggiato come 4058598 euro"
        );
    }
}
