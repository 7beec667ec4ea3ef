//! "API e dati aperti" / "API and open data": what a third party needs to build on
//! Nuvola (the endpoint, the schema, tokens, limits, error codes, webhooks) with
//! examples to copy. Public; loaded on demand (`app.rs`), so its text stays out of the
//! main wasm module. Its two languages are written side by side here rather than in the
//! message table, which lives in the main module.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use nuvola_shared::notify::WebhookEvent;

use crate::i18n::{lang, Lang};

/// How a receiver verifies a webhook's signature: the `verify` of
/// `examples/webhook_receiver.py` (the tests run that script against real deliveries).
const VERIFY: &str = r#"import hashlib, hmac, time

# timestamp: the Nuvola-Webhook-Timestamp header; signature: Nuvola-Webhook-Signature;
# body: the bytes received.
TOLERANCE_SECONDS = 300


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is Nuvola's for this body and a recent timestamp."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("v1=" + mac.hexdigest(), signature)"#;

/// What an event means (Italian, English) and the fields of its `data`.
fn event_text(event: WebhookEvent) -> (&'static str, &'static str, &'static str) {
    match event {
        WebhookEvent::ProjectStateChanged => (
            "Un progetto passa a un altro stato del suo ciclo di vita.",
            "A project moves to another state of its life cycle.",
            "cup, state, previousState",
        ),
        WebhookEvent::ServiceStatusChanged => (
            "Un servizio del piano cambia stato di migrazione.",
            "A service of the plan changes its migration status.",
            "cup, serviceId, name, status, previousStatus",
        ),
        WebhookEvent::RequestOpened => (
            "L'asseveratore apre (o riapre) una richiesta di documenti.",
            "The verifier opens (or reopens) a request for documents.",
            "cup, requestId, title, dueOn, state",
        ),
        WebhookEvent::RequestAnswered => (
            "L'amministrazione risponde a una richiesta.",
            "The administration answers a request.",
            "cup, requestId, title, dueOn, state",
        ),
        WebhookEvent::DocumentUploaded => (
            "Un documento è caricato (solo a chi può leggerlo).",
            "A document is uploaded (only to those who may read it).",
            "cup, documentId, kind, fileName, sizeBytes, sha256",
        ),
    }
}

/// A text in both languages, following the switch.
fn bi(it: &'static str, en: &'static str) -> impl IntoView {
    move || if lang() == Lang::En { en } else { it }
}

fn en() -> bool {
    lang() == Lang::En
}

/// Copies `text` with the browser's clipboard (`navigator.clipboard.writeText`), called
/// through `js_sys` so the page needs no more `web-sys` features. `Err` when the browser
/// refuses (no clipboard, no permission).
async fn copy_to_clipboard(text: String) -> Result<(), ()> {
    let window = web_sys::window().ok_or(())?;
    let clipboard = js_sys::Reflect::get(&window, &JsValue::from_str("navigator"))
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("clipboard")))
        .map_err(|_| ())?;
    let write = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .map_err(|_| ())?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| ())?;
    let promise = write
        .call1(&clipboard, &JsValue::from_str(&text))
        .map_err(|_| ())?
        .dyn_into::<js_sys::Promise>()
        .map_err(|_| ())?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| ())
}

/// An example to copy: the code, and a button that copies it and says so.
#[component]
fn Example(label: &'static str, code: String) -> impl IntoView {
    // None: not tried yet; Some(true) copied; Some(false) the browser refused.
    let copied = RwSignal::new(None::<bool>);
    let text = StoredValue::new(code.clone());
    view! {
        <div class="api-example mb-3">
            <div class="d-flex align-items-center justify-content-between flex-wrap gap-2">
                <span class="fw-semibold small">{label}</span>
                <button
                    type="button"
                    class="btn btn-outline-primary btn-xs"
                    on:click=move |_| {
                        leptos::task::spawn_local(async move {
                            copied.set(Some(copy_to_clipboard(text.get_value()).await.is_ok()));
                        });
                    }
                >
                    {move || match (copied.get(), en()) {
                        (Some(true), false) => "Copiato",
                        (Some(true), true) => "Copied",
                        (_, false) => "Copia l'esempio",
                        (_, true) => "Copy the example",
                    }}
                </button>
            </div>
            <p class="small text-danger mb-0" role="status">
                {move || match (copied.get(), en()) {
                    (Some(false), false) => "Il browser non consente di copiare: seleziona il testo dell'esempio.",
                    (Some(false), true) => "The browser does not allow copying: select the example's text.",
                    _ => "",
                }}
            </p>
            // Focusable and named: a box that scrolls must be reachable by keyboard.
            <pre class="api-code" tabindex="0" role="region" aria-label=label>
                <code>{code}</code>
            </pre>
        </div>
    }
}

