package io.p2psync.changes;

import io.p2psync.storage.WriterTurns;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The reconciliation scan: compares every row of a tracked table with its state and seals the difference as
 * this device's entries ({@link RowDifference}), so rows that existed before the table was tracked enter the
 * log, and writes the triggers could not see are found (an {@code INSERT OR REPLACE} that removed a row
 * through another UNIQUE index fires no delete trigger unless the app turned {@code recursive_triggers} on).
 *
 * <p>First pass: the table in rowid order (key order for a {@code WITHOUT ROWID} table), a bounded number of
 * rows per write transaction, with a pause for other writers between them ({@link WriterTurns}). Second pass, only when the count of live states exceeds
 * the count of rows (after the first pass every row has a live state, so the excess is exactly the rows that
 * are gone): the table's live states in record-id order, each looked up by key, and a DELETE sealed for those
 * whose row is gone. One scan runs at a time; a second caller waits for it.
 */
@Service
public class ReconciliationScan {

    private static final Logger log = LoggerFactory.getLogger(ReconciliationScan.class);
    /** A progress line in the log every this many rows. */
    static final long PROGRESS_EVERY = 100_000;

    /**
     * What a scan of one table did.
     *
     * @param table   the table
     * @param rows    rows compared (first pass) plus states looked up (second pass)
     * @param sealed  entries sealed: new rows, changed rows and rows gone
     */
    public record TableScan(String table, long rows, long sealed) {
    }

    private final JdbcTemplate template;
    private final TransactionTemplate tx;
    private final ChangeSealer sealer;
    private final TrackedTables tables;
    private final int batch;
    private final ReentrantLock running = new ReentrantLock();

    private final UnscannedTables unscanned;
    private final ApplicationEventPublisher events;

    ReconciliationScan(JdbcTemplate template, TransactionTemplate tx, ChangeSealer sealer, TrackedTables tables,
                       CaptureSettings settings, UnscannedTables unscanned, ApplicationEventPublisher events) {
        this.template = template;
        this.tx = tx;
        this.sealer = sealer;
        this.tables = tables;
        this.batch = settings.scanBatch();
        this.unscanned = unscanned;
        this.events = events;
    }

    /** The tables tracked now. */
    List<String> trackedNames() {
        return new ArrayList<>(tables.names());
    }

    /** Scans every tracked table, one after the other. */
    public List<TableScan> scanAll() {
        return scan(new ArrayList<>(tables.names()));
    }

    /**
     * Scans the named tables that are tracked now (others are skipped), one after the other.
     *
     * @return one result per table scanned, in the order given
     */
    public List<TableScan> scan(List<String> names) {
        running.lock();
        try {
            List<TableScan> out = new ArrayList<>();
            for (String name : names) {
                TrackedTable t = tables.get(name);
                if (t != null) {
                    out.add(scan(t));
                } else {
                    unscanned.forget(name); // gone: if the app creates it again, it is owed a scan again
                }
            }
            return out;
        } finally {
            running.unlock();
        }
    }

