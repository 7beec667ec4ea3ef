//! The life cycles of a project and of a planned service, as data.
//!
//! The server checks every change against these tables and the browser uses the same
//! tables to offer only the actions that will be accepted.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{ParseError, Role};

/// The life-cycle state of an application / project (*candidatura*, *progetto*).
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApplicationState {
    /// Applied, not yet funded (*candidata*).
    Submitted,
    /// Funded by decree (*finanziata*).
    Funded,
    /// The supplier contract is signed.
    Contracted,
    /// Services are being migrated.
    Migrating,
    /// Every planned service is migrated; completion declared.
    Completed,
    /// A verifier (*asseveratore*) is checking the project.
    UnderVerification,
    /// Positive technical conformity outcome.
    Verified,
    /// Payment requested (*domanda di erogazione*).
    PaymentRequested,
    /// Paid after verification.
    Paid,
    /// The administration renounced the funding.
    Renounced,
    /// The department revoked the funding.
    Revoked,
}

/// Something that moves a project from one state to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProjectAction {
    /// The department decrees the funding.
    Fund,
    /// The administration records its supplier contract.
    RecordContract,
    /// The first service starts migrating.
    StartMigration,
    /// The administration declares every service migrated.
    DeclareCompletion,
    /// A verifier takes the project.
    StartVerification,
    /// Technical conformity outcome: positive.
    VerifyPositive,
    /// Technical conformity outcome: partially positive, back to migrating.
    VerifyPartial,
    /// The administration asks to be paid (*domanda di erogazione*).
    RequestPayment,
    /// The department pays.
    Pay,
    /// The administration asks to give up the funding (*richiesta di rinuncia*), with
    /// its reason. The state does not change: the request is pending until the
    /// department decrees it or the administration withdraws it.
    RequestRenunciation,
    /// The administration withdraws its pending request of renunciation.
    WithdrawRenunciation,
    /// The department decrees the renunciation the administration asked for
    /// (*rinuncia decretata*): → RENOUNCED.
    Renounce,
    /// The department withdraws the funding.
    Revoke,
}

/// One allowed move of the project life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectTransition {
    pub from: ApplicationState,
    pub action: ProjectAction,
    pub to: ApplicationState,
    /// The roles that may take this action (on a project they are entitled to).
    pub by: &'static [Role],
}

use ApplicationState as S;
use ProjectAction as A;

const ADMIN: &[Role] = &[Role::Administration];
const DEPT: &[Role] = &[Role::Department];
const VERIFIER: &[Role] = &[Role::Verifier];
const DEPT_OR_VERIFIER: &[Role] = &[Role::Department, Role::Verifier];
const ADMIN_OR_SUPPLIERS: &[Role] = &[Role::Administration, Role::Supplier, Role::Psn];

/// Every allowed move of a project, except renunciation and revocation (see
/// [`ApplicationState::transitions`]): revocation is allowed from every funded state
/// that is not final, renunciation from the [`RENOUNCEABLE`] states.
pub const PROJECT_TRANSITIONS: &[ProjectTransition] = &[
    t(S::Submitted, A::Fund, S::Funded, DEPT),
    t(S::Funded, A::RecordContract, S::Contracted, ADMIN),
    t(
        S::Contracted,
        A::StartMigration,
        S::Migrating,
        ADMIN_OR_SUPPLIERS,
    ),
    t(S::Migrating, A::DeclareCompletion, S::Completed, ADMIN),
    t(
        S::Completed,
        A::StartVerification,
        S::UnderVerification,
        DEPT_OR_VERIFIER,
    ),
    t(
        S::UnderVerification,
        A::VerifyPositive,
        S::Verified,
        VERIFIER,
    ),
    t(
        S::UnderVerification,
        A::VerifyPartial,
        S::Migrating,
        VERIFIER,
    ),
    t(S::Verified, A::RequestPayment, S::PaymentRequested, ADMIN),
    t(S::PaymentRequested, A::Pay, S::Paid, DEPT),
];

/// The states from which an administration may ask to renounce, and the department
/// decree it: before the migration is declared complete. From COMPLETED on the work is
/// done and the project goes to verification and payment (a partially positive outcome
/// brings it back to MIGRATING, and renouncing becomes possible again).
pub const RENOUNCEABLE: [ApplicationState; 4] =
    [S::Submitted, S::Funded, S::Contracted, S::Migrating];

const fn t(
    from: ApplicationState,
    action: ProjectAction,
    to: ApplicationState,
    by: &'static [Role],
) -> ProjectTransition {
    ProjectTransition {
        from,
        action,
        to,
        by,
    }
}

