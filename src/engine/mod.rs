//! The engine: one chat turn from request to recorded run.
//!
//! [`Engine::chat`] validates a request, starts the provider and returns a
//! [`ChatHandle`], a stream of [`ChatEvent`]s. A driver task owns the provider
//! stream; it forwards deltas to the client and, when the stream ends for any
//! reason (finished, failed, stopped by the user, client gone), records the
//! run. Dropping the handle cancels the run, so a closed browser tab stops the
//! model at once.
//!
//! The history (run search and figures, tool-call audit, conversations) is
//! in `history.rs`, its input checks in `query.rs`.

mod driver;
mod history;
mod hub;
mod journal;
mod progress;
mod spool;
mod trace;
mod upkeep;
mod validate;

use std::collections::HashMap;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::{CancellationToken, DropGuard};
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::catalog::{Catalog, EndpointConfig, ModelInfo};
use crate::chat::{ChatEvent, ChatReply, ChatRequest, ResponseFormat};
use crate::outcome::Rating;
use crate::outcome::SchemaIssue;
use crate::providers::Provider;
use crate::query::{QueryError, TitleError};
use crate::runs::RunRecord;
use crate::schema::{check_format, SchemaTemplate};
use crate::settings::UiSettings;
use crate::store::{Store, StoreError};
use crate::toolbox::Toolbox;
use crate::tools::ToolList;

pub use hub::{Hub, HubError};
pub use spool::SpoolError;
pub use upkeep::{RunLease, MIN_RUN_LEASE};
pub use validate::{InvalidRequest, MAX_CONVERSATION_BYTES, MAX_STOP_SEQUENCES};

/// What the engine needs to start.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub catalog: Catalog,
    /// Relative model paths are resolved against this folder.
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Overrides the model file of every local endpoint.
    pub local_model_path: Option<PathBuf>,
    /// The ready-made schemas offered in the playground
    /// ([`crate::schema::load_templates`]).
    pub schema_templates: Vec<SchemaTemplate>,
    /// After this many idle minutes the playground starts a new session.
    pub session_idle_minutes: u32,
    /// How long a running run may go unheard before it counts as
    /// interrupted ([`RunLease`]).
    pub run_lease: RunLease,
    /// Where finished runs the database refused wait for it; by default
    /// `spool/` in the data folder.
    pub spool_dir: Option<PathBuf>,
    /// The tools the server can run for a model (`config/tools.yaml`).
    pub tools: Arc<Toolbox>,
}

impl EngineConfig {
    /// A configuration with no schema templates and a 30-minute session.
    pub fn new(catalog: Catalog, data_dir: PathBuf, database_url: String) -> Self {
        Self {
            catalog,
            data_dir,
            database_url,
            local_model_path: None,
            schema_templates: Vec::new(),
            session_idle_minutes: 30,
            run_lease: RunLease::default(),
            spool_dir: None,
            tools: Arc::new(Toolbox::empty()),
        }
    }
}

/// Why the engine refused or failed a request.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("unknown model {0}; see GET /api/v1/models for the models on offer")]
    UnknownModel(String),
    #[error("model {model} is unavailable: {reason}")]
    ModelUnavailable { model: String, reason: String },
    #[error("invalid request: {0}")]
    InvalidRequest(#[from] validate::InvalidRequest),
    #[error("no run {0}")]
    RunNotFound(Uuid),
    #[error("no conversation {0}")]
    ConversationNotFound(Uuid),
    #[error("conversation {0} was deleted; start a new conversation to continue")]
    ConversationDeleted(Uuid),
    #[error("invalid query: {0}")]
    InvalidQuery(QueryError),
    #[error("invalid title: {0}")]
    InvalidTitle(#[from] TitleError),
    #[error("the server is shutting down and takes no new turns; try again in a moment")]
    ShuttingDown,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EngineError {
    /// The request field at fault, as a path (`params.temperature`), when
    /// one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            EngineError::InvalidRequest(e) => Some(&e.field),
            _ => None,
        }
    }

    /// What kind of failure this is (its HTTP status at every edge).
    pub fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind;
        match self {
            EngineError::UnknownModel(_) => ErrorKind::UnknownModel,
            EngineError::ModelUnavailable { .. } => ErrorKind::ModelUnavailable,
            EngineError::InvalidRequest(_) | EngineError::InvalidTitle(_) => {
                ErrorKind::InvalidRequest
            }
            EngineError::RunNotFound(_) | EngineError::ConversationNotFound(_) => {
                ErrorKind::NotFound
            }
            EngineError::ConversationDeleted(_) => ErrorKind::Conflict,
            EngineError::InvalidQuery(_) => ErrorKind::BadRequest,
            EngineError::ShuttingDown => ErrorKind::ShuttingDown,
            EngineError::Store(_) => ErrorKind::Storage,
        }
    }
}