    private TableScan scan(TrackedTable t) {
        long owed = unscanned.mark(t.name()); // taken first: a mark that comes while this scan runs stays
        long started = System.nanoTime();
        long rows = 0;
        long sealed = 0;
        List<Object> after = null;
        String rowid = rowidName(t);
        // The columns SELECT * gives: the table's own (hidden 0), and its generated ones (2, 3), which
        // pragma_table_info, and so TrackedTable, leaves out
        List<String> selected = new ArrayList<>();
        List<String> own = new ArrayList<>();
        template.query("SELECT name, hidden FROM pragma_table_xinfo(?) WHERE hidden IN (0, 2, 3) ORDER BY cid", rs -> {
            selected.add(rs.getString(1));
            if (rs.getInt(2) == 0) {
                own.add(rs.getString(1));
            }
        }, t.name());
        if (!own.equals(t.columns())) {
            log.info("scan of {} not started: the app changed the table's columns, and capture has not followed yet; "
                    + "the next scan covers it", t.name());
            return new TableScan(t.name(), 0, 0);
        }
        Set<String> nullKeys = new HashSet<>();
        Set<String> recordedBefore = new HashSet<>();
        long shadowed = 0;
        long unsynced = 0;
        Page page;
        do {
            long start = System.nanoTime();
            List<Object> from = after;
            sealer.sealBacklog(tx); // in parts, before the page's transaction seals the rest
            page = tx.execute(s -> rowsPage(t, rowid, from, selected, nullKeys, recordedBefore));
            if (page.stale()) {
                log.info("scan of {} stopped after {} rows: the app changed the table's columns meanwhile; the next "
                        + "scan covers it", t.name(), rows);
                return new TableScan(t.name(), rows, sealed);
            }
            rows += page.count();
            sealed += page.sealed();
            shadowed += page.shadowed();
            unsynced += page.unsynced();
            after = page.last();
            if (rows / PROGRESS_EVERY != (rows - page.count()) / PROGRESS_EVERY) {
                log.info("scan of {}: {} rows compared, {} entries sealed so far", t.name(), rows, sealed);
            }
            WriterTurns.pauseAfter(start);
            if (Thread.currentThread().isInterrupted()) {
                log.info("scan of {} stopped after {} rows: the node is stopping", t.name(), rows);
                return new TableScan(t.name(), rows, sealed);
            }
        } while (page.count() == batch);
        if (shadowed > 0) {
            log.warn("{} rows of {} have a key with NULL in it that an earlier row has too: a record names one row, "
                    + "so only the first of each (the lowest rowid) syncs; give the key columns NOT NULL values",
                    shadowed, t.name());
        }
        long keysNotSynced = unsynced;
        sealer.sealBacklog(tx); // in parts, before the page's transaction seals the rest
        long gone = tx.execute(s -> excessStates(t, keysNotSynced));
        if (gone > 0) {
            String fromId = null;
            do {
                long start = System.nanoTime();
                String f = fromId;
                sealer.sealBacklog(tx); // in parts, before the page's transaction seals the rest
                page = tx.execute(s -> statesPage(t, f, recordedBefore));
                rows += page.count();
                sealed += page.sealed();
                fromId = page.lastRecordId();
                WriterTurns.pauseAfter(start);
            } while (page.count() == batch);
        }
        log.info("scan of {}: {} rows compared, {} entries sealed, in {} ms", t.name(), rows, sealed,
                (System.nanoTime() - started) / 1_000_000);
        if (unscanned.scanned(t.name(), owed)) {
            events.publishEvent(new TableScanned(t.name())); // entries held back for it may apply now
        }
        return new TableScan(t.name(), rows, sealed);
    }

    /**
     * One page of a pass: how many rows it read, entries it sealed, and where the next page starts; stale if the
     * table's rows no longer have the columns the scan began with (nothing was compared then); shadowed, the rows
     * it passed over because an earlier row has the same key with NULL in it; unsynced, the rows it passed over
     * because their key cannot be synced ({@link SqlValues#isSupportedKey}).
     */
    private record Page(int count, int sealed, List<Object> last, String lastRecordId, boolean stale, int shadowed,
                        int unsynced) {
        Page(int count, int sealed, List<Object> last, String lastRecordId) {
            this(count, sealed, last, lastRecordId, false, 0, 0);
        }
    }

    /**
     * The name under which the table's rowid can be read ({@code rowid}, {@code _rowid_} or {@code oid}, the
     * first no column of the table shadows); null for a {@code WITHOUT ROWID} table, or if columns shadow all
     * three.
     */
    private String rowidName(TrackedTable t) {
        Integer withoutRowid = template.query("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?",
                rs -> rs.next() ? rs.getInt(1) : null, t.name());
        if (withoutRowid == null || withoutRowid != 0) {
            return null;
        }
        List<String> columns = template.queryForList("SELECT lower(name) FROM pragma_table_info(?)", String.class,
                t.name());
        return java.util.stream.Stream.of("rowid", "_rowid_", "oid").filter(n -> !columns.contains(n)).findFirst()
                .orElse(null);
    }

