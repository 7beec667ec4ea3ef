use std::sync::Arc;

use async_graphql::{Context, Object};
use chrono::NaiveDate;
use nuvola_shared::Overdue;
use sea_orm::DbErr;

use crate::entity::application;
use crate::graphql::application::object::{Application, PageInfo};
use crate::graphql::error::ApiResult;
use crate::graphql::loaders::Loaders;
use crate::graphql::pagination;
use crate::graphql::scalars::Date;

/// A deadline a project has missed, as the deadline checker recorded it (*scadenza
/// superata*). Deadlines derive from public data: visible wherever the project is.
pub struct OverdueMark {
    pub mark: Overdue,
    pub today: NaiveDate,
}

/// A deadline a project has missed and still owes (*scadenza superata*).
#[Object(name = "Overdue")]
impl OverdueMark {
    /// CONTRACT (the supplier contract was not signed in time) or COMPLETION (the
    /// migration was not completed in time).
    async fn kind(&self) -> nuvola_shared::DeadlineKind {
        self.mark.kind
    }

    /// The first day late: the day after the due date.
    async fn since(&self) -> Date {
        Date(self.mark.since)
    }

    /// The due date that was missed.
    async fn due_on(&self) -> Date {
        Date(self.mark.due_on())
    }

    /// Days past the due date, today: 1 on the first day late.
    async fn days_late(&self) -> i64 {
        self.mark.days_late(self.today)
    }
}

/// A page of overdue projects, longest overdue first (Relay cursor connection).
pub struct OverdueProjectConnection {
    pub total_count: u64,
    pub items: Vec<application::Model>,
    pub has_next: bool,
    pub has_previous: bool,
}

/// A page of overdue projects, longest overdue first.
#[Object]
impl OverdueProjectConnection {
    /// How many projects are overdue (for the kind asked), across all pages.
    async fn total_count(&self) -> u64 {
        self.total_count
    }

    /// The projects of this page.
    async fn edges(&self, ctx: &Context<'_>) -> ApiResult<Vec<OverdueProjectEdge>> {
        // One batch for the bodies and one for the calls, as `applications` does.
        let node = ctx.look_ahead().field("node");
        let loaders = ctx.data_unchecked::<Loaders>();
        let administrations = async {
            if node.field("administration").exists() {
                let ids = self.items.iter().map(|a| a.administration_id);
                loaders.administration.load_many(ids).await?;
            }
            Ok::<_, Arc<DbErr>>(())
        };
        let calls = async {
            if node.field("call").exists() || node.field("nextDeadline").exists() {
                let ids = self.items.iter().map(|a| a.call_id);
                loaders.call.load_many(ids).await?;
            }
            Ok(())
        };
        futures_util::try_join!(administrations, calls)?;
        Ok(self
            .items
            .iter()
            .map(|a| OverdueProjectEdge {
                cursor: encode_cursor(a),
                node: Application::from(a.clone()),
            })
            .collect())
    }

    /// Where this page sits in the whole list.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.has_next,
            has_previous_page: self.has_previous,
            start_cursor: self.items.first().map(encode_cursor),
            end_cursor: self.items.last().map(encode_cursor),
        }
    }
}

/// One overdue project of a page, with its cursor.
pub struct OverdueProjectEdge {
    cursor: String,
    node: Application,
}

/// One overdue project of a page, with its cursor.
#[Object]
impl OverdueProjectEdge {
    /// Pass it as `after` to get the projects that follow this one.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The project; its `overdue` field says what it missed.
    async fn node(&self) -> &Application {
        &self.node
    }
}

const CURSOR_PREFIX: &str = "overdue:";

/// The position of a project in the list: (first day late, id).
pub fn encode_cursor(project: &application::Model) -> String {
    cursor_of(project.overdue_since.unwrap_or_default(), project.id)
}

fn cursor_of(since: NaiveDate, id: i32) -> String {
    pagination::encode_cursor(CURSOR_PREFIX, format!("{}:{id}", since.format("%Y-%m-%d")))
}

/// (first day late, id) of a cursor of this list.
pub fn decode_cursor(cursor: &str) -> ApiResult<(NaiveDate, i32)> {
    pagination::decode_cursor(CURSOR_PREFIX, cursor, |position| {
        let (since, id) = position.split_once(':')?;
        let since = NaiveDate::parse_from_str(since, "%Y-%m-%d").ok()?;
        Some((since, id.parse().ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_cursors_round_trip_and_garbage_is_refused() {
        let since = NaiveDate::from_ymd_opt(2023, 6, 6).unwrap();
        assert_eq!(decode_cursor(&cursor_of(since, 42)).unwrap(), (since, 42));
        assert!(decode_cursor("nope").is_err());
        assert!(decode_cursor(&crate::graphql::application::object::encode_cursor(42)).is_err());
    }
}
