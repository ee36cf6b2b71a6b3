-- Scheduled jobs and the notification outbox.

-- One row per run of a scheduled job. (job, tick) is unique: a tick (the schedule's activation time the run
-- belongs to) runs once, however many nodes fire it. A row is 'running' until the run ends; a run whose node
-- died is marked 'interrupted' by the next run of the same job.
CREATE TABLE job_runs (
    id          bigserial PRIMARY KEY,
    job         text        NOT NULL CHECK (length(job) BETWEEN 1 AND 100),
    node        text        NOT NULL,
    tick        timestamptz NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    outcome     text        NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'panicked', 'interrupted')),
    summary     text        NOT NULL DEFAULT '',
    error       text        NOT NULL DEFAULT '',
    UNIQUE (job, tick)
);

-- The outbox: every notification to a department, a head or the supervisors, delivered at least once by
-- whichever node claims it. body holds the exact bytes sent (the webhook's JSON, the mail's text).
CREATE TABLE notifications (
    id              uuid PRIMARY KEY,
    idempotency_key text        NOT NULL UNIQUE CHECK (idempotency_key ~ '^[!-~]{1,200}$'),
    channel         text        NOT NULL CHECK (channel IN ('webhook', 'email')),
    target          text        NOT NULL CHECK (length(target) BETWEEN 1 AND 2000), -- URL or e-mail address
    secret          text        NOT NULL DEFAULT '',                                 -- webhook HMAC key
    subject         text        NOT NULL DEFAULT '',                                 -- e-mail subject
    body            bytea       NOT NULL,
    event           text        NOT NULL,
    ticket_id       uuid,                                                            -- no foreign key on purpose
    stage           text        NOT NULL DEFAULT '',
    department      text        NOT NULL DEFAULT '',
    state           text        NOT NULL DEFAULT 'pending'
                                CHECK (state IN ('pending', 'sending', 'delivered', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,  -- pending: when to try; sending: equal to lease_until
    lease_until     timestamptz,           -- sending: the claim ends then, and another node may try again
    last_error      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz
);
-- The due scan of the deliverers.
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE state IN ('pending', 'sending');
-- Lists by state, newest first (e.g. the dead ones for admins).
CREATE INDEX notifications_state_idx ON notifications (state, created_at DESC, id DESC);
CREATE INDEX notifications_created_idx ON notifications (created_at DESC, id DESC);
