-- Environment variables of applications and pipelines (organizations later), exported into
-- their runs; protected values are never shown again once written.
CREATE TABLE envvars (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    target     TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL DEFAULT '',
    protected  INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX envvars_scope_target_key ON envvars (scope, target, key);
