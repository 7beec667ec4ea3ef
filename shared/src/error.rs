use std::fmt;

/// Why a value could not be parsed into a domain type.
///
/// The message is in English for logs and API clients; `field` and `kind` are stable,
/// so the browser can translate them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// The domain value that was being parsed, e.g. `"CUP"`.
    pub field: &'static str,
    /// What was given, truncated to a readable length.
    pub input: String,
    /// Why it was refused.
    pub reason: String,
}

impl ParseError {
    pub fn new(field: &'static str, input: &str, reason: impl Into<String>) -> Self {
        const MAX: usize = 60;
        let input = if input.chars().count() > MAX {
            let cut: String = input.chars().take(MAX).collect();
            format!("{cut}…")
        } else {
            input.to_owned()
        };
        Self {
            field,
            input,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} {:?}: {}",
            self.field, self.input, self.reason
        )
    }
}
