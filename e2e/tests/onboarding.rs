//! Onboarding at national scale (issue 12), as people do it in Chromium: a new person
//! (the demo's `nuovo.utente`, who acts for nobody) lands on "Richiedi l'accesso",
//! finds Comune di Genova by name and asks to act for it; the department approves it
//! in its queue; the new referent invites a colleague from the members page; the
//! colleague, logged in, accepts the link of the e-mail; the referent removes them, and
//! the colleague's session ends at once. Every page is checked with axe-core and looked
//! at in screenshots at 1280 and 390 px, in Italian and English.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, eventually, fill, graphql_in_page, log_in, wait_for_heading,
    wait_for_page_text, Backend, Browser, Server,
};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::json;

/// The token of the newest invitation e-mail to `email`, from its outbox row: the one
/// place the link exists in clear (as the e-mail would bring it).
async fn invitation_path(server: &Server, email: &str) -> Result<String> {
    let db = Database::connect(&server.database).await?;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT payload FROM delivery WHERE kind = 'INVITATION' AND recipient = '{email}' ORDER BY id DESC"),
        ))
        .await?
        .context("no invitation e-mail in the outbox")?;
    let payload: String = row.try_get("", "payload")?;
    let value: serde_json::Value = serde_json::from_str(&payload)?;
    let path = value["path"].as_str().context("no link")?.to_owned();
    db.close().await?;
    Ok(path)
}

async fn narrow_enough(driver: &WebDriver, what: &str) -> Result<()> {
    let wide: u32 = driver
        .execute("return document.documentElement.scrollWidth", vec![])
        .await?
        .convert()?;
    ensure!(wide <= 390, "{what} is {wide} px wide on a 390 px phone");
    Ok(())
}

async fn a_new_person_asks_the_department_approves_and_the_referent_invites_and_removes_a_colleague(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    server.add_person("collega.genova", "collega-genova-2026")?;
    let newcomer = Browser::start().await?;
    let a = &newcomer.driver;
    a.set_window_rect(0, 0, 1280, 900).await?;

    // A person who acts for nobody lands on the request form.
    log_in(a, &server.url, "nuovo.utente", "nuovo-utente-demo-2026").await?;
    wait_for_heading(a, "Richiedi l'accesso").await?;
    assert_accessible(&newcomer, "request access").await?;
    // The VAT number is checked as it is typed.
    // Bootstrap Italia draws the radio on its label: a person clicks the label.
    a.find(By::Css("label[for='tipo-fornitore']"))
        .await?
        .click()
        .await?;
    fill(a, "Partita IVA", "01234567890").await?;
    wait_for_page_text(a, "cifra di controllo").await?;
    a.find(By::Css("label[for='tipo-ente']"))
        .await?
        .click()
        .await?;
    // Found by name, then asked for.
    fill(
        a,
        "Cerca l'amministrazione per nome o codice IPA",
        "comune di genova",
    )
    .await?;
    button(a, "Cerca").await?.click().await?;
    button(a, "Scegli: Comune di Genova").await?.click().await?;
    fill(
        a,
        "Nota per il Dipartimento (facoltativa)",
        "Sono la responsabile per la transizione digitale.",
    )
    .await?;
    button(a, "Invia la richiesta").await?.click().await?;
    wait_for_page_text(a, "Richiesta inviata").await?;
    wait_for_page_text(a, "In attesa").await?;
    newcomer.screenshot("richiedi-accesso-1280-it").await?;

    // The department approves it in its queue.
    let other = Browser::start().await?;
    let b = &other.driver;
    b.set_window_rect(0, 0, 1280, 900).await?;
    log_in(b, &server.url, "dipartimento", "dipartimento-demo-2026").await?;
    b.goto(format!("{}/dipartimento/richieste-accesso", server.url))
        .await?;
    wait_for_heading(b, "Richieste di accesso").await?;
    wait_for_page_text(b, "Comune di Genova").await?;
    assert_accessible(&other, "access requests queue").await?;
    other.screenshot("richieste-accesso-1280-it").await?;
    button(b, "Approva").await?.click().await?;
    button(b, "Conferma l'approvazione").await?.click().await?;
    wait_for_page_text(b, "Richiesta approvata.").await?;
    graphql_in_page(b, "mutation { logout }", json!({})).await?;

    // The new referent sees the members page and invites a colleague.
    a.goto(format!("{}/ente/membri", server.url)).await?;
    wait_for_heading(a, "Membri dell'ente").await?;
    wait_for_page_text(a, "Referente").await?;
    fill(a, "Indirizzo e-mail", "collega.genova@example.org").await?;
    button(a, "Invia l'invito").await?.click().await?;
    wait_for_page_text(a, "Invito inviato per e-mail.").await?;
    wait_for_page_text(a, "collega.genova@example.org").await?;
    assert_accessible(&newcomer, "members").await?;
    newcomer.screenshot("membri-1280-it").await?;

    // The colleague, logged in, accepts the link of the e-mail.
    let path = invitation_path(&server, "collega.genova@example.org").await?;
    log_in(b, &server.url, "collega.genova", "collega-genova-2026").await?;
    b.set_window_rect(0, 0, 390, 844).await?;
    b.goto(format!("{}{path}", server.url)).await?;
    wait_for_heading(b, "Invito a operare per un ente").await?;
    wait_for_page_text(b, "Comune di Genova").await?;
    button(b, "ENG English").await?.click().await?;
    wait_for_heading(b, "Invitation to act for an organisation").await?;
    assert_accessible(&other, "invitation (English, phone)").await?;
    narrow_enough(b, "the invitation page").await?;
    other.screenshot("invito-390-en").await?;
    button(b, "Accept the invitation").await?.click().await?;
    wait_for_page_text(b, "Invitation accepted").await?;
    button(b, "ITA Italiano").await?.click().await?;

    // The referent removes the colleague; the colleague's session ends at once.
    a.refresh().await?;
    wait_for_heading(a, "Membri dell'ente").await?;
    wait_for_page_text(a, "collega.genova").await?;
    button(a, "Rimuovi").await?.click().await?;
    button(a, "Conferma la rimozione").await?.click().await?;
    wait_for_page_text(a, "Membro rimosso.").await?;
    let r = graphql_in_page(b, "{ myProjects { cup } }", json!({})).await?;
    ensure!(
        r["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED",
        "the removed colleague's session still works: {r}"
    );
    b.goto(format!("{}/amministrazione", server.url)).await?;
    eventually("the login page", Duration::from_secs(20), || async {
        Ok((b.current_url().await?.path() == "/accedi").then_some(()))
    })
    .await?;

    // The request form and the members page on a phone, in English.
    a.set_window_rect(0, 0, 390, 844).await?;
    button(a, "ENG English").await?.click().await?;
    wait_for_heading(a, "Members of the organisation").await?;
    narrow_enough(a, "the members page").await?;
    assert_accessible(&newcomer, "members (English, phone)").await?;
    newcomer.screenshot("membri-390-en").await?;
    a.goto(format!("{}/richiedi-accesso", server.url)).await?;
    wait_for_heading(a, "Request access").await?;
    wait_for_page_text(a, "Approved").await?;
    narrow_enough(a, "the request page").await?;
    assert_accessible(&newcomer, "request access (English, phone)").await?;
    newcomer.screenshot("richiedi-accesso-390-en").await?;
    Ok(())
}

both!(a_new_person_asks_the_department_approves_and_the_referent_invites_and_removes_a_colleague);
