//! The department's journeys: the national dashboard from one round trip, then a
//! drill-down from a region and from an overdue project; an overdue project revoked
//! with its reason, a verifier assigned to a completed project, a payment made; the
//! catalogue of qualified suppliers and offerings kept, and the terms of a call set
//! (with a concurrent change refused as a conflict), and the days a call's reminders go.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, choose, control_labelled, eventually, fill, graphql_in_page,
    link, log_in, text_of, wait_for_heading, wait_for_page_text, wait_for_text, Backend, Browser,
    Server,
};
use serde_json::{json, Value};

/// A server with the demo data and a browser where the department has logged in and
/// sees its dashboard.
async fn signed_in_as_department(backend: Backend) -> Result<(Server, Browser)> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    log_in(
        &browser.driver,
        &server.url,
        "dipartimento",
        "dipartimento-demo-2026",
    )
    .await?;
    wait_for_heading(&browser.driver, "Cruscotto nazionale").await?;
    Ok((server, browser))
}

async fn the_department_reads_the_national_dashboard_and_drills_down(
    backend: Backend,
) -> Result<()> {
    let (_server, browser) = signed_in_as_department(backend).await?;
    let driver = &browser.driver;
    wait_for_text(driver, "cruscotto-progetti", "12.934").await?;
    let funded = text_of(driver, "obiettivo-finanziati")
        .await?
        .unwrap_or_default();
    assert!(funded.contains("/ 16.547"), "{funded}");
    // The tile map is an image with a name, and its data is also a table.
    let map = driver
        .find(By::Css("svg[role='img'][aria-labelledby='mappa-titolo']"))
        .await?;
    assert!(map.find_all(By::Tag("rect")).await?.len() >= 20);
    wait_for_page_text(driver, "Progetti e importi").await.ok();
    let overdue = text_of(driver, "cruscotto-ritardi")
        .await?
        .unwrap_or_default();
    assert!(!overdue.is_empty());
    browser.screenshot("department-dashboard").await?;
    assert_accessible(&browser, "Cruscotto nazionale").await?;

    // One click from a region to its projects.
    link(driver, "Liguria").await?.click().await?;
    wait_for_text(driver, "totale-progetti", "344").await?;

    // One click from an overdue project to its page.
    driver.back().await?;
    wait_for_heading(driver, "Cruscotto nazionale").await?;
    let first = eventually(
        "the first overdue project",
        Duration::from_secs(20),
        || async {
            Ok(driver
                .find_all(By::XPath(
                    "//section[@aria-labelledby='ritardi']//tbody/tr[1]//a",
                ))
                .await?
                .into_iter()
                .next())
        },
    )
    .await?;
    let cup = first.text().await?;
    first.click().await?;
    wait_for_page_text(driver, &format!("CUP {cup}")).await?;
    assert_accessible(&browser, "project page").await?;

    driver.clone().quit().await?;
    Ok(())
}

/// The demo's school in Pianoro, COMPLETED, and the one in Reggio Emilia, whose payment
/// is requested (see `server/src/demo.rs`).
const COMPLETED_CUP: &str = "D81C22002300006";
const PAYMENT_CUP: &str = "H81C22000830006";

async fn first_overdue_link(driver: &WebDriver) -> Result<WebElement> {
    eventually(
        "the first overdue project",
        Duration::from_secs(20),
        || async {
            Ok(driver
                .find_all(By::XPath(
                    "//section[@aria-labelledby='ritardi']//tbody/tr[1]//a",
                ))
                .await?
                .into_iter()
                .next())
        },
    )
    .await
}

