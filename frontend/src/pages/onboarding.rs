//! Onboarding (issue 12): `/richiedi-accesso`, where a person who acts for nobody asks
//! to act for an administration (by IPA code or by name) or registers a supplier (VAT
//! number checked as typed, with the `shared` rule the server applies) and follows its
//! requests; `/dipartimento/richieste-accesso`, the department's queue (approve, or
//! reject with a reason); `/ente/membri`, the members of the organisation one acts for
//! (the referent invites and removes); `/invito/:token`, accepting an invitation.
//! The server decides every permission; these pages only offer.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use nuvola_shared::notify::EmailAddress;
use nuvola_shared::onboarding::{check_reason, check_supplier_name, invitable_roles};
use nuvola_shared::{IpaCode, Role, VatNumber};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{blames, Breadcrumb, ConfirmStep, Empty, ErrorAlert, FieldError, Loading};
use crate::api::{self, ApiError};
use crate::i18n::{role_label, t, tf};
use crate::session::{home_of, use_session};

const SEARCH: &str = "query Search($q: String!, $after: String) { searchAdministrations(text: $q, first: 10, after: $after) { totalCount hasNextPage endCursor items { ipaCode name region } } }";
const MY_REQUESTS: &str = "query MyRequests { myAccessRequests { id kind role state organisationName supplierVat note reason createdAt } }";
const REQUEST_ACCESS: &str =
    "mutation RequestAccess($i: AccessRequestInput!) { requestAccess(input: $i) { id } }";
const WITHDRAW: &str = "mutation Withdraw($id: ID!) { withdrawAccessRequest(id: $id) { id } }";
const QUEUE: &str = "query Queue($f: AccessRequestFilter, $after: String) { accessRequests(first: 20, filter: $f, after: $after) { totalCount hasNextPage endCursor items { id kind role state organisationName supplierVat registersSupplier note reason createdAt requester { username displayName fiscalCode email } } } }";
const APPROVE: &str = "mutation Approve($id: ID!) { approveAccessRequest(id: $id) { id } }";
const REJECT: &str =
    "mutation Reject($id: ID!, $r: String!) { rejectAccessRequest(id: $id, reason: $r) { id } }";
const MEMBERS: &str = "query Members { organisationMembers { id role isReferent createdAt person { username displayName email } } organisationInvitations { id email role state expiresAt } }";
const MEMBERS_ONLY: &str = "query MembersOnly { organisationMembers { id role isReferent createdAt person { username displayName email } } }";
const INVITE: &str = "mutation Invite($i: InvitationInput!) { inviteMember(input: $i) { id } }";
const REVOKE: &str = "mutation Revoke($id: ID!) { revokeInvitation(id: $id) { id } }";
const REMOVE: &str = "mutation Remove($id: ID!) { removeMembership(id: $id) { id } }";
const PREVIEW: &str = "query Preview($t: String!) { invitation(token: $t) { organisationName role state expiresAt } }";
const ACCEPT: &str = "mutation Accept($t: String!) { acceptInvitation(token: $t) { id } }";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Found {
    ipa_code: String,
    name: String,
    region: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Person {
    username: String,
    display_name: Option<String>,
    #[serde(default)]
    fiscal_code: Option<String>,
    email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    id: String,
    kind: String,
    role: Role,
    state: String,
    organisation_name: String,
    supplier_vat: Option<String>,
    #[serde(default)]
    registers_supplier: bool,
    note: Option<String>,
    reason: Option<String>,
    created_at: String,
    #[serde(default)]
    requester: Option<Person>,
}

fn state_label(state: &str) -> &'static str {
    match state {
        "PENDING" => t("In attesa"),
        "APPROVED" => t("Approvata"),
        "REJECTED" => t("Respinta"),
        "EXPIRED" => t("Scaduta"),
        "WITHDRAWN" => t("Ritirata"),
        "ACCEPTED" => t("Accettato"),
        "REVOKED" => t("Revocato"),
        _ => t("Sconosciuto"),
    }
}

fn state_class(state: &str) -> &'static str {
    match state {
        "APPROVED" | "ACCEPTED" => "badge bg-success",
        "REJECTED" | "REVOKED" => "badge bg-danger",
        "PENDING" => "badge bg-primary",
        _ => "badge bg-secondary",
    }
}

fn day(at: &str) -> String {
    crate::format::date(at.get(..10).unwrap_or(at))
}