/// The address the page was served from, for examples that work as they are.
fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned())
}

#[component]
pub fn ApiAndOpenData() -> impl IntoView {
    let base = origin();
    let curl_page = format!(
        r#"curl -s {base}/graphql -H 'content-type: application/json' -d '{{
  "query": "query Page($after: String) {{ applications(first: 50, after: $after, filter: {{ region: \"Liguria\", state: FUNDED }}) {{ totalCount edges {{ node {{ cup amountEur state openDataState administration {{ name kind }} }} }} pageInfo {{ hasNextPage endCursor }} }} }}",
  "variables": {{ "after": null }}
}}'"#
    );
    let curl_schema = format!("curl -s {base}/graphql/schema.graphql -o schema.graphql");
    let curl_token = format!(
        r#"curl -s {base}/graphql -H 'content-type: application/json' \
  -H "authorization: Bearer $TOKEN" \
  -d '{{"query": "{{ stats {{ applications amountEur byState {{ state applications }} }} }}"}}'"#
    );
    let cost = r#"{
  "data": { ... },
  "extensions": {
    "cost": {
      "requested": 254, "maxComplexity": 20000,
      "depth": 5, "maxDepth": 15,
      "remaining": 598, "limit": 600,
      "resetAt": "2026-11-30T10:15:00Z"
    }
  }
}"#
    .to_owned();
    let subscription =
        r#"subscription { projectStateChanged(cup: "G71C22000700006") { cup state previousState at } }"#
            .to_owned();
    let hook_body = r#"POST /your/endpoint
Nuvola-Webhook-Id: evt_3f9c0a7e5b1d4c2a8e6f0b9d7c5a3e1f
Nuvola-Webhook-Event: PROJECT_STATE_CHANGED
Nuvola-Webhook-Timestamp: 1764500400
Nuvola-Webhook-Signature: v1=<64 hex digits of HMAC-SHA256(secret, "1764500400.{body}")>

