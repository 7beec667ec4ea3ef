//! The supplier's journey: the services contracted to it across administrations,
//! filterable by text, status and region.

use std::time::Duration;

use anyhow::{ensure, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, choose, eventually, fill, graphql_in_page, log_in,
    wait_for_heading, wait_for_page_text, Backend, Browser, Server,
};
use serde_json::json;

const CUP: &str = "B71C22000020001";

/// Ferrara plans two services on the demo supplier's offerings and contracts them.
async fn ferrara_contracts_the_demo_supplier(driver: &WebDriver, base: &str) -> Result<()> {
    driver.goto(format!("{base}/")).await?;
    let r = graphql_in_page(driver, "mutation { login(username: \"comune.ferrara\", password: \"ferrara-demo-2026\") { expiresAt } }", json!({})).await?;
    ensure!(r["errors"].is_null(), "{r}");
    let mut services = Vec::new();
    for (code, offering) in [
        ("CO_PROTOCOLLO_INFORMATICO", "DEMO-SAAS-PA"),
        ("CO_TRIBUTI_IMU_TARI", "DEMO-SAAS-PA"),
    ] {
        let r = graphql_in_page(
            driver,
            "mutation($input: PlannedServiceInput!) { savePlannedService(input: $input) { id version } }",
            json!({ "input": { "cup": CUP, "catalogueCode": code, "dataClass": "ORDINARIO", "origin": "ON_PREMISES", "destination": "SAAS", "offeringCode": offering } }),
        )
        .await?;
        ensure!(r["errors"].is_null(), "{r}");
        services.push(r["data"]["savePlannedService"].clone());
    }
    let today = graphql_in_page(
        driver,
        "{ application(cup: \"B71C22000020001\") { fundedOn } }",
        json!({}),
    )
    .await?;
    ensure!(today["errors"].is_null(), "{today}");
    let r = graphql_in_page(
        driver,
        "mutation($input: ContractInput!) { recordContract(input: $input) { id } }",
        json!({ "input": { "cup": CUP, "supplierVat": "01234567897", "contractOn": "2026-01-15", "services": services } }),
    )
    .await?;
    ensure!(r["errors"].is_null(), "{r}");
    // Each service's assessment questionnaire, which a service needs before "assessed".
    for service in &services {
        let r = graphql_in_page(
            driver,
            "mutation($input: AssessmentInput!) { submitAssessment(input: $input) { __typename } }",
            json!({ "input": { "serviceId": service["id"], "latestVersion": 0, "applicationName": "Gestionale", "users": 120 } }),
        )
        .await?;
        ensure!(r["errors"].is_null(), "{r}");
    }
    graphql_in_page(driver, "mutation { logout }", json!({})).await?;
    Ok(())
}

async fn rows(driver: &WebDriver) -> Result<Vec<String>> {
    let mut out = Vec::new();
    // The services' table (not the contracts' tables below it).
    for r in driver
        .find_all(By::Css("table:not([data-testid='contratti']) tbody tr"))
        .await?
    {
        out.push(r.text().await?);
    }
    Ok(out)
}

async fn wait_for_rows(driver: &WebDriver, n: usize) -> Result<Vec<String>> {
    eventually(&format!("{n} rows"), Duration::from_secs(20), || async {
        let r = rows(driver).await?;
        Ok((r.len() == n).then_some(r))
    })
    .await
}

