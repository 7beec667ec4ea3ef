//! Every role on a phone: at 390 px the menu sits behind Bootstrap Italia's hamburger
//! button, opens and closes as a person expects, and no page is wider than the screen.
//! On the way, every page speaks one language: the Italian page shows none of the
//! application's English texts, the English page none of its Italian ones
//! (`nuvola_e2e::language`).

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{
    both, button, eventually, log_in, other_language_on_page, Backend, Browser, Server,
};

/// The width of the phone the journeys hold (an iPhone 12 to 15, in CSS pixels).
const PHONE: u32 = 390;

/// Who logs in, and the name of each language's hamburger button.
const ROLES: [(&str, &str, &str); 5] = [
    ("amministrazione", "comune.ferrara", "ferrara-demo-2026"),
    ("fornitore", "fornitore.demo", "fornitore-demo-2026"),
    ("psn", "psn.demo", "psn-demo-2026"),
    ("dipartimento", "dipartimento", "dipartimento-demo-2026"),
    ("asseveratore", "asseveratore", "asseveratore-demo-2026"),
];

/// Sets the viewport (not the window) to `width` CSS pixels.
async fn hold_a_phone(driver: &WebDriver) -> Result<()> {
    // The window's outer size includes no browser frame in headless Chromium, but be
    // sure: correct by the difference the page reports.
    driver.set_window_rect(0, 0, PHONE, 844).await?;
    let inner = driver.execute("return window.innerWidth", vec![]).await?;
    let inner: u32 = inner.convert()?;
    if inner != PHONE {
        driver
            .set_window_rect(0, 0, PHONE + (PHONE.abs_diff(inner)), 844)
            .await?;
    }
    let inner: u32 = driver
        .execute("return window.innerWidth", vec![])
        .await?
        .convert()?;
    ensure!(
        inner == PHONE,
        "the viewport is {inner} px wide, not {PHONE}"
    );
    Ok(())
}

/// Waits until the page has loaded what it shows (a heading and no spinner), then checks
/// that nothing makes it wider than the phone; a page that does not fit is added to
/// `too_wide` with what sticks out, so one run names every page to fix.
///
/// The menu pages' check lets a table scroll sideways in its own box
/// (`.table-responsive`); with `tables_too`, a table must fit as well: no box scrolls
/// sideways, nothing inside one sticks out.
async fn fits_the_phone(driver: &WebDriver, page: &str, too_wide: &mut Vec<String>) -> Result<()> {
    fits(driver, page, true, too_wide).await
}

async fn fits(
    driver: &WebDriver,
    page: &str,
    tables_too: bool,
    too_wide: &mut Vec<String>,
) -> Result<()> {
    eventually(
        &format!("{page} loaded"),
        Duration::from_secs(20),
        || async {
            let h1 = driver.find_all(By::Tag("h1")).await?;
            let busy = driver.find_all(By::Css(".progress-spinner-active")).await?;
            Ok((!h1.is_empty() && busy.is_empty()).then_some(()))
        },
    )
    .await?;
    // Against the page's client width, not the window's: Chromium's scroll bar takes
    // room a phone's overlay bar does not, and a page must not scroll sideways here either.
    let (width, room, culprits, scrolled): (u32, u32, Vec<String>, Vec<String>) = driver
        .execute(
            r#"
            const root = document.documentElement;
            const exempt = arguments[0] ? '.navbar-collapsable' : '.table-responsive, .navbar-collapsable';
            const wide = [...document.querySelectorAll('body *')]
              .filter(e => Math.max(e.getBoundingClientRect().right, e.getBoundingClientRect().left + e.scrollWidth) > root.clientWidth + 0.5
                && !(e.parentElement && e.parentElement.closest(exempt))
                && !e.closest('[data-testid=utente]'))
              .slice(0, 8)
              .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
            // A box that scrolls sideways inside the page (a table in .table-responsive)
            // leaves the page no wider, but is read sideways.
            const scrolled = arguments[0]
              ? [...document.querySelectorAll('.table-responsive, table')]
                  .filter(e => e.scrollWidth > e.clientWidth + 0.5)
                  .map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth + ' px in ' + e.clientWidth)
              : [];
            return [root.scrollWidth, root.clientWidth, wide, scrolled];
            "#,
            vec![serde_json::json!(tables_too)],
        )
        .await?
        .convert()?;
    ensure!(
        room <= PHONE,
        "{page}: the page has {room} px, more than the phone"
    );
    if width > room {
        too_wide.push(format!(
            "{page} is {width} px wide in {room} px on a {PHONE} px phone; what sticks out: {culprits:?}"
        ));
    }
    if !scrolled.is_empty() {
        too_wide.push(format!(
            "{page}: a table scrolls sideways on a {PHONE} px phone: {scrolled:?}; what sticks out: {culprits:?}"
        ));
    }
    Ok(())
}