async fn the_department_revokes_an_overdue_project_assigns_a_verifier_and_pays(
    backend: Backend,
) -> Result<()> {
    let (server, browser) = signed_in_as_department(backend).await?;
    let driver = &browser.driver;

    // The overdue list is the deadline checker's: one click to the project.
    let first = first_overdue_link(driver).await?;
    first.scroll_into_view().await?;
    browser.screenshot("department-overdue-list").await?;
    let cup = first.text().await?;
    first.click().await?;
    wait_for_page_text(driver, &format!("CUP {cup}")).await?;
    wait_for_page_text(driver, "Scadenza superata").await?;
    browser.screenshot("department-project").await?;
    assert_accessible(&browser, "department project page").await?;

    // Revocation: the reason is checked in the browser, then confirmed.
    driver
        .find(By::XPath(
            "//summary[normalize-space()='Revoca il finanziamento']",
        ))
        .await?
        .click()
        .await?;
    fill(driver, "Motivo della revoca", "breve").await?;
    button(driver, "Revoca").await?.click().await?;
    wait_for_page_text(driver, "Il motivo deve avere da 10 a 2.000 caratteri.").await?;
    fill(
        driver,
        "Motivo della revoca",
        "Contratto con il fornitore non stipulato entro il termine dell'avviso.",
    )
    .await?;
    button(driver, "Revoca").await?.click().await?;
    wait_for_page_text(driver, "L'operazione non si può annullare.").await?;
    browser.screenshot("department-revoke-confirm").await?;
    assert_accessible(&browser, "revocation confirmation").await?;
    button(driver, "Conferma la revoca").await?.click().await?;
    wait_for_page_text(driver, "Finanziamento revocato.").await?;
    let state = eventually("the state Revocata", Duration::from_secs(20), || async {
        let text = text_of(driver, "stato-progetto").await?.unwrap_or_default();
        Ok((text == "Revocata").then_some(text))
    })
    .await?;
    assert_eq!(state, "Revocata");
    wait_for_page_text(driver, "Contratto con il fornitore non stipulato").await?;
    browser.screenshot("department-revoked").await?;

    // A verifier for a completed project: an unknown username is refused by the server.
    driver
        .goto(format!(
            "{}/dipartimento/progetti/{COMPLETED_CUP}",
            server.url
        ))
        .await?;
    wait_for_page_text(driver, "Assegna un asseveratore").await?;
    fill(driver, "Nome utente dell'asseveratore", "nessuno").await?;
    button(driver, "Assegna l'asseveratore")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Nessun asseveratore attivo ha questo nome utente.").await?;
    browser.screenshot("department-assign").await?;
    assert_accessible(&browser, "assignment form").await?;
    fill(driver, "Nome utente dell'asseveratore", "asseveratore").await?;
    button(driver, "Assegna l'asseveratore")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Asseveratore assegnato: il progetto è in verifica.").await?;
    wait_for_text(driver, "stato-progetto", "In asseverazione").await?;

    // A requested payment, paid.
    driver
        .goto(format!(
            "{}/dipartimento/progetti/{PAYMENT_CUP}",
            server.url
        ))
        .await?;
    wait_for_text(driver, "stato-progetto", "Erogazione richiesta").await?;
    button(driver, "Registra il pagamento")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "il progetto diventa liquidato").await?;
    button(driver, "Conferma il pagamento")
        .await?
        .click()
        .await?;
    wait_for_text(driver, "stato-progetto", "Liquidata").await?;
    // Nothing is left to do on a paid project.
    assert!(driver.find_all(By::Id("azioni")).await?.is_empty());
    browser.screenshot("department-paid").await?;
    assert_accessible(&browser, "paid project").await?;

    driver.clone().quit().await?;
    Ok(())
}

/// Sets a date input as a person's date picker would (typing depends on the locale).
async fn set_date(driver: &WebDriver, label: &str, value: &str) -> Result<()> {
    let input = control_labelled(driver, label).await?;
    driver
        .execute(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
            vec![input.to_json()?, json!(value)],
        )
        .await?;
    Ok(())
}