impl ApplicationState {
    pub const ALL: [ApplicationState; 11] = [
        S::Submitted,
        S::Funded,
        S::Contracted,
        S::Migrating,
        S::Completed,
        S::UnderVerification,
        S::Verified,
        S::PaymentRequested,
        S::Paid,
        S::Renounced,
        S::Revoked,
    ];

    pub fn code(self) -> &'static str {
        match self {
            S::Submitted => "SUBMITTED",
            S::Funded => "FUNDED",
            S::Contracted => "CONTRACTED",
            S::Migrating => "MIGRATING",
            S::Completed => "COMPLETED",
            S::UnderVerification => "UNDER_VERIFICATION",
            S::Verified => "VERIFIED",
            S::PaymentRequested => "PAYMENT_REQUESTED",
            S::Paid => "PAID",
            S::Renounced => "RENOUNCED",
            S::Revoked => "REVOKED",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| ParseError::new("application state", input, "is not a known state"))
    }

    /// Italian label for people.
    pub fn label_it(self) -> &'static str {
        match self {
            S::Submitted => "Candidata",
            S::Funded => "Finanziata",
            S::Contracted => "Contrattualizzata",
            S::Migrating => "In migrazione",
            S::Completed => "Completata",
            S::UnderVerification => "In asseverazione",
            S::Verified => "Asseverata",
            S::PaymentRequested => "Erogazione richiesta",
            S::Paid => "Liquidata",
            S::Renounced => "Rinunciata",
            S::Revoked => "Revocata",
        }
    }

    /// No move leaves a final state.
    pub fn is_final(self) -> bool {
        matches!(self, S::Paid | S::Renounced | S::Revoked)
    }

    /// Every move allowed from this state, renunciation and revocation included, given
    /// whether a request of renunciation is pending (`renunciation_requested`).
    ///
    /// While a request is pending the administration may only withdraw it: its other
    /// moves (contract, completion, payment request) wait, so that the department never
    /// decrees the renunciation of a project that moved on. Without a pending request
    /// the administration may ask for one from a [`RENOUNCEABLE`] state, and there is
    /// nothing to decree or withdraw.
    pub fn transitions(self, renunciation_requested: bool) -> Vec<ProjectTransition> {
        let mut out: Vec<ProjectTransition> = PROJECT_TRANSITIONS
            .iter()
            .copied()
            .filter(|tr| tr.from == self)
            .filter(|tr| !(renunciation_requested && tr.by == ADMIN))
            .collect();
        if RENOUNCEABLE.contains(&self) {
            if renunciation_requested {
                out.push(t(self, A::WithdrawRenunciation, self, ADMIN));
                out.push(t(self, A::Renounce, S::Renounced, DEPT));
            } else {
                out.push(t(self, A::RequestRenunciation, self, ADMIN));
            }
        }
        if !self.is_final() && self != S::Submitted {
            out.push(t(self, A::Revoke, S::Revoked, DEPT));
        }
        out
    }

    /// The move `action` from this state by `role`, if the life cycle allows it (see
    /// [`Self::transitions`] for `renunciation_requested`).
    pub fn apply(
        self,
        action: ProjectAction,
        role: Role,
        renunciation_requested: bool,
    ) -> Result<ApplicationState, TransitionError> {
        let tr = self
            .transitions(renunciation_requested)
            .into_iter()
            .find(|tr| tr.action == action)
            .ok_or(TransitionError::NotAllowed {
                from: self.code(),
                action: format!("{action:?}"),
            })?;
        if !tr.by.contains(&role) {
            return Err(TransitionError::WrongRole {
                role,
                action: format!("{action:?}"),
            });
        }
        Ok(tr.to)
    }

    /// How the open data (A/R/E) writes this state. SUBMITTED is not published.
    /// The format has no code for revocation: a revoked project lost its funding, as
    /// a renounced one did, and is published as `R`.
    pub fn open_data(self) -> Option<OpenDataState> {
        match self {
            S::Submitted => None,
            S::Funded
            | S::Contracted
            | S::Migrating
            | S::Completed
            | S::UnderVerification
            | S::Verified
            | S::PaymentRequested => Some(OpenDataState::Funded),
            S::Paid => Some(OpenDataState::Paid),
            S::Renounced | S::Revoked => Some(OpenDataState::Renounced),
        }
    }
}

impl fmt::Display for ApplicationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a move of a life cycle was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{action} is not allowed from {from}")]
    NotAllowed { from: &'static str, action: String },
    #[error("{role} may not {action}")]
    WrongRole { role: Role, action: String },
}

