//! The domain of Nuvola, shared by the server and the browser.
//!
//! Everything here is plain data and pure functions: no I/O, no database, no HTTP.
//! Values are parsed once at the boundary ("parse, don't validate") and the life
//! cycles of projects and planned services are data, so the browser offers exactly
//! the transitions the server accepts.

pub mod administration;
pub mod api;
pub mod call;
pub mod cloud;
pub mod codes;
pub mod contract;
pub mod deadline;
pub mod document;
pub mod error;
pub mod ids;
pub mod lifecycle;
pub mod money;
pub mod notify;
pub mod onboarding;
pub mod person;
pub mod plan;
pub mod region;
pub mod role;
pub mod state;
pub mod verification;

pub use administration::AdministrationType;
pub use call::CallTitle;
pub use cloud::{DataClass, Deployment, DeploymentModel, Modality, ServiceModel};
pub use codes::{
    AccessRequestState, ActorRole, DeliveryKind, EntityType, ErrorCode, EventKind, InvitationState,
    NotificationKind, OrganisationKind,
};
pub use deadline::{DeadlineKind, DeadlineRule, Due, NextDeadlineKind, Overdue, Term, TermStart};
pub use document::{DocumentKind, FileType};
pub use error::ParseError;
pub use ids::{Cup, IpaCode, IstatCode, VatNumber};
pub use lifecycle::{CutoverWindow, Questionnaire, Reason, VerificationOutcome};
pub use money::Euros;
pub use person::FiscalCode;
pub use region::Region;
pub use role::Role;
pub use state::{ApplicationState, OpenDataState, ServiceState};
pub use verification::{CheckOutcome, RequestState};

/// The national target of measure 1.2: administrations migrated by June 2026
/// (4,083 by September 2024 plus 12,464 by June 2026).
pub const NATIONAL_TARGET_ADMINISTRATIONS: u32 = 16_547;

/// The lump sum a school receives for each migrated service, in euros.
pub const SCHOOL_EUROS_PER_SERVICE: i64 = 553;
