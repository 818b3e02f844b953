-- The same changes as migrations/sqlite/0005_history.sql (see there for what
-- each holds). Text that is compared or ordered byte-wise (ids, times) is
-- COLLATE "C", as in 0001; flags are 0/1 BIGINTs, as SQLite holds them.

ALTER TABLE runs ADD COLUMN conversation_id TEXT COLLATE "C";
ALTER TABLE runs ADD COLUMN prompt_id TEXT COLLATE "C";
ALTER TABLE runs ADD COLUMN prompt_version BIGINT;

CREATE INDEX runs_model ON runs (model, created_at);
CREATE INDEX runs_status ON runs (status, created_at);
CREATE INDEX runs_conversation ON runs (conversation_id, created_at);
CREATE INDEX runs_prompt ON runs (prompt_id, prompt_version, created_at);

CREATE TABLE conversations (
    id                TEXT COLLATE "C" PRIMARY KEY,
    title             TEXT NOT NULL,
    title_key         TEXT NOT NULL,
    title_set_by_user BIGINT NOT NULL DEFAULT 0 CHECK (title_set_by_user IN (0, 1)),
    created_at        TEXT COLLATE "C" NOT NULL,
    updated_at        TEXT COLLATE "C" NOT NULL,
    deleted_at        TEXT COLLATE "C",
    session_id        TEXT COLLATE "C",
    model             TEXT
);

CREATE INDEX conversations_updated_at ON conversations (updated_at DESC);

CREATE TABLE conversation_messages (
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position        BIGINT NOT NULL CHECK (position >= 0),
    role            TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    message         TEXT NOT NULL,
    run_id          TEXT COLLATE "C" REFERENCES runs (id) ON DELETE SET NULL,
    PRIMARY KEY (conversation_id, position)
);

CREATE TABLE tool_calls (
    run_id          TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    idx             BIGINT NOT NULL CHECK (idx >= 0),
    call_id         TEXT NOT NULL,
    name            TEXT NOT NULL,
    arguments       TEXT NOT NULL,
    arguments_valid BIGINT NOT NULL CHECK (arguments_valid IN (0, 1)),
    signature       TEXT,
    created_at      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (run_id, idx)
);

CREATE INDEX tool_calls_name ON tool_calls (name, created_at);
