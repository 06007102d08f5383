-- Organizations (accounts that own applications but do not log in) with their members, and
-- per-application collaborators with a level: read, execute or admin.
ALTER TABLE users ADD COLUMN kind TEXT COLLATE "C" NOT NULL DEFAULT 'user';
ALTER TABLE users ADD COLUMN email TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE TABLE org_members (
    org_id     TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    role       TEXT COLLATE "C" NOT NULL DEFAULT 'member',
    created_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

CREATE TABLE collaborators (
    application_id TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
    user_id        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    level          TEXT COLLATE "C" NOT NULL,
    created_at     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (application_id, user_id)
);
