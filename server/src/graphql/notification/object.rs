use std::collections::HashMap;

use async_graphql::{Object, ID};
use chrono::{DateTime, Utc};

use crate::entity::application;
use crate::graphql::application::object::{Application, PageInfo};
use crate::graphql::error::ApiResult;
use crate::graphql::pagination;
use crate::service::notifications::{Item, Page};

/// A message for the caller (*notifica*): a deadline missed, a verification request left
/// unanswered. Addressed to the caller's account, its administration or the department.
pub struct Notification {
    item: Item,
    project: Option<application::Model>,
}

/// A message for the caller (*notifica*): a deadline missed, a verification request left
/// unanswered.
#[Object]
impl Notification {
    /// Pass it to `markNotificationsRead`.
    async fn id(&self) -> ID {
        ID(self.item.notification.id.to_string())
    }

    /// What happened, stable for programs (the message is for people).
    async fn kind(&self) -> nuvola_shared::NotificationKind {
        nuvola_shared::NotificationKind::from_stored(&self.item.notification.kind)
    }

    /// The message for people, in the language asked (Italian by default). A
    /// notification raised before its English text was kept answers in Italian.
    async fn message(
        &self,
        #[graphql(default_with = "nuvola_shared::notify::Language::It")]
        language: nuvola_shared::notify::Language,
    ) -> &str {
        let n = &self.item.notification;
        match language {
            nuvola_shared::notify::Language::En => n.message_en.as_deref().unwrap_or(&n.message),
            nuvola_shared::notify::Language::It => &n.message,
        }
    }

    /// When it was raised.
    async fn created_at(&self) -> DateTime<Utc> {
        self.item.notification.created_at
    }

    /// Whether the caller has read it (read state is per account).
    async fn read(&self) -> bool {
        self.item.read_at.is_some()
    }

    /// When the caller read it.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.item.read_at
    }

    /// The project it is about, if any.
    async fn application(&self) -> Option<Application> {
        self.project.clone().map(Application::from)
    }
}

/// A page of the caller's notifications, newest first (Relay cursor connection).
pub struct NotificationConnection {
    pub total_count: u64,
    pub page: Page,
    /// The projects the page's notifications are about, loaded in one query.
    pub projects: HashMap<i32, application::Model>,
    pub has_previous: bool,
}

/// A page of the caller's notifications, newest first.
#[Object]
impl NotificationConnection {
    /// How many notifications match (all or unread only), across all pages.
    async fn total_count(&self) -> u64 {
        self.total_count
    }

    /// The notifications of this page.
    async fn edges(&self) -> Vec<NotificationEdge> {
        self.page
            .items
            .iter()
            .map(|item| NotificationEdge {
                cursor: encode_cursor(item.notification.id),
                node: Notification {
                    item: item.clone(),
                    project: item
                        .notification
                        .application_id
                        .and_then(|id| self.projects.get(&id).cloned()),
                },
            })
            .collect()
    }

    /// Where this page sits in the whole list.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.has_next,
            has_previous_page: self.has_previous,
            start_cursor: self
                .page
                .items
                .first()
                .map(|i| encode_cursor(i.notification.id)),
            end_cursor: self
                .page
                .items
                .last()
                .map(|i| encode_cursor(i.notification.id)),
        }
    }
}

/// One notification of a page, with its cursor.
pub struct NotificationEdge {
    cursor: String,
    node: Notification,
}

/// One notification of a page, with its cursor.
#[Object]
impl NotificationEdge {
    /// Pass it as `after` to get the (older) notifications that follow this one.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The notification.
    async fn node(&self) -> &Notification {
        &self.node
    }
}

/// What `markNotificationsRead` did.
#[derive(async_graphql::SimpleObject)]
pub struct NotificationsMarked {
    /// How many notifications this call marked read (already read ones are not counted).
    pub marked: u64,
    /// How many of the caller's notifications are still unread.
    pub unread_count: u64,
}

const CURSOR_PREFIX: &str = "notification:";

pub fn encode_cursor(id: i32) -> String {
    pagination::encode_cursor(CURSOR_PREFIX, id)
}

pub fn decode_cursor(cursor: &str) -> ApiResult<i32> {
    pagination::decode_cursor(CURSOR_PREFIX, cursor, |id| id.parse().ok())
}
