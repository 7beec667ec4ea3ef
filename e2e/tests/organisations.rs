//! A person who acts for two organisations (the demo's `referente.scuole`, referent of
//! two schools): after login Nuvola asks "Seleziona l'ente per cui operare", the person
//! picks one and works for it, then switches to the other from the header without
//! logging in again. The picker is looked at (screenshots at 1280 and 390 px, Italian
//! and English) and checked with axe-core.

use std::time::Duration;

use anyhow::{ensure, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, eventually, link, log_in, text_of, wait_for_heading, Backend,
    Browser, Server,
};

const PICKER_IT: &str = "Seleziona l'ente per cui operare";
const PICKER_EN: &str = "Choose the organisation you act for";

/// The "Opera per questo ente" buttons of the picker, by the organisation they name.
async fn offered(driver: &WebDriver) -> Result<Vec<(String, WebElement)>> {
    let buttons = eventually("the organisations offered", Duration::from_secs(20), || async {
        let found = driver
            .find_all(By::XPath("//button[starts-with(@aria-label, 'Opera per questo ente: ') or starts-with(@aria-label, 'Act for this organisation: ')]".to_owned()))
            .await?;
        Ok((!found.is_empty()).then_some(found))
    })
    .await?;
    let mut out = Vec::new();
    for b in buttons {
        let label = b.attr("aria-label").await?.unwrap_or_default();
        let name = label
            .split_once(": ")
            .map_or(label.as_str(), |(_, name)| name)
            .to_owned();
        out.push((name, b));
    }
    Ok(out)
}

/// Waits until the header says the session acts for `name`, on the administration's page.
async fn acting_for(driver: &WebDriver, name: &str) -> Result<()> {
    eventually(
        &format!("the header to say {name:?}"),
        Duration::from_secs(20),
        || async {
            let url = driver.current_url().await?;
            let header = text_of(driver, "utente").await?.unwrap_or_default();
            Ok((url.path() == "/amministrazione" && header.contains(name)).then_some(()))
        },
    )
    .await
}

async fn a_person_of_two_schools_picks_one_and_switches_without_logging_in_again(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    driver.set_window_rect(0, 0, 1280, 900).await?;

    log_in(
        driver,
        &server.url,
        "referente.scuole",
        "referente-demo-2026",
    )
    .await?;
    wait_for_heading(driver, PICKER_IT).await?;
    ensure!(driver.current_url().await?.path() == "/scegli-ente");
    let schools = offered(driver).await?;
    ensure!(
        schools.len() == 2,
        "two schools offered, not {}",
        schools.len()
    );
    browser.screenshot("scegli-ente-1280-it").await?;
    assert_accessible(&browser, "organisation picker").await?;

    // The first school: its page, its name in the header.
    let (first, second) = (schools[0].0.clone(), schools[1].0.clone());
    schools[0].1.click().await?;
    acting_for(driver, &first).await?;

    // Switch from the header, with the same session.
    link(driver, "Cambia ente").await?.click().await?;
    wait_for_heading(driver, PICKER_IT).await?;
    let page = driver.find(By::Tag("main")).await?.text().await?;
    ensure!(
        page.contains("Ente attuale"),
        "the current school is marked: {page}"
    );
    let others = offered(driver).await?;
    ensure!(
        others.len() == 1 && others[0].0 == second,
        "only the other school can be picked: {:?}",
        others.iter().map(|o| &o.0).collect::<Vec<_>>()
    );
    others[0].1.click().await?;
    acting_for(driver, &second).await?;

    // In English, on a phone.
    driver.set_window_rect(0, 0, 390, 844).await?;
    driver.goto(format!("{}/scegli-ente", server.url)).await?;
    wait_for_heading(driver, PICKER_IT).await?;
    button(driver, "ENG English").await?.click().await?;
    wait_for_heading(driver, PICKER_EN).await?;
    browser.screenshot("scegli-ente-390-en").await?;
    assert_accessible(&browser, "organisation picker (English, phone)").await?;
    let wide: u32 = driver
        .execute("return document.documentElement.scrollWidth", vec![])
        .await?
        .convert()?;
    ensure!(
        wide <= 390,
        "the picker is {wide} px wide on a 390 px phone"
    );
    Ok(())
}

both!(a_person_of_two_schools_picks_one_and_switches_without_logging_in_again);