/// Adds to `mixed` the other language's texts the page shows.
async fn speaks_one_language(
    driver: &WebDriver,
    page: &str,
    lang: &str,
    mixed: &mut Vec<String>,
) -> Result<()> {
    for found in other_language_on_page(driver, lang).await? {
        mixed.push(format!("{page}: {found}"));
    }
    Ok(())
}

/// Whether `path` is one of the menu's pages (not a project's or a service's).
fn menu_page(path: &str) -> bool {
    let path = match path.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    };
    [
        "/",
        "/amministrazione",
        "/amministrazione/richieste",
        "/fornitore",
        "/dipartimento",
        "/asseveratore",
    ]
    .contains(&path)
}

/// Opens the menu with its button, checks it says so and holds the focus, then follows
/// the link `index` of the menu; returns that link's text.
async fn go_through_the_menu(
    browser: &Browser,
    open_label: &str,
    index: usize,
    picture: Option<&str>,
) -> Result<String> {
    let driver = &browser.driver;
    let toggler = button(driver, open_label).await?;
    ensure!(
        toggler.attr("aria-expanded").await?.as_deref() == Some("false"),
        "the menu starts closed"
    );
    let controls = toggler
        .attr("aria-controls")
        .await?
        .context("the menu button names the menu it controls")?;
    toggler.click().await?;
    let menu = driver.find(By::Id(controls.as_str())).await?;
    eventually("the menu open", Duration::from_secs(5), || async {
        let expanded = toggler.attr("aria-expanded").await?.as_deref() == Some("true");
        let focused = driver
            .execute(
                "return document.activeElement.closest('#' + arguments[0]) !== null",
                vec![serde_json::json!(controls)],
            )
            .await?
            .convert::<bool>()?;
        Ok((expanded && focused && menu.is_displayed().await?).then_some(()))
    })
    .await?;
    let links = menu.find_all(By::Css("a.nav-link")).await?;
    let link = links.get(index).context("no such menu entry")?;
    let name = link.text().await?;
    // The panel slides in: wait until the link is where it will stay.
    eventually("the menu in place", Duration::from_secs(5), || async {
        let left: f64 = driver
            .execute(
                "return arguments[0].getBoundingClientRect().left",
                vec![link.to_json()?],
            )
            .await?
            .convert()?;
        Ok((left >= 0.0).then_some(()))
    })
    .await?;
    if let Some(name) = picture {
        browser.screenshot(name).await?;
    }
    link.click().await?;
    eventually("the menu closed", Duration::from_secs(5), || async {
        Ok(
            (toggler.attr("aria-expanded").await?.as_deref() == Some("false")
                && !menu.is_displayed().await?)
                .then_some(()),
        )
    })
    .await?;
    Ok(name)
}

async fn every_role_reaches_its_menu_and_every_page_fits_a_phone(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    hold_a_phone(driver).await?;
    let mut too_wide = Vec::new();
    let mut mixed = Vec::new();
    for (lang, open_label) in [("it", "Apri il menu"), ("en", "Open the menu")] {
        for (area, username, password) in ROLES {
            log_in(driver, &server.url, username, password).await?;
            if lang == "en" {
                button(driver, "ENG English").await?.click().await?;
            }
            let entries = driver
                .find_all(By::Css("#menu-principale a.nav-link"))
                .await?
                .len();
            ensure!(entries >= 2, "{username} has a menu");
            for index in 0..entries {
                let picture = format!("telefono-{area}-menu-{lang}");
                let picture = (index == 0).then_some(picture.as_str());
                let name = go_through_the_menu(&browser, open_label, index, picture)
                    .await
                    .with_context(|| format!("{username}: menu entry {index} ({lang})"))?;
                let page = format!("{username}: {name} ({lang})");
                fits_the_phone(driver, &page, &mut too_wide).await?;
                speaks_one_language(driver, &page, lang, &mut mixed).await?;
                if index == 0 {
                    browser
                        .screenshot(&format!("telefono-{area}-{lang}"))
                        .await?;
                }
            }
            // The first project or service of the role's own list, where there is one.
            driver.goto(format!("{}/", server.url)).await?;
            go_through_the_menu(&browser, open_label, 0, None)
                .await
                .with_context(|| format!("{username}: back to the first entry ({lang})"))?;
            fits_the_phone(driver, username, &mut too_wide).await?;
            // The list may render again while it settles: a click can land on a link that
            // is replaced at once and go nowhere. Until the address moves, find the first
            // link afresh and click it again.
            let list = format!("{}{}", server.url, "/");
            let opened = eventually("the detail's address", Duration::from_secs(20), || async {
                let here = driver.current_url().await?;
                if here.as_str() != list && !menu_page(here.path()) {
                    return Ok(Some(true));
                }
                let Some(detail) = driver
                    .find_all(By::Css("main a[href*='/progetti/']"))
                    .await?
                    .into_iter()
                    .next()
                else {
                    // No project in this role's first list: nothing to open.
                    return Ok(Some(false));
                };
                let _ = detail.click().await;
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok(None)
            })
            .await?;
            if opened {
                let page = format!("{username}: detail ({lang})");
                fits_the_phone(driver, &page, &mut too_wide).await?;
                speaks_one_language(driver, &page, lang, &mut mixed).await?;
                browser
                    .screenshot(&format!("telefono-{area}-dettaglio-{lang}"))
                    .await?;
            }
            if lang == "en" {
                button(driver, "ITA Italiano").await?.click().await?;
            }
            driver.delete_all_cookies().await?;
        }
    }
    ensure!(too_wide.is_empty(), "{}", too_wide.join("\n"));
    ensure!(
        mixed.is_empty(),
        "pages in two languages:\n{}",
        mixed.join("\n")
    );
    Ok(())
}