/// `n` with a dot every three digits, as the page writes counts (12.934).
fn grouped(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Waits until the error line `id` (under a field) says `needle`.
async fn field_error(driver: &WebDriver, id: &str, needle: &str) -> Result<()> {
    eventually(
        &format!("#{id} to say {needle:?}"),
        Duration::from_secs(20),
        || async {
            let text = driver.find(By::Id(id)).await?.text().await?;
            Ok(text.contains(needle).then_some(()))
        },
    )
    .await
}

async fn gql(driver: &WebDriver, query: &str, variables: Value) -> Result<Value> {
    let r = graphql_in_page(driver, query, variables).await?;
    ensure!(r["errors"].is_null(), "{query}: {r}");
    Ok(r["data"].clone())
}

async fn the_department_qualifies_a_supplier_and_an_offering(backend: Backend) -> Result<()> {
    let (_server, browser) = signed_in_as_department(backend).await?;
    let driver = &browser.driver;
    link(driver, "Fornitori qualificati").await?.click().await?;
    wait_for_heading(driver, "Fornitori qualificati").await?;
    wait_for_page_text(driver, "Nuvola Demo Cloud S.r.l.").await?;
    wait_for_page_text(driver, "Polo Strategico Nazionale S.p.A. PSN").await?;
    assert_accessible(&browser, "Fornitori qualificati").await?;

    // A supplier: a VAT number with a wrong check digit is refused in the browser.
    fill(driver, "Partita IVA", "07654321090").await?;
    fill(driver, "Ragione sociale", "Cloud Emilia S.r.l.").await?;
    button(driver, "Qualifica il fornitore")
        .await?
        .click()
        .await?;
    field_error(
        driver,
        "fornitore-piva-errore",
        "La partita IVA non è valida",
    )
    .await?;
    let vat = control_labelled(driver, "Partita IVA").await?;
    ensure!(vat.attr("aria-invalid").await?.as_deref() == Some("true"));
    fill(driver, "Partita IVA", "07654321095").await?;
    // A new supplier whose qualification already ended is nonsense (the shared rule,
    // the server's too), said next to the date.
    set_date(driver, "Qualificato fino al", "2025-06-30").await?;
    button(driver, "Qualifica il fornitore")
        .await?
        .click()
        .await?;
    field_error(
        driver,
        "fornitore-scadenza-errore",
        "La qualificazione di un nuovo fornitore non può essere già finita",
    )
    .await?;
    set_date(driver, "Qualificato fino al", "2029-06-30").await?;
    button(driver, "Qualifica il fornitore")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Fornitore qualificato.").await?;
    wait_for_page_text(driver, "Cloud Emilia S.r.l.").await?;

    // An offering of it: the shared rules refuse a code of the wrong form, PSN
    // deployment for a supplier that is not PSN, and more than 36 months.
    let emilia = "Cloud Emilia S.r.l. · P.IVA 07654321095";
    eventually(
        "the new supplier in the form",
        Duration::from_secs(20),
        || async { Ok(choose(driver, "Fornitore dell'offerta", emilia).await.ok()) },
    )
    .await?;
    fill(driver, "Codice dell'offerta", "emilia iaas").await?;
    fill(driver, "Nome dell'offerta", "Emilia IaaS privato").await?;
    button(driver, "Qualifica l'offerta").await?.click().await?;
    field_error(driver, "offerta-codice-errore", "lettere maiuscole").await?;
    fill(driver, "Codice dell'offerta", "DEMO-SAAS-PA").await?;
    choose(driver, "Modello di rilascio", "PSN").await?;
    button(driver, "Qualifica l'offerta").await?.click().await?;
    field_error(
        driver,
        "offerta-rilascio-errore",
        "riservato alle offerte del Polo Strategico Nazionale",
    )
    .await?;
    choose(driver, "Modello di rilascio", "Cloud privato").await?;
    choose(driver, "Classe massima dei dati", "Critico").await?;
    set_date(driver, "Qualificata dal", "2026-01-01").await?;
    set_date(driver, "Qualificata fino al", "2029-06-30").await?;
    button(driver, "Qualifica l'offerta").await?.click().await?;
    field_error(driver, "offerta-al-errore", "al massimo 36 mesi").await?;
    // Within 36 months, but beyond the supplier's own qualification (30/06/2029).
    set_date(driver, "Qualificata dal", "2026-10-01").await?;
    set_date(driver, "Qualificata fino al", "2029-09-30").await?;
    button(driver, "Qualifica l'offerta").await?.click().await?;
    field_error(
        driver,
        "offerta-al-errore",
        "Il fornitore è qualificato fino al 30/06/2029: l'offerta non può restare qualificata oltre quella data.",
    )
    .await?;
    set_date(driver, "Qualificata dal", "2026-01-01").await?;
    // A code another supplier's offering has: only the server knows, and says so
    // next to the code.
    set_date(driver, "Qualificata fino al", "2028-12-31").await?;
    button(driver, "Qualifica l'offerta").await?.click().await?;
    field_error(
        driver,
        "offerta-codice-errore",
        "Questo codice è già di un'offerta di un altro fornitore",
    )
    .await?;
    driver
        .find(By::Id("nuova-offerta"))
        .await?
        .scroll_into_view()
        .await?;
    browser.screenshot("department-offering-refused").await?;
    assert_accessible(&browser, "offering form with a refusal").await?;

    fill(driver, "Codice dell'offerta", "EMILIA-IAAS-PRIV").await?;
    button(driver, "Qualifica l'offerta").await?.click().await?;
    wait_for_page_text(driver, "Offerta qualificata.").await?;
    let row = eventually(
        "the new offering listed",
        Duration::from_secs(20),
        || async {
            for r in driver.find_all(By::Css("tbody tr")).await? {
                let text = r.text().await?;
                if text.contains("EMILIA-IAAS-PRIV") {
                    return Ok(Some((r, text)));
                }
            }
            Ok(None)
        },
    )
    .await?;
    for shown in [
        "Emilia IaaS privato",
        "IaaS",
        "Cloud privato",
        "Critico",
        "01/01/2026",
        "31/12/2028",
    ] {
        assert!(row.1.contains(shown), "{shown} in {}", row.1);
    }
    row.0.scroll_into_view().await?;
    browser.screenshot("department-suppliers").await?;
    assert_accessible(&browser, "Fornitori qualificati, updated").await?;

    // The public catalogue has them.
    let d = gql(
        driver,
        "{ suppliers { vatNumber name isPsn qualifiedUntil offerings { code deploymentModel maxDataClass qualifiedUntil } } }",
        json!({}),
    )
    .await?;
    let emilia = d["suppliers"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["vatNumber"] == "07654321095"))
        .cloned()
        .context("the new supplier")?;
    assert_eq!(emilia["isPsn"], false);
    assert_eq!(emilia["qualifiedUntil"], "2029-06-30");
    assert_eq!(
        emilia["offerings"],
        json!([{ "code": "EMILIA-IAAS-PRIV", "deploymentModel": "PRIVATE", "maxDataClass": "CRITICO", "qualifiedUntil": "2028-12-31" }])
    );

    driver.clone().quit().await?;
    Ok(())
}

