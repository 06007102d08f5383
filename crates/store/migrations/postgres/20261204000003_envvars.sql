-- Environment variables of applications and pipelines (organizations later), exported into
-- their runs; protected values are never shown again once written.
CREATE TABLE envvars (
    id         TEXT COLLATE "C" PRIMARY KEY,
    scope      TEXT COLLATE "C" NOT NULL,
    target     TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    value      TEXT COLLATE "C" NOT NULL DEFAULT '',
    protected  BIGINT NOT NULL DEFAULT 0,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX envvars_scope_target_key ON envvars (scope, target, key);