async fn a_supplier_sees_and_filters_the_services_contracted_to_it(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    ferrara_contracts_the_demo_supplier(driver, &server.url).await?;

    log_in(driver, &server.url, "fornitore.demo", "fornitore-demo-2026").await?;
    wait_for_heading(driver, "I servizi a contratto").await?;
    let all = wait_for_rows(driver, 2).await?;
    assert!(
        all.iter()
            .all(|r| r.contains("Comune di Ferrara") && r.contains("Da avviare")),
        "{all:#?}"
    );
    wait_for_page_text(driver, "2 servizi su 2.").await?;
    // Its contract with Ferrara is listed too (recorded through the API without a CIG).
    wait_for_page_text(driver, "I tuoi contratti").await?;
    let contracts = driver
        .find_all(By::Css("[data-testid='contratto']"))
        .await?;
    assert_eq!(contracts.len(), 1);
    browser.screenshot("supplier-home").await?;
    assert_accessible(&browser, "I servizi a contratto").await?;

    fill(driver, "Cerca ente o servizio", "tributi").await?;
    let one = wait_for_rows(driver, 1).await?;
    assert!(one[0].contains("Tributi (IMU, TARI)"), "{one:#?}");
    fill(driver, "Cerca ente o servizio", "").await?;
    wait_for_rows(driver, 2).await?;

    choose(driver, "Stato del servizio", "Migrato").await?;
    wait_for_page_text(driver, "Nessun servizio corrisponde ai filtri.").await?;
    choose(driver, "Stato del servizio", "Tutti gli stati").await?;
    choose(driver, "Regione", "Emilia-Romagna").await?;
    wait_for_rows(driver, 2).await?;
    choose(driver, "Regione", "Liguria").await?;
    wait_for_page_text(driver, "Nessun servizio corrisponde ai filtri.").await?;
    assert_accessible(&browser, "supplier page, empty filter").await?;

    // Bulk update: both services to "Analizzato" in one request.
    choose(driver, "Regione", "Tutte le regioni").await?;
    wait_for_rows(driver, 2).await?;
    for name in ["Protocollo informatico", "Tributi (IMU, TARI)"] {
        driver
            .find(By::XPath(format!(
                "//label[normalize-space()='Seleziona {name} · Comune di Ferrara']"
            )))
            .await?
            .click()
            .await?;
    }
    choose(driver, "Nuovo stato dei servizi selezionati", "Analizzato").await?;
    button(driver, "Aggiorna i servizi selezionati (2)")
        .await?
        .click()
        .await?;
    // The page says what will happen and waits: cancelling sends nothing.
    let question = "2 servizi passeranno a «Analizzato»: 2 da «Da avviare».";
    wait_for_page_text(driver, question).await?;
    browser.screenshot("supplier-bulk-confirm").await?;
    button(driver, "Annulla").await?.click().await?;
    let still = wait_for_rows(driver, 2).await?;
    assert!(still.iter().all(|r| r.contains("Da avviare")), "{still:#?}");
    button(driver, "Aggiorna i servizi selezionati (2)")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, question).await?;
    button(driver, "Conferma l'aggiornamento")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "2 servizi aggiornati.").await?;
    let updated = eventually("both analysed", Duration::from_secs(20), || async {
        let r = rows(driver).await?;
        Ok((r.len() == 2 && r.iter().all(|r| r.contains("Analizzato"))).then_some(r))
    })
    .await?;
    assert_eq!(updated.len(), 2);
    // A step the life cycle does not have is refused in the browser, in words.
    driver
        .find(By::XPath(
            "//label[normalize-space()='Seleziona Tributi (IMU, TARI) · Comune di Ferrara']",
        ))
        .await?
        .click()
        .await?;
    choose(driver, "Nuovo stato dei servizi selezionati", "Migrato").await?;
    button(driver, "Aggiorna i servizi selezionati (1)")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "non può passare a questo stato").await?;
    browser.screenshot("supplier-bulk-update").await?;
    assert_accessible(&browser, "supplier bulk update").await?;

    // PSN has the demo's work to do: the school of Gualtieri's five services, contracted
    // and not started.
    driver.goto(format!("{}/", server.url)).await?;
    graphql_in_page(driver, "mutation { logout }", json!({})).await?;
    log_in(driver, &server.url, "psn.demo", "psn-demo-2026").await?;
    wait_for_heading(driver, "I servizi a contratto").await?;
    let psn = wait_for_rows(driver, 5).await?;
    assert!(
        psn.iter()
            .all(|r| r.contains("GUALTIERI") && r.contains("Da avviare")),
        "{psn:#?}"
    );
    wait_for_page_text(driver, "5 servizi su 5.").await?;

    driver.clone().quit().await?;
    Ok(())
}

both!(a_supplier_sees_and_filters_the_services_contracted_to_it);
