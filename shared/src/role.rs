use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Who is acting. PUBLIC is anyone without a token.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// A public body (*ente*), bound to one IPA code.
    Administration,
    /// A qualified cloud supplier, bound to one VAT number.
    Supplier,
    /// The operator of the Polo Strategico Nazionale: a supplier flagged as PSN.
    Psn,
    /// The central monitoring department.
    Department,
    /// An independent verifier (*asseveratore*).
    Verifier,
    /// Anyone, no login.
    Public,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Administration,
        Role::Supplier,
        Role::Psn,
        Role::Department,
        Role::Verifier,
        Role::Public,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Administration => "ADMINISTRATION",
            Role::Supplier => "SUPPLIER",
            Role::Psn => "PSN",
            Role::Department => "DEPARTMENT",
            Role::Verifier => "VERIFIER",
            Role::Public => "PUBLIC",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Role::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new(
                    "role",
                    input,
                    "expected ADMINISTRATION, SUPPLIER, PSN, DEPARTMENT, VERIFIER or PUBLIC",
                )
            })
    }

    /// Whether this role acts for a cloud supplier (PSN included).
    pub fn is_supplier(self) -> bool {
        matches!(self, Role::Supplier | Role::Psn)
    }

    pub fn label_it(self) -> &'static str {
        match self {
            Role::Administration => "Amministrazione",
            Role::Supplier => "Fornitore cloud",
            Role::Psn => "Polo Strategico Nazionale",
            Role::Department => "Dipartimento",
            Role::Verifier => "Asseveratore",
            Role::Public => "Pubblico",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
