-- One row per chat turn: what was asked, what came back, how it went.
CREATE TABLE runs (
    id               TEXT PRIMARY KEY NOT NULL,
    created_at       TEXT NOT NULL,
    session_id       TEXT,
    model            TEXT NOT NULL,
    provider         TEXT NOT NULL,
    params           TEXT NOT NULL,          -- JSON GenerationParams
    messages         TEXT NOT NULL,          -- JSON [Message]
    reply            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'cancelled')),
    finish_reason    TEXT NOT NULL,
    error            TEXT,
    input_tokens     INTEGER NOT NULL DEFAULT 0,
    output_tokens    INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    cached_tokens    INTEGER NOT NULL DEFAULT 0,
    ttft_ms          REAL,
    latency_ms       REAL NOT NULL,
    tokens_per_second REAL,
    cost_usd         REAL NOT NULL DEFAULT 0
);

CREATE INDEX runs_created_at ON runs (created_at DESC);
CREATE INDEX runs_session ON runs (session_id, created_at);
