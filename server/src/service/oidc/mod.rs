//! Logging in with SPID, CIE or any OpenID Connect provider (the SPID/CIE OIDC profile).
//!
//! - [`config`]: which providers, from a file: configuration, not code.
//! - [`keys`]: the relying party's signing and encryption keys, kept in the database.
//! - this module: the flow. [`Oidc::start`] sends the person to the provider with an
//!   authorization-code request (PKCE S256, `state`, `nonce`, a signed request object,
//!   `acr_values`, `prompt=consent login`) and keeps what the answer must match in
//!   `oidc_login`; [`Oidc::callback`] takes that row once, exchanges the code with a
//!   `private_key_jwt` client assertion, verifies the ID token (issuer, audience,
//!   signature with the algorithms the profile allows, nonce, expiry), fetches the
//!   UserInfo signed and encrypted, decrypts and verifies it, reads the fiscal code, finds
//!   or creates the person and opens a session.
//!
//! The protocol is the `openidconnect` crate's (discovery, the authorization URL, the code
//! exchange, ID-token verification); what it lacks (signing the request object and the
//! client assertion, decrypting and verifying the UserInfo JWE) is josekit's. No
//! cryptography is written here.

pub mod config;
pub mod keys;

use std::net::IpAddr;
use std::time::{Duration as StdDuration, SystemTime};

use chrono::{Duration, Utc};
use josekit::jwe::{RSA_OAEP, RSA_OAEP_256};
use josekit::jwk::{Jwk, JwkSet};
use josekit::jws::{JwsHeader, JwsVerifier, PS256, PS512, RS256, RS512};
use josekit::jwt::{self, JwtPayload};
use nuvola_shared::{FiscalCode, Role};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};
use serde_json::{json, Map, Value};

use crate::audit::{self, Actor, Change};
use crate::entity::{account, oidc_login};
use crate::service::auth::{self, IssuedToken};
use crate::service::membership as memberships;
pub use config::{OidcConfig, ProviderConfig, ProviderKind};
pub use keys::RpKeys;

/// How long a login may stay at the provider.
pub const LOGIN_TTL_MINUTES: i64 = 10;
/// Where the provider sends the person back, under Nuvola's address.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";
/// The signing algorithms the SPID/CIE OIDC profile allows for ID tokens and UserInfo.
/// `none` and the HMAC ones are never accepted.
pub const ALLOWED_ALGS: [&str; 4] = ["RS256", "RS512", "PS256", "PS512"];
/// How long Nuvola waits for a provider.
const PROVIDER_TIMEOUT_SECS: u64 = 10;
/// How long the entity configuration is valid.
const ENTITY_CONFIGURATION_HOURS: i64 = 24;

/// Why a login through a provider was refused. [`LoginFailure::code`] is what the login
/// page shows a sentence for (`/accedi?errore=CODE`); the detail goes to the log and
/// the audit event, never to the browser.
#[derive(Debug, thiserror::Error)]
pub enum LoginFailure {
    #[error("no provider {0:?} is configured")]
    UnknownProvider(String),
    #[error("the provider cannot be reached: {0}")]
    ProviderUnreachable(String),
    #[error("the provider answered with an error: {0}")]
    ProviderError(String),
    #[error("the state is unknown or was already used")]
    StateInvalid,
    #[error("the login took longer than {LOGIN_TTL_MINUTES} minutes")]
    StateExpired,
    #[error("the answer names another issuer: {0}")]
    IssuerMismatch(String),
    #[error("the provider refused the authorization code: {0}")]
    CodeRefused(String),
    #[error("the ID token is not valid: {0}")]
    IdTokenInvalid(String),
    #[error("the ID token's nonce is not this login's")]
    NonceMismatch,
    #[error("the provider asserted the level of assurance {0:?}, lower than the one asked")]
    AcrTooLow(String),
    #[error("the UserInfo is not valid: {0}")]
    UserInfoInvalid(String),
    #[error("the provider did not give a valid fiscal code: {0}")]
    FiscalCodeMissing(String),
    #[error("the account of this person is disabled")]
    AccountDisabled,
    #[error("internal error: {0}")]
    Internal(String),
}

