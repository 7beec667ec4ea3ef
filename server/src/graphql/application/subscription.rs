//! `projectStateChanged`: projects moving through their life cycle, live. Public, like
//! the states themselves (open data).

use async_graphql::{Context, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use nuvola_shared::{ApplicationState, Cup};
use sea_orm::DatabaseConnection;

use crate::changes::What;
use crate::graphql::error::ApiError;
use crate::graphql::live::{self, Live};
use crate::service;

/// A project moved to another state of its life cycle.
#[derive(SimpleObject, Debug, Clone)]
pub struct ProjectStateChange {
    /// The project's national code (*CUP*).
    pub cup: String,
    /// The title of the project's call (the same CUP may appear in two calls).
    pub call_title: String,
    /// The state the project is in now.
    pub state: nuvola_shared::ApplicationState,
    /// The state it left; null when the audit log does not say.
    pub previous_state: Option<nuvola_shared::ApplicationState>,
    /// When the change was made.
    pub at: DateTime<Utc>,
}

#[derive(Default)]
pub struct ApplicationSubscription;

#[Subscription]
impl ApplicationSubscription {
    /// Changes of state of projects, each once it is committed, whichever replica made
    /// it. Anyone may subscribe, PUBLIC included. With `cup`, only that project's changes
    /// (NOT_FOUND when no project has that CUP); without, every project's.
    async fn project_state_changed(
        &self,
        ctx: &Context<'_>,
        cup: Option<String>,
    ) -> Result<Live<ProjectStateChange>, ApiError> {
        let cup = match cup {
            None => None,
            Some(cup) => {
                let cup = Cup::parse(&cup).map_err(|e| ApiError::from_parse("cup", e))?;
                let db = ctx.data_unchecked::<DatabaseConnection>();
                if service::applications::by_cup(db, &cup, None)
                    .await?
                    .is_none()
                {
                    return Err(ApiError::NotFound(format!("no project has the CUP {cup}")));
                }
                Some(cup)
            }
        };
        live::stream(ctx, move |notice, _| {
            let What::ProjectState { state, previous } = &notice.what else {
                return None;
            };
            if cup
                .as_ref()
                .is_some_and(|c| c.as_str() != notice.project.cup)
            {
                return None;
            }
            let parse = |code: &str| ApplicationState::parse(code).ok();
            Some(ProjectStateChange {
                cup: notice.project.cup.clone(),
                call_title: notice.call_title.clone(),
                state: parse(state)?,
                previous_state: previous.as_deref().and_then(parse),
                at: notice.at,
            })
        })
        .await
    }
}
