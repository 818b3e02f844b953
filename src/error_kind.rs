//! The kinds of failure the engine reports, each with the HTTP status and
//! the stable word every edge gives it. Written once here so the REST API
//! and the server functions answer the same way for the same error.

/// What kind of failure an [`crate::EngineError`] or a
/// [`crate::prompts::PromptError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Input that does not read (malformed, wrong type, not an id).
    BadRequest,
    /// Input that reads but breaks a rule (a range, a blank name).
    InvalidRequest,
    /// A body over the route's limit.
    TooLarge,
    /// No such run, conversation, prompt, version or label.
    NotFound,
    /// A model the catalog does not have.
    UnknownModel,
    /// A state that forbids the change (a name taken, a deleted
    /// conversation, a lifecycle move back to draft).
    Conflict,
    /// A model the catalog has but that cannot run now.
    ModelUnavailable,
    /// The server is stopping and takes no new turns; another replica (or
    /// this one, restarted) will.
    ShuttingDown,
    /// The store failed; nothing the caller can fix.
    Storage,
}

impl ErrorKind {
    /// The HTTP status an answer of this kind carries.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::NotFound | ErrorKind::UnknownModel => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::TooLarge => 413,
            ErrorKind::InvalidRequest => 422,
            ErrorKind::Storage => 500,
            ErrorKind::ModelUnavailable | ErrorKind::ShuttingDown => 503,
        }
    }

    /// A stable word for programs (the REST API's `error.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::NotFound => "not_found",
            ErrorKind::UnknownModel => "unknown_model",
            ErrorKind::Conflict => "conflict",
            ErrorKind::ModelUnavailable => "model_unavailable",
            ErrorKind::ShuttingDown => "shutting_down",
            ErrorKind::Storage => "storage",
        }
    }
}
