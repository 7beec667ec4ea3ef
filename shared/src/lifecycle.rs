//! The rules of the life cycle's inputs that are not a state table: the assessment
//! questionnaire, cut-over windows, the reasons for renouncing or revoking, the
//! verification outcome, and the size of a bulk update. The server checks them on every
//! change and the browser before it sends one.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::plan::PlanError;
use crate::ParseError;

fn refuse(field: &'static str, message: impl Into<String>) -> PlanError {
    PlanError {
        field,
        message: message.into(),
    }
}

/// The most services one bulk status update may move (all or none).
pub const MAX_BULK_SERVICES: usize = 500;

/// The most services one update by filter (every service a filter selects, across
/// pages) may move, all or none.
pub const MAX_FILTER_BULK_SERVICES: usize = 10_000;

/// The longest planned downtime of one cut-over.
pub const MAX_CUTOVER_HOURS: i64 = 72;

/// One version of a service's assessment questionnaire (*questionario di assessment*).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Questionnaire {
    /// The application that delivers the service, e.g. "Civilia Next".
    pub application_name: Option<String>,
    pub cpu_cores: Option<i32>,
    pub memory_gb: Option<i32>,
    pub storage_gb: Option<i32>,
    /// How many people use the service.
    pub users: Option<i32>,
    /// Where it will run, in words (the offering or data centre).
    pub destination: Option<String>,
    pub provider_activated_on: Option<NaiveDate>,
    pub migration_started_on: Option<NaiveDate>,
    pub go_live_on: Option<NaiveDate>,
}

impl Questionnaire {
    /// Checks the answers on `today`; the first wrong field is named.
    pub fn check(&self, today: NaiveDate) -> Result<(), PlanError> {
        text("applicationName", self.application_name.as_deref(), 200)?;
        text("destination", self.destination.as_deref(), 200)?;
        count("cpuCores", self.cpu_cores, 1, 100_000)?;
        count("memoryGb", self.memory_gb, 1, 10_000_000)?;
        count("storageGb", self.storage_gb, 1, 1_000_000_000)?;
        count("users", self.users, 0, 100_000_000)?;
        let dates = [
            ("providerActivatedOn", self.provider_activated_on),
            ("migrationStartedOn", self.migration_started_on),
            ("goLiveOn", self.go_live_on),
        ];
        let earliest = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(NaiveDate::MIN);
        let latest = today + Duration::days(3 * 366);
        for (field, date) in dates {
            if let Some(d) = date {
                if d < earliest || d > latest {
                    return Err(refuse(
                        field,
                        format!("the date must fall between {earliest} and {latest}"),
                    ));
                }
            }
        }
        if let (Some(start), Some(live)) = (self.migration_started_on, self.go_live_on) {
            if live < start {
                return Err(refuse(
                    "goLiveOn",
                    "the go-live cannot come before the migration started",
                ));
            }
        }
        if let (Some(active), Some(start)) = (self.provider_activated_on, self.migration_started_on)
        {
            if start < active {
                return Err(refuse(
                    "migrationStartedOn",
                    "the migration cannot start before the provider was activated",
                ));
            }
        }
        if self == &Questionnaire::default() {
            return Err(refuse("applicationName", "answer at least one question"));
        }
        Ok(())
    }
}

fn text(field: &'static str, value: Option<&str>, max: usize) -> Result<(), PlanError> {
    match value {
        Some(v) if v.trim().is_empty() || v.chars().count() > max => Err(refuse(
            field,
            format!("write 1 to {max} characters, or leave it out"),
        )),
        _ => Ok(()),
    }
}

fn count(field: &'static str, value: Option<i32>, min: i32, max: i32) -> Result<(), PlanError> {
    match value {
        Some(v) if v < min || v > max => {
            Err(refuse(field, format!("must be between {min} and {max}")))
        }
        _ => Ok(()),
    }
}

