//! The verifier's journey: the queue of projects assigned to it (empty in the demo
//! data, said in words), and the pages of other roles closed to it.

use anyhow::Result;
use nuvola_e2e::{
    assert_accessible, link, log_in, wait_for_heading, wait_for_page_text, Backend, Browser, Server,
};

#[tokio::test(flavor = "multi_thread")]
async fn a_verifier_sees_its_queue_and_not_the_other_roles_pages() -> Result<()> {
    let server = Server::start(Backend::Sqlite).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;

    log_in(
        driver,
        &server.url,
        "asseveratore",
        "asseveratore-demo-2026",
    )
    .await?;
    wait_for_heading(driver, "Progetti da asseverare").await?;
    wait_for_page_text(driver, "Nessun progetto ti è assegnato.").await?;
    browser.screenshot("verifier-home").await?;
    assert_accessible(&browser, "Progetti da asseverare").await?;

    driver.goto(format!("{}/dipartimento", server.url)).await?;
    wait_for_heading(driver, "Area riservata").await?;
    wait_for_page_text(driver, "Questa pagina è riservata ad altri ruoli.").await?;
    assert_accessible(&browser, "reserved page").await?;
    link(driver, "Torna alla tua area").await?.click().await?;
    wait_for_heading(driver, "Progetti da asseverare").await?;

    driver.clone().quit().await?;
    Ok(())
}
