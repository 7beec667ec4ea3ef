//! Values exchanged between the browser and the server.

use serde::{Deserialize, Serialize};

use crate::{AdministrationType, ApplicationState, CallTitle, ParseError, Region};

/// A filter on applications, as the browser builds it and the server checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationFilter {
    pub region: Option<String>,
    pub call_title: Option<String>,
    pub administration_type: Option<String>,
    pub state: Option<ApplicationState>,
}

/// An [`ApplicationFilter`] whose values have been parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFilter {
    pub region: Option<Region>,
    pub call_title: Option<CallTitle>,
    pub administration_type: Option<AdministrationType>,
    pub state: Option<ApplicationState>,
}

impl ApplicationFilter {
    /// Parses every value; an empty string means "any".
    pub fn parse(&self) -> Result<ParsedFilter, ParseError> {
        fn some(s: &Option<String>) -> Option<&str> {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        Ok(ParsedFilter {
            region: some(&self.region).map(Region::parse).transpose()?,
            call_title: some(&self.call_title).map(CallTitle::parse).transpose()?,
            administration_type: some(&self.administration_type)
                .map(AdministrationType::parse)
                .transpose()?,
            state: self.state,
        })
    }
}

/// The most a client may ask for in one page.
pub const MAX_PAGE_SIZE: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_strings_mean_any_and_bad_values_are_refused() {
        let f = ApplicationFilter {
            region: Some(" ".into()),
            administration_type: Some("Scuole".into()),
            ..Default::default()
        };
        let p = f.parse().unwrap();
        assert_eq!(p.region, None);
        assert_eq!(p.administration_type, Some(AdministrationType::Scuola));
        let bad = ApplicationFilter {
            region: Some("Atlantis".into()),
            ..Default::default()
        };
        assert_eq!(bad.parse().unwrap_err().field, "region");
    }

    #[test]
    fn serialises_in_camel_case_for_graphql() {
        let f = ApplicationFilter {
            call_title: Some("x".into()),
            state: Some(ApplicationState::UnderVerification),
            ..Default::default()
        };
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.contains("\"callTitle\":\"x\""), "{json}");
        assert!(json.contains("UNDER_VERIFICATION"), "{json}");
    }
}
