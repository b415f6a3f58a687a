-- A module a province configured in the console rather than built: the
-- engine it runs (`kind`: a built-in module such as `procedure`, whose
-- component is stored in `wasm` as for any module) and the definition that
-- is its config. NULL for a module built as a package.
ALTER TABLE plugins ADD COLUMN kind TEXT;
ALTER TABLE plugins ADD COLUMN definition TEXT;
