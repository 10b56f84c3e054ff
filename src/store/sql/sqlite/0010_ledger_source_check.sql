-- 0010: ledger_entry's source_type rule as a CASE instead of an IN list.
--
-- Why: SQLite evaluates `x IN (eight literals)` in a CHECK constraint by
-- building a temporary b-tree of the literals for every inserted row; on the
-- posting path that was a quarter of the cost of writing an entry. The same
-- rule written as a CASE costs at most eight comparisons. The constraint
-- accepts exactly the same values, every stored row satisfies it and the
-- file format does not change, so the table definition is edited in place:
-- the procedure SQLite documents for constraint changes that leave the
-- stored content alone (ALTER TABLE, "making other kinds of table schema
-- changes"). The replaced text is 0004's, byte for byte; the check below
-- refuses to go on if it was not found.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
       'CHECK (source_type IN' || char(10)
       || '                        (''invoice'', ''receipt'', ''claim'', ''payout_batch'', ''manual'', ''earning'','
       || char(10)
       || '                         ''refund'', ''reversal'')),',
       'CHECK (CASE source_type' || char(10)
       || '                        WHEN ''invoice'' THEN 1 WHEN ''receipt'' THEN 1 WHEN ''claim'' THEN 1'
       || char(10)
       || '                        WHEN ''payout_batch'' THEN 1 WHEN ''manual'' THEN 1 WHEN ''earning'' THEN 1'
       || char(10)
       || '                        WHEN ''refund'' THEN 1 WHEN ''reversal'' THEN 1 ELSE 0 END),')
 WHERE type = 'table' AND name = 'ledger_entry';
-- reload this connection's schema; the DDL below moves the schema cookie so
-- every other connection reloads too
PRAGMA writable_schema = RESET;
CREATE TABLE migration_0010_done (x INTEGER);
DROP TABLE migration_0010_done;
-- stop (integer overflow aborts the migration) unless the edit took
SELECT CASE WHEN sql LIKE '%CASE source_type%' AND sql NOT LIKE '%source_type IN%' THEN 1
            ELSE abs(-9223372036854775807 - 1) END
  FROM sqlite_schema WHERE type = 'table' AND name = 'ledger_entry';
