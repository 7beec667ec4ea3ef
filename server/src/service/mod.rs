//! The operations of Nuvola. Each one validates its input with the shared domain
//! types, runs in one transaction and leaves audit events.

pub mod access;
pub mod accounts;
pub mod applications;
pub mod auth;
pub mod contract;
pub mod dashboard;
pub mod deadlines;
pub mod documents;
pub mod export;
pub mod history;
pub mod idempotency;
pub mod import;
pub mod import_job;
pub mod invitations;
pub mod lifecycle;
pub mod mail;
pub mod membership;
pub mod notifications;
pub mod oidc;
pub mod onboarding;
pub mod outbox;
pub mod paging;
pub mod plan;
pub mod preferences;
pub mod progress;
pub mod qualification;
pub mod summary;
pub mod verification;
pub mod webhooks;
pub mod worklists;