impl LoginFailure {
    /// The stable code the login page translates.
    pub fn code(&self) -> &'static str {
        match self {
            LoginFailure::UnknownProvider(_) => "provider_unknown",
            LoginFailure::ProviderUnreachable(_) => "provider_unreachable",
            LoginFailure::ProviderError(_) => "provider_error",
            LoginFailure::StateInvalid => "state_invalid",
            LoginFailure::StateExpired => "state_expired",
            LoginFailure::IssuerMismatch(_) => "issuer_unknown",
            LoginFailure::CodeRefused(_) => "code_refused",
            LoginFailure::IdTokenInvalid(_) => "token_invalid",
            LoginFailure::NonceMismatch => "nonce_mismatch",
            LoginFailure::AcrTooLow(_) => "acr_too_low",
            LoginFailure::UserInfoInvalid(_) => "userinfo_invalid",
            LoginFailure::FiscalCodeMissing(_) => "fiscal_code_missing",
            LoginFailure::AccountDisabled => "account_disabled",
            LoginFailure::Internal(_) => "internal",
        }
    }
}

impl From<DbErr> for LoginFailure {
    fn from(e: DbErr) -> Self {
        LoginFailure::Internal(e.to_string())
    }
}

impl From<keys::KeyError> for LoginFailure {
    fn from(e: keys::KeyError) -> Self {
        LoginFailure::Internal(e.to_string())
    }
}

/// What the provider's redirect brings back.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// RFC 9207: the issuer of the answer.
    pub iss: Option<String>,
}

/// A person logged in through a provider.
#[derive(Debug)]
pub struct LoggedIn {
    pub issued: IssuedToken,
    pub account: account::Model,
    pub provider: String,
    /// Active memberships of the person: 1 acts at once, several pick, none asks.
    pub memberships: usize,
}

impl LoggedIn {
    /// Where the SPA continues: home when the session acts for a membership, the picker
    /// with several, the access request with none.
    pub fn next_path(&self) -> &'static str {
        match (self.issued.model.membership_id, self.memberships) {
            (Some(_), _) => "/",
            (None, 0) => "/richiedi-accesso",
            (None, _) => "/scegli-ente",
        }
    }
}

