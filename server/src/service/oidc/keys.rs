//! The relying party's own keys: one to sign (RS256: request objects, client assertions,
//! the entity configuration) and one to decrypt (RSA-OAEP-256: the UserInfo JWE).
//!
//! Made once, by whichever replica needs them first, and kept in `app_secret` so that
//! every replica signs with the same key and can decrypt what the provider encrypted to
//! the published one. The cryptography is josekit's (OpenSSL); nothing here is written
//! by hand but the bookkeeping.

use base64::Engine;
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::{Jwk, KeyPair};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::entity::app_secret;

/// The `app_secret` name of the signing key (PKCS#8 PEM).
pub const SIGNING_KEY: &str = "oidc_signing_key";
/// The `app_secret` name of the encryption key (PKCS#8 PEM).
pub const ENCRYPTION_KEY: &str = "oidc_encryption_key";
/// The signing algorithm of everything Nuvola signs.
pub const SIGNING_ALG: &str = "RS256";
/// The key-management algorithm Nuvola asks the provider to encrypt the UserInfo with.
pub const ENCRYPTION_ALG: &str = "RSA-OAEP-256";
/// The content encryption of the UserInfo JWE.
pub const ENCRYPTION_ENC: &str = "A128CBC-HS256";
const RSA_BITS: u32 = 2048;

/// The pair of keys, with their key ids.
#[derive(Clone)]
pub struct RpKeys {
    pub signing_pem: String,
    pub signing_kid: String,
    pub encryption_pem: String,
    pub encryption_kid: String,
    signing_public: Jwk,
    encryption_public: Jwk,
}

impl std::fmt::Debug for RpKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpKeys")
            .field("signing_kid", &self.signing_kid)
            .field("encryption_kid", &self.encryption_kid)
            .finish_non_exhaustive()
    }
}

/// Why the keys could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("the relying party's {0} is not a usable RSA key: {1}")]
    Unusable(&'static str, String),
}

/// The key id: the JWK thumbprint (RFC 7638) of the public key, SHA-256, base64url.
fn thumbprint(public: &Jwk) -> String {
    let n = public
        .parameter("n")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let e = public
        .parameter("e")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // The members in lexicographic order, no whitespace, as the RFC requires.
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn public_jwk(
    pem: &str,
    what: &'static str,
    key_use: &str,
    alg: &str,
) -> Result<(Jwk, String), KeyError> {
    let pair = RsaKeyPair::from_pem(pem.as_bytes())
        .map_err(|e| KeyError::Unusable(what, e.to_string()))?;
    let mut jwk = pair.to_jwk_public_key();
    let kid = thumbprint(&jwk);
    jwk.set_key_id(kid.clone());
    jwk.set_key_use(key_use);
    jwk.set_algorithm(alg);
    Ok((jwk, kid))
}

impl RpKeys {
    fn from_pems(signing_pem: String, encryption_pem: String) -> Result<Self, KeyError> {
        let (signing_public, signing_kid) =
            public_jwk(&signing_pem, "signing key", "sig", SIGNING_ALG)?;
        let (encryption_public, encryption_kid) =
            public_jwk(&encryption_pem, "encryption key", "enc", ENCRYPTION_ALG)?;
        Ok(Self {
            signing_pem,
            signing_kid,
            encryption_pem,
            encryption_kid,
            signing_public,
            encryption_public,
        })
    }

    /// The public keys as a JWK Set: what providers verify Nuvola's signatures with and
    /// encrypt to.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [
            Value::Object(self.signing_public.as_ref().clone()),
            Value::Object(self.encryption_public.as_ref().clone()),
        ]})
    }

    /// The federation keys of the entity configuration: the signing key only.
    pub fn federation_jwks(&self) -> Value {
        json!({ "keys": [Value::Object(self.signing_public.as_ref().clone())] })
    }
}

/// A new RSA private key in PKCS#8 PEM (OpenSSL, off the async workers).
async fn generate() -> Result<String, KeyError> {
    tokio::task::spawn_blocking(|| {
        RsaKeyPair::generate(RSA_BITS)
            .map(|k| String::from_utf8_lossy(&k.to_pem_private_key()).into_owned())
            .map_err(|e| KeyError::Unusable("new key", e.to_string()))
    })
    .await
    .map_err(|e| KeyError::Unusable("new key", e.to_string()))?
}

/// The stored key of that name, made and stored first if there is none. Two replicas
/// that make one at once both insert-if-absent and then read: they end with the same key.
async fn stored_or_new(db: &impl ConnectionTrait, name: &'static str) -> Result<String, KeyError> {
    if let Some(s) = app_secret::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
    {
        return Ok(s.value);
    }
    let pem = generate().await?;
    app_secret::Entity::insert(app_secret::ActiveModel {
        name: Set(name.to_owned()),
        value: Set(pem),
    })
    .on_conflict(
        OnConflict::column(app_secret::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec_without_returning(db)
    .await?;
    app_secret::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
        .map(|s| s.value)
        .ok_or_else(|| KeyError::Db(DbErr::RecordNotFound(format!("the secret {name}"))))
}

/// The relying party's keys, from the database, made there on first use.
pub async fn load_or_create(db: &impl ConnectionTrait) -> Result<RpKeys, KeyError> {
    let signing = stored_or_new(db, SIGNING_KEY).await?;
    let encryption = stored_or_new(db, ENCRYPTION_KEY).await?;
    RpKeys::from_pems(signing, encryption)
}
