//! A person as an identity provider (SPID, CIE) asserts them.

use std::fmt;

use crate::error::ParseError;

/// An Italian fiscal code (codice fiscale) of a person: 16 letters and digits, upper
/// case, with a valid check character. SPID asserts it as `TINIT-<code>`; the prefix is
/// accepted and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FiscalCode(String);

/// The values of a character in an odd position (1st, 3rd, …) for the check character.
const ODD: [u32; 36] = [
    // 0-9
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // A-Z
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

fn index(b: u8) -> Option<usize> {
    match b {
        b'0'..=b'9' => Some(usize::from(b - b'0')),
        b'A'..=b'Z' => Some(10 + usize::from(b - b'A')),
        _ => None,
    }
}

impl FiscalCode {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let trimmed = input.trim();
        let code = trimmed
            .strip_prefix("TINIT-")
            .or_else(|| trimmed.strip_prefix("tinit-"))
            .unwrap_or(trimmed)
            .to_ascii_uppercase();
        if code.len() != 16 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ParseError::new(
                "fiscal code",
                input,
                "must be 16 letters and digits",
            ));
        }
        let bytes = code.as_bytes();
        let mut sum = 0u32;
        for (i, &b) in bytes[..15].iter().enumerate() {
            let Some(ix) = index(b) else {
                return Err(ParseError::new(
                    "fiscal code",
                    input,
                    "must be 16 letters and digits",
                ));
            };
            // Positions count from 1: index 0 is the first, an odd position.
            sum += if i % 2 == 0 {
                ODD[ix]
            } else if ix < 10 {
                ix as u32
            } else {
                (ix - 10) as u32
            };
        }
        let expected = b'A' + (sum % 26) as u8;
        if bytes[15] != expected {
            return Err(ParseError::new(
                "fiscal code",
                input,
                "has a wrong check character",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FiscalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fiscal_code_drops_the_spid_prefix_and_is_upper_case() {
        assert_eq!(
            FiscalCode::parse("TINIT-RSSMRA80A01H501U")
                .unwrap()
                .as_str(),
            "RSSMRA80A01H501U"
        );
        assert_eq!(
            FiscalCode::parse(" rssmra80a01h501u ").unwrap().as_str(),
            "RSSMRA80A01H501U"
        );
    }

    #[test]
    fn a_fiscal_code_with_a_wrong_check_character_or_shape_is_refused() {
        assert!(FiscalCode::parse("RSSMRA80A01H501X").is_err());
        assert!(FiscalCode::parse("RSSMRA80A01H501").is_err());
        assert!(FiscalCode::parse("RSSMRA80A01H501-U").is_err());
        assert!(FiscalCode::parse("").is_err());
    }
}
