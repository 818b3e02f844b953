//! A run's record while it streams, kept by a task of its own so the stream
//! never waits for the database.
//!
//! The run is written as it starts (`running`, with the user's messages in
//! its conversation), its reply checkpointed at most every
//! [`CHECKPOINT_INTERVAL`], its heartbeat renewed at least every third of
//! the lease even when no text arrives (a model thinking quietly), and,
//! when the driver hands over the finished record, written whole. A
//! database that does not answer costs the start and the checkpoints only
//! (the next tick tries the start again); the finished record is retried
//! within [`STORE_BUDGET`] and then spooled to disk ([`super::spool`]),
//! and `stored` says which happened.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{oneshot, watch};

use crate::runs::RunRecord;

use super::Engine;

/// The least time between two checkpoints of a streaming reply.
const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(1);
/// How long one write of a start or a checkpoint may take.
const STEP_DEADLINE: Duration = Duration::from_secs(5);
/// How long the finished record is retried before it is spooled: short,
/// since the client waits for `done` and the spool keeps the run anyway.
const STORE_BUDGET: Duration = Duration::from_secs(3);

/// What has arrived so far.
#[derive(Debug, Default)]
struct Partial {
    reply: String,
    output_tokens: u32,
}

/// The driver's side of a run's journal.
pub(super) struct Journal {
    partial: watch::Sender<Partial>,
    end: oneshot::Sender<RunRecord>,
    stored: oneshot::Receiver<bool>,
}

impl Journal {
    /// Starts keeping `start` (a record with status running) on one of the
    /// engine's tasks.
    pub(super) fn open(engine: &Arc<Engine>, start: RunRecord) -> Self {
        let (partial, partial_rx) = watch::channel(Partial::default());
        let (end, end_rx) = oneshot::channel();
        let (stored_tx, stored) = oneshot::channel();
        let keeper = Keeper {
            engine: Arc::clone(engine),
            run: start,
            started: Instant::now(),
            begun: false,
        };
        engine
            .tasks
            .spawn(keeper.keep(partial_rx, end_rx, stored_tx));
        Self {
            partial,
            end,
            stored,
        }
    }

    /// More of the reply arrived; `output_tokens` is the count so far.
    pub(super) fn text(&self, delta: &str, output_tokens: u32) {
        self.partial.send_modify(|p| {
            p.reply.push_str(delta);
            p.output_tokens = output_tokens;
        });
    }

    /// Stores the finished run. True only when the database holds it.
    pub(super) async fn finish(self, run: RunRecord) -> bool {
        if self.end.send(run).is_err() {
            return false;
        }
        self.stored.await.unwrap_or(false)
    }
}

/// The task's side.
struct Keeper {
    engine: Arc<Engine>,
    /// The record as it started; checkpoints change only the stored row.
    run: RunRecord,
    started: Instant,
    /// Whether the start is known to be stored.
    begun: bool,
}

impl Keeper {
    async fn keep(
        mut self,
        mut partial: watch::Receiver<Partial>,
        mut end: oneshot::Receiver<RunRecord>,
        stored: oneshot::Sender<bool>,
    ) {
        let heartbeat = self.engine.lease.heartbeat();
        let period = CHECKPOINT_INTERVAL.min(heartbeat);
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // When the stored row last heard from this run (none: never).
        let mut last_write: Option<Instant> = None;
        let finished = loop {
            // Each write races the end of the run: a slow database must not
            // hold back the final record (and the client's `done`).
            let (keeper, partial, last) = (&mut self, &mut partial, last_write);
            let step = async move {
                if !keeper.begun {
                    keeper.begin(partial).await;
                    return true;
                }
                let changed = partial.has_changed().unwrap_or(false);
                // Half a period of slack: ticks are not exactly `period` apart.
                let due = last.is_none_or(|at| at.elapsed() + period / 2 >= heartbeat);
                if changed || due {
                    partial.mark_unchanged();
                    keeper.checkpoint(partial).await;
                    return true;
                }
                false
            };
            let step_started = Instant::now();
            tokio::select! {
                biased;
                finished = &mut end => break finished,
                wrote = step => {
                    if wrote {
                        last_write = Some(step_started);
                    }
                }
            }
            tokio::select! {
                biased;
                finished = &mut end => break finished,
                _ = tick.tick() => {}
            }
        };
        let ok = match finished {
            Ok(run) => persist(&self.engine, run).await,
            // The driver is gone without a record (it panicked): the row
            // stays running and the sweep marks it interrupted.
            Err(_) => false,
        };
        let _ = stored.send(ok);
    }

    /// Writes the start, with what has arrived if the first try failed.
    async fn begin(&mut self, partial: &watch::Receiver<Partial>) {
        let mut run = self.run.clone();
        {
            let now = partial.borrow();
            run.reply.clone_from(&now.reply);
            run.usage.output_tokens = now.output_tokens;
        }
        run.metrics.latency_ms = elapsed_ms(self.started);
        let write = self.engine.store().begin_run(&run);
        match tokio::time::timeout(STEP_DEADLINE, write).await {
            Ok(Ok(())) => self.begun = true,
            Ok(Err(e)) => tracing::warn!(error = %e, "storing the run's start failed; retrying"),
            Err(_) => tracing::warn!("storing the run's start timed out; retrying"),
        }
    }

    async fn checkpoint(&mut self, partial: &watch::Receiver<Partial>) {
        let (reply, tokens) = {
            let now = partial.borrow();
            (now.reply.clone(), now.output_tokens)
        };
        let write = self.engine.store().checkpoint_run(
            self.run.id,
            &reply,
            tokens,
            elapsed_ms(self.started),
        );
        match tokio::time::timeout(STEP_DEADLINE, write).await {
            Ok(Ok(true)) => {}
            // The row is gone (the database was replaced): write it again.
            Ok(Ok(false)) => self.begun = false,
            Ok(Err(e)) => tracing::warn!(error = %e, "checkpointing the run failed"),
            Err(_) => tracing::warn!("checkpointing the run timed out"),
        }
    }
}

fn elapsed_ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Stores the finished run, retrying with backoff within
/// [`STORE_BUDGET`]; a run still refused then is spooled to disk, to be
/// stored by the upkeep when the database answers. True only when the
/// database holds it now.
async fn persist(engine: &Engine, run: RunRecord) -> bool {
    let deadline = tokio::time::Instant::now() + STORE_BUDGET;
    let mut delay = Duration::from_millis(100);
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let error = match tokio::time::timeout_at(deadline, engine.store().insert_run(&run)).await {
            Ok(Ok(())) => return true,
            Ok(Err(e)) => e.to_string(),
            Err(_) => "the database did not answer in time".to_owned(),
        };
        if tokio::time::Instant::now() + delay >= deadline {
            spool(engine, &run, &error).await;
            return false;
        }
        tracing::warn!(attempt, %error, "storing the run failed; retrying");
        tokio::time::sleep(delay).await;
        delay *= 2;
    }
}

async fn spool(engine: &Engine, run: &RunRecord, error: &str) {
    match engine.spool.put(run).await {
        Ok(file) => tracing::error!(
            %error,
            file = %file.display(),
            "the run could not be stored; spooled to disk until the database takes it"
        ),
        Err(spool_error) => {
            // Nowhere left to keep it but the log.
            let record = serde_json::to_string(run).unwrap_or_default();
            tracing::error!(%error, %spool_error, run = %record, "the run could not be stored or spooled");
        }
    }
}