    /**
     * First pass: up to {@code batch} rows after {@code after} (null: from the start). A table with a rowid
     * is read in rowid order, after the last rowid: a key column of such a table may hold NULL (SQLite allows
     * it unless the key is the rowid itself), and a comparison of the key with NULL in it is never true, so
     * paging by key would stop or skip rows there. A {@code WITHOUT ROWID} table, whose key columns are never
     * NULL, is read in key order after the last key.
     *
     * @param rowid    how to name the rowid ({@link #rowidName}), null to page by key
     * @param selected the columns {@code SELECT *} gave when the scan began: a page with others is stale
     * @param nullKeys the record ids with NULL in them met so far in this scan
     * @param recordedBefore records, met so far in this scan, that an earlier version made of a row whose key is
     *                       not UTF-8 (below)
     */
    private Page rowsPage(TrackedTable t, String rowid, List<Object> after, List<String> selected,
                          Set<String> nullKeys, Set<String> recordedBefore) {
        String keys = t.keyListSql();
        String sql = rowid != null
                ? "SELECT " + rowid + ", * FROM " + t.quotedName() + (after == null ? "" : " WHERE " + rowid + " > ?")
                        + " ORDER BY " + rowid + " LIMIT " + batch
                : "SELECT * FROM " + t.quotedName()
                        + (after == null ? "" : " WHERE (" + keys + ") > (" + after.stream().map(RowWriter::placeholder)
                                .collect(Collectors.joining(", ")) + ")")
                        + " ORDER BY " + keys + " LIMIT " + batch;
        int skip = rowid != null ? 1 : 0;
        // What the triggers queued is sealed first, in this page's write transaction, so nothing is pending
        // when the page's entries are sealed: they end their group (docs/storage.md, "Groups") instead of
        // leaving it open for a marker entry to end.
        sealer.sealPending();
        return template.execute((ConnectionCallback<Page>) connection -> {
            try (RowLookup lookup = new RowLookup(connection)) {
                List<ChangeSealer.Observed> observed = new ArrayList<>();
                List<Rekeyed> renamed = new ArrayList<>(); // unchanged rows whose state still names an unsure drop
                List<Object> last = null;
                int count = 0;
                long now = System.currentTimeMillis();
                PreparedStatement ps = lookup.statement(sql);
                if (after != null) {
                    for (int i = 0; i < after.size(); i++) {
                        RowWriter.bind(ps, i + 1, after.get(i)); // as placed: TEXT that is not UTF-8 is cast back
                    }
                }
                List<LinkedHashMap<String, Object>> page = new ArrayList<>(batch);
                List<Object> lastRowid = null;
                try (ResultSet rs = ps.executeQuery()) {
                    java.sql.ResultSetMetaData meta = rs.getMetaData();
                    while (rs.next()) {
                        if (skip == 0) {
                            page.add(RowLookup.row(rs));
                            continue;
                        }
                        lastRowid = List.of(rs.getLong(1));
                        LinkedHashMap<String, Object> row = new LinkedHashMap<>();
                        for (int i = 2; i <= meta.getColumnCount(); i++) {
                            row.put(meta.getColumnName(i), SqlValues.read(rs, i));
                        }
                        page.add(row);
                    }
                }
                if (!page.isEmpty() && !List.copyOf(page.get(0).keySet()).equals(selected)) {
                    // An ALTER TABLE since the scan began: compared with the table as it was, a column the app just
                    // added would look written with its default, and sealing that could overwrite what another
                    // device wrote into it.
                    return new Page(0, 0, null, null, true, 0, 0);
                }
                int shadowed = 0;
                int unsynced = 0;
                for (LinkedHashMap<String, Object> row : page) {
                    count++;
                    List<Object> key = t.primaryKey().stream().map(row::get).toList();
                    last = skip == 0 ? key : lastRowid;
                    if (!SqlValues.isSupportedKey(key)) {
                        sealer.unsupportedKey(t, key);
                        if (!recordedBefore(lookup, t, key, recordedBefore)) {
                            unsynced++;
                        }
                        continue;
                    }
                    String recordId = SqlValues.encodeKey(key);
                    // SQLite lets several rows of a rowid table hold the same key with NULL in it. One record id
                    // names them all, and the sealer's look-up takes the first (the lowest rowid, the first met
                    // here); compared in turn with that record's one state, they were sealed over each other on
                    // every scan.
                    if (key.contains(null) && !nullKeys.add(recordId)) {
                        shadowed++;
                        continue;
                    }
                    RowState state = lookup.state(t.name(), recordId);
                    Optional<ChangeSealer.Observed> change = ChangeSealer.observe(lookup, t, recordId, row, state, now, true);
                    if (change.isPresent()) {
                        observed.add(change.get());
                    } else if (RowDifference.namesAnUnsureDrop(t, row, state)) {
                        renamed.add(new Rekeyed(t.name(), recordId, RowHashes.write(RowHashes.hashes(row))));
                    }
                }
                rekey(lookup, renamed);
                return new Page(count, sealer.seal(observed).size(), last, null, false, shadowed, unsynced);
            }
        });
    }

