//! The administration's journeys (Comune di Ferrara): log in, see my projects, open the
//! project, plan a service (the browser refuses a bad line with the shared rules, next
//! to the field), record a contract (the server refuses a supplier that does not sell
//! the planned offering, next to the field), renounce, log out; and the whole way from
//! a funded project to the completion request by the page's buttons.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, choose, eventually, fill, graphql_in_page, link, log_in,
    wait_for_heading, wait_for_page_text, wait_for_text, Backend, Browser, Server,
};
use serde_json::{json, Value};

const CUP: &str = "B71C22000020001";

async fn text_of_id(driver: &WebDriver, id: &str) -> Result<String> {
    Ok(driver.find(By::Id(id)).await?.text().await?)
}

async fn wait_for_id_text(driver: &WebDriver, id: &str, needle: &str) -> Result<String> {
    eventually(
        &format!("#{id} to say {needle:?}"),
        Duration::from_secs(20),
        || async {
            let text = text_of_id(driver, id).await?;
            Ok(text.contains(needle).then_some(text))
        },
    )
    .await
}

/// The text of the contracts table's row whose CIG is `cig`.
async fn contract_row(driver: &WebDriver, cig: &str) -> Result<String> {
    eventually(
        &format!("the contract {cig} listed"),
        Duration::from_secs(20),
        || async {
            for r in driver
                .find_all(By::Css("[data-testid='contratto']"))
                .await?
            {
                let text = r.text().await?;
                if text.contains(cig) {
                    return Ok(Some(text));
                }
            }
            Ok(None)
        },
    )
    .await
}

