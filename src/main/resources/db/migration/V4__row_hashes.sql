-- What every tracked row held when the node last sealed or wrote it: a JSON object of column to a short hash
-- of the value (changes/RowHashes). The sealer and the reconciliation scan compare rows with it to find the
-- changed columns; NULL for rows whose state predates it (every column counts as changed).
ALTER TABLE sync_row_state ADD COLUMN column_hashes TEXT;