{"id": "evt_3f9c0a7e5b1d4c2a8e6f0b9d7c5a3e1f", "type": "PROJECT_STATE_CHANGED",
 "createdAt": "2026-11-30T10:20:00Z",
 "data": {"cup": "G71C22000700006", "state": "CONTRACTED", "previousState": "FUNDED"}}"#
        .to_owned();
    let python = "python3 examples/open_data_client.py --url ".to_owned()
        + &base
        + " --region Liguria --state FUNDED";
    let codes: &[(&str, &str, &str)] = &[
        ("UNAUTHENTICATED", "Token assente dove serve, scaduto, revocato o sconosciuto.", "No token where one is needed, or an expired, revoked or unknown one."),
        ("FORBIDDEN", "Il ruolo del token non può vedere o fare questo.", "The token's role may not see or do this."),
        ("NOT_FOUND", "Nessun dato ha questo identificativo.", "Nothing has this identifier."),
        ("INVALID_INPUT", "Un valore non è valido: extensions.field indica quale.", "A value is not valid: extensions.field names it."),
        ("INVALID_TRANSITION", "Il ciclo di vita non consente questo passaggio dallo stato attuale.", "The life cycle does not allow this move from the current state."),
        ("CONFLICT", "Versione superata o dato già esistente: rileggere e riprovare.", "A stale version or a clash with existing data: read again and retry."),
        ("DEADLINE_PASSED", "Il termine per questa operazione è scaduto.", "The deadline for this action has passed."),
        ("LIMIT_EXCEEDED", "La query supera un limite pubblicato (extensions.limit: depth, complexity o aliases).", "The query exceeds a published maximum (extensions.limit: depth, complexity or aliases)."),
        ("BAD_REQUEST", "Richiesta malformata: non JSON, un batch, una query non valida per lo schema.", "A malformed request: not JSON, a batch, a query the schema does not validate."),
        ("RATE_LIMITED", "Troppe richieste: attendere extensions.retryAfter secondi (HTTP 429).", "Too many requests: wait extensions.retryAfter seconds (HTTP 429)."),
        ("UNAVAILABLE", "Il database non è raggiungibile: riprovare dopo Retry-After (HTTP 503).", "The database cannot be reached: retry after Retry-After (HTTP 503)."),
        ("INTERNAL", "Errore interno: la causa è registrata nei log, mai restituita.", "An internal error: the cause is logged, never returned."),
    ];
    view! {
        <div class="container my-5 api-docs">
            <h1>{bi("API e dati aperti", "API and open data")}</h1>
            <p class="lead">
                {bi(
                    "Tutti i dati pubblici di Nuvola sono disponibili a programmi di terze parti (osservatori regionali, redazioni, fornitori) attraverso un'API GraphQL, senza registrazione.",
                    "All of Nuvola's public data is available to third-party programs (regional observatories, newsrooms, suppliers) through a GraphQL API, without registering.",
                )}
            </p>

            <h2 class="h4 mt-4">{bi("L'endpoint e lo schema", "The endpoint and the schema")}</h2>
            <ul>
                <li><code>"POST /graphql"</code>{bi(": una operazione per richiesta, solo application/json.", ": one operation per request, application/json only.")}</li>
                <li><code>"GET /graphql/schema.graphql"</code>{bi(": lo schema (SDL), sempre disponibile, anche dove l'introspezione è disattivata.", ": the schema (SDL), always available, also where introspection is off.")}</li>
                <li><code>"GET /graphql/ws"</code>{bi(": sottoscrizioni (graphql-transport-ws), per esempio i cambi di stato dei progetti.", ": subscriptions (graphql-transport-ws), e.g. projects' changes of state.")}</li>
                <li><code>"GET /api/export.csv"</code>{bi(": i progetti finanziati nel formato dei dati aperti (CC BY 4.0).", ": the funded projects in the open-data format (CC BY 4.0).")}</li>
            </ul>
            <p>
                {bi(
                    "Ogni insieme chiuso di valori (stati, classi di dati, modalità, origini, destinazioni, tipi di scadenza, di notifica, di evento e di documento, codici di errore) è un enum dello schema. Le pagine usano cursori Relay: first (al massimo 100) e after, con pageInfo.endCursor. In sviluppo, aprire /graphql nel browser mostra GraphiQL.",
                    "Every closed set of values (states, data classes, modalities, origins, destinations, kinds of deadline, notification, event and document, error codes) is an enum of the schema. Pages use Relay cursors: first (at most 100) and after, with pageInfo.endCursor. In development, opening /graphql in a browser shows GraphiQL.",
                )}
            </p>
            <Example label="Schema (SDL)" code=curl_schema/>
            <Example label="Progetti finanziati in Liguria, 50 per pagina / Funded projects in Liguria, 50 a page" code=curl_page/>
            <Example label="Python (examples/)" code=python/>

            <h2 class="h4 mt-4">{bi("Token", "Tokens")}</h2>
            <p>
                {bi(
                    "Senza token si vede quello che vede il pubblico: i dati aperti. Il Dipartimento rilascia token di sola lettura per terze parti (issueApiToken), validi fino a un anno e revocabili; si inviano come Authorization: Bearer TOKEN. Il token è mostrato una sola volta. Le persone accedono con le proprie credenziali: la sessione dura 12 ore.",
                    "Without a token a client sees what the public sees: the open data. The department issues read-only tokens for third parties (issueApiToken), valid up to a year and revocable; send them as Authorization: Bearer TOKEN. A token is shown once. People sign in with their own credentials: a session lasts 12 hours.",
                )}
            </p>
            <Example label="Con un token / With a token" code=curl_token/>

            <h2 class="h4 mt-4">{bi("Limiti", "Limits")}</h2>
            <p>
                {bi(
                    "Sono i limiti applicati dal server; una query che ne supera uno è rifiutata prima di essere eseguita, con il codice LIMIT_EXCEEDED.",
                    "These are the limits the server enforces; a query over one of them is refused before it runs, with the code LIMIT_EXCEEDED.",
                )}
            </p>
            <div class="table-responsive">
                <table class="table table-sm">
                    <caption class="visually-hidden">{bi("Limiti dell'API", "The API's limits")}</caption>
                    <thead><tr><th scope="col">{bi("Limite", "Limit")}</th><th scope="col">{bi("Valore", "Value")}</th></tr></thead>
                    <tbody>
                        <tr><th scope="row">{bi("Richieste al minuto, per token o indirizzo (per replica)", "Requests a minute, per token or address (per replica)")}</th><td>"600"</td></tr>
                        <tr><th scope="row">{bi("Profondità della query", "Query depth")}</th><td>"15"</td></tr>
                        <tr><th scope="row">{bi("Complessità della query", "Query complexity")}</th><td>"20.000"</td></tr>
                        <tr><th scope="row">{bi("Alias per query", "Aliases per query")}</th><td>"30"</td></tr>
                        <tr><th scope="row">{bi("Elementi per pagina (first)", "Items per page (first)")}</th><td>"100"</td></tr>
                        <tr><th scope="row">{bi("Dimensione della richiesta", "Request size")}</th><td>"256 KiB"</td></tr>
                    </tbody>
                </table>
            </div>
            <p>
                {bi(
                    "Ogni risposta riporta in extensions.cost la complessità della query (requested), la profondità e quanto resta del minuto (remaining, limit, resetAt); le intestazioni RateLimit-Limit, RateLimit-Remaining e RateLimit-Reset dicono lo stesso. Oltre il limite: HTTP 429 con Retry-After.",
                    "Every answer carries in extensions.cost the query's complexity (requested), its depth and what is left of the minute (remaining, limit, resetAt); the RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers say the same. Beyond the limit: HTTP 429 with Retry-After.",
                )}
            </p>
            <Example label="extensions.cost" code=cost/>

            <h2 class="h4 mt-4">{bi("Codici di errore", "Error codes")}</h2>
            <p>
                {bi(
                    "Ogni errore ha un codice stabile in extensions.code (l'enum ErrorCode dello schema): i programmi decidono sul codice, non sul messaggio, che è in inglese per gli sviluppatori e può cambiare.",
                    "Every error has a stable code in extensions.code (the schema's ErrorCode enum): programs decide on the code, not on the message, which is English for developers and may change.",
                )}
            </p>
            <div class="table-responsive">
                <table class="table table-sm">
                    <caption class="visually-hidden">{bi("Codici di errore", "Error codes")}</caption>
                    <thead><tr><th scope="col">{bi("Codice", "Code")}</th><th scope="col">{bi("Significato", "Meaning")}</th></tr></thead>
                    <tbody>
                        {codes
                            .iter()
                            .map(|&(code, it, en)| view! { <tr><th scope="row"><code>{code}</code></th><td>{bi(it, en)}</td></tr> })
                            .collect_view()}
                    </tbody>
                </table>
            </div>

            <h2 class="h4 mt-4">"Webhook"</h2>
            <p>
                {bi(
                    "I webhook inviano a un vostro indirizzo HTTPS ogni cambiamento che vi interessa, senza interrogare l'API. Un'amministrazione, un fornitore o PSN registra un webhook per gli eventi della propria organizzazione; il Dipartimento per gli eventi di tutti i progetti. Si registrano nell'applicazione, alla pagina Webhook (/webhook) dopo l'accesso, o con la mutation registerWebhook(url, kinds); il segreto di firma è mostrato una sola volta. Un webhook porta solo ciò che il suo proprietario può leggere con l'API: un fornitore sa solo dei propri servizi e mai delle richieste di verifica.",
                    "Webhooks send each change you care about to an HTTPS address of yours, without polling the API. An administration, a supplier or PSN registers a webhook for its own organisation's events; the department for the events of every project. Register them in the web application, on the Webhook page (/webhook) after signing in, or with the registerWebhook(url, kinds) mutation; the signing secret is shown once. A webhook carries only what its owner may read through the API: a supplier hears only of its own services and never of verification requests.",
                )}
            </p>
            <div class="table-responsive">
                <table class="table table-sm table-stack">
                    <caption class="visually-hidden">{bi("Eventi dei webhook", "Webhook events")}</caption>
                    <thead><tr><th scope="col">{bi("Evento (WebhookEvent)", "Event (WebhookEvent)")}</th><th scope="col">{bi("Quando", "When")}</th><th scope="col">"data"</th></tr></thead>
                    <tbody>
                        {WebhookEvent::ALL
                            .iter()
                            .map(|&event| {
                                let (it, english, data) = event_text(event);
                                view! {
                                    <tr>
                                        <th scope="row"><code>{event.code()}</code></th>
                                        <td data-label=move || if en() { "When" } else { "Quando" }>{bi(it, english)}</td>
                                        <td data-label="data"><code>{data}</code></td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <p>
                {bi(
                    "Ogni evento è una richiesta POST con un corpo JSON {\"id\", \"type\", \"createdAt\", \"data\"} e queste intestazioni:",
                    "Each event is a POST request with a JSON body {\"id\", \"type\", \"createdAt\", \"data\"} and these headers:",
                )}
            </p>
            <div class="table-responsive">
                <table class="table table-sm table-stack">
                    <caption class="visually-hidden">{bi("Intestazioni dei webhook", "Webhook headers")}</caption>
                    <thead><tr><th scope="col">{bi("Intestazione", "Header")}</th><th scope="col">{bi("Valore", "Value")}</th></tr></thead>
                    <tbody>
                        <tr><th scope="row"><code>"Nuvola-Webhook-Id"</code></th><td>{bi("L'id dell'evento (evt_…), uguale a ogni nuovo tentativo e reinvio: usatelo per scartare i duplicati.", "The event id (evt_…), the same on every retry and replay: use it to discard duplicates.")}</td></tr>
                        <tr><th scope="row"><code>"Nuvola-Webhook-Event"</code></th><td>{bi("Il tipo di evento, come type nel corpo.", "The event kind, as type in the body.")}</td></tr>
                        <tr><th scope="row"><code>"Nuvola-Webhook-Timestamp"</code></th><td>{bi("I secondi Unix di questo tentativo.", "The Unix seconds of this attempt.")}</td></tr>
                        <tr><th scope="row"><code>"Nuvola-Webhook-Signature"</code></th><td>{bi("v1= seguito dall'HMAC-SHA256 esadecimale, con il segreto come chiave, di \"{timestamp}.{corpo}\".", "v1= followed by the hex HMAC-SHA256, keyed by the secret, of \"{timestamp}.{body}\".")}</td></tr>
                    </tbody>
                </table>
            </div>
            <Example label="Corpo / Body" code=hook_body/>
            <p>
                {bi(
                    "Ogni risposta 2xx è un successo. Altrimenti, o senza risposta entro 10 secondi, l'invio è ritentato con attesa esponenziale: 30 secondi, poi il doppio a ogni tentativo fino a un'ora, 8 tentativi in tutto; poi la consegna è segnata come non riuscita. Il registro delle consegne (webhooks { deliveries }, o la pagina Webhook) mostra ogni tentativo con la risposta ricevuta; replayDelivery(id), o «Invia di nuovo», la invia ancora con lo stesso id dell'evento.",
                    "Any 2xx answer is a success. Otherwise, or without an answer within 10 seconds, the call is retried with exponential backoff: 30 seconds, then twice as long at each attempt up to an hour, 8 attempts in all; then the delivery is marked as failed. The delivery log (webhooks { deliveries }, or the Webhook page) shows every attempt with the answer received; replayDelivery(id), or \"Send again\", sends it once more with the same event id.",
                )}
            </p>
            <p>
                {bi(
                    "Verificate la firma prima di usare il corpo: ricalcolate l'HMAC-SHA256 con il segreto sui byte ricevuti, confrontatelo a tempo costante e rifiutate un timestamp più vecchio di 5 minuti. examples/webhook_receiver.py è un ricevitore completo costruito su questa funzione (solo libreria standard).",
                    "Verify the signature before using the body: compute the HMAC-SHA256 with the secret over the bytes received, compare it in constant time and refuse a timestamp older than 5 minutes. examples/webhook_receiver.py is a whole receiver built on this function (standard library only).",
                )}
            </p>
            <Example label="Python: verificare la firma / verifying the signature" code=VERIFY.to_owned()/>
            <p>
                {bi(
                    "In produzione sono accettati solo indirizzi https:// il cui nome risolve in indirizzi pubblici: un indirizzo privato, locale o di loopback è rifiutato alla registrazione e di nuovo a ogni connessione, e i redirect non sono seguiti.",
                    "In production only https:// addresses whose name resolves to public addresses are accepted: a private, link-local or loopback address is refused at registration and again at every connection, and redirects are not followed.",
                )}
            </p>
            <p>
                {bi(
                    "Senza un vostro indirizzo, la sottoscrizione projectStateChanged su /graphql/ws notifica ogni cambio di stato di un progetto, anche senza token.",
                    "Without an address of your own, the projectStateChanged subscription over /graphql/ws reports every change of state of a project, also without a token.",
                )}
            </p>
            <Example label="Sottoscrizione / Subscription" code=subscription/>

            <h2 class="h4 mt-4">{bi("Cambiamenti dello schema", "Changes of the schema")}</h2>
            <p>
                {bi(
                    "Un campo da eliminare viene prima deprecato (@deprecated con il motivo) per almeno una versione. Ogni cambiamento incompatibile è elencato nel CHANGELOG del progetto, e un test confronta lo schema con quello della versione precedente.",
                    "A field to be removed is deprecated first (@deprecated with its reason) for at least one release. Every breaking change is listed in the project's CHANGELOG, and a test compares the schema with the previous release's.",
                )}
            </p>
        </div>
    }
}