    /**
     * Keeps the states of rows found unchanged under the columns' names of now, where they still named an unsure drop
     * whose value a new column holds ({@link RowDifference#namesAnUnsureDrop}): the values, vectors and clocks stay.
     */
    private static void rekey(RowLookup lookup, List<Rekeyed> renamed) throws SQLException {
        if (renamed.isEmpty()) {
            return;
        }
        PreparedStatement ps = lookup.statement(
                "UPDATE sync_row_state SET column_hashes = ? WHERE table_name = ? AND record_id = ?");
        for (Rekeyed r : renamed) {
            ps.setString(1, r.columnHashes());
            ps.setString(2, r.table());
            ps.setString(3, r.recordId());
            ps.addBatch();
        }
        ps.executeBatch();
    }

    /** A row state's column hashes as the row stands, under the columns' names of now. */
    private record Rekeyed(String table, String recordId, String columnHashes) {
    }

    /**
     * Before TEXT that is not UTF-8 was read as its bytes, a row keyed by it was synced under the key as read then,
     * U+FFFD in place of each byte. True if that live record stands for the row of {@code key} (and adds it to
     * {@code recordedBefore}): in the count of rows gone too, unless a row of its own holds that key (U+FFFD
     * itself) or another such row already claimed it.
     */
    private static boolean recordedBefore(RowLookup lookup, TrackedTable t, List<Object> key,
                                          Set<String> recordedBefore) throws java.sql.SQLException {
        List<Object> keyReadBefore = key.stream()
                .map(v -> v instanceof NonUtf8Text text ? (Object) text.asReadBefore() : v).toList();
        String asReadBefore = SqlValues.encodeKey(keyReadBefore);
        RowState before = lookup.state(t.name(), asReadBefore);
        return before != null && !before.deleted() && lookup.row(t, keyReadBefore) == null
                && recordedBefore.add(asReadBefore);
    }

    /**
     * Live states beyond the table's rows, after sealing what the triggers queued (so every row has a live
     * state, except the {@code unsynced} rows, whose keys cannot be synced): the number of rows that are gone
     * without a delete the triggers saw.
     */
    private long excessStates(TrackedTable t, long unsynced) {
        sealer.sealPending();
        Long states = template.queryForObject(
                "SELECT COUNT(*) FROM sync_row_state WHERE table_name = ? AND deleted = 0", Long.class, t.name());
        // records, not rows: rows that share a key with NULL in it are one record with one state
        Long present = template.queryForObject("SELECT COUNT(*) FROM (SELECT DISTINCT " + t.keyListSql() + " FROM "
                + t.quotedName() + ")", Long.class);
        return (states == null ? 0 : states) - (present == null ? 0 : present - unsynced);
    }

    /** Second pass: up to {@code batch} live states after {@code after}; a DELETE for each whose row is gone. */
    private Page statesPage(TrackedTable t, String after, Set<String> recordedBefore) {
        sealer.sealPending(); // as in rowsPage
        return template.execute((ConnectionCallback<Page>) connection -> {
            try (RowLookup lookup = new RowLookup(connection)) {
                PreparedStatement ps = lookup.statement("""
                        SELECT record_id FROM sync_row_state
                         WHERE table_name = ? AND deleted = 0 AND record_id > ? ORDER BY record_id LIMIT ?""");
                ps.setString(1, t.name());
                ps.setString(2, after == null ? "" : after);
                ps.setInt(3, batch);
                List<String> ids = new ArrayList<>(batch);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
                List<ChangeSealer.Observed> observed = new ArrayList<>();
                long now = System.currentTimeMillis();
                for (String recordId : ids) {
                    List<Object> key;
                    try {
                        key = RowDifference.keyOf(t, recordId);
                    } catch (IllegalArgumentException notThisForm) {
                        continue; // a record id of an earlier form names no row this table can hold
                    }
                    if (lookup.row(t, key) == null) {
                        if (recordedBefore.contains(recordId)) {
                            // the first pass met its row, under a key that is not UTF-8 (see rowsPage): the row is
                            // there, and a DELETE would take it from every other device
                            continue;
                        }
                        ChangeSealer.observe(lookup, t, recordId, null, lookup.state(t.name(), recordId), now)
                                .ifPresent(observed::add);
                    }
                }
                return new Page(ids.size(), sealer.seal(observed).size(), null,
                        ids.isEmpty() ? after : ids.get(ids.size() - 1));
            }
        });
    }
}
