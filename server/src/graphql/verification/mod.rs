//! Verification (*asseverazione*): the verifier's requests (the "Area Richieste") and
//! checklist. Visible to the department, the administration that owns the project and
//! the verifier assigned (see [`crate::service::access::sees_verification`]).

pub mod mutation;
pub mod object;
pub mod query;
