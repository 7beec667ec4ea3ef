//! Onboarding: requests to act for an organisation and the department's queue, the
//! members of an organisation, invitations (issue 12).

pub mod mutation;
pub mod object;
pub mod query;
