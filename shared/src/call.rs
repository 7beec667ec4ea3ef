use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The title of a call (*avviso*), e.g. "1.2 Abilitazione al Cloud - Scuole - Aprile 2022".
/// It identifies the call in the open data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CallTitle(String);

impl CallTitle {
    pub const MAX_LEN: usize = 300;

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::new("call title", input, "is empty"));
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(ParseError::new(
                "call title",
                input,
                "is longer than 300 characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the title names a call of measure 1.2 (titles start with the measure).
    pub fn is_measure_1_2(&self) -> bool {
        is_measure_1_2(&self.0)
    }
}

/// Whether a measure name or call title belongs to measure 1.2
/// ("1.2 Abilitazione e facilitazione migrazione al Cloud"), not 1.4.1, 1.2.1 and so on.
pub fn is_measure_1_2(text: &str) -> bool {
    let t = text.trim_start();
    match t.strip_prefix("1.2") {
        Some(rest) => !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()),
        None => false,
    }
}

impl fmt::Display for CallTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for CallTitle {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<CallTitle> for String {
    fn from(v: CallTitle) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_measure_one_two_only() {
        assert!(is_measure_1_2(
            "1.2 Abilitazione e facilitazione migrazione al Cloud"
        ));
        assert!(is_measure_1_2(
            "1.2 Abilitazione al Cloud - Scuole - Aprile 2022"
        ));
        assert!(!is_measure_1_2(
            "1.4.1 Esperienza del cittadino nei servizi pubblici"
        ));
        assert!(!is_measure_1_2("1.2.1 Something else"));
        assert!(!is_measure_1_2("1.21 Something"));
        assert!(!is_measure_1_2(""));
    }
}