/// The OpenID Connect side of a server: its configuration, an HTTP client for the
/// providers (no redirects followed), and the keys once read.
pub struct Oidc {
    pub config: OidcConfig,
    http: reqwest::Client,
    keys: tokio::sync::OnceCell<RpKeys>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn now_plus(seconds: u64) -> SystemTime {
    SystemTime::now() + StdDuration::from_secs(seconds)
}

fn sign(payload: &JwtPayload, typ: Option<&str>, keys: &RpKeys) -> Result<String, LoginFailure> {
    let mut header = JwsHeader::new();
    header.set_key_id(keys.signing_kid.clone());
    if let Some(typ) = typ {
        header.set_token_type(typ);
    }
    let signer = RS256
        .signer_from_pem(keys.signing_pem.as_bytes())
        .map_err(|e| LoginFailure::Internal(format!("the signing key: {e}")))?;
    jwt::encode_with_signer(payload, &header, &signer)
        .map_err(|e| LoginFailure::Internal(format!("signing: {e}")))
}

fn payload(claims: Value) -> Result<JwtPayload, LoginFailure> {
    match claims {
        Value::Object(map) => {
            JwtPayload::from_map(map).map_err(|e| LoginFailure::Internal(format!("claims: {e}")))
        }
        _ => Err(LoginFailure::Internal(
            "claims must be an object".to_owned(),
        )),
    }
}

fn epoch(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

impl Oidc {
    pub fn new(config: OidcConfig) -> anyhow::Result<Self> {
        config.check()?;
        let http = reqwest::Client::builder()
            // Following a provider's redirects would open the server to SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(StdDuration::from_secs(PROVIDER_TIMEOUT_SECS))
            .build()
            .map_err(|e| anyhow::anyhow!("building the HTTP client of OpenID Connect: {e}"))?;
        Ok(Self {
            config,
            http,
            keys: tokio::sync::OnceCell::new(),
        })
    }

    /// The relying party's keys (read from the database once per process).
    pub async fn keys(&self, db: &DatabaseConnection) -> Result<&RpKeys, keys::KeyError> {
        self.keys.get_or_try_init(|| keys::load_or_create(db)).await
    }

    /// Nuvola's address: the configured one, else the request's (`scheme://host`).
    pub fn base_url(&self, request_base: &str) -> String {
        self.config
            .public_url
            .as_deref()
            .unwrap_or(request_base)
            .trim_end_matches('/')
            .to_owned()
    }

    /// The relying party's entity configuration (SPID/CIE OIDC federation): a JWT signed
    /// with its federation key, served at `/.well-known/openid-federation`.
    pub async fn entity_configuration(
        &self,
        db: &DatabaseConnection,
        base: &str,
    ) -> Result<String, LoginFailure> {
        let keys = self.keys(db).await?;
        let now = SystemTime::now();
        let name = self
            .config
            .organization_name
            .clone()
            .unwrap_or_else(|| "Nuvola".to_owned());
        let claims = json!({
            "iss": base,
            "sub": base,
            "iat": epoch(now),
            "exp": epoch(now) + (ENTITY_CONFIGURATION_HOURS * 3600) as u64,
            "jwks": keys.federation_jwks(),
            "authority_hints": [],
            "metadata": {
                "openid_relying_party": {
                    "application_type": "web",
                    "client_id": base,
                    "client_name": name,
                    "client_registration_types": ["automatic"],
                    "jwks": keys.jwks(),
                    "redirect_uris": [format!("{base}{CALLBACK_PATH}")],
                    "response_types": ["code"],
                    "grant_types": ["authorization_code"],
                    "token_endpoint_auth_method": "private_key_jwt",
                    "token_endpoint_auth_signing_alg": keys::SIGNING_ALG,
                    "request_object_signing_alg": keys::SIGNING_ALG,
                    "id_token_signed_response_alg": keys::SIGNING_ALG,
                    "userinfo_signed_response_alg": keys::SIGNING_ALG,
                    "userinfo_encrypted_response_alg": keys::ENCRYPTION_ALG,
                    "userinfo_encrypted_response_enc": keys::ENCRYPTION_ENC,
                },
                "federation_entity": {
                    "organization_name": name,
                    "homepage_uri": base,
                }
            }
        });
        sign(&payload(claims)?, Some("entity-statement+jwt"), keys)
    }

    fn provider(&self, id: &str) -> Result<&ProviderConfig, LoginFailure> {
        self.config
            .provider(id)
            .ok_or_else(|| LoginFailure::UnknownProvider(id.to_owned()))
    }

    async fn discover(
        &self,
        provider: &ProviderConfig,
    ) -> Result<CoreProviderMetadata, LoginFailure> {
        let issuer = IssuerUrl::new(provider.issuer.clone())
            .map_err(|e| LoginFailure::Internal(format!("issuer {}: {e}", provider.issuer)))?;
        CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| LoginFailure::ProviderUnreachable(format!("{}: {e}", provider.issuer)))
    }

    /// Begins a login: stores the pending login and returns the provider's URL to send
    /// the person to.
    #[tracing::instrument(skip(self, db))]
    pub async fn start(
        &self,
        db: &DatabaseConnection,
        provider_id: &str,
        base: &str,
    ) -> Result<String, LoginFailure> {
        let provider = self.provider(provider_id)?;
        let metadata = self.discover(provider).await?;
        let keys = self.keys(db).await?;
        let redirect_uri = format!("{base}{CALLBACK_PATH}");
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let state = CsrfToken::new_random();
        let nonce = Nonce::new_random();
        let scope = provider.scopes.join(" ");
        let now = SystemTime::now();
        let request_object = json!({
            "iss": provider.client_id,
            "aud": [provider.issuer],
            "iat": epoch(now),
            "exp": epoch(now_plus(300)),
            "jti": CsrfToken::new_random().secret(),
            "client_id": provider.client_id,
            "response_type": "code",
            "scope": scope,
            "redirect_uri": redirect_uri,
            "state": state.secret(),
            "nonce": nonce.secret(),
            "code_challenge": challenge.as_str(),
            "code_challenge_method": "S256",
            "acr_values": provider.acr_values,
            "prompt": "consent login",
            "claims": {
                "userinfo": {
                    provider.claims.fiscal_code.clone(): { "essential": true },
                    provider.claims.given_name.clone(): null,
                    provider.claims.family_name.clone(): null,
                    provider.claims.email.clone(): null,
                }
            },
        });
        let request_jwt = sign(&payload(request_object)?, None, keys)?;

        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.client_id.clone()),
            None,
        )
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.clone())
                .map_err(|e| LoginFailure::Internal(format!("redirect URI: {e}")))?,
        );
        let (state_for_url, nonce_for_url) = (state.clone(), nonce.clone());
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || state_for_url,
                move || nonce_for_url,
            )
            .set_pkce_challenge(challenge)
            .add_extra_param("request", request_jwt)
            .add_extra_param("acr_values", provider.acr_values.clone())
            .add_extra_param("prompt", "consent login");
        for s in provider.scopes.iter().filter(|s| s.as_str() != "openid") {
            request = request.add_scope(Scope::new(s.clone()));
        }
        let (url, _, _) = request.url();

        let txn = crate::db::begin_write(db).await?;
        oidc_login::ActiveModel {
            state: Set(state.secret().clone()),
            provider: Set(provider.id.clone()),
            nonce: Set(nonce.secret().clone()),
            pkce_verifier: Set(verifier.secret().clone()),
            created_at: Set(Utc::now()),
            used_at: Set(None),
        }
        .insert(&txn)
        .await?;
        // Pending logins older than a day are of no use to anyone.
        oidc_login::Entity::delete_many()
            .filter(oidc_login::Column::CreatedAt.lt(Utc::now() - Duration::days(1)))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(url.to_string())
    }

    /// Takes the pending login of a `state` once: unknown, used or expired states are
    /// refused. The row stays, marked used, so a replay is recognised.
    async fn take_pending(
        &self,
        db: &DatabaseConnection,
        state: &str,
    ) -> Result<oidc_login::Model, LoginFailure> {
        let txn = crate::db::begin_write(db).await?;
        let now = Utc::now();
        let taken = oidc_login::Entity::update_many()
            .col_expr(oidc_login::Column::UsedAt, Expr::value(now))
            .filter(oidc_login::Column::State.eq(state))
            .filter(oidc_login::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        let row = oidc_login::Entity::find_by_id(state.to_owned())
            .one(&txn)
            .await?;
        txn.commit().await?;
        match row {
            Some(row) if taken.rows_affected == 1 => {
                if row.created_at < now - Duration::minutes(LOGIN_TTL_MINUTES) {
                    Err(LoginFailure::StateExpired)
                } else {
                    Ok(row)
                }
            }
            _ => Err(LoginFailure::StateInvalid),
        }
    }

    /// Finishes a login from the provider's redirect. The caller records the failure.
    #[tracing::instrument(skip(self, db, params), fields(state = ?params.state.as_deref().map(|s| s.get(..8))))]
    pub async fn callback(
        &self,
        db: &DatabaseConnection,
        params: &CallbackParams,
        base: &str,
    ) -> Result<LoggedIn, (Option<String>, LoginFailure)> {
        let state = params
            .state
            .as_deref()
            .filter(|s| !s.is_empty() && s.len() <= 128)
            .ok_or((None, LoginFailure::StateInvalid))?;
        let pending = self.take_pending(db, state).await.map_err(|e| (None, e))?;
        let provider_id = pending.provider.clone();
        self.finish(db, params, base, pending)
            .await
            .map_err(|e| (Some(provider_id), e))
    }

    async fn finish(
        &self,
        db: &DatabaseConnection,
        params: &CallbackParams,
        base: &str,
        pending: oidc_login::Model,
    ) -> Result<LoggedIn, LoginFailure> {
        if let Some(error) = &params.error {
            return Err(LoginFailure::ProviderError(format!(
                "{error}: {}",
                params.error_description.as_deref().unwrap_or_default()
            )));
        }
        let provider = self.provider(&pending.provider)?;
        if let Some(iss) = &params.iss {
            if iss.trim_end_matches('/') != provider.issuer.trim_end_matches('/') {
                return Err(LoginFailure::IssuerMismatch(iss.clone()));
            }
        }
        let code = params
            .code
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| LoginFailure::ProviderError("no authorization code".to_owned()))?;
        let metadata = self.discover(provider).await?;
        let provider_jwks = serde_json::to_value(metadata.jwks())
            .map_err(|e| LoginFailure::Internal(format!("the provider's keys: {e}")))?;
        let userinfo_url = metadata
            .userinfo_endpoint()
            .map(|u| u.url().clone())
            .ok_or_else(|| {
                LoginFailure::UserInfoInvalid("the provider has no UserInfo endpoint".to_owned())
            })?;
        let token_url = metadata
            .token_endpoint()
            .map(|u| u.url().to_string())
            .ok_or_else(|| {
                LoginFailure::CodeRefused("the provider has no token endpoint".to_owned())
            })?;
        let keys = self.keys(db).await?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.client_id.clone()),
            None,
        )
        .set_redirect_uri(
            RedirectUrl::new(format!("{base}{CALLBACK_PATH}"))
                .map_err(|e| LoginFailure::Internal(format!("redirect URI: {e}")))?,
        );

        // private_key_jwt (RFC 7523): a short-lived assertion signed with Nuvola's key.
        let now = SystemTime::now();
        let assertion = sign(
            &payload(json!({
                "iss": provider.client_id,
                "sub": provider.client_id,
                "aud": [token_url],
                "iat": epoch(now),
                "exp": epoch(now_plus(120)),
                "jti": CsrfToken::new_random().secret(),
            }))?,
            None,
            keys,
        )?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| LoginFailure::CodeRefused(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .add_extra_param(
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            )
            .add_extra_param("client_assertion", assertion)
            .request_async(&self.http)
            .await
            .map_err(|e| LoginFailure::CodeRefused(describe_token_error(&e)))?;

        let id_token = token.id_token().ok_or_else(|| {
            LoginFailure::IdTokenInvalid("the token response has no ID token".to_owned())
        })?;
        let verifier = client.id_token_verifier().set_allowed_algs([
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
            CoreJwsSigningAlgorithm::RsaSsaPssSha256,
            CoreJwsSigningAlgorithm::RsaSsaPssSha512,
        ]);
        let nonce = Nonce::new(pending.nonce.clone());
        let claims = id_token.claims(&verifier, &nonce).map_err(|e| match e {
            ClaimsVerificationError::InvalidNonce(_) => LoginFailure::NonceMismatch,
            ClaimsVerificationError::InvalidIssuer(m) => LoginFailure::IssuerMismatch(m),
            other => LoginFailure::IdTokenInvalid(other.to_string()),
        })?;
        check_acr(provider, claims.auth_context_ref().map(|a| a.as_str()))?;
        let subject = claims.subject().as_str().to_owned();

        let userinfo = self
            .userinfo(
                &userinfo_url,
                token.access_token().secret(),
                &provider_jwks,
                keys,
            )
            .await?;
        check_userinfo(&userinfo, &subject, provider)?;
        let person = Person::from_claims(&userinfo, provider)?;
        let account = find_or_create(db, &person, &provider.id).await?;
        if account.disabled {
            return Err(LoginFailure::AccountDisabled);
        }
        let issued = auth::open_session_via(db, &account, Some(&provider.id)).await?;
        let memberships = memberships::active_of(db, account.id).await?.len();
        Ok(LoggedIn {
            issued,
            account,
            provider: provider.id.clone(),
            memberships,
        })
    }

    /// Fetches the UserInfo, which the profile requires signed and encrypted: decrypts it
    /// with Nuvola's encryption key, then verifies the inner JWT with the provider's keys.
    async fn userinfo(
        &self,
        url: &url::Url,
        access_token: &str,
        provider_jwks: &Value,
        keys: &RpKeys,
    ) -> Result<Map<String, Value>, LoginFailure> {
        let response = self
            .http
            .get(url.clone())
            .bearer_auth(access_token)
            .header(reqwest::header::ACCEPT, "application/jwt")
            .send()
            .await
            .map_err(|e| LoginFailure::ProviderUnreachable(format!("UserInfo: {e}")))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| LoginFailure::ProviderUnreachable(format!("UserInfo: {e}")))?;
        if !status.is_success() {
            return Err(LoginFailure::UserInfoInvalid(format!(
                "HTTP {status}: {}",
                body.chars().take(200).collect::<String>()
            )));
        }
        let body = body.trim();
        if body.split('.').count() != 5 {
            return Err(LoginFailure::UserInfoInvalid(
                "the UserInfo is not encrypted (a JWE was required)".to_owned(),
            ));
        }
        let header = jwt::decode_header(body)
            .map_err(|e| LoginFailure::UserInfoInvalid(format!("the JWE header: {e}")))?;
        let alg = header
            .claim("alg")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let decrypted = match alg.as_str() {
            "RSA-OAEP-256" => RSA_OAEP_256
                .decrypter_from_pem(keys.encryption_pem.as_bytes())
                .and_then(|d| josekit::jwe::deserialize_compact(body, &d)),
            "RSA-OAEP" => RSA_OAEP
                .decrypter_from_pem(keys.encryption_pem.as_bytes())
                .and_then(|d| josekit::jwe::deserialize_compact(body, &d)),
            other => {
                return Err(LoginFailure::UserInfoInvalid(format!(
                    "the UserInfo is encrypted with {other:?}, not RSA-OAEP(-256)"
                )))
            }
        };
        let (inner, _) =
            decrypted.map_err(|e| LoginFailure::UserInfoInvalid(format!("decrypting: {e}")))?;
        let inner = String::from_utf8(inner).map_err(|_| {
            LoginFailure::UserInfoInvalid("the decrypted UserInfo is not text".to_owned())
        })?;
        verify_signed(inner.trim(), provider_jwks)
    }
}

