//! Every form of the web application, given bad input (empty, too long, wrong format,
//! dates in the past or too far ahead, duplicates), says why in the page's language, at
//! the field it blames (issue 16, item 6). Each refusal is read in Italian, then the
//! page is switched to English and the same refusal is read again: no English in the
//! Italian text, no Italian in the English one, and no code terms in either (no
//! `invalid`, no "Dati non validi: …", no identifiers of the API).
//!
//! One browser session per role, on one server per database; nothing waits for a fixed
//! time, every read polls until the page says what is expected.

use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    both, button, choose, control_labelled, eventually, graphql_in_page, log_in, wait_for_heading,
    wait_for_page_text, Backend, Browser, Server,
};
use serde_json::{json, Value};

/// Comune di Ferrara's funded project, untouched by the demo.
const FERRARA: &str = "B71C22000020001";
/// A school's project under verification (the verifier's).
const VERIFYING: &str = "G31C22001290006";
/// A school's completed project, waiting for a verifier.
const COMPLETED: &str = "D81C22002300006";
/// A school's project whose services the schools' supplier is migrating.
const MIGRATING: &str = "H91C22000850006";
/// A school's project with a verifier's request to answer.
const REQUESTED: &str = "F71C22000910006";

/// Where a refusal is read.
#[derive(Clone, Copy, Debug)]
enum At<'a> {
    /// Under the control labelled so (the elements its `aria-describedby` names).
    Field(&'a str),
    /// In the element with this id (the message of a group of choices).
    Id(&'a str),
    /// In the form's alert (a refusal that blames no single field): it must then say
    /// which data it is about, in its own words.
    Alert,
}

/// Words that betray English in an Italian sentence (and code terms, in any language).
const ENGLISH: &[&str] = &[
    "the",
    "is",
    "are",
    "must",
    "cannot",
    "invalid",
    "give",
    "write",
    "choose",
    "expected",
    "not",
    "has",
    "should",
    "characters",
    "missing",
    "of",
    "with",
    "value",
    "error",
    "field",
    "please",
    "date",
    "between",
    "least",
    "most",
];
/// Words that betray Italian in an English sentence.
const ITALIAN: &[&str] = &[
    "il",
    "lo",
    "della",
    "delle",
    "dei",
    "non",
    "è",
    "per",
    "che",
    "deve",
    "scegli",
    "scrivi",
    "indica",
    "valore",
    "campo",
    "giorni",
    "caratteri",
    "nel",
    "alla",
    "sono",
    "può",
    "valido",
    "valida",
    "dati",
];

fn words(text: &str) -> Vec<String> {
    // Quoted data (a file or service name) is the person's own, not the page's words.
    let mut plain = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '«' | '“' => quoted = true,
            '»' | '”' => quoted = false,
            _ if !quoted => plain.push(c),
            _ => {}
        }
    }
    plain
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Fails when `text` has code terms: identifiers of the API (camelCase, snake_case,
/// SCREAMING codes), the generic "Dati non validi", braces or quotes of a program.
fn no_code_terms(text: &str) -> Result<()> {
    ensure!(!text.trim().is_empty(), "an empty message");
    for bad in [
        "Dati non validi",
        "Invalid data",
        "{",
        "}",
        "::",
        "\"\"",
        "null",
    ] {
        ensure!(!text.contains(bad), "{text:?} has the code term {bad:?}");
    }
    for w in words(text) {
        let camel = w
            .chars()
            .zip(w.chars().skip(1))
            .any(|(a, b)| a.is_lowercase() && b.is_uppercase());
        let known = ["IaaS", "PaaS", "SaaS", "CaaS"].contains(&w.as_str());
        ensure!(!camel || known, "{text:?} has the identifier {w:?}");
        ensure!(!w.contains('_'), "{text:?} has the identifier {w:?}");
        ensure!(
            !(w.len() > 6 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_')),
            "{text:?} has the code {w:?}"
        );
    }
    Ok(())
}

fn italian_only(text: &str) -> Result<()> {
    no_code_terms(text)?;
    for w in words(text) {
        ensure!(
            !ENGLISH.contains(&w.to_lowercase().as_str()),
            "{text:?} speaks English ({w:?}) on an Italian page"
        );
    }
    Ok(())
}

fn english_only(text: &str) -> Result<()> {
    no_code_terms(text)?;
    for w in words(text) {
        ensure!(
            !ITALIAN.contains(&w.to_lowercase().as_str()),
            "{text:?} speaks Italian ({w:?}) on an English page"
        );
    }
    Ok(())
}

/// Where a refusal is read, found while the page is in Italian (the labels change
/// with the language): the ids of the error lines, or the alerts.
#[derive(Clone, Debug)]
enum Spot {
    Ids(Vec<String>),
    Alert,
}

async fn spot(driver: &WebDriver, at: At<'_>) -> Result<Spot> {
    Ok(match at {
        At::Field(label) => {
            let control = control_labelled(driver, label).await?;
            let mut ids = control.attr("aria-describedby").await?.unwrap_or_default();
            // A choice in a group is described by its fieldset.
            if let Ok(set) = control.find(By::XPath("ancestor::fieldset[1]")).await {
                ids.push(' ');
                ids.push_str(&set.attr("aria-describedby").await?.unwrap_or_default());
            }
            // Help texts say what is expected before anything is wrong: they do not
            // count.
            let ids: Vec<String> = ids
                .split_whitespace()
                .filter(|id| !(id.ends_with("aiuto") || id.ends_with("help")))
                .map(str::to_owned)
                .collect();
            ensure!(
                !ids.is_empty(),
                "the control {label:?} names no message of its own"
            );
            Spot::Ids(ids)
        }
        At::Id(id) => Spot::Ids(vec![id.to_owned()]),
        At::Alert => Spot::Alert,
    })
}

/// The text shown at `spot` now ("" while nothing is said there).
async fn message(driver: &WebDriver, spot: &Spot) -> Result<String> {
    let mut text = String::new();
    match spot {
        Spot::Ids(ids) => {
            for id in ids {
                if let Some(e) = driver
                    .find_all(By::Id(id.as_str()))
                    .await?
                    .into_iter()
                    .next()
                {
                    text.push_str(e.text().await?.trim());
                }
            }
        }
        Spot::Alert => {
            for e in driver.find_all(By::Css("[role='alert']")).await? {
                if e.is_displayed().await? {
                    text.push_str(e.text().await?.trim());
                    text.push('\n');
                }
            }
        }
    }
    Ok(text.trim().to_owned())
}

async fn wait_for_message(driver: &WebDriver, spot: &Spot, needle: &str) -> Result<String> {
    let last = std::cell::RefCell::new(String::new());
    let found = eventually(
        &format!("{spot:?} to say {needle:?}"),
        Duration::from_secs(15),
        || async {
            let text = message(driver, spot).await?;
            last.replace(text.clone());
            Ok(text.contains(needle).then_some(text))
        },
    )
    .await;
    if found.is_err() {
        let alerts = message(driver, &Spot::Alert).await.unwrap_or_default();
        // What the page looked like, for whoever reads the failure.
        let dir = nuvola_e2e::screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        driver
            .screenshot(&dir.join("refusals-failure.png"))
            .await
            .ok();
        return found.with_context(|| {
            format!(
                "what was shown at {spot:?}: {:?}; the page's alerts: {alerts:?}",
                last.borrow()
            )
        });
    }
    found
}

/// Reads the refusal at `at` in Italian (`it` in it), then in English (`en`), then
/// switches back to Italian.
async fn refused(driver: &WebDriver, at: At<'_>, it: &str, en: &str) -> Result<()> {
    let spot = spot(driver, at).await?;
    let text = wait_for_message(driver, &spot, it).await?;
    italian_only(&text).with_context(|| format!("at {at:?}"))?;
    button(driver, "ENG English").await?.click().await?;
    let text = wait_for_message(driver, &spot, en).await;
    // Back to Italian whatever happened, so the next case starts from it.
    button(driver, "ITA Italiano").await?.click().await?;
    let text = text?;
    english_only(&text).with_context(|| format!("at {at:?}"))?;
    wait_for_message(driver, &spot, it).await?;
    Ok(())
}

/// Sets a date (or date and time) input as a person's picker would.
async fn set_value(driver: &WebDriver, label: &str, value: &str) -> Result<()> {
    let input = control_labelled(driver, label).await?;
    driver
        .execute(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
            vec![input.to_json()?, json!(value)],
        )
        .await?;
    Ok(())
}

/// A day `days` from today, as `YYYY-MM-DD`, by the browser's clock.
async fn in_days(driver: &WebDriver, days: i64) -> Result<String> {
    let v = driver
        .execute(
            "const d = new Date(); d.setDate(d.getDate() + arguments[0]); return d.toISOString().slice(0, 10);",
            vec![json!(days)],
        )
        .await?;
    Ok(v.convert()?)
}

async fn submit(driver: &WebDriver, name: &str) -> Result<()> {
    // The first one shown (a folded panel may hold another of the same name).
    button(driver, name).await?;
    let quoted = if name.contains('\'') {
        format!("\"{name}\"")
    } else {
        format!("'{name}'")
    };
    let xpath = format!("//button[normalize-space()={quoted} or @aria-label={quoted}]");
    let mut shown = None;
    for b in driver.find_all(By::XPath(xpath)).await? {
        if b.is_displayed().await? {
            shown = Some(b);
            break;
        }
    }
    let b = shown.with_context(|| format!("no button {name:?} is shown"))?;
    b.scroll_into_view().await?;
    b.click()
        .await
        .with_context(|| format!("clicking {name:?}"))?;
    Ok(())
}

/// Types into the control labelled `label` (see [`nuvola_e2e::fill`]).
async fn fill(driver: &WebDriver, label: &str, text: &str) -> Result<()> {
    nuvola_e2e::fill(driver, label, text)
        .await
        .with_context(|| format!("typing into {label:?}"))
}

async fn gql(driver: &WebDriver, query: &str, variables: Value) -> Result<Value> {
    let r = graphql_in_page(driver, query, variables).await?;
    ensure!(r["errors"].is_null(), "{query}: {r}");
    Ok(r["data"].clone())
}

async fn open(driver: &WebDriver, base: &str, path: &str, heading_text: &str) -> Result<()> {
    driver.goto(format!("{base}{path}")).await?;
    wait_for_page_text(driver, heading_text).await
}

/// Opens the first folded panel `<details>` whose summary starts with `summary`.
async fn unfold(driver: &WebDriver, summary: &str) -> Result<()> {
    let s = eventually(
        &format!("the panel {summary:?}"),
        Duration::from_secs(15),
        || async {
            for s in driver.find_all(By::Tag("summary")).await? {
                if s.text().await?.starts_with(summary) {
                    return Ok(Some(s));
                }
            }
            Ok(None)
        },
    )
    .await?;
    let details = s.find(By::XPath("..")).await?;
    if details.attr("open").await?.is_none() {
        s.scroll_into_view().await?;
        s.click().await?;
    }
    Ok(())
}

/// Opens the first service's panel (its questionnaire, cut-over window and evidence).
async fn unfold_first_service(driver: &WebDriver) -> Result<()> {
    let s = eventually("a service's panel", Duration::from_secs(15), || async {
        Ok(driver
            .find_all(By::Css("details.service-panel > summary"))
            .await?
            .into_iter()
            .next())
    })
    .await?;
    s.scroll_into_view().await?;
    s.click().await?;
    Ok(())
}

async fn the_login_and_the_administrations_forms_refuse_in_words(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let base = &server.url;
    let browser = Browser::start().await?;
    let d = &browser.driver;

    // The login: nothing typed, then a wrong password.
    open(d, base, "/accedi", "Accedi a Nuvola").await?;
    submit(d, "Accedi").await?;
    refused(
        d,
        At::Alert,
        "nome utente e la password",
        "username and the password",
    )
    .await?;
    fill(d, "Nome utente", "comune.ferrara").await?;
    fill(d, "Password", "sbagliata").await?;
    submit(d, "Accedi").await?;
    refused(
        d,
        At::Alert,
        "Credenziali non valide",
        "Invalid credentials",
    )
    .await?;

    log_in(d, base, "comune.ferrara", "ferrara-demo-2026").await?;
    open(
        d,
        base,
        &format!("/amministrazione/progetti/{FERRARA}"),
        "Il piano non ha ancora servizi.",
    )
    .await?;

    // A plan line: no name, a name too long, then a duplicate.
    submit(d, "Salva il servizio").await?;
    refused(
        d,
        At::Field("Nome del servizio"),
        "Scegli il servizio dal catalogo",
        "Choose the service",
    )
    .await?;
    fill(d, "Nome del servizio", &"Protocollo ".repeat(20)).await?;
    submit(d, "Salva il servizio").await?;
    refused(
        d,
        At::Field("Nome del servizio"),
        "200 caratteri",
        "200 characters",
    )
    .await?;
    fill(d, "Nome del servizio", "Anagrafe").await?;
    choose(d, "Destinazione", "SaaS").await?;
    submit(d, "Salva il servizio").await?;
    wait_for_page_text(d, "Servizio salvato nel piano.").await?;
    fill(d, "Nome del servizio", "anagrafe").await?;
    submit(d, "Salva il servizio").await?;
    refused(
        d,
        At::Field("Nome del servizio"),
        "già un servizio con questo nome",
        "already has a service",
    )
    .await?;
    // A move the measure does not fund.
    fill(d, "Nome del servizio", "Tributi").await?;
    choose(d, "Dove si trova oggi", "PaaS non qualificato").await?;
    choose(d, "Destinazione", "IaaS").await?;
    submit(d, "Salva il servizio").await?;
    refused(
        d,
        At::Field("Destinazione"),
        "non è finanziato",
        "not funded",
    )
    .await?;
    // Editing a line: emptied name.
    let edit = button(d, "Modifica Anagrafe").await?;
    edit.scroll_into_view().await?;
    edit.click().await?;
    wait_for_page_text(d, "Modifica il servizio").await?;
    fill(d, "Nome del servizio", "X").await?;
    submit(d, "Salva il servizio").await?;
    refused(
        d,
        At::Field("Nome del servizio"),
        "da 2 a 200 caratteri",
        "2 to 200 characters",
    )
    .await?;
    button(d, "Annulla").await?.click().await?;

    // The contract: no supplier, no amount, a CIG of the wrong form, a date ahead, one
    // before the funding, no service (one field at a time, in the form's order).
    submit(d, "Registra il contratto").await?;
    refused(
        d,
        At::Field("Fornitore"),
        "Scegli il fornitore",
        "Choose the supplier",
    )
    .await?;
    choose(
        d,
        "Fornitore",
        "Nuvola Demo Cloud S.r.l. · P.IVA 01234567897",
    )
    .await?;
    fill(d, "Importo del contratto (euro)", "dodicimila").await?;
    submit(d, "Registra il contratto").await?;
    refused(
        d,
        At::Field("Importo del contratto (euro)"),
        "euro interi",
        "whole euros",
    )
    .await?;
    fill(d, "Importo del contratto (euro)", "12000").await?;
    fill(d, "CIG", "abc").await?;
    submit(d, "Registra il contratto").await?;
    refused(
        d,
        At::Field("CIG"),
        "Il CIG ha 10 caratteri",
        "A CIG has 10",
    )
    .await?;
    fill(d, "CIG", "9A1B2C3D4E").await?;
    let ahead = in_days(d, 10).await?;
    set_value(d, "Data del contratto", &ahead).await?;
    submit(d, "Registra il contratto").await?;
    refused(d, At::Field("Data del contratto"), "futuro", "future").await?;
    set_value(d, "Data del contratto", "2001-01-01").await?;
    submit(d, "Registra il contratto").await?;
    refused(
        d,
        At::Field("Data del contratto"),
        "precedere il decreto",
        "precede the funding",
    )
    .await?;
    let today = in_days(d, 0).await?;
    set_value(d, "Data del contratto", &today).await?;
    submit(d, "Registra il contratto").await?;
    refused(
        d,
        At::Id("contratto-servizi-errore"),
        "almeno un servizio",
        "at least one service",
    )
    .await?;

    // A document: nothing chosen.
    submit(d, "Carica il documento").await?;
    refused(
        d,
        At::Field("File da caricare"),
        "Scegli un file",
        "Choose a file",
    )
    .await?;

    // The renunciation request: no reason, then one too short.
    unfold(d, "Rinuncia al finanziamento").await?;
    submit(d, "Richiedi la rinuncia").await?;
    refused(d, At::Field("Motivo della rinuncia"), "motivo", "reason").await?;
    fill(d, "Motivo della rinuncia", "breve").await?;
    submit(d, "Richiedi la rinuncia").await?;
    refused(
        d,
        At::Field("Motivo della rinuncia"),
        "da 10 a 2.000 caratteri",
        "10 to 2,000 characters",
    )
    .await?;

    // The answer to a verifier's request: nothing attached and no note.
    gql(d, "mutation { logout }", json!({})).await.ok();
    log_in(d, base, "scuola.valnure", "scuola-demo-2026").await?;
    open(
        d,
        base,
        &format!("/amministrazione/progetti/{REQUESTED}"),
        "Nota per l'asseveratore",
    )
    .await?;
    submit(d, "Invia la risposta").await?;
    refused(
        d,
        At::Field("Nota per l'asseveratore"),
        "almeno un documento o scrivi una nota",
        "at least one document or write a note",
    )
    .await?;

    // Correcting a contract (the school's, migrating): a CIG of the wrong form, no reason.
    gql(d, "mutation { logout }", json!({})).await.ok();
    log_in(d, base, "scuola.collecchio", "scuola-demo-2026").await?;
    open(
        d,
        base,
        &format!("/amministrazione/progetti/{MIGRATING}"),
        "Contratti con i fornitori",
    )
    .await?;
    let correct = eventually("the correction button", Duration::from_secs(15), || async {
        Ok(d.find_all(By::XPath(
            "//button[starts-with(@aria-label, 'Correggi il contratto')]",
        ))
        .await?
        .into_iter()
        .next())
    })
    .await?;
    correct.scroll_into_view().await?;
    correct.click().await?;
    fill(d, "CIG corretto", "123").await?;
    submit(d, "Salva la correzione").await?;
    refused(
        d,
        At::Field("CIG corretto"),
        "Il CIG ha 10 caratteri",
        "A CIG has 10",
    )
    .await?;
    fill(d, "CIG corretto", "9A1B2C3D4E").await?;
    fill(d, "Importo corretto (euro)", "0").await?;
    submit(d, "Salva la correzione").await?;
    refused(
        d,
        At::Field("Importo corretto (euro)"),
        "da 1 a 1.000.000.000",
        "1 to 1,000,000,000",
    )
    .await?;
    fill(d, "Importo corretto (euro)", "15000").await?;
    submit(d, "Salva la correzione").await?;
    refused(d, At::Field("Motivo della correzione"), "motivo", "reason").await?;

    // The questionnaire: a number out of range, a date too far.
    unfold_first_service(d).await?;
    fill(d, "Utenti", "999999999").await?;
    submit(d, "Salva il questionario").await?;
    refused(
        d,
        At::Field("Utenti"),
        "da 0 a 100.000.000",
        "from 0 to 100,000,000",
    )
    .await?;
    fill(d, "Utenti", "120").await?;
    set_value(d, "Messa in esercizio", "2099-01-01").await?;
    submit(d, "Salva il questionario").await?;
    refused(
        d,
        At::Field("Messa in esercizio"),
        "fuori dall'intervallo",
        "out of the allowed range",
    )
    .await?;

    d.clone().quit().await?;
    Ok(())
}

async fn the_suppliers_forms_refuse_in_words(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let base = &server.url;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    log_in(d, base, "fornitore.scuole", "fornitore-demo-2026").await?;
    wait_for_heading(d, "I servizi a contratto").await?;

    // A bulk change with nothing selected.
    submit(d, "Aggiorna i servizi selezionati (0)").await?;
    refused(
        d,
        At::Field("Nuovo stato dei servizi selezionati"),
        "almeno un servizio",
        "at least one service",
    )
    .await?;

    // A cut-over window: nothing given, an end before the start, too long, in the past.
    unfold_first_service(d).await?;
    submit(d, "Pianifica il cut-over").await?;
    refused(
        d,
        At::Field("Inizio del fermo"),
        "data e ora",
        "date and a time",
    )
    .await?;
    let tomorrow = in_days(d, 1).await?;
    let week = in_days(d, 7).await?;
    set_value(d, "Inizio del fermo", &format!("{tomorrow}T22:00")).await?;
    set_value(d, "Fine del fermo", &format!("{tomorrow}T20:00")).await?;
    submit(d, "Pianifica il cut-over").await?;
    refused(
        d,
        At::Field("Fine del fermo"),
        "finire dopo l'inizio",
        "end after it starts",
    )
    .await?;
    set_value(d, "Fine del fermo", &format!("{week}T20:00")).await?;
    submit(d, "Pianifica il cut-over").await?;
    refused(d, At::Field("Fine del fermo"), "72 ore", "72 hours").await?;
    set_value(d, "Inizio del fermo", "2020-01-01T20:00").await?;
    set_value(d, "Fine del fermo", "2020-01-01T22:00").await?;
    submit(d, "Pianifica il cut-over").await?;
    refused(
        d,
        At::Field("Inizio del fermo"),
        "nel passato",
        "in the past",
    )
    .await?;

    // The questionnaire: too long a name, a negative count.
    fill(d, "Applicativo", &"x".repeat(201)).await?;
    submit(d, "Salva il questionario").await?;
    refused(
        d,
        At::Field("Applicativo"),
        "200 caratteri",
        "200 characters",
    )
    .await?;
    fill(d, "Applicativo", "Registro elettronico").await?;
    fill(d, "CPU (core)", "0").await?;
    submit(d, "Salva il questionario").await?;
    refused(
        d,
        At::Field("CPU (core)"),
        "da 1 a 100.000",
        "from 1 to 100,000",
    )
    .await?;

    d.clone().quit().await?;
    Ok(())
}

async fn the_verifiers_forms_refuse_in_words(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let base = &server.url;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    log_in(d, base, "asseveratore", "asseveratore-demo-2026").await?;
    open(
        d,
        base,
        &format!("/asseveratore/progetti/{VERIFYING}"),
        "Nuova richiesta di documenti",
    )
    .await?;

    // A request: no title, no text, a due date past, then too far ahead.
    submit(d, "Invia la richiesta").await?;
    refused(d, At::Field("Titolo della richiesta"), "titolo", "title").await?;
    fill(d, "Titolo della richiesta", "Verbale di collaudo").await?;
    submit(d, "Invia la richiesta").await?;
    refused(
        d,
        At::Field("Documenti richiesti"),
        "Scrivi cosa chiedi",
        "Write what you ask",
    )
    .await?;
    fill(d, "Documenti richiesti", "Il verbale firmato del collaudo.").await?;
    set_value(d, "Da consegnare entro", "2001-01-01").await?;
    submit(d, "Invia la richiesta").await?;
    refused(
        d,
        At::Field("Da consegnare entro"),
        "nel passato",
        "in the past",
    )
    .await?;
    set_value(d, "Da consegnare entro", "2099-01-01").await?;
    submit(d, "Invia la richiesta").await?;
    refused(
        d,
        At::Field("Da consegnare entro"),
        "180 giorni",
        "180 days",
    )
    .await?;
    set_value(d, "Da consegnare entro", "").await?;
    submit(d, "Invia la richiesta").await?;
    refused(d, At::Field("Da consegnare entro"), "scadenza", "due date").await?;

    // A check whose notes are too long (pasted in).
    set_value(d, "Note della verifica", &"n".repeat(10_001)).await?;
    submit(d, "Registra la verifica").await?;
    refused(
        d,
        At::Field("Note della verifica"),
        "10.000 caratteri",
        "10,000 characters",
    )
    .await?;

    // The outcome: none chosen; partial with no service to redo.
    submit(d, "Registra l'esito").await?;
    refused(
        d,
        At::Id("esito-errore"),
        "Scegli l'esito",
        "Choose the outcome",
    )
    .await?;
    d.find(By::XPath(
        "//label[normalize-space()='Parzialmente positivo']",
    ))
    .await?
    .click()
    .await?;
    submit(d, "Registra l'esito").await?;
    refused(
        d,
        At::Id("rifare-errore"),
        "servizi da rifare",
        "services to redo",
    )
    .await?;

    // A request sent, closed (after the confirmation) and reopened with a due date past,
    // then too far ahead.
    d.refresh().await?;
    wait_for_page_text(d, "Nuova richiesta di documenti").await?;
    fill(d, "Titolo della richiesta", "Verbale di collaudo").await?;
    fill(d, "Documenti richiesti", "Il verbale firmato del collaudo.").await?;
    submit(d, "Invia la richiesta").await?;
    wait_for_page_text(d, "Richiesta inviata all'ente.").await?;
    submit(d, "Chiudi la richiesta Verbale di collaudo").await?;
    submit(d, "Conferma la chiusura").await?;
    wait_for_page_text(d, "Richiesta chiusa.").await?;
    // The list is read again after the notice: wait for the closed request's controls.
    eventually("the reopening's date", Duration::from_secs(15), || async {
        Ok(control_labelled(d, "Nuova scadenza").await.ok())
    })
    .await?;
    set_value(d, "Nuova scadenza", "2001-01-01").await?;
    submit(d, "Riapri la richiesta Verbale di collaudo").await?;
    refused(d, At::Field("Nuova scadenza"), "nel passato", "in the past").await?;
    set_value(d, "Nuova scadenza", "2099-01-01").await?;
    submit(d, "Riapri la richiesta Verbale di collaudo").await?;
    refused(d, At::Field("Nuova scadenza"), "180 giorni", "180 days").await?;
    d.clone().quit().await?;
    Ok(())
}

async fn the_departments_forms_refuse_in_words(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let base = &server.url;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    log_in(d, base, "dipartimento", "dipartimento-demo-2026").await?;

    // A supplier: empty, a bad VAT number, an existing one, a name too short, an end past.
    open(
        d,
        base,
        "/dipartimento/fornitori",
        "Nuvola Demo Cloud S.r.l.",
    )
    .await?;
    submit(d, "Qualifica il fornitore").await?;
    refused(d, At::Field("Partita IVA"), "partita IVA", "VAT number").await?;
    fill(d, "Partita IVA", "12345").await?;
    submit(d, "Qualifica il fornitore").await?;
    refused(d, At::Field("Partita IVA"), "11 cifre", "11 digits").await?;
    fill(d, "Partita IVA", "07654321095").await?;
    fill(d, "Ragione sociale", "X").await?;
    submit(d, "Qualifica il fornitore").await?;
    refused(
        d,
        At::Field("Ragione sociale"),
        "da 2 a 200 caratteri",
        "2 to 200 characters",
    )
    .await?;
    fill(d, "Ragione sociale", "Cloud Emilia S.r.l.").await?;
    set_value(d, "Qualificato fino al", "2001-01-01").await?;
    submit(d, "Qualifica il fornitore").await?;
    refused(
        d,
        At::Field("Qualificato fino al"),
        "già finita",
        "ended already",
    )
    .await?;
    set_value(d, "Qualificato fino al", "2099-01-01").await?;
    submit(d, "Qualifica il fornitore").await?;
    refused(d, At::Field("Qualificato fino al"), "36 mesi", "36 months").await?;

    // An offering: no supplier, a bad code, no name, dates the wrong way round.
    submit(d, "Qualifica l'offerta").await?;
    refused(
        d,
        At::Field("Fornitore dell'offerta"),
        "Scegli il fornitore",
        "Choose the supplier",
    )
    .await?;
    choose(
        d,
        "Fornitore dell'offerta",
        "Nuvola Demo Cloud S.r.l. · P.IVA 01234567897",
    )
    .await?;
    fill(d, "Codice dell'offerta", "x").await?;
    submit(d, "Qualifica l'offerta").await?;
    refused(
        d,
        At::Field("Codice dell'offerta"),
        "lettere maiuscole",
        "capital letters",
    )
    .await?;
    fill(d, "Codice dell'offerta", "DEMO-NUOVA").await?;
    fill(d, "Nome dell'offerta", "").await?;
    submit(d, "Qualifica l'offerta").await?;
    refused(d, At::Field("Nome dell'offerta"), "nome", "name").await?;
    fill(d, "Nome dell'offerta", "Nuova offerta").await?;
    let today = in_days(d, 0).await?;
    let next_month = in_days(d, 30).await?;
    set_value(d, "Qualificata dal", &next_month).await?;
    set_value(d, "Qualificata fino al", &today).await?;
    submit(d, "Qualifica l'offerta").await?;
    refused(
        d,
        At::Field("Qualificata fino al"),
        "finire dopo il suo inizio",
        "end after it starts",
    )
    .await?;

    // The terms of a call: a term of the wrong form, a final deadline past.
    open(d, base, "/dipartimento/avvisi", "Termini degli avvisi").await?;
    let edit = eventually("an edit button", Duration::from_secs(15), || async {
        Ok(d.find_all(By::XPath(
            "//button[starts-with(@aria-label, 'Modifica i termini di')]",
        ))
        .await?
        .into_iter()
        .next())
    })
    .await?;
    edit.scroll_into_view().await?;
    edit.click().await?;
    fill(d, "Contratto con il fornitore entro", "presto").await?;
    submit(d, "Salva i termini").await?;
    refused(
        d,
        At::Field("Contratto con il fornitore entro"),
        "in giorni o mesi",
        "in days or months",
    )
    .await?;
    fill(d, "Contratto con il fornitore entro", "").await?;
    fill(d, "Completamento entro", "99999 giorni").await?;
    submit(d, "Salva i termini").await?;
    refused(
        d,
        At::Field("Completamento entro"),
        "in giorni o mesi",
        "in days or months",
    )
    .await?;
    fill(d, "Completamento entro", "").await?;
    set_value(d, "Termine ultimo dell'avviso", "2001-01-01").await?;
    submit(d, "Salva i termini").await?;
    refused(
        d,
        At::Field("Termine ultimo dell'avviso"),
        "già passato",
        "already past",
    )
    .await?;

    // A verifier to assign: none, then one that does not exist.
    open(
        d,
        base,
        &format!("/dipartimento/progetti/{COMPLETED}"),
        "Assegna un asseveratore",
    )
    .await?;
    submit(d, "Assegna l'asseveratore").await?;
    refused(
        d,
        At::Field("Nome utente dell'asseveratore"),
        "nome utente",
        "username",
    )
    .await?;
    fill(d, "Nome utente dell'asseveratore", "nessuno.qui").await?;
    submit(d, "Assegna l'asseveratore").await?;
    refused(
        d,
        At::Field("Nome utente dell'asseveratore"),
        "Nessun asseveratore attivo",
        "No active verifier",
    )
    .await?;

    // A revocation with too short a reason.
    open(
        d,
        base,
        &format!("/dipartimento/progetti/{FERRARA}"),
        "Azioni del Dipartimento",
    )
    .await?;
    unfold(d, "Revoca il finanziamento").await?;
    fill(d, "Motivo della revoca", "no").await?;
    submit(d, "Revoca").await?;
    refused(
        d,
        At::Field("Motivo della revoca"),
        "da 10 a 2.000 caratteri",
        "10 to 2,000 characters",
    )
    .await?;

    // An import with no file.
    open(
        d,
        base,
        "/dipartimento/importazioni",
        "Importazione dei dati aperti",
    )
    .await?;
    submit(d, "Carica e mostra l'anteprima").await?;
    refused(
        d,
        At::Field("File da importare (CSV o JSON, al massimo 5)"),
        "almeno un file",
        "at least one file",
    )
    .await?;

    d.clone().quit().await?;
    Ok(())
}

async fn the_settings_forms_refuse_in_words(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let base = &server.url;
    let browser = Browser::start().await?;
    let d = &browser.driver;
    log_in(d, base, "dipartimento", "dipartimento-demo-2026").await?;

    // The notification preferences: an address that is not one, one too long.
    open(d, base, "/notifiche/preferenze", "Recapito").await?;
    fill(d, "Indirizzo e-mail", "non-un-indirizzo").await?;
    submit(d, "Salva il recapito").await?;
    refused(
        d,
        At::Field("Indirizzo e-mail"),
        "indirizzo e-mail valido",
        "valid e-mail address",
    )
    .await?;
    fill(
        d,
        "Indirizzo e-mail",
        &format!("{}@esempio.it", "a".repeat(300)),
    )
    .await?;
    submit(d, "Salva il recapito").await?;
    refused(
        d,
        At::Field("Indirizzo e-mail"),
        "indirizzo e-mail valido",
        "valid e-mail address",
    )
    .await?;

    // A webhook: no address, one that is not HTTPS, no event.
    open(d, base, "/webhook", "Registra un webhook").await?;
    submit(d, "Registra").await?;
    refused(
        d,
        At::Field("Indirizzo dell'endpoint"),
        "https://",
        "https://",
    )
    .await?;
    fill(d, "Indirizzo dell'endpoint", "ftp://esempio.it/hook").await?;
    submit(d, "Registra").await?;
    refused(
        d,
        At::Field("Indirizzo dell'endpoint"),
        "https://",
        "https://",
    )
    .await?;
    fill(d, "Indirizzo dell'endpoint", "https://esempio.it/hook").await?;
    submit(d, "Registra").await?;
    refused(
        d,
        At::Id("webhook-eventi-errore"),
        "almeno un tipo di evento",
        "at least one kind of event",
    )
    .await?;

    d.clone().quit().await?;
    Ok(())
}

/// A valid VAT number (its check digit is right) that no supplier of the demo has.
const UNREGISTERED_VAT: &str = "09876543217";

/// The onboarding forms (issue 12): a request to act for an organisation, the
/// department's rejection of one, an invitation to a colleague.
async fn the_onboarding_forms_refuse_in_words(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let base = &server.url;
    let newcomer = Browser::start().await?;
    let a = &newcomer.driver;

    // A person who acts for nobody asks for access.
    log_in(a, base, "nuovo.utente", "nuovo-utente-demo-2026").await?;
    wait_for_heading(a, "Richiedi l'accesso").await?;
    // No administration chosen, nothing typed.
    submit(a, "Invia la richiesta").await?;
    refused(
        a,
        At::Field("Codice IPA dell'amministrazione"),
        "Scegli l'amministrazione dall'elenco",
        "Choose the administration from the list",
    )
    .await?;
    // A code of the right shape that no administration has.
    fill(a, "Codice IPA dell'amministrazione", "c_zz99").await?;
    submit(a, "Invia la richiesta").await?;
    refused(
        a,
        At::Field("Codice IPA dell'amministrazione"),
        "Nessuna amministrazione ha questo codice IPA",
        "No administration has this IPA code",
    )
    .await?;
    // A search of one letter.
    fill(a, "Cerca l'amministrazione per nome o codice IPA", "g").await?;
    submit(a, "Cerca").await?;
    refused(
        a,
        At::Field("Cerca l'amministrazione per nome o codice IPA"),
        "almeno 2 caratteri",
        "at least 2 characters",
    )
    .await?;

    // A supplier: no VAT number, a wrong check digit, an unknown one without its name,
    // a PEC that is not an address.
    a.find(By::Css("label[for='tipo-fornitore']"))
        .await?
        .click()
        .await?;
    submit(a, "Invia la richiesta").await?;
    refused(
        a,
        At::Field("Partita IVA"),
        "Scrivi la partita IVA del fornitore",
        "Write the supplier's VAT number",
    )
    .await?;
    fill(a, "Partita IVA", "01234567890").await?;
    refused(
        a,
        At::Field("Partita IVA"),
        "cifra di controllo",
        "check digit",
    )
    .await?;
    submit(a, "Invia la richiesta").await?;
    refused(
        a,
        At::Field("Partita IVA"),
        "cifra di controllo",
        "check digit",
    )
    .await?;
    fill(a, "Partita IVA", UNREGISTERED_VAT).await?;
    submit(a, "Invia la richiesta").await?;
    refused(
        a,
        At::Field("Ragione sociale (se il fornitore non è ancora registrato)"),
        "scrivi la ragione sociale per registrarlo",
        "write its company name to register it",
    )
    .await?;
    fill(
        a,
        "Ragione sociale (se il fornitore non è ancora registrato)",
        "Nuvole Srl",
    )
    .await?;
    fill(
        a,
        "PEC o e-mail del fornitore (facoltativa)",
        "non-un-indirizzo",
    )
    .await?;
    submit(a, "Invia la richiesta").await?;
    refused(
        a,
        At::Field("PEC o e-mail del fornitore (facoltativa)"),
        "indirizzo e-mail valido",
        "valid e-mail address",
    )
    .await?;

    // A good request, for the department to reject.
    a.find(By::Css("label[for='tipo-ente']"))
        .await?
        .click()
        .await?;
    fill(
        a,
        "Cerca l'amministrazione per nome o codice IPA",
        "comune di genova",
    )
    .await?;
    submit(a, "Cerca").await?;
    button(a, "Scegli: Comune di Genova").await?.click().await?;
    submit(a, "Invia la richiesta").await?;
    wait_for_page_text(a, "Richiesta inviata").await?;
    a.clone().quit().await?;

    let department = Browser::start().await?;
    let d = &department.driver;
    log_in(d, base, "dipartimento", "dipartimento-demo-2026").await?;
    // A rejection without a reason, then with one too short.
    open(
        d,
        base,
        "/dipartimento/richieste-accesso",
        "Richieste di accesso",
    )
    .await?;
    wait_for_page_text(d, "Comune di Genova").await?;
    submit(d, "Respingi").await?;
    refused(
        d,
        At::Field("Motivo del rifiuto"),
        "Scrivi il motivo del rifiuto",
        "Write the reason for the rejection",
    )
    .await?;
    fill(d, "Motivo del rifiuto", "no").await?;
    submit(d, "Respingi").await?;
    refused(
        d,
        At::Field("Motivo del rifiuto"),
        "almeno 5 caratteri",
        "at least 5 characters",
    )
    .await?;
    ensure!(
        d.find_all(By::XPath(
            "//button[normalize-space()='Conferma il rifiuto']"
        ))
        .await?
        .is_empty(),
        "a rejection without its reason is offered for confirmation"
    );

    // An invitation: no address, one that is not an address, no role chosen (the
    // department invites colleagues or verifiers), a body's name too long.
    open(d, base, "/ente/membri", "Invita un collega").await?;
    submit(d, "Invia l'invito").await?;
    refused(
        d,
        At::Field("Indirizzo e-mail"),
        "indirizzo e-mail valido",
        "valid e-mail address",
    )
    .await?;
    fill(d, "Indirizzo e-mail", "collega-at-esempio.it").await?;
    submit(d, "Invia l'invito").await?;
    refused(
        d,
        At::Field("Indirizzo e-mail"),
        "indirizzo e-mail valido",
        "valid e-mail address",
    )
    .await?;
    fill(d, "Indirizzo e-mail", "collega@esempio.it").await?;
    submit(d, "Invia l'invito").await?;
    refused(
        d,
        At::Field("Ruolo"),
        "Scegli il ruolo del collega",
        "Choose your colleague's role",
    )
    .await?;
    choose(d, "Ruolo", "Asseveratore").await?;
    set_value(d, "Nome dell'organismo (asseveratori)", &"O".repeat(201)).await?;
    submit(d, "Invia l'invito").await?;
    refused(
        d,
        At::Field("Nome dell'organismo (asseveratori)"),
        "al massimo 200 caratteri",
        "at most 200 characters",
    )
    .await?;
    d.clone().quit().await?;
    Ok(())
}

/// Guards the checks themselves: they catch what they are for.
#[test]
fn the_language_checks_catch_what_they_are_for() -> Result<()> {
    for bad in [
        "Dati non validi: invalid date",
        "give the reason",
        "Il valore di supplierVat non è valido",
        "Richiesta rifiutata (INVALID_INPUT).",
    ] {
        if italian_only(bad).is_ok() {
            bail!("{bad:?} passed as Italian");
        }
    }
    italian_only("Il CIG ha 10 caratteri, lettere maiuscole e cifre, per esempio 9A1B2C3D4E.")?;
    italian_only("Scegli uno dei documenti del progetto di tipo «Contratto» (carica prima il contratto firmato).")?;
    english_only("A CIG has 10 capital letters and digits, e.g. 9A1B2C3D4E.")?;
    ensure!(english_only("Il motivo deve avere da 10 a 2.000 caratteri.").is_err());
    Ok(())
}

both!(
    the_login_and_the_administrations_forms_refuse_in_words,
    the_suppliers_forms_refuse_in_words,
    the_verifiers_forms_refuse_in_words,
    the_departments_forms_refuse_in_words,
    the_settings_forms_refuse_in_words,
    the_onboarding_forms_refuse_in_words,
);
