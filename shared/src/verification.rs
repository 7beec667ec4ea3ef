//! Verification (*asseverazione*): the life cycle of a verifier's document request
//! (*richiesta*, in the "Area Richieste") as data, and the outcomes of a checklist item.
//!
//! The server checks every change of a request against [`REQUEST_TRANSITIONS`]; the
//! browser uses the same table to offer only the actions that will be accepted.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::state::TransitionError;
use crate::{ParseError, Role};

/// The state of a verification request.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RequestState {
    /// Waiting for the administration's answer, by the due date.
    Open,
    /// The administration answered (with documents, maybe a note).
    Answered,
    /// The verifier is satisfied, or withdrew the request.
    Closed,
}

/// Something that moves a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RequestAction {
    /// The administration answers.
    Answer,
    /// The verifier closes the request.
    Close,
    /// The verifier asks again, with a new due date.
    Reopen,
}

/// One allowed move of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTransition {
    pub from: RequestState,
    pub action: RequestAction,
    pub to: RequestState,
    /// The roles that may take it (on a request they are entitled to).
    pub by: &'static [Role],
}

const ADMIN: &[Role] = &[Role::Administration];
const VERIFIER: &[Role] = &[Role::Verifier];

/// Every allowed move of a request. A request is opened OPEN by the verifier assigned
/// to a project under verification.
pub const REQUEST_TRANSITIONS: &[RequestTransition] = &[
    tr(
        RequestState::Open,
        RequestAction::Answer,
        RequestState::Answered,
        ADMIN,
    ),
    tr(
        RequestState::Open,
        RequestAction::Close,
        RequestState::Closed,
        VERIFIER,
    ),
    tr(
        RequestState::Answered,
        RequestAction::Close,
        RequestState::Closed,
        VERIFIER,
    ),
    tr(
        RequestState::Answered,
        RequestAction::Reopen,
        RequestState::Open,
        VERIFIER,
    ),
    tr(
        RequestState::Closed,
        RequestAction::Reopen,
        RequestState::Open,
        VERIFIER,
    ),
];

const fn tr(
    from: RequestState,
    action: RequestAction,
    to: RequestState,
    by: &'static [Role],
) -> RequestTransition {
    RequestTransition {
        from,
        action,
        to,
        by,
    }
}

impl RequestState {
    pub const ALL: [RequestState; 3] = [
        RequestState::Open,
        RequestState::Answered,
        RequestState::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RequestState::Open => "OPEN",
            RequestState::Answered => "ANSWERED",
            RequestState::Closed => "CLOSED",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new("request state", input, "expected OPEN, ANSWERED or CLOSED")
            })
    }

    /// Italian label for people.
    pub fn label_it(self) -> &'static str {
        match self {
            RequestState::Open => "Aperta",
            RequestState::Answered => "Riscontrata",
            RequestState::Closed => "Chiusa",
        }
    }

    /// The move `action` from this state by `role`, if the life cycle allows it.
    pub fn apply(self, action: RequestAction, role: Role) -> Result<RequestState, TransitionError> {
        let t = REQUEST_TRANSITIONS
            .iter()
            .find(|t| t.from == self && t.action == action)
            .ok_or(TransitionError::NotAllowed {
                from: self.code(),
                action: format!("{action:?}"),
            })?;
        if !t.by.contains(&role) {
            return Err(TransitionError::WrongRole {
                role,
                action: format!("{action:?}"),
            });
        }
        Ok(t.to)
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The outcome of one checklist item for a planned service.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckOutcome {
    /// The item is satisfied (*conforme*).
    Pass,
    /// The item is not satisfied (*non conforme*).
    Fail,
    /// The item does not apply to this service.
    NotApplicable,
}

impl CheckOutcome {
    pub const ALL: [CheckOutcome; 3] = [
        CheckOutcome::Pass,
        CheckOutcome::Fail,
        CheckOutcome::NotApplicable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CheckOutcome::Pass => "PASS",
            CheckOutcome::Fail => "FAIL",
            CheckOutcome::NotApplicable => "NOT_APPLICABLE",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new(
                    "check outcome",
                    input,
                    "expected PASS, FAIL or NOT_APPLICABLE",
                )
            })
    }

    /// Italian label for people.
    pub fn label_it(self) -> &'static str {
        match self {
            CheckOutcome::Pass => "Conforme",
            CheckOutcome::Fail => "Non conforme",
            CheckOutcome::NotApplicable => "Non applicabile",
        }
    }
}

