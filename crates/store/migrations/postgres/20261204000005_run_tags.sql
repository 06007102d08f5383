-- The git tag a run was triggered for (`tag` of POST /api/v3/runs), filterable like Wercker's
-- 2018 API.
ALTER TABLE runs ADD COLUMN tag TEXT COLLATE "C" NOT NULL DEFAULT '';
