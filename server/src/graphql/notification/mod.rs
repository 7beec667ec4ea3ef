//! The notifications outbox of the caller: `notifications`, `unreadNotificationCount`,
//! `markNotificationsRead`. Only the caller's own; never for PUBLIC.

pub mod mutation;
pub mod object;
pub mod query;