/// The longest title of a request, in characters.
pub const MAX_REQUEST_TITLE: usize = 200;
/// The longest body of a request or note, in characters.
pub const MAX_REQUEST_TEXT: usize = 10_000;

/// The furthest a request's due date may be, in days from today: a request is an
/// answer the verification waits for, not a note for the next years.
pub const MAX_REQUEST_DAYS: u64 = 180;
/// [`check_due`]'s reasons.
pub const DUE_IN_THE_PAST: &str = "the due date cannot be in the past";
pub const DUE_TOO_FAR: &str = "the due date is at most 180 days from today";

/// A request's due date: not before `today`, at most [`MAX_REQUEST_DAYS`] after it.
/// The server applies it to opening and reopening; the verifier's page, before sending.
pub fn check_due(due_on: chrono::NaiveDate, today: chrono::NaiveDate) -> Result<(), ParseError> {
    let input = due_on.to_string();
    if due_on < today {
        return Err(ParseError::new("due date", &input, DUE_IN_THE_PAST));
    }
    if today
        .checked_add_days(chrono::Days::new(MAX_REQUEST_DAYS))
        .is_some_and(|latest| due_on > latest)
    {
        return Err(ParseError::new("due date", &input, DUE_TOO_FAR));
    }
    Ok(())
}

/// The reason [`check_answer`] gives when an answer carries nothing.
pub const EMPTY_ANSWER: &str = "an answer carries at least one document or a note";

/// An answer to a request must carry something: at least one document attached since
/// the request was (re)opened, or a note that is not blank. The verifier would otherwise
/// see an answered request with nothing to check.
pub fn check_answer(note: Option<&str>, new_documents: usize) -> Result<(), ParseError> {
    let has_note = note.is_some_and(|n| !n.trim().is_empty());
    if has_note || new_documents > 0 {
        Ok(())
    } else {
        Err(ParseError::new("answer", "", EMPTY_ANSWER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_due_from_today_to_180_days_later() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let day = |d: u64| today.checked_add_days(chrono::Days::new(d)).unwrap();
        assert!(check_due(today, today).is_ok());
        assert!(check_due(day(180), today).is_ok());
        assert!(check_due(day(181), today).is_err());
        assert!(check_due(today.pred_opt().unwrap(), today).is_err());
        let far = chrono::NaiveDate::from_ymd_opt(2099, 1, 1).unwrap();
        assert!(check_due(far, today)
            .unwrap_err()
            .to_string()
            .contains("at most 180 days"));
    }

    #[test]
    fn a_request_is_answered_by_the_administration_and_closed_by_the_verifier() {
        use RequestAction as A;
        use RequestState as S;
        assert_eq!(
            S::Open.apply(A::Answer, Role::Administration),
            Ok(S::Answered)
        );
        assert!(S::Open.apply(A::Answer, Role::Verifier).is_err());
        assert_eq!(S::Answered.apply(A::Close, Role::Verifier), Ok(S::Closed));
        assert_eq!(S::Answered.apply(A::Reopen, Role::Verifier), Ok(S::Open));
        assert!(S::Answered.apply(A::Answer, Role::Administration).is_err());
        assert!(S::Closed.apply(A::Close, Role::Verifier).is_err());
    }

    #[test]
    fn codes_round_trip() {
        for s in RequestState::ALL {
            assert_eq!(RequestState::parse(s.code()), Ok(s));
        }
        for o in CheckOutcome::ALL {
            assert_eq!(CheckOutcome::parse(o.code()), Ok(o));
        }
        assert!(CheckOutcome::parse("MAYBE").is_err());
    }

    #[test]
    fn an_answer_carries_a_document_or_a_note() {
        assert!(check_answer(None, 0).is_err());
        assert!(check_answer(Some("   "), 0).is_err());
        assert!(check_answer(Some("Il verbale è in arrivo."), 0).is_ok());
        assert!(check_answer(None, 1).is_ok());
    }
}
