-- The whole schema of werk's first version. Timestamps are ISO-8601 text in UTC with
-- milliseconds ("2016-09-24T13:37:31.436Z"), which sorts correctly as text on every backend.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    username    TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));

CREATE TABLE tokens (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id),
    name            TEXT NOT NULL DEFAULT '',
    hash            TEXT NOT NULL UNIQUE,
    last_characters TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    last_used_at    TEXT
);

CREATE TABLE applications (
    id               TEXT PRIMARY KEY,
    owner_id         TEXT NOT NULL REFERENCES users (id),
    name             TEXT NOT NULL,
    git_url          TEXT NOT NULL,
    -- 'git': a repository cloned into a mirror; 'directory': a local working tree copied
    -- as it is (werk build).
    source_kind      TEXT NOT NULL DEFAULT 'git',
    default_branch   TEXT NOT NULL DEFAULT 'master',
    privacy          TEXT NOT NULL DEFAULT 'public',
    badge_key        TEXT NOT NULL DEFAULT '',
    theme            TEXT NOT NULL DEFAULT 'Amethyst',
    ignored_branches TEXT NOT NULL DEFAULT '[]',
    -- The workflows of the last wercker.yml read, as JSON (derived from the file).
    workflows        TEXT NOT NULL DEFAULT '[]',
    yml_hash         TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX applications_owner_name ON applications (owner_id, lower(name));

CREATE TABLE pipelines (
    id                      TEXT PRIMARY KEY,
    application_id          TEXT NOT NULL REFERENCES applications (id),
    name                    TEXT NOT NULL,
    pipeline_name           TEXT NOT NULL,
    type                    TEXT NOT NULL DEFAULT 'git',
    permissions             TEXT NOT NULL DEFAULT 'read',
    set_scm_provider_status INTEGER NOT NULL DEFAULT 0,
    -- 1 while the current wercker.yml defines the pipeline.
    active                  INTEGER NOT NULL DEFAULT 1,
    created_at              TEXT NOT NULL
);
CREATE UNIQUE INDEX pipelines_app_name ON pipelines (application_id, name);

CREATE TABLE workflows (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    -- Name of the wercker.yml workflow this instance runs.
    definition     TEXT NOT NULL,
    trigger        TEXT NOT NULL,
    branch         TEXT NOT NULL DEFAULT '',
    commit_hash    TEXT NOT NULL DEFAULT '',
    message        TEXT NOT NULL DEFAULT '',
    source_run_id  TEXT,
    user_id        TEXT NOT NULL REFERENCES users (id),
    created_at     TEXT NOT NULL,
    started_at     TEXT,
    updated_at     TEXT NOT NULL
);
CREATE INDEX workflows_app ON workflows (application_id, created_at);

CREATE TABLE workflow_items (
    id             TEXT PRIMARY KEY,
    workflow_id    TEXT NOT NULL REFERENCES workflows (id),
    position       INTEGER NOT NULL,
    parent_item_id TEXT,
    target_name    TEXT NOT NULL,
    pipeline_id    TEXT NOT NULL REFERENCES pipelines (id),
    run_id         TEXT,
    status         TEXT NOT NULL DEFAULT 'notstarted',
    result         TEXT NOT NULL DEFAULT 'unknown',
    progress       INTEGER NOT NULL DEFAULT 0,
    current_step   INTEGER,
    total_steps    INTEGER,
    step_name      TEXT,
    updated_at     TEXT NOT NULL
);
CREATE INDEX workflow_items_workflow ON workflow_items (workflow_id, position);

CREATE TABLE runs (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    pipeline_id    TEXT NOT NULL REFERENCES pipelines (id),
    workflow_id    TEXT NOT NULL REFERENCES workflows (id),
    item_id        TEXT NOT NULL,
    source_run_id  TEXT,
    user_id        TEXT NOT NULL REFERENCES users (id),
    kind           TEXT NOT NULL DEFAULT 'build',
    branch         TEXT NOT NULL,
    commit_hash    TEXT NOT NULL DEFAULT '',
    message        TEXT NOT NULL DEFAULT '',
    env_vars       TEXT NOT NULL DEFAULT '[]',
    status         TEXT NOT NULL DEFAULT 'notstarted',
    result         TEXT NOT NULL DEFAULT 'unknown',
    progress       INTEGER NOT NULL DEFAULT 0,
    current_step   INTEGER,
    total_steps    INTEGER,
    step_name      TEXT,
    created_at     TEXT NOT NULL,
    started_at     TEXT,
    finished_at    TEXT
);
CREATE INDEX runs_app ON runs (application_id, created_at);
CREATE INDEX runs_pipeline ON runs (pipeline_id, created_at);
CREATE INDEX runs_status ON runs (status, created_at);
CREATE INDEX runs_source ON runs (source_run_id);

CREATE TABLE run_steps (
    id          TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs (id),
    ord         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    phase       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'notstarted',
    result      TEXT NOT NULL DEFAULT 'unknown',
    message     TEXT,
    created_at  TEXT NOT NULL,
    started_at  TEXT,
    finished_at TEXT
);
CREATE UNIQUE INDEX run_steps_run_ord ON run_steps (run_id, ord);