fn describe_token_error<E: std::error::Error>(e: &E) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Verifies a signed JWT with the provider's JWKS: the key named by `kid` (or the only
/// signing key), an algorithm the profile allows, and returns its claims.
fn verify_signed(token: &str, provider_jwks: &Value) -> Result<Map<String, Value>, LoginFailure> {
    let invalid = |m: String| LoginFailure::UserInfoInvalid(m);
    if token.split('.').count() != 3 {
        return Err(invalid(
            "the decrypted UserInfo is not a signed JWT".to_owned(),
        ));
    }
    let header = jwt::decode_header(token).map_err(|e| invalid(format!("the JWS header: {e}")))?;
    let alg = header
        .claim("alg")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !ALLOWED_ALGS.contains(&alg.as_str()) {
        return Err(invalid(format!(
            "the UserInfo is signed with {alg:?}, which the profile does not allow"
        )));
    }
    let kid = header
        .claim("kid")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let set = match provider_jwks {
        Value::Object(map) => JwkSet::from_map(map.clone())
            .map_err(|e| invalid(format!("the provider's keys: {e}")))?,
        _ => return Err(invalid("the provider's keys are not a JWK Set".to_owned())),
    };
    let candidates: Vec<&Jwk> = set
        .keys()
        .into_iter()
        .filter(|k| k.key_type() == "RSA")
        .filter(|k| k.key_use().is_none_or(|u| u == "sig"))
        .filter(|k| kid.is_none() || k.key_id() == kid.as_deref())
        .collect();
    let [key] = candidates.as_slice() else {
        return Err(invalid(format!(
            "no single key of the provider matches the UserInfo's key id {kid:?}"
        )));
    };
    let verifier: Box<dyn JwsVerifier> = match alg.as_str() {
        "RS256" => Box::new(
            RS256
                .verifier_from_jwk(key)
                .map_err(|e| invalid(e.to_string()))?,
        ),
        "RS512" => Box::new(
            RS512
                .verifier_from_jwk(key)
                .map_err(|e| invalid(e.to_string()))?,
        ),
        "PS256" => Box::new(
            PS256
                .verifier_from_jwk(key)
                .map_err(|e| invalid(e.to_string()))?,
        ),
        "PS512" => Box::new(
            PS512
                .verifier_from_jwk(key)
                .map_err(|e| invalid(e.to_string()))?,
        ),
        _ => return Err(invalid(format!("unsupported algorithm {alg:?}"))),
    };
    let (claims, _) = jwt::decode_with_verifier(token, verifier.as_ref())
        .map_err(|e| invalid(format!("the signature: {e}")))?;
    Ok(claims.claims_set().clone())
}

