-- Issue 5: a resource may cover by a set of H3 cells instead of a geometry,
-- and may carry its code in the operator's inventory (the key resource
-- imports upsert by).
--
-- cells is the H3 cells packed as 8-byte little-endian unsigned integers, in
-- the order given (100,000 cells, the most a resource may have, are 800 KB);
-- NULL unless the resource covers by cells, in which case geometry is NULL.
-- A blob rather than a child table: coverage is computed in Go from whole
-- resources, never by a SQL lookup of one cell, and a blob reads in one go.
-- code is NULL when the resource has none (NULLs do not clash in a UNIQUE
-- column).
--
-- SQLite cannot drop a NOT NULL constraint, so the table is rebuilt; nothing
-- refers to resources, and ids (with the AUTOINCREMENT high-water mark) are
-- kept.

-- +goose Up
CREATE TABLE resources_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT    UNIQUE,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    geometry      BLOB,
    cells         BLOB,
    radius_m      REAL    NOT NULL DEFAULT 0,
    capacity      INTEGER NOT NULL DEFAULT 0,
    expected_date TEXT,
    min_lon       REAL    NOT NULL,
    min_lat       REAL    NOT NULL,
    max_lon       REAL    NOT NULL,
    max_lat       REAL    NOT NULL,
    CHECK ((geometry IS NULL) <> (cells IS NULL))
);
INSERT INTO resources_new (id, name, kind, status, geometry, radius_m, capacity, expected_date, min_lon, min_lat, max_lon, max_lat)
    SELECT id, name, kind, status, geometry, radius_m, capacity, expected_date, min_lon, min_lat, max_lon, max_lat FROM resources;
DELETE FROM sqlite_sequence WHERE name = 'resources_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'resources_new', seq FROM sqlite_sequence WHERE name = 'resources';
DROP TABLE resources;
ALTER TABLE resources_new RENAME TO resources;
CREATE INDEX resources_status ON resources (status);
CREATE INDEX resources_kind ON resources (kind);
CREATE INDEX resources_bbox ON resources (min_lon, max_lon);

-- +goose Down
-- Resources that cover by cells cannot be written in the old schema: they
-- are dropped, and so are codes.
CREATE TABLE resources_old (
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
INSERT INTO resources_old (id, name, kind, status, geometry, radius_m, capacity, expected_date, min_lon, min_lat, max_lon, max_lat)
    SELECT id, name, kind, status, geometry, radius_m, capacity, expected_date, min_lon, min_lat, max_lon, max_lat FROM resources
    WHERE geometry IS NOT NULL;
DELETE FROM sqlite_sequence WHERE name = 'resources_old';
INSERT INTO sqlite_sequence (name, seq) SELECT 'resources_old', seq FROM sqlite_sequence WHERE name = 'resources';
DROP TABLE resources;
ALTER TABLE resources_old RENAME TO resources;
CREATE INDEX resources_status ON resources (status);
CREATE INDEX resources_kind ON resources (kind);
CREATE INDEX resources_bbox ON resources (min_lon, max_lon);
