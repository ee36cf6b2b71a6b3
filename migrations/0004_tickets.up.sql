-- Tickets: the citizens' reports, the fields and departments they are classified and routed by, the days
-- that move the working-day calendar, and everything that happens to a ticket (calls, attachments, audit).

-- The competent departments (cơ quan chuyên môn) that resolve tickets; the head answers for the deadline.
CREATE TABLE departments (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z0-9_-]{1,32}$'),
    name       text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    head       text        NOT NULL DEFAULT '',
    head_email text        NOT NULL DEFAULT '',
    email      text        NOT NULL DEFAULT '',  -- reminders go here (and to the webhook)
    webhook    text        NOT NULL DEFAULT '',  -- an http(s) URL, or ''
    secret     text        NOT NULL DEFAULT '',  -- HMAC key of the webhook's signature
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- The fields of state management (lĩnh vực) a report is classified by.
CREATE TABLE fields (
    code          text PRIMARY KEY CHECK (code ~ '^[a-z0-9_-]{1,32}$'),
    name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    department    text REFERENCES departments (code),  -- where its tickets go by default
    deadline_days integer CHECK (deadline_days BETWEEN 1 AND 365), -- null: the channel's term
    priority      integer     NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 9), -- higher first in the queue
    seq           integer     NOT NULL,           -- order of listing
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    text        NOT NULL DEFAULT ''
);

INSERT INTO fields (code, name, seq) VALUES
    ('antt', 'An ninh trật tự', 1),
    ('atgt', 'An toàn giao thông', 2),
    ('ttdt', 'Trật tự đô thị', 3),
    ('xd', 'Xây dựng', 4),
    ('vsmt', 'Vệ sinh môi trường', 5),
    ('dd', 'Đất đai', 6),
    ('htdt', 'Hạ tầng đô thị (điện chiếu sáng, cấp thoát nước, cây xanh)', 7),
    ('attp', 'An toàn thực phẩm', 8),
    ('yt', 'Y tế', 9),
    ('gd', 'Giáo dục', 10),
    ('ldxh', 'Lao động, thương binh và xã hội', 11),
    ('vhtt', 'Văn hóa, thể thao và du lịch', 12),
    ('nn', 'Nông nghiệp (trồng trọt, chăn nuôi, thú y)', 13),
    ('tthc', 'Thủ tục hành chính', 14),
    ('khac', 'Lĩnh vực khác', 15);

