//! Numbers and dates the Italian way.

use nuvola_shared::money::group_thousands;

/// `12934` → `12.934`.
pub fn count(n: i64) -> String {
    group_thousands(n)
}

/// A count with the page language's thousands separator: `37.992`, `37,992`.
pub fn number(n: i64) -> String {
    let italian = count(n);
    match crate::i18n::lang() {
        crate::i18n::Lang::En => italian.replace('.', ","),
        crate::i18n::Lang::It => italian,
    }
}

/// `4566860` → `4.566.860 €`.
pub fn euros(amount: i64) -> String {
    format!("{} €", group_thousands(amount))
}

/// A large amount, shortened for a headline: `1.234.567.890` → `1,23 mld €`.
pub fn euros_short(amount: f64) -> String {
    let (value, unit) = if amount >= 1e9 {
        (amount / 1e9, "mld")
    } else if amount >= 1e6 {
        (amount / 1e6, "mln")
    } else {
        return euros(amount.round() as i64);
    };
    format!("{} {unit} €", format!("{value:.2}").replace('.', ","))
}

/// A call's term as the API gives it (`9 months`, `120 days`) in the page's language:
/// `9 mesi`, `120 giorni`; anything unreadable is shown as it is.
pub fn term(stored: &str) -> String {
    use nuvola_shared::deadline::{Term, TermUnit};
    let Ok(term) = Term::parse(stored) else {
        return stored.to_owned();
    };
    let english = crate::i18n::lang() == crate::i18n::Lang::En;
    let unit = match (term.unit, term.amount == 1, english) {
        (TermUnit::Days, true, false) => "giorno",
        (TermUnit::Days, false, false) => "giorni",
        (TermUnit::Months, true, false) => "mese",
        (TermUnit::Months, false, false) => "mesi",
        (TermUnit::Days, true, true) => "day",
        (TermUnit::Days, false, true) => "days",
        (TermUnit::Months, true, true) => "month",
        (TermUnit::Months, false, true) => "months",
    };
    format!("{} {unit}", term.amount)
}

/// `2022-08-08` → `08/08/2022`; anything else is shown as it is.
pub fn date(iso: &str) -> String {
    let mut parts = iso.get(..10).unwrap_or(iso).split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) if y.len() == 4 => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

/// Encodes a value for a query string (the region and call names have spaces, slashes
/// and apostrophes).
pub fn url_encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_an_italian_reader_expects() {
        assert_eq!(count(12_934), "12.934");
        assert_eq!(euros(4_566_860), "4.566.860 €");
        assert_eq!(euros_short(1_234_567_890.0), "1,23 mld €");
        assert_eq!(euros_short(45_000_000.0), "45,00 mln €");
        assert_eq!(date("2022-08-08"), "08/08/2022");
        assert_eq!(date("n/d"), "n/d");
        assert_eq!(
            url_encode("Valle d'Aosta/Vallée"),
            "Valle%20d%27Aosta%2FVall%C3%A9e"
        );
    }
}
