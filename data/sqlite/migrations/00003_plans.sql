-- Issue 4: grid plans, versions of the whole grid layout.
--
-- A plan is a complete set of grids; exactly one plan is published at a time
-- (the live grids table mirrors it), the others are drafts, drafts waiting
-- for approval, or archived earlier versions. Encodings as in 00001.

-- +goose Up

-- base_plan_id is the plan this one was copied from; deleting a draft that
-- others were copied from forgets the link rather than refusing.
CREATE TABLE plans (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    number       INTEGER NOT NULL DEFAULT 0,
    base_plan_id INTEGER REFERENCES plans (id) ON DELETE SET NULL,
    version      INTEGER NOT NULL,
    note         TEXT    NOT NULL DEFAULT '',
    created_by   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    updated_by   TEXT    NOT NULL DEFAULT '',
    submitted_by TEXT    NOT NULL DEFAULT '',
    submitted_at INTEGER,
    approved_by  TEXT    NOT NULL DEFAULT '',
    approved_at  INTEGER,
    published_by TEXT    NOT NULL DEFAULT '',
    published_at INTEGER
);
-- At most one published plan; version numbers are given once.
CREATE UNIQUE INDEX plans_one_published ON plans (status) WHERE status = 'published';
CREATE UNIQUE INDEX plans_number ON plans (number) WHERE number > 0;
CREATE INDEX plans_status ON plans (status);

-- grid_id is the live grid the plan grid stands for; it has no foreign key
-- because an archived plan keeps the ids of live grids deleted since.
-- Deleting a plan deletes its grids; a district is not deleted while a plan
-- (even an archived one) still has grids in it.
CREATE TABLE plan_grids (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id      INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    grid_id      INTEGER,
    code         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    district_id  INTEGER NOT NULL REFERENCES districts (id) ON DELETE RESTRICT,
    boundary     BLOB    NOT NULL,
    removed      INTEGER NOT NULL DEFAULT 0,
    successor_id INTEGER REFERENCES plan_grids (id) ON DELETE SET NULL,
    version      INTEGER NOT NULL,
    updated_by   TEXT    NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL
);
CREATE INDEX plan_grids_plan ON plan_grids (plan_id, id);
CREATE UNIQUE INDEX plan_grids_code ON plan_grids (plan_id, code) WHERE removed = 0;
CREATE UNIQUE INDEX plan_grids_grid ON plan_grids (plan_id, grid_id) WHERE grid_id IS NOT NULL;
CREATE INDEX plan_grids_district ON plan_grids (district_id);
CREATE INDEX plan_grids_successor ON plan_grids (successor_id) WHERE successor_id IS NOT NULL;

-- +goose Down
DROP TABLE plan_grids;
DROP TABLE plans;