async fn an_administration_plans_a_service_and_records_its_contract(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;

    // A reserved page sends an anonymous visitor to the login, and back afterwards.
    driver
        .goto(format!("{}/amministrazione", server.url))
        .await?;
    wait_for_heading(driver, "Accedi a Nuvola").await?;
    assert!(driver
        .current_url()
        .await?
        .as_str()
        .contains("dopo=/amministrazione"));
    browser.screenshot("login").await?;
    assert_accessible(&browser, "login").await?;

    // A wrong password is refused in Italian, without anything technical.
    fill(driver, "Nome utente", "comune.ferrara").await?;
    fill(driver, "Password", "sbagliata").await?;
    button(driver, "Accedi").await?.click().await?;
    wait_for_page_text(driver, "Credenziali non valide o sessione scaduta").await?;

    log_in(driver, &server.url, "comune.ferrara", "ferrara-demo-2026").await?;
    wait_for_heading(driver, "I miei progetti").await?;
    let user = driver
        .find(By::Css("[data-testid='utente']"))
        .await?
        .text()
        .await?;
    assert!(
        user.contains("Comune di Ferrara") && user.contains("Amministrazione"),
        "{user}"
    );
    wait_for_page_text(driver, "1.031.574 €").await?;
    wait_for_page_text(driver, "Finanziata").await?;
    browser.screenshot("administration-home").await?;
    assert_accessible(&browser, "I miei progetti").await?;

    link(driver, &format!("Apri il progetto {CUP}"))
        .await?
        .click()
        .await?;
    wait_for_heading(driver, "1.2 Abilitazione al cloud - Comuni - Aprile 2022").await?;
    wait_for_page_text(driver, "Il piano non ha ancora servizi.").await?;

    // Only the valid choices: for critical data the form does not offer an offering
    // qualified only for ordinary data (nuvola_shared::plan::offering_admits, the
    // server's rule).
    choose(driver, "Servizio dal catalogo", "Protocollo informatico").await?;
    choose(driver, "Classe dei dati", "Critico").await?;
    choose(driver, "Dove si trova oggi", "In sede (on-premises)").await?;
    choose(driver, "Destinazione", "SaaS").await?;
    wait_for_page_text(
        driver,
        "Modalità: B - Aggiornamento in sicurezza di applicazioni in cloud",
    )
    .await?;
    let suite = "//select[@id='piano-offerta']/option[starts-with(normalize-space(), 'Suite documentale PA')]";
    ensure!(
        driver.find_all(By::XPath(suite)).await?.is_empty(),
        "an ordinary-only offering is offered for critical data"
    );
    choose(driver, "Classe dei dati", "Ordinario").await?;
    let offering = eventually("the suite offered", Duration::from_secs(20), || async {
        Ok(driver.find_all(By::XPath(suite)).await?.into_iter().next())
    })
    .await?
    .text()
    .await?;
    choose(driver, "Offerta cloud qualificata", &offering).await?;
    // A choice already made stays shown when the data class changes, and the same rule
    // refuses it next to the offering.
    choose(driver, "Classe dei dati", "Critico").await?;
    button(driver, "Salva il servizio").await?.click().await?;
    wait_for_id_text(driver, "piano-offerta-errore", "richiedono il PSN").await?;
    assert_eq!(
        driver
            .find(By::Id("piano-offerta"))
            .await?
            .attr("aria-invalid")
            .await?
            .as_deref(),
        Some("true")
    );

    // Ordinary data fits: saved, and the plan shows it.
    choose(driver, "Classe dei dati", "Ordinario").await?;
    button(driver, "Salva il servizio").await?.click().await?;
    wait_for_page_text(driver, "Servizio salvato nel piano.").await?;
    let row = eventually("the plan's row", Duration::from_secs(20), || async {
        for r in driver
            .find_all(By::Css("table.plan-table tbody tr"))
            .await?
        {
            let text = r.text().await?;
            if text.contains("Protocollo informatico") {
                return Ok(Some(text));
            }
        }
        Ok(None)
    })
    .await?;
    assert!(
        row.contains("Ordinario") && row.contains("SaaS") && row.contains("Da avviare"),
        "{row}"
    );

    // A second service, on PSN's PaaS.
    choose(driver, "Servizio dal catalogo", "Anagrafe (ANPR)").await?;
    choose(driver, "Classe dei dati", "Critico").await?;
    choose(driver, "Destinazione", "PaaS").await?;
    choose(
        driver,
        "Offerta cloud qualificata",
        "PSN PaaS · Polo Strategico Nazionale S.p.A. (Strategico, qualificata fino al 31/12/2028)",
    )
    .await?;
    button(driver, "Salva il servizio").await?.click().await?;
    // The plan (not only the catalogue's list) now has both lines.
    eventually("two lines in the plan", Duration::from_secs(20), || async {
        let n = driver
            .find_all(By::Css("table.plan-table tbody tr"))
            .await?
            .len();
        Ok((n == 2).then_some(()))
    })
    .await?;
    // Each line shows its offering and the offering's supplier.
    wait_for_page_text(driver, "PSN-PAAS · Polo Strategico Nazionale S.p.A.").await?;

    // The same service twice is refused, in words, next to the name.
    choose(driver, "Servizio dal catalogo", "Anagrafe (ANPR)").await?;
    button(driver, "Salva il servizio").await?.click().await?;
    wait_for_id_text(
        driver,
        "piano-nome-errore",
        "Il piano ha già un servizio con questo nome",
    )
    .await?;

    // A line added by mistake is removed, after saying what will happen.
    choose(driver, "Servizio dal catalogo", "Albo pretorio online").await?;
    choose(driver, "Classe dei dati", "Ordinario").await?;
    choose(driver, "Destinazione", "SaaS").await?;
    choose(driver, "Offerta cloud qualificata", &offering).await?;
    button(driver, "Salva il servizio").await?.click().await?;
    wait_for_page_text(driver, "Servizio salvato nel piano.").await?;
    button(driver, "Rimuovi Albo pretorio online")
        .await?
        .click()
        .await?;
    wait_for_page_text(
        driver,
        "Rimuovi «Albo pretorio online» dal piano di migrazione?",
    )
    .await?;
    browser
        .screenshot("administration-plan-remove-confirm")
        .await?;
    assert_accessible(&browser, "removal confirmation").await?;
    button(driver, "Conferma la rimozione")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Servizio rimosso dal piano.").await?;
    eventually("two lines again", Duration::from_secs(20), || async {
        let n = driver
            .find_all(By::Css("table.plan-table tbody tr"))
            .await?
            .len();
        Ok((n == 2).then_some(()))
    })
    .await?;

    // The contract: without an amount, without a CIG or with a CIG of the wrong form,
    // the shared rules refuse it next to the field, before anything is sent.
    choose(
        driver,
        "Fornitore",
        "Polo Strategico Nazionale S.p.A. (PSN) · P.IVA 16825251008",
    )
    .await?;
    driver
        .find(By::XPath(
            "//label[normalize-space()='Protocollo informatico']",
        ))
        .await?
        .click()
        .await?;
    button(driver, "Registra il contratto")
        .await?
        .click()
        .await?;
    wait_for_id_text(
        driver,
        "contratto-importo-errore",
        "importo del contratto in euro interi",
    )
    .await?;
    fill(driver, "Importo del contratto (euro)", "47427").await?;
    button(driver, "Registra il contratto")
        .await?
        .click()
        .await?;
    wait_for_id_text(
        driver,
        "contratto-cig-errore",
        "Indica il CIG del contratto.",
    )
    .await?;
    fill(driver, "CIG", "ABC123").await?;
    button(driver, "Registra il contratto")
        .await?
        .click()
        .await?;
    wait_for_id_text(driver, "contratto-cig-errore", "Il CIG ha 10 caratteri").await?;
    browser
        .screenshot("administration-contract-bad-cig")
        .await?;
    fill(driver, "CIG", "9a1b2c3d4e").await?;
    // PSN does not sell the document suite the protocol is planned on, and the server
    // says so next to the supplier.
    button(driver, "Registra il contratto")
        .await?
        .click()
        .await?;
    wait_for_id_text(driver, "contratto-fornitore-errore", "non vende l'offerta").await?;
    browser.screenshot("administration-project").await?;
    assert_accessible(&browser, "project page with a refusal").await?;

    choose(
        driver,
        "Fornitore",
        "Nuvola Demo Cloud S.r.l. · P.IVA 01234567897",
    )
    .await?;
    button(driver, "Registra il contratto")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Contratto registrato.").await?;
    wait_for_page_text(driver, "Contrattualizzata").await?;
    wait_for_page_text(driver, "Nuvola Demo Cloud S.r.l.").await?;
    assert_accessible(&browser, "project page after the contract").await?;

    // The contract is listed with its CIG (as ANAC writes it), amount and date, and is
    // corrected with a reason: a new version, the first kept.
    let today = driver
        .execute("return new Date().toLocaleDateString('it-IT', { day: '2-digit', month: '2-digit', year: 'numeric' });", Vec::new())
        .await?;
    let today = today.json().as_str().unwrap_or_default().to_owned();
    let row = contract_row(driver, "9A1B2C3D4E").await?;
    for shown in [
        "Nuvola Demo Cloud S.r.l.",
        "Protocollo informatico",
        "47.427",
        &today,
        "1",
    ] {
        ensure!(row.contains(shown), "{shown:?} not in {row:?}");
    }
    button(driver, "Correggi il contratto 9A1B2C3D4E")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Versione letta: 1.").await?;
    fill(driver, "CIG corretto", "9A1B2C3D4F").await?;
    fill(driver, "Importo corretto (euro)", "-5").await?;
    button(driver, "Salva la correzione").await?.click().await?;
    wait_for_id_text(
        driver,
        "correzione-importo-errore",
        "importo del contratto in euro interi",
    )
    .await?;
    fill(driver, "Importo corretto (euro)", "48000").await?;
    button(driver, "Salva la correzione").await?.click().await?;
    wait_for_id_text(
        driver,
        "correzione-motivo-errore",
        "Il motivo deve avere da 10 a 2.000 caratteri",
    )
    .await?;
    fill(
        driver,
        "Motivo della correzione",
        "CIG trascritto male e importo aggiornato",
    )
    .await?;
    button(driver, "Salva la correzione").await?.click().await?;
    wait_for_page_text(
        driver,
        "Contratto corretto: la versione precedente resta nello storico.",
    )
    .await?;
    let row = contract_row(driver, "9A1B2C3D4F").await?;
    for shown in [
        "48.000",
        "2",
        "corretto",
        "CIG trascritto male e importo aggiornato",
    ] {
        ensure!(row.contains(shown), "{shown:?} not in {row:?}");
    }
    driver
        .find(By::Id("contratti"))
        .await?
        .scroll_into_view()
        .await?;
    browser
        .screenshot("administration-contract-corrected")
        .await?;
    assert_accessible(&browser, "contracts, corrected").await?;
    let contracts = gql(
        driver,
        "query($cup: String!) { application(cup: $cup) { contracts { version versions { version cig amountEur } } } }",
        json!({ "cup": CUP }),
    )
    .await?;
    ensure!(
        contracts["application"]["contracts"][0]["versions"]
            == json!([{ "version": 1, "cig": "9A1B2C3D4E", "amountEur": 47427 }, { "version": 2, "cig": "9A1B2C3D4F", "amountEur": 48000 }]),
        "{contracts}"
    );
    button(driver, "ENG English").await?.click().await?;
    wait_for_page_text(driver, "Supplier contracts").await?;
    let row = contract_row(driver, "9A1B2C3D4F").await?;
    ensure!(row.contains("corrected"), "{row}");
    driver.set_window_rect(0, 0, 390, 844).await?;
    driver
        .find(By::Id("contratti"))
        .await?
        .scroll_into_view()
        .await?;
    browser
        .screenshot("administration-contract-corrected-en-390")
        .await?;
    driver.set_window_rect(0, 0, 1366, 900).await?;
    button(driver, "ITA Italiano").await?.click().await?;
    wait_for_page_text(driver, "Contratti con i fornitori").await?;

    // Editing a line loads it into the form.
    button(driver, "Modifica Anagrafe (ANPR)")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Modifica il servizio").await?;
    // The form starts from what is saved: the catalogue entry and the offering.
    let chosen = driver
        .execute(
            "return ['piano-catalogo', 'piano-offerta'].map(id => document.getElementById(id).value);",
            Vec::new(),
        )
        .await?;
    assert_eq!(chosen.json(), &json!(["CO_ANAGRAFE_ANPR", "PSN-PAAS"]));
    browser.screenshot("administration-plan-edit").await?;
    driver.set_window_rect(0, 0, 390, 844).await?;
    browser.screenshot("administration-plan-edit-390").await?;
    driver.set_window_rect(0, 0, 1366, 900).await?;
    button(driver, "Annulla").await?.click().await?;

    // The history tells who did what.
    wait_for_page_text(driver, "Cronologia del progetto").await?;
    wait_for_page_text(driver, "Contratto registrato").await?;
    wait_for_page_text(driver, "comune.ferrara").await?;

    // Renouncing is a request: it asks for the reason, says what will happen and waits
    // for the confirmation; the project stays as it is until the department decrees it.
    driver
        .find(By::XPath(
            "//summary[normalize-space()='Rinuncia al finanziamento']",
        ))
        .await?
        .click()
        .await?;
    button(driver, "Richiedi la rinuncia")
        .await?
        .click()
        .await?;
    wait_for_id_text(driver, "rinuncia-motivo-errore", "").await?;
    ensure!(
        driver
            .find_all(By::Css("[role='alertdialog']"))
            .await?
            .is_empty(),
        "asked to confirm without a reason"
    );
    fill(
        driver,
        "Motivo della rinuncia",
        "Il servizio è stato affidato a un progetto regionale.",
    )
    .await?;
    button(driver, "Richiedi la rinuncia")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Chiedi al Dipartimento di decretare la rinuncia").await?;
    driver
        .find(By::Css("[role='alertdialog']"))
        .await?
        .scroll_into_view()
        .await?;
    browser
        .screenshot("administration-renunciation-confirm")
        .await?;
    assert_accessible(&browser, "renunciation confirmation").await?;
    // Cancelling sends nothing.
    button(driver, "Annulla").await?.click().await?;
    button(driver, "Richiedi la rinuncia")
        .await?
        .click()
        .await?;
    button(driver, "Conferma la richiesta di rinuncia")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Richiesta di rinuncia inviata al Dipartimento.").await?;
    wait_for_page_text(
        driver,
        "Rinuncia richiesta, in attesa del decreto del Dipartimento",
    )
    .await?;
    wait_for_page_text(driver, "affidato a un progetto regionale").await?;
    // Still funded, and the plan's other moves wait: no renunciation form, no contract.
    wait_for_page_text(driver, "Contrattualizzata").await?;
    ensure!(
        driver
            .find_all(By::XPath(
                "//summary[normalize-space()='Rinuncia al finanziamento']"
            ))
            .await?
            .is_empty(),
        "a second request is offered while one is pending"
    );
    browser
        .screenshot("administration-renunciation-requested")
        .await?;
    assert_accessible(&browser, "renunciation requested").await?;
    // The request can be withdrawn, and asked again.
    button(driver, "Ritira la richiesta di rinuncia")
        .await?
        .click()
        .await?;
    button(driver, "Conferma il ritiro").await?.click().await?;
    wait_for_page_text(driver, "Richiesta di rinuncia ritirata.").await?;
    // The notice comes before the reloaded project: wait for the renunciation form.
    eventually(
        "the renunciation form again",
        Duration::from_secs(20),
        || async {
            Ok(driver
                .find_all(By::XPath(
                    "//summary[normalize-space()='Rinuncia al finanziamento']",
                ))
                .await?
                .into_iter()
                .next())
        },
    )
    .await?
    .click()
    .await?;
    fill(
        driver,
        "Motivo della rinuncia",
        "Il servizio è stato affidato a un progetto regionale.",
    )
    .await?;
    button(driver, "Richiedi la rinuncia")
        .await?
        .click()
        .await?;
    button(driver, "Conferma la richiesta di rinuncia")
        .await?
        .click()
        .await?;
    wait_for_page_text(
        driver,
        "Rinuncia richiesta, in attesa del decreto del Dipartimento",
    )
    .await?;
    // At a phone's width the request and its withdrawal fit.
    driver.set_window_rect(0, 0, 390, 844).await?;
    driver
        .find(By::Css("[data-testid='richiesta-rinuncia']"))
        .await?
        .scroll_into_view()
        .await?;
    browser
        .screenshot("administration-renunciation-requested-390")
        .await?;
    driver.set_window_rect(0, 0, 1366, 900).await?;

    // The department decrees it: only now is the project renounced.
    button(driver, "Esci").await?.click().await?;
    wait_for_heading(driver, "Progetti finanziati per la migrazione al cloud").await?;
    log_in(
        driver,
        &server.url,
        "dipartimento",
        "dipartimento-demo-2026",
    )
    .await?;
    // Its dashboard counts the request waiting for its decree and lists it.
    wait_for_heading(driver, "Cruscotto nazionale").await?;
    wait_for_text(driver, "cruscotto-rinunce", "1").await?;
    wait_for_page_text(
        driver,
        "1 ente chiede di rinunciare al finanziamento: la rinuncia attende il decreto del Dipartimento",
    )
    .await?;
    let row = driver.find(By::Css("[data-testid='rinuncia']")).await?;
    let listed = row.text().await?;
    ensure!(
        listed.contains(CUP) && listed.contains("affidato a un progetto regionale"),
        "the pending request: {listed}"
    );
    row.scroll_into_view().await?;
    browser
        .screenshot("department-renunciations-pending")
        .await?;
    assert_accessible(&browser, "dashboard with a pending renunciation").await?;
    button(driver, "ENG English").await?.click().await?;
    wait_for_page_text(driver, "Requests of renunciation to decree").await?;
    driver.set_window_rect(0, 0, 390, 844).await?;
    row.scroll_into_view().await?;
    browser
        .screenshot("department-renunciations-pending-en-390")
        .await?;
    // On a phone each pending request is a card, not a table to scroll sideways.
    let (wide, room): (f64, f64) = driver
        .execute(
            "const t = document.querySelector('tr[data-testid=rinuncia]').closest('.table-responsive'); \
             return [t.scrollWidth, t.clientWidth];",
            Vec::new(),
        )
        .await?
        .convert()?;
    ensure!(
        wide <= room + 0.5,
        "the pending requests scroll sideways on a phone: {wide} px in {room}"
    );
    driver.set_window_rect(0, 0, 1366, 900).await?;
    button(driver, "ITA Italiano").await?.click().await?;
    // And its notifications tell it, in words.
    let told = gql(
        driver,
        "{ notifications(first: 5) { edges { node { kind message } } } }",
        json!({}),
    )
    .await?;
    ensure!(
        told["notifications"]["edges"][0]["node"]["kind"] == "RENUNCIATION_REQUESTED",
        "{told}"
    );
    // From the list to the project, where it decrees.
    driver
        .find(By::Css("[data-testid='rinuncia'] a"))
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "L'ente ha chiesto di rinunciare al finanziamento").await?;
    button(driver, "Decreta la rinuncia").await?.click().await?;
    wait_for_page_text(driver, "Decreti la rinuncia").await?;
    driver
        .find(By::Css("[role='alertdialog']"))
        .await?
        .scroll_into_view()
        .await?;
    browser.screenshot("department-renunciation-decree").await?;
    assert_accessible(&browser, "renunciation decree").await?;
    button(driver, "Conferma il decreto di rinuncia")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Rinuncia decretata: il progetto è rinunciato.").await?;
    wait_for_page_text(driver, "Rinunciata").await?;
    wait_for_page_text(driver, "affidato a un progetto regionale").await?;
    browser.screenshot("department-renounced").await?;

    button(driver, "Esci").await?.click().await?;
    wait_for_heading(driver, "Progetti finanziati per la migrazione al cloud").await?;
    link(driver, "Accedi all'area riservata").await?;
    // The administration is told of the decree on its notifications page.
    log_in(driver, &server.url, "comune.ferrara", "ferrara-demo-2026").await?;
    driver.goto(format!("{}/notifiche", server.url)).await?;
    wait_for_page_text(driver, "Rinuncia al finanziamento decretata").await?;
    wait_for_page_text(
        driver,
        &format!(
            "Il Dipartimento ha decretato la rinuncia al finanziamento del progetto CUP {CUP}"
        ),
    )
    .await?;
    browser
        .screenshot("administration-renunciation-decreed-notice")
        .await?;

    driver.clone().quit().await?;
    Ok(())
}

