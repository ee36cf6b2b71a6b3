-- Escalation: the reminders and breach notices queued for each ticket, and the departments'
-- acknowledgements of them.

-- One row per ticket, effective deadline and stage: the claim that makes each stage go out once however
-- many nodes tick at once. A tick inserts the row (ON CONFLICT DO NOTHING) in the same transaction as the
-- notifications it queues, so both or neither are kept. The deadline is part of the key: a supervisor's
-- extension moves due_at and re-arms the stages for the new deadline. No foreign key on purpose: a claim
-- takes no lock on the ticket it is about, so it never waits for (or holds up) a change to the ticket.
CREATE TABLE ticket_notices (
    ticket_id       uuid        NOT NULL,
    due_at          timestamptz NOT NULL,  -- the effective deadline the stage was counted against
    stage           text        NOT NULL CHECK (stage IN ('due_soon', 'due_hours', 'breached')),
    queued_at       timestamptz NOT NULL,
    department      text        NOT NULL DEFAULT '',  -- the ticket's department when queued
    notifications   integer     NOT NULL DEFAULT 0 CHECK (notifications >= 0), -- rows queued in the outbox
    acknowledged_at timestamptz,
    acknowledged_by text,
    ack_note        text        NOT NULL DEFAULT '',
    ack_via         text CHECK (ack_via IN ('api', 'link')),
    PRIMARY KEY (ticket_id, due_at, stage),
    CHECK ((acknowledged_at IS NULL) = (ack_via IS NULL) AND (acknowledged_at IS NULL) = (acknowledged_by IS NULL))
);
-- The breach report counts the notices queued in its period.
CREATE INDEX ticket_notices_queued_idx ON ticket_notices (queued_at);

-- The breach report counts tickets resolved in its period and extensions granted in it.
CREATE INDEX tickets_resolved_idx ON tickets (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX ticket_audit_extend_idx ON ticket_audit (at) WHERE action = 'extend';
