//! The embedded model: a GGUF file run in-process on the CPU by llama.cpp.
//!
//! It needs no key and no network, so a fresh machine can chat at once.
//! Generation is CPU-bound and blocking, so it runs on tokio's blocking pool
//! and hands tokens to the async side through a bounded channel; a semaphore
//! keeps the number of simultaneous generations within what the CPU can bear.

mod generate;
mod template;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use futures::StreamExt;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use tokio::sync::{mpsc, Semaphore};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use template::{ChatTemplate, TemplateError};

use super::{Provider, ProviderError, ProviderRequest, ProviderStream};

/// Why the local model could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("model file {0} does not exist (run `make model` to fetch the default one)")]
    Missing(PathBuf),
    #[error("llama.cpp backend: {0}")]
    Backend(String),
    #[error("cannot load {path}: {reason}")]
    Load { path: PathBuf, reason: String },
    #[error("{path} has no usable chat template: {reason}")]
    Template { path: PathBuf, reason: String },
}

/// llama.cpp's backend is process-global and may be initialised only once.
fn backend() -> Result<&'static LlamaBackend, LoadError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| LoadError::Backend(e.clone()))
}

/// A loaded GGUF model and what is needed to prompt it.
pub struct LoadedModel {
    model: LlamaModel,
    template: ChatTemplate,
    backend: &'static LlamaBackend,
    /// The context length the model was trained with: the hard limit.
    context_limit: usize,
}

impl std::fmt::Debug for LoadedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedModel")
            .field("context_limit", &self.context_limit)
            .finish_non_exhaustive()
    }
}

impl LoadedModel {
    /// Loads a GGUF file (blocking: call it off the async runtime).
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        if !path.is_file() {
            return Err(LoadError::Missing(path.to_owned()));
        }
        let backend = backend()?;
        let model = LlamaModel::load_from_file(backend, path, &LlamaModelParams::default())
            .map_err(|e| LoadError::Load {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        let template_error = |reason: String| LoadError::Template {
            path: path.to_owned(),
            reason,
        };
        let source = model
            .meta_val_str("tokenizer.chat_template")
            .map_err(|e| template_error(e.to_string()))?;
        let vocab = model.vocab();
        let piece = |t| String::from_utf8_lossy(&vocab.token_to_piece(t, true, None)).into_owned();
        let (bos, eos) = (piece(vocab.bos()), piece(vocab.eos()));
        let template =
            ChatTemplate::new(source, bos, eos).map_err(|e| template_error(e.to_string()))?;
        let context_limit = usize::try_from(model.n_ctx_train()).unwrap_or(usize::MAX);
        Ok(Self {
            model,
            template,
            backend,
            context_limit,
        })
    }
}

/// Threads for llama.cpp. Decoding one token of a small model is faster on
/// one thread than split across cores that also serve the web server;
/// prompt processing is batched and uses every core.
#[derive(Debug, Clone, Copy)]
pub struct Threads {
    pub decode: i32,
    pub batch: i32,
}

impl Threads {
    /// `configured` decode threads, or 1 when 0; batch threads from the machine.
    pub fn choose(configured: u32) -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| i32::try_from(n.get()).unwrap_or(1))
            .unwrap_or(1);
        let decode = if configured == 0 {
            1
        } else {
            i32::try_from(configured).unwrap_or(1)
        };
        Self {
            decode,
            batch: cores.max(decode),
        }
    }
}

/// The embedded model as a [`Provider`].
#[derive(Clone)]
pub struct LocalProvider {
    model: Arc<LoadedModel>,
    limiter: Arc<Semaphore>,
    threads: Threads,
    /// The generations' tasks: owned here, never detached. Each ends with
    /// its turn (the cancellation token stops it between tokens).
    tasks: TaskTracker,
}

impl LocalProvider {
    pub fn new(model: Arc<LoadedModel>, max_concurrent: usize, threads: Threads) -> Self {
        Self {
            model,
            limiter: Arc::new(Semaphore::new(max_concurrent.max(1))),
            threads,
            tasks: TaskTracker::new(),
        }
    }
}

impl Provider for LocalProvider {
    fn name(&self) -> &'static str {
        "local"
    }

    fn stream(&self, request: ProviderRequest, cancel: CancellationToken) -> ProviderStream {
        let (tx, rx) = mpsc::channel(64);
        let model = Arc::clone(&self.model);
        let limiter = Arc::clone(&self.limiter);
        let threads = self.threads;
        self.tasks.spawn(async move {
            // Wait for a free slot, unless the caller gives up first.
            let permit = tokio::select! {
                p = limiter.acquire_owned() => p,
                () = cancel.cancelled() => return,
            };
            let Ok(permit) = permit else {
                let _ = tx
                    .send(Err(ProviderError::Unavailable(
                        "the local model is shutting down".into(),
                    )))
                    .await;
                return;
            };
            let job_tx = tx.clone();
            let job = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                generate::run(&model, &request, threads, &cancel, &job_tx);
            });
            if let Err(e) = job.await {
                let _ = tx
                    .send(Err(ProviderError::Generation(format!(
                        "the generation thread failed: {e}"
                    ))))
                    .await;
            }
        });
        ReceiverStream::new(rx).boxed()
    }
}
