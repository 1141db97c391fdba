-- Issue 3: background jobs and the geocoding gazetteer.

-- +goose Up

-- A job outlives its creator's login: deleting the user keeps the job and
-- forgets who started it. result is the job's JSON result as text (checked
-- by Job.Validate), NULL when there is none.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    message     TEXT    NOT NULL DEFAULT '',
    result      TEXT,
    error       TEXT    NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX jobs_created ON jobs (created_at, id);
CREATE INDEX jobs_created_by ON jobs (created_by);

-- Gazetteer entries in insertion order (the rowid; not AUTOINCREMENT, which
-- costs a sqlite_sequence write per row: a replaced source's new rows still
-- get ids above every remaining row). geometry is a WKB Point or LineString.
CREATE TABLE gazetteer (
    id       INTEGER PRIMARY KEY,
    source   TEXT NOT NULL,
    kind     TEXT NOT NULL,
    name     TEXT NOT NULL DEFAULT '',
    number   TEXT NOT NULL DEFAULT '',
    street   TEXT NOT NULL DEFAULT '',
    unit     TEXT NOT NULL DEFAULT '',
    city     TEXT NOT NULL DEFAULT '',
    district TEXT NOT NULL DEFAULT '',
    region   TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    geometry BLOB NOT NULL
);
CREATE INDEX gazetteer_source ON gazetteer (source);

-- +goose Down
DROP TABLE gazetteer;
DROP TABLE jobs;