/// The level of a SPID level-of-assurance URI (`https://www.spid.gov.it/SpidL2` is 2);
/// CIE OIDC uses the same URIs.
fn spid_level(acr: &str) -> Option<u8> {
    acr.strip_prefix("https://www.spid.gov.it/SpidL")
        .and_then(|l| l.parse().ok())
}

/// When Nuvola asked for a SPID level, the ID token's `acr` must assert at least that
/// level (the profile requires the relying party to check it); a missing `acr` is refused
/// too. Providers asked for no SPID level are not checked.
fn check_acr(provider: &ProviderConfig, asserted: Option<&str>) -> Result<(), LoginFailure> {
    let Some(wanted) = provider
        .acr_values
        .split_whitespace()
        .filter_map(spid_level)
        .min()
    else {
        return Ok(());
    };
    match asserted.and_then(spid_level) {
        Some(level) if level >= wanted => Ok(()),
        _ => Err(LoginFailure::AcrTooLow(
            asserted.unwrap_or("none").to_owned(),
        )),
    }
}

/// The UserInfo must be about the ID token's subject, from its issuer, for this client.
fn check_userinfo(
    claims: &Map<String, Value>,
    subject: &str,
    provider: &ProviderConfig,
) -> Result<(), LoginFailure> {
    let invalid = |m: String| LoginFailure::UserInfoInvalid(m);
    if claims.get("sub").and_then(Value::as_str) != Some(subject) {
        return Err(invalid(
            "the UserInfo is about another subject than the ID token".to_owned(),
        ));
    }
    if let Some(iss) = claims.get("iss").and_then(Value::as_str) {
        if iss.trim_end_matches('/') != provider.issuer.trim_end_matches('/') {
            return Err(LoginFailure::IssuerMismatch(iss.to_owned()));
        }
    }
    if let Some(aud) = claims.get("aud") {
        let ok = match aud {
            Value::String(s) => s == &provider.client_id,
            Value::Array(items) => items
                .iter()
                .any(|a| a.as_str() == Some(&provider.client_id)),
            _ => false,
        };
        if !ok {
            return Err(invalid("the UserInfo is for another client".to_owned()));
        }
    }
    if let Some(exp) = claims.get("exp").and_then(Value::as_u64) {
        if exp < epoch(SystemTime::now()) {
            return Err(invalid("the UserInfo has expired".to_owned()));
        }
    }
    Ok(())
}