/// The three states of the open data (`stato_candidatura`): A, R, E.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OpenDataState {
    /// `A`: funded, anywhere from FUNDED up to PAYMENT_REQUESTED.
    #[cfg_attr(feature = "graphql", graphql(name = "A"))]
    Funded,
    /// `R`: renounced or revoked.
    #[cfg_attr(feature = "graphql", graphql(name = "R"))]
    Renounced,
    /// `E`: paid after verification.
    #[cfg_attr(feature = "graphql", graphql(name = "E"))]
    Paid,
}

impl OpenDataState {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        match input.trim() {
            "A" | "a" => Ok(Self::Funded),
            "R" | "r" => Ok(Self::Renounced),
            "E" | "e" => Ok(Self::Paid),
            _ => Err(ParseError::new(
                "state",
                input,
                "expected A (funded), R (renounced) or E (paid)",
            )),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Funded => "A",
            Self::Renounced => "R",
            Self::Paid => "E",
        }
    }

    /// The state a new application gets from the open data.
    pub fn initial_state(self) -> ApplicationState {
        match self {
            Self::Funded => S::Funded,
            Self::Renounced => S::Renounced,
            Self::Paid => S::Paid,
        }
    }

    /// The state an existing application should move to when the open data says `self`,
    /// or `None` when its current state already agrees (an `A` project that Nuvola knows
    /// to be MIGRATING stays MIGRATING).
    pub fn reconcile(self, current: ApplicationState) -> Option<ApplicationState> {
        if current.open_data() == Some(self) {
            None
        } else {
            Some(self.initial_state())
        }
    }
}

/// The migration status of one planned service.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "graphql", graphql(name = "ServiceStatus"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServiceState {
    /// Planned, nothing done yet.
    NotStarted,
    /// The assessment questionnaire is in.
    Assessed,
    /// Being moved.
    Migrating,
    /// Running in the new environment, under test.
    Testing,
    /// Migrated and in production.
    Migrated,
    /// The test failed: back to MIGRATING to try again.
    Failed,
}

/// Every allowed move of a planned service: (from, to).
pub const SERVICE_TRANSITIONS: &[(ServiceState, ServiceState)] = &[
    (ServiceState::NotStarted, ServiceState::Assessed),
    (ServiceState::Assessed, ServiceState::Migrating),
    (ServiceState::Migrating, ServiceState::Testing),
    (ServiceState::Testing, ServiceState::Migrated),
    (ServiceState::Testing, ServiceState::Failed),
    (ServiceState::Failed, ServiceState::Migrating),
];

impl ServiceState {
    pub const ALL: [ServiceState; 6] = [
        ServiceState::NotStarted,
        ServiceState::Assessed,
        ServiceState::Migrating,
        ServiceState::Testing,
        ServiceState::Migrated,
        ServiceState::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::NotStarted => "NOT_STARTED",
            Self::Assessed => "ASSESSED",
            Self::Migrating => "MIGRATING",
            Self::Testing => "TESTING",
            Self::Migrated => "MIGRATED",
            Self::Failed => "FAILED",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| ParseError::new("service state", input, "is not a known state"))
    }

    pub fn label_it(self) -> &'static str {
        match self {
            Self::NotStarted => "Da avviare",
            Self::Assessed => "Analizzato",
            Self::Migrating => "In migrazione",
            Self::Testing => "In collaudo",
            Self::Migrated => "Migrato",
            Self::Failed => "Collaudo fallito",
        }
    }

    /// The states this one may move to.
    pub fn next(self) -> impl Iterator<Item = ServiceState> {
        SERVICE_TRANSITIONS
            .iter()
            .filter(move |(from, _)| *from == self)
            .map(|(_, to)| *to)
    }

    pub fn can_move_to(self, to: ServiceState) -> bool {
        self.next().any(|s| s == to)
    }

    /// Only the assigned supplier (or PSN) and the administration move a service.
    pub fn may_be_moved_by(role: Role) -> bool {
        matches!(role, Role::Administration | Role::Supplier | Role::Psn)
    }
}

