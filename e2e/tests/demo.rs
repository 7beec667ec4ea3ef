//! A demo with work for everyone (issue 16, item 8), as each role finds it on its first
//! visit: the schools' supplier has services half migrated, PSN has services still to
//! start, the verifier has projects to verify, a school has a verifier's request to
//! answer (and is told so), the department has a completed project waiting for its
//! verifier.

use std::time::Duration;

use anyhow::{ensure, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    both, eventually, graphql_in_page, link, log_in, wait_for_heading, wait_for_page_text, Backend,
    Browser, Server,
};
use serde_json::json;

/// The rows of the supplier's table of services, once there are some.
async fn service_rows(driver: &WebDriver) -> Result<Vec<String>> {
    eventually("the services listed", Duration::from_secs(20), || async {
        let mut rows = Vec::new();
        for r in driver.find_all(By::Css("tbody tr")).await? {
            rows.push(r.text().await?);
        }
        Ok((!rows.is_empty()).then_some(rows))
    })
    .await
}

async fn log_out(driver: &WebDriver) -> Result<()> {
    let r = graphql_in_page(driver, "mutation { logout }", json!({})).await?;
    ensure!(r["errors"].is_null(), "{r}");
    Ok(())
}

async fn everyone_finds_work_to_do_in_the_demo(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let base = &server.url;
    let browser = Browser::start().await?;
    let d = &browser.driver;

    // The schools' supplier: Collecchio's services analysed or migrating, none done.
    log_in(d, base, "fornitore.scuole", "fornitore-demo-2026").await?;
    wait_for_heading(d, "I servizi a contratto").await?;
    let rows = service_rows(d).await?;
    // I.C. Ettore Guatelli, Collecchio.
    let collecchio: Vec<&String> = rows
        .iter()
        .filter(|r| r.contains("H91C22000850006"))
        .collect();
    ensure!(
        !collecchio.is_empty(),
        "no service of Collecchio: {rows:#?}"
    );
    ensure!(
        collecchio
            .iter()
            .all(|r| r.contains("Analizzato") || r.contains("In migrazione")),
        "{collecchio:#?}"
    );
    browser.screenshot("demo-schools-supplier").await?;
    log_out(d).await?;

    // PSN: the services of I.C. di Gualtieri, contracted and not started.
    log_in(d, base, "psn.demo", "psn-demo-2026").await?;
    wait_for_heading(d, "I servizi a contratto").await?;
    let rows = service_rows(d).await?;
    ensure!(
        rows.iter()
            .any(|r| r.contains("H51C22000880006") && r.contains("Da avviare")),
        "{rows:#?}"
    );
    browser.screenshot("demo-psn").await?;
    log_out(d).await?;

    // The verifier: two projects to verify, one of them not checked at all.
    log_in(d, base, "asseveratore", "asseveratore-demo-2026").await?;
    wait_for_heading(d, "Progetti da asseverare").await?;
    wait_for_page_text(d, "VIA TOSCANA").await?;
    wait_for_page_text(d, "Della Val Nure").await?;
    browser.screenshot("demo-verifier").await?;
    log_out(d).await?;

    // The school of Val Nure: told of the verifier's request, which it can answer.
    log_in(d, base, "scuola.valnure", "scuola-demo-2026").await?;
    wait_for_heading(d, "I miei progetti").await?;
    eventually("an unread notification", Duration::from_secs(20), || async {
        Ok(d
            .find_all(By::XPath(
                "//a[starts-with(@aria-label, 'Notifiche, ') and contains(@aria-label, 'da leggere') and not(contains(@aria-label, 'nessuna'))]",
            ))
            .await?
            .into_iter()
            .next())
    })
    .await?;
    link(d, "Richieste").await?.click().await?;
    wait_for_page_text(d, "Verbale di collaudo").await?;
    wait_for_page_text(d, "Nota per l'asseveratore").await?;
    browser.screenshot("demo-school-request").await?;
    log_out(d).await?;

    // The department: Pianoro's completed project waits for a verifier.
    log_in(d, base, "dipartimento", "dipartimento-demo-2026").await?;
    d.goto(format!("{base}/dipartimento/progetti/D81C22002300006"))
        .await?;
    wait_for_page_text(d, "Assegna un asseveratore").await?;
    browser.screenshot("demo-department").await?;

    d.clone().quit().await?;
    Ok(())
}

both!(everyone_finds_work_to_do_in_the_demo);