both!(an_administration_plans_a_service_and_records_its_contract);

/// `query` as whoever is signed in to `driver`'s page; fails on any error.
async fn gql(driver: &WebDriver, query: &str, variables: Value) -> Result<Value> {
    let r = graphql_in_page(driver, query, variables).await?;
    ensure!(r["errors"].is_null(), "{query}: {r}");
    Ok(r["data"].clone())
}

/// The supplier's part, in its own browser, through the API as that supplier: every
/// service of the plan through ASSESSED, MIGRATING, TESTING to MIGRATED.
async fn the_supplier_migrates_every_service(base: &str) -> Result<()> {
    let supplier = Browser::start().await?;
    let s = &supplier.driver;
    s.goto(format!("{base}/")).await?;
    gql(
        s,
        "mutation { login(username: \"fornitore.demo\", password: \"fornitore-demo-2026\") { expiresAt } }",
        json!({}),
    )
    .await?;
    let plan = gql(
        s,
        "query($cup: String!) { application(cup: $cup) { plan { id version } } }",
        json!({ "cup": CUP }),
    )
    .await?["application"]["plan"]
        .as_array()
        .cloned()
        .context("the plan")?;
    for service in plan {
        let mut version = service["version"].clone();
        for status in ["ASSESSED", "MIGRATING", "TESTING", "MIGRATED"] {
            let moved = gql(
                s,
                "mutation($input: [ServiceStatusInput!]!) { updateServiceStatuses(input: $input) { version } }",
                json!({ "input": [{ "id": service["id"], "version": version, "status": status }] }),
            )
            .await?;
            version = moved["updateServiceStatuses"][0]["version"].clone();
        }
    }
    s.clone().quit().await?;
    Ok(())
}