/// Comune di Collecchio's school: its project has a contract and services in migration.
const COLLECCHIO: &str = "H91C22000850006";

/// Waits for `text` on the page (in the language shown).
async fn shows(driver: &WebDriver, text: &str) -> Result<()> {
    nuvola_e2e::wait_for_page_text(driver, text).await
}

/// Scrolls the first element `css` matches to the top of the window (for its picture).
async fn show(driver: &WebDriver, css: &str) -> Result<()> {
    let e = eventually(&format!("{css} shown"), Duration::from_secs(20), || async {
        Ok(driver.find_all(By::Css(css)).await?.into_iter().next())
    })
    .await?;
    driver
        .execute("arguments[0].scrollIntoView(true);", vec![e.to_json()?])
        .await?;
    Ok(())
}

/// The pages outside the menus, each at 390 px in both languages, with their tables
/// held to the phone too (none may scroll sideways): the login, a public project, the
/// organisation picker of a person with two memberships, the request for access of a
/// person who acts for nobody, a project's contracts and a service's panel, the
/// notifications and their preferences.
async fn the_pages_outside_the_menus_and_their_tables_fit_a_phone(backend: Backend) -> Result<()> {
    let server = Server::start(backend).await?;
    let base = &server.url;
    let browser = Browser::start().await?;
    let driver = &browser.driver;
    hold_a_phone(driver).await?;
    let mut too_wide = Vec::new();
    let mut mixed = Vec::new();
    for lang in ["it", "en"] {
        let english = lang == "en";
        let check = |page: &str| format!("{page} ({lang})");
        // The login page is found by its Italian heading: each page is switched to
        // English after it opens, and back before the next login.
        let to = |italian: bool| async move {
            if english {
                let name = if italian {
                    "ITA Italiano"
                } else {
                    "ENG English"
                };
                button(driver, name).await?.click().await?;
            }
            anyhow::Ok(())
        };

        driver.goto(format!("{base}/accedi")).await?;
        to(false).await?;
        shows(
            driver,
            if english {
                "Log in to Nuvola"
            } else {
                "Accedi a Nuvola"
            },
        )
        .await?;
        fits(driver, &check("/accedi"), true, &mut too_wide).await?;
        speaks_one_language(driver, &check("/accedi"), lang, &mut mixed).await?;
        browser
            .screenshot(&format!("telefono-accedi-{lang}"))
            .await?;
        to(true).await?;

        // The open data's list of projects, read as cards.
        driver.goto(format!("{base}/")).await?;
        to(false).await?;
        show(driver, "table.table-stack tbody tr").await?;
        fits(driver, &check("the projects' list"), true, &mut too_wide).await?;
        browser
            .screenshot(&format!("telefono-elenco-progetti-{lang}"))
            .await?;
        to(true).await?;

        driver.goto(format!("{base}/progetti/{COLLECCHIO}")).await?;
        shows(driver, COLLECCHIO).await?;
        to(false).await?;
        fits(driver, &check("public project"), true, &mut too_wide).await?;
        speaks_one_language(driver, &check("public project"), lang, &mut mixed).await?;
        browser
            .screenshot(&format!("telefono-progetto-pubblico-{lang}"))
            .await?;
        to(true).await?;

        // Two memberships: the organisation picker.
        log_in(driver, base, "referente.scuole", "referente-demo-2026").await?;
        eventually("the picker", Duration::from_secs(20), || async {
            Ok((driver.current_url().await?.path() == "/scegli-ente").then_some(()))
        })
        .await?;
        to(false).await?;
        fits(driver, &check("/scegli-ente"), true, &mut too_wide).await?;
        speaks_one_language(driver, &check("/scegli-ente"), lang, &mut mixed).await?;
        browser
            .screenshot(&format!("telefono-scegli-ente-{lang}"))
            .await?;
        to(true).await?;
        driver.delete_all_cookies().await?;

        // Nobody's person: the request for access.
        log_in(driver, base, "nuovo.utente", "nuovo-utente-demo-2026").await?;
        shows(driver, "Richiedi l'accesso").await?;
        to(false).await?;
        if english {
            shows(driver, "Request access").await?;
        }
        fits(driver, &check("/richiedi-accesso"), true, &mut too_wide).await?;
        speaks_one_language(driver, &check("/richiedi-accesso"), lang, &mut mixed).await?;
        browser
            .screenshot(&format!("telefono-richiedi-accesso-{lang}"))
            .await?;
        to(true).await?;
        driver.delete_all_cookies().await?;

        // A school: its project's contracts, a service's panel, its notifications.
        log_in(driver, base, "scuola.collecchio", "scuola-demo-2026").await?;
        to(false).await?;
        driver
            .goto(format!("{base}/amministrazione/progetti/{COLLECCHIO}"))
            .await?;
        show(driver, "[data-testid=contratti] tbody tr").await?;
        fits(driver, &check("contracts"), true, &mut too_wide).await?;
        speaks_one_language(driver, &check("contracts"), lang, &mut mixed).await?;
        browser
            .screenshot(&format!("telefono-contratti-{lang}"))
            .await?;
        // The contracts are read as cards: each row no wider than the table, its cells
        // one under the other.
        let (rows, stacked): (u32, bool) = driver
            .execute(
                r#"const t = document.querySelector('[data-testid=contratti]');
                   const rows = [...t.querySelectorAll('tbody tr')];
                   const ok = rows.every(r => {
                     const cells = [...r.children].filter(c => c.getBoundingClientRect().height > 0);
                     return cells.every((c, i) => i === 0 || c.getBoundingClientRect().top >= cells[i - 1].getBoundingClientRect().bottom - 1)
                       && r.getBoundingClientRect().width <= t.clientWidth + 0.5;
                   });
                   return [rows.length, ok];"#,
                vec![],
            )
            .await?
            .convert()?;
        ensure!(rows >= 1, "the demo school has no contract listed");
        ensure!(
            stacked,
            "the contracts are not stacked as cards at {PHONE} px ({lang})"
        );

        show(driver, "details.service-panel > summary").await?;
        driver
            .find(By::Css("details.service-panel > summary"))
            .await?
            .click()
            .await?;
        eventually(
            "the service's panel open",
            Duration::from_secs(10),
            || async {
                let open = driver
                    .find(By::Css("details.service-panel"))
                    .await?
                    .attr("open")
                    .await?;
                Ok(open.map(|_| ()))
            },
        )
        .await?;
        fits(driver, &check("a service's panel"), true, &mut too_wide).await?;
        speaks_one_language(driver, &check("a service's panel"), lang, &mut mixed).await?;
        browser
            .screenshot(&format!("telefono-servizio-{lang}"))
            .await?;

        for (path, picture) in [
            ("/notifiche", "notifiche"),
            ("/notifiche/preferenze", "preferenze"),
        ] {
            driver.goto(format!("{base}{path}")).await?;
            fits(driver, &check(path), true, &mut too_wide).await?;
            speaks_one_language(driver, &check(path), lang, &mut mixed).await?;
            browser
                .screenshot(&format!("telefono-{picture}-{lang}"))
                .await?;
        }
        to(true).await?;
        driver.delete_all_cookies().await?;
    }
    ensure!(too_wide.is_empty(), "{}", too_wide.join("\n"));
    ensure!(
        mixed.is_empty(),
        "pages in two languages:\n{}",
        mixed.join("\n")
    );
    Ok(())
}

both!(
    every_role_reaches_its_menu_and_every_page_fits_a_phone,
    the_pages_outside_the_menus_and_their_tables_fit_a_phone,
);
