//! Deadlines are rules of each call, not constants of the code.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{ApplicationState, ParseError};

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
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TermStart {
    /// The funding decree / notification.
    FundingDate,
    /// The supplier contract.
    ContractDate,
}

impl TermStart {
    pub fn code(self) -> &'static str {
        match self {
            Self::FundingDate => "FUNDING_DATE",
            Self::ContractDate => "CONTRACT_DATE",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        [Self::FundingDate, Self::ContractDate]
            .into_iter()
            .find(|s| s.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new("term start", input, "must be FUNDING_DATE or CONTRACT_DATE")
            })
    }
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
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeadlineKind {
    /// Sign the supplier contract.
    Contract,
    /// Complete the migration.
    Completion,
}

/// What a project must do next (`NextDeadline.kind`): a deadline of its call, or an
/// open verification request's due date.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NextDeadlineKind {
    /// Sign the supplier contract.
    Contract,
    /// Complete the migration.
    Completion,
    /// Answer the verifier's open request.
    VerificationRequest,
}

impl NextDeadlineKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Contract => "CONTRACT",
            Self::Completion => "COMPLETION",
            Self::VerificationRequest => "VERIFICATION_REQUEST",
        }
    }
}

impl From<DeadlineKind> for NextDeadlineKind {
    fn from(kind: DeadlineKind) -> Self {
        match kind {
            DeadlineKind::Contract => Self::Contract,
            DeadlineKind::Completion => Self::Completion,
        }
    }
}

impl DeadlineKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Contract => "CONTRACT",
            Self::Completion => "COMPLETION",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        [Self::Contract, Self::Completion]
            .into_iter()
            .find(|k| k.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new("deadline kind", input, "must be CONTRACT or COMPLETION")
            })
    }

    /// Whether a project in `state` still owes this obligation: the contract while
    /// FUNDED, the completion while CONTRACTED or MIGRATING (MIGRATING again after a
    /// partially positive verification). Nothing is owed after completion or in a final
    /// state.
    pub fn pending_in(self, state: ApplicationState) -> bool {
        use ApplicationState as S;
        match self {
            Self::Contract => state == S::Funded,
            Self::Completion => matches!(state, S::Contracted | S::Migrating),
        }
    }

    /// The obligation a project in `state` owes, if any.
    pub fn owed_in(state: ApplicationState) -> Option<Self> {
        [Self::Contract, Self::Completion]
            .into_iter()
            .find(|k| k.pending_in(state))
    }
}

/// A deadline a project must meet: what and by when (the last day allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Due {
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
}

impl Due {
    /// Days from `today` to the due date: 0 on the last day, negative once missed.
    pub fn days_left(self, today: NaiveDate) -> i64 {
        (self.due_on - today).num_days()
    }

    /// The deadline as missed on `today`: from the day after the due date, not on it.
    pub fn missed(self, today: NaiveDate) -> Option<Overdue> {
        (today > self.due_on).then(|| Overdue::of(self))
    }
}

/// A deadline missed: the project is overdue (*in ritardo*) since the day after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overdue {
    pub kind: DeadlineKind,
    /// The first day the obligation was late: the day after the due date.
    pub since: NaiveDate,
}

impl Overdue {
    pub fn of(due: Due) -> Self {
        Self {
            kind: due.kind,
            since: due.due_on.succ_opt().unwrap_or(NaiveDate::MAX),
        }
    }

    /// The due date that was missed.
    pub fn due_on(self) -> NaiveDate {
        self.since.pred_opt().unwrap_or(NaiveDate::MIN)
    }

    /// Days past the due date on `today`: 1 on the first day overdue.
    pub fn days_late(self, today: NaiveDate) -> i64 {
        (today - self.due_on()).num_days()
    }

    /// Whether this mark still stands for a project now in `state` (the obligation is
    /// still owed); a mark whose obligation was met no longer counts.
    pub fn stands_in(self, state: ApplicationState) -> bool {
        self.kind.pending_in(state)
    }
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

