//! The public open-data explorer: the funded applications of measure 1.2, filtered by
//! region, call, type of body and state, with totals and a paginated table.
//!
//! The filter lives in the address (`?regione=Liguria&stato=FUNDED`), so a view can be
//! bookmarked and shared and the browser's back button undoes a change. A page and its
//! totals come from one GraphQL round trip.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use nuvola_shared::api::ApplicationFilter;
use nuvola_shared::{AdministrationType, ApplicationState, Region};
use serde::Deserialize;
use serde_json::json;

use super::{ErrorAlert, Loading, StateBadge};
use crate::api::{self, ApiError};
use crate::format;
use crate::i18n::{self, t};

const PAGE_SIZE: usize = 25;

const PAGE_QUERY: &str = r#"query Explorer($first: Int!, $after: String, $filter: ApplicationFilter) {
  applications(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { node { cup amountEur state fundedOn
      administration { ipaCode name typeLabel comune provincia region }
      call { title } } }
    pageInfo { hasNextPage endCursor }
  }
  stats(filter: $filter) { applications amountEur administrations byState { state applications } }
}"#;

const CALLS_QUERY: &str = "query Calls { calls { title applications } }";

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct ExplorerData {
    applications: Connection,
    stats: Stats,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    total_count: i64,
    edges: Vec<Edge>,
    page_info: PageInfo,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Edge {
    node: Row,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    cup: String,
    amount_eur: i64,
    state: ApplicationState,
    funded_on: Option<String>,
    administration: Body,
    call: CallRef,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    ipa_code: String,
    name: String,
    type_label: String,
    comune: Option<String>,
    provincia: Option<String>,
    region: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct CallRef {
    title: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    applications: i64,
    amount_eur: f64,
    administrations: i64,
    by_state: Vec<StateCount>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct StateCount {
    state: ApplicationState,
    applications: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Calls {
    calls: Vec<CallOption>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct CallOption {
    title: String,
    applications: i64,
}

/// The address parameters of the filter, in Italian, and the filter field each sets.
const PARAM_REGION: &str = "regione";
const PARAM_CALL: &str = "avviso";
const PARAM_TYPE: &str = "tipo";
const PARAM_STATE: &str = "stato";

#[component]
pub fn Explorer() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| ApplicationFilter {
            region: q.get(PARAM_REGION),
            call_title: q.get(PARAM_CALL),
            administration_type: q.get(PARAM_TYPE),
            state: q
                .get(PARAM_STATE)
                .and_then(|s| ApplicationState::parse(&s).ok()),
        })
    });
    // The cursors of the pages before the current one, for the filter they belong to:
    // a different filter in the address starts again from the first page.
    let pages = RwSignal::new((ApplicationFilter::default(), Vec::<String>::new()));
    let after = Memo::new(move |_| {
        let current = filter.get();
        pages.with(|(of, stack)| {
            if *of == current {
                stack.last().cloned()
            } else {
                None
            }
        })
    });
    let page_number = Memo::new(move |_| {
        let current = filter.get();
        pages.with(|(of, stack)| if *of == current { stack.len() + 1 } else { 1 })
    });

    let data = LocalResource::new(move || {
        let filter = filter.get();
        let after = after.get();
        async move {
            // The browser checks the filter with the server's own rules before asking.
            if let Err(e) = filter.parse() {
                return Err(ApiError::invalid("filter", e.to_string()));
            }
            api::query::<ExplorerData>(
                PAGE_QUERY,
                json!({ "first": PAGE_SIZE, "after": after, "filter": filter }),
            )
            .await
        }
    });
    let calls = LocalResource::new(|| api::query::<Calls>(CALLS_QUERY, json!({})));

    let navigate = use_navigate();
    let set_param = move |name: &'static str, value: String| {
        let mut params = query.get_untracked();
        if value.is_empty() {
            params.remove(name);
        } else {
            params.replace(name, value);
        }
        let search = params.to_query_string();
        navigate(
            if search.is_empty() { "/" } else { &search },
            NavigateOptions::default(),
        );
    };
    let clear = {
        let navigate = use_navigate();
        move |_| navigate("/", NavigateOptions::default())
    };
    let next = move |cursor: String| {
        let current = filter.get_untracked();
        pages.update(|(of, stack)| {
            if *of != current {
                *of = current;
                stack.clear();
            }
            stack.push(cursor);
        });
    };
    let previous = move |_| pages.update(|(_, stack)| drop(stack.pop()));
    let filtered = move || filter.with(|f| *f != ApplicationFilter::default());

    view! {
        <div class="container my-4">
            <nav aria-label=move || t("Percorso di navigazione") class="breadcrumb-container">
                <ol class="breadcrumb">
                    <li class="breadcrumb-item active" aria-current="page">{move || t("Dati aperti")}</li>
                </ol>
            </nav>
            <h1>{move || t("Progetti finanziati per la migrazione al cloud")}</h1>
            <p class="lead">
                {move || t("Le candidature finanziate dalla misura 1.2 del PNRR, dai dati aperti di PA digitale 2026: filtra per regione, avviso, tipo di ente e stato del progetto.")}
            </p>

            <form class="row g-3 mt-2 explorer-filters" on:submit=|ev| ev.prevent_default()>
                <FilterSelect
                    id="filtro-regione"
                    label="Regione"
                    any="Tutte le regioni"
                    value=Signal::derive(move || filter.with(|f| f.region.clone().unwrap_or_default()))
                    options=Signal::derive(|| {
                        Region::all().map(|r| (r.name().to_owned(), r.name().to_owned())).collect()
                    })
                    on_change={
                        let set_param = set_param.clone();
                        move |v| set_param(PARAM_REGION, v)
                    }
                />
                <FilterSelect
                    id="filtro-avviso"
                    label="Avviso"
                    any="Tutti gli avvisi"
                    value=Signal::derive(move || filter.with(|f| f.call_title.clone().unwrap_or_default()))
                    options=Signal::derive(move || {
                        calls
                            .get()
                            .and_then(Result::ok)
                            .map(|c| {
                                c.calls
                                    .into_iter()
                                    .filter(|c| c.applications > 0)
                                    .map(|c| (c.title.clone(), c.title))
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
                    on_change={
                        let set_param = set_param.clone();
                        move |v| set_param(PARAM_CALL, v)
                    }
                />
                <FilterSelect
                    id="filtro-tipo"
                    label="Tipo di ente"
                    any="Tutti i tipi"
                    value=Signal::derive(move || filter.with(|f| f.administration_type.clone().unwrap_or_default()))
                    options=Signal::derive(|| {
                        AdministrationType::ALL
                            .iter()
                            .map(|t| (t.code().to_owned(), t.label_it().to_owned()))
                            .collect()
                    })
                    on_change={
                        let set_param = set_param.clone();
                        move |v| set_param(PARAM_TYPE, v)
                    }
                />
                <FilterSelect
                    id="filtro-stato"
                    label="Stato del progetto"
                    any="Tutti gli stati"
                    value=Signal::derive(move || filter.with(|f| f.state.map(|s| s.code().to_owned()).unwrap_or_default()))
                    options=Signal::derive(|| {
                        ApplicationState::ALL
                            .iter()
                            .map(|s| (s.code().to_owned(), i18n::state_label(*s).to_owned()))
                            .collect()
                    })
                    on_change=move |v| set_param(PARAM_STATE, v)
                />
                <div class="col-12 d-flex flex-wrap gap-2">
                    <a
                        class="btn btn-outline-primary btn-sm"
                        href=move || csv_link(&filter.get())
                        download="candidature.csv"
                    >
                        {move || t("Scarica CSV")}
                    </a>
                </div>
                <Show when=filtered>
                    <div class="col-12">
                        <button type="button" class="btn btn-outline-primary btn-sm" on:click=clear.clone()>
                            {move || t("Azzera i filtri")}
                        </button>
                    </div>
                </Show>
            </form>

            <Transition fallback=|| view! { <Loading what="Caricamento dei progetti…"/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! {
                            <Results data=d page=page_number.get() on_next=next on_previous=previous/>
                        }.into_any(),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The server's export of the published rows the filter keeps (`GET /api/export.csv`).
fn csv_link(filter: &ApplicationFilter) -> String {
    let mut params = Vec::new();
    for (name, value) in [
        ("region", filter.region.clone()),
        ("callTitle", filter.call_title.clone()),
        ("administrationType", filter.administration_type.clone()),
        ("state", filter.state.map(|s| s.code().to_owned())),
    ] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            params.push(format!("{name}={}", format::url_encode(&v)));
        }
    }
    if params.is_empty() {
        "/api/export.csv".to_owned()
    } else {
        format!("/api/export.csv?{}", params.join("&"))
    }
}

/// A labelled select whose first option means "any".
#[component]
fn FilterSelect(
    id: &'static str,
    label: &'static str,
    any: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    on_change: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <div class="col-12 col-md-6 col-lg-3">
            <div class="select-wrapper">
                <label for=id>{move || t(label)}</label>
                <select
                    id=id
                    prop:value=move || value.get()
                    on:change=move |ev| on_change(event_target_value(&ev))
                >
                    <option value="">{move || t(any)}</option>
                    <For
                        each=move || options.get()
                        key=|(v, _)| v.clone()
                        children=move |(v, text)| {
                            let selected = {
                                let v = v.clone();
                                move || value.with(|current| *current == v)
                            };
                            view! { <option value=v selected=selected>{text}</option> }
                        }
                    />
                </select>
            </div>
        </div>
    }
}

#[component]
fn Results(
    data: ExplorerData,
    page: usize,
    on_next: impl Fn(String) + Copy + 'static,
    on_previous: impl Fn(()) + Copy + 'static,
) -> impl IntoView {
    let ExplorerData {
        applications,
        stats,
    } = data;
    let total = applications.total_count;
    let pages = (total as usize).div_ceil(PAGE_SIZE).max(1);
    let end_cursor = applications.page_info.end_cursor.clone();
    let has_next = applications.page_info.has_next_page;
    let summary = match total {
        0 => "Nessun progetto corrisponde ai filtri scelti.".to_owned(),
        1 => "1 progetto trovato.".to_owned(),
        n => format!("{} progetti trovati.", format::count(n)),
    };
    view! {
        <section aria-labelledby="totali" class="mt-4">
            <h2 id="totali" class="visually-hidden">{move || t("Totali")}</h2>
            <div class="row g-3 totals">
                <Figure label="Progetti" value=format::count(stats.applications) testid="totale-progetti"/>
                <Figure label="Importo finanziato" value=format::euros_short(stats.amount_eur) testid="totale-importo"/>
                <Figure label="Enti beneficiari" value=format::count(stats.administrations) testid="totale-enti"/>
            </div>
            <ul class="list-inline mt-3 mb-0 by-state" aria-label=move || t("Progetti per stato")>
                {stats
                    .by_state
                    .into_iter()
                    .map(|s| {
                        view! {
                            <li class="list-inline-item">
                                <StateBadge state=s.state/>
                                " "
                                {format::count(s.applications)}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>

        <section aria-labelledby="elenco" class="mt-4">
            <h2 id="elenco" class="h4">{move || t("Elenco dei progetti")}</h2>
            <p aria-live="polite" data-testid="riepilogo">{summary}</p>
            <Show when=move || { total > 0 }>
                <div class="table-responsive">
                    <table class="table table-striped table-hover align-middle table-stack">
                        <caption class="visually-hidden">
                            {format!("Progetti finanziati, pagina {page} di {pages}")}
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col">{move || t("Ente")}</th>
                                <th scope="col">{move || t("Comune")}</th>
                                <th scope="col">{move || t("Regione")}</th>
                                <th scope="col">{move || t("Avviso")}</th>
                                <th scope="col" class="text-end">{move || t("Importo")}</th>
                                <th scope="col">{move || t("Finanziato il")}</th>
                                <th scope="col">{move || t("Stato")}</th>
                                <th scope="col">{move || t("CUP")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {applications
                                .edges
                                .clone()
                                .into_iter()
                                .map(|Edge { node }| view! { <ResultRow row=node/> })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            </Show>
            <nav class="pagination-wrapper justify-content-between d-flex align-items-center" aria-label=move || t("Paginazione")>
                <button
                    type="button"
                    class="btn btn-outline-primary btn-sm"
                    disabled=page <= 1
                    on:click=move |_| on_previous(())
                >
                    {move || t("‹ Precedenti")}
                </button>
                <span data-testid="pagina">{format!("Pagina {page} di {pages}")}</span>
                <button
                    type="button"
                    class="btn btn-outline-primary btn-sm"
                    disabled=!has_next
                    on:click=move |_| {
                        if let Some(cursor) = end_cursor.clone() {
                            on_next(cursor);
                        }
                    }
                >
                    {move || t("Successivi ›")}
                </button>
            </nav>
        </section>
    }
}

#[component]
fn Figure(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="col-12 col-md-4">
            <div class="figure-card p-3 h-100">
                <p class="figure-label mb-1">{move || t(label)}</p>
                <p class="figure-value mb-0" data-testid=testid>{value}</p>
            </div>
        </div>
    }
}

#[component]
fn ResultRow(row: Row) -> impl IntoView {
    let place = match (&row.administration.comune, &row.administration.provincia) {
        (Some(c), Some(p)) => format!("{c} ({p})"),
        (Some(c), None) => c.clone(),
        _ => "—".to_owned(),
    };
    view! {
        <tr>
            <td>
                <span class="fw-semibold">{row.administration.name}</span>
                <br/>
                <small class="text-muted">
                    {row.administration.type_label} " · " <span class="font-monospace">{row.administration.ipa_code}</span>
                </small>
            </td>
            <td data-label=move || t("Comune")>{place}</td>
            <td data-label=move || t("Regione")>{row.administration.region}</td>
            <td class="small" data-label=move || t("Avviso")>{row.call.title}</td>
            <td class="text-end text-nowrap" data-label=move || t("Importo")>{format::euros(row.amount_eur)}</td>
            <td class="text-nowrap" data-label=move || t("Finanziato il")>{row.funded_on.as_deref().map(format::date).unwrap_or_else(|| "—".to_owned())}</td>
            <td data-label=move || t("Stato")><StateBadge state=row.state/></td>
            <td class="font-monospace small" data-label=move || t("CUP")><a href=format!("/progetti/{}", row.cup)>{row.cup.clone()}</a></td>
        </tr>
    }
}
