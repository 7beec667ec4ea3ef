//! The department's journeys: the national dashboard from one round trip, then a
//! drill-down from a region and from an overdue project; an overdue project revoked
//! with its reason, a verifier assigned to a completed project, a payment made.

use std::time::Duration;

use anyhow::Result;
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, eventually, fill, link, log_in, text_of, wait_for_heading,
    wait_for_page_text, wait_for_text, Backend, Browser, Server,
};

async fn the_department_reads_the_national_dashboard_and_drills_down(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;

    log_in(
        driver,
        &server.url,
        "dipartimento",
        "dipartimento-demo-2026",
    )
    .await?;
    wait_for_heading(driver, "Cruscotto nazionale").await?;
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
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    log_in(
        driver,
        &server.url,
        "dipartimento",
        "dipartimento-demo-2026",
    )
    .await?;
    wait_for_heading(driver, "Cruscotto nazionale").await?;

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
    wait_for_text(driver, "stato-progetto", "Liquidata").await?;
    // Nothing is left to do on a paid project.
    assert!(driver.find_all(By::Id("azioni")).await?.is_empty());
    browser.screenshot("department-paid").await?;
    assert_accessible(&browser, "paid project").await?;

    driver.clone().quit().await?;
    Ok(())
}

both!(
    the_department_reads_the_national_dashboard_and_drills_down,
    the_department_revokes_an_overdue_project_assigns_a_verifier_and_pays
);