/// Who the provider says the person is.
#[derive(Debug, Clone)]
struct Person {
    fiscal_code: FiscalCode,
    display_name: Option<String>,
    email: Option<String>,
}

impl Person {
    fn from_claims(
        claims: &Map<String, Value>,
        provider: &ProviderConfig,
    ) -> Result<Self, LoginFailure> {
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(120).collect::<String>())
        };
        let raw = text(&provider.claims.fiscal_code).ok_or_else(|| {
            LoginFailure::FiscalCodeMissing(format!("no claim {:?}", provider.claims.fiscal_code))
        })?;
        let fiscal_code =
            FiscalCode::parse(&raw).map_err(|e| LoginFailure::FiscalCodeMissing(e.to_string()))?;
        let name = [
            text(&provider.claims.given_name),
            text(&provider.claims.family_name),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let email = text(&provider.claims.email).filter(|e| e.contains('@') && e.len() <= 254);
        Ok(Self {
            fiscal_code,
            display_name: Some(name).filter(|n| !n.is_empty()),
            email,
        })
    }
}

/// The account of a fiscal code; a person seen for the first time gets one, with no
/// password (they log in through a provider only) and no membership.
async fn find_or_create(
    db: &DatabaseConnection,
    person: &Person,
    provider_id: &str,
) -> Result<account::Model, LoginFailure> {
    let txn = crate::db::begin_write(db).await?;
    let code = person.fiscal_code.as_str();
    if let Some(found) = account::Entity::find()
        .filter(account::Column::FiscalCode.eq(code))
        .one(&txn)
        .await?
    {
        // Fill in what the account lacks; a name or e-mail set in Nuvola stays.
        let mut model: account::ActiveModel = found.clone().into();
        let mut changed = false;
        if found.display_name.is_none() && person.display_name.is_some() {
            model.display_name = Set(person.display_name.clone());
            changed = true;
        }
        if found.email.is_none() && person.email.is_some() {
            model.email = Set(person.email.clone());
            changed = true;
        }
        let found = if changed {
            model.updated_at = Set(Utc::now());
            model.update(&txn).await?
        } else {
            found
        };
        txn.commit().await?;
        return Ok(found);
    }
    let username = format!("tinit-{}", code.to_lowercase());
    let now = Utc::now();
    let created = account::ActiveModel {
        username: Set(username.clone()),
        // No password: no hash matches an empty string.
        password_hash: Set(String::new()),
        role: Set(Role::Public.code().to_owned()),
        administration_id: Set(None),
        supplier_id: Set(None),
        display_name: Set(person.display_name.clone()),
        disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        email: Set(person.email.clone()),
        fiscal_code: Set(Some(code.to_owned())),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &Actor {
            account_id: Some(created.id),
            role: Role::Public.code().to_owned(),
            name: username.clone(),
        },
        Change {
            entity_type: nuvola_shared::EntityType::Account,
            entity_id: created.id.to_string(),
            action: "CREATE_ACCOUNT",
            application_id: None,
            before: None,
            after: Some(json!({
                "username": username,
                "fiscalCode": code,
                "provider": provider_id,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Records a refused login (`LOGIN_FAILED`, with the provider and the reason's code and
/// detail) in the audit log.
pub async fn record_failure(
    db: &DatabaseConnection,
    provider: Option<&str>,
    failure: &LoginFailure,
    address: Option<IpAddr>,
) -> Result<(), DbErr> {
    let txn = crate::db::begin_write(db).await?;
    audit::record(
        &txn,
        &Actor {
            account_id: None,
            role: Role::Public.code().to_owned(),
            name: address.map_or_else(|| "unknown".to_owned(), |a| a.to_string()),
        },
        Change {
            entity_type: nuvola_shared::EntityType::OidcLogin,
            entity_id: provider.unwrap_or("unknown").to_owned(),
            action: "LOGIN_FAILED",
            application_id: None,
            before: None,
            after: Some(json!({
                "provider": provider,
                "reason": failure.code(),
                "detail": failure.to_string(),
            })),
        },
    )
    .await?;
    txn.commit().await
}
