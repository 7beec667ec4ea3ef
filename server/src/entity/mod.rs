//! sea-orm entities, one per table. Columns hold plain strings and numbers; the
//! services turn them into `nuvola_shared` domain values.

pub mod account;
pub mod administration;
pub mod app_secret;
pub mod application;
pub mod assessment;
pub mod auth_token;
pub mod call;
pub mod catalogue_service;
pub mod cloud_offering;
pub mod contract_version;
pub mod delivery;
pub mod delivery_attempt;
pub mod document;
pub mod event;
pub mod idempotency_key;
pub mod import_job;
pub mod import_job_file;
pub mod invitation;
pub mod membership;
pub mod notification;
pub mod notification_preference;
pub mod notification_read;
pub mod oidc_login;
pub mod onboarding_request;
pub mod planned_service;
pub mod positional;
pub mod published_call;
pub mod scheduled_job;
pub mod supplier;
pub mod supplier_contract;
pub mod verification_check;
pub mod verification_request;
pub mod webhook;
