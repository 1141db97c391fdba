-- gridplan schema for the embedded SQLite store.
--
-- Encodings: ids are INTEGER PRIMARY KEY AUTOINCREMENT (an id is never
-- reused, even after its row is deleted); times are INTEGER unix
-- microseconds UTC; dates are TEXT 'YYYY-MM-DD'; polygons are WKB blobs;
-- points are two REAL columns (exact float64). Enumerations are TEXT checked
-- by the domain's Validate before they get here.

-- +goose Up
CREATE TABLE districts (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    code     TEXT    NOT NULL UNIQUE,
    name     TEXT    NOT NULL,
    city     TEXT    NOT NULL,
    province TEXT    NOT NULL,
    boundary BLOB    NOT NULL
);

CREATE TABLE grids (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    district_id INTEGER NOT NULL REFERENCES districts (id) ON DELETE RESTRICT,
    boundary    BLOB    NOT NULL,
    version     INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX grids_district ON grids (district_id);

CREATE TABLE managers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    grid_id      INTEGER NOT NULL REFERENCES grids (id) ON DELETE RESTRICT,
    role         TEXT    NOT NULL,
    quota_min    INTEGER NOT NULL,
    quota_target INTEGER NOT NULL,
    quota_max    INTEGER NOT NULL,
    base_lon     REAL    NOT NULL,
    base_lat     REAL    NOT NULL,
    phone        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX managers_grid ON managers (grid_id);

-- A deleted grid leaves its customers ungridded (grid_id NULL); a manager
-- is not deleted while he owns customers (the store checks first, so the
-- user gets a message instead of a foreign-key error).
CREATE TABLE customers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    external_id TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    address     TEXT    NOT NULL DEFAULT '',
    lon         REAL    NOT NULL,
    lat         REAL    NOT NULL,
    cell        INTEGER NOT NULL,
    grid_id     INTEGER REFERENCES grids (id) ON DELETE SET NULL,
    industry    TEXT    NOT NULL DEFAULT '',
    size        TEXT    NOT NULL DEFAULT '',
    carrier     TEXT    NOT NULL,
    special     INTEGER NOT NULL DEFAULT 0,
    stage       TEXT    NOT NULL,
    owner_id    INTEGER REFERENCES managers (id) ON DELETE RESTRICT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX customers_grid ON customers (grid_id);
CREATE INDEX customers_owner ON customers (owner_id);
CREATE INDEX customers_stage ON customers (stage);
-- The bbox filter ranges over lon with this index and checks lat from the
-- same index entries, without touching the table.
CREATE INDEX customers_lon_lat ON customers (lon, lat);

-- Coverage bounding box (a point resource grown by its radius) for the bbox
-- filter; the geometry itself is WKB.
CREATE TABLE resources (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    geometry      BLOB    NOT NULL,
    radius_m      REAL    NOT NULL DEFAULT 0,
    capacity      INTEGER NOT NULL DEFAULT 0,
    expected_date TEXT,
    min_lon       REAL    NOT NULL,
    min_lat       REAL    NOT NULL,
    max_lon       REAL    NOT NULL,
    max_lat       REAL    NOT NULL
);
CREATE INDEX resources_status ON resources (status);
CREATE INDEX resources_kind ON resources (kind);
CREATE INDEX resources_bbox ON resources (min_lon, max_lon);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    manager_id    INTEGER REFERENCES managers (id) ON DELETE RESTRICT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX users_manager ON users (manager_id);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- A customer's claims and activities go with it; a manager with claims or
-- activities stays (the store refuses to delete him).
CREATE TABLE claims (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id      INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    manager_id       INTEGER NOT NULL REFERENCES managers (id) ON DELETE RESTRICT,
    status           TEXT    NOT NULL,
    claimed_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    ended_at         INTEGER,
    end_reason       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX claims_customer ON claims (customer_id);
CREATE INDEX claims_manager ON claims (manager_id);
-- The method's exclusivity rule: at most one active claim per customer.
CREATE UNIQUE INDEX claims_one_active ON claims (customer_id) WHERE status = 'active';

CREATE TABLE activities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    manager_id  INTEGER NOT NULL REFERENCES managers (id) ON DELETE RESTRICT,
    kind        TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    signals     TEXT    NOT NULL DEFAULT '[]', -- JSON array of signal kinds
    pos_lon     REAL,
    pos_lat     REAL,
    verified    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX activities_customer ON activities (customer_id);
CREATE INDEX activities_manager ON activities (manager_id);
CREATE INDEX activities_at ON activities (at);

-- +goose Down
DROP TABLE activities;
DROP TABLE claims;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE resources;
DROP TABLE customers;
DROP TABLE managers;
DROP TABLE grids;
DROP TABLE districts;
