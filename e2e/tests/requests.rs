//! The verification journeys of the administration: the verifier's requests answered
//! with an uploaded document (the progress bar runs to the end), the notifications the
//! deadline checker raises, a supplier's bulk update seen live on the project page, and
//! the live feed coming back after a server restart with what it missed.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    assert_accessible, both, button, choose, control_labelled, eventually, fill, graphql_in_page,
    link, log_in, wait_for_heading, wait_for_page_text, wait_for_text, Backend, Browser, Server,
};
use serde_json::{json, Value};

const CUP: &str = "B71C22000020001";

async fn gql(driver: &WebDriver, query: &str, variables: Value) -> Result<Value> {
    let r = graphql_in_page(driver, query, variables).await?;
    ensure!(r["errors"].is_null(), "{query}: {r}");
    Ok(r["data"].clone())
}

async fn api_login(driver: &WebDriver, username: &str, password: &str) -> Result<()> {
    gql(
        driver,
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { expiresAt } }",
        json!({ "u": username, "p": password }),
    )
    .await
    .map(drop)
}

async fn api_logout(driver: &WebDriver) -> Result<()> {
    gql(driver, "mutation { logout }", json!({}))
        .await
        .map(drop)
}

/// Ferrara plans two services on the demo supplier's offerings, contracts them and fills
/// in their questionnaires; returns the services as `{id, version}`.
async fn ferrara_contracts_the_demo_supplier(driver: &WebDriver, base: &str) -> Result<Vec<Value>> {
    driver.goto(format!("{base}/")).await?;
    api_login(driver, "comune.ferrara", "ferrara-demo-2026").await?;
    let mut services = Vec::new();
    for code in ["CO_PROTOCOLLO_INFORMATICO", "CO_TRIBUTI_IMU_TARI"] {
        let d = gql(
            driver,
            "mutation($input: PlannedServiceInput!) { savePlannedService(input: $input) { id version } }",
            json!({ "input": { "cup": CUP, "catalogueCode": code, "dataClass": "ORDINARIO", "origin": "ON_PREMISES", "destination": "SAAS", "offeringCode": "DEMO-SAAS-PA" } }),
        )
        .await?;
        services.push(d["savePlannedService"].clone());
    }
    gql(
        driver,
        "mutation($input: ContractInput!) { recordContract(input: $input) { id } }",
        json!({ "input": { "cup": CUP, "supplierVat": "01234567897", "contractOn": "2026-01-15", "services": services } }),
    )
    .await?;
    for service in &services {
        gql(
            driver,
            "mutation($input: AssessmentInput!) { submitAssessment(input: $input) { version } }",
            json!({ "input": { "serviceId": service["id"], "latestVersion": 0, "applicationName": "Gestionale", "users": 120 } }),
        )
        .await?;
    }
    api_logout(driver).await?;
    plan_versions(driver, "fornitore.demo", "fornitore-demo-2026").await
}

