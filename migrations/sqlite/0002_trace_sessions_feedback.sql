-- The trace of the request that made a run (OpenTelemetry trace id), when
-- the request carried one.
ALTER TABLE runs ADD COLUMN trace_id TEXT;

-- One row per playground session: when it began and when it was last used.
-- runs.session_id is not a foreign key: runs may name a session the store
-- was never told about.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    created_at   TEXT NOT NULL,          -- RFC 3339, UTC
    last_seen_at TEXT NOT NULL           -- RFC 3339, UTC
);

-- The user's verdict on a run: at most one per run, changeable.
CREATE TABLE feedback (
    run_id     TEXT PRIMARY KEY NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    rating     TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment    TEXT,
    created_at TEXT NOT NULL,            -- RFC 3339, UTC
    updated_at TEXT NOT NULL             -- RFC 3339, UTC
);
