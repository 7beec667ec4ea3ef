//! The rules of a migration plan line, checked by the server on every change and by the
//! browser before it sends one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cloud::fundable_modality;
use crate::{DataClass, Deployment, Modality, ServiceModel};

/// What the plan needs to know about a target cloud offering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferingFacts {
    pub service_model: ServiceModel,
    /// The highest data class the offering is qualified to host.
    pub max_data_class: DataClass,
    /// The end of its qualification (qualifications last 36 months).
    pub qualified_until: Option<NaiveDate>,
}

/// A plan line as proposed, before the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanLine {
    pub name: String,
    pub data_class: DataClass,
    pub origin: Deployment,
    pub destination: ServiceModel,
    pub offering: Option<OfferingFacts>,
}

/// Why a plan line is refused, attributed to the field to correct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PlanError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> PlanError {
    PlanError {
        field,
        message: message.into(),
    }
}

/// The longest name of a planned service.
pub const MAX_SERVICE_NAME: usize = 200;

impl PlanLine {
    /// Checks the line on `today` and gives the modality the measure funds it under.
    pub fn check(&self, today: NaiveDate) -> Result<Modality, PlanError> {
        let name = self.name.trim();
        if name.chars().count() < 2 || name.chars().count() > MAX_SERVICE_NAME {
            return Err(refuse(
                "name",
                format!("the name must have 2 to {MAX_SERVICE_NAME} characters"),
            ));
        }
        let modality = fundable_modality(self.origin, self.destination)
            .map_err(|e| refuse("destination", e.to_string()))?;
        if let Some(offering) = &self.offering {
            offering_admits(self.data_class, self.destination, offering, today)?;
        }
        Ok(modality)
    }
}

/// Whether a line moving `data_class` data to a qualified `destination` may target
/// `offering` on `today`: the offering is of that service model, qualified for that data
/// class (critical and strategic data need PSN or a qualified private cloud) and its
/// qualification has not expired. [`PlanLine::check`] applies it on the server; the
/// plan form offers only the offerings it admits.
pub fn offering_admits(
    data_class: DataClass,
    destination: ServiceModel,
    offering: &OfferingFacts,
    today: NaiveDate,
) -> Result<(), PlanError> {
    if offering.service_model != destination {
        return Err(refuse(
            "offering",
            format!(
                "the offering is {}, the plan says {}",
                offering.service_model.code(),
                destination.code()
            ),
        ));
    }
    if !data_class.fits_in(offering.max_data_class) {
        return Err(refuse(
            "offering",
            format!(
                "{} data may not go to an offering qualified only up to {}: critical and strategic data need PSN or a qualified private cloud",
                data_class.code(),
                offering.max_data_class.code()
            ),
        ));
    }
    if let Some(until) = offering.qualified_until {
        if until < today {
            return Err(refuse(
                "offering",
                format!("the offering's qualification expired on {until}"),
            ));
        }
    }
    Ok(())
}

/// A plan names each service once: `name` is refused when another line of the same plan
/// (`others`, the names of the other lines) has it already, ignoring case and spaces at
/// the ends.
pub fn check_unique_name<'a>(
    name: &str,
    mut others: impl Iterator<Item = &'a str>,
) -> Result<(), PlanError> {
    let key = name.trim().to_lowercase();
    if others.any(|o| o.trim().to_lowercase() == key) {
        Err(refuse(
            "name",
            "the plan already has a service with this name",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn line(data_class: DataClass, max: DataClass, until: Option<NaiveDate>) -> PlanLine {
        PlanLine {
            name: "Protocollo informatico".into(),
            data_class,
            origin: Deployment::OnPremises,
            destination: ServiceModel::Saas,
            offering: Some(OfferingFacts {
                service_model: ServiceModel::Saas,
                max_data_class: max,
                qualified_until: until,
            }),
        }
    }

    #[test]
    fn a_fundable_line_on_a_fitting_offering_passes() {
        let ok = line(DataClass::Ordinario, DataClass::Critico, day().succ_opt());
        assert_eq!(ok.check(day()), Ok(Modality::B));
    }

    #[test]
    fn critical_data_on_an_ordinary_offering_is_refused_with_the_reason() {
        let e = line(DataClass::Critico, DataClass::Ordinario, None)
            .check(day())
            .unwrap_err();
        assert_eq!(e.field, "offering");
        assert!(e.message.contains("PSN"), "{e}");
    }

    #[test]
    fn an_expired_qualification_and_an_unfunded_move_are_refused() {
        let expired = line(DataClass::Ordinario, DataClass::Ordinario, day().pred_opt());
        assert!(expired
            .check(day())
            .unwrap_err()
            .message
            .contains("expired"));
        let mut unfunded = line(DataClass::Ordinario, DataClass::Ordinario, None);
        unfunded.origin = Deployment::NonQualifiedPaas;
        unfunded.destination = ServiceModel::Paas;
        unfunded.offering = None;
        assert_eq!(unfunded.check(day()).unwrap_err().field, "destination");
        let mut mismatched = line(DataClass::Ordinario, DataClass::Ordinario, None);
        mismatched.destination = ServiceModel::Paas;
        assert_eq!(mismatched.check(day()).unwrap_err().field, "offering");
    }

    #[test]
    fn the_form_offers_only_what_the_check_admits() {
        let facts = |max, until| OfferingFacts {
            service_model: ServiceModel::Saas,
            max_data_class: max,
            qualified_until: until,
        };
        let ok = facts(DataClass::Critico, day().succ_opt());
        assert!(offering_admits(DataClass::Critico, ServiceModel::Saas, &ok, day()).is_ok());
        assert!(offering_admits(DataClass::Critico, ServiceModel::Paas, &ok, day()).is_err());
        let ordinary = facts(DataClass::Ordinario, None);
        assert!(offering_admits(DataClass::Critico, ServiceModel::Saas, &ordinary, day()).is_err());
        let expired = facts(DataClass::Strategico, day().pred_opt());
        assert!(
            offering_admits(DataClass::Ordinario, ServiceModel::Saas, &expired, day()).is_err()
        );
    }

    #[test]
    fn a_plan_names_each_service_once() {
        let others = ["Anagrafe (ANPR)", "Protocollo informatico"];
        assert!(check_unique_name(" anagrafe (anpr) ", others.into_iter()).is_err());
        assert_eq!(
            check_unique_name("Anagrafe (ANPR)", others.into_iter()).map_err(|e| e.field),
            Err("name")
        );
        assert!(check_unique_name("Tributi", others.into_iter()).is_ok());
    }
}