const COMUNI_CALL: &str = "1.2 Abilitazione al cloud - Comuni - Aprile 2022";

async fn comuni_call(driver: &WebDriver) -> Result<Value> {
    let d = gql(
        driver,
        "{ calls { title contractTerm completionTerm completionFrom version } }",
        json!({}),
    )
    .await?;
    d["calls"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["title"] == COMUNI_CALL))
        .cloned()
        .context("the comuni call")
}

async fn the_call_row(driver: &WebDriver) -> Result<String> {
    for r in driver.find_all(By::Css("[data-testid='avviso']")).await? {
        let text = r.text().await?;
        if text.starts_with(COMUNI_CALL) {
            return Ok(text);
        }
    }
    anyhow::bail!("no row for {COMUNI_CALL}")
}

async fn the_department_sets_the_terms_of_a_call(backend: Backend) -> Result<()> {
    let (_server, browser) = signed_in_as_department(backend).await?;
    let driver = &browser.driver;
    link(driver, "Termini degli avvisi").await?.click().await?;
    wait_for_heading(driver, "Termini degli avvisi").await?;
    let edit = format!("Modifica i termini di {COMUNI_CALL}");
    button(driver, &edit).await?;
    let before = comuni_call(driver).await?;
    let version = before["version"].as_i64().context("version")?;
    assert!(before["contractTerm"].is_null(), "{before}");
    assert_accessible(&browser, "Termini degli avvisi").await?;

    button(driver, &edit).await?.click().await?;
    wait_for_page_text(driver, &format!("Termini di «{COMUNI_CALL}»")).await?;
    // A term that is not days or months is refused in the browser, next to it.
    fill(driver, "Contratto con il fornitore entro", "6 anni").await?;
    button(driver, "Salva i termini").await?.click().await?;
    field_error(driver, "termini-contratto-errore", "in giorni o mesi").await?;
    fill(driver, "Contratto con il fornitore entro", "9 mesi").await?;
    fill(driver, "Completamento entro", "18 mesi").await?;
    // A final deadline already past is refused next to it, in Italian and in English.
    set_date(driver, "Termine ultimo dell'avviso", "2001-01-01").await?;
    button(driver, "Salva i termini").await?.click().await?;
    field_error(
        driver,
        "termini-ultimo-errore",
        "Il termine ultimo dell'avviso non può essere un giorno già passato",
    )
    .await?;
    button(driver, "ENG English").await?.click().await?;
    field_error(
        driver,
        "termini-ultimo-errore",
        "The call's final deadline cannot be a day already past",
    )
    .await?;
    browser
        .screenshot("department-call-terms-past-cap-en")
        .await?;
    button(driver, "ITA Italiano").await?.click().await?;
    set_date(driver, "Termine ultimo dell'avviso", "").await?;

    // Meanwhile someone else changes the call: this save is refused, in words.
    gql(
        driver,
        "mutation($input: CallTermsInput!) { setCallTerms(input: $input) { version } }",
        json!({ "input": { "title": COMUNI_CALL, "version": version, "contractTerm": "12 months" } }),
    )
    .await?;
    button(driver, "Salva i termini").await?.click().await?;
    wait_for_page_text(
        driver,
        "Qualcun altro ha modificato questi dati nel frattempo: ricarica la pagina e riprova.",
    )
    .await?;
    browser.screenshot("department-call-terms-conflict").await?;
    assert_accessible(&browser, "call terms with a conflict").await?;

    // Reloaded, the page shows the other change; saved again, on the new version.
    driver.refresh().await?;
    wait_for_heading(driver, "Termini degli avvisi").await?;
    button(driver, &edit).await?;
    let row = the_call_row(driver).await?;
    assert!(row.contains("12 mesi"), "{row}");
    button(driver, &edit).await?.click().await?;
    wait_for_page_text(driver, &format!("Versione letta: {}.", version + 1)).await?;
    fill(driver, "Contratto con il fornitore entro", "9 mesi").await?;
    fill(driver, "Completamento entro", "18 mesi").await?;
    choose(driver, "Il completamento decorre", "dal contratto").await?;
    // Before saving, the server says how many projects change deadline, counted by the
    // code that applies the change; the department confirms.
    let expected = gql(
        driver,
        "query($input: CallTermsInput!) { callTermsImpact(input: $input) { projects changingDeadline } }",
        json!({ "input": { "title": COMUNI_CALL, "version": version + 1, "contractTerm": "9 months",
            "completionTerm": "18 months", "completionFrom": "CONTRACT_DATE" } }),
    )
    .await?;
    let changing = expected["callTermsImpact"]["changingDeadline"]
        .as_i64()
        .context("changingDeadline")?;
    ensure!(
        changing > 1,
        "the demo's comuni projects change deadline: {expected}"
    );
    button(driver, "Salva i termini").await?.click().await?;
    wait_for_text(
        driver,
        "impatto-termini",
        &format!("{} progetti cambiano scadenza.", grouped(changing)),
    )
    .await?;
    let row = the_call_row(driver).await?;
    assert!(
        row.contains("12 mesi"),
        "nothing saved before the confirmation: {row}"
    );
    driver
        .find(By::Css("[data-testid='impatto-termini']"))
        .await?
        .scroll_into_view()
        .await?;
    browser.screenshot("department-call-terms-impact").await?;
    assert_accessible(&browser, "call terms impact").await?;
    button(driver, "ENG English").await?.click().await?;
    wait_for_text(
        driver,
        "impatto-termini",
        &format!("{} projects change deadline.", grouped(changing)),
    )
    .await?;
    driver.set_window_rect(0, 0, 390, 844).await?;
    driver
        .find(By::Css("[data-testid='impatto-termini']"))
        .await?
        .scroll_into_view()
        .await?;
    browser
        .screenshot("department-call-terms-impact-en-390")
        .await?;
    driver.set_window_rect(0, 0, 1366, 900).await?;
    button(driver, "ITA Italiano").await?.click().await?;
    button(driver, "Conferma e salva i termini")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Termini dell'avviso salvati.").await?;
    let row = eventually("the new terms listed", Duration::from_secs(20), || async {
        let row = the_call_row(driver).await?;
        Ok(row.contains("9 mesi").then_some(row))
    })
    .await?;
    assert!(row.contains("18 mesi dal contratto"), "{row}");
    assert!(row.contains(&(version + 2).to_string()), "{row}");
    browser.screenshot("department-call-terms").await?;
    assert_accessible(&browser, "Termini degli avvisi, saved").await?;

    let after = comuni_call(driver).await?;
    assert_eq!(after["contractTerm"], "9 months");
    assert_eq!(after["completionTerm"], "18 months");
    assert_eq!(after["completionFrom"], "CONTRACT_DATE");
    assert_eq!(after["version"], version + 2);

    driver.clone().quit().await?;
    Ok(())
}