/// The person's own requests, with withdrawal of a pending one.
#[component]
fn MyRequests(version: RwSignal<u32>) -> impl IntoView {
    let requests = RwSignal::new(None::<Vec<Request>>);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    Effect::new(move |_| {
        version.track();
        leptos::task::spawn_local(async move {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Data {
                my_access_requests: Vec<Request>,
            }
            match api::query::<Data>(MY_REQUESTS, json!({})).await {
                Ok(d) => requests.set(Some(d.my_access_requests)),
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let withdraw = move |id: String| {
        pending.set(true);
        leptos::task::spawn_local(async move {
            match api::query::<Value>(WITHDRAW, json!({ "id": id })).await {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <section class="mt-5" aria-labelledby="mie-richieste">
            <h2 id="mie-richieste" class="h4">{move || t("Le tue richieste")}</h2>
            {move || error.get().map(|e| view! { <ErrorAlert error=e/> })}
            {move || match requests.get() {
                None => view! { <Loading what="Caricamento delle richieste…"/> }.into_any(),
                Some(list) if list.is_empty() => view! { <Empty what="Non hai ancora inviato richieste."/> }.into_any(),
                Some(list) => view! {
                    <ul class="list-unstyled">
                        {list.into_iter().map(|r| {
                            let id = r.id.clone();
                            let is_pending = r.state == "PENDING";
                            let state = r.state.clone();
                            let badge = state_class(&state);
                            let role = r.role;
                            let sent_on = day(&r.created_at);
                            view! {
                                <li class="card card-bg mb-3 p-3">
                                    <p class="fw-semibold mb-1">{r.organisation_name.clone()}</p>
                                    <p class="small mb-1">
                                        {move || role_label(role)} " · " {move || tf("inviata il {}", &[&sent_on])} " · "
                                        <span class=badge>{move || state_label(&state)}</span>
                                    </p>
                                    {r.reason.clone().map(|reason| view! {
                                        <p class="small mb-1">{move || t("Motivo")} ": " {reason.clone()}</p>
                                    })}
                                    {is_pending.then(|| {
                                        let id = id.clone();
                                        view! {
                                            <div>
                                            <ConfirmStep
                                                label="Ritira la richiesta"
                                                consequence="La richiesta sarà ritirata e il Dipartimento non la esaminerà più."
                                                confirm="Ritira"
                                                class="btn-outline-danger btn-sm"
                                                pending=pending
                                                on_confirm=Callback::new(move |_| withdraw(id.clone()))
                                            />
                                            </div>
                                        }
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

/// `/richiedi-accesso`: ask to act for an administration or register a supplier.
#[component]
pub fn RequestAccess() -> impl IntoView {
    let session = use_session();
    let supplier = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let results = RwSignal::new(None::<(Vec<Found>, i64)>);
    let chosen = RwSignal::new(None::<(String, String)>);
    let ipa = RwSignal::new(String::new());
    let vat = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let version = RwSignal::new(0u32);

    let find = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = search.get_untracked().trim().to_owned();
        if q.chars().count() < 2 {
            error.set(Some(ApiError::worded(
                "text",
                "Scrivi almeno 2 caratteri del nome o del codice IPA.",
                &[],
            )));
            return;
        }
        error.set(None);
        leptos::task::spawn_local(async move {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Page {
                total_count: i64,
                items: Vec<Found>,
            }
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Data {
                search_administrations: Page,
            }
            match api::query::<Data>(SEARCH, json!({ "q": q })).await {
                Ok(d) => results.set(Some((
                    d.search_administrations.items,
                    d.search_administrations.total_count,
                ))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // The VAT number is checked as it is typed, with the server's rule.
    let vat_problem = move || {
        let v = vat.get();
        (!v.trim().is_empty() && VatNumber::parse(&v).is_err()).then(|| {
            t("La partita IVA ha 11 cifre e l'ultima è una cifra di controllo: ricontrollala.")
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sent.set(false);
        let input = if supplier.get_untracked() {
            let v = vat.get_untracked();
            // Typed, not chosen: an empty one asks for it (not "choose the supplier").
            if v.trim().is_empty() {
                error.set(Some(ApiError::worded(
                    "supplierVat",
                    "Scrivi la partita IVA del fornitore (11 cifre).",
                    &[],
                )));
                return;
            }
            if let Err(e) = VatNumber::parse(&v) {
                error.set(Some(ApiError::invalid("supplierVat", e.to_string())));
                return;
            }
            let n = name.get_untracked();
            if !n.trim().is_empty() {
                if let Err(e) = check_supplier_name(&n) {
                    error.set(Some(ApiError::invalid("supplierName", e.to_string())));
                    return;
                }
            }
            let m = email.get_untracked();
            if !m.trim().is_empty() {
                if let Err(e) = EmailAddress::parse(&m) {
                    error.set(Some(ApiError::invalid("supplierEmail", e.to_string())));
                    return;
                }
            }
            json!({ "supplierVat": v.trim(), "supplierName": (!n.trim().is_empty()).then(|| n.trim().to_owned()),
                    "supplierEmail": (!m.trim().is_empty()).then(|| m.trim().to_owned()), "note": note.get_untracked() })
        } else {
            let code = chosen
                .get_untracked()
                .map(|(c, _)| c)
                .unwrap_or_else(|| ipa.get_untracked());
            if code.trim().is_empty() {
                error.set(Some(ApiError::worded(
                    "ipaCode",
                    "Scegli l'amministrazione dall'elenco o scrivi il suo codice IPA.",
                    &[],
                )));
                return;
            }
            if let Err(e) = IpaCode::parse(&code) {
                error.set(Some(ApiError::invalid("ipaCode", e.to_string())));
                return;
            }
            json!({ "ipaCode": code.trim(), "note": note.get_untracked() })
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::query::<Value>(REQUEST_ACCESS, json!({ "i": input })).await {
                Ok(_) => {
                    error.set(None);
                    sent.set(true);
                    note.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let ipa_invalid = blames(error.into(), &["ipaCode"]);
    let vat_invalid = Signal::derive(move || {
        vat_problem().is_some() || blames(error.into(), &["supplierVat"]).get()
    });
    let name_invalid = blames(error.into(), &["supplierName"]);
    let email_invalid = blames(error.into(), &["supplierEmail"]);
    let note_invalid = blames(error.into(), &["note"]);
    let general = move || {
        error.get().filter(|e| {
            !matches!(
                e.field(),
                Some(
                    "ipaCode" | "supplierVat" | "supplierName" | "supplierEmail" | "note" | "text"
                )
            )
        })
    };
    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("Richiedi l'accesso").to_owned())/>
            <h1>{move || t("Richiedi l'accesso")}</h1>
            <p class="lead">{move || if session.user().is_some_and(|me| me.memberships.is_empty()) {
                t("Non operi ancora per alcun ente. Chiedi di operare per un'amministrazione o registra un fornitore: il Dipartimento esamina la richiesta e ti avvisa dell'esito.")
            } else {
                t("Chiedi di operare per un altro ente: il Dipartimento esamina la richiesta e ti avvisa dell'esito.")
            }}</p>
            <fieldset class="my-3">
                <legend class="h5">{move || t("Per chi vuoi operare?")}</legend>
                <div class="form-check form-check-inline">
                    <input class="form-check-input" type="radio" name="tipo" id="tipo-ente" checked=move || !supplier.get()
                        on:change=move |_| { supplier.set(false); error.set(None); }/>
                    <label class="form-check-label" for="tipo-ente">{move || t("Un'amministrazione pubblica")}</label>
                </div>
                <div class="form-check form-check-inline">
                    <input class="form-check-input" type="radio" name="tipo" id="tipo-fornitore" checked=move || supplier.get()
                        on:change=move |_| { supplier.set(true); error.set(None); }/>
                    <label class="form-check-label" for="tipo-fornitore">{move || t("Un fornitore cloud")}</label>
                </div>
            </fieldset>
            <Show when=move || !supplier.get()>
                <form class="my-3" role="search" on:submit=find novalidate>
                    <label class="form-label" for="cerca-ente">{move || t("Cerca l'amministrazione per nome o codice IPA")}</label>
                    <div class="d-flex flex-wrap gap-2">
                        <input id="cerca-ente" class="form-control" style="max-width: 28rem" type="search"
                            prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))
                            aria-describedby="cerca-ente-errore"/>
                        <button type="submit" class="btn btn-outline-primary">{move || t("Cerca")}</button>
                    </div>
                    <FieldError id="cerca-ente-errore" names=&["text"] error=error/>
                </form>
                {move || results.get().map(|(items, total)| view! {
                    <p class="small" role="status">{move || tf("Amministrazioni trovate: {}", &[&total.to_string()])}</p>
                    <ul class="list-unstyled" aria-label=move || t("Amministrazioni trovate")>
                        {items.into_iter().map(|a| {
                            let pick = (a.ipa_code.clone(), a.name.clone());
                            let label = format!("{}: {}", t("Scegli"), a.name);
                            view! {
                                <li class="d-flex flex-wrap align-items-center justify-content-between gap-2 border-bottom py-2">
                                    <span>{a.name.clone()} " (" {a.ipa_code.clone()} ", " {a.region.clone()} ")"</span>
                                    <button type="button" class="btn btn-sm btn-primary" aria-label=label
                                        on:click=move |_| { chosen.set(Some(pick.clone())); ipa.set(pick.0.clone()); }>
                                        {move || t("Scegli")}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })}
            </Show>
            <form class="my-4" on:submit=submit novalidate>
                <Show when=move || !supplier.get() fallback=move || view! {
                    <div class="row g-3">
                        <div class="col-12 col-md-6">
                            <label class="form-label" for="partita-iva">{move || t("Partita IVA")}</label>
                            <input id="partita-iva" class="form-control" inputmode="numeric" autocomplete="off"
                                class:is-invalid=move || vat_invalid.get()
                                aria-invalid=move || vat_invalid.get().to_string()
                                aria-describedby="partita-iva-errore"
                                prop:value=move || vat.get() on:input=move |ev| vat.set(event_target_value(&ev))/>
                            <div id="partita-iva-errore" class="text-danger small mt-1" aria-live="polite">
                                {move || vat_problem().map(str::to_owned).or_else(|| error.get().filter(|e| e.field() == Some("supplierVat")).map(|e| e.to_string()))}
                            </div>
                        </div>
                        <div class="col-12 col-md-6">
                            <label class="form-label" for="ragione-sociale">{move || t("Ragione sociale (se il fornitore non è ancora registrato)")}</label>
                            <input id="ragione-sociale" class="form-control" class:is-invalid=move || name_invalid.get()
                                aria-describedby="ragione-sociale-errore"
                                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                            <FieldError id="ragione-sociale-errore" names=&["supplierName"] error=error/>
                        </div>
                        <div class="col-12 col-md-6">
                            <label class="form-label" for="pec-fornitore">{move || t("PEC o e-mail del fornitore (facoltativa)")}</label>
                            <input id="pec-fornitore" class="form-control" type="email" class:is-invalid=move || email_invalid.get()
                                aria-describedby="pec-fornitore-errore"
                                prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                            <FieldError id="pec-fornitore-errore" names=&["supplierEmail"] error=error/>
                        </div>
                    </div>
                }>
                    <div class="row g-3">
                        <div class="col-12 col-md-6">
                            <label class="form-label" for="codice-ipa">{move || t("Codice IPA dell'amministrazione")}</label>
                            <input id="codice-ipa" class="form-control" autocomplete="off" class:is-invalid=move || ipa_invalid.get()
                                aria-describedby="codice-ipa-errore"
                                prop:value=move || ipa.get() on:input=move |ev| { chosen.set(None); ipa.set(event_target_value(&ev)); }/>
                            <FieldError id="codice-ipa-errore" names=&["ipaCode"] error=error/>
                            {move || chosen.get().map(|(_, n)| view! { <p class="small mt-1">{move || t("Scelta")} ": " {n.clone()}</p> })}
                        </div>
                    </div>
                </Show>
                <div class="my-3">
                    <label class="form-label" for="nota">{move || t("Nota per il Dipartimento (facoltativa)")}</label>
                    <textarea id="nota" class="form-control" rows="3" maxlength="1000" class:is-invalid=move || note_invalid.get()
                        aria-describedby="nota-errore"
                        prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                    <FieldError id="nota-errore" names=&["note"] error=error/>
                </div>
                {move || general().map(|e| view! { <ErrorAlert error=e/> })}
                <p class="text-success" role="status" aria-live="polite">
                    {move || sent.get().then(|| t("Richiesta inviata: il Dipartimento la esaminerà."))}
                </p>
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>{move || t("Invia la richiesta")}</button>
            </form>
            <MyRequests version=version/>
        </div>
    }
}

/// `/dipartimento/richieste-accesso`: the department's queue.
#[component]
pub fn AccessQueue() -> impl IntoView {
    let state = RwSignal::new("PENDING".to_owned());
    let kind = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(None::<(Vec<Request>, i64, Option<String>)>);
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<&'static str>);
    let pending = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    let load = move |after: Option<String>| {
        let mut f = serde_json::Map::new();
        if !state.get_untracked().is_empty() {
            f.insert("state".into(), json!(state.get_untracked()));
        }
        if !kind.get_untracked().is_empty() {
            f.insert("kind".into(), json!(kind.get_untracked()));
        }
        let s = search.get_untracked();
        if !s.trim().is_empty() {
            f.insert("search".into(), json!(s.trim()));
        }
        leptos::task::spawn_local(async move {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Page {
                total_count: i64,
                has_next_page: bool,
                end_cursor: Option<String>,
                items: Vec<Request>,
            }
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Data {
                access_requests: Page,
            }
            let more = after.is_some();
            match api::query::<Data>(QUEUE, json!({ "f": Value::Object(f), "after": after })).await
            {
                Ok(d) => {
                    let p = d.access_requests;
                    let next = p.has_next_page.then_some(p.end_cursor).flatten();
                    page.update(|old| {
                        let mut items = if more {
                            old.take().map(|o| o.0).unwrap_or_default()
                        } else {
                            Vec::new()
                        };
                        items.extend(p.items);
                        *old = Some((items, p.total_count, next));
                    });
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        version.track();
        load(None);
    });
    let filter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        version.update(|v| *v += 1);
    };
    let decide = move |doc: &'static str, vars: Value, what: &'static str| {
        pending.set(true);
        done.set(None);
        leptos::task::spawn_local(async move {
            match api::query::<Value>(doc, vars).await {
                Ok(_) => {
                    error.set(None);
                    done.set(Some(what));
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <div class="container my-4">
            <Breadcrumb links=vec![("Cruscotto nazionale", "/dipartimento".to_owned())] here=Signal::derive(|| t("Richieste di accesso").to_owned())/>
            <h1>{move || t("Richieste di accesso")}</h1>
            <p class="lead">{move || t("Chi chiede di operare per un'amministrazione o di registrare un fornitore. Approvando, la persona opera per l'ente; la prima approvata ne diventa referente.")}</p>
            <form class="row g-3 align-items-end my-3" on:submit=filter>
                <div class="col-12 col-md-3">
                    <label class="form-label" for="filtro-stato">{move || t("Stato")}</label>
                    <select id="filtro-stato" class="form-select" on:change=move |ev| state.set(event_target_value(&ev))>
                        {[("PENDING", "In attesa"), ("APPROVED", "Approvata"), ("REJECTED", "Respinta"), ("EXPIRED", "Scaduta"), ("WITHDRAWN", "Ritirata"), ("", "Tutte")]
                            .into_iter().map(|(v, l)| view! { <option value=v selected=move || state.get() == v>{move || t(l)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="col-12 col-md-3">
                    <label class="form-label" for="filtro-tipo">{move || t("Tipo di ente")}</label>
                    <select id="filtro-tipo" class="form-select" on:change=move |ev| kind.set(event_target_value(&ev))>
                        {[("", "Tutti"), ("ADMINISTRATION", "Amministrazioni"), ("SUPPLIER", "Fornitori")]
                            .into_iter().map(|(v, l)| view! { <option value=v selected=move || kind.get() == v>{move || t(l)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="col-12 col-md-4">
                    <label class="form-label" for="filtro-cerca">{move || t("Cerca persona o ente")}</label>
                    <input id="filtro-cerca" class="form-control" type="search" prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))/>
                </div>
                <div class="col-12 col-md-2">
                    <button type="submit" class="btn btn-outline-primary w-100">{move || t("Filtra")}</button>
                </div>
            </form>
            {move || error.get().map(|e| view! { <ErrorAlert error=e/> })}
            <p class="text-success" role="status" aria-live="polite">{move || done.get().map(t)}</p>
            {move || match page.get() {
                None => view! { <Loading what="Caricamento delle richieste…"/> }.into_any(),
                Some((items, _, _)) if items.is_empty() => view! { <Empty what="Nessuna richiesta con questi filtri."/> }.into_any(),
                Some((items, total, next)) => view! {
                    <p class="small">{move || tf("Richieste trovate: {}", &[&total.to_string()])}</p>
                    <ul class="list-unstyled">
                        {items.into_iter().map(|r| {
                            let id = r.id.clone();
                            let id2 = r.id.clone();
                            let reason = RwSignal::new(String::new());
                            let reason_error = RwSignal::new(None::<ApiError>);
                            let who = r.requester.clone().map(|p| {
                                let mut s = p.display_name.clone().unwrap_or_else(|| p.username.clone());
                                if let Some(cf) = &p.fiscal_code { s.push_str(&format!(" · {cf}")); }
                                if let Some(m) = &p.email { s.push_str(&format!(" · {m}")); }
                                s
                            }).unwrap_or_default();
                            let state = r.state.clone();
                            let badge = state_class(&state);
                            let role = r.role;
                            let sent_on = day(&r.created_at);
                            let is_pending = r.state == "PENDING";
                            let reason_id = format!("motivo-{}", r.id);
                            let reason_err_id = format!("motivo-{}-errore", r.id);
                            view! {
                                <li class="card card-bg mb-3 p-3">
                                    <p class="fw-semibold mb-1">{r.organisation_name.clone()}
                                        {r.supplier_vat.clone().map(|v| view! { " (" {move || t("Partita IVA")} " " {v} ")" })}
                                    </p>
                                    <p class="small mb-1">{who} " · " {move || role_label(role)} " · " {move || tf("inviata il {}", &[&sent_on])}
                                        " · " <span class=badge>{move || state_label(&state)}</span>
                                    </p>
                                    {r.registers_supplier.then(|| view! { <p class="small mb-1">{move || t("Approvando si registra un nuovo fornitore.")}</p> })}
                                    {r.note.clone().map(|n| view! { <p class="small mb-1">{move || t("Nota")} ": " {n.clone()}</p> })}
                                    {r.reason.clone().map(|n| view! { <p class="small mb-1">{move || t("Motivo")} ": " {n.clone()}</p> })}
                                    {is_pending.then(move || view! {
                                        <div class="d-flex flex-wrap gap-2 align-items-start mt-2">
                                            <ConfirmStep
                                                label="Approva"
                                                consequence="La persona opererà per l'ente da subito e riceverà una notifica."
                                                confirm="Conferma l'approvazione"
                                                pending=pending
                                                on_confirm=Callback::new(move |_| decide(APPROVE, json!({ "id": id.clone() }), "Richiesta approvata."))
                                            />
                                        </div>
                                        <div class="mt-3">
                                            <label class="form-label" for=reason_id.clone()>{move || t("Motivo del rifiuto")}</label>
                                            <textarea id=reason_id.clone() class="form-control" rows="2"
                                                aria-describedby=reason_err_id.clone()
                                                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                                            <FieldError id=reason_err_id.clone() names=&["reason"] error=reason_error/>
                                            <div class="mt-2">
                                                <ConfirmStep
                                                    label="Respingi"
                                                    consequence="La richiesta sarà respinta; la persona leggerà il motivo."
                                                    confirm="Conferma il rifiuto"
                                                    class="btn-danger"
                                                    pending=pending
                                                    ready=Callback::new(move |_| match check_reason(&reason.get_untracked()) {
                                                        Ok(_) => { reason_error.set(None); true }
                                                        Err(_) => { reason_error.set(Some(ApiError::worded("reason", "Scrivi il motivo del rifiuto (almeno 5 caratteri).", &[]))); false }
                                                    })
                                                    on_confirm=Callback::new(move |_| decide(REJECT, json!({ "id": id2.clone(), "r": reason.get_untracked() }), "Richiesta respinta."))
                                                />
                                            </div>
                                        </div>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {next.map(|cursor| view! {
                        <button type="button" class="btn btn-outline-primary" on:click=move |_| load(Some(cursor.clone()))>
                            {move || t("Mostra altre richieste")}
                        </button>
                    })}
                }.into_any(),
            }}
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Member {
    id: String,
    role: Role,
    is_referent: bool,
    created_at: String,
    person: Option<Person>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Invited {
    id: String,
    email: String,
    role: Role,
    state: String,
    expires_at: String,
}

/// `/ente/membri`: the members of the organisation one acts for; its referent (and the
/// department, for its own staff and verifiers) invites and removes.
#[component]
pub fn Members() -> impl IntoView {
    let session = use_session();
    let members = RwSignal::new(None::<Vec<Member>>);
    let invitations = RwSignal::new(None::<Vec<Invited>>);
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<&'static str>);
    let pending = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    let email = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let acting_role = move || session.role().unwrap_or(Role::Public);
    let role = RwSignal::new(String::new());
    let me_is_referent = move || {
        acting_role() == Role::Department
            || session.user().and_then(|me| me.acting_as).is_some_and(|a| {
                members.with(|m| {
                    m.as_ref()
                        .is_some_and(|m| m.iter().any(|x| x.id == a.id && x.is_referent))
                })
            })
    };
    Effect::new(move |_| {
        version.track();
        leptos::task::spawn_local(async move {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Data {
                organisation_members: Vec<Member>,
                #[serde(default)]
                organisation_invitations: Option<Vec<Invited>>,
            }
            // A member who is not the referent reads the members only.
            match api::query::<Data>(MEMBERS, json!({})).await {
                Ok(d) => {
                    members.set(Some(d.organisation_members));
                    invitations.set(d.organisation_invitations);
                }
                Err(_) => match api::query::<Data>(MEMBERS_ONLY, json!({})).await {
                    Ok(d) => {
                        members.set(Some(d.organisation_members));
                        invitations.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                },
            }
        });
    });
    let act = move |doc: &'static str, vars: Value, what: &'static str| {
        pending.set(true);
        done.set(None);
        leptos::task::spawn_local(async move {
            match api::query::<Value>(doc, vars).await {
                Ok(_) => {
                    error.set(None);
                    done.set(Some(what));
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let address = email.get_untracked();
        if let Err(e) = EmailAddress::parse(&address) {
            error.set(Some(ApiError::invalid("email", e.to_string())));
            return;
        }
        let roles = invitable_roles(acting_role());
        // One role: that one. Several: the person chooses, nothing is assumed.
        let chosen = match roles {
            [only] => Some(*only),
            _ => Role::parse(&role.get_untracked())
                .ok()
                .filter(|r| roles.contains(r)),
        };
        let Some(chosen) = chosen else {
            error.set(Some(ApiError::worded(
                "role",
                "Scegli il ruolo del collega.",
                &[],
            )));
            return;
        };
        let b = body.get_untracked();
        let vars = json!({ "i": { "email": address.trim(), "role": chosen.code(), "bodyName": (!b.trim().is_empty()).then(|| b.trim().to_owned()) } });
        email.set(String::new());
        act(INVITE, vars, "Invito inviato per e-mail.");
    };
    let email_invalid = blames(error.into(), &["email"]);
    let role_invalid = blames(error.into(), &["role"]);
    let body_invalid = blames(error.into(), &["bodyName"]);
    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("Membri dell'ente").to_owned())/>
            <h1>{move || t("Membri dell'ente")}</h1>
            <p class="lead">{move || session.user().and_then(|me| me.acting_as).map(|a| a.organisation_name).unwrap_or_default()}</p>
            {move || error.get().filter(|e| !matches!(e.field(), Some("email" | "role" | "bodyName"))).map(|e| view! { <ErrorAlert error=e/> })}
            <p class="text-success" role="status" aria-live="polite">{move || done.get().map(t)}</p>
            {move || match members.get() {
                None => view! { <Loading what="Caricamento dei membri…"/> }.into_any(),
                Some(list) => {
                    let referent = me_is_referent();
                    let own = session.user().and_then(|me| me.acting_as).map(|a| a.id);
                    view! {
                        <div class="table-responsive">
                        <table class="table table-stack">
                            <caption class="visually-hidden">{move || t("Membri dell'ente")}</caption>
                            <thead><tr>
                                <th scope="col">{move || t("Persona")}</th>
                                <th scope="col">{move || t("Ruolo")}</th>
                                <th scope="col">{move || t("Dal")}</th>
                                <th scope="col">{move || t("Azioni")}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|m| {
                                    let p = m.person.clone();
                                    let name = p.as_ref().map(|p| p.display_name.clone().unwrap_or_else(|| p.username.clone())).unwrap_or_default();
                                    let mail = p.and_then(|p| p.email);
                                    let id = m.id.clone();
                                    let removable = referent && own.as_deref() != Some(m.id.as_str());
                                    let role = m.role;
                                    view! {
                                        <tr>
                                            <td data-label=move || t("Persona")>{name.clone()} {mail.map(|m| view! { <br/><span class="small">{m}</span> })}</td>
                                            <td data-label=move || t("Ruolo")>{move || role_label(role)}
                                                {m.is_referent.then(|| view! { " " <span class="badge bg-primary">{move || t("Referente")}</span> })}</td>
                                            <td data-label=move || t("Dal")>{day(&m.created_at)}</td>
                                            <td data-label=move || t("Azioni")>
                                                {removable.then(move || view! {
                                                    <ConfirmStep
                                                        label="Rimuovi"
                                                        consequence="La persona non opererà più per l'ente e le sue sessioni per l'ente terminano subito."
                                                        confirm="Conferma la rimozione"
                                                        class="btn-outline-danger btn-sm"
                                                        pending=pending
                                                        on_confirm=Callback::new(move |_| act(REMOVE, json!({ "id": id.clone() }), "Membro rimosso."))
                                                    />
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                        {referent.then(|| view! {
                            <section class="mt-4" aria-labelledby="invita">
                                <h2 id="invita" class="h4">{move || t("Invita un collega")}</h2>
                                <p>{move || t("Il collega riceve per e-mail un link valido 7 giorni, utilizzabile una sola volta dopo l'accesso.")}</p>
                                <form class="row g-3 align-items-end" on:submit=invite novalidate>
                                    <div class="col-12 col-md-5">
                                        <label class="form-label" for="invito-email">{move || t("Indirizzo e-mail")}</label>
                                        <input id="invito-email" class="form-control" type="email" class:is-invalid=move || email_invalid.get()
                                            aria-describedby="invito-email-errore"
                                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                                        <FieldError id="invito-email-errore" names=&["email"] error=error/>
                                    </div>
                                    <div class="col-12 col-md-3">
                                        <label class="form-label" for="invito-ruolo">{move || t("Ruolo")}</label>
                                        <select id="invito-ruolo" class="form-select" class:is-invalid=move || role_invalid.get()
                                            aria-describedby="invito-ruolo-errore"
                                            on:change=move |ev| role.set(event_target_value(&ev))>
                                            {move || (invitable_roles(acting_role()).len() > 1).then(|| view! {
                                                <option value="" selected=move || role.get().is_empty()>{move || t("Scegli il ruolo")}</option>
                                            })}
                                            {move || invitable_roles(acting_role()).iter().map(|r| {
                                                let r = *r;
                                                view! { <option value=r.code()>{move || role_label(r)}</option> }
                                            }).collect_view()}
                                        </select>
                                        <FieldError id="invito-ruolo-errore" names=&["role"] error=error/>
                                    </div>
                                    <Show when=move || acting_role() == Role::Department>
                                        <div class="col-12 col-md-4">
                                            <label class="form-label" for="invito-ente">{move || t("Nome dell'organismo (asseveratori)")}</label>
                                            <input id="invito-ente" class="form-control" prop:value=move || body.get()
                                                class:is-invalid=move || body_invalid.get()
                                                aria-describedby="invito-ente-errore"
                                                on:input=move |ev| body.set(event_target_value(&ev))/>
                                            <FieldError id="invito-ente-errore" names=&["bodyName"] error=error/>
                                        </div>
                                    </Show>
                                    <div class="col-12 col-md-4">
                                        <button type="submit" class="btn btn-primary" disabled=move || pending.get()>{move || t("Invia l'invito")}</button>
                                    </div>
                                </form>
                            </section>
                        })}
                    }.into_any()
                }
            }}
            {move || invitations.get().map(|list| view! {
                <section class="mt-5" aria-labelledby="inviti">
                    <h2 id="inviti" class="h4">{move || t("Inviti")}</h2>
                    {if list.is_empty() {
                        view! { <Empty what="Nessun invito inviato."/> }.into_any()
                    } else {
                        view! {
                            <ul class="list-unstyled">
                                {list.into_iter().map(|i| {
                                    let id = i.id.clone();
                                    let state = i.state.clone();
                                    let badge = state_class(&state);
                                    let role = i.role;
                                    let open = i.state == "PENDING";
                                    let until = day(&i.expires_at);
                                    view! {
                                        <li class="border-bottom py-2 d-flex flex-wrap gap-2 align-items-center justify-content-between">
                                            <span>{i.email.clone()} " · " {move || role_label(role)} " · "
                                                <span class=badge>{move || state_label(&state)}</span> " · "
                                                {move || tf("scade il {}", &[&until])}</span>
                                            {open.then(move || view! {
                                                <ConfirmStep
                                                    label="Revoca"
                                                    consequence="Il link dell'invito smetterà subito di funzionare."
                                                    confirm="Conferma la revoca"
                                                    class="btn-outline-danger btn-sm"
                                                    pending=pending
                                                    on_confirm=Callback::new(move |_| act(REVOKE, json!({ "id": id.clone() }), "Invito revocato."))
                                                />
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            })}
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Preview {
    organisation_name: String,
    role: Role,
    state: String,
    expires_at: String,
}

/// `/invito/:token`: the logged-in person accepts an invitation.
#[component]
pub fn AcceptInvitation() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let session = use_session();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let preview = RwSignal::new(None::<Option<Preview>>);
    let error = RwSignal::new(None::<ApiError>);
    // Kept in the address: the page is loaded again after accepting, so that the
    // session (now acting for the organisation) is read afresh.
    let accepted = move || query.with(|q| q.get("accettato").is_some());
    let pending = RwSignal::new(false);
    Effect::new(move |_| {
        let tk = token();
        leptos::task::spawn_local(async move {
            #[derive(Deserialize)]
            struct Data {
                invitation: Option<Preview>,
            }
            match api::query::<Data>(PREVIEW, json!({ "t": tk })).await {
                Ok(d) => preview.set(Some(d.invitation)),
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let accept = move || {
        let tk = token();
        pending.set(true);
        leptos::task::spawn_local(async move {
            match api::query::<Value>(ACCEPT, json!({ "t": tk.clone() })).await {
                Ok(_) => {
                    error.set(None);
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href(&format!("/invito/{tk}?accettato=1"));
                    }
                }
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <div class="container my-4">
            <Breadcrumb here=Signal::derive(|| t("Invito").to_owned())/>
            <h1>{move || t("Invito a operare per un ente")}</h1>
            {move || error.get().map(|e| view! { <ErrorAlert error=e/> })}
            {move || match preview.get() {
                None => view! { <Loading what="Caricamento dell'invito…"/> }.into_any(),
                Some(None) => view! {
                    <div class="alert alert-warning" role="alert">{move || t("Questo link di invito non è valido: controlla di averlo copiato per intero.")}</div>
                }.into_any(),
                Some(Some(p)) => {
                    let role = p.role;
                    let open = p.state == "PENDING";
                    let state = p.state.clone();
                    let badge = state_class(&state);
                    let until = day(&p.expires_at);
                    view! {
                        <div class="card card-bg p-3 my-3">
                            <p class="fw-semibold mb-1">{p.organisation_name.clone()}</p>
                            <p class="mb-1">{move || t("Ruolo")} ": " {move || role_label(role)}</p>
                            <p class="mb-1">{move || tf("Valido fino al {}", &[&until])} " · "
                                <span class=badge>{move || state_label(&state)}</span></p>
                        </div>
                        {move || if accepted() {
                            let home = home_of(session.role().unwrap_or(Role::Public));
                            view! {
                                <div class="alert alert-success" role="status">
                                    {move || t("Invito accettato: ora operi per l'ente.")} " "
                                    <a href=home>{move || t("Vai alla tua area")}</a>
                                </div>
                            }.into_any()
                        } else if open {
                            view! {
                                <button type="button" class="btn btn-primary" disabled=move || pending.get() on:click=move |_| accept()>
                                    {move || t("Accetta l'invito")}
                                </button>
                            }.into_any()
                        } else {
                            view! { <p class="text-danger">{move || t("Questo invito non è più utilizzabile: chiedine uno nuovo al referente.")}</p> }.into_any()
                        }}
                    }.into_any()
                }
            }}
        </div>
    }
}
