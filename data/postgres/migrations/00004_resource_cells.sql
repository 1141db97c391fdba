-- Issue 5: a resource may cover by a set of H3 cells instead of a geometry,
-- and may carry its code in the operator's inventory (the key resource
-- imports upsert by).
--
-- cells holds the H3 cell indexes as bigint (an H3 index has its top bit
-- clear, so it fits), in the order given; NULL unless the resource covers
-- by cells, in which case geometry is NULL. An array rather than a child
-- table: coverage is computed in Go from whole resources, never by a SQL
-- lookup of one cell, yet SQL can still unnest() it. code is NULL when the
-- resource has none (NULLs do not clash under UNIQUE).

-- +goose Up
ALTER TABLE resources
    ADD COLUMN code text,
    ADD COLUMN cells bigint[],
    ALTER COLUMN geometry DROP NOT NULL,
    ADD CONSTRAINT resources_code_key UNIQUE (code),
    ADD CONSTRAINT resources_coverage_check CHECK ((geometry IS NULL) <> (cells IS NULL));

-- +goose Down
-- Resources that cover by cells cannot be written in the old schema.
DELETE FROM resources WHERE geometry IS NULL;
ALTER TABLE resources
    DROP CONSTRAINT resources_coverage_check,
    DROP CONSTRAINT resources_code_key,
    DROP COLUMN cells,
    DROP COLUMN code,
    ALTER COLUMN geometry SET NOT NULL;
