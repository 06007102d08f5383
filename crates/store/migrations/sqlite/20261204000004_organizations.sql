-- Organizations (accounts that own applications but do not log in) with their members, and
-- per-application collaborators with a level: read, execute or admin.
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'user';
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

CREATE TABLE org_members (
    org_id     TEXT NOT NULL REFERENCES users (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL DEFAULT 'member',
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

CREATE TABLE collaborators (
    application_id TEXT NOT NULL REFERENCES applications (id),
    user_id        TEXT NOT NULL REFERENCES users (id),
    level          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (application_id, user_id)
);
