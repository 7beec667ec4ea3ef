//! The public open-data explorer, in a real headless Chromium, on real data, on both
//! databases.

use std::time::Duration;

use anyhow::Result;
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{both, choose, eventually, wait_for_text, Backend, Browser, Server};

async fn button(driver: &WebDriver, name: &str) -> Result<WebElement> {
    Ok(driver
        .find(By::XPath(format!("//button[normalize-space()='{name}']")))
        .await?)
}

async fn explorer_filters_real_data(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;

    driver.goto(format!("{}/", server.url)).await?;
    // The whole country: every funded application of the bundled open data.
    wait_for_text(driver, "totale-progetti", "12.934").await?;
    assert_eq!(
        driver.title().await?,
        "Nuvola · Migrazione al cloud della PA"
    );
    let heading = driver.find(By::Tag("h1")).await?.text().await?;
    assert_eq!(heading, "Progetti finanziati per la migrazione al cloud");

    // Filter by region, through the control labelled "Regione".
    choose(driver, "Regione", "Liguria").await?;
    wait_for_text(driver, "totale-progetti", "344").await?;
    wait_for_text(driver, "riepilogo", "344 progetti trovati.").await?;
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
    wait_for_text(driver, "pagina", "Pagina 1 di 14").await?;
    if backend == Backend::Sqlite {
        browser.screenshot("explorer-liguria").await?;
    }
    let violations = browser.serious_accessibility_violations().await?;
    assert!(violations.is_empty(), "accessibility: {violations:#?}");

    // Next page: different projects, same filter.
    button(driver, "Successivi ›").await?.click().await?;
    wait_for_text(driver, "pagina", "Pagina 2 di 14").await?;
    let second_first = driver.find(By::Css("table tbody tr")).await?.text().await?;
    assert!(!second_first.contains("Comune di Genova"));

    // A second criterion narrows the same view; clearing returns to the whole country.
    choose(driver, "Stato del progetto", "Rinunciata").await?;
    wait_for_text(driver, "totale-progetti", "68").await?;
    wait_for_text(driver, "pagina", "Pagina 1 di 3").await?;
    button(driver, "Azzera i filtri").await?.click().await?;
    wait_for_text(driver, "totale-progetti", "12.934").await?;

    // A client-side route that does not exist gets the Italian not-found page.
    driver.goto(format!("{}/non-esiste", server.url)).await?;
    eventually("the not-found page", Duration::from_secs(20), || async {
        let h1 = driver.find_all(By::Tag("h1")).await?;
        Ok(match h1.first() {
            Some(h) => Some(h.text().await?).filter(|t| t == "Pagina non trovata"),
            None => None,
        })
    })
    .await?;
    if backend == Backend::Sqlite {
        browser.screenshot("not-found").await?;
    }
    let violations = browser.serious_accessibility_violations().await?;
    assert!(violations.is_empty(), "accessibility: {violations:#?}");

    driver.clone().quit().await?;
    Ok(())
}

both!(explorer_filters_real_data);
