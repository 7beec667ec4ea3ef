use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// An amount in whole euros. Grants of the measure are lump sums in whole euros.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Euros(i64);

impl Euros {
    pub const ZERO: Euros = Euros(0);

    pub fn new(amount: i64) -> Result<Self, ParseError> {
        if amount < 0 {
            return Err(ParseError::new(
                "amount",
                &amount.to_string(),
                "must not be negative",
            ));
        }
        Ok(Self(amount))
    }

    /// Parses an amount as the open data writes it: `4566860.0`, `47427`, `1.031.574`
    /// is refused (that is Italian display format, not data).
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::new("amount", input, "is empty"));
        }
        let (whole, fraction) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(
                "amount",
                input,
                "must be a non-negative number of euros",
            ));
        }
        if !fraction.bytes().all(|b| b == b'0') {
            return Err(ParseError::new("amount", input, "must be whole euros"));
        }
        let value: i64 = whole
            .parse()
            .map_err(|_| ParseError::new("amount", input, "is too large"))?;
        Ok(Self(value))
    }

    pub fn value(self) -> i64 {
        self.0
    }

    /// The amount as the open data writes it (`4566860.0`).
    pub fn to_open_data(self) -> String {
        format!("{}.0", self.0)
    }

    /// Italian display form: `1.031.574 €`.
    pub fn format_it(self) -> String {
        format!("{} €", group_thousands(self.0))
    }
}

/// Groups digits by thousands with the Italian separator (`.`).
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Euros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EUR {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_open_data_float_form() {
        assert_eq!(Euros::parse("4566860.0").unwrap().value(), 4_566_860);
        assert_eq!(Euros::parse("553").unwrap().value(), 553);
        assert_eq!(Euros::parse("553.00").unwrap().value(), 553);
    }

    #[test]
    fn refuses_cents_negatives_and_words() {
        assert!(Euros::parse("553.5").is_err());
        assert!(Euros::parse("-1").is_err());
        assert!(Euros::parse("abc").is_err());
        assert!(Euros::parse("").is_err());
        assert!(Euros::parse(".0").is_err());
    }

    #[test]
    fn round_trips_and_formats_in_italian() {
        let e = Euros::parse("1031574.0").unwrap();
        assert_eq!(e.to_open_data(), "1031574.0");
        assert_eq!(e.format_it(), "1.031.574 €");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1.000");
    }
}