-- Days that differ from the built-in calendar: days off (compensatory, swapped) and make-up working days.
CREATE TABLE holidays (
    date       date PRIMARY KEY,
    name       text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    kind       text        NOT NULL CHECK (kind IN ('holiday', 'workday')),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The last ticket number given in each year of receipt (Asia/Ho_Chi_Minh). Incremented inside the creating
-- transaction, so numbers are gap-free: a rolled-back create gives its number back.
CREATE TABLE ticket_counters (
    year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
    last integer NOT NULL CHECK (last >= 0)
);

CREATE TABLE tickets (
    id                      uuid PRIMARY KEY,
    code                    text        NOT NULL UNIQUE CHECK (code ~ '^PA-[0-9]{4}-[0-9]{6,}$'),
    channel                 text        NOT NULL CHECK (channel IN ('hotline', 'zalo', 'field', 'web')),
    field                   text REFERENCES fields (code),
    department              text REFERENCES departments (code),
    status                  text        NOT NULL CHECK (status IN ('new', 'assigned', 'in_progress', 'resolved',
                                                                   'closed', 'rejected', 'merged')),
    received_at             timestamptz NOT NULL,
    term_days               integer     NOT NULL CHECK (term_days >= 0), -- N working days, fixed when computed
    deadline_at             timestamptz NOT NULL,
    extended_deadline_at    timestamptz,            -- a supervisor's extension: always stands
    extension_reason        text        NOT NULL DEFAULT '',
    extension_legal_basis   text        NOT NULL DEFAULT '',
    due_at                  timestamptz GENERATED ALWAYS AS (coalesce(extended_deadline_at, deadline_at)) STORED,
    is_open                 boolean GENERATED ALWAYS AS (status IN ('new', 'assigned', 'in_progress')) STORED,
    resolved_at             timestamptz,            -- when it was (last) resolved: on time or late
    closed_at               timestamptz,
    reporter_name           text        NOT NULL DEFAULT '',
    reporter_phone          text        NOT NULL DEFAULT '', -- as given
    reporter_phone_national text,                   -- the same in national form (0…), for search by number
    reporter_email          text        NOT NULL DEFAULT '',
    address                 text        NOT NULL DEFAULT '',
    lat                     double precision CHECK (lat BETWEEN -90 AND 90),
    lon                     double precision CHECK (lon BETWEEN -180 AND 180),
    description             text        NOT NULL CHECK (char_length(description) BETWEEN 1 AND 10000),
    result                  text        NOT NULL DEFAULT '',
    reason                  text        NOT NULL DEFAULT '', -- why it was rejected
    note                    text        NOT NULL DEFAULT '', -- how and when the citizen was told (closed)
    merged_into             uuid REFERENCES tickets (id),
    callback                boolean     NOT NULL DEFAULT false, -- from a voicemail or an abandoned call
    created_by              text        NOT NULL,   -- the operator's extension, or the token's name
    created_by_operator     text,                   -- the operator who created it: one of its handlers
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    -- The words of the description, address, reporter's name and code, folded (ticketing.SearchKey), and
    -- their text search vector: stored, so that a list walking tickets newest first tests it cheaply.
    search                  text        NOT NULL,
    search_vector           tsvector GENERATED ALWAYS AS (to_tsvector('simple', search)) STORED,
    CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
    CHECK (status NOT IN ('assigned', 'in_progress', 'resolved', 'closed') OR department IS NOT NULL)
);

-- Lists are pages newest first, by keyset (received_at, id). Every filter has an index in that order, so a
-- page is a short index walk. Open tickets (the desk's work, and the only ones that can be overdue) have
-- their own small indexes that carry the other filters' columns, so a list of open tickets filtered several
-- ways is walked in the index alone.
CREATE INDEX tickets_received_idx ON tickets (received_at DESC, id DESC);
CREATE INDEX tickets_status_idx ON tickets (status, received_at DESC, id DESC);
CREATE INDEX tickets_field_idx ON tickets (field, received_at DESC, id DESC);
CREATE INDEX tickets_department_idx ON tickets (department, received_at DESC, id DESC);
CREATE INDEX tickets_channel_idx ON tickets (channel, received_at DESC, id DESC);
CREATE INDEX tickets_open_idx ON tickets (received_at DESC, id DESC)
    INCLUDE (due_at, status, field, department, channel) WHERE is_open;
CREATE INDEX tickets_open_department_idx ON tickets (department, received_at DESC, id DESC)
    INCLUDE (due_at, status, field, channel) WHERE is_open;
CREATE INDEX tickets_open_field_idx ON tickets (field, received_at DESC, id DESC)
    INCLUDE (due_at, status, department, channel) WHERE is_open;
-- Reminders take open tickets by due time.
CREATE INDEX tickets_open_due_idx ON tickets (due_at) WHERE is_open;
CREATE INDEX tickets_phone_idx ON tickets (reporter_phone_national, received_at DESC)
    WHERE reporter_phone_national IS NOT NULL;
CREATE INDEX tickets_search_idx ON tickets USING gin (search_vector);

-- Calls about a ticket (many to many): the call it was created in, calls linked later, and those a merged
-- ticket handed on.
CREATE TABLE ticket_calls (
    ticket_id uuid        NOT NULL REFERENCES tickets (id),
    call_id   uuid        NOT NULL REFERENCES calls (id),
    linked_at timestamptz NOT NULL,
    linked_by text        NOT NULL,
    PRIMARY KEY (ticket_id, call_id)
);
CREATE INDEX ticket_calls_call_idx ON ticket_calls (call_id);

-- Attachments are references to files kept elsewhere (a photo on the Zalo CDN, a field app's video).
CREATE TABLE ticket_attachments (
    id        bigserial PRIMARY KEY,
    ticket_id uuid NOT NULL REFERENCES tickets (id),
    url       text NOT NULL CHECK (url ~ '^https?://' AND char_length(url) <= 2048),
    kind      text NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'document', 'other')),
    name      text NOT NULL DEFAULT ''
);
CREATE INDEX ticket_attachments_ticket_idx ON ticket_attachments (ticket_id);

-- Every change to a ticket and every read of its reporter's identity: who, when, old → new.
CREATE TABLE ticket_audit (
    id        bigserial PRIMARY KEY,
    ticket_id uuid        NOT NULL REFERENCES tickets (id),
    at        timestamptz NOT NULL,
    actor     text        NOT NULL,
    role      text        NOT NULL,
    action    text        NOT NULL,
    field     text        NOT NULL DEFAULT '',
    old       text        NOT NULL DEFAULT '',
    new       text        NOT NULL DEFAULT '',
    detail    text        NOT NULL DEFAULT ''
);
CREATE INDEX ticket_audit_ticket_idx ON ticket_audit (ticket_id, id);

-- POST /api/v1/tickets with an Idempotency-Key: a repeat with the same key and token answers the first
-- ticket. Keys older than 24 hours may be purged.
CREATE TABLE idempotency_keys (
    token_id   bigint      NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    key        text        NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    ticket_id  uuid        NOT NULL REFERENCES tickets (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (token_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
