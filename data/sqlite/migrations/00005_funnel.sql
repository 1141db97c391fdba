-- Issue 6: the six-step funnel. Encodings as in 00001 (times are unix
-- microseconds, days are 'YYYY-MM-DD' text, JSON is text).
--
-- transitions: every stage change of a customer, append-only; it goes with
-- its customer, and outlives the manager (his list then) and the user who
-- made it (manager_id, user_id NULL: none, the system, or deleted).
-- evidence is a JSON object of requirement key → value.
--
-- claims.ended_by: the user who released a claim (NULL: the system, a
-- lapse, or unknown). claims_lapse: the lapse job's scan of active claims
-- by last activity.
--
-- activities.distance_m: how far from the customer a visit was logged
-- (NULL without a position); contract_expires: a competitor contract's
-- end, recorded with a contract_expiring signal.
--
-- follow_ups: dated tasks on a customer (due is a day), open while done_at
-- is NULL; they go with their customer, forget the activity that created
-- them if it goes, and keep their manager (the store refuses to delete
-- him, as for claims).
--
-- settings: organisation settings, one JSON value per key; the funnel
-- configuration is key 'funnel'.

-- +goose Up
CREATE TABLE transitions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    manager_id  INTEGER REFERENCES managers (id) ON DELETE SET NULL,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    from_stage  TEXT    NOT NULL,
    to_stage    TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    evidence    TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX transitions_customer ON transitions (customer_id);
CREATE INDEX transitions_manager ON transitions (manager_id);
CREATE INDEX transitions_user ON transitions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX transitions_at ON transitions (at);

ALTER TABLE claims ADD COLUMN ended_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX claims_lapse ON claims (last_activity_at) WHERE status = 'active';
CREATE INDEX claims_ended_by ON claims (ended_by) WHERE ended_by IS NOT NULL;

ALTER TABLE activities ADD COLUMN distance_m REAL;
ALTER TABLE activities ADD COLUMN contract_expires TEXT;

CREATE TABLE follow_ups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    manager_id  INTEGER NOT NULL REFERENCES managers (id) ON DELETE RESTRICT,
    activity_id INTEGER REFERENCES activities (id) ON DELETE SET NULL,
    due         TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    done_at     INTEGER
);
CREATE INDEX follow_ups_customer ON follow_ups (customer_id);
CREATE INDEX follow_ups_manager ON follow_ups (manager_id);
CREATE INDEX follow_ups_activity ON follow_ups (activity_id) WHERE activity_id IS NOT NULL;
CREATE INDEX follow_ups_open_due ON follow_ups (due) WHERE done_at IS NULL;

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE follow_ups;
ALTER TABLE activities DROP COLUMN contract_expires;
ALTER TABLE activities DROP COLUMN distance_m;
-- ended_by is in a foreign key, which SQLite cannot drop: rebuild claims,
-- keeping ids and the AUTOINCREMENT high-water mark.
CREATE TABLE claims_old (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id      INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    manager_id       INTEGER NOT NULL REFERENCES managers (id) ON DELETE RESTRICT,
    status           TEXT    NOT NULL,
    claimed_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    ended_at         INTEGER,
    end_reason       TEXT    NOT NULL DEFAULT ''
);
INSERT INTO claims_old (id, customer_id, manager_id, status, claimed_at, last_activity_at, ended_at, end_reason)
    SELECT id, customer_id, manager_id, status, claimed_at, last_activity_at, ended_at, end_reason FROM claims;
DELETE FROM sqlite_sequence WHERE name = 'claims_old';
INSERT INTO sqlite_sequence (name, seq) SELECT 'claims_old', seq FROM sqlite_sequence WHERE name = 'claims';
DROP TABLE claims;
ALTER TABLE claims_old RENAME TO claims;
CREATE INDEX claims_customer ON claims (customer_id);
CREATE INDEX claims_manager ON claims (manager_id);
CREATE UNIQUE INDEX claims_one_active ON claims (customer_id) WHERE status = 'active';
DROP TABLE transitions;
