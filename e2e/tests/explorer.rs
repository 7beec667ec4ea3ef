//! The public open-data explorer, in a real headless Chromium, on real data, on both
//! databases.

use std::time::Duration;

use anyhow::Result;
use nuvola_e2e::thirtyfour::components::SelectElement;
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{control_labelled, eventually, text_of, Backend, Browser, Server};

const WAIT: Duration = Duration::from_secs(20);

async fn explorer_filters_real_data(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;

    driver.goto(format!("{}/", server.url)).await?;
    // The whole country: every funded application of the bundled open data.
    let total = eventually("the national total", WAIT, || async {
        Ok(text_of(driver, "totale-progetti")
            .await?
            .filter(|t| t == "12.934"))
    })
    .await?;
    assert_eq!(total, "12.934");
    assert_eq!(
        driver.title().await?,
        "Nuvola · Migrazione al cloud della PA"
    );
    let heading = driver.find(By::Tag("h1")).await?.text().await?;
    assert_eq!(heading, "Progetti finanziati per la migrazione al cloud");

    // Filter by region, through the control labelled "Regione".
    let region = control_labelled(driver, "Regione").await?;
    SelectElement::new(&region)
        .await?
        .select_by_visible_text("Liguria")
        .await?;
    eventually("the Liguria total", WAIT, || async {
        Ok(text_of(driver, "totale-progetti")
            .await?
            .filter(|t| t == "344"))
    })
    .await?;
    assert_eq!(
        text_of(driver, "riepilogo").await?.as_deref(),
        Some("344 progetti trovati.")
    );
    assert!(driver
        .current_url()
        .await?
        .as_str()
        .contains("regione=Liguria"));
    let rows = driver.find_all(By::Css("table tbody tr")).await?;
    assert_eq!(rows.len(), 25, "a page holds 25 projects");
    let first = rows[0].text().await?;
    assert!(first.contains("Comune di Genova"), "first row: {first}");
    assert!(first.contains("4.566.860 €"), "first row: {first}");
    for row in &rows {
        assert!(row.text().await?.contains("Liguria"));
    }
    assert_eq!(
        text_of(driver, "pagina").await?.as_deref(),
        Some("Pagina 1 di 14")
    );
    if backend == Backend::Sqlite {
        browser.screenshot("explorer-liguria").await?;
    }
    let violations = browser.serious_accessibility_violations().await?;
    assert!(violations.is_empty(), "accessibility: {violations:#?}");

    // Next page: different projects, same filter.
    driver
        .find(By::XPath("//button[normalize-space()='Successivi ›']"))
        .await?
        .click()
        .await?;
    eventually("page 2", WAIT, || async {
        Ok(text_of(driver, "pagina")
            .await?
            .filter(|t| t == "Pagina 2 di 14"))
    })
    .await?;
    let second_first = driver.find(By::Css("table tbody tr")).await?.text().await?;
    assert!(!second_first.contains("Comune di Genova"));

    // A second criterion narrows the same view; clearing returns to the whole country.
    let state = control_labelled(driver, "Stato del progetto").await?;
    SelectElement::new(&state)
        .await?
        .select_by_visible_text("Rinunciata")
        .await?;
    eventually("Liguria renounced", WAIT, || async {
        Ok(text_of(driver, "totale-progetti")
            .await?
            .filter(|t| t == "68"))
    })
    .await?;
    assert_eq!(
        text_of(driver, "pagina").await?.as_deref(),
        Some("Pagina 1 di 3")
    );
    driver
        .find(By::XPath("//button[normalize-space()='Azzera i filtri']"))
        .await?
        .click()
        .await?;
    eventually("the national total again", WAIT, || async {
        Ok(text_of(driver, "totale-progetti")
            .await?
            .filter(|t| t == "12.934"))
    })
    .await?;

    // A client-side route that does not exist gets the Italian not-found page.
    driver.goto(format!("{}/non-esiste", server.url)).await?;
    eventually("the not-found page", WAIT, || async {
        let h1 = driver.find_all(By::Tag("h1")).await?;
        Ok(match h1.first() {
            Some(h) => Some(h.text().await?).filter(|t| t == "Pagina non trovata"),
            None => None,
        })
    })
    .await?;

    driver.clone().quit().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn explorer_filters_real_data_on_sqlite() -> Result<()> {
    explorer_filters_real_data(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread")]
async fn explorer_filters_real_data_on_postgres() -> Result<()> {
    explorer_filters_real_data(Backend::Postgres).await
}
