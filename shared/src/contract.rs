//! A supplier contract as the administration records it: its CIG, amount and signing
//! date, each correction a new version. The server checks them on recording and on
//! every correction; the browser, before sending.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::plan::PlanError;
use crate::{Euros, ParseError};

/// A CIG (*Codice Identificativo Gara*), the code ANAC gives a public procurement: 10
/// characters, capital letters and digits. Typed in lower case, it is kept upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cig(String);

impl Cig {
    pub const LEN: usize = 10;

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let code = input.trim().to_uppercase();
        if code.is_empty() {
            return Err(ParseError::new("CIG", input, "give the contract's CIG"));
        }
        if code.chars().count() != Self::LEN || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ParseError::new(
                "CIG",
                input,
                "a CIG has 10 capital letters and digits, e.g. 9A1B2C3D4E",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The most a contract may say it is worth, in euros: a typing slip, not a contract.
pub const MAX_CONTRACT_EUROS: i64 = 1_000_000_000;

/// What a contract says, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractTerms {
    pub cig: Cig,
    pub amount: Euros,
    pub signed_on: NaiveDate,
}

impl ContractTerms {
    /// The CIG, the amount (1 euro to [`MAX_CONTRACT_EUROS`]) and the signing date (not
    /// after `today`, not before the project's funding), each blamed on its own field:
    /// `cig`, `amountEur`, `contractOn`.
    pub fn check(
        cig: &str,
        amount_eur: i64,
        signed_on: NaiveDate,
        funded_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, PlanError> {
        let refuse = |field: &'static str, message: &str| PlanError {
            field,
            message: message.to_owned(),
        };
        let cig = Cig::parse(cig).map_err(|e| PlanError {
            field: "cig",
            message: e.to_string(),
        })?;
        if !(1..=MAX_CONTRACT_EUROS).contains(&amount_eur) {
            return Err(refuse(
                "amountEur",
                "the contract's amount is 1 to 1,000,000,000 whole euros",
            ));
        }
        let amount = Euros::new(amount_eur).map_err(|e| PlanError {
            field: "amountEur",
            message: e.to_string(),
        })?;
        if signed_on > today {
            return Err(refuse(
                "contractOn",
                "a contract date cannot be in the future",
            ));
        }
        if funded_on.is_some_and(|f| signed_on < f) {
            return Err(refuse(
                "contractOn",
                "the contract cannot precede the funding",
            ));
        }
        Ok(Self {
            cig,
            amount,
            signed_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_cig_has_ten_capital_letters_and_digits() {
        assert_eq!(Cig::parse(" 9a1b2c3d4e ").unwrap().as_str(), "9A1B2C3D4E");
        assert!(Cig::parse("").unwrap_err().to_string().contains("give"));
        assert!(Cig::parse("9A1B2C3D4").is_err());
        assert!(Cig::parse("9A1B2C3D4-").is_err());
    }

    #[test]
    fn each_wrong_part_of_a_contract_names_its_field() {
        let today = d(2026, 11, 30);
        let funded = Some(d(2022, 9, 5));
        let ok = ContractTerms::check("9A1B2C3D4E", 12_500, d(2023, 1, 10), funded, today);
        assert_eq!(ok.map(|t| t.amount.value()), Ok(12_500));
        let field = |cig: &str, amount: i64, on: NaiveDate| {
            ContractTerms::check(cig, amount, on, funded, today)
                .unwrap_err()
                .field
        };
        assert_eq!(field("ABC", 12_500, d(2023, 1, 10)), "cig");
        assert_eq!(field("9A1B2C3D4E", 0, d(2023, 1, 10)), "amountEur");
        assert_eq!(field("9A1B2C3D4E", 12_500, d(2027, 1, 1)), "contractOn");
        assert_eq!(field("9A1B2C3D4E", 12_500, d(2022, 1, 1)), "contractOn");
    }
}
