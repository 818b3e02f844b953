-- One row per chat turn: what was asked, what came back, how it went.
--
-- The same table as migrations/sqlite/0001_runs.sql. Times and ids are TEXT
-- so a run reads back exactly as written (RFC 3339 strings, UUIDs), and they
-- collate as bytes ("C") so ordering matches SQLite whatever the database's
-- locale. JSON is kept as TEXT too: byte-for-byte what the engine wrote, the
-- same on both backends, and JSONB would refuse a \u0000 escape that SQLite
-- and TEXT accept. Query it with params::jsonb when needed.
CREATE TABLE runs (
    id                TEXT COLLATE "C" PRIMARY KEY,
    created_at        TEXT COLLATE "C" NOT NULL,
    session_id        TEXT COLLATE "C",
    model             TEXT NOT NULL,
    provider          TEXT NOT NULL,
    params            TEXT NOT NULL,          -- JSON GenerationParams
    messages          TEXT NOT NULL,          -- JSON [Message]
    reply             TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'cancelled')),
    finish_reason     TEXT NOT NULL,
    error             TEXT,
    input_tokens      BIGINT NOT NULL DEFAULT 0,
    output_tokens     BIGINT NOT NULL DEFAULT 0,
    reasoning_tokens  BIGINT NOT NULL DEFAULT 0,
    cached_tokens     BIGINT NOT NULL DEFAULT 0,
    ttft_ms           DOUBLE PRECISION,
    latency_ms        DOUBLE PRECISION NOT NULL,
    tokens_per_second DOUBLE PRECISION,
    cost_usd          DOUBLE PRECISION NOT NULL DEFAULT 0
);

CREATE INDEX runs_created_at ON runs (created_at DESC);
CREATE INDEX runs_session ON runs (session_id, created_at);