/// The call's row once its reminder column says `needle`.
async fn the_call_row_saying(driver: &WebDriver, needle: &str) -> Result<String> {
    eventually(
        &format!("the call's row to say {needle:?}"),
        Duration::from_secs(20),
        || async {
            let row = the_call_row(driver).await?;
            Ok(row.contains(needle).then_some(row))
        },
    )
    .await
}

/// The department sets the days before each deadline at which a call's administrations
/// are reminded: zero, a negative, a repeated day and too many are refused next to the
/// field in Italian and English; a good list is stored and shown in the table.
async fn the_department_sets_the_reminders_of_a_call(backend: Backend) -> Result<()> {
    let (_server, browser) = signed_in_as_department(backend).await?;
    let driver = &browser.driver;
    link(driver, "Termini degli avvisi").await?.click().await?;
    wait_for_heading(driver, "Termini degli avvisi").await?;
    // By default 30, 7 and 1 days before.
    the_call_row_saying(driver, "30, 7, 1 giorni prima").await?;
    let edit = format!("Modifica i termini di {COMUNI_CALL}");
    button(driver, &edit).await?.click().await?;
    wait_for_page_text(driver, "Promemoria prima delle scadenze").await?;
    let field = control_labelled(driver, "Giorni prima della scadenza").await?;
    ensure!(
        field.prop("value").await?.as_deref() == Some("30, 7, 1"),
        "the form starts from the stored days"
    );
    for (typed, said) in [
        (
            "0",
            "Ogni promemoria va da 1 a 365 giorni prima della scadenza: 0 non va bene.",
        ),
        (
            "7, -3",
            "Ogni promemoria va da 1 a 365 giorni prima della scadenza: -3 non va bene.",
        ),
        (
            "7, 30, 7",
            "Il giorno 7 è ripetuto: scrivilo una volta sola.",
        ),
        ("trenta", "«trenta» non è un numero di giorni"),
        (
            "1, 2, 3, 4, 5, 6, 7",
            "Al massimo 6 promemoria per scadenza.",
        ),
    ] {
        fill(driver, "Giorni prima della scadenza", typed).await?;
        button(driver, "Salva i promemoria").await?.click().await?;
        field_error(driver, "promemoria-giorni-errore", said).await?;
    }
    let invalid = control_labelled(driver, "Giorni prima della scadenza").await?;
    ensure!(
        invalid.attr("aria-invalid").await?.as_deref() == Some("true"),
        "the field is marked invalid"
    );
    driver
        .find(By::Id("promemoria-giorni"))
        .await?
        .scroll_into_view()
        .await?;
    browser
        .screenshot("department-call-reminders-refused")
        .await?;
    assert_accessible(&browser, "call reminders refused").await?;
    button(driver, "ENG English").await?.click().await?;
    field_error(
        driver,
        "promemoria-giorni-errore",
        "At most 6 reminders per deadline.",
    )
    .await?;
    fill(driver, "Days before the deadline", "0").await?;
    button(driver, "Save the reminders").await?.click().await?;
    field_error(
        driver,
        "promemoria-giorni-errore",
        "Each reminder goes 1 to 365 days before the deadline: 0 will not do.",
    )
    .await?;
    browser
        .screenshot("department-call-reminders-refused-en")
        .await?;
    driver.set_window_rect(0, 0, 390, 844).await?;
    driver
        .find(By::Id("promemoria-giorni"))
        .await?
        .scroll_into_view()
        .await?;
    browser
        .screenshot("department-call-reminders-refused-en-390")
        .await?;
    button(driver, "ITA Italiano").await?.click().await?;
    field_error(
        driver,
        "promemoria-giorni-errore",
        "Ogni promemoria va da 1 a 365 giorni prima della scadenza: 0 non va bene.",
    )
    .await?;
    driver
        .find(By::Id("promemoria-giorni"))
        .await?
        .scroll_into_view()
        .await?;
    browser
        .screenshot("department-call-reminders-refused-390")
        .await?;
    driver.set_window_rect(0, 0, 1366, 900).await?;
    // Nothing stored by the refusals.
    let d = gql(driver, "{ calls { title reminderDays } }", json!({})).await?;
    let stored = |d: &Value| {
        d["calls"]
            .as_array()
            .and_then(|all| all.iter().find(|c| c["title"] == COMUNI_CALL))
            .map(|c| c["reminderDays"].clone())
    };
    ensure!(stored(&d) == Some(json!([30, 7, 1])), "{d}");

    // "1, 14, 45" is read in any order and stored largest first.
    fill(driver, "Giorni prima della scadenza", "1, 14, 45").await?;
    button(driver, "Salva i promemoria").await?.click().await?;
    wait_for_page_text(driver, "Promemoria dell'avviso salvati.").await?;
    let row = the_call_row_saying(driver, "45, 14, 1 giorni prima").await?;
    ensure!(row.contains(COMUNI_CALL), "{row}");
    let d = gql(driver, "{ calls { title reminderDays } }", json!({})).await?;
    ensure!(stored(&d) == Some(json!([45, 14, 1])), "{d}");
    browser
        .screenshot("department-call-reminders-saved")
        .await?;
    assert_accessible(&browser, "call reminders saved").await?;
    button(driver, "ENG English").await?.click().await?;
    the_call_row_saying(driver, "45, 14, 1 days before").await?;
    driver.set_window_rect(0, 0, 390, 844).await?;
    browser
        .screenshot("department-call-reminders-saved-en-390")
        .await?;
    driver.set_window_rect(0, 0, 1366, 900).await?;

    driver.clone().quit().await?;
    Ok(())
}