/// How long cancelled turns get, at shutdown, to write their runs (a refused
/// write is retried for 3 s, then spooled to disk, within this).
pub const RECORD_DEADLINE: Duration = Duration::from_secs(15);

/// A provider, or why there is none.
#[derive(Clone)]
enum Slot {
    Ready(Arc<dyn Provider>),
    Unavailable(String),
}

/// The engine. Cheap to share behind an `Arc`.
pub struct Engine {
    catalog: Catalog,
    endpoints: HashMap<String, Slot>,
    store: Store,
    active: Mutex<HashMap<Uuid, CancellationToken>>,
    /// Every task the engine starts (turn drivers, session writes): none is
    /// detached, so shutdown can wait for them to record what they did.
    tasks: TaskTracker,
    /// Set once shutdown begins: no new turns, `/readyz` says not ready.
    draining: AtomicBool,
    /// Cancelled once shutdown begins: ends the upkeep.
    stopping: CancellationToken,
    lease: RunLease,
    spool: spool::Spool,
    schema_templates: Vec<SchemaTemplate>,
    ui: UiSettings,
    tools: Arc<Toolbox>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("models", &self.catalog.models.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens the store and brings up every endpoint. An endpoint that cannot
    /// start (a missing model file, a missing API key) leaves its models
    /// listed as unavailable with the reason; it never stops the server.
    pub async fn start(config: EngineConfig) -> Result<Self, EngineError> {
        if let Some(parent) = sqlite_parent(&config.database_url) {
            std::fs::create_dir_all(&parent)
                .map_err(|e| EngineError::Store(StoreError::Database(sqlx::Error::Io(e))))?;
        }
        let store = Store::connect(&config.database_url).await?;
        let mut endpoints = HashMap::new();
        for (name, endpoint) in &config.catalog.endpoints {
            let slot = start_endpoint(endpoint, &config).await;
            if let Slot::Unavailable(reason) = &slot {
                tracing::warn!(endpoint = %name, %reason, "endpoint unavailable");
            }
            endpoints.insert(name.clone(), slot);
        }
        let spool = spool::Spool::new(
            config
                .spool_dir
                .unwrap_or_else(|| config.data_dir.join("spool")),
        );
        let tasks = TaskTracker::new();
        let stopping = CancellationToken::new();
        tasks.spawn(upkeep::upkeep(
            store.clone(),
            spool.clone(),
            config.run_lease,
            stopping.clone(),
        ));
        Ok(Self {
            catalog: config.catalog,
            endpoints,
            store,
            active: Mutex::new(HashMap::new()),
            tasks,
            draining: AtomicBool::new(false),
            stopping,
            lease: config.run_lease,
            spool,
            schema_templates: config.schema_templates,
            tools: config.tools,
            ui: UiSettings {
                session_idle_minutes: config.session_idle_minutes,
            },
        })
    }

    /// Every model of the catalog, with its availability.
    pub fn models(&self) -> Vec<ModelInfo> {
        self.catalog
            .models
            .iter()
            .map(|m| self.model_info(m))
            .collect()
    }

    fn model_info(&self, m: &crate::catalog::ModelConfig) -> ModelInfo {
        let unavailable = match self.endpoints.get(&m.endpoint) {
            Some(Slot::Ready(_)) => None,
            Some(Slot::Unavailable(reason)) => Some(reason.clone()),
            None => Some(format!("endpoint {} is not configured", m.endpoint)),
        };
        self.catalog.info(m, unavailable)
    }

    /// What is wrong with `format` for model `model` (empty: nothing), as
    /// [`Engine::chat`] would judge it.
    pub fn check_response_format(
        &self,
        model: &str,
        format: &ResponseFormat,
    ) -> Result<Vec<SchemaIssue>, EngineError> {
        let model = self
            .catalog
            .model(model)
            .ok_or_else(|| EngineError::UnknownModel(model.to_owned()))?;
        Ok(check_format(&self.model_info(model), format))
    }

    /// The ready-made schemas of `config/schemas/`.
    /// The tools on offer, and what the tools file refused.
    pub fn tools(&self) -> ToolList {
        self.tools.list()
    }

    pub fn schema_templates(&self) -> &[SchemaTemplate] {
        &self.schema_templates
    }

    /// What the playground needs to know of the server's settings.
    pub fn ui_settings(&self) -> UiSettings {
        self.ui
    }

    /// Whether the database answers and at least one model can serve.
    pub async fn readiness(&self) -> Result<(), String> {
        if self.is_draining() {
            return Err("shutting down".into());
        }
        self.store.ping().await.map_err(|e| e.to_string())?;
        if self.endpoints.values().any(|s| matches!(s, Slot::Ready(_))) {
            Ok(())
        } else {
            Err("no model is available".into())
        }
    }

    /// Starts a chat turn. Errors here mean nothing ran and nothing was
    /// stored. A turn naming a deleted conversation is refused
    /// ([`EngineError::ConversationDeleted`]): continuing it would bring it
    /// back without the user knowing.
    pub async fn chat(self: &Arc<Self>, request: ChatRequest) -> Result<ChatHandle, EngineError> {
        if self.is_draining() {
            return Err(EngineError::ShuttingDown);
        }
        let model = self
            .catalog
            .model(&request.model)
            .ok_or_else(|| EngineError::UnknownModel(request.model.clone()))?;
        let provider = match self.endpoints.get(&model.endpoint) {
            Some(Slot::Ready(p)) => Arc::clone(p),
            Some(Slot::Unavailable(reason)) => {
                return Err(EngineError::ModelUnavailable {
                    model: model.id.clone(),
                    reason: reason.clone(),
                })
            }
            None => {
                return Err(EngineError::ModelUnavailable {
                    model: model.id.clone(),
                    reason: format!("endpoint {} is not configured", model.endpoint),
                })
            }
        };
        let provider_request = validate::resolve(model, &request)?;
        if let Some(format) = &request.params.response_format {
            let issues = check_format(&self.model_info(model), format);
            if !issues.is_empty() {
                let list: Vec<String> = issues.iter().map(ToString::to_string).collect();
                return Err(validate::InvalidRequest::new(
                    "params.response_format",
                    format!(
                        "the response format does not work with {}: {}",
                        model.id,
                        list.join("; ")
                    ),
                )
                .into());
            }
        }
        if let Some(conversation) = request.conversation_id {
            if self.store.conversation_deleted(conversation).await? {
                return Err(EngineError::ConversationDeleted(conversation));
            }
        }
        let run_id = Uuid::now_v7();
        // Made here, in the caller's context, so the run joins its trace.
        let span = tracing::info_span!(
            "chat",
            run_id = %run_id,
            model = %request.model,
            provider_request_id = tracing::field::Empty
        );
        if let Some(session) = request.session_id.clone() {
            self.touch_session(session);
        }
        let cancel = CancellationToken::new();
        self.lock_active().insert(run_id, cancel.clone());
        let (tx, rx) = mpsc::channel(256);
        let job = driver::Job {
            engine: Arc::clone(self),
            run_id,
            request,
            pricing: model.pricing,
            provider,
            provider_request,
            cancel: cancel.clone(),
            tx,
            span,
        };
        self.tasks.spawn(driver::drive(job));
        Ok(ChatHandle {
            run_id,
            events: ReceiverStream::new(rx),
            _cancel_on_drop: cancel.drop_guard(),
        })
    }

    /// Whether shutdown has begun.
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// Shuts the engine down without losing a run: new turns are refused at
    /// once, running turns get `grace` to finish, then the rest are
    /// cancelled (and so recorded as cancelled with what arrived), their
    /// records are written (within [`RECORD_DEADLINE`]), and the store is
    /// closed. Returns how many turns had to be cancelled.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        self.draining.store(true, Ordering::Relaxed);
        self.stopping.cancel();
        self.tasks.close();
        let mut cancelled = 0;
        if tokio::time::timeout(grace, self.tasks.wait())
            .await
            .is_err()
        {
            let running: Vec<CancellationToken> = self.lock_active().values().cloned().collect();
            cancelled = running.len();
            tracing::warn!(
                turns = cancelled,
                "grace period over: cancelling running turns"
            );
            for token in running {
                token.cancel();
            }
            if tokio::time::timeout(RECORD_DEADLINE, self.tasks.wait())
                .await
                .is_err()
            {
                tracing::error!(
                    tasks = self.tasks.len(),
                    "turns still running after they were cancelled; their runs may be incomplete"
                );
            }
        }
        self.store.close().await;
        cancelled
    }

