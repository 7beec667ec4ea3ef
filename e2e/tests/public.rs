//! The public journey: from the explorer to a project's page, the CSV download of the
//! current filter, and the English switch.

use anyhow::Result;
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, choose, graphql_in_page, link, wait_for_heading,
    wait_for_page_text, wait_for_text, Backend, Browser, Server,
};
use serde_json::json;

async fn the_public_opens_a_project_downloads_csv_and_reads_in_english(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;

    driver.goto(format!("{}/", server.url)).await?;
    wait_for_text(driver, "totale-progetti", "12.934").await?;
    choose(driver, "Regione", "Liguria").await?;
    wait_for_text(driver, "totale-progetti", "344").await?;

    // The CSV link carries the filter, and the server answers it with the 344 rows.
    let csv = link(driver, "Scarica CSV").await?;
    let href = csv.attr("href").await?.unwrap_or_default();
    assert_eq!(href, "/api/export.csv?region=Liguria");
    let lines = driver
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.text()).then(t => done(t.trim().split('\\n').length));",
            vec![json!(href)],
        )
        .await?;
    assert_eq!(lines.json(), &json!(345));

    // From the table to the project's page.
    link(driver, "B31C22000060007").await?.click().await?;
    wait_for_heading(driver, "Comune di Genova").await?;
    wait_for_text(driver, "progetto-importo", "4.566.860 €").await?;
    wait_for_page_text(driver, "1.2 Abilitazione al cloud - Comuni - Aprile 2022").await?;
    browser.screenshot("public-project").await?;
    assert_accessible(&browser, "public project page").await?;
    // The public never gets the plan.
    let r = graphql_in_page(
        driver,
        "{ application(cup: \"B31C22000060007\") { plan { id } } }",
        json!({}),
    )
    .await?;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN");

    // English, remembered across a reload and told to assistive technologies.
    button(driver, "ENG English").await?.click().await?;
    wait_for_page_text(driver, "Type of body").await?;
    driver.refresh().await?;
    wait_for_page_text(driver, "Type of body").await?;
    let lang = driver.find(By::Tag("html")).await?.attr("lang").await?;
    assert_eq!(lang.as_deref(), Some("en"));
    link(driver, "Open data").await?.click().await?;
    wait_for_heading(driver, "Funded cloud migration projects").await?;
    browser.screenshot("explorer-english").await?;
    assert_accessible(&browser, "explorer in English").await?;
    button(driver, "ITA Italiano").await?.click().await?;
    wait_for_heading(driver, "Progetti finanziati per la migrazione al cloud").await?;

    driver.clone().quit().await?;
    Ok(())
}

both!(the_public_opens_a_project_downloads_csv_and_reads_in_english);
