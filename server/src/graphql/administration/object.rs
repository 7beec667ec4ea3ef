use async_graphql::{Context, Object};
use nuvola_shared::AdministrationType;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{administration, application};
use crate::graphql::application::object::Application;
use crate::graphql::error::ApiResult;

/// `Administration.typeLabel` of a body of the kind `type_code`.
pub(crate) fn type_label(type_code: &str) -> &'static str {
    AdministrationType::parse(type_code)
        .map(AdministrationType::label_it)
        .unwrap_or("Altro ente")
}

/// A public body (*ente*) identified by its IPA code.
pub struct Administration(pub administration::Model);

#[Object]
impl Administration {
    /// The code of the body in the IPA register, as published (compare it ignoring case).
    async fn ipa_code(&self) -> &str {
        &self.0.ipa_code
    }

    /// The body's name (*denominazione*).
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The kind of body: COMUNE, SCUOLA, ASL_AO, PROVINCIA, CITTA_METROPOLITANA or ALTRO.
    #[graphql(name = "type")]
    async fn type_code(&self) -> &str {
        &self.0.type_code
    }

    /// The kind of body, as an enum: the same code as `type`, which the published
    /// contract keeps a String.
    async fn kind(&self) -> crate::graphql::error::ApiResult<AdministrationType> {
        crate::graphql::error::stored(AdministrationType::parse(&self.0.type_code))
    }

    /// The kind of body in Italian, for people.
    async fn type_label(&self) -> &'static str {
        type_label(&self.0.type_code)
    }

    /// The region, as the open data names it.
    async fn region(&self) -> &str {
        &self.0.region
    }

    /// The region's ISTAT code (2 digits).
    async fn region_istat(&self) -> Option<&str> {
        self.0.region_istat.as_deref()
    }

    /// The comune where the body has its seat.
    async fn comune(&self) -> Option<&str> {
        self.0.comune.as_deref()
    }

    /// The comune's ISTAT code (6 digits, leading zeros kept).
    async fn comune_istat(&self) -> Option<&str> {
        self.0.comune_istat.as_deref()
    }

    /// The province's abbreviation (*sigla*), e.g. "GE".
    async fn provincia(&self) -> Option<&str> {
        self.0.provincia.as_deref()
    }

    /// The province's ISTAT code (3 digits).
    async fn provincia_istat(&self) -> Option<&str> {
        self.0.provincia_istat.as_deref()
    }

    /// The body's applications, oldest first.
    #[graphql(complexity = "20 * child_complexity")]
    async fn applications(&self, ctx: &Context<'_>) -> ApiResult<Vec<Application>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(application::Entity::find()
            .filter(application::Column::AdministrationId.eq(self.0.id))
            .order_by_asc(application::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(Application::from)
            .collect())
    }
}