impl fmt::Display for ServiceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_walks_from_funded_to_paid() {
        let steps = [
            (A::RecordContract, Role::Administration),
            (A::StartMigration, Role::Supplier),
            (A::DeclareCompletion, Role::Administration),
            (A::StartVerification, Role::Verifier),
            (A::VerifyPositive, Role::Verifier),
            (A::RequestPayment, Role::Administration),
            (A::Pay, Role::Department),
        ];
        let mut s = S::Funded;
        for (action, role) in steps {
            s = s.apply(action, role, false).unwrap();
        }
        assert_eq!(s, S::Paid);
        assert!(s.transitions(false).is_empty());
    }

    #[test]
    fn payment_is_refused_before_a_positive_outcome() {
        assert!(matches!(
            S::UnderVerification.apply(A::RequestPayment, Role::Administration, false),
            Err(TransitionError::NotAllowed { .. })
        ));
    }

    #[test]
    fn only_the_department_revokes() {
        assert!(matches!(
            S::Migrating.apply(A::Revoke, Role::Administration, false),
            Err(TransitionError::WrongRole { .. })
        ));
        assert_eq!(
            S::Migrating.apply(A::Revoke, Role::Department, false),
            Ok(S::Revoked)
        );
        assert!(S::Paid.apply(A::Revoke, Role::Department, false).is_err());
    }

    #[test]
    fn the_administration_asks_to_renounce_and_the_department_decrees_it() {
        // Asking keeps the state; nothing is renounced yet.
        assert_eq!(
            S::Migrating.apply(A::RequestRenunciation, Role::Administration, false),
            Ok(S::Migrating)
        );
        // Without a request there is nothing to decree or withdraw.
        assert!(S::Migrating
            .apply(A::Renounce, Role::Department, false)
            .is_err());
        assert!(S::Migrating
            .apply(A::WithdrawRenunciation, Role::Administration, false)
            .is_err());
        // With one, only the department decrees it, and only the administration withdraws it.
        assert_eq!(
            S::Migrating.apply(A::Renounce, Role::Department, true),
            Ok(S::Renounced)
        );
        assert!(matches!(
            S::Migrating.apply(A::Renounce, Role::Administration, true),
            Err(TransitionError::WrongRole { .. })
        ));
        assert_eq!(
            S::Migrating.apply(A::WithdrawRenunciation, Role::Administration, true),
            Ok(S::Migrating)
        );
        assert!(S::Migrating
            .apply(A::RequestRenunciation, Role::Administration, true)
            .is_err());
    }

    #[test]
    fn no_renunciation_once_the_migration_is_complete() {
        for s in [
            S::Completed,
            S::UnderVerification,
            S::Verified,
            S::PaymentRequested,
            S::Paid,
            S::Revoked,
        ] {
            let actions: Vec<_> = s.transitions(false).iter().map(|tr| tr.action).collect();
            assert!(!actions.contains(&A::RequestRenunciation), "{s}");
        }
        assert!(S::PaymentRequested
            .apply(A::RequestRenunciation, Role::Administration, false)
            .is_err());
    }

    #[test]
    fn a_pending_request_holds_the_administrations_other_moves() {
        assert!(S::Funded
            .apply(A::RecordContract, Role::Administration, true)
            .is_err());
        assert!(S::Migrating
            .apply(A::DeclareCompletion, Role::Administration, true)
            .is_err());
        // The department may still revoke, and a supplier still starts migrating.
        assert_eq!(
            S::Funded.apply(A::Revoke, Role::Department, true),
            Ok(S::Revoked)
        );
        assert_eq!(
            S::Contracted.apply(A::StartMigration, Role::Supplier, true),
            Ok(S::Migrating)
        );
    }

    #[test]
    fn partially_positive_outcome_goes_back_to_migrating() {
        assert_eq!(
            S::UnderVerification.apply(A::VerifyPartial, Role::Verifier, false),
            Ok(S::Migrating)
        );
    }

    #[test]
    fn open_data_states_map_both_ways() {
        for s in ApplicationState::ALL {
            if let Some(od) = s.open_data() {
                assert_eq!(od.reconcile(s), None, "{s}");
            }
        }
        assert_eq!(
            OpenDataState::parse("R").unwrap().reconcile(S::Migrating),
            Some(S::Renounced)
        );
        assert_eq!(OpenDataState::parse("E").unwrap().initial_state(), S::Paid);
        assert!(OpenDataState::parse("X").is_err());
    }

    #[test]
    fn a_failed_test_goes_back_to_migrating() {
        assert!(ServiceState::Testing.can_move_to(ServiceState::Failed));
        assert!(ServiceState::Failed.can_move_to(ServiceState::Migrating));
        assert!(!ServiceState::NotStarted.can_move_to(ServiceState::Migrated));
        assert!(!ServiceState::Migrated.can_move_to(ServiceState::Migrating));
    }

    #[test]
    fn codes_round_trip() {
        for s in ApplicationState::ALL {
            assert_eq!(ApplicationState::parse(s.code()).unwrap(), s);
        }
        for s in ServiceState::ALL {
            assert_eq!(ServiceState::parse(s.code()).unwrap(), s);
        }
    }
}