/// The department imports the publisher's newest file from the web application: a wrong
/// first try (no file), the preview of what would change (nothing written yet), the
/// confirmation, the run in the background, and the page still there after a reload.
async fn the_department_previews_and_confirms_an_open_data_import(backend: Backend) -> Result<()> {
    let (_server, browser) = signed_in_as_department(backend).await?;
    let driver = &browser.driver;
    link(driver, "Importazione dati aperti")
        .await?
        .click()
        .await?;
    wait_for_heading(driver, "Importazione dei dati aperti").await?;

    // No file chosen: told so, nothing sent.
    button(driver, "Carica e mostra l'anteprima")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Scegli almeno un file da importare.").await?;

    // The newest snapshot: Genova renounced, and a new project whose CUP has 16
    // characters (published, so imported and flagged).
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("candidature_2026-08.csv");
    let header = "codice_ipa,ente,comune,cod_comune,provincia,cod_provincia,regione,cod_regione,importo_finanziamento,avviso,data_invio_candidatura,data_finanziamento,codice_cup,numero_finestra_temporale,numero_di_protocollo,stato_candidatura,misura,tipologia_ente";
    let genova = "c_d969,Comune di Genova,Genova,010025,GE,010,Liguria,07,4566860.0,1.2 Abilitazione al cloud - Comuni - Aprile 2022,2022-05-17T17:00:00.000+0000,2022-08-08,B31C22000060007,1.0,28.0,R,1.2 Abilitazione e facilitazione migrazione al Cloud,Comune";
    let new_row = genova
        .replace("B31C22000060007", "B31C260000600071")
        .replace(",R,1.2 Abil", ",A,1.2 Abil")
        .replace("4566860.0", "120000.0");
    std::fs::write(&file, format!("{header}\n{genova}\n{new_row}\n"))?;
    control_labelled(driver, "File da importare (CSV o JSON, al massimo 5)")
        .await?
        .send_keys(file.display().to_string())
        .await?;
    button(driver, "Carica e mostra l'anteprima")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Anteprima pronta: conferma o annulla").await?;
    let report = text_of(driver, "rapporto-file").await?.unwrap_or_default();
    for expected in [
        "1 nuove",
        "1 aggiornate",
        "0 scartate",
        "1 avvisi di qualità",
    ] {
        ensure!(report.contains(expected), "{expected:?} not in {report:?}");
    }
    driver
        .execute(
            "document.querySelector('[data-testid=importazione]').scrollIntoView()",
            vec![],
        )
        .await?;
    browser.screenshot("department-import-preview").await?;
    assert_accessible(&browser, "import preview").await?;
    let project = "query($cup: String!) { application(cup: $cup) { cup state } }";
    let before = graphql_in_page(driver, project, json!({ "cup": "B31C260000600071" })).await?;
    ensure!(
        before["data"]["application"].is_null(),
        "a preview wrote: {before}"
    );

    // Confirm (asked once more in the page), then the background run.
    button(driver, "Conferma l'importazione")
        .await?
        .click()
        .await?;
    button(driver, "Sì, importa").await?.click().await?;
    eventually("the import's end", Duration::from_secs(60), || async {
        Ok(driver
            .find_all(By::XPath(
                "//h2[normalize-space()='Importazione completata']",
            ))
            .await?
            .into_iter()
            .next())
    })
    .await?;
    let after = graphql_in_page(driver, project, json!({ "cup": "B31C260000600071" })).await?;
    ensure!(after["data"]["application"]["state"] == "FUNDED", "{after}");
    let genova = graphql_in_page(driver, project, json!({ "cup": "B31C22000060007" })).await?;
    ensure!(
        genova["data"]["application"]["state"] == "RENOUNCED",
        "{genova}"
    );

    // The job is the server's: a reload finds it, with the flagged project listed.
    driver.refresh().await?;
    wait_for_page_text(driver, "Importazione completata").await?;
    wait_for_page_text(driver, "B31C260000600071").await?;
    driver
        .execute(
            "document.getElementById('qualita').scrollIntoView()",
            vec![],
        )
        .await?;
    browser.screenshot("department-import-done").await?;
    assert_accessible(&browser, "import done").await?;
    // In English, and on a phone.
    button(driver, "ENG English").await?.click().await?;
    wait_for_page_text(driver, "Import completed").await?;
    wait_for_page_text(driver, "Quality of the published data").await?;
    // Every text of the page follows the switch, counts and reasons included.
    wait_for_page_text(driver, "1 new").await?;
    wait_for_page_text(driver, "8 projects have non-standard identifiers").await?;
    wait_for_page_text(driver, "has 16 characters, a CUP has 15").await?;
    driver.set_window_rect(0, 0, 390, 844).await?;
    driver
        .execute(
            "document.querySelector('[data-testid=importazione]').scrollIntoView()",
            vec![],
        )
        .await?;
    browser.screenshot("department-import-done-en-390").await?;
    assert_accessible(&browser, "import done, English, 390 px").await?;
    driver.set_window_rect(0, 0, 1366, 900).await?;
    driver.clone().quit().await?;
    Ok(())
}

both!(
    the_department_previews_and_confirms_an_open_data_import,
    the_department_reads_the_national_dashboard_and_drills_down,
    the_department_revokes_an_overdue_project_assigns_a_verifier_and_pays,
    the_department_qualifies_a_supplier_and_an_offering,
    the_department_sets_the_terms_of_a_call,
    the_department_sets_the_reminders_of_a_call
);
