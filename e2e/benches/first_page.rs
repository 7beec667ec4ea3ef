//! How soon the first page is interactive: the public explorer (`/`), served by the real
//! server (`nuvola serve --demo` on SQLite) to a real headless Chromium on localhost.
//!
//! "Interactive" means the page has drawn the national totals and the first page of the
//! table from its GraphQL answer: the wasm main module is downloaded, compiled and running,
//! and its first round trip is done. The time is `performance.now()` in the page (from the
//! start of the navigation) at the first animation frame where that holds; it is read by a
//! script ChromeDriver injects after the load event, so it is an upper bound.
//!
//! - **cold**: a new browser profile each run (nothing cached);
//! - **warm**: a reload in the same browser (the build's files revalidated, `304`s).
//!
//! `cargo bench -p nuvola-e2e --bench first_page` (or `make bench`, which uses the release
//! server). `NUVOLA_BIN` picks the server binary (default `target/release/nuvola` when it
//! exists, else `target/debug/nuvola`); `NUVOLA_BENCH_RUNS` (default 5) runs of each.
//! Target: under 1 s.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use nuvola_e2e::thirtyfour::prelude::*;
use nuvola_e2e::{repo_root, Backend, Browser, Server};

const TARGET_MS: f64 = 1000.0;

/// Resolves with the page's clock once the totals and the table's rows are drawn, and
/// what was transferred for the page's wasm and JavaScript.
const WAIT_INTERACTIVE: &str = r#"
const done = arguments[arguments.length - 1];
function ready() {
  const total = document.querySelector('[data-testid="totale-progetti"]');
  return total && total.textContent.trim() !== "" &&
         document.querySelector("table tbody tr") !== null;
}
function check() {
  if (ready()) {
    const code = performance.getEntriesByType("resource")
      .filter(r => r.name.endsWith(".wasm") || r.name.endsWith(".js"));
    done({
      at: performance.now(),
      files: code.length,
      transferred: code.reduce((s, r) => s + r.transferSize, 0),
    });
  } else {
    requestAnimationFrame(check);
  }
}
check();
"#;

struct Sample {
    at_ms: f64,
    files: u64,
    transferred: u64,
}

async fn measure(driver: &WebDriver, url: &str, reload: bool) -> Result<Sample> {
    if reload {
        driver.refresh().await?;
    } else {
        driver.goto(url).await?;
    }
    let ret = driver.execute_async(WAIT_INTERACTIVE, Vec::new()).await?;
    let v = ret.json();
    Ok(Sample {
        at_ms: v["at"].as_f64().context("no time")?,
        files: v["files"].as_u64().unwrap_or(0),
        transferred: v["transferred"].as_u64().unwrap_or(0),
    })
}

fn report(what: &str, samples: &[Sample]) {
    let mut times: Vec<f64> = samples.iter().map(|s| s.at_ms).collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let last = &samples[samples.len() - 1];
    println!(
        "first page interactive, {what}: min {:.0} ms, median {median:.0} ms, max {:.0} ms \
         ({} runs; {} wasm/js files, {} KB transferred); target {TARGET_MS:.0} ms: {}",
        times[0],
        times[times.len() - 1],
        times.len(),
        last.files,
        last.transferred / 1024,
        if median < TARGET_MS { "met" } else { "NOT MET" },
    );
}

#[tokio::main]
async fn main() -> Result<()> {
    if std::env::var_os("NUVOLA_BIN").is_none() {
        let release: PathBuf = repo_root().join("target/release/nuvola");
        if release.exists() {
            std::env::set_var("NUVOLA_BIN", release);
        }
    }
    let runs: usize = std::env::var("NUVOLA_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let server = Server::start(Backend::Sqlite).await?;
    let url = format!("{}/", server.url);

    // One unmeasured visit: the server's first answers warm its caches, as in production.
    {
        let browser = Browser::start().await?;
        measure(&browser.driver, &url, false).await?;
        browser.driver.clone().quit().await?;
    }

    let mut cold = Vec::new();
    for _ in 0..runs {
        let browser = Browser::start().await?;
        cold.push(measure(&browser.driver, &url, false).await?);
        browser.driver.clone().quit().await?;
    }
    let browser = Browser::start().await?;
    measure(&browser.driver, &url, false).await?;
    let mut warm = Vec::new();
    for _ in 0..runs {
        tokio::time::sleep(Duration::from_millis(100)).await;
        warm.push(measure(&browser.driver, &url, true).await?);
    }
    browser.driver.clone().quit().await?;

    report("cold cache", &cold);
    report("warm cache", &warm);
    Ok(())
}
