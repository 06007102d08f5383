-- Passwords (for Basic auth on POST /api/v3/tokens, as Wercker's CLI logged in), pipelines
-- created through the API (kept when wercker.yml changes), manual approval, and the
-- wercker.yml each run used (its chained runs use it too).
ALTER TABLE users ADD COLUMN password_hash TEXT COLLATE "C";
ALTER TABLE pipelines ADD COLUMN origin TEXT COLLATE "C" NOT NULL DEFAULT 'yml';
ALTER TABLE pipelines ADD COLUMN manual_approval BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN wercker_yml TEXT COLLATE "C";
