//! The pages of the application, one module each.

mod explorer;
mod info;

pub use explorer::Explorer;
pub use info::{AccessibilityStatement, LegalNotes, NotFound};

use leptos::prelude::*;

use crate::api::ApiError;

/// Shown while a page waits for its first data.
#[component]
pub fn Loading(#[prop(into)] what: String) -> impl IntoView {
    view! {
        <div class="d-flex align-items-center gap-3 py-4" role="status">
            <div class="progress-spinner progress-spinner-active size-sm" aria-hidden="true"></div>
            <span>{what}</span>
        </div>
    }
}

/// A failed request, in words, with nothing technical.
#[component]
pub fn ErrorAlert(error: ApiError) -> impl IntoView {
    view! {
        <div class="alert alert-danger" role="alert">
            <p class="mb-0">{error.to_string()}</p>
        </div>
    }
}
