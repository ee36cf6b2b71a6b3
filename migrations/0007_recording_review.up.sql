-- Recordings as evidence: supervisors' reviews, every listen and download, legal holds, and the tombstone
-- left when retention deletes the audio (the row and the call stay).
ALTER TABLE recordings
    ADD COLUMN legal_hold     boolean     NOT NULL DEFAULT false,
    ADD COLUMN hold_reason    text        NOT NULL DEFAULT '',
    ADD COLUMN hold_by        text        NOT NULL DEFAULT '',
    ADD COLUMN hold_at        timestamptz,
    ADD COLUMN deleted_at     timestamptz,           -- the audio is gone; see deleted_by and deleted_reason
    ADD COLUMN deleted_by     text        NOT NULL DEFAULT '',
    ADD COLUMN deleted_reason text        NOT NULL DEFAULT '';

-- Retention takes the oldest recordings still present first.
CREATE INDEX recordings_present_idx ON recordings (started_at) WHERE deleted_at IS NULL AND NOT legal_hold;
CREATE INDEX recordings_started_idx ON recordings (started_at DESC, id DESC);

-- Who listened to, downloaded or verified a recording, and when.
CREATE TABLE recording_access (
    id           bigserial PRIMARY KEY,
    recording_id uuid        NOT NULL REFERENCES recordings (id),
    at           timestamptz NOT NULL,
    actor        text        NOT NULL,
    role         text        NOT NULL,
    action       text        NOT NULL CHECK (action IN ('listen', 'verify', 'review', 'hold', 'release')),
    detail       text        NOT NULL DEFAULT ''   -- e.g. the byte range asked for
);
CREATE INDEX recording_access_recording_idx ON recording_access (recording_id, id);

-- Supervisors' reviews of a call: a score of 1 to 5 and a note.
CREATE TABLE recording_reviews (
    id           bigserial PRIMARY KEY,
    recording_id uuid        NOT NULL REFERENCES recordings (id),
    at           timestamptz NOT NULL,
    reviewer     text        NOT NULL,
    score        integer     NOT NULL CHECK (score BETWEEN 1 AND 5),
    note         text        NOT NULL DEFAULT '' CHECK (char_length(note) <= 5000)
);
CREATE INDEX recording_reviews_recording_idx ON recording_reviews (recording_id, id);