    /// The rule as stored with a call: terms in the form [`Term::parse`] reads (a term
    /// that does not parse counts as none; the API validates before storing), the term
    /// start's code, and the call's own hard cap or else the programme's.
    pub fn from_stored(
        contract_term: Option<&str>,
        completion_term: Option<&str>,
        completion_from: &str,
        hard_cap: Option<NaiveDate>,
    ) -> Self {
        let term = |t: Option<&str>| t.and_then(|t| Term::parse(t).ok());
        Self {
            contract_within: term(contract_term),
            completion_within: term(completion_term),
            completion_from: TermStart::parse(completion_from).unwrap_or(TermStart::ContractDate),
            hard_cap: hard_cap.or_else(Self::programme_hard_cap),
        }
    }

    /// What a project in `state` must do next and by when: the supplier contract while
    /// FUNDED, the completion while CONTRACTED or MIGRATING; nothing before funding,
    /// after completion or in a final state. A project without a funding date owes
    /// nothing yet.
    pub fn next_due(
        &self,
        state: ApplicationState,
        funded_on: Option<NaiveDate>,
        contract_on: Option<NaiveDate>,
    ) -> Option<Due> {
        let funded_on = funded_on?;
        let kind = DeadlineKind::owed_in(state)?;
        let due_on = match kind {
            DeadlineKind::Contract => self.contract_due(funded_on),
            DeadlineKind::Completion => self.completion_due(funded_on, contract_on),
        }?;
        Some(Due { kind, due_on })
    }

