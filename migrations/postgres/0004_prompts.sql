-- The same tables as migrations/sqlite/0004_prompts.sql (see there for what
-- each holds). Text that is compared or ordered byte-wise (ids, times) is
-- COLLATE "C", as in 0001.

CREATE TABLE prompts (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT COLLATE "C" NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL,
    deleted_at  TEXT COLLATE "C"
);

CREATE UNIQUE INDEX prompts_live_name ON prompts (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX prompts_updated_at ON prompts (updated_at DESC);

CREATE TABLE prompt_versions (
    prompt_id         TEXT COLLATE "C" NOT NULL REFERENCES prompts (id) ON DELETE CASCADE,
    version           BIGINT NOT NULL CHECK (version > 0),
    user_template     TEXT NOT NULL,
    system_template   TEXT NOT NULL,
    examples          TEXT NOT NULL,
    model             TEXT,
    params            TEXT NOT NULL,
    variable_defaults TEXT NOT NULL,
    message           TEXT NOT NULL,
    lifecycle         TEXT NOT NULL CHECK (lifecycle IN ('draft', 'published', 'archived')),
    created_at        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (prompt_id, version)
);

CREATE TABLE prompt_labels (
    prompt_id  TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    version    BIGINT NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (prompt_id, name),
    FOREIGN KEY (prompt_id, version) REFERENCES prompt_versions (prompt_id, version)
        ON DELETE CASCADE
);
