-- The Prompt Hub: prompts, their immutable versions, and labels that name
-- one version each. The same tables as migrations/postgres/0004_prompts.sql.

-- A prompt: the named container of versions. Deleting sets deleted_at and
-- keeps the row and its versions (the user's work is never lost by one
-- click); a deleted prompt's name is free again.
CREATE TABLE prompts (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '[]',  -- JSON array: lowercase, sorted, unique
    created_at  TEXT NOT NULL,               -- RFC 3339, UTC
    updated_at  TEXT NOT NULL,               -- RFC 3339, UTC: any change, versions and labels too
    deleted_at  TEXT                         -- RFC 3339, UTC; NULL while in use
);

-- Names are unique among the prompts in use, whatever their case.
CREATE UNIQUE INDEX prompts_live_name ON prompts (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX prompts_updated_at ON prompts (updated_at DESC);

-- One row per save, numbered 1, 2, 3, ... per prompt. Only lifecycle ever
-- changes.
CREATE TABLE prompt_versions (
    prompt_id         TEXT NOT NULL REFERENCES prompts (id) ON DELETE CASCADE,
    version           INTEGER NOT NULL CHECK (version > 0),
    user_template     TEXT NOT NULL,            -- Jinja
    system_template   TEXT NOT NULL,            -- Jinja; '' for none
    examples          TEXT NOT NULL,            -- JSON [FewShot]
    model             TEXT,                     -- catalog id
    params            TEXT NOT NULL,            -- JSON GenerationParams
    variable_defaults TEXT NOT NULL,            -- JSON object
    message           TEXT NOT NULL,            -- why it was saved
    lifecycle         TEXT NOT NULL CHECK (lifecycle IN ('draft', 'published', 'archived')),
    created_at        TEXT NOT NULL,            -- RFC 3339, UTC
    PRIMARY KEY (prompt_id, version)
);

-- A movable name for one version of a prompt, unique per prompt.
CREATE TABLE prompt_labels (
    prompt_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at TEXT NOT NULL,                   -- RFC 3339, UTC
    PRIMARY KEY (prompt_id, name),
    FOREIGN KEY (prompt_id, version) REFERENCES prompt_versions (prompt_id, version)
        ON DELETE CASCADE
);
