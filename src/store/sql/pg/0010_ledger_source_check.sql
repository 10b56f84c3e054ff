-- 0010: SQLite rewrites ledger_entry's source_type rule (an IN list costs it
-- a temporary b-tree per inserted row). PostgreSQL evaluates the IN list
-- directly; its schema stays as it is. The migration exists so both
-- backends carry the same version numbers.
SELECT 1;
