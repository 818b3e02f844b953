//! What every server function does on the server the same way: find the
//! engine in the request's context, and turn an engine error into the
//! function's error with the HTTP status of its kind, the status the REST
//! API gives the same error (404 for an unknown conversation, 422 for a
//! broken rule, ...), so that neither edge answers 500 for the client's
//! mistakes.

use std::sync::Arc;

use leptos::prelude::*;
use pep::engine::{Hub, HubError};
use pep::{EngineError, ErrorKind};

/// The engine the server put in the context of every request.
pub fn engine() -> Result<Arc<pep::Engine>, ServerFnError> {
    use_context::<Arc<pep::Engine>>().ok_or_else(|| ServerFnError::new("the engine is not running"))
}

/// The Prompt Hub of that engine.
pub fn hub() -> Result<Hub, ServerFnError> {
    engine().map(|engine| engine.prompts())
}

/// An error the engine explains to people and classifies by [`ErrorKind`].
pub trait Refusal: std::fmt::Display {
    fn kind(&self) -> ErrorKind;
}

impl Refusal for EngineError {
    fn kind(&self) -> ErrorKind {
        EngineError::kind(self)
    }
}

impl Refusal for HubError {
    fn kind(&self) -> ErrorKind {
        HubError::kind(self)
    }
}

/// `e` as the server function's error: its message as the page shows it,
/// and its kind's HTTP status on the answer.
pub fn refused(e: impl Refusal) -> ServerFnError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(e.kind().status()) {
            response.set_status(status);
        }
    }
    ServerFnError::new(e.to_string())
}
