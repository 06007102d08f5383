-- Schedules: a pipeline run on a branch at the times of a cron pattern (UTC), as the user
-- who made the schedule. `next_at` (ISO-8601 UTC, milliseconds) is the next time due; the
-- server that moves it forward is the one that starts that run.
CREATE TABLE schedules (
    id          TEXT COLLATE "C" PRIMARY KEY,
    pipeline_id TEXT COLLATE "C" NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    cron        TEXT COLLATE "C" NOT NULL,
    branch      TEXT COLLATE "C" NOT NULL,
    user_id     TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    next_at     TEXT COLLATE "C" NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX schedules_next_at ON schedules (next_at);
CREATE INDEX schedules_pipeline ON schedules (pipeline_id);
