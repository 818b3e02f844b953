//! The engine's background upkeep of the run records: a schema the
//! database lost is made again, runs that a dead process left `running` are
//! marked `interrupted`, and spooled runs are stored once the database
//! takes them again.
//!
//! Which running run is lost is decided by a lease, not by "whatever was
//! running when this process started": several servers may share one
//! PostgreSQL database, and a server that starts must not take another's
//! live runs for dead. A live run's heartbeat is renewed every third of the
//! lease ([`RunLease::heartbeat`]); one whose heartbeat is older than the
//! whole lease belongs to a process that is gone. Heartbeats are the
//! writing server's clock, so servers sharing a database need clocks in
//! step (NTP) to well within the lease.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::store::{Store, StoreError};

use super::spool::Spool;

/// The shortest lease: below it, a busy database could make a live run
/// look dead.
pub const MIN_RUN_LEASE: Duration = Duration::from_secs(3);

/// How long a running run may go without a heartbeat before it is taken
/// for interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunLease(Duration);

impl RunLease {
    /// A lease of `length`, at least [`MIN_RUN_LEASE`].
    pub fn new(length: Duration) -> Self {
        Self(length.max(MIN_RUN_LEASE))
    }

    /// How often a live run says so: three heartbeats per lease, so one
    /// slow write never costs a run its lease.
    pub fn heartbeat(self) -> Duration {
        self.0 / 3
    }

    /// The RFC 3339 time before which a heartbeat is stale.
    fn stale_before(self) -> String {
        // A lease too long to subtract makes nothing stale.
        chrono::Duration::from_std(self.0)
            .ok()
            .and_then(|length| chrono::Utc::now().checked_sub_signed(length))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
}

impl Default for RunLease {
    fn default() -> Self {
        Self(Duration::from_secs(30))
    }
}

/// Runs until `stop`: at once, then every heartbeat.
pub(super) async fn upkeep(store: Store, spool: Spool, lease: RunLease, stop: CancellationToken) {
    let mut tick = tokio::time::interval(lease.heartbeat());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        // Shutdown does not wait for a database that hangs.
        let round = async {
            repair(&store).await;
            sweep(&store, lease).await;
            replay(&store, &spool).await;
        };
        tokio::select! {
            biased;
            () = stop.cancelled() => return,
            () = round => {}
        }
    }
}

/// Makes the schema again if the database lost it under the server.
async fn repair(store: &Store) {
    if let Err(e) = store.repair_schema().await {
        tracing::debug!(error = %e, "the database is not usable yet");
    }
}

/// Marks the runs of dead processes interrupted.
async fn sweep(store: &Store, lease: RunLease) {
    match store.interrupt_stale_runs(&lease.stale_before()).await {
        Ok(0) => {}
        Ok(runs) => tracing::warn!(
            runs,
            "runs left running by a server that stopped are marked interrupted"
        ),
        Err(e) => tracing::warn!(error = %e, "looking for interrupted runs failed"),
    }
}

/// Stores spooled runs, oldest first. One the database refuses is tried
/// again next round; one it can never take is set aside.
async fn replay(store: &Store, spool: &Spool) {
    let pending = match spool.pending().await {
        Ok(pending) => pending,
        Err(e) => {
            tracing::error!(error = %e, "reading the spooled runs failed");
            return;
        }
    };
    for (file, run) in pending {
        match store.insert_run(&run).await {
            Ok(()) => {}
            Err(StoreError::Unencodable { reason, .. }) => {
                // It will never be taken: keep it, out of the others' way.
                match super::spool::set_aside(&file).await {
                    Ok(aside) => {
                        tracing::error!(run_id = %run.id, %reason, file = %aside.display(), "a spooled run cannot be stored; set aside")
                    }
                    Err(e) => {
                        tracing::error!(run_id = %run.id, error = %e, "setting a spooled run aside failed")
                    }
                }
                continue;
            }
            Err(e) => {
                // The next ones may still go in (a refusal of this run only).
                tracing::warn!(run_id = %run.id, error = %e, "a spooled run is still refused");
                continue;
            }
        }
        match spool.remove(&file).await {
            Ok(()) => tracing::info!(run_id = %run.id, "a spooled run is stored"),
            // Storing it again next time changes nothing.
            Err(e) => {
                tracing::warn!(run_id = %run.id, error = %e, "removing a stored run's spool file failed")
            }
        }
    }
}
