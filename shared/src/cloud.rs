//! Data classes, migration modalities and the fundable moves of measure 1.2.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The data class of a service (Strategia Cloud Italia).
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DataClass {
    /// An outage does not stop state services.
    Ordinario,
    /// Relevant to health, security or welfare.
    Critico,
    /// Relevant to national security.
    Strategico,
}

impl DataClass {
    pub const ALL: [DataClass; 3] = [Self::Ordinario, Self::Critico, Self::Strategico];

    pub fn code(self) -> &'static str {
        match self {
            Self::Ordinario => "ORDINARIO",
            Self::Critico => "CRITICO",
            Self::Strategico => "STRATEGICO",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new(
                    "data class",
                    input,
                    "expected ORDINARIO, CRITICO or STRATEGICO",
                )
            })
    }

    /// Whether an offering qualified up to `max` may host data of this class.
    pub fn fits_in(self, max: DataClass) -> bool {
        self <= max
    }
}

/// The migration modality of measure 1.2.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Modality {
    /// A: *Trasferimento in sicurezza dell'infrastruttura IT* (lift-and-shift to IaaS).
    A,
    /// B: *Aggiornamento in sicurezza di applicazioni in cloud* (to PaaS or SaaS).
    B,
}

impl Modality {
    pub fn code(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        match input.trim() {
            "A" | "a" => Ok(Self::A),
            "B" | "b" => Ok(Self::B),
            _ => Err(ParseError::new("modality", input, "expected A or B")),
        }
    }

    pub fn label_it(self) -> &'static str {
        match self {
            Self::A => "A - Trasferimento in sicurezza dell'infrastruttura IT",
            Self::B => "B - Aggiornamento in sicurezza di applicazioni in cloud",
        }
    }
}

/// The cloud service model of an offering.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServiceModel {
    /// Infrastructure as a service.
    Iaas,
    /// Platform as a service.
    Paas,
    /// Software as a service.
    Saas,
    /// Containers as a service.
    Caas,
}

impl ServiceModel {
    pub const ALL: [ServiceModel; 4] = [Self::Iaas, Self::Paas, Self::Saas, Self::Caas];

    pub fn code(self) -> &'static str {
        match self {
            Self::Iaas => "IAAS",
            Self::Paas => "PAAS",
            Self::Saas => "SAAS",
            Self::Caas => "CAAS",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|m| m.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new("service model", input, "expected IAAS, PAAS, SAAS or CAAS")
            })
    }
}

/// Where a service runs before the migration.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "graphql", graphql(name = "ServiceOrigin"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Deployment {
    /// In the administration's own premises.
    OnPremises,
    /// On an IaaS that is not qualified.
    NonQualifiedIaas,
    /// On a PaaS that is not qualified.
    NonQualifiedPaas,
}

impl Deployment {
    pub const ALL: [Deployment; 3] = [
        Self::OnPremises,
        Self::NonQualifiedIaas,
        Self::NonQualifiedPaas,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::OnPremises => "ON_PREMISES",
            Self::NonQualifiedIaas => "NON_QUALIFIED_IAAS",
            Self::NonQualifiedPaas => "NON_QUALIFIED_PAAS",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|d| d.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new(
                    "origin",
                    input,
                    "expected ON_PREMISES, NON_QUALIFIED_IAAS or NON_QUALIFIED_PAAS",
                )
            })
    }
}

/// Why a migration is not fundable by the measure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("moving from {origin} to a qualified {destination} is not funded by measure 1.2")]
pub struct NotFundable {
    pub origin: &'static str,
    pub destination: &'static str,
}

/// The modality that funds moving a service from `origin` to a qualified `destination`:
/// on-premises → IaaS (A) or PaaS/SaaS (B); non-qualified IaaS → PaaS/SaaS (B);
/// non-qualified PaaS → SaaS (B). Anything else is not fundable.
pub fn fundable_modality(
    origin: Deployment,
    destination: ServiceModel,
) -> Result<Modality, NotFundable> {
    use Deployment::*;
    use ServiceModel::*;
    match (origin, destination) {
        (OnPremises, Iaas) => Ok(Modality::A),
        (OnPremises, Paas | Saas) => Ok(Modality::B),
        (NonQualifiedIaas, Paas | Saas) => Ok(Modality::B),
        (NonQualifiedPaas, Saas) => Ok(Modality::B),
        _ => Err(NotFundable {
            origin: origin.code(),
            destination: destination.code(),
        }),
    }
}

impl fmt::Display for DataClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fundable_moves_of_the_measure() {
        use Deployment::*;
        use ServiceModel::*;
        assert_eq!(fundable_modality(OnPremises, Iaas), Ok(Modality::A));
        assert_eq!(fundable_modality(OnPremises, Saas), Ok(Modality::B));
        assert_eq!(fundable_modality(NonQualifiedIaas, Paas), Ok(Modality::B));
        assert_eq!(fundable_modality(NonQualifiedPaas, Saas), Ok(Modality::B));
        assert!(fundable_modality(NonQualifiedIaas, Iaas).is_err());
        assert!(fundable_modality(NonQualifiedPaas, Paas).is_err());
        assert!(fundable_modality(OnPremises, Caas).is_err());
    }

    #[test]
    fn critical_data_does_not_fit_an_ordinary_offering() {
        assert!(DataClass::Ordinario.fits_in(DataClass::Critico));
        assert!(!DataClass::Critico.fits_in(DataClass::Ordinario));
        assert!(DataClass::Strategico.fits_in(DataClass::Strategico));
    }
}

