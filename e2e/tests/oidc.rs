//! "Entra con SPID" in Chromium: the login page offers the configured provider, the
//! provider's own login and consent forms (a real `oidc-provider` configured like SPID,
//! `e2e/oidc/provider.mjs`), and back in Nuvola the person is logged in, acting for their
//! one organisation. Also: a refused login ends on the login page with its sentence, in
//! Italian and English, and so is a flood of logins from one address; the page passes
//! axe-core and is looked at at 390 px.

use std::time::Duration;

use anyhow::{Context, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, eventually, link, wait_for_heading, wait_for_page_text,
    Backend, Browser, Server,
};
use sea_orm::{ConnectionTrait, Database};

/// The fiscal code given to the demo's Comune di Ferrara account for this journey.
const FISCAL_CODE: &str = "RSSMRA80A01H501U";

async fn spid_login_journey(backend: Backend) -> Result<()> {
    let (server, _provider) = Server::start_with_oidc(backend).await?;
    let db = Database::connect(&server.database).await?;
    db.execute_unprepared(&format!(
        "UPDATE account SET fiscal_code = '{FISCAL_CODE}' WHERE username = 'comune.ferrara'"
    ))
    .await?;
    db.close().await?;

    let browser = Browser::start().await?;
    let driver = &browser.driver;
    driver.goto(format!("{}/accedi", server.url)).await?;
    wait_for_heading(driver, "Accedi a Nuvola").await?;
    link(driver, "Entra con SPID").await?;
    link(driver, "Entra con CIE").await?;
    assert_accessible(&browser, "the login page with SPID").await?;
    if backend == Backend::Sqlite {
        browser.screenshot("oidc-login-desktop").await?;
        driver.set_window_rect(0, 0, 390, 844).await?;
        link(driver, "Entra con SPID").await?;
        browser.screenshot("oidc-login-390").await?;
        driver.set_window_rect(0, 0, 1366, 900).await?;
    }
    link(driver, "Entra con SPID").await?.click().await?;

    // The provider's login form, then its consent form.
    let login = eventually(
        "the provider's login form",
        Duration::from_secs(20),
        || async { Ok(driver.find_all(By::Name("login")).await?.into_iter().next()) },
    )
    .await?;
    login.send_keys(FISCAL_CODE).await?;
    driver
        .find(By::Name("password"))
        .await?
        .send_keys("prova")
        .await?;
    button(driver, "Sign-in").await?.click().await?;
    button(driver, "Continue").await?.click().await?;

    // Back in Nuvola, logged in as the Comune di Ferrara.
    eventually("the login", Duration::from_secs(20), || async {
        Ok(driver
            .find_all(By::Css("[data-testid='utente']"))
            .await?
            .into_iter()
            .next())
    })
    .await
    .context("back in Nuvola after the provider")?;
    let url = driver.current_url().await?;
    assert!(
        url.as_str().starts_with(&server.url) && !url.path().starts_with("/accedi"),
        "not logged in: {url}"
    );
    browser
        .assert_no_csp_violation("the page after SPID login")
        .await?;
    Ok(())
}

async fn a_refused_login_is_explained_on_the_login_page(backend: Backend) -> Result<()> {
    let (server, _provider) = Server::start_with_oidc(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    // An answer whose state nobody issued: the server refuses it and says why.
    driver
        .goto(format!(
            "{}/auth/oidc/callback?code=x&state=forged",
            server.url
        ))
        .await?;
    wait_for_heading(driver, "Accedi a Nuvola").await?;
    wait_for_page_text(
        driver,
        "Questa risposta del gestore di identità è già stata usata",
    )
    .await?;
    assert_accessible(&browser, "the login page with a refusal").await?;
    if backend == Backend::Sqlite {
        browser.screenshot("oidc-refused-desktop").await?;
    }
    // The same sentence in English.
    button(driver, "ENG English").await?.click().await?;
    wait_for_page_text(
        driver,
        "This answer of the identity provider was already used",
    )
    .await?;
    // Past the budget of logins from one address (120 a minute, the server's
    // OIDC_HITS_PER_MINUTE; the forged answer above was one), the start is refused
    // before the database, with its own sentence.
    let hits = driver
        .execute_async(
            r#"const [url, n, done] = arguments;
               Promise.all(Array.from({ length: n }, () => fetch(url, { redirect: "manual" })))
                 .then(all => done(all.length));"#,
            vec![
                serde_json::json!(format!(
                    "{}/auth/oidc/callback?code=x&state=forged",
                    server.url
                )),
                serde_json::json!(120),
            ],
        )
        .await?;
    assert_eq!(hits.json(), &serde_json::json!(120));
    link(driver, "Sign in with SPID").await?.click().await?;
    wait_for_page_text(
        driver,
        "Too many logins started from this network in one minute",
    )
    .await?;
    assert_accessible(&browser, "the login page refusing a flood").await?;
    if backend == Backend::Sqlite {
        browser.screenshot("oidc-rate-limited-en-desktop").await?;
        button(driver, "ITA Italiano").await?.click().await?;
        wait_for_page_text(driver, "Troppi accessi avviati da questa rete in un minuto").await?;
        driver.set_window_rect(0, 0, 390, 844).await?;
        browser.screenshot("oidc-rate-limited-it-390").await?;
        driver.set_window_rect(0, 0, 1366, 900).await?;
    }
    Ok(())
}

both!(
    spid_login_journey,
    a_refused_login_is_explained_on_the_login_page
);