/// A planned downtime for a service's cut-over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CutoverWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl CutoverWindow {
    /// A window must end after it starts, last at most [`MAX_CUTOVER_HOURS`] and not
    /// start in the past.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), PlanError> {
        if self.end <= self.start {
            return Err(refuse("end", "the window must end after it starts"));
        }
        if self.end - self.start > Duration::hours(MAX_CUTOVER_HOURS) {
            return Err(refuse(
                "end",
                format!("a cut-over window lasts at most {MAX_CUTOVER_HOURS} hours"),
            ));
        }
        if self.start < now {
            return Err(refuse("start", "the window cannot start in the past"));
        }
        Ok(())
    }
}

/// Why a project is renounced or revoked: written down, for the record and the decree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason(String);

impl Reason {
    pub const MIN: usize = 10;
    pub const MAX: usize = 2000;

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let trimmed = input.trim();
        let n = trimmed.chars().count();
        if !(Self::MIN..=Self::MAX).contains(&n) {
            return Err(ParseError::new(
                "reason",
                input,
                format!(
                    "write the reason in {} to {} characters",
                    Self::MIN,
                    Self::MAX
                ),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The technical conformity outcome of a verification (*esito dell'asseverazione*).
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VerificationOutcome {
    /// Conforming: the administration may ask to be paid.
    Positive,
    /// Some services must be redone: the project goes back to MIGRATING.
    Partial,
    /// Not conforming: the department may revoke the funding.
    Negative,
}

impl VerificationOutcome {
    pub const ALL: [VerificationOutcome; 3] = [Self::Positive, Self::Partial, Self::Negative];

    pub fn code(self) -> &'static str {
        match self {
            Self::Positive => "POSITIVE",
            Self::Partial => "PARTIAL",
            Self::Negative => "NEGATIVE",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|o| o.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new("outcome", input, "expected POSITIVE, PARTIAL or NEGATIVE")
            })
    }

    pub fn label_it(self) -> &'static str {
        match self {
            Self::Positive => "Positivo",
            Self::Partial => "Parzialmente positivo",
            Self::Negative => "Negativo",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_questionnaire_names_its_first_wrong_answer() {
        let today = d(2026, 11, 23);
        let ok = Questionnaire {
            application_name: Some("Registro elettronico".into()),
            cpu_cores: Some(4),
            memory_gb: Some(16),
            migration_started_on: Some(d(2026, 9, 1)),
            go_live_on: Some(d(2026, 10, 1)),
            ..Default::default()
        };
        assert_eq!(ok.check(today), Ok(()));
        let bad = Questionnaire {
            cpu_cores: Some(0),
            ..ok.clone()
        };
        assert_eq!(bad.check(today).unwrap_err().field, "cpuCores");
        let backwards = Questionnaire {
            go_live_on: Some(d(2026, 8, 1)),
            ..ok.clone()
        };
        assert_eq!(backwards.check(today).unwrap_err().field, "goLiveOn");
        assert_eq!(
            Questionnaire::default().check(today).unwrap_err().field,
            "applicationName"
        );
    }

    #[test]
    fn cutover_windows_are_short_and_in_the_future() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let w = |s: i64, e: i64| CutoverWindow {
            start: now + Duration::hours(s),
            end: now + Duration::hours(e),
        };
        assert!(w(24, 30).check(now).is_ok());
        assert_eq!(w(24, 20).check(now).unwrap_err().field, "end");
        assert_eq!(w(24, 24 + 73).check(now).unwrap_err().field, "end");
        assert_eq!(w(-2, 3).check(now).unwrap_err().field, "start");
    }

    #[test]
    fn reasons_and_outcomes_parse() {
        assert!(Reason::parse("troppo corto").is_ok());
        assert!(Reason::parse("  no  ").is_err());
        assert_eq!(
            VerificationOutcome::parse("partial").unwrap(),
            VerificationOutcome::Partial
        );
        assert!(VerificationOutcome::parse("maybe").is_err());
    }
}
