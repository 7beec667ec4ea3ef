//! Values exchanged between the browser and the server.

use serde::{Deserialize, Serialize};

use crate::{AdministrationType, ApplicationState, CallTitle, ParseError, Region, ServiceState};

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

/// The longest text a list's search box takes.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The search text of a list: trimmed, lower-cased; empty means "any". Longer than
/// [`MAX_SEARCH_CHARS`] is refused.
pub fn parse_search(input: Option<&str>) -> Result<Option<String>, ParseError> {
    let Some(text) = input.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(ParseError::new(
            "search",
            text,
            format!("at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    Ok(Some(text.to_lowercase()))
}

/// A filter on the planned services of a supplier (or PSN, or an administration), as
/// the browser builds it and the server checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceFilter {
    /// Part of the service's name, the body's name or the project's CUP.
    pub search: Option<String>,
    pub status: Option<ServiceState>,
    /// The body's region, as the open data writes it.
    pub region: Option<String>,
}

/// A [`ServiceFilter`] whose values have been parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedServiceFilter {
    /// Lower-cased.
    pub search: Option<String>,
    pub status: Option<ServiceState>,
    pub region: Option<Region>,
}

impl ServiceFilter {
    /// Parses every value; an empty string means "any".
    pub fn parse(&self) -> Result<ParsedServiceFilter, ParseError> {
        Ok(ParsedServiceFilter {
            search: parse_search(self.search.as_deref())?,
            status: self.status,
            region: self
                .region
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Region::parse)
                .transpose()?,
        })
    }
}

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

    #[test]
    fn service_filters_trim_lower_and_bound_the_search() {
        let f = ServiceFilter {
            search: Some("  Segreteria ".into()),
            region: Some("".into()),
            status: Some(ServiceState::Assessed),
        };
        let p = f.parse().unwrap();
        assert_eq!(p.search.as_deref(), Some("segreteria"));
        assert_eq!(p.region, None);
        assert_eq!(p.status, Some(ServiceState::Assessed));
        let long = ServiceFilter {
            search: Some("x".repeat(MAX_SEARCH_CHARS + 1)),
            ..Default::default()
        };
        assert_eq!(long.parse().unwrap_err().field, "search");
        assert_eq!(parse_search(Some("   ")).unwrap(), None);
    }
}
