//! How people and programs are told: a person's notification preferences (e-mail address,
//! language, a mode per kind, mandatory notices that cannot be switched off), and the
//! organisations' webhooks with their delivery log, the department's failed deliveries
//! and resending one. Desktop and 390 px, Italian and English.

use std::time::Duration;

use anyhow::{ensure, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, choose, control_labelled, eventually, fill, graphql_in_page,
    link, log_in, wait_for_heading, wait_for_page_text, Backend, Browser, Server,
};
use serde_json::json;

async fn options_of(driver: &WebDriver, label: &str) -> Result<Vec<String>> {
    let select = control_labelled(driver, label).await?;
    let mut out = Vec::new();
    for o in select.find_all(By::Tag("option")).await? {
        out.push(o.text().await?);
    }
    Ok(out)
}

async fn a_person_sets_how_to_be_told_and_an_organisation_follows_its_webhooks(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;

    // The administration's person: preferences, from the notifications page.
    log_in(driver, &server.url, "comune.ferrara", "ferrara-demo-2026").await?;
    driver.goto(format!("{}/notifiche", server.url)).await?;
    wait_for_heading(driver, "Notifiche").await?;
    link(driver, "Preferenze di notifica")
        .await?
        .click()
        .await?;
    wait_for_heading(driver, "Preferenze di notifica").await?;
    // The heading comes before the settings are loaded: wait for the form.
    wait_for_page_text(driver, "Lingua delle e-mail").await?;
    fill(driver, "Indirizzo e-mail", "protocollo@comune.fe.it").await?;
    choose(driver, "Lingua delle e-mail", "English").await?;
    button(driver, "Salva il recapito").await?.click().await?;
    wait_for_page_text(driver, "Recapito salvato.").await?;
    choose(
        driver,
        "Promemoria: termine del contratto",
        "Riepilogo giornaliero",
    )
    .await?;
    wait_for_page_text(driver, "Preferenza salvata.").await?;
    // A notice that puts the funding at risk offers no "only in Nuvola".
    let mandatory = options_of(driver, "Nuova richiesta dell'asseveratore").await?;
    ensure!(
        mandatory == ["E-mail subito", "Riepilogo giornaliero"],
        "{mandatory:?}"
    );
    let optional = options_of(driver, "Risposta a una richiesta").await?;
    ensure!(optional.len() == 3, "{optional:?}");
    // Kept by the server: a reload shows the choices.
    driver.refresh().await?;
    wait_for_heading(driver, "Preferenze di notifica").await?;
    let r = graphql_in_page(
        driver,
        "{ notificationSettings { email language preferences { kind mode } } }",
        json!({}),
    )
    .await?;
    let s = &r["data"]["notificationSettings"];
    ensure!(
        s["email"] == "protocollo@comune.fe.it" && s["language"] == "EN",
        "{r}"
    );
    ensure!(
        s["preferences"].as_array().is_some_and(
            |p| p.contains(&json!({ "kind": "CONTRACT_DEADLINE_REMINDER", "mode": "DIGEST" }))
        ),
        "{r}"
    );
    browser.screenshot("notification-preferences").await?;
    assert_accessible(&browser, "Preferenze di notifica").await?;
    button(driver, "ENG English").await?.click().await?;
    wait_for_heading(driver, "Notification preferences").await?;
    wait_for_page_text(driver, "Reminder: contract deadline").await?;
    browser.screenshot("notification-preferences-en").await?;
    driver.set_window_rect(0, 0, 390, 844).await?;
    browser
        .screenshot("notification-preferences-en-390")
        .await?;
    assert_accessible(&browser, "Notification preferences, English, 390 px").await?;
    driver.set_window_rect(0, 0, 1366, 900).await?;
    button(driver, "ITA Italiano").await?.click().await?;
    driver.goto(format!("{}/", server.url)).await?;
    graphql_in_page(driver, "mutation { logout }", json!({})).await?;

    // The department: a webhook to an endpoint that never answers; a project's state
    // changes; the delivery fails for good, shows in the log and in the failed list, and
    // is sent again.
    log_in(
        driver,
        &server.url,
        "dipartimento",
        "dipartimento-demo-2026",
    )
    .await?;
    link(driver, "Webhook e consegne").await?.click().await?;
    wait_for_heading(driver, "Webhook").await?;
    wait_for_page_text(driver, "Nessun webhook registrato.").await?;
    fill(
        driver,
        "Indirizzo dell'endpoint",
        "ftp://osservatorio.example.org",
    )
    .await?;
    driver
        .find(By::XPath(
            "//label[normalize-space()='Cambio di stato di un progetto']",
        ))
        .await?
        .click()
        .await?;
    button(driver, "Registra").await?.click().await?;
    wait_for_page_text(
        driver,
        "L'indirizzo dell'endpoint deve iniziare con https://.",
    )
    .await?;
    // Nothing listens on port 9 of loopback (allowed outside production).
    fill(
        driver,
        "Indirizzo dell'endpoint",
        "http://127.0.0.1:9/osservatorio",
    )
    .await?;
    button(driver, "Registra").await?.click().await?;
    wait_for_page_text(driver, "Copia ora la chiave di firma").await?;
    let secret = driver
        .find(By::Css("[data-testid=segreto]"))
        .await?
        .text()
        .await?;
    ensure!(secret.starts_with("whsec_"), "{secret}");
    wait_for_page_text(driver, "Nessuna consegna finora.").await?;

    let r = graphql_in_page(
        driver,
        "{ application(cup: \"B71C22000020001\") { version } }",
        json!({}),
    )
    .await?;
    let version = r["data"]["application"]["version"].clone();
    let r = graphql_in_page(
        driver,
        "mutation($p: ProjectVersionInput!) { revoke(project: $p, reason: \"Prova dei webhook del Dipartimento\") { state } }",
        json!({ "p": { "cup": "B71C22000020001", "version": version } }),
    )
    .await?;
    ensure!(r["data"]["revoke"]["state"] == "REVOKED", "{r}");
    // The e2e server retries quickly (NUVOLA_OUTBOX_BACKOFF_MS): 8 attempts in seconds.
    eventually(
        "the delivery fails for good",
        Duration::from_secs(60),
        || async {
            let r = graphql_in_page(driver, "{ failedDeliveries { id } }", json!({})).await?;
            Ok(r["data"]["failedDeliveries"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
                .then_some(()))
        },
    )
    .await?;
    driver.refresh().await?;
    wait_for_heading(driver, "Webhook").await?;
    wait_for_page_text(driver, "Consegne non riuscite").await?;
    wait_for_page_text(driver, "Non riuscita").await?;
    wait_for_page_text(driver, "could not connect").await?;
    browser.screenshot("webhooks-failed").await?;
    assert_accessible(&browser, "Webhook").await?;
    driver
        .find(By::XPath(
            "(//button[normalize-space()='Invia di nuovo'])[1]",
        ))
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Consegna rimessa in coda").await?;
    button(driver, "ENG English").await?.click().await?;
    wait_for_page_text(driver, "Failed deliveries").await?;
    wait_for_page_text(driver, "Delivery log").await?;
    browser.screenshot("webhooks-en").await?;
    driver.set_window_rect(0, 0, 390, 844).await?;
    browser.screenshot("webhooks-en-390").await?;
    assert_accessible(&browser, "Webhooks, English, 390 px").await?;
    driver.set_window_rect(0, 0, 1366, 900).await?;
    button(driver, "ITA Italiano").await?.click().await?;
    button(driver, "Rimuovi il webhook").await?.click().await?;
    wait_for_page_text(driver, "Webhook rimosso.").await?;
    wait_for_page_text(driver, "Nessun webhook registrato.").await?;

    driver.clone().quit().await?;
    Ok(())
}

both!(a_person_sets_how_to_be_told_and_an_organisation_follows_its_webhooks);
