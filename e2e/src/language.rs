//! One language per page: the English page shows none of the application's Italian
//! texts, the Italian page none of its English ones.
//!
//! The dictionary is the front end's own (`frontend/src/i18n.rs`, `MESSAGES`): a text
//! rendered without going through it (a label written in one language only, a server's
//! message, a term formatted in English) shows up here as the other language's text.
//! Data stays as it was written (a body's name, a call's title, a request's title), so
//! only texts of at least [`MIN_LEN`] characters are looked for, which data does not
//! repeat; words of terms and deadlines ("9 months") are looked for too.

use std::sync::OnceLock;

use anyhow::Result;
use thirtyfour::prelude::*;

/// The shortest text looked for: shorter ones ("Stato", "Importo") could be data.
const MIN_LEN: usize = 14;

/// (Italian, English) pairs of the front end's dictionary that differ.
fn dictionary() -> &'static [(String, String)] {
    static PAIRS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        let src = std::fs::read_to_string(crate::repo_root().join("frontend/src/i18n.rs"))
            .unwrap_or_default();
        let mut pairs = Vec::new();
        for line in src.lines() {
            let Some(rest) = line.trim().strip_prefix('(') else {
                continue;
            };
            let Some((it, rest)) = literal(rest) else {
                continue;
            };
            let Some(rest) = rest.trim_start().strip_prefix(',') else {
                continue;
            };
            let Some((en, _)) = literal(rest.trim_start()) else {
                continue;
            };
            if it != en {
                pairs.push((it, en));
            }
        }
        pairs
    })
}

/// A Rust string literal at the start of `s`, and what follows it.
fn literal(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &body[i + 1..])),
            '\\' => {
                let (_, next) = chars.next()?;
                out.push(if next == 'n' { '\n' } else { next });
            }
            c => out.push(c),
        }
    }
    None
}

/// The parts of a text worth looking for: a `tf` template's pieces between its `{}`.
fn needles(text: &str) -> impl Iterator<Item = &str> {
    text.split("{}")
        .map(str::trim)
        .filter(|piece| piece.chars().count() >= MIN_LEN)
}

/// The other language's texts that the main part of the page shows, `lang` being the
/// page's (`it` or `en`), each with what it is.
pub async fn other_language_on_page(driver: &WebDriver, lang: &str) -> Result<Vec<String>> {
    let text: String = driver
        .execute(
            "const m = document.querySelector('main') || document.body; return m.innerText;",
            vec![],
        )
        .await?
        .convert()?;
    Ok(other_language_in(&text, lang))
}

fn other_language_in(text: &str, lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (it, en) in dictionary() {
        let (other, own) = if lang == "en" { (it, en) } else { (en, it) };
        for needle in needles(other) {
            // A piece both languages share ("Python (examples/)") is not the other's.
            if text.contains(needle) && !own.contains(needle) {
                found.push(format!("{needle:?} (the page is in {lang})"));
            }
        }
    }
    if lang == "it" {
        // A term or a number of days written in English ("entro 9 months").
        for word in [" months", " month", " days", " overdue"] {
            for (at, _) in text.match_indices(word) {
                let before = text[..at].chars().last();
                if before.is_some_and(|c| c.is_ascii_digit()) || word == " overdue" {
                    let start = text[..at]
                        .char_indices()
                        .rev()
                        .nth(20)
                        .map_or(0, |(i, _)| i);
                    let end = (at + word.len() + 20).min(text.len());
                    let end = (end..=text.len())
                        .find(|i| text.is_char_boundary(*i))
                        .unwrap_or(text.len());
                    found.push(format!("{:?} (the page is in it)", &text[start..end]));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_is_read_and_a_forgotten_translation_is_found() {
        assert!(dictionary().len() > 400, "{} pairs", dictionary().len());
        assert!(other_language_in("Cruscotto nazionale · 12 projects", "it").is_empty());
        let english = "Supplier contract: 31/03/2026 (progress not reported)";
        assert!(other_language_in(english, "en").is_empty());
        assert!(!other_language_in(english, "it").is_empty());
        let mixed = "Termini: Contratto entro 9 months";
        assert_eq!(
            other_language_in(mixed, "it").len(),
            1,
            "{:?}",
            other_language_in(mixed, "it")
        );
        let italian_in_english = "Dashboard: Progetti in ritardo";
        assert!(!other_language_in(italian_in_english, "en").is_empty());
    }
}
