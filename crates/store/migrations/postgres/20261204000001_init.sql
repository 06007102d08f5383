-- The whole schema of werk's first version, for PostgreSQL: the same tables, columns, indexes
-- and constraints as migrations/sqlite, in the types the store reads on both backends.
-- Timestamps are ISO-8601 text in UTC with milliseconds ("2016-09-24T13:37:31.436Z"), which
-- sorts correctly as text on every backend. Integers (flags included, stored as 0 and 1)
-- are BIGINT, read as i64 on both backends. Text compares byte by byte (COLLATE "C"), as
-- SQLite's BINARY collation does, whatever the database's locale: names, keys, ids and
-- timestamps sort the same on both backends, and lower() folds ASCII letters only.

CREATE TABLE users (
    id          TEXT COLLATE "C" PRIMARY KEY,
    username    TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at  TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));

CREATE TABLE tokens (
    id              TEXT COLLATE "C" PRIMARY KEY,
    user_id         TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    name            TEXT COLLATE "C" NOT NULL DEFAULT '',
    hash            TEXT COLLATE "C" NOT NULL UNIQUE,
    last_characters TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at      TEXT COLLATE "C" NOT NULL,
    last_used_at    TEXT COLLATE "C"
);

CREATE TABLE applications (
    id               TEXT COLLATE "C" PRIMARY KEY,
    owner_id         TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    name             TEXT COLLATE "C" NOT NULL,
    git_url          TEXT COLLATE "C" NOT NULL,
    -- 'git': a repository cloned into a mirror; 'directory': a local working tree copied
    -- as it is (werk build).
    source_kind      TEXT COLLATE "C" NOT NULL DEFAULT 'git',
    default_branch   TEXT COLLATE "C" NOT NULL DEFAULT 'master',
    privacy          TEXT COLLATE "C" NOT NULL DEFAULT 'public',
    badge_key        TEXT COLLATE "C" NOT NULL DEFAULT '',
    theme            TEXT COLLATE "C" NOT NULL DEFAULT 'Amethyst',
    ignored_branches TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    -- The workflows of the last wercker.yml read, as JSON (derived from the file).
    workflows        TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    yml_hash         TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at       TEXT COLLATE "C" NOT NULL,
    updated_at       TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX applications_owner_name ON applications (owner_id, lower(name));

CREATE TABLE pipelines (
    id                      TEXT COLLATE "C" PRIMARY KEY,
    application_id          TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
    name                    TEXT COLLATE "C" NOT NULL,
    pipeline_name           TEXT COLLATE "C" NOT NULL,
    type                    TEXT COLLATE "C" NOT NULL DEFAULT 'git',
    permissions             TEXT COLLATE "C" NOT NULL DEFAULT 'read',
    set_scm_provider_status BIGINT NOT NULL DEFAULT 0,
    -- 1 while the current wercker.yml defines the pipeline.
    active                  BIGINT NOT NULL DEFAULT 1,
    created_at              TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX pipelines_app_name ON pipelines (application_id, name);

CREATE TABLE workflows (
    id             TEXT COLLATE "C" PRIMARY KEY,
    application_id TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
    -- Name of the wercker.yml workflow this instance runs.
    definition     TEXT COLLATE "C" NOT NULL,
    trigger        TEXT COLLATE "C" NOT NULL,
    branch         TEXT COLLATE "C" NOT NULL DEFAULT '',
    commit_hash    TEXT COLLATE "C" NOT NULL DEFAULT '',
    message        TEXT COLLATE "C" NOT NULL DEFAULT '',
    source_run_id  TEXT COLLATE "C",
    user_id        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    created_at     TEXT COLLATE "C" NOT NULL,
    started_at     TEXT COLLATE "C",
    updated_at     TEXT COLLATE "C" NOT NULL
);
CREATE INDEX workflows_app ON workflows (application_id, created_at);

CREATE TABLE workflow_items (
    id             TEXT COLLATE "C" PRIMARY KEY,
    workflow_id    TEXT COLLATE "C" NOT NULL REFERENCES workflows (id),
    position       BIGINT NOT NULL,
    parent_item_id TEXT COLLATE "C",
    target_name    TEXT COLLATE "C" NOT NULL,
    pipeline_id    TEXT COLLATE "C" NOT NULL REFERENCES pipelines (id),
    run_id         TEXT COLLATE "C",
    status         TEXT COLLATE "C" NOT NULL DEFAULT 'notstarted',
    result         TEXT COLLATE "C" NOT NULL DEFAULT 'unknown',
    progress       BIGINT NOT NULL DEFAULT 0,
    current_step   BIGINT,
    total_steps    BIGINT,
    step_name      TEXT COLLATE "C",
    updated_at     TEXT COLLATE "C" NOT NULL
);
CREATE INDEX workflow_items_workflow ON workflow_items (workflow_id, position);

CREATE TABLE runs (
    id             TEXT COLLATE "C" PRIMARY KEY,
    application_id TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
    pipeline_id    TEXT COLLATE "C" NOT NULL REFERENCES pipelines (id),
    workflow_id    TEXT COLLATE "C" NOT NULL REFERENCES workflows (id),
    item_id        TEXT COLLATE "C" NOT NULL,
    source_run_id  TEXT COLLATE "C",
    user_id        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    kind           TEXT COLLATE "C" NOT NULL DEFAULT 'build',
    branch         TEXT COLLATE "C" NOT NULL,
    commit_hash    TEXT COLLATE "C" NOT NULL DEFAULT '',
    message        TEXT COLLATE "C" NOT NULL DEFAULT '',
    env_vars       TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    status         TEXT COLLATE "C" NOT NULL DEFAULT 'notstarted',
    result         TEXT COLLATE "C" NOT NULL DEFAULT 'unknown',
    progress       BIGINT NOT NULL DEFAULT 0,
    current_step   BIGINT,
    total_steps    BIGINT,
    step_name      TEXT COLLATE "C",
    created_at     TEXT COLLATE "C" NOT NULL,
    started_at     TEXT COLLATE "C",
    finished_at    TEXT COLLATE "C"
);
CREATE INDEX runs_app ON runs (application_id, created_at);
CREATE INDEX runs_pipeline ON runs (pipeline_id, created_at);
CREATE INDEX runs_status ON runs (status, created_at);
CREATE INDEX runs_source ON runs (source_run_id);

CREATE TABLE run_steps (
    id          TEXT COLLATE "C" PRIMARY KEY,
    run_id      TEXT COLLATE "C" NOT NULL REFERENCES runs (id),
    ord         BIGINT NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    phase       TEXT COLLATE "C" NOT NULL,
    status      TEXT COLLATE "C" NOT NULL DEFAULT 'notstarted',
    result      TEXT COLLATE "C" NOT NULL DEFAULT 'unknown',
    message     TEXT COLLATE "C",
    created_at  TEXT COLLATE "C" NOT NULL,
    started_at  TEXT COLLATE "C",
    finished_at TEXT COLLATE "C"
);
CREATE UNIQUE INDEX run_steps_run_ord ON run_steps (run_id, ord);
