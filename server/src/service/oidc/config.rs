//! Which OpenID Connect providers Nuvola offers: configuration, not code.
//!
//! `nuvola serve --oidc-config FILE` (or `NUVOLA_OIDC_CONFIG`) reads a TOML or JSON file
//! (by its extension: `.json` is JSON, anything else TOML):
//!
//! ```toml
//! # The address people reach Nuvola at: the entity id and the redirect URI derive from
//! # it. Default: the address of the request.
//! public_url = "https://nuvola.example.it"
//! organization_name = "Nuvola"
//!
//! [[provider]]
//! id = "spid-test"                      # in URLs: /auth/oidc/spid-test/start
//! label = "SPID di prova"
//! kind = "SPID"                         # SPID, CIE or OIDC (another OpenID provider)
//! issuer = "http://127.0.0.1:9090"
//! client_id = "https://nuvola.example.it"
//! # Optional, with these defaults:
//! acr_values = "https://www.spid.gov.it/SpidL2"
//! scopes = ["openid", "profile", "email"]
//! claims = { fiscal_code = "https://attributes.eid.gov.it/fiscal_number", given_name = "given_name", family_name = "family_name", email = "email" }
//! ```
//!
//! No file, or one with no provider: no SPID/CIE buttons and nothing else changes.

use std::path::Path;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

/// The level of assurance asked of SPID by default (SPID level 2).
pub const DEFAULT_ACR: &str = "https://www.spid.gov.it/SpidL2";
/// The claim that carries the fiscal code in SPID and CIE.
pub const FISCAL_NUMBER_CLAIM: &str = "https://attributes.eid.gov.it/fiscal_number";

/// The kind of a provider: it decides the button the login page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ProviderKind {
    Spid,
    Cie,
    Oidc,
}

impl ProviderKind {
    pub fn code(self) -> &'static str {
        match self {
            ProviderKind::Spid => "SPID",
            ProviderKind::Cie => "CIE",
            ProviderKind::Oidc => "OIDC",
        }
    }
}

/// The names of the claims Nuvola reads from the UserInfo.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimNames {
    pub fiscal_code: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        Self {
            fiscal_code: FISCAL_NUMBER_CLAIM.to_owned(),
            given_name: "given_name".to_owned(),
            family_name: "family_name".to_owned(),
            email: "email".to_owned(),
        }
    }
}

fn default_acr() -> String {
    DEFAULT_ACR.to_owned()
}

fn default_scopes() -> Vec<String> {
    vec![
        "openid".to_owned(),
        "profile".to_owned(),
        "email".to_owned(),
    ]
}

/// One identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Lower-case letters, digits and dashes; part of the login URL.
    pub id: String,
    /// What the login page calls it.
    pub label: String,
    pub kind: ProviderKind,
    /// The issuer; its discovery document is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    /// Nuvola's client id at this provider (in the SPID/CIE federation: Nuvola's entity id).
    pub client_id: String,
    /// `acr_values` asked of the provider.
    #[serde(default = "default_acr")]
    pub acr_values: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub claims: ClaimNames,
}

/// The OpenID Connect settings of a server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The address people reach Nuvola at, without a trailing slash; default: the
    /// request's scheme and host.
    #[serde(default)]
    pub public_url: Option<String>,
    /// The name in the entity configuration.
    #[serde(default)]
    pub organization_name: Option<String>,
    #[serde(default, rename = "provider", alias = "providers")]
    pub providers: Vec<ProviderConfig>,
}

impl OidcConfig {
    /// Reads and checks a configuration file (`.json`: JSON, otherwise TOML).
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "reading the OpenID Connect configuration {}",
                path.display()
            )
        })?;
        let config: Self = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            serde_json::from_str(&text)
                .with_context(|| format!("parsing {} as JSON", path.display()))?
        } else {
            toml::from_str(&text).with_context(|| format!("parsing {} as TOML", path.display()))?
        };
        config.check()?;
        Ok(config)
    }

    /// Refuses a configuration Nuvola could not use: a bad id, a repeated id, an issuer
    /// that is not an http(s) URL, an empty client id.
    pub fn check(&self) -> anyhow::Result<()> {
        if let Some(url) = &self.public_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                bail!("public_url must be an http(s) address, not {url:?}");
            }
        }
        let mut seen = std::collections::HashSet::new();
        for p in &self.providers {
            if p.id.is_empty()
                || p.id.len() > 64
                || !p
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                bail!(
                    "provider id {:?}: use 1 to 64 lower-case letters, digits and dashes",
                    p.id
                );
            }
            if !seen.insert(p.id.as_str()) {
                bail!("provider id {:?} is given twice", p.id);
            }
            if !(p.issuer.starts_with("https://") || p.issuer.starts_with("http://")) {
                bail!(
                    "provider {:?}: the issuer must be an http(s) address, not {:?}",
                    p.id,
                    p.issuer
                );
            }
            if p.client_id.trim().is_empty() {
                bail!("provider {:?}: client_id is empty", p.id);
            }
            if p.label.trim().is_empty() {
                bail!("provider {:?}: label is empty", p.id);
            }
            if !p.scopes.iter().any(|s| s == "openid") {
                bail!("provider {:?}: the scopes must include openid", p.id);
            }
        }
        Ok(())
    }

    pub fn provider(&self, id: &str) -> Option<&ProviderConfig> {
        self.providers.iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toml_provider_takes_the_spid_defaults() {
        let config: OidcConfig = toml::from_str(
            r#"
            [[provider]]
            id = "spid-test"
            label = "SPID di prova"
            kind = "SPID"
            issuer = "http://127.0.0.1:9090"
            client_id = "nuvola"
            "#,
        )
        .unwrap_or_default();
        assert!(config.check().is_ok());
        let p = &config.providers[0];
        assert_eq!(p.kind, ProviderKind::Spid);
        assert_eq!(p.acr_values, DEFAULT_ACR);
        assert_eq!(p.claims.fiscal_code, FISCAL_NUMBER_CLAIM);
        assert_eq!(p.scopes, ["openid", "profile", "email"]);
    }

    #[test]
    fn a_json_configuration_reads_the_same() {
        let config: OidcConfig = serde_json::from_str(
            r#"{"providers": [{"id": "cie", "label": "CIE", "kind": "CIE",
                "issuer": "https://id.example.it", "client_id": "x"}]}"#,
        )
        .unwrap_or_default();
        assert_eq!(config.providers.len(), 1);
        assert_eq!(config.providers[0].kind, ProviderKind::Cie);
    }

    #[test]
    fn repeated_or_malformed_ids_are_refused() {
        let p = ProviderConfig {
            id: "spid".to_owned(),
            label: "SPID".to_owned(),
            kind: ProviderKind::Spid,
            issuer: "https://a.example".to_owned(),
            client_id: "c".to_owned(),
            acr_values: default_acr(),
            scopes: default_scopes(),
            claims: ClaimNames::default(),
        };
        let twice = OidcConfig {
            providers: vec![p.clone(), p.clone()],
            ..Default::default()
        };
        assert!(twice.check().is_err());
        let bad = OidcConfig {
            providers: vec![ProviderConfig {
                id: "Bad Id".to_owned(),
                ..p
            }],
            ..Default::default()
        };
        assert!(bad.check().is_err());
    }
}
