//! Deadlines are rules of each call, not constants of the code.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A length of time as a call states it: "6 months", "120 days".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Term {
    pub amount: u32,
    pub unit: TermUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TermUnit {
    Days,
    Months,
}

impl Term {
    pub const fn months(amount: u32) -> Self {
        Self {
            amount,
            unit: TermUnit::Months,
        }
    }
    pub const fn days(amount: u32) -> Self {
        Self {
            amount,
            unit: TermUnit::Days,
        }
    }

    /// Parses "6 months", "120 days", "6m", "120d", "6 mesi", "120 giorni".
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim().to_lowercase();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (n, unit) = s.split_at(split);
        let amount: u32 = n
            .parse()
            .map_err(|_| ParseError::new("term", input, "must start with a number"))?;
        if amount == 0 || amount > 3650 {
            return Err(ParseError::new("term", input, "must be between 1 and 3650"));
        }
        let unit = match unit.trim() {
            "d" | "day" | "days" | "giorni" | "giorno" => TermUnit::Days,
            "m" | "month" | "months" | "mesi" | "mese" => TermUnit::Months,
            _ => {
                return Err(ParseError::new(
                    "term",
                    input,
                    "unit must be days or months",
                ))
            }
        };
        Ok(Self { amount, unit })
    }

    /// The day this term ends when it starts on `start`.
    pub fn end(self, start: NaiveDate) -> NaiveDate {
        match self.unit {
            TermUnit::Days => start.checked_add_days(Days::new(u64::from(self.amount))),
            TermUnit::Months => start.checked_add_months(Months::new(self.amount)),
        }
        .unwrap_or(NaiveDate::MAX)
    }
}

impl std::fmt::Display for Term {
    /// `9 months`, `120 days`: the form [`Term::parse`] reads back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.unit {
            TermUnit::Days => "days",
            TermUnit::Months => "months",
        };
        write!(f, "{} {unit}", self.amount)
    }
}

/// From what date a term runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TermStart {
    /// The funding decree / notification.
    FundingDate,
    /// The supplier contract.
    ContractDate,
}

/// The deadline rules of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadlineRule {
    /// Supplier contract within this term of the funding date.
    pub contract_within: Option<Term>,
    /// Completion within this term of `completion_from`.
    pub completion_within: Option<Term>,
    pub completion_from: TermStart,
    /// The programme's hard cap, whatever the terms say.
    pub hard_cap: Option<NaiveDate>,
}

/// What a project must do next and by when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeadlineKind {
    Contract,
    Completion,
}

impl DeadlineRule {
    /// The programme's hard cap: 31 March 2026.
    pub fn programme_hard_cap() -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, 3, 31)
    }

    /// The rules DOMAIN.md gives for the calls we know, chosen from the call's title.
    /// Comuni calls set their terms per call and do not publish them in machine-readable
    /// form: they get only the hard cap until the department records their terms.
    pub fn default_for_call(title: &str) -> Self {
        let t = title.to_lowercase();
        let (contract, completion) = if t.contains("scuol") {
            // 6 months, later extended by 3.
            (Some(Term::months(9)), Some(Term::months(18)))
        } else if t.contains("asl") {
            (Some(Term::months(9)), Some(Term::months(18)))
        } else if t.contains("province") {
            (Some(Term::days(120)), Some(Term::days(150)))
        } else {
            (None, None)
        };
        Self {
            contract_within: contract,
            completion_within: completion,
            completion_from: TermStart::ContractDate,
            hard_cap: Self::programme_hard_cap(),
        }
    }

    pub fn contract_due(&self, funded_on: NaiveDate) -> Option<NaiveDate> {
        let due = self.contract_within.map(|t| t.end(funded_on));
        cap(due, self.hard_cap)
    }

    pub fn completion_due(
        &self,
        funded_on: NaiveDate,
        contract_on: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        let start = match self.completion_from {
            TermStart::FundingDate => Some(funded_on),
            TermStart::ContractDate => contract_on,
        };
        let due = match (self.completion_within, start) {
            (Some(t), Some(s)) => Some(t.end(s)),
            _ => None,
        };
        cap(due, self.hard_cap)
    }
}

fn cap(due: Option<NaiveDate>, hard_cap: Option<NaiveDate>) -> Option<NaiveDate> {
    match (due, hard_cap) {
        (Some(d), Some(c)) => Some(d.min(c)),
        (None, c) => c,
        (d, None) => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn terms_parse_in_english_and_italian() {
        assert_eq!(Term::parse("6 months").unwrap(), Term::months(6));
        assert_eq!(Term::parse("120 giorni").unwrap(), Term::days(120));
        assert_eq!(Term::parse("9m").unwrap(), Term::months(9));
        assert!(Term::parse("0 days").is_err());
        assert!(Term::parse("six months").is_err());
        assert!(Term::parse("6 weeks").is_err());
        assert_eq!(
            Term::parse(&Term::days(120).to_string()).unwrap(),
            Term::days(120)
        );
    }

    #[test]
    fn month_terms_clamp_to_the_end_of_the_month() {
        assert_eq!(Term::months(1).end(d(2023, 1, 31)), d(2023, 2, 28));
        assert_eq!(Term::days(120).end(d(2025, 6, 1)), d(2025, 9, 29));
    }

    #[test]
    fn school_deadlines_follow_the_call_and_the_hard_cap() {
        let rule =
            DeadlineRule::default_for_call("1.2 Abilitazione al Cloud - Scuole - Aprile 2022");
        assert_eq!(rule.contract_due(d(2022, 9, 5)), Some(d(2023, 6, 5)));
        assert_eq!(
            rule.completion_due(d(2022, 9, 5), Some(d(2023, 1, 10))),
            Some(d(2024, 7, 10))
        );
        assert_eq!(
            rule.completion_due(d(2022, 9, 5), Some(d(2025, 1, 10))),
            Some(d(2026, 3, 31))
        );
    }

    #[test]
    fn comuni_calls_have_only_the_hard_cap_until_recorded() {
        let rule =
            DeadlineRule::default_for_call("1.2 Abilitazione al cloud - Comuni - Aprile 2022");
        assert_eq!(rule.contract_due(d(2022, 8, 8)), Some(d(2026, 3, 31)));
    }
}
