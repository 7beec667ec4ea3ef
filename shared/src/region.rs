use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// One of the 20 Italian regions, named as the open data names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(u8);

/// (ISTAT code, name as published). Order is the ISTAT order.
const REGIONS: [(&str, &str); 20] = [
    ("01", "Piemonte"),
    ("02", "Valle d'Aosta/Vallée d'Aoste"),
    ("03", "Lombardia"),
    ("04", "Trentino-Alto Adige/Südtirol"),
    ("05", "Veneto"),
    ("06", "Friuli-Venezia Giulia"),
    ("07", "Liguria"),
    ("08", "Emilia-Romagna"),
    ("09", "Toscana"),
    ("10", "Umbria"),
    ("11", "Marche"),
    ("12", "Lazio"),
    ("13", "Abruzzo"),
    ("14", "Molise"),
    ("15", "Campania"),
    ("16", "Puglia"),
    ("17", "Basilicata"),
    ("18", "Calabria"),
    ("19", "Sicilia"),
    ("20", "Sardegna"),
];

/// Other spellings people type, mapped to the published name.
const ALIASES: [(&str, &str); 6] = [
    ("valle d'aosta", "Valle d'Aosta/Vallée d'Aoste"),
    ("vallée d'aoste", "Valle d'Aosta/Vallée d'Aoste"),
    ("trentino-alto adige", "Trentino-Alto Adige/Südtirol"),
    ("trentino alto adige", "Trentino-Alto Adige/Südtirol"),
    ("friuli venezia giulia", "Friuli-Venezia Giulia"),
    ("emilia romagna", "Emilia-Romagna"),
];

impl Region {
    /// Every region, in ISTAT order.
    pub fn all() -> impl Iterator<Item = Region> {
        (0..REGIONS.len() as u8).map(Region)
    }

    /// Parses a region name: the published spelling, any ASCII case, or a common variant.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        let lower = s.to_lowercase();
        let name = ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .map(|(_, name)| *name)
            .unwrap_or(s);
        REGIONS
            .iter()
            .position(|(_, n)| n.to_lowercase() == name.to_lowercase())
            .map(|i| Region(i as u8))
            .ok_or_else(|| {
                ParseError::new(
                    "region",
                    input,
                    "is not an Italian region; use the name as the open data writes it, e.g. \"Lombardia\" or \"Emilia-Romagna\"",
                )
            })
    }

    /// Finds a region by its two-digit ISTAT code (`"03"` is Lombardia).
    pub fn from_istat(code: &str) -> Result<Self, ParseError> {
        REGIONS
            .iter()
            .position(|(c, _)| *c == code.trim())
            .map(|i| Region(i as u8))
            .ok_or_else(|| ParseError::new("region ISTAT code", code, "is not one of 01..20"))
    }

    pub fn name(self) -> &'static str {
        REGIONS[self.0 as usize].1
    }

    pub fn istat_code(self) -> &'static str {
        REGIONS[self.0 as usize].0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<String> for Region {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Region> for String {
    fn from(r: Region) -> String {
        r.name().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_published_names_and_variants() {
        assert_eq!(Region::parse("Lombardia").unwrap().istat_code(), "03");
        assert_eq!(Region::parse("lombardia").unwrap().name(), "Lombardia");
        assert_eq!(
            Region::parse("Trentino-Alto Adige/Südtirol")
                .unwrap()
                .istat_code(),
            "04"
        );
        assert_eq!(
            Region::parse("emilia romagna").unwrap().name(),
            "Emilia-Romagna"
        );
        assert_eq!(Region::from_istat("07").unwrap().name(), "Liguria");
    }

    #[test]
    fn refuses_unknown_regions_with_a_hint() {
        let err = Region::parse("Lombardy").unwrap_err();
        assert!(err.to_string().contains("Lombardia"));
        assert!(Region::from_istat("21").is_err());
    }

    #[test]
    fn there_are_twenty() {
        assert_eq!(Region::all().count(), 20);
    }
}
