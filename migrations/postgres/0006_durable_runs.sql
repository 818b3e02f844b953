-- Durable runs: a run is written when it starts (status 'running'), its
-- reply checkpointed while it streams, and one that a crash left running is
-- marked 'interrupted'. The same change as migrations/sqlite/0006.
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
    CHECK (status IN ('ok', 'failed', 'cancelled', 'running', 'interrupted'));

-- When the process streaming a running run last said it was alive (RFC 3339,
-- UTC). A running run whose heartbeat is older than the lease belongs to a
-- process that is gone; NULL on runs written whole.
ALTER TABLE runs ADD COLUMN heartbeat_at TEXT COLLATE "C";
