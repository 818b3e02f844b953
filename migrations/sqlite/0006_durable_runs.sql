-- Durable runs: a run is written when it starts (status 'running'), its
-- reply checkpointed while it streams, and one that a crash left running is
-- marked 'interrupted'. The same change as migrations/postgres/0006.
--
-- SQLite cannot change a CHECK constraint, so the status column is made
-- anew: renamed aside, added again with the wider CHECK, copied, dropped.
-- (Rebuilding the whole table instead would, with foreign keys on, cascade
-- the DROP TABLE into the feedback, tool calls and conversations that name
-- the runs.)
DROP INDEX runs_status;
ALTER TABLE runs RENAME COLUMN status TO status_before_0006;
ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'interrupted'
    CHECK (status IN ('ok', 'failed', 'cancelled', 'running', 'interrupted'));
UPDATE runs SET status = status_before_0006;
ALTER TABLE runs DROP COLUMN status_before_0006;
CREATE INDEX runs_status ON runs (status, created_at);

-- When the process streaming a running run last said it was alive (RFC 3339,
-- UTC). A running run whose heartbeat is older than the lease belongs to a
-- process that is gone; NULL on runs written whole.
ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
