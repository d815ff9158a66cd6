-- Periodic jobs and the mail queue.
--
-- job_runs: one row per job and period. A replica claims a period by inserting its row, or by
-- taking over a row whose lease expired before the job finished (its owner died); finished is
-- set when the job ran to the end, and the period is then never claimed again.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    period BIGINT NOT NULL, -- start of the period, unix microseconds
    owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL,
    finished_at BIGINT NOT NULL, -- 0 until the job ran to the end
    PRIMARY KEY (job, period)
);

-- mails: the queue of mails made from events. It holds no secret and no rendered body: a mail
-- is rendered when it is sent, from its event's data (and a one-time link derived then).
CREATE TABLE mails (
    id TEXT NOT NULL PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    language TEXT NOT NULL,
    template TEXT NOT NULL,
    state TEXT NOT NULL, -- queued, sent, logged, failed
    attempts BIGINT NOT NULL,
    next_attempt BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    lease_owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL
);
CREATE INDEX mails_due ON mails (state, next_attempt);
CREATE INDEX mails_created ON mails (created_at, id);
CREATE INDEX mails_event ON mails (event_id);
