//! The administration's journey (Comune di Ferrara): log in, see my projects, open the
//! project, plan a service (the browser refuses a bad line with the shared rules, next
//! to the field), record a contract (the server refuses a supplier that does not sell
//! the planned offering, next to the field), then log out.

use std::time::Duration;

use anyhow::Result;
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, button, choose, eventually, fill, link, log_in, wait_for_heading,
    wait_for_page_text, Backend, Browser, Server,
};

const CUP: &str = "B71C22000020001";

async fn text_of_id(driver: &WebDriver, id: &str) -> Result<String> {
    Ok(driver.find(By::Id(id)).await?.text().await?)
}

async fn wait_for_id_text(driver: &WebDriver, id: &str, needle: &str) -> Result<String> {
    eventually(
        &format!("#{id} to say {needle:?}"),
        Duration::from_secs(20),
        || async {
            let text = text_of_id(driver, id).await?;
            Ok(text.contains(needle).then_some(text))
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administration_plans_a_service_and_records_its_contract() -> Result<()> {
    let server = Server::start(Backend::Sqlite).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;

    // A reserved page sends an anonymous visitor to the login, and back afterwards.
    driver
        .goto(format!("{}/amministrazione", server.url))
        .await?;
    wait_for_heading(driver, "Accedi a Nuvola").await?;
    assert!(driver
        .current_url()
        .await?
        .as_str()
        .contains("dopo=/amministrazione"));
    browser.screenshot("login").await?;
    assert_accessible(&browser, "login").await?;

    // A wrong password is refused in Italian, without anything technical.
    fill(driver, "Nome utente", "comune.ferrara").await?;
    fill(driver, "Password", "sbagliata").await?;
    button(driver, "Accedi").await?.click().await?;
    wait_for_page_text(driver, "Credenziali non valide o sessione scaduta").await?;

    log_in(driver, &server.url, "comune.ferrara", "ferrara-demo-2026").await?;
    wait_for_heading(driver, "I miei progetti").await?;
    let user = driver
        .find(By::Css("[data-testid='utente']"))
        .await?
        .text()
        .await?;
    assert!(
        user.contains("Comune di Ferrara") && user.contains("Amministrazione"),
        "{user}"
    );
    wait_for_page_text(driver, "1.031.574 €").await?;
    wait_for_page_text(driver, "Finanziata").await?;
    browser.screenshot("administration-home").await?;
    assert_accessible(&browser, "I miei progetti").await?;

    link(driver, &format!("Apri il progetto {CUP}"))
        .await?
        .click()
        .await?;
    wait_for_heading(driver, "1.2 Abilitazione al cloud - Comuni - Aprile 2022").await?;
    wait_for_page_text(driver, "Il piano non ha ancora servizi.").await?;

    // Critical data on an offering qualified only for ordinary data: the browser's
    // check (nuvola_shared::plan) refuses it next to the offering.
    choose(driver, "Servizio dal catalogo", "Protocollo informatico").await?;
    choose(driver, "Classe dei dati", "Critico").await?;
    choose(driver, "Dove si trova oggi", "In sede (on-premises)").await?;
    choose(driver, "Destinazione", "SaaS").await?;
    wait_for_page_text(
        driver,
        "Modalità: B - Aggiornamento in sicurezza di applicazioni in cloud",
    )
    .await?;
    let offering = driver
        .find(By::XPath("//select[@id='piano-offerta']/option[starts-with(normalize-space(), 'Suite documentale PA')]"))
        .await?
        .text()
        .await?;
    choose(driver, "Offerta cloud qualificata", &offering).await?;
    button(driver, "Salva il servizio").await?.click().await?;
    wait_for_id_text(driver, "piano-offerta-errore", "richiedono il PSN").await?;
    assert_eq!(
        driver
            .find(By::Id("piano-offerta"))
            .await?
            .attr("aria-invalid")
            .await?
            .as_deref(),
        Some("true")
    );

    // Ordinary data fits: saved, and the plan shows it.
    choose(driver, "Classe dei dati", "Ordinario").await?;
    button(driver, "Salva il servizio").await?.click().await?;
    wait_for_page_text(driver, "Servizio salvato nel piano.").await?;
    let row = eventually("the plan's row", Duration::from_secs(20), || async {
        for r in driver
            .find_all(By::Css("table.plan-table tbody tr"))
            .await?
        {
            let text = r.text().await?;
            if text.contains("Protocollo informatico") {
                return Ok(Some(text));
            }
        }
        Ok(None)
    })
    .await?;
    assert!(
        row.contains("Ordinario") && row.contains("SaaS") && row.contains("Da avviare"),
        "{row}"
    );

    // A second service, on PSN's PaaS.
    choose(driver, "Servizio dal catalogo", "Anagrafe (ANPR)").await?;
    choose(driver, "Classe dei dati", "Critico").await?;
    choose(driver, "Destinazione", "PaaS").await?;
    choose(
        driver,
        "Offerta cloud qualificata",
        "PSN PaaS · Polo Strategico Nazionale S.p.A. (Strategico, qualificata fino al 31/12/2028)",
    )
    .await?;
    button(driver, "Salva il servizio").await?.click().await?;
    // The plan (not only the catalogue's list) now has both lines.
    eventually("two lines in the plan", Duration::from_secs(20), || async {
        let n = driver
            .find_all(By::Css("table.plan-table tbody tr"))
            .await?
            .len();
        Ok((n == 2).then_some(()))
    })
    .await?;

    // The contract: PSN does not sell the document suite the protocol is planned on,
    // and the server says so next to the supplier.
    choose(
        driver,
        "Fornitore",
        "Polo Strategico Nazionale S.p.A. (PSN) · P.IVA 16825251008",
    )
    .await?;
    driver
        .find(By::XPath(
            "//label[normalize-space()='Protocollo informatico']",
        ))
        .await?
        .click()
        .await?;
    button(driver, "Registra il contratto")
        .await?
        .click()
        .await?;
    wait_for_id_text(driver, "contratto-fornitore-errore", "non vende l'offerta").await?;
    browser.screenshot("administration-project").await?;
    assert_accessible(&browser, "project page with a refusal").await?;

    choose(
        driver,
        "Fornitore",
        "Nuvola Demo Cloud S.r.l. · P.IVA 01234567897",
    )
    .await?;
    button(driver, "Registra il contratto")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Contratto registrato.").await?;
    wait_for_page_text(driver, "Contrattualizzata").await?;
    wait_for_page_text(driver, "Nuvola Demo Cloud S.r.l.").await?;
    assert_accessible(&browser, "project page after the contract").await?;

    // Editing a line loads it into the form.
    button(driver, "Modifica Anagrafe (ANPR)")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Modifica il servizio").await?;
    button(driver, "Annulla").await?.click().await?;

    // The history tells who did what.
    wait_for_page_text(driver, "Cronologia del progetto").await?;
    wait_for_page_text(driver, "Contratto registrato").await?;
    wait_for_page_text(driver, "comune.ferrara").await?;

    // Renouncing asks for the reason, then the project is renounced with it.
    driver
        .find(By::XPath(
            "//summary[normalize-space()='Rinuncia al finanziamento']",
        ))
        .await?
        .click()
        .await?;
    button(driver, "Conferma la rinuncia")
        .await?
        .click()
        .await?;
    wait_for_id_text(driver, "rinuncia-motivo-errore", "").await?;
    fill(
        driver,
        "Motivo della rinuncia",
        "Il servizio è stato affidato a un progetto regionale.",
    )
    .await?;
    button(driver, "Conferma la rinuncia")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Rinuncia registrata.").await?;
    wait_for_page_text(driver, "Rinunciata").await?;
    wait_for_page_text(driver, "affidato a un progetto regionale").await?;
    browser
        .screenshot("administration-project-renounced")
        .await?;
    assert_accessible(&browser, "renounced project").await?;

    button(driver, "Esci").await?.click().await?;
    wait_for_heading(driver, "Progetti finanziati per la migrazione al cloud").await?;
    link(driver, "Accedi all'area riservata").await?;

    driver.clone().quit().await?;
    Ok(())
}
