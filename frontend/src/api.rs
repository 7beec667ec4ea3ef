//! The GraphQL client: one POST per round trip, errors turned into Italian sentences.

use std::fmt;

use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// Why a request did not give data. Its `Display` is a sentence for the user.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server did not answer (offline, stopped, network down).
    Unreachable,
    /// The server answered with something that is not a GraphQL response.
    Http(u16),
    /// The server refused the request; `code` is its stable `extensions.code`.
    Refused { code: String, message: String },
    /// The answer did not have the expected shape (a client/server version mismatch).
    Malformed,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unreachable => {
                f.write_str("Il server non risponde. Controlla la connessione e riprova.")
            }
            ApiError::Http(status) => write!(
                f,
                "Il server ha risposto in modo inatteso (HTTP {status}). Riprova tra poco."
            ),
            ApiError::Refused { code, message } => match code.as_str() {
                "INVALID_INPUT" => write!(f, "Richiesta non valida: {message}"),
                "UNAUTHENTICATED" => f.write_str("Accedi per continuare: la sessione è scaduta o non valida."),
                "FORBIDDEN" => f.write_str("Non hai i permessi per questa operazione."),
                "NOT_FOUND" => f.write_str("Quello che cerchi non esiste o non è più disponibile."),
                "RATE_LIMITED" => f.write_str("Troppe richieste: attendi qualche secondo e riprova."),
                "INTERNAL" => f.write_str("Si è verificato un errore interno. Riprova tra poco."),
                _ => write!(f, "Richiesta rifiutata ({code})."),
            },
            ApiError::Malformed => f.write_str(
                "La risposta del server non è leggibile: ricarica la pagina per aggiornare l'applicazione.",
            ),
        }
    }
}

#[derive(Deserialize)]
struct Response<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

#[derive(Deserialize)]
struct GraphqlError {
    message: String,
    #[serde(default)]
    extensions: Option<Value>,
}

/// Sends one GraphQL document with its variables and decodes `data` as `T`.
pub async fn query<T: DeserializeOwned>(document: &str, variables: Value) -> Result<T, ApiError> {
    let body = serde_json::json!({ "query": document, "variables": variables });
    let response = Request::post("/graphql")
        .json(&body)
        .map_err(|_| ApiError::Malformed)?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    let status = response.status();
    let text = response.text().await.map_err(|_| ApiError::Unreachable)?;
    let decoded: Response<T> = match serde_json::from_str(&text) {
        Ok(decoded) => decoded,
        Err(_) if !(200..300).contains(&status) && status != 400 => {
            return Err(ApiError::Http(status))
        }
        Err(_) => return Err(ApiError::Malformed),
    };
    if let Some(first) = decoded.errors.into_iter().next() {
        let code = first
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(Value::as_str)
            .unwrap_or("INTERNAL")
            .to_owned();
        return Err(ApiError::Refused {
            code,
            message: first.message,
        });
    }
    decoded.data.ok_or(ApiError::Malformed)
}
