//! A third party's developer: from the footer to "API e dati aperti", in Italian and
//! English, on a phone; then GraphiQL at `/graphql`, which a development server serves
//! from its own files (no CDN) under a CSP without inline scripts: it draws its editor
//! and runs a query typed into it.

use std::time::Duration;

use anyhow::{ensure, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, eventually, link, wait_for_heading, wait_for_page_text,
    Backend, Browser, Server,
};

const PHONE: u32 = 390;

/// Whether the page scrolls sideways on the phone: the page's scroll width against its
/// client width.
async fn page_fits(driver: &WebDriver) -> Result<(u32, u32)> {
    let (width, room): (u32, u32) = driver
        .execute(
            "const r = document.documentElement; return [r.scrollWidth, r.clientWidth];",
            vec![],
        )
        .await?
        .convert()?;
    Ok((width, room))
}

/// Scrolls the webhooks' section to the top of the window, for its screenshots.
async fn show_webhooks(driver: &WebDriver) -> Result<()> {
    driver
        .execute(
            "const h = [...document.querySelectorAll('h2')].find(h => h.textContent.trim() === 'Webhook'); \
             if (!h) throw new Error('no Webhook heading'); h.scrollIntoView();",
            vec![],
        )
        .await?;
    Ok(())
}

async fn a_developer_reads_the_api_page_and_opens_graphiql(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    driver.set_window_rect(0, 0, PHONE, 844).await?;

    driver.goto(format!("{}/", server.url)).await?;
    wait_for_heading(driver, "Progetti finanziati per la migrazione al cloud").await?;
    link(driver, "API e dati aperti").await?.click().await?;
    wait_for_heading(driver, "API e dati aperti").await?;
    for needle in [
        "/graphql/schema.graphql",
        "LIMIT_EXCEEDED",
        "extensions.cost",
        "20.000",
        // Webhooks: who registers them and where, the events, the headers, the retries,
        // the signature with its example, production's refusal of private addresses.
        "il Dipartimento per gli eventi di tutti i progetti",
        "alla pagina Webhook (/webhook)",
        "REQUEST_ANSWERED",
        "DOCUMENT_UPLOADED",
        "Nuvola-Webhook-Id",
        "usatelo per scartare i duplicati",
        "Nuvola-Webhook-Signature",
        "8 tentativi in tutto",
        "replayDelivery(id)",
        "hmac.compare_digest(\"v1=\" + mac.hexdigest(), signature)",
        "un indirizzo privato, locale o di loopback è rifiutato",
    ] {
        wait_for_page_text(driver, needle).await?;
    }
    let body = driver.find(By::Tag("body")).await?.text().await?;
    ensure!(
        !body.contains("non sono ancora disponibili"),
        "the page still says webhooks are not available"
    );
    // The examples are copied with a button that says what happened.
    button(driver, "Copia l'esempio").await?.click().await?;
    eventually("the copy told", Duration::from_secs(5), || async {
        let copied = driver
            .find_all(By::XPath("//button[normalize-space()='Copiato']"))
            .await?;
        let refused = driver
            .find_all(By::XPath(
                "//*[contains(text(), 'Il browser non consente di copiare')]",
            ))
            .await?;
        Ok((!copied.is_empty() || !refused.is_empty()).then_some(()))
    })
    .await?;
    let (width, room) = page_fits(driver).await?;
    ensure!(
        width <= room,
        "the API page is {width} px wide in {room} px"
    );
    browser.screenshot("api-page-phone").await?;
    show_webhooks(driver).await?;
    browser.screenshot("api-page-webhooks-phone").await?;
    assert_accessible(&browser, "API e dati aperti").await?;

    // In English.
    button(driver, "ENG English").await?.click().await?;
    wait_for_heading(driver, "API and open data").await?;
    for needle in [
        "Every answer carries in extensions.cost",
        "the department for the events of every project",
        "on the Webhook page (/webhook)",
        "use it to discard duplicates",
        "8 attempts in all",
        "compare it in constant time",
        "a private, link-local or loopback address is refused",
    ] {
        wait_for_page_text(driver, needle).await?;
    }
    let body = driver.find(By::Tag("body")).await?.text().await?;
    ensure!(
        !body.contains("not available yet"),
        "the page still says webhooks are not available"
    );
    let (width, room) = page_fits(driver).await?;
    ensure!(
        width <= room,
        "the API page in English is {width} px wide in {room} px"
    );
    browser.screenshot("api-page-phone-english").await?;
    show_webhooks(driver).await?;
    browser
        .screenshot("api-page-webhooks-phone-english")
        .await?;
    assert_accessible(&browser, "API and open data").await?;

    // At a desktop's width, in both languages.
    driver.set_window_rect(0, 0, 1280, 900).await?;
    show_webhooks(driver).await?;
    browser.screenshot("api-page-webhooks-english").await?;
    button(driver, "ITA Italiano").await?.click().await?;
    wait_for_heading(driver, "API e dati aperti").await?;
    show_webhooks(driver).await?;
    browser.screenshot("api-page-webhooks").await?;

    // GraphiQL, from the server's own files, draws its editor under the page's CSP.
    driver.set_window_rect(0, 0, 1280, 900).await?;
    driver.goto(format!("{}/graphql", server.url)).await?;
    eventually("GraphiQL drawn", Duration::from_secs(20), || async {
        let editors = driver
            .find_all(By::Css(".graphiql-container .graphiql-query-editor"))
            .await?;
        Ok((!editors.is_empty()).then_some(()))
    })
    .await?;
    let scripts: Vec<String> = driver
        .execute("return [...document.scripts].map(s => s.src);", vec![])
        .await?
        .convert()?;
    ensure!(
        scripts.iter().all(|s| s.starts_with(&server.url)),
        "GraphiQL loads a script from elsewhere: {scripts:?}"
    );
    // And runs a query: the editor's text, the run button, the answer in its pane.
    // GraphiQL may still restore its own tab (the example) just after it draws the
    // editor, so the probe puts the query back when it is gone.
    const QUERY: &str = "{ stats { applications } }";
    let last_run = std::cell::Cell::new(None::<std::time::Instant>);
    eventually("GraphiQL's answer", Duration::from_secs(30), || async {
        let (query, answer): (String, String) = driver
            .execute(
                "const e = document.querySelector('.graphiql-query-editor .CodeMirror'); \
                 const r = document.querySelector('.graphiql-response .CodeMirror'); \
                 return [e ? e.CodeMirror.getValue() : '', r ? r.CodeMirror.getValue() : ''];",
                vec![],
            )
            .await?
            .convert()?;
        if query == QUERY && answer.contains("\"applications\": 12934") {
            return Ok(Some(()));
        }
        // GraphiQL learns the operation's name from the editor a moment after a change:
        // a run in that moment still names the example's operation ("Unknown operation
        // named Projects"), so a run without the answer is tried again.
        let stale = last_run
            .get()
            .is_none_or(|at| at.elapsed() > Duration::from_secs(3));
        if query != QUERY || stale {
            if query != QUERY {
                driver
                    .execute(
                        "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(arguments[0]);",
                        vec![serde_json::json!(QUERY)],
                    )
                    .await?;
            }
            driver
                .find(By::Css("button.graphiql-execute-button"))
                .await?
                .click()
                .await?;
            last_run.set(Some(std::time::Instant::now()));
        }
        Err(anyhow::anyhow!(
            "the editor holds {query:?} and the answer pane {answer:?}"
        ))
    })
    .await?;
    browser.screenshot("graphiql").await?;

    driver.clone().quit().await?;
    Ok(())
}

both!(a_developer_reads_the_api_page_and_opens_graphiql);
