//! The verifier's journey: the queue of projects assigned to it (the demo's school in
//! Bologna, under verification), the verification page: a checklist item, a document
//! request (refused in the browser without a title, then sent, closed and reopened),
//! the outcome (a partial one without services refused, then a positive one); what it
//! verifies (a questionnaire's values, the school's document) read-only; and the pages
//! of other roles closed to it.

use std::time::Duration;

use anyhow::Result;
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, choose, eventually, fill, link, log_in, wait_for_heading,
    wait_for_page_text, Backend, Browser, Server,
};

const SCHOOL: &str = "ISTITUTO COMPRENSIVO - I.C. N.13 VIA TOSCANA";
const SCHOOL_CUP: &str = "G31C22001290006";
/// A document the school uploads before the verifier looks.
const DOCUMENT: &str = "verbale-di-collaudo.pdf";

/// Clicks the label of a radio button or checkbox, as a person does.
async fn pick(driver: &WebDriver, label: &str) -> Result<()> {
    driver
        .find(By::XPath(format!("//label[normalize-space()='{label}']")))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn scroll_to(driver: &WebDriver, id: &str) -> Result<()> {
    let el = driver.find(By::Id(id)).await?;
    el.scroll_into_view().await?;
    Ok(())
}

async fn a_verifier_checks_asks_for_documents_and_records_the_outcome(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;

    // The school puts a document in its project, as its own page would (the session
    // cookie authenticates the upload); then the verifier logs in.
    log_in(driver, &server.url, "scuola.bologna", "scuola-demo-2026").await?;
    let uploaded = driver
        .execute_async(
            r#"const [url, done] = arguments;
               const pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
               fetch(url, { method: "POST", headers: { "content-type": "application/pdf" }, body: new Blob([pdf], { type: "application/pdf" }) })
                 .then(r => done(r.status)).catch(e => done(String(e)));"#,
            vec![serde_json::json!(format!(
                "/api/projects/{SCHOOL_CUP}/documents?kind=OTHER&fileName={DOCUMENT}"
            ))],
        )
        .await?;
    anyhow::ensure!(
        uploaded.json() == &serde_json::json!(201),
        "the school's upload: {:?}",
        uploaded.json()
    );
    driver.delete_all_cookies().await?;
    log_in(
        driver,
        &server.url,
        "asseveratore",
        "asseveratore-demo-2026",
    )
    .await?;
    wait_for_heading(driver, "Progetti da asseverare").await?;
    wait_for_page_text(driver, "In asseverazione").await?;
    browser.screenshot("verifier-queue").await?;
    assert_accessible(&browser, "Progetti da asseverare").await?;

    link(driver, SCHOOL).await?.click().await?;
    wait_for_heading(driver, SCHOOL).await?;
    wait_for_page_text(driver, "Nessuna verifica registrata.").await?;
    browser.screenshot("verifier-project").await?;
    assert_accessible(&browser, "verification page").await?;

    // A checklist item for the first service.
    choose(driver, "Voce della lista", "Collaudo superato").await?;
    pick(driver, "Non conforme").await?;
    fill(driver, "Note della verifica", "Manca il verbale firmato.").await?;
    button(driver, "Registra la verifica")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Verifica registrata.").await?;
    wait_for_page_text(driver, "Manca il verbale firmato.").await?;

    // After the save the selects show what the form will record: saving again records
    // exactly the service and the item they show.
    let shown = driver
        .execute(
            "return ['verifica-servizio', 'verifica-voce'].map(id => { const s = document.getElementById(id); return s.options[s.selectedIndex].text; });",
            Vec::new(),
        )
        .await?;
    let shown: Vec<String> = serde_json::from_value(shown.json().clone())?;
    fill(
        driver,
        "Note della verifica",
        "Seconda verifica, con la scelta mostrata.",
    )
    .await?;
    button(driver, "Registra la verifica")
        .await?
        .click()
        .await?;
    eventually(
        "the second check as shown",
        Duration::from_secs(20),
        || async {
            for row in driver.find_all(By::Css("tbody tr")).await? {
                let text = row.text().await?;
                if text.contains("Seconda verifica") {
                    anyhow::ensure!(
                        text.contains(&shown[0]) && text.contains(&shown[1]),
                        "recorded {text:?}, the form showed {shown:?}"
                    );
                    return Ok(Some(()));
                }
            }
            Ok(None)
        },
    )
    .await?;

    // What it verifies: each service's questionnaires and evidence, and every document.
    wait_for_page_text(driver, "Questionari ed evidenze dei servizi").await?;
    wait_for_page_text(driver, "Documenti del progetto").await?;
    let first_panel = driver
        .find(By::XPath("//section[@aria-labelledby='evidenze']//summary"))
        .await?;
    first_panel.scroll_into_view().await?;
    first_panel.click().await?;
    wait_for_page_text(driver, "Evidenze della migrazione").await?;
    // The content itself: the supplier's questionnaire and the school's document.
    let evidence = driver
        .find(By::XPath("//section[@aria-labelledby='evidenze']"))
        .await?;
    let panel = evidence
        .find(By::Css("details[open]"))
        .await?
        .text()
        .await?;
    anyhow::ensure!(
        panel.contains("Segreteria digitale") && panel.contains("Segreteria scolastica (SaaS)"),
        "the questionnaire's values: {panel}"
    );
    let documents = driver
        .find(By::XPath("//section[@aria-labelledby='documenti']"))
        .await?;
    let listed = documents.text().await?;
    anyhow::ensure!(
        listed.contains(DOCUMENT),
        "the project's documents: {listed}"
    );
    // Read-only: nothing to upload, fill in or remove, in either section.
    for section in [&evidence, &documents] {
        let controls = section
            .find_all(By::Css("form, input, textarea, select, button"))
            .await?;
        let mut named = Vec::new();
        for c in &controls {
            named.push(c.outer_html().await?);
        }
        anyhow::ensure!(named.is_empty(), "controls for the verifier: {named:?}");
    }
    browser.screenshot("verifier-evidence").await?;
    assert_accessible(&browser, "verifier's evidence").await?;
    driver.set_window_rect(0, 0, 390, 844).await?;
    first_panel.scroll_into_view().await?;
    browser.screenshot("verifier-evidence-390").await?;
    driver.set_window_rect(0, 0, 1366, 900).await?;

    // A document request: the browser refuses it without a title, next to the field.
    fill(
        driver,
        "Documenti richiesti",
        "Il verbale di collaudo firmato dal dirigente.",
    )
    .await?;
    button(driver, "Invia la richiesta").await?.click().await?;
    wait_for_page_text(driver, "Scrivi un titolo di al massimo 200 caratteri.").await?;
    fill(driver, "Titolo della richiesta", "Verbale di collaudo").await?;
    button(driver, "Invia la richiesta").await?.click().await?;
    wait_for_page_text(driver, "Richiesta inviata all'ente.").await?;
    wait_for_page_text(driver, "(tra 15 giorni)").await?;
    scroll_to(driver, "richieste").await?;
    browser.screenshot("verifier-request").await?;
    assert_accessible(&browser, "verification page with a request").await?;

    // Closed, then asked again.
    button(driver, "Chiudi la richiesta Verbale di collaudo")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "l'ente non potrà più rispondere").await?;
    button(driver, "Conferma la chiusura")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Richiesta chiusa.").await?;
    button(driver, "Riapri la richiesta Verbale di collaudo")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Richiesta riaperta.").await?;

    // The outcome: partially positive needs the services to redo.
    scroll_to(driver, "esito").await?;
    pick(driver, "Parzialmente positivo").await?;
    button(driver, "Registra l'esito").await?.click().await?;
    wait_for_page_text(driver, "Scegli i servizi da rifare.").await?;
    browser.screenshot("verifier-outcome").await?;
    assert_accessible(&browser, "outcome form").await?;
    pick(driver, "Positivo").await?;
    fill(
        driver,
        "Note sull'esito",
        "Servizi migrati e attivi; verbale da integrare.",
    )
    .await?;
    button(driver, "Registra l'esito").await?.click().await?;
    wait_for_page_text(driver, "il progetto diventa asseverato").await?;
    button(driver, "Conferma l'esito").await?.click().await?;
    wait_for_page_text(driver, "Esito registrato: Positivo").await?;
    wait_for_page_text(driver, "Asseverata").await?;
    // Verified, nothing more is offered.
    eventually("the outcome form gone", Duration::from_secs(10), || async {
        Ok(driver
            .find_all(By::Id("esito-note"))
            .await?
            .is_empty()
            .then_some(()))
    })
    .await?;

    driver.goto(format!("{}/dipartimento", server.url)).await?;
    wait_for_heading(driver, "Area riservata").await?;
    wait_for_page_text(driver, "Questa pagina è riservata ad altri ruoli.").await?;
    assert_accessible(&browser, "reserved page").await?;
    link(driver, "Torna alla tua area").await?.click().await?;
    wait_for_heading(driver, "Progetti da asseverare").await?;

    driver.clone().quit().await?;
    Ok(())
}

both!(a_verifier_checks_asks_for_documents_and_records_the_outcome);
