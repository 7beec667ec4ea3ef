//! The department's journey: the national dashboard from one round trip, then a
//! drill-down from a region and from an overdue project.

use std::time::Duration;

use anyhow::Result;
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, eventually, link, log_in, text_of, wait_for_heading, wait_for_page_text,
    wait_for_text, Backend, Browser, Server,
};

#[tokio::test(flavor = "multi_thread")]
async fn the_department_reads_the_national_dashboard_and_drills_down() -> Result<()> {
    let server = Server::start(Backend::Sqlite).await?;
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