/// How long a qualification of the national cloud catalogue lasts.
pub const QUALIFICATION_MONTHS: u32 = 36;

/// What the department records when it qualifies a cloud offering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferingQualification {
    /// The catalogue code, e.g. `PSN-IAAS-SHARED`: 3 to 40 capital letters, digits, `-`.
    pub code: String,
    pub name: String,
    pub service_model: ServiceModel,
    /// The highest data class it may host.
    pub max_data_class: DataClass,
    pub qualified_on: chrono::NaiveDate,
    pub qualified_until: chrono::NaiveDate,
}

impl OfferingQualification {
    /// The first wrong field, named: a code of the catalogue's form, a name, and a
    /// qualification that ends after it starts and within [`QUALIFICATION_MONTHS`].
    pub fn check(&self) -> Result<(), crate::plan::PlanError> {
        let refuse = |field: &'static str, message: &str| crate::plan::PlanError {
            field,
            message: message.to_owned(),
        };
        let code_ok = (3..=40).contains(&self.code.len())
            && self
                .code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if !code_ok {
            return Err(refuse(
                "code",
                "use 3 to 40 capital letters, digits or '-', e.g. PSN-IAAS-SHARED",
            ));
        }
        if !(2..=200).contains(&self.name.trim().chars().count()) {
            return Err(refuse("name", "the name must have 2 to 200 characters"));
        }
        if self.qualified_until <= self.qualified_on {
            return Err(refuse(
                "qualifiedUntil",
                "the qualification must end after it starts",
            ));
        }
        let longest = self
            .qualified_on
            .checked_add_months(chrono::Months::new(QUALIFICATION_MONTHS))
            .unwrap_or(chrono::NaiveDate::MAX);
        if self.qualified_until > longest {
            return Err(refuse(
                "qualifiedUntil",
                "a qualification lasts at most 36 months",
            ));
        }
        Ok(())
    }
}

impl OfferingQualification {
    /// The checks that need the calendar and the supplier, after [`Self::check`]: a
    /// qualification recorded today must not have ended already, and an offering cannot
    /// stay qualified after its supplier (`supplier_until`, none for no end). Blames
    /// `qualifiedUntil`.
    pub fn check_on(
        &self,
        today: chrono::NaiveDate,
        supplier_until: Option<chrono::NaiveDate>,
    ) -> Result<(), crate::plan::PlanError> {
        let refuse = |message: String| crate::plan::PlanError {
            field: "qualifiedUntil",
            message,
        };
        if self.qualified_until < today {
            return Err(refuse(format!(
                "the qualification would have ended already on {}: give today or a later date",
                self.qualified_until
            )));
        }
        if let Some(end) = supplier_until.filter(|end| self.qualified_until > *end) {
            return Err(refuse(format!(
                "the offering cannot stay qualified after its supplier, whose qualification ends on {end}"
            )));
        }
        Ok(())
    }
}

/// The end of a supplier's qualification as the department records it on `today`:
/// none (no end), or from today to [`QUALIFICATION_MONTHS`] later. A past end is
/// nonsense for a new supplier; for a supplier already in the catalogue (`current`, its
/// end as stored) it is accepted only unchanged (a name corrected on a lapsed supplier)
/// or as yesterday, which withdraws the qualification from today. Blames
/// `qualifiedUntil`.
pub fn check_supplier_until(
    until: Option<chrono::NaiveDate>,
    current: Option<Option<chrono::NaiveDate>>,
    today: chrono::NaiveDate,
) -> Result<(), crate::plan::PlanError> {
    let refuse = |message: &str| crate::plan::PlanError {
        field: "qualifiedUntil",
        message: message.to_owned(),
    };
    let Some(until) = until else {
        return Ok(());
    };
    if until >= today {
        let longest = today
            .checked_add_months(chrono::Months::new(QUALIFICATION_MONTHS))
            .unwrap_or(chrono::NaiveDate::MAX);
        return if until > longest {
            Err(refuse("a qualification lasts at most 36 months from today"))
        } else {
            Ok(())
        };
    }
    match current {
        None => Err(refuse(
            "a new supplier cannot be qualified until a day already past: give today or a later date",
        )),
        Some(stored) if stored == Some(until) => Ok(()),
        Some(_) if today.pred_opt() == Some(until) => Ok(()),
        Some(_) => Err(refuse(
            "a qualification cannot be ended in the past: to withdraw it, end it yesterday",
        )),
    }
}

/// How a qualified offering is deployed.
pub const DEPLOYMENT_MODELS: [&str; 4] = ["PUBLIC", "PRIVATE", "HYBRID", "PSN"];