    /// The deadline a project in `state` has missed on `today`, if any.
    pub fn overdue(
        &self,
        state: ApplicationState,
        funded_on: Option<NaiveDate>,
        contract_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Option<Overdue> {
        self.next_due(state, funded_on, contract_on)?.missed(today)
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

/// [`check_hard_cap`]'s reason.
pub const HARD_CAP_IN_THE_PAST: &str =
    "the call's hard deadline cannot be set to a day already past";

/// The hard cap the department records for a call on `today`: none (the programme's),
/// unchanged from the one stored (`current`), or from today on. A new hard cap in the
/// past would end every project of the call before it could act.
pub fn check_hard_cap(
    hard_cap: Option<NaiveDate>,
    current: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), ParseError> {
    match hard_cap {
        Some(cap) if cap < today && Some(cap) != current => Err(ParseError::new(
            "hard deadline",
            &cap.to_string(),
            HARD_CAP_IN_THE_PAST,
        )),
        _ => Ok(()),
    }
}

/// A project as a change of its call's terms sees it: its state and the dates its
/// deadlines run from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermsSubject {
    pub state: ApplicationState,
    pub funded_on: Option<NaiveDate>,
    pub contract_on: Option<NaiveDate>,
}

/// How many of `projects` would change their next deadline if the call's rule went
/// from `before` to `after`: the department reads it before confirming new terms, and
/// the server records it with the change, counted by this one function both times.
pub fn projects_changing_deadline(
    before: &DeadlineRule,
    after: &DeadlineRule,
    projects: impl IntoIterator<Item = TermsSubject>,
) -> usize {
    projects
        .into_iter()
        .filter(|p| {
            before.next_due(p.state, p.funded_on, p.contract_on)
                != after.next_due(p.state, p.funded_on, p.contract_on)
        })
        .count()
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
    fn a_school_is_overdue_for_its_contract_the_day_after_the_term_not_on_it() {
        let rule =
            DeadlineRule::default_for_call("1.2 Abilitazione al Cloud - Scuole - Aprile 2022");
        let funded = Some(d(2022, 9, 5));
        let due = rule
            .next_due(ApplicationState::Funded, funded, None)
            .unwrap();
        assert_eq!(
            due,
            Due {
                kind: DeadlineKind::Contract,
                due_on: d(2023, 6, 5)
            }
        );
        assert_eq!(due.days_left(d(2023, 6, 5)), 0);
        assert_eq!(
            rule.overdue(ApplicationState::Funded, funded, None, d(2023, 6, 5)),
            None
        );
        let late = rule
            .overdue(ApplicationState::Funded, funded, None, d(2023, 6, 6))
            .unwrap();
        assert_eq!(late.kind, DeadlineKind::Contract);
        assert_eq!(late.since, d(2023, 6, 6));
        assert_eq!(late.due_on(), d(2023, 6, 5));
        assert_eq!(late.days_late(d(2023, 6, 6)), 1);
        assert_eq!(late.days_late(d(2023, 6, 15)), 10);
    }

    #[test]
    fn each_state_owes_its_own_deadline_or_none() {
        use ApplicationState as S;
        let rule =
            DeadlineRule::default_for_call("1.2 Abilitazione al Cloud - Scuole - Aprile 2022");
        let (funded, contract) = (Some(d(2022, 9, 5)), Some(d(2023, 1, 10)));
        let kind = |s| rule.next_due(s, funded, contract).map(|due| due.kind);
        assert_eq!(kind(S::Submitted), None);
        assert_eq!(kind(S::Funded), Some(DeadlineKind::Contract));
        assert_eq!(kind(S::Contracted), Some(DeadlineKind::Completion));
        assert_eq!(kind(S::Migrating), Some(DeadlineKind::Completion));
        for s in [
            S::Completed,
            S::UnderVerification,
            S::Verified,
            S::PaymentRequested,
            S::Paid,
            S::Renounced,
            S::Revoked,
        ] {
            assert_eq!(kind(s), None, "{s:?}");
        }
        assert_eq!(rule.next_due(S::Funded, None, None), None);
        // A contract mark no longer stands once the contract is recorded.
        let late = rule
            .overdue(S::Funded, funded, None, d(2024, 1, 1))
            .unwrap();
        assert!(late.stands_in(S::Funded));
        assert!(!late.stands_in(S::Contracted));
        assert!(!late.stands_in(S::Revoked));
    }

    #[test]
    fn stored_rules_read_back_with_the_programme_cap_by_default() {
        let rule =
            DeadlineRule::from_stored(Some("120 days"), Some("150 days"), "FUNDING_DATE", None);
        assert_eq!(rule.contract_within, Some(Term::days(120)));
        assert_eq!(rule.completion_from, TermStart::FundingDate);
        assert_eq!(rule.hard_cap, DeadlineRule::programme_hard_cap());
        assert_eq!(
            rule.completion_due(d(2025, 6, 1), None),
            Some(d(2025, 10, 29))
        );
        let none =
            DeadlineRule::from_stored(None, Some("nonsense"), "CONTRACT_DATE", Some(d(2027, 1, 1)));
        assert_eq!(none.completion_within, None);
        assert_eq!(none.hard_cap, Some(d(2027, 1, 1)));
        assert_eq!(
            TermStart::parse("contract_date").unwrap(),
            TermStart::ContractDate
        );
        assert!(TermStart::parse("tomorrow").is_err());
        assert_eq!(
            DeadlineKind::parse("COMPLETION").unwrap(),
            DeadlineKind::Completion
        );
    }

    #[test]
    fn comuni_calls_have_only_the_hard_cap_until_recorded() {
        let rule =
            DeadlineRule::default_for_call("1.2 Abilitazione al cloud - Comuni - Aprile 2022");
        assert_eq!(rule.contract_due(d(2022, 8, 8)), Some(d(2026, 3, 31)));
    }

    #[test]
    fn a_hard_cap_is_not_set_in_the_past_and_its_impact_is_counted() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let today = d(2026, 11, 30);
        assert!(check_hard_cap(None, None, today).is_ok());
        assert!(check_hard_cap(Some(today), None, today).is_ok());
        assert!(check_hard_cap(Some(d(2001, 1, 1)), None, today).is_err());
        // A call whose stored cap has passed keeps it while its terms change.
        assert!(check_hard_cap(Some(d(2026, 3, 31)), Some(d(2026, 3, 31)), today).is_ok());

        let before =
            DeadlineRule::from_stored(Some("9 months"), None, "CONTRACT_DATE", Some(d(2030, 1, 1)));
        let after = DeadlineRule::from_stored(
            Some("12 months"),
            None,
            "CONTRACT_DATE",
            Some(d(2030, 1, 1)),
        );
        let funded = TermsSubject {
            state: ApplicationState::Funded,
            funded_on: Some(d(2026, 1, 10)),
            contract_on: None,
        };
        let paid = TermsSubject {
            state: ApplicationState::Paid,
            ..funded
        };
        assert_eq!(
            projects_changing_deadline(&before, &after, [funded, paid, funded]),
            2
        );
        assert_eq!(projects_changing_deadline(&before, &before, [funded]), 0);
    }
}
