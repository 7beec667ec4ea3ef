use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The kind of public body (*tipologia ente*).
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AdministrationType {
    /// Comune.
    Comune,
    /// Istituzione scolastica.
    Scuola,
    /// Azienda sanitaria locale or azienda ospedaliera.
    AslAo,
    /// Provincia.
    Provincia,
    /// Città metropolitana.
    CittaMetropolitana,
    /// Any other body (*Altri Enti*).
    Altro,
}

impl AdministrationType {
    pub const ALL: [AdministrationType; 6] = [
        Self::Comune,
        Self::Scuola,
        Self::AslAo,
        Self::Provincia,
        Self::CittaMetropolitana,
        Self::Altro,
    ];

    /// Stable code, used in the database and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Comune => "COMUNE",
            Self::Scuola => "SCUOLA",
            Self::AslAo => "ASL_AO",
            Self::Provincia => "PROVINCIA",
            Self::CittaMetropolitana => "CITTA_METROPOLITANA",
            Self::Altro => "ALTRO",
        }
    }

    /// Italian label for people.
    pub fn label_it(self) -> &'static str {
        match self {
            Self::Comune => "Comune",
            Self::Scuola => "Scuola",
            Self::AslAo => "ASL / Azienda ospedaliera",
            Self::Provincia => "Provincia",
            Self::CittaMetropolitana => "Città metropolitana",
            Self::Altro => "Altro ente",
        }
    }

    /// Parses a stable code (`COMUNE`) or a label as published (`Comune`, `Scuole`,
    /// `Altri Enti`, `ASL`), case-insensitively.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim().to_lowercase();
        let t = match s.as_str() {
            "comune" | "comuni" => Self::Comune,
            "scuola" | "scuole" | "istituto scolastico" | "istituzione scolastica" => Self::Scuola,
            "asl_ao"
            | "asl"
            | "ao"
            | "asl/ao"
            | "aziende ospedaliere"
            | "azienda ospedaliera"
            | "azienda sanitaria" => Self::AslAo,
            "provincia" | "province" => Self::Provincia,
            "citta_metropolitana"
            | "città metropolitana"
            | "citta metropolitana"
            | "città metropolitane"
            | "citta metropolitane" => Self::CittaMetropolitana,
            "altro" | "altri enti" | "altro ente" => Self::Altro,
            _ => {
                return Err(ParseError::new(
                    "administration type",
                    input,
                    "expected one of COMUNE, SCUOLA, ASL_AO, PROVINCIA, CITTA_METROPOLITANA, ALTRO",
                ))
            }
        };
        Ok(t)
    }

    /// The open data's label (`tipologia_ente`) for this type.
    pub fn open_data_label(self) -> &'static str {
        match self {
            Self::Comune => "Comune",
            Self::Scuola => "Scuole",
            Self::AslAo => "ASL/AO",
            Self::Provincia => "Provincia",
            Self::CittaMetropolitana => "Città metropolitana",
            Self::Altro => "Altri Enti",
        }
    }

    /// Infers the type of body from the open-data label, the call it applied to and its
    /// name. The open data files health agencies under "Altri Enti"; the call tells.
    pub fn infer(label: Option<&str>, call_title: &str, name: &str) -> Self {
        let call = call_title.to_lowercase();
        if call.contains("asl") {
            return Self::AslAo;
        }
        if let Some(t) = label.and_then(|l| Self::parse(l).ok()) {
            if t != Self::Altro {
                return t;
            }
        }
        if call.contains("scuol") {
            return Self::Scuola;
        }
        if call.contains("comuni") {
            return Self::Comune;
        }
        let n = name.to_lowercase();
        if n.starts_with("città metropolitana") || n.starts_with("citta' metropolitana") {
            Self::CittaMetropolitana
        } else if n.starts_with("provincia") {
            Self::Provincia
        } else {
            Self::Altro
        }
    }
}

impl fmt::Display for AdministrationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_codes() {
        for t in AdministrationType::ALL {
            assert_eq!(AdministrationType::parse(t.code()).unwrap(), t);
        }
    }

    #[test]
    fn health_agencies_published_as_other_bodies_are_recognised_by_their_call() {
        let t = AdministrationType::infer(
            Some("Altri Enti"),
            "1.2 Abilitazione al Cloud - ASL/AO- dicembre 2022",
            "Asl Foggia",
        );
        assert_eq!(t, AdministrationType::AslAo);
        assert_eq!(
            AdministrationType::infer(Some("Scuole"), "x", "IC Dante"),
            AdministrationType::Scuola
        );
    }
}
