-- The outbox: events recorded in the transaction of the change that causes them, and which
-- consumer (mail, webhooks) has handled which event. A consumer reads the events it has no
-- receipt for, handles them and writes its receipt in one transaction.
CREATE TABLE events (
    id TEXT NOT NULL PRIMARY KEY,
    event_type TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    data TEXT NOT NULL -- a JSON object
);
CREATE INDEX events_at ON events (at, id);

CREATE TABLE event_receipts (
    consumer TEXT NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