/// How a qualified offering is deployed (the codes of [`DEPLOYMENT_MODELS`]).
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeploymentModel {
    /// A public cloud.
    Public,
    /// A private cloud.
    Private,
    /// A hybrid cloud.
    Hybrid,
    /// The Polo Strategico Nazionale (its offerings only, and all of them).
    Psn,
}

impl DeploymentModel {
    pub const ALL: [DeploymentModel; 4] = [Self::Public, Self::Private, Self::Hybrid, Self::Psn];

    pub fn code(self) -> &'static str {
        match self {
            Self::Public => "PUBLIC",
            Self::Private => "PRIVATE",
            Self::Hybrid => "HYBRID",
            Self::Psn => "PSN",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|m| m.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new(
                    "deployment model",
                    input,
                    "expected PUBLIC, PRIVATE, HYBRID or PSN",
                )
            })
    }
}

/// Whether an offering may be deployed as `deployment` by its supplier: one of
/// [`DEPLOYMENT_MODELS`], and PSN for the Polo Strategico Nazionale's offerings only
/// (and for all of them). Blames `deploymentModel`.
pub fn check_deployment(
    deployment: &str,
    supplier_is_psn: bool,
) -> Result<(), crate::plan::PlanError> {
    let refuse = |message: &str| crate::plan::PlanError {
        field: "deploymentModel",
        message: message.to_owned(),
    };
    if !DEPLOYMENT_MODELS.contains(&deployment) {
        return Err(refuse("expected PUBLIC, PRIVATE, HYBRID or PSN"));
    }
    if (deployment == "PSN") != supplier_is_psn {
        return Err(refuse(
            "PSN deployment is for the Polo Strategico Nazionale's offerings, and only for them",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod qualification_tests {
    use super::*;

    #[test]
    fn a_qualification_lasts_at_most_36_months() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let q = OfferingQualification {
            code: "ACME-IAAS".into(),
            name: "ACME IaaS".into(),
            service_model: ServiceModel::parse("IAAS").unwrap(),
            max_data_class: DataClass::Critico,
            qualified_on: d(2025, 1, 10),
            qualified_until: d(2028, 1, 10),
        };
        assert_eq!(q.check(), Ok(()));
        let long = OfferingQualification {
            qualified_until: d(2028, 1, 11),
            ..q.clone()
        };
        assert_eq!(long.check().unwrap_err().field, "qualifiedUntil");
        let bad = OfferingQualification {
            code: "acme iaas".into(),
            ..q
        };
        assert_eq!(bad.check().unwrap_err().field, "code");
        assert!(check_deployment("PSN", true).is_ok());
        assert!(check_deployment("PUBLIC", false).is_ok());
        assert_eq!(
            check_deployment("PSN", false).unwrap_err().field,
            "deploymentModel"
        );
        assert!(check_deployment("PUBLIC", true).is_err());
        assert!(check_deployment("CLOUD", false).is_err());
    }

    #[test]
    fn master_data_refuses_what_has_already_ended() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let today = d(2026, 11, 30);
        // A new supplier: from today to 36 months later, or no end.
        assert!(check_supplier_until(None, None, today).is_ok());
        assert!(check_supplier_until(Some(today), None, today).is_ok());
        assert!(check_supplier_until(Some(d(2029, 11, 30)), None, today).is_ok());
        assert!(check_supplier_until(Some(d(2029, 12, 1)), None, today).is_err());
        let past = check_supplier_until(Some(d(2025, 6, 30)), None, today).unwrap_err();
        assert_eq!(past.field, "qualifiedUntil");
        // An existing one: withdrawn by ending it yesterday, or kept as stored.
        let stored = Some(Some(d(2028, 1, 31)));
        assert!(check_supplier_until(Some(d(2026, 11, 29)), stored, today).is_ok());
        assert!(check_supplier_until(Some(d(2001, 1, 1)), stored, today).is_err());
        let lapsed = Some(Some(d(2025, 6, 30)));
        assert!(check_supplier_until(Some(d(2025, 6, 30)), lapsed, today).is_ok());

        // An offering: not ended already, not beyond its supplier.
        let q = OfferingQualification {
            code: "ACME-IAAS".into(),
            name: "ACME IaaS".into(),
            service_model: ServiceModel::Iaas,
            max_data_class: DataClass::Ordinario,
            qualified_on: d(2026, 1, 1),
            qualified_until: d(2028, 12, 31),
        };
        assert!(q.check_on(today, None).is_ok());
        assert!(q.check_on(today, Some(d(2028, 12, 31))).is_ok());
        let beyond = q.check_on(today, Some(d(2028, 6, 30))).unwrap_err();
        assert!(beyond.message.contains("after its supplier"), "{beyond}");
        let ended = OfferingQualification {
            qualified_on: d(2024, 1, 1),
            qualified_until: d(2026, 1, 1),
            ..q
        };
        assert_eq!(
            ended.check_on(today, None).unwrap_err().field,
            "qualifiedUntil"
        );
    }
}
