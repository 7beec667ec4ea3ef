//! How people and programs are told: each account's notification settings
//! (`notificationSettings`, `setNotificationPreference`, `updateNotificationContact`),
//! the organisations' webhooks with their delivery log (`webhooks`, `registerWebhook`,
//! `removeWebhook`, `replayDelivery`) and the department's failed deliveries
//! (`failedDeliveries`).

pub mod mutation;
pub mod object;
pub mod query;
