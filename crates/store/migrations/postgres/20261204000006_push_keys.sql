-- The secret in an application's push hook URL (POST /commits/<push key>), as Wercker's
-- `pushKey`: 32 random hex characters, unique.
ALTER TABLE applications ADD COLUMN push_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE applications SET push_key = replace(gen_random_uuid()::text, '-', '')
    WHERE push_key = '';
CREATE UNIQUE INDEX applications_push_key ON applications (push_key);