/// The plan's services with their current versions, read as `username`.
async fn plan_versions(driver: &WebDriver, username: &str, password: &str) -> Result<Vec<Value>> {
    api_login(driver, username, password).await?;
    let d = gql(
        driver,
        "query($cup: String!) { application(cup: $cup) { plan { id version status } } }",
        json!({ "cup": CUP }),
    )
    .await?;
    api_logout(driver).await?;
    Ok(d["application"]["plan"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

/// Moves every service of the plan through `steps`, as the demo supplier.
async fn supplier_moves_all(
    driver: &WebDriver,
    services: &mut [Value],
    steps: &[&str],
) -> Result<()> {
    api_login(driver, "fornitore.demo", "fornitore-demo-2026").await?;
    for step in steps {
        let input: Vec<Value> = services
            .iter()
            .map(|s| json!({ "id": s["id"], "version": s["version"], "status": step }))
            .collect();
        let d = gql(
            driver,
            "mutation($input: [ServiceStatusInput!]!) { updateServiceStatuses(input: $input) { id version } }",
            json!({ "input": input }),
        )
        .await?;
        for (s, moved) in services
            .iter_mut()
            .zip(d["updateServiceStatuses"].as_array().context("moved")?)
        {
            s["version"] = moved["version"].clone();
        }
    }
    api_logout(driver).await
}

async fn project_version(driver: &WebDriver) -> Result<Value> {
    let d = gql(
        driver,
        "query($cup: String!) { application(cup: $cup) { version } }",
        json!({ "cup": CUP }),
    )
    .await?;
    Ok(d["application"]["version"].clone())
}

async fn today_plus(driver: &WebDriver, days: i64) -> Result<String> {
    let v = driver
        .execute(
            "return new Date(Date.now() + arguments[0] * 86400000).toISOString().slice(0, 10);",
            vec![json!(days)],
        )
        .await?;
    Ok(v.json().as_str().context("a date")?.to_owned())
}

/// The whole way from a contract to two open requests of the verifier on Ferrara's
/// project: migrated, completed, assigned, asked.
async fn ferrara_is_asked_for_documents(driver: &WebDriver, base: &str) -> Result<()> {
    let mut services = ferrara_contracts_the_demo_supplier(driver, base).await?;
    supplier_moves_all(
        driver,
        &mut services,
        &["ASSESSED", "MIGRATING", "TESTING", "MIGRATED"],
    )
    .await?;
    api_login(driver, "comune.ferrara", "ferrara-demo-2026").await?;
    let version = project_version(driver).await?;
    gql(
        driver,
        "mutation($p: ProjectVersionInput!) { declareCompletion(project: $p) { state } }",
        json!({ "p": { "cup": CUP, "version": version } }),
    )
    .await?;
    api_logout(driver).await?;
    api_login(driver, "dipartimento", "dipartimento-demo-2026").await?;
    let version = project_version(driver).await?;
    gql(
        driver,
        "mutation($p: ProjectVersionInput!) { assignVerifier(project: $p, verifier: \"asseveratore\") { state } }",
        json!({ "p": { "cup": CUP, "version": version } }),
    )
    .await?;
    api_logout(driver).await?;
    api_login(driver, "asseveratore", "asseveratore-demo-2026").await?;
    let due = today_plus(driver, 0).await?;
    for (title, body) in [
        (
            "Form di conformità firmato",
            "Inviare il form di conformità della modalità B firmato digitalmente dal responsabile.",
        ),
        (
            "Contratto con il fornitore",
            "Inviare copia del contratto stipulato con Nuvola Demo Cloud S.r.l.",
        ),
    ] {
        gql(
            driver,
            "mutation($input: OpenRequestInput!) { openVerificationRequest(input: $input) { id } }",
            json!({ "input": { "cup": CUP, "title": title, "body": body, "dueOn": due } }),
        )
        .await?;
    }
    api_logout(driver).await
}

/// A small but real PDF in a temporary folder.
fn pdf_file(dir: &std::path::Path) -> Result<std::path::PathBuf> {
    let path = dir.join("form-conformita.pdf");
    let mut body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    // Large enough for the browser to report progress along the way.
    body.extend(std::iter::repeat_n(b'%', 512 * 1024));
    body.extend(b"\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    std::fs::write(&path, body)?;
    Ok(path)
}

async fn an_administration_answers_a_request_with_a_document_and_reads_its_notifications(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    ferrara_is_asked_for_documents(driver, &server.url).await?;
    // The demo's own deadline check may already have told Ferrara of missed deadlines.
    api_login(driver, "comune.ferrara", "ferrara-demo-2026").await?;
    let before = gql(driver, "{ unreadNotificationCount }", json!({})).await?
        ["unreadNotificationCount"]
        .as_i64()
        .unwrap_or(0);
    api_logout(driver).await?;
    // Three days later both requests are past due: the checker notifies Ferrara.
    let later = today_plus(driver, 3).await?;
    let report = server.check_deadlines(&later)?;
    ensure!(
        report.contains("2 verification requests overdue"),
        "{report}"
    );

    log_in(driver, &server.url, "comune.ferrara", "ferrara-demo-2026").await?;
    let bell = link(driver, &format!("Notifiche, {} da leggere", before + 2)).await?;
    browser
        .screenshot("administration-notification-badge")
        .await?;
    bell.click().await?;
    wait_for_heading(driver, "Notifiche").await?;
    wait_for_page_text(driver, "Richiesta dell'asseveratore scaduta").await?;
    wait_for_page_text(driver, "Form di conformità firmato").await?;
    browser.screenshot("notifications").await?;
    assert_accessible(&browser, "Notifiche").await?;
    // Reading one: the badge counts one less.
    button(driver, "Segna come letta").await?.click().await?;
    link(driver, &format!("Notifiche, {} da leggere", before + 1)).await?;
    link(driver, &format!("Vai al progetto {CUP}")).await?;

    // The inbox, from the menu.
    link(driver, "Richieste").await?.click().await?;
    wait_for_heading(driver, "Richieste dell'asseveratore").await?;
    wait_for_page_text(driver, "Inviare il form di conformità della modalità B").await?;
    wait_for_page_text(driver, "(scade oggi)").await?;
    assert_accessible(&browser, "Richieste dell'asseveratore").await?;

    // An answer with nothing in it is refused next to the note, before anything is sent.
    button(driver, "Invia la risposta").await?.click().await?;
    wait_for_page_text(
        driver,
        "Allega almeno un documento o scrivi una nota per l'asseveratore.",
    )
    .await?;
    browser.screenshot("request-empty-answer").await?;

    // A file the server does not accept is refused in words.
    let dir = tempfile::tempdir()?;
    let program = dir.path().join("programma.exe");
    std::fs::write(
        &program,
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00",
    )?;
    control_labelled(driver, "File da caricare")
        .await?
        .send_keys(program.display().to_string())
        .await?;
    button(driver, "Carica il documento").await?.click().await?;
    wait_for_page_text(driver, "Questo tipo di file non è accettato").await?;

    // A PDF goes through, with its progress bar running to 100%.
    let pdf = pdf_file(dir.path())?;
    choose(driver, "Tipo di documento", "Form di conformità").await?;
    control_labelled(driver, "File da caricare")
        .await?
        .send_keys(pdf.display().to_string())
        .await?;
    button(driver, "Carica il documento").await?.click().await?;
    eventually("the bar at 100%", Duration::from_secs(20), || async {
        let bars = driver
            .find_all(By::XPath(
                "//*[@role='progressbar' and @aria-label='Avanzamento del caricamento']",
            ))
            .await?;
        for bar in bars {
            if bar.attr("aria-valuenow").await?.as_deref() == Some("100") {
                return Ok(Some(()));
            }
        }
        Ok(None)
    })
    .await?;
    wait_for_page_text(driver, "Caricato: form-conformita.pdf.").await?;
    link(driver, "form-conformita.pdf").await?;
    driver
        .find(By::XPath("//*[@role='progressbar']"))
        .await?
        .scroll_into_view()
        .await?;
    browser.screenshot("request-upload-done").await?;
    assert_accessible(&browser, "request with an upload").await?;

    // A wrong file, sent by mistake, is removed before the answer uses it: the page
    // says what removing does and asks to confirm.
    let wrong = dir.path().join("sbagliato.pdf");
    std::fs::write(
        &wrong,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )?;
    control_labelled(driver, "File da caricare")
        .await?
        .send_keys(wrong.display().to_string())
        .await?;
    button(driver, "Carica il documento").await?.click().await?;
    wait_for_page_text(driver, "Caricato: sbagliato.pdf.").await?;
    button(driver, "Rimuovi il documento sbagliato.pdf")
        .await?
        .click()
        .await?;
    wait_for_page_text(
        driver,
        "Il file «sbagliato.pdf» viene eliminato e non si potrà recuperare",
    )
    .await?;
    driver
        .find(By::XPath("//*[@role='alertdialog']"))
        .await?
        .scroll_into_view()
        .await?;
    browser.screenshot("request-remove-document").await?;
    assert_accessible(&browser, "removing a document").await?;
    button(driver, "Conferma la rimozione")
        .await?
        .click()
        .await?;
    eventually("the wrong file gone", Duration::from_secs(20), || async {
        let left = driver
            .find_all(By::XPath("//a[normalize-space()='sbagliato.pdf']"))
            .await?;
        Ok(left.is_empty().then_some(()))
    })
    .await?;
    let docs = gql(
        driver,
        "query($cup: String!) { application(cup: $cup) { documents { fileName removable } } }",
        json!({ "cup": CUP }),
    )
    .await?;
    ensure!(
        docs["application"]["documents"]
            == json!([{ "fileName": "form-conformita.pdf", "removable": true }]),
        "{docs}"
    );

    fill(
        driver,
        "Nota per l'asseveratore",
        "In allegato il form firmato.",
    )
    .await?;
    button(driver, "Invia la risposta").await?.click().await?;
    wait_for_page_text(driver, "Risposta inviata il").await?;
    wait_for_page_text(driver, "«In allegato il form firmato.»").await?;
    browser.screenshot("request-answered").await?;
    // Now the answer uses it: no longer offered for removal, and refused by the server.
    let docs = gql(
        driver,
        "query($cup: String!) { application(cup: $cup) { documents { id removable } } }",
        json!({ "cup": CUP }),
    )
    .await?;
    ensure!(
        docs["application"]["documents"][0]["removable"] == false,
        "{docs}"
    );
    let refused = graphql_in_page(
        driver,
        "mutation($id: ID!) { removeDocument(id: $id) }",
        json!({ "id": docs["application"]["documents"][0]["id"] }),
    )
    .await?;
    ensure!(
        refused["errors"][0]["extensions"]["code"] == "INVALID_TRANSITION",
        "{refused}"
    );
    ensure!(
        driver
            .find_all(By::XPath(
                "//button[@aria-label='Rimuovi il documento form-conformita.pdf']"
            ))
            .await?
            .is_empty(),
        "a used document is offered for removal"
    );

    // The project page lists the same requests and every document of the project.
    link(driver, &format!("CUP {CUP}")).await?.click().await?;
    wait_for_page_text(driver, "Documenti del progetto").await?;
    wait_for_page_text(driver, "Risposta inviata il").await?;
    driver
        .find(By::Id("richieste"))
        .await?
        .scroll_into_view()
        .await?;
    browser.screenshot("project-requests").await?;
    assert_accessible(&browser, "project page with requests").await?;

    driver.clone().quit().await?;
    Ok(())
}

/// Waits until both rows of the administration's plan read "Analizzato" (`what`
/// names the wait in a failure).
async fn both_services_analysed(a: &WebDriver, what: &str) -> Result<()> {
    eventually(what, Duration::from_secs(20), || async {
        let mut analysed = 0;
        for row in a.find_all(By::Css("table.plan-table tbody tr")).await? {
            if row.text().await?.contains("Analizzato") {
                analysed += 1;
            }
        }
        Ok((analysed == 2).then_some(()))
    })
    .await
}

/// Fails unless the page still carries the mark set on it before the change: it was
/// updated in place, not reloaded.
async fn never_reloaded(a: &WebDriver) -> Result<()> {
    let kept = a
        .execute("return window.nuvolaNotReloaded === true;", Vec::new())
        .await?;
    ensure!(kept.json() == &json!(true), "the page was reloaded");
    Ok(())
}

async fn a_supplier_bulk_update_shows_live_on_the_administration_project_page(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    let admin = Browser::start().await?;
    let a = &admin.driver;
    ferrara_contracts_the_demo_supplier(a, &server.url).await?;

    log_in(a, &server.url, "comune.ferrara", "ferrara-demo-2026").await?;
    a.goto(format!("{}/amministrazione/progetti/{CUP}", server.url))
        .await?;
    wait_for_page_text(a, "Il piano di migrazione").await?;
    wait_for_page_text(a, "Aggiornamenti in tempo reale attivi").await?;
    // A reload would forget this mark.
    a.execute("window.nuvolaNotReloaded = true;", Vec::new())
        .await?;

    // The supplier, in its own browser, moves both services in one go.
    let supplier = Browser::start().await?;
    let s = &supplier.driver;
    log_in(s, &server.url, "fornitore.demo", "fornitore-demo-2026").await?;
    wait_for_heading(s, "I servizi a contratto").await?;
    wait_for_page_text(s, "Tributi (IMU, TARI)").await?;
    for name in ["Protocollo informatico", "Tributi (IMU, TARI)"] {
        s.find(By::XPath(format!(
            "//label[normalize-space()='Seleziona {name} · Comune di Ferrara']"
        )))
        .await?
        .click()
        .await?;
    }
    choose(s, "Nuovo stato dei servizi selezionati", "Analizzato").await?;
    button(s, "Aggiorna i servizi selezionati (2)")
        .await?
        .click()
        .await?;
    wait_for_page_text(s, "2 servizi passeranno a «Analizzato»: 2 da «Da avviare».").await?;
    button(s, "Conferma l'aggiornamento").await?.click().await?;
    wait_for_page_text(s, "2 servizi aggiornati.").await?;

    // The administration's page, never reloaded, shows both new statuses.
    both_services_analysed(a, "both services analysed, live").await?;
    wait_for_page_text(a, "Aggiornato ora:").await?;
    never_reloaded(a).await?;
    a.find(By::Css("table.plan-table"))
        .await?
        .scroll_into_view()
        .await?;
    admin.screenshot("project-live-update").await?;
    assert_accessible(&admin, "project page after a live update").await?;

    supplier.driver.clone().quit().await?;
    a.clone().quit().await?;
    Ok(())
}

/// Opens the `<details>` of `summary` unless it is open already (a refresh of the page's
/// data keeps the element, and its state, when nothing about it changed).
async fn unfold(driver: &WebDriver, summary: &WebElement) -> Result<()> {
    let open = driver
        .execute(
            "return arguments[0].parentElement.open;",
            vec![summary.to_json()?],
        )
        .await?;
    if open.json() != &json!(true) {
        summary.click().await?;
    }
    Ok(())
}

/// Waits until the page holds `needle`, shown or folded away (in a closed `<details>`).
async fn in_the_page(driver: &WebDriver, needle: &str) -> Result<()> {
    eventually(
        &format!("{needle:?} in the page"),
        Duration::from_secs(20),
        || async {
            let found = driver
                .execute(
                    "return document.body.textContent.includes(arguments[0]);",
                    vec![json!(needle)],
                )
                .await?;
            Ok((found.json() == &json!(true)).then_some(()))
        },
    )
    .await
}

/// Sets a `datetime-local` input as a person's picker would (typing into it depends on
/// the browser's locale).
async fn set_datetime(driver: &WebDriver, label: &str, value: &str) -> Result<()> {
    let input = control_labelled(driver, label).await?;
    driver
        .execute(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
            vec![input.to_json()?, json!(value)],
        )
        .await?;
    Ok(())
}

async fn a_supplier_fills_in_a_questionnaire_and_schedules_a_cutover(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    ferrara_contracts_the_demo_supplier(driver, &server.url).await?;
    log_in(driver, &server.url, "fornitore.demo", "fornitore-demo-2026").await?;
    wait_for_heading(driver, "I servizi a contratto").await?;
    wait_for_page_text(driver, "Questionari, finestre di cut-over ed evidenze").await?;
    let summary = driver.find(By::Tag("summary")).await?;
    let service = summary.text().await?;
    summary.click().await?;
    // Version 1 came from the set-up; the form starts from it.
    wait_for_page_text(driver, "Versione 1").await?;

    // The browser refuses a go-live before the migration started, next to the field.
    fill(driver, "Applicativo", "Civilia Next").await?;
    fill(driver, "Utenti", "240").await?;
    set_datetime(driver, "Inizio della migrazione", "2026-12-01").await?;
    set_datetime(driver, "Messa in esercizio", "2026-11-01").await?;
    button(driver, "Salva il questionario")
        .await?
        .click()
        .await?;
    wait_for_page_text(
        driver,
        "La messa in esercizio non può precedere l'inizio della migrazione.",
    )
    .await?;
    let live = control_labelled(driver, "Messa in esercizio").await?;
    ensure!(live.attr("aria-invalid").await?.as_deref() == Some("true"));
    set_datetime(driver, "Messa in esercizio", "2027-02-01").await?;
    button(driver, "Salva il questionario")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "Servizio aggiornato.").await?;
    in_the_page(driver, "Versioni precedenti").await?;

    // The page reloaded its data: open the same panel again and read version 2 and history.
    let summary = eventually("the panel again", Duration::from_secs(20), || async {
        for s in driver.find_all(By::Tag("summary")).await? {
            if s.text().await? == service {
                return Ok(Some(s));
            }
        }
        Ok(None)
    })
    .await?;
    unfold(driver, &summary).await?;
    wait_for_page_text(driver, "Versione 2").await?;
    wait_for_page_text(driver, "Versioni precedenti").await?;
    wait_for_page_text(driver, "Civilia Next").await?;

    // A cut-over window that ends before it starts is refused in the browser.
    let tomorrow = today_plus(driver, 1).await?;
    let after = today_plus(driver, 2).await?;
    set_datetime(driver, "Inizio del fermo", &format!("{after}T02:00")).await?;
    set_datetime(driver, "Fine del fermo", &format!("{tomorrow}T22:00")).await?;
    button(driver, "Pianifica il cut-over")
        .await?
        .click()
        .await?;
    wait_for_page_text(driver, "La finestra deve finire dopo l'inizio.").await?;
    set_datetime(driver, "Inizio del fermo", &format!("{tomorrow}T22:00")).await?;
    set_datetime(driver, "Fine del fermo", &format!("{after}T02:00")).await?;
    button(driver, "Pianifica il cut-over")
        .await?
        .click()
        .await?;
    in_the_page(driver, "22:00 – ").await?;
    let summary = driver.find(By::Tag("summary")).await?;
    unfold(driver, &summary).await?;
    let shown = |d: &str| format!("{}/{}/{}", &d[8..10], &d[5..7], &d[0..4]);
    wait_for_page_text(
        driver,
        &format!("{} 22:00 – {} 02:00", shown(&tomorrow), shown(&after)),
    )
    .await?;
    summary.scroll_into_view().await?;
    browser.screenshot("supplier-service-panel").await?;
    assert_accessible(&browser, "supplier service panel").await?;

    driver.clone().quit().await?;
    Ok(())
}

/// The live feed survives a server restart: the page says updates are interrupted,
/// retries with growing waits, and once back reloads what it missed meanwhile.
async fn the_project_page_reconnects_after_a_server_restart_and_catches_up(
    backend: Backend,
) -> Result<()> {
    let mut server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let a = &browser.driver;
    ferrara_contracts_the_demo_supplier(a, &server.url).await?;
    log_in(a, &server.url, "comune.ferrara", "ferrara-demo-2026").await?;
    a.goto(format!("{}/amministrazione/progetti/{CUP}", server.url))
        .await?;
    wait_for_page_text(a, "Aggiornamenti in tempo reale attivi").await?;
    a.execute("window.nuvolaNotReloaded = true;", Vec::new())
        .await?;

    // The server goes away: the page says so, and waits longer between attempts.
    server.stop();
    let interrupted = "Aggiornamenti in tempo reale interrotti: nuovo tentativo tra";
    wait_for_page_text(a, interrupted).await?;
    a.find(By::Css("[data-testid='tempo-reale-interrotto']"))
        .await?
        .scroll_into_view()
        .await?;
    browser.screenshot("project-live-interrupted").await?;
    assert_accessible(&browser, "project page with live updates interrupted").await?;
    wait_for_page_text(a, &format!("{interrupted} 8 s.")).await?;

    // Back on the same address and data; before the page's next attempt, both services
    // move (the administration may move them too).
    server.resume().await?;
    let plan = gql(
        a,
        "query($cup: String!) { application(cup: $cup) { plan { id version } } }",
        json!({ "cup": CUP }),
    )
    .await?;
    let input: Vec<Value> = plan["application"]["plan"]
        .as_array()
        .context("the plan")?
        .iter()
        .map(|s| json!({ "id": s["id"], "version": s["version"], "status": "ASSESSED" }))
        .collect();
    gql(
        a,
        "mutation($input: [ServiceStatusInput!]!) { updateServiceStatuses(input: $input) { id } }",
        json!({ "input": input }),
    )
    .await?;
    // The feed was still down when they moved: no live notice can bring them.
    let still_down = a
        .find_all(By::Css("[data-testid='tempo-reale-interrotto']"))
        .await?;
    ensure!(
        !still_down.is_empty(),
        "the page reconnected before the change: the test proves nothing"
    );

    // Reconnected, the page reloads its data: both services analysed, no page reload.
    wait_for_page_text(a, "Aggiornamenti in tempo reale attivi").await?;
    wait_for_page_text(
        a,
        "Aggiornamenti in tempo reale ripristinati: dati ricaricati.",
    )
    .await?;
    both_services_analysed(a, "both services analysed after the reconnection").await?;
    never_reloaded(a).await?;
    ensure!(a
        .find_all(By::Css("[data-testid='tempo-reale-interrotto']"))
        .await?
        .is_empty());

    a.clone().quit().await?;
    Ok(())
}

/// Thirteen more projects of Comune di Ferrara, funded in the later 1.2 calls for comuni,
/// as a row each of the open data's `candidature_12.csv`.
fn more_ferrara_projects() -> String {
    let calls = [
        "1.2 Abilitazione al Cloud - Comuni - Luglio 2022",
        "1.2 Abilitazione al Cloud - Comuni - novembre 2023",
        "1.2 Abilitazione al Cloud - Comuni - settembre 2024",
        "1.2 Abilitazione al Cloud - Comuni - luglio 2025",
    ];
    let mut csv = String::from("codice_ipa,ente,comune,cod_comune,provincia,cod_provincia,regione,cod_regione,importo_finanziamento,avviso,data_invio_candidatura,data_finanziamento,codice_cup,numero_finestra_temporale,numero_di_protocollo,stato_candidatura,misura,tipologia_ente\n");
    for i in 0..13 {
        csv.push_str(&format!(
            "c_d548,Comune di Ferrara,Ferrara,038008,FE,038,Emilia-Romagna,08,{}.0,{},2025-03-{:02}T10:00:00.000+0000,2025-06-30,{},1.0,{}.0,A,1.2 Abilitazione e facilitazione migrazione al Cloud,Comune\n",
            50_000 + 1_000 * i,
            calls[i % calls.len()],
            i + 1,
            ferrara_cup(i),
            40 + i,
        ));
    }
    csv
}

/// The CUP of the `i`th of [`more_ferrara_projects`].
fn ferrara_cup(i: usize) -> String {
    format!("B71C25{:06}001", 700 + i)
}

/// Waits until `css` finds exactly `expected` elements.
async fn count_becomes(driver: &WebDriver, css: &str, expected: usize) -> Result<()> {
    eventually(
        &format!("{expected} × {css}"),
        Duration::from_secs(20),
        || async { Ok((driver.find_all(By::Css(css)).await?.len() == expected).then_some(())) },
    )
    .await
}

async fn no_button(driver: &WebDriver, name: &str) -> Result<()> {
    let xpath = format!("//button[normalize-space()='{name}']");
    eventually(
        &format!("no button {name:?}"),
        Duration::from_secs(20),
        || async {
            Ok(driver
                .find_all(By::XPath(xpath.clone()))
                .await?
                .is_empty()
                .then_some(()))
        },
    )
    .await
}

/// Screenshots of the page at 1366 px and at 390 px: its top, and the end of its first
/// page with the button `more` (`NAME`, `NAME-more`, `NAME-390`, `NAME-390-more`).
async fn both_widths(browser: &Browser, name: &str, more: &str) -> Result<()> {
    let driver = &browser.driver;
    for (width, height, suffix) in [(1366, 900, ""), (390, 844, "-390")] {
        driver.set_window_rect(0, 0, width, height).await?;
        driver.execute("window.scrollTo(0, 0)", Vec::new()).await?;
        browser.screenshot(&format!("{name}{suffix}")).await?;
        button(driver, more).await?.scroll_into_view().await?;
        browser.screenshot(&format!("{name}{suffix}-more")).await?;
    }
    driver.set_window_rect(0, 0, 1366, 900).await?;
    Ok(())
}

const PROJECT_CARD: &str = "main a[href^='/amministrazione/progetti/']";
const REQUEST_CARD: &str = "article.request-card";

/// Fourteen projects and twenty-two requests: more than a page of each. The administration
/// sees the totals and a first page, "Mostra altri…" brings the rest below what is shown,
/// in Italian and in English; an answer reloads the inbox, where the answered request
/// moves after the open ones.
async fn an_administration_reads_its_projects_and_requests_a_page_at_a_time(
    backend: Backend,
) -> Result<()> {
    let server = Server::start(backend).await?;
    // Through the real importer, as the department loads the open data.
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("candidature_ferrara.csv");
    std::fs::write(&csv, more_ferrara_projects())?;
    let report = server.import(&[csv.as_path()])?;
    ensure!(
        report == "imported: 13 new, 0 updated, 0 unchanged, 0 skipped",
        "{report}"
    );
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    // Two requests due today (the verification journey's), then twenty more, one a day.
    ferrara_is_asked_for_documents(driver, &server.url).await?;
    api_login(driver, "asseveratore", "asseveratore-demo-2026").await?;
    for day in 1..=20 {
        let due = today_plus(driver, day).await?;
        gql(
            driver,
            "mutation($input: OpenRequestInput!) { openVerificationRequest(input: $input) { id } }",
            json!({ "input": { "cup": CUP, "title": format!("Documento integrativo n. {day:02}"),
                "body": "Inviare il documento integrativo indicato nel verbale.", "dueOn": due } }),
        )
        .await?;
    }
    api_logout(driver).await?;

    // My projects: the total, a first page of twelve, and the button for the rest.
    log_in(driver, &server.url, "comune.ferrara", "ferrara-demo-2026").await?;
    wait_for_heading(driver, "I miei progetti").await?;
    wait_for_text(driver, "totale-progetti", "14 progetti.").await?;
    count_becomes(driver, PROJECT_CARD, 12).await?;
    // Oldest first: the open data's own project leads, the last imported is not shown yet.
    link(driver, &format!("Apri il progetto {CUP}")).await?;
    ensure!(
        driver
            .find_all(By::Css(format!(
                "a[aria-label='Apri il progetto {}']",
                ferrara_cup(12)
            )))
            .await?
            .is_empty(),
        "the fourteenth project is on the first page"
    );
    button(driver, "Mostra altri progetti").await?;
    wait_for_page_text(driver, "Ne vedi 12 su 14.").await?;
    assert_accessible(&browser, "I miei progetti, first page").await?;
    both_widths(
        &browser,
        "administration-projects-paged",
        "Mostra altri progetti",
    )
    .await?;
    // In English, the same page and the rest of it.
    button(driver, "ENG English").await?.click().await?;
    wait_for_text(driver, "totale-progetti", "14 projects.").await?;
    button(driver, "Show more projects").await?.click().await?;
    count_becomes(driver, PROJECT_CARD, 14).await?;
    link(driver, &format!("Open the project {}", ferrara_cup(12))).await?;
    link(driver, &format!("Open the project {CUP}")).await?;
    no_button(driver, "Show more projects").await?;
    // The focus is on the first project the button brought.
    let focused = driver
        .execute(
            "return document.activeElement.getAttribute('aria-label')",
            Vec::new(),
        )
        .await?;
    ensure!(
        focused.json() == &json!(format!("Open the project {}", ferrara_cup(11))),
        "focus after the next page: {:?}",
        focused.json()
    );
    browser.screenshot("administration-projects-all-en").await?;
    assert_accessible(&browser, "My projects, all").await?;
    button(driver, "ITA Italiano").await?.click().await?;
    wait_for_text(driver, "totale-progetti", "14 progetti.").await?;

    // The requests: open first, the nearest due date first, twenty at a time.
    link(driver, "Richieste").await?.click().await?;
    wait_for_heading(driver, "Richieste dell'asseveratore").await?;
    wait_for_text(driver, "totale-richieste", "22 richieste.").await?;
    count_becomes(driver, REQUEST_CARD, 20).await?;
    let titles = |driver: &WebDriver| {
        let driver = driver.clone();
        async move {
            let mut titles = Vec::new();
            for card in driver
                .find_all(By::Css(format!("{REQUEST_CARD} .card-title")))
                .await?
            {
                titles.push(card.text().await?);
            }
            anyhow::Ok(titles)
        }
    };
    let first_page = titles(driver).await?;
    ensure!(
        first_page[..3]
            == [
                "Form di conformità firmato",
                "Contratto con il fornitore",
                "Documento integrativo n. 01"
            ]
            && first_page[19] == "Documento integrativo n. 18",
        "{first_page:?}"
    );
    button(driver, "Mostra altre richieste").await?;
    assert_accessible(&browser, "Richieste dell'asseveratore, first page").await?;
    both_widths(
        &browser,
        "administration-requests-paged",
        "Mostra altre richieste",
    )
    .await?;

    // Answering the first: the inbox reloads and the answered request goes after the
    // open ones, off the first page.
    fill(
        driver,
        "Nota per l'asseveratore",
        "Il form firmato è già agli atti del progetto.",
    )
    .await?;
    button(driver, "Invia la risposta").await?.click().await?;
    eventually("the inbox reloaded", Duration::from_secs(20), || async {
        let now = titles(driver).await?;
        Ok((now.len() == 20 && now[0] == "Contratto con il fornitore").then_some(now))
    })
    .await
    .and_then(|now| {
        ensure!(
            !now.contains(&"Form di conformità firmato".to_owned())
                && now[19] == "Documento integrativo n. 19",
            "{now:?}"
        );
        Ok(())
    })?;
    wait_for_text(driver, "totale-richieste", "22 richieste.").await?;

    // In English, the rest: the last open one, then the answered one.
    button(driver, "ENG English").await?.click().await?;
    wait_for_text(driver, "totale-richieste", "22 requests.").await?;
    wait_for_page_text(driver, "Showing 20 of 22.").await?;
    button(driver, "Show more requests").await?.click().await?;
    count_becomes(driver, REQUEST_CARD, 22).await?;
    no_button(driver, "Show more requests").await?;
    let all = titles(driver).await?;
    ensure!(
        all[20] == "Documento integrativo n. 20" && all[21] == "Form di conformità firmato",
        "{all:?}"
    );
    let answered = driver
        .find_all(By::Css(REQUEST_CARD))
        .await?
        .pop()
        .context("the last request")?
        .text()
        .await?;
    ensure!(
        answered.contains("Answered on")
            && answered.contains("«Il form firmato è già agli atti del progetto.»"),
        "{answered}"
    );
    browser.screenshot("administration-requests-all-en").await?;
    assert_accessible(&browser, "Verifier's requests, all").await?;
    button(driver, "ITA Italiano").await?.click().await?;

    driver.clone().quit().await?;
    Ok(())
}

both!(
    an_administration_reads_its_projects_and_requests_a_page_at_a_time,
    an_administration_answers_a_request_with_a_document_and_reads_its_notifications,
    a_supplier_bulk_update_shows_live_on_the_administration_project_page,
    a_supplier_fills_in_a_questionnaire_and_schedules_a_cutover,
    the_project_page_reconnects_after_a_server_restart_and_catches_up
);