    /// Stops a running turn. Returns false when no such run is in progress.
    pub fn cancel(&self, run_id: Uuid) -> bool {
        match self.lock_active().get(&run_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// A run with its tool calls and its current rating.
    pub async fn run(&self, id: Uuid) -> Result<RunRecord, EngineError> {
        self.store
            .get_run(id)
            .await?
            .ok_or(EngineError::RunNotFound(id))
    }

    /// Rates a run, or clears its rating (`None`).
    pub async fn set_feedback(
        &self,
        run_id: Uuid,
        rating: Option<Rating>,
    ) -> Result<(), EngineError> {
        let not_found = |e: StoreError| match e {
            StoreError::RunNotFound(id) => EngineError::RunNotFound(id),
            e => EngineError::Store(e),
        };
        match rating {
            Some(rating) => self
                .store
                .set_feedback(run_id, rating, None)
                .await
                .map(drop)
                .map_err(not_found),
            None => {
                // Clearing what is not there is fine; clearing the rating
                // of a run that is not there is not.
                if !self.store.clear_feedback(run_id).await? {
                    self.run(run_id).await?;
                }
                Ok(())
            }
        }
    }

    /// The rating of each of `run_ids` that has one.
    pub async fn feedback(&self, run_ids: &[Uuid]) -> Result<HashMap<Uuid, Rating>, EngineError> {
        Ok(self.store.ratings(run_ids).await?)
    }

    /// Notes that a session is in use, in the background: a turn never
    /// waits for it, and a failure only costs the session's last-seen time.
    fn touch_session(&self, session: String) {
        let store = self.store.clone();
        self.tasks.spawn(async move {
            if let Err(e) = store.touch_session(&session).await {
                tracing::warn!(%session, error = %e, "recording the session failed");
            }
        });
    }

    fn lock_active(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, CancellationToken>> {
        // A poisoned map only means another task panicked mid-insert; the
        // map itself is still consistent.
        self.active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The Prompt Hub: saved prompts, their versions and labels.
    pub fn prompts(&self) -> Hub {
        Hub::new(self.store.clone())
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn finished(&self, run_id: Uuid) {
        self.lock_active().remove(&run_id);
    }
}

/// The events of one chat turn. Dropping it cancels the turn.
pub struct ChatHandle {
    pub run_id: Uuid,
    events: ReceiverStream<ChatEvent>,
    _cancel_on_drop: DropGuard,
}

impl std::fmt::Debug for ChatHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatHandle")
            .field("run_id", &self.run_id)
            .finish()
    }
}

impl ChatHandle {
    /// Waits for the whole turn and returns it folded into one reply.
    pub async fn reply(mut self) -> ChatReply {
        let mut reply = ChatReply::new(self.run_id);
        while let Some(event) = self.next().await {
            reply.apply(event);
        }
        reply
    }
}

impl Stream for ChatHandle {
    type Item = ChatEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ChatEvent>> {
        Pin::new(&mut self.events).poll_next(cx)
    }
}

async fn start_endpoint(endpoint: &EndpointConfig, config: &EngineConfig) -> Slot {
    match endpoint {
        EndpointConfig::Local {
            model_path,
            threads,
            max_concurrent,
        } => {
            let path = config
                .local_model_path
                .clone()
                .unwrap_or_else(|| config.data_dir.join(model_path));
            start_local(path, *threads, *max_concurrent).await
        }
        EndpointConfig::OpenAi(_)
        | EndpointConfig::Gemini(_)
        | EndpointConfig::OpenaiCompatible(_) => {
            // Keys and moved base URLs are read once, at start.
            let env = |name: &str| std::env::var(name).ok();
            match crate::providers::connect(endpoint, &env).await {
                Ok(provider) => Slot::Ready(provider),
                Err(e) => Slot::Unavailable(e.to_string()),
            }
        }
    }
}

#[cfg(feature = "local")]
async fn start_local(path: PathBuf, threads: u32, max_concurrent: usize) -> Slot {
    use crate::providers::local::{LoadedModel, LocalProvider, Threads};
    let loaded = tokio::task::spawn_blocking(move || LoadedModel::load(&path)).await;
    match loaded {
        Ok(Ok(model)) => Slot::Ready(Arc::new(LocalProvider::new(
            Arc::new(model),
            max_concurrent,
            Threads::choose(threads),
        ))),
        Ok(Err(e)) => Slot::Unavailable(e.to_string()),
        Err(e) => Slot::Unavailable(format!("loading the model failed: {e}")),
    }
}

#[cfg(not(feature = "local"))]
async fn start_local(_path: PathBuf, _threads: u32, _max_concurrent: usize) -> Slot {
    Slot::Unavailable("this build of pep has no embedded model (feature `local`)".into())
}

/// The folder of a `sqlite:` URL's file, so it can be created first.
fn sqlite_parent(url: &str) -> Option<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    PathBuf::from(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::sqlite_parent;
    use std::path::PathBuf;

    #[test]
    fn sqlite_parent_folder() {
        assert_eq!(
            sqlite_parent("sqlite://data/pep.db"),
            Some(PathBuf::from("data"))
        );
        assert_eq!(
            sqlite_parent("sqlite:/tmp/x/a.db?mode=rwc"),
            Some(PathBuf::from("/tmp/x"))
        );
        assert_eq!(sqlite_parent("sqlite::memory:"), None);
        assert_eq!(sqlite_parent("sqlite://pep.db"), None);
        assert_eq!(sqlite_parent("postgres://h/db"), None);
    }
}
