-- History: stored conversations, the run search's columns and the tool-call
-- audit. The same tables as migrations/postgres/0005_history.sql.

-- Which conversation a run was a turn of, and which saved prompt version it
-- was made from. Not foreign keys: a run outlives both (a conversation is
-- only ever hidden; a prompt's rows are kept when it is deleted).
ALTER TABLE runs ADD COLUMN conversation_id TEXT;
ALTER TABLE runs ADD COLUMN prompt_id TEXT;
ALTER TABLE runs ADD COLUMN prompt_version INTEGER;

-- The runs page filters by these and orders by time within them.
CREATE INDEX runs_model ON runs (model, created_at);
CREATE INDEX runs_status ON runs (status, created_at);
CREATE INDEX runs_conversation ON runs (conversation_id, created_at);
CREATE INDEX runs_prompt ON runs (prompt_id, prompt_version, created_at);

-- A conversation of the playground, known by the id the browser made for it.
-- Deleting sets deleted_at: the row stays (its runs name it) but is never
-- listed, read or continued again.
CREATE TABLE conversations (
    id                TEXT PRIMARY KEY NOT NULL,
    title             TEXT NOT NULL,
    title_key         TEXT NOT NULL,           -- title lowercased (by the store), for search
    title_set_by_user INTEGER NOT NULL DEFAULT 0 CHECK (title_set_by_user IN (0, 1)),
    created_at        TEXT NOT NULL,           -- RFC 3339, UTC
    updated_at        TEXT NOT NULL,           -- RFC 3339, UTC: the last turn or rename
    deleted_at        TEXT,                    -- RFC 3339, UTC; NULL while in use
    session_id        TEXT,                    -- of the last turn
    model             TEXT                     -- of the last turn
);

CREATE INDEX conversations_updated_at ON conversations (updated_at DESC);

-- The messages of a conversation as its last turn sent them, plus that
-- turn's reply; replaced as a whole by every turn.
CREATE TABLE conversation_messages (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position >= 0),
    role            TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    message         TEXT NOT NULL,             -- JSON Message
    run_id          TEXT REFERENCES runs (id) ON DELETE SET NULL, -- the run that wrote it
    PRIMARY KEY (conversation_id, position)
);

-- Every tool call a model made, in order: what it called and with what.
CREATE TABLE tool_calls (
    run_id          TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    idx             INTEGER NOT NULL CHECK (idx >= 0),
    call_id         TEXT NOT NULL,             -- the provider's; '' when it gives none
    name            TEXT NOT NULL,
    arguments       TEXT NOT NULL,             -- as the model wrote them
    arguments_valid INTEGER NOT NULL CHECK (arguments_valid IN (0, 1)),
    signature       TEXT,                      -- opaque provider state (Gemini)
    created_at      TEXT NOT NULL,             -- RFC 3339, UTC: the run's
    PRIMARY KEY (run_id, idx)
);

CREATE INDEX tool_calls_name ON tool_calls (name, created_at);
