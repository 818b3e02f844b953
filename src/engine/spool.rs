//! Runs the database refused, kept on local disk until it takes them.
//!
//! When a finished run cannot be stored within its retries, it is written
//! here, one JSON file per run (`<run id>.json`), and the engine's upkeep
//! stores it later and removes the file. A file is written under a
//! temporary name, flushed to disk and then renamed, so a crash leaves
//! either a whole record or none. A file that does not read back as a run
//! is renamed `*.unreadable` and named in the log, never retried forever
//! nor deleted.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::runs::RunRecord;

/// Why a run could not be spooled or read back.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("spool folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("run {id} could not be written as JSON: {source}")]
    Encode { id: Uuid, source: serde_json::Error },
}

/// The spool folder.
#[derive(Debug, Clone)]
pub(super) struct Spool {
    dir: PathBuf,
}

impl Spool {
    pub(super) fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Keeps `run` until the database takes it; returns the file.
    pub(super) async fn put(&self, run: &RunRecord) -> Result<PathBuf, SpoolError> {
        let json =
            serde_json::to_vec(run).map_err(|source| SpoolError::Encode { id: run.id, source })?;
        let (dir, id) = (self.dir.clone(), run.id);
        blocking(&self.dir, move || write_whole(&dir, id, &json)).await
    }

    /// Every spooled run, oldest file name first (run ids are UUIDv7, so
    /// that is the order they started in). Unreadable files are set aside.
    pub(super) async fn pending(&self) -> Result<Vec<(PathBuf, RunRecord)>, SpoolError> {
        let dir = self.dir.clone();
        blocking(&self.dir, move || read_all(&dir)).await
    }

    /// Forgets a run the database now holds.
    pub(super) async fn remove(&self, file: &Path) -> Result<(), SpoolError> {
        let doomed = file.to_owned();
        blocking(file, move || {
            std::fs::remove_file(&doomed).map_err(io(&doomed))
        })
        .await
    }
}

/// Moves a run the database will never take (it cannot be encoded) out of
/// the way, as `*.refused`, so it neither blocks nor is lost.
pub(super) async fn set_aside(file: &Path) -> Result<PathBuf, SpoolError> {
    let (from, to) = (file.to_owned(), file.with_extension("refused"));
    blocking(file, move || {
        std::fs::rename(&from, &to).map_err(io(&from))?;
        Ok(to)
    })
    .await
}

/// Runs file work off the async workers (a slow disk must not stall them);
/// a task that could not finish is an I/O error on `path`.
async fn blocking<T: Send + 'static>(
    path: &Path,
    work: impl FnOnce() -> Result<T, SpoolError> + Send + 'static,
) -> Result<T, SpoolError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| io(path)(std::io::Error::other(e)))?
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io {
        path: path.to_owned(),
        source,
    }
}

fn write_whole(dir: &Path, id: Uuid, json: &[u8]) -> Result<PathBuf, SpoolError> {
    use std::io::Write;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let file = dir.join(format!("{id}.json"));
    let partial = dir.join(format!("{id}.json.partial"));
    let mut out = std::fs::File::create(&partial).map_err(io(&partial))?;
    out.write_all(json).map_err(io(&partial))?;
    out.sync_all().map_err(io(&partial))?;
    std::fs::rename(&partial, &file).map_err(io(&file))?;
    Ok(file)
}

fn read_all(dir: &Path) -> Result<Vec<(PathBuf, RunRecord)>, SpoolError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir)(e)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut runs = Vec::with_capacity(files.len());
    for file in files {
        let read = std::fs::read(&file)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                serde_json::from_slice::<RunRecord>(&bytes).map_err(|e| e.to_string())
            });
        match read {
            Ok(run) => runs.push((file, run)),
            Err(reason) => {
                let aside = file.with_extension("unreadable");
                tracing::error!(file = %file.display(), %reason, "a spooled run does not read back; set aside");
                std::fs::rename(&file, &aside).map_err(io(&file))?;
            }
        }
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{GenerationParams, Message, Role};
    use crate::outcome::{FinishReason, Usage};
    use crate::outcome::{RunMetrics, RunStatus};

    fn run() -> RunRecord {
        RunRecord {
            id: Uuid::now_v7(),
            created_at: "2026-01-01T00:00:00.000Z".into(),
            session_id: None,
            model: "m".into(),
            provider: "p".into(),
            params: GenerationParams::default(),
            messages: vec![Message::new(Role::User, "hi")],
            reply: "partial".into(),
            status: RunStatus::Cancelled,
            finish_reason: FinishReason::Cancelled,
            error: None,
            usage: Usage::default(),
            metrics: RunMetrics::default(),
            trace_id: None,
            validation: None,
            conversation_id: None,
            prompt: None,
            tool_calls: Vec::new(),
            feedback: None,
        }
    }

    #[tokio::test]
    async fn a_spooled_run_reads_back_whole_and_bad_files_are_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        assert!(spool.pending().await.unwrap().is_empty(), "no folder yet");
        let (first, second) = (run(), run());
        spool.put(&second).await.unwrap();
        let file = spool.put(&first).await.unwrap();
        std::fs::write(dir.path().join("spool/zz.json"), b"{not a run").unwrap();

        let pending = spool.pending().await.unwrap();
        let ids: Vec<Uuid> = pending.iter().map(|(_, r)| r.id).collect();
        assert_eq!(ids, [first.id, second.id], "in the order the runs started");
        assert_eq!(pending[0].1, first);
        assert!(dir.path().join("spool/zz.unreadable").exists());

        spool.remove(&file).await.unwrap();
        let left: Vec<Uuid> = spool
            .pending()
            .await
            .unwrap()
            .into_iter()
            .map(|(_, r)| r.id)
            .collect();
        assert_eq!(left, [second.id]);
    }
}