/// The administration's whole way from a funded project to the completion request, by
/// clicking: a plan line, the contract, the questionnaire; the supplier migrates; the
/// administration declares completion.
async fn an_administration_takes_a_funded_project_to_its_completion(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    log_in(driver, &server.url, "comune.ferrara", "ferrara-demo-2026").await?;
    link(driver, &format!("Apri il progetto {CUP}"))
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Il piano non ha ancora servizi.").await?;
    wait_for_page_text(driver, "Finanziata").await?;

    // The plan: one service on the demo supplier's document suite.
    choose(driver, "Servizio dal catalogo", "Protocollo informatico").await?;
    choose(driver, "Classe dei dati", "Ordinario").await?;
    choose(driver, "Dove si trova oggi", "In sede (on-premises)").await?;
    choose(driver, "Destinazione", "SaaS").await?;
    let offering = driver
        .find(By::XPath("//select[@id='piano-offerta']/option[starts-with(normalize-space(), 'Suite documentale PA')]"))
        .await?
        .text()
        .await?;
    choose(driver, "Offerta cloud qualificata", &offering).await?;
    button(driver, "Salva il servizio").await?.click().await?;
    wait_for_page_text(driver, "Servizio salvato nel piano.").await?;

    // The contract, with the supplier that sells that offering (the form appears with
    // the reloaded plan).
    wait_for_page_text(driver, "Servizi coperti dal contratto").await?;
    choose(
        driver,
        "Fornitore",
        "Nuvola Demo Cloud S.r.l. · P.IVA 01234567897",
    )
    .await?;
    driver
        .find(By::XPath(
            "//label[normalize-space()='Protocollo informatico']",
        ))
        .await?
        .click()
        .await?;
    fill(driver, "CIG", "Z1B2C3D4E5").await?;
    fill(driver, "Importo del contratto (euro)", "120000").await?;
    button(driver, "Registra il contratto")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Contratto registrato.").await?;
    wait_for_page_text(driver, "Contrattualizzata").await?;
    // Nothing to declare yet: the service has not migrated.
    assert!(driver
        .find_all(By::XPath(
            "//button[normalize-space()='Dichiara completamento']"
        ))
        .await?
        .is_empty());

    // The questionnaire, which the supplier's first step needs.
    let panel = eventually("the service's panel", Duration::from_secs(20), || async {
        for s in driver.find_all(By::Tag("summary")).await? {
            if s.text().await? == "Protocollo informatico" {
                return Ok(Some(s));
            }
        }
        Ok(None)
    })
    .await?;
    panel.scroll_into_view().await?;
    panel.click().await?;
    fill(driver, "Applicativo", "Protocollo Web").await?;
    fill(driver, "Utenti", "85").await?;
    button(driver, "Salva il questionario")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Servizio aggiornato.").await?;
    wait_for_page_text(driver, "Aggiornamenti in tempo reale attivi").await?;

    // The supplier migrates it; the page follows live, without a reload.
    the_supplier_migrates_every_service(&server.url).await?;
    eventually(
        "the service migrated, live",
        Duration::from_secs(20),
        || async {
            let row = driver
                .find(By::Css("table.plan-table tbody tr"))
                .await?
                .text()
                .await?;
            Ok(row.contains("Migrato").then_some(()))
        },
    )
    .await?;
    wait_for_page_text(driver, "In migrazione").await?;

    // The completion request, by its button.
    // The live feed may reload the project just after the last service migrated, which
    // redraws the button and drops a confirmation opened before: click until it shows.
    eventually(
        "the completion's confirmation",
        Duration::from_secs(30),
        || async {
            let body = driver.find(By::Tag("body")).await?.text().await?;
            if body.contains("Il progetto passa alla verifica dell'asseveratore") {
                return Ok(Some(()));
            }
            let declare = driver
                .find_all(By::XPath(
                    "//button[normalize-space()='Dichiara completamento']",
                ))
                .await?;
            if let Some(declare) = declare.into_iter().next() {
                declare.scroll_into_view().await.ok();
                declare.click().await.ok();
            }
            tokio::time::sleep(Duration::from_millis(400)).await;
            Ok(None)
        },
    )
    .await?;
    button(driver, "Conferma il completamento")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Completamento dichiarato.").await?;
    // The page reloads the project: Completata, and nothing more to declare.
    eventually("the completed project", Duration::from_secs(20), || async {
        let badge = driver
            .find(By::XPath(
                "//span[contains(@class, 'badge')][normalize-space()='Completata']",
            ))
            .await
            .is_ok();
        let declare = driver
            .find_all(By::XPath(
                "//button[normalize-space()='Dichiara completamento']",
            ))
            .await?;
        Ok((badge && declare.is_empty()).then_some(()))
    })
    .await?;
    browser.screenshot("administration-completed").await?;
    assert_accessible(&browser, "completed project").await?;

    // The timeline says what changed: which service, from what status to what, and
    // the project's own moves.
    let mut details = Vec::new();
    for item in driver
        .find_all(By::Css("[data-testid='dettaglio-evento']"))
        .await?
    {
        details.push(item.text().await?);
    }
    assert!(
        details
            .iter()
            .any(|d| d.starts_with('«') && d.contains(" → ") && d.ends_with("Migrato")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d == "In migrazione → Completata"),
        "{details:?}"
    );

    // The API agrees.
    let d = gql(
        driver,
        "query($cup: String!) { application(cup: $cup) { state plan { status supplier { vatNumber } assessments { version } } } }",
        json!({ "cup": CUP }),
    )
    .await?;
    assert_eq!(d["application"]["state"], "COMPLETED", "{d}");
    assert_eq!(d["application"]["plan"][0]["status"], "MIGRATED", "{d}");
    assert_eq!(
        d["application"]["plan"][0]["supplier"]["vatNumber"],
        "01234567897"
    );
    assert_eq!(d["application"]["plan"][0]["assessments"][0]["version"], 1);

    driver.clone().quit().await?;
    Ok(())
}

both!(an_administration_takes_a_funded_project_to_its_completion);
