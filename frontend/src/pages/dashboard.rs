//! The department's national dashboard: the figures people look at rather than read.
//! Totals and amounts by state, progress towards the 16,547-administration target, bars
//! by region, call and type of body, a tile map of the regions, the monthly series and
//! the overdue projects as the deadline checker recorded them (`overdueProjects`, in the
//! same document), all from one GraphQL round trip. Every chart has a table
//! beside or under it that says the same in words.

use leptos::prelude::*;
use nuvola_shared::{AdministrationType, ApplicationState};
use serde::Deserialize;
use serde_json::json;

use super::{Breadcrumb, ErrorAlert, Loading, StateBadge};
use crate::api;
use crate::format;
use crate::i18n::{self, t, tf, tx};

const DASHBOARD: &str = r#"query Dashboard {
  stats { applications amountEur administrations byState { state applications amountEur } }
  dashboard {
    byRegion { key applications amountEur administrations }
    byCall { key applications amountEur administrations }
    byType { key applications amountEur administrations }
    monthly { month funded renounced paid amountEur }
    paidAdministrations targetAdministrations progressNotReportedCount
  }
  overdueProjects(first: 20, progressReported: true) {
    totalCount
    edges { node { cup state administration { name region } call { title } overdue { kind dueOn daysLate } } }
  }
  pendingRenunciations(first: 20) {
    totalCount
    projects { cup administration { name } renunciationRequest { reason requestedAt } }
  }
}"#;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    stats: Stats,
    dashboard: Figures,
    /// The deadline checker's marks on projects that reported progress (DEPARTMENT
    /// only), longest overdue first.
    overdue_projects: OverduePage,
    /// The administrations' requests of renunciation waiting for the department's
    /// decree (DEPARTMENT only), oldest first; read field by field.
    pending_renunciations: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OverduePage {
    total_count: i64,
    /// Read field by field (`overdue_row`): one JSON walk costs less wasm than a
    /// derived decoder per nested type.
    edges: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    applications: i64,
    amount_eur: f64,
    administrations: i64,
    by_state: Vec<StateStats>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateStats {
    state: ApplicationState,
    applications: i64,
    amount_eur: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Figures {
    by_region: Vec<Group>,
    by_call: Vec<Group>,
    by_type: Vec<Group>,
    monthly: Vec<Month>,
    paid_administrations: i64,
    target_administrations: i64,
    /// Past a deadline with no progress ever reported in Nuvola: not counted as late.
    progress_not_reported_count: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    key: String,
    applications: i64,
    amount_eur: f64,
    administrations: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Month {
    month: String,
    funded: i64,
    renounced: i64,
    paid: i64,
    amount_eur: f64,
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let data = LocalResource::new(|| api::query::<Data>(DASHBOARD, json!({})));
    view! {
        <div class="container my-4 dashboard">
            <Breadcrumb here=Signal::derive(|| t("Cruscotto nazionale").to_owned())/>
            <h1>{tx("Cruscotto nazionale")}</h1>
            <p class="lead">{tx("L'andamento della misura 1.2 in tutta Italia: progetti, importi, scadenze e obiettivo nazionale.")}</p>
            <Transition fallback=|| view! { <Loading what="Caricamento del cruscotto…"/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <DashboardView data=d/> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn DashboardView(data: Data) -> impl IntoView {
    let Data {
        stats,
        dashboard: f,
        overdue_projects,
        pending_renunciations,
    } = data;
    let renunciation_count = pending_renunciations["totalCount"].as_i64().unwrap_or(0);
    let renunciations: Vec<serde_json::Value> = pending_renunciations["projects"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let overdue_count = overdue_projects.total_count;
    let unreported_count = f.progress_not_reported_count;
    let overdue: Vec<Overdue> = overdue_projects
        .edges
        .iter()
        .filter_map(overdue_row)
        .collect();
    let target = f.target_administrations.max(1);
    let funded_pct = (stats.administrations as f64 / target as f64 * 100.0).min(100.0);
    let paid_pct = (f.paid_administrations as f64 / target as f64 * 100.0).min(100.0);
    let state_rows: Vec<BarRow> = stats
        .by_state
        .iter()
        .map(|s| {
            let state = s.state;
            BarRow {
                label: Signal::derive(move || i18n::state_label(state).to_owned()),
                href: Some(format!("/?stato={}", state.code())),
                count: s.applications,
                amount: s.amount_eur,
                bodies: None,
            }
        })
        .collect();
    let region_rows: Vec<BarRow> = f
        .by_region
        .iter()
        .map(|g| BarRow {
            label: Signal::stored(g.key.clone()),
            href: Some(format!("/?regione={}", format::url_encode(&g.key))),
            count: g.applications,
            amount: g.amount_eur,
            bodies: Some(g.administrations),
        })
        .collect();
    let call_rows: Vec<BarRow> = f
        .by_call
        .iter()
        .map(|g| BarRow {
            label: Signal::stored(g.key.clone()),
            href: Some(format!("/?avviso={}", format::url_encode(&g.key))),
            count: g.applications,
            amount: g.amount_eur,
            bodies: Some(g.administrations),
        })
        .collect();
    let type_rows: Vec<BarRow> = f
        .by_type
        .iter()
        .map(|g| {
            let code = g.key.clone();
            BarRow {
                label: Signal::stored(
                    AdministrationType::parse(&code)
                        .map_or(code.clone(), |t| t.label_it().to_owned()),
                ),
                href: Some(format!("/?tipo={code}")),
                count: g.applications,
                amount: g.amount_eur,
                bodies: Some(g.administrations),
            }
        })
        .collect();

    view! {
        <section aria-labelledby="cifre" class="mt-4">
            <h2 id="cifre" class="visually-hidden">{tx("Le cifre principali")}</h2>
            <div class="row g-3">
                <Figure label="Progetti" value=format::count(stats.applications) testid="cruscotto-progetti"/>
                <Figure label="Importo finanziato" value=format::euros_short(stats.amount_eur) testid="cruscotto-importo"/>
                <Figure label="Enti beneficiari" value=format::count(stats.administrations) testid="cruscotto-enti"/>
                <Figure label="Progetti in ritardo" value=format::count(overdue_count) testid="cruscotto-ritardi"/>
                <Figure label="Avanzamento non comunicato" value=format::count(unreported_count) testid="cruscotto-non-comunicati"/>
                <Figure label="Rinunce da decretare" value=format::count(renunciation_count) testid="cruscotto-rinunce"/>
            </div>
        </section>

        <section aria-labelledby="obiettivo" class="mt-5">
            <h2 id="obiettivo" class="h3">{tx("Avanzamento verso l'obiettivo nazionale")}</h2>
            <p>{move || tf("Obiettivo PNRR: {} amministrazioni migrate entro giugno 2026.", &[&format::count(target)])}</p>
            <Progress label="Enti finanziati" value=stats.administrations target pct=funded_pct testid="obiettivo-finanziati"/>
            <Progress label="Enti con progetto liquidato" value=f.paid_administrations target pct=paid_pct testid="obiettivo-liquidati"/>
        </section>

        <div class="row g-5 mt-1">
            <section aria-labelledby="per-stato" class="col-12 col-xl-6">
                <h2 id="per-stato" class="h3">{tx("Per stato")}</h2>
                <BarTable caption="Progetti e importi per stato" first="Stato" rows=state_rows/>
            </section>
            <section aria-labelledby="per-tipo" class="col-12 col-xl-6">
                <h2 id="per-tipo" class="h3">{tx("Per tipo di ente")}</h2>
                <BarTable caption="Progetti e importi per tipo di ente" first="Tipo di ente" rows=type_rows/>
            </section>
        </div>

        <section aria-labelledby="per-regione" class="mt-5">
            <h2 id="per-regione" class="h3">{tx("Per regione")}</h2>
            <div class="row g-4">
                <div class="col-12 col-lg-5">
                    <TileMap groups=f.by_region.clone()/>
                </div>
                <div class="col-12 col-lg-7">
                    <BarTable caption="Progetti e importi per regione" first="Regione" rows=region_rows/>
                </div>
            </div>
        </section>

        <section aria-labelledby="per-avviso" class="mt-5">
            <h2 id="per-avviso" class="h3">{tx("Per avviso")}</h2>
            <BarTable caption="Progetti e importi per avviso" first="Avviso" rows=call_rows/>
        </section>

        <section aria-labelledby="mensile" class="mt-5">
            <h2 id="mensile" class="h3">{tx("Progetti finanziati per mese del decreto")}</h2>
            <p>{tx("Per ogni mese, i progetti finanziati con un decreto di quel mese e quanti di essi sono stati poi rinunciati o liquidati.")}</p>
            <MonthlyChart months=f.monthly.clone()/>
        </section>

        <section aria-labelledby="rinunce" class="mt-5">
            <h2 id="rinunce" class="h3">{tx("Richieste di rinuncia da decretare")}</h2>
            <p data-testid="rinunce-in-attesa">{move || match renunciation_count {
                0 => t("Nessuna richiesta di rinuncia in attesa.").to_owned(),
                1 => t("1 ente chiede di rinunciare al finanziamento: la rinuncia attende il decreto del Dipartimento, dalla pagina del progetto.").to_owned(),
                n => tf("{} enti chiedono di rinunciare al finanziamento: ogni rinuncia attende il decreto del Dipartimento, dalla pagina del progetto.", &[&format::count(n)]),
            }}</p>
            {(!renunciations.is_empty()).then(|| view! { <RenunciationTable rows=renunciations/> })}
        </section>

        <section aria-labelledby="ritardi" class="mt-5">
            <h2 id="ritardi" class="h3">{tx("Progetti in ritardo")}</h2>
            <p>{move || tf("{} progetti hanno superato la prossima scadenza; i più in ritardo:", &[&format::count(overdue_count)])}</p>
            <OverdueTable rows=overdue/>
            <p class="mt-3" data-testid="nota-non-comunicati">{move || tf("Altri {} progetti hanno superato una scadenza secondo le regole dell'avviso senza aver mai comunicato l'avanzamento in Nuvola: i dati aperti dicono solo che sono finanziati, perciò non sono contati come in ritardo (avanzamento non comunicato).", &[&format::count(unreported_count)])}</p>
        </section>
    }
}

#[component]
fn Figure(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="col-12 col-sm-6 col-lg">
            <div class="figure-card p-3 h-100">
                <p class="figure-label mb-1">{tx(label)}</p>
                <p class="figure-value mb-0" data-testid=testid>{value}</p>
            </div>
        </div>
    }
}

#[component]
fn Progress(
    label: &'static str,
    value: i64,
    target: i64,
    pct: f64,
    testid: &'static str,
) -> impl IntoView {
    let pct_text = format!("{:.1}", pct).replace('.', ",");
    let text = format!(
        "{} / {} ({pct_text}%)",
        format::count(value),
        format::count(target)
    );
    view! {
        <div class="mb-3">
            <div class="d-flex justify-content-between">
                <span class="fw-semibold" id=format!("{testid}-etichetta")>{tx(label)}</span>
                <span data-testid=testid>{text}</span>
            </div>
            <div class="progress progress-lg mt-1">
                <div
                    class="progress-bar bg-primary"
                    role="progressbar"
                    style=format!("width: {pct:.1}%")
                    aria-valuenow=format!("{pct:.1}")
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-labelledby=format!("{testid}-etichetta")
                ></div>
            </div>
        </div>
    }
}

#[derive(Clone)]
struct BarRow {
    label: Signal<String>,
    href: Option<String>,
    count: i64,
    amount: f64,
    bodies: Option<i64>,
}

/// A table whose rows carry a bar: readable as a table, seen as a chart.
#[component]
fn BarTable(caption: &'static str, first: &'static str, rows: Vec<BarRow>) -> impl IntoView {
    let max = rows.iter().map(|r| r.count).max().unwrap_or(1).max(1);
    let with_bodies = rows.iter().any(|r| r.bodies.is_some());
    view! {
        <div class="table-responsive">
            <table class="table table-sm align-middle bar-table table-stack">
                <caption class="visually-hidden">{tx(caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tx(first)}</th>
                        <th scope="col" class="w-40">{tx("Progetti")}</th>
                        {with_bodies.then(|| view! { <th scope="col" class="text-end">{tx("Enti")}</th> })}
                        <th scope="col" class="text-end">{tx("Importo")}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let width = (r.count as f64 / max as f64 * 100.0).max(0.5);
                        let label = r.label;
                        view! {
                            <tr>
                                <th scope="row" class="fw-normal">
                                    {match r.href {
                                        Some(href) => view! { <a href=href>{move || label.get()}</a> }.into_any(),
                                        None => view! { <span>{move || label.get()}</span> }.into_any(),
                                    }}
                                </th>
                                <td data-label=move || t("Progetti")>
                                    <div class="d-flex align-items-center gap-2">
                                        <div class="bar" aria-hidden="true"><div class="bar-fill" style=format!("width: {width:.1}%")></div></div>
                                        <span class="text-nowrap">{format::count(r.count)}</span>
                                    </div>
                                </td>
                                {with_bodies.then(|| view! { <td class="text-end" data-label=move || t("Enti")>{r.bodies.map(format::count)}</td> })}
                                <td class="text-end text-nowrap" data-label=move || t("Importo")>{format::euros_short(r.amount)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The position of each region on a tile map of Italy (column, row) and its short name.
const TILES: [(&str, &str, u8, u8); 20] = [
    ("Valle d'Aosta/Vallée d'Aoste", "VDA", 1, 0),
    ("Lombardia", "LOM", 2, 0),
    ("Trentino-Alto Adige/Südtirol", "TAA", 3, 0),
    ("Friuli-Venezia Giulia", "FVG", 4, 0),
    ("Piemonte", "PIE", 1, 1),
    ("Emilia-Romagna", "EMR", 2, 1),
    ("Veneto", "VEN", 3, 1),
    ("Liguria", "LIG", 1, 2),
    ("Toscana", "TOS", 2, 2),
    ("Marche", "MAR", 3, 2),
    ("Umbria", "UMB", 2, 3),
    ("Abruzzo", "ABR", 3, 3),
    ("Molise", "MOL", 4, 3),
    ("Sardegna", "SAR", 0, 4),
    ("Lazio", "LAZ", 2, 4),
    ("Campania", "CAM", 3, 4),
    ("Puglia", "PUG", 4, 4),
    ("Basilicata", "BAS", 4, 5),
    ("Calabria", "CAL", 4, 6),
    ("Sicilia", "SIC", 3, 7),
];

/// Five shades of the Italia blue, light to dark; the text on them keeps AA contrast.
const SHADES: [(&str, &str); 5] = [
    ("#e6f0fa", "#17324d"),
    ("#b3d1f0", "#17324d"),
    ("#80b3e6", "#17324d"),
    ("#1a73cf", "#ffffff"),
    ("#004d99", "#ffffff"),
];

#[component]
fn TileMap(groups: Vec<Group>) -> impl IntoView {
    const SIZE: u32 = 62;
    const GAP: u32 = 4;
    let max = groups
        .iter()
        .map(|g| g.applications)
        .max()
        .unwrap_or(1)
        .max(1);
    let tiles = TILES
        .iter()
        .map(|(name, short, col, row)| {
            let n = groups.iter().find(|g| g.key == *name).map_or(0, |g| g.applications);
            let shade = ((n as f64 / max as f64) * 4.0).round() as usize;
            let (fill, ink) = SHADES[shade.min(4)];
            let x = u32::from(*col) * (SIZE + GAP);
            let y = u32::from(*row) * (SIZE + GAP);
            view! {
                <g>
                    <title>{format!("{name}: {}", format::count(n))}</title>
                    <rect x=x y=y width=SIZE height=SIZE rx="4" fill=fill stroke="#ffffff"></rect>
                    <text x=x + SIZE / 2 y=y + 26 text-anchor="middle" fill=ink font-size="14" font-weight="700">{*short}</text>
                    <text x=x + SIZE / 2 y=y + 46 text-anchor="middle" fill=ink font-size="13">{format::count(n)}</text>
                </g>
            }
        })
        .collect_view();
    let width = 5 * (SIZE + GAP);
    let height = 8 * (SIZE + GAP);
    view! {
        <figure class="tile-map mb-0">
            <svg
                viewBox=format!("0 0 {width} {height}")
                role="img"
                aria-labelledby="mappa-titolo"
                class="w-100"
                style="max-height: 520px"
            >
                <title id="mappa-titolo">{tx("Mappa delle regioni: progetti per regione (i dati sono nella tabella accanto)")}</title>
                {tiles}
            </svg>
            <figcaption class="small text-muted mt-2">
                {tx("Più scuro il riquadro, più progetti nella regione.")}
            </figcaption>
        </figure>
    }
}

#[component]
fn MonthlyChart(months: Vec<Month>) -> impl IntoView {
    const HEIGHT: f64 = 200.0;
    const BAR: f64 = 22.0;
    const GAP: f64 = 8.0;
    let max = months.iter().map(|m| m.funded).max().unwrap_or(1).max(1) as f64;
    let width = (months.len() as f64 * (BAR + GAP)).max(200.0);
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = i as f64 * (BAR + GAP);
            let h = |n: i64| n as f64 / max * HEIGHT;
            let active = m.funded - m.renounced - m.paid;
            let (h_paid, h_ren, h_act) = (h(m.paid), h(m.renounced), h(active));
            let y_act = HEIGHT - h_act - h_ren - h_paid;
            let label = month_label(&m.month);
            view! {
                <g>
                    <title>{format!("{label}: {}", format::count(m.funded))}</title>
                    <rect x=x y=y_act width=BAR height=h_act fill="#0066cc"></rect>
                    <rect x=x y=y_act + h_act width=BAR height=h_ren fill="#d9364f"></rect>
                    <rect x=x y=y_act + h_act + h_ren width=BAR height=h_paid fill="#008758"></rect>
                    <text x=x + BAR / 2.0 y=HEIGHT + 14.0 text-anchor="middle" font-size="10" fill="#17324d">{m.month.get(2..).unwrap_or_default().replace('-', "/")}</text>
                </g>
            }
        })
        .collect_view();
    let rows = months.clone();
    view! {
        <figure class="monthly-chart">
            <div class="overflow-auto">
                <svg viewBox=format!("0 0 {width} {}", HEIGHT + 20.0) role="img" aria-labelledby="mensile-titolo" style=format!("min-width: {}px; width: 100%; max-height: 260px", width.min(900.0))>
                    <title id="mensile-titolo">{tx("Progetti finanziati per mese del decreto (i dati sono nella tabella sotto)")}</title>
                    {bars}
                </svg>
            </div>
            <figcaption class="d-flex flex-wrap gap-3 small mt-2">
                <span><span class="legend-swatch" style="background:#0066cc"></span>{tx("Finanziati, in corso")}</span>
                <span><span class="legend-swatch" style="background:#d9364f"></span>{tx("Rinunciati")}</span>
                <span><span class="legend-swatch" style="background:#008758"></span>{tx("Liquidati")}</span>
            </figcaption>
        </figure>
        <details class="mt-2">
            <summary>{tx("Dati in tabella")}</summary>
            <div class="table-responsive">
                <table class="table table-sm table-stack">
                    <caption class="visually-hidden">{tx("Progetti finanziati per mese del decreto")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{tx("Mese")}</th>
                            <th scope="col" class="text-end">{tx("Finanziati")}</th>
                            <th scope="col" class="text-end">{tx("Rinunciati")}</th>
                            <th scope="col" class="text-end">{tx("Liquidati")}</th>
                            <th scope="col" class="text-end">{tx("Importo")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|m| view! {
                            <tr>
                                <th scope="row" class="fw-normal">{month_label(&m.month)}</th>
                                <td class="text-end" data-label=move || t("Finanziati")>{format::count(m.funded)}</td>
                                <td class="text-end" data-label=move || t("Rinunciati")>{format::count(m.renounced)}</td>
                                <td class="text-end" data-label=move || t("Liquidati")>{format::count(m.paid)}</td>
                                <td class="text-end" data-label=move || t("Importo")>{format::euros_short(m.amount_eur)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    }
}

/// `2022-08` → `08/2022`.
fn month_label(month: &str) -> String {
    match month.split_once('-') {
        Some((y, m)) => format!("{m}/{y}"),
        None => month.to_owned(),
    }
}

/// An edge of `overdueProjects` as a row; `None` when its mark is gone.
fn overdue_row(edge: &serde_json::Value) -> Option<Overdue> {
    let n = &edge["node"];
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let mark = &n["overdue"];
    Some(Overdue {
        cup: text(&n["cup"])?,
        administration: text(&n["administration"]["name"])?,
        region: text(&n["administration"]["region"]).unwrap_or_default(),
        call_title: text(&n["call"]["title"]).unwrap_or_default(),
        state: ApplicationState::parse(n["state"].as_str()?).ok()?,
        kind: text(&mark["kind"])?,
        due_on: text(&mark["dueOn"])?,
        days_late: mark["daysLate"].as_i64()?,
    })
}

/// One row of the overdue list, as the deadline checker recorded it.
#[derive(Debug, Clone, PartialEq)]
struct Overdue {
    cup: String,
    administration: String,
    region: String,
    call_title: String,
    state: ApplicationState,
    kind: String,
    due_on: String,
    days_late: i64,
}

#[component]
fn OverdueTable(rows: Vec<Overdue>) -> impl IntoView {
    view! {
        <div class="table-responsive">
            <table class="table table-striped align-middle table-stack">
                <caption class="visually-hidden">{tx("Progetti in ritardo")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tx("Ente")}</th>
                        <th scope="col">{tx("Regione")}</th>
                        <th scope="col">{tx("Stato")}</th>
                        <th scope="col">{tx("Scadenza")}</th>
                        <th scope="col" class="text-end">{tx("Giorni di ritardo")}</th>
                        <th scope="col">{tx("Progetto")}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|o| {
                        let kind = if o.kind == "CONTRACT" { "Contratto con il fornitore" } else { "Completamento della migrazione" };
                        let href = format!("/dipartimento/progetti/{}", o.cup);
                        let label = format!("{} {} {}", t("Apri il progetto"), o.cup, o.administration);
                        view! {
                            <tr>
                                <td><span class="fw-semibold">{o.administration.clone()}</span><br/><small class="text-muted">{o.call_title.clone()}</small></td>
                                <td data-label=move || t("Regione")>{o.region.clone()}</td>
                                <td data-label=move || t("Stato")><StateBadge state=o.state/></td>
                                <td data-label=move || t("Scadenza")>{tx(kind)}<br/><small>{format::date(&o.due_on)}</small></td>
                                <td class="text-end text-danger fw-semibold" data-label=move || t("Giorni di ritardo")>{format::count(o.days_late)}</td>
                                <td data-label=move || t("Progetto")><a href=href aria-label=label class="font-monospace">{o.cup.clone()}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The pending requests of renunciation, each with a link to the project's page where
/// the department decrees it.
#[component]
fn RenunciationTable(rows: Vec<serde_json::Value>) -> impl IntoView {
    view! {
        <div class="table-responsive">
            <table class="table table-striped align-middle table-stack">
                <caption class="visually-hidden">{tx("Richieste di rinuncia da decretare")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tx("Ente")}</th>
                        <th scope="col">{tx("Motivo")}</th>
                        <th scope="col">{tx("Richiesta il")}</th>
                        <th scope="col">{tx("Progetto")}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|p| {
                        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
                        let cup = text(&p["cup"]);
                        let body = text(&p["administration"]["name"]);
                        let href = format!("/dipartimento/progetti/{cup}");
                        let label = format!("{} {cup} {body}", t("Apri il progetto"));
                        let asked = p["renunciationRequest"]["requestedAt"].as_str().map(format::date).unwrap_or_default();
                        view! {
                            <tr data-testid="rinuncia">
                                <td class="fw-semibold">{body.clone()}</td>
                                <td data-label=move || t("Motivo")>{text(&p["renunciationRequest"]["reason"])}</td>
                                <td data-label=move || t("Richiesta il")>{asked}</td>
                                <td data-label=move || t("Progetto")><a href=href aria-label=label class="font-monospace">{cup.clone()}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
