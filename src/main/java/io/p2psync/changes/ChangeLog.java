package io.p2psync.changes;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code sync_log}: stores sealed entries and answers the queries sync needs. Entries are kept compactly
 * (docs/storage.md, "A compact log"): the origin and the delivering device as {@link Origins} numbers, the hash
 * as its 32 raw bytes, and no previous hash, which is read from the origin's previous entry. What goes in and
 * comes out is the {@link ChangeEntry} as it travels.
 */
@Repository
class ChangeLog {

    /** The log with its origins' device ids: {@code l} the entry, {@code o} its origin. */
    static final String LOG = "sync_log l JOIN sync_origins o ON o.id = l.origin";

    /** The number of the origin bound at that place, for {@code l.origin = }. */
    private static final String ORIGIN = Origins.ID_OF;

    /** The previous hash in {@link #COLUMNS}: the hash of the origin's entry before. */
    private static final String PREV_HASH =
            "(SELECT p.hash FROM sync_log p WHERE p.origin = l.origin AND p.version = l.version - 1)";

    /** An entry's fields as {@link #entry} reads them, over {@link #LOG}, with {@code prev} as the previous hash. */
    private static String columns(String prev) {
        return "o.device_id, l.version, l.hlc, l.timestamp, l.table_name, l.record_id, l.operation, l.kind,"
                + " l.change_data, l.changed_columns, l.base, " + prev + ", l.hash, l.signature, l.continues";
    }

    /** An entry's fields as {@link #entry} reads them, over {@link #LOG}. */
    static final String COLUMNS = columns(PREV_HASH);

    /**
     * {@link #COLUMNS} without the previous hash (NULL in its place), for reads of a run of consecutive versions
     * of one origin: each entry's previous hash is the hash of the row read before it ({@link Run}), so
     * looking it up again for every row would cost an index seek each.
     */
    private static final String RUN_COLUMNS = columns("NULL");

    /** Maps the {@link #COLUMNS} (in that order) to an entry. */
    static final RowMapper<ChangeEntry> ENTRY = (rs, n) -> entry(rs, 0);

    /** The last entry of one origin: its version and hash. */
    record Head(long version, String hash) {
        static final Head NONE = new Head(0, null);
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final Origins origins;
    private final ApplicationEventPublisher events;

    /** For tests that run the log without a Spring context: stored entries are announced to nobody. */
    ChangeLog(JdbcClient jdbc, JdbcTemplate template) {
        this(jdbc, template, event -> { });
    }

    @Autowired
    ChangeLog(JdbcClient jdbc, JdbcTemplate template, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.template = template;
        this.origins = new Origins(template);
        this.events = events;
    }

    /**
     * Reads the {@link #COLUMNS} starting after column {@code skip}.
     *
     * @throws IllegalArgumentException if the stored values do not make a well-formed entry
     */
    static ChangeEntry entry(ResultSet rs, int skip) throws SQLException {
        return entry(rs, skip, hex(rs.getBytes(skip + 12)));
    }

    /** As {@link #entry(ResultSet, int)}, with the previous hash given rather than read. */
    private static ChangeEntry entry(ResultSet rs, int skip, String prevHash) throws SQLException {
        int i = skip;
        return new ChangeEntry(rs.getString(i + 1), rs.getLong(i + 2), rs.getLong(i + 3), rs.getLong(i + 4),
                rs.getString(i + 5), rs.getString(i + 6), Operation.valueOf(rs.getString(i + 7)),
                Kind.valueOf(rs.getString(i + 8)), rs.getString(i + 9), rs.getString(i + 10),
                VersionVector.parse(rs.getString(i + 11)), prevHash, hex(rs.getBytes(i + 13)),
                rs.getString(i + 14), rs.getInt(i + 15) != 0);
    }

    /**
     * Reads a run of one origin's entries, versions {@code after} + 1, + 2, … in order (read with
     * {@link #RUN_COLUMNS}), each with the hash of the one before as its previous hash.
     */
    private final class Run {
        private long version;
        private String previous;

        Run(String origin, long after) {
            this.version = after;
            this.previous = after == 0 ? null : hashOf(origin, after).orElse(null);
        }

        ChangeEntry next(ResultSet rs, int skip) throws SQLException {
            long v = rs.getLong(skip + 2);
            if (v != version + 1) { // versions are stored without gaps; never read past one as if it were not
                throw new IllegalStateException("version " + v + " follows version " + version + " in the log");
            }
            ChangeEntry e = entry(rs, skip, previous);
            version = v;
            previous = e.hash();
            return e;
        }
    }

    /** A stored hash as the entry carries it: lowercase hex; null stays null. */
    private static String hex(byte[] hash) {
        return hash == null ? null : HEX.formatHex(hash);
    }

    private static final HexFormat HEX = HexFormat.of();

    /**
     * Appends entries in one batch and announces them ({@link EntriesStored}).
     *
     * @param receivedFrom the device that delivered them, null for entries made here
     * @param receivedAt   local ms when received, ignored when {@code receivedFrom} is null
     */
    void append(List<ChangeEntry> entries, String receivedFrom, long receivedAt) {
        if (entries.isEmpty()) {
            return;
        }
        store(entries, receivedFrom, receivedAt);
        announce(entries, receivedFrom);
    }

    /**
     * Announces entries stored with {@link #store}: one event for many entries costs the transaction one
     * synchronization per listener, where an event per entry made every later savepoint sort them all.
     */
    void announce(List<ChangeEntry> entries, String receivedFrom) {
        if (!entries.isEmpty()) {
            SavepointEvents.publish(events, new EntriesStored(List.copyOf(entries), receivedFrom));
        }
    }

    /** Appends entries in one batch without announcing them; the caller announces them with {@link #announce}. */
    void store(List<ChangeEntry> entries, String receivedFrom, long receivedAt) {
        List<String> devices = new ArrayList<>(entries.size() + 1);
        for (ChangeEntry e : entries) {
            devices.add(e.origin());
        }
        devices.add(receivedFrom);
        Map<String, Long> numbers = origins.numbers(devices);
        template.batchUpdate("INSERT INTO sync_log (origin, version, hlc, timestamp, table_name, record_id, operation,"
                + " kind, change_data, changed_columns, base, hash, signature, continues, received_from, received_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entries, 500,
                (PreparedStatement ps, ChangeEntry e) -> {
                    ps.setLong(1, numbers.get(e.origin()));
                    ps.setLong(2, e.version());
                    ps.setLong(3, e.hlc());
                    ps.setLong(4, e.timestamp());
                    ps.setString(5, e.table());
                    ps.setString(6, e.recordId());
                    ps.setString(7, e.operation().name());
                    ps.setString(8, e.kind().name());
                    ps.setString(9, e.data());
                    ps.setString(10, e.changedColumns());
                    ps.setString(11, e.base().toJson());
                    ps.setBytes(12, HEX.parseHex(e.hash()));
                    ps.setString(13, e.signature());
                    ps.setInt(14, e.continues() ? 1 : 0);
                    if (receivedFrom == null) {
                        ps.setNull(15, Types.INTEGER);
                        ps.setNull(16, Types.INTEGER);
                    } else {
                        ps.setLong(15, numbers.get(receivedFrom));
                        ps.setLong(16, receivedAt);
                    }
                });
    }

    Head head(String origin) {
        return jdbc.sql("SELECT version, hash FROM sync_log WHERE origin = " + ORIGIN + " ORDER BY version DESC LIMIT 1")
                .param(origin)
                .query((rs, n) -> new Head(rs.getLong(1), hex(rs.getBytes(2))))
                .optional()
                .orElse(Head.NONE);
    }

    /**
     * The last entry of {@code origin} whose group is still open here (it continues, and the entry that ends
     * the group is not stored yet), or empty if the origin's last entry ends its group or it has none.
     */
    Optional<ChangeEntry> openGroupHead(String origin) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM " + LOG + " WHERE l.origin = " + ORIGIN
                        + " ORDER BY l.version DESC LIMIT 1")
                .param(origin)
                .query(ENTRY)
                .optional()
                .filter(ChangeEntry::continues);
    }

    /**
     * The entries of {@code origin}'s group that ends at version {@code end}: those after the origin's previous
     * entry that ends a group, up to and including {@code end}, in version order. Walks the
     * {@code (origin, version)} index back from {@code end}, so the cost grows with the group only.
     */
    List<ChangeEntry> group(String origin, long end) {
        long start = jdbc.sql("SELECT version FROM sync_log WHERE origin = " + ORIGIN + " AND version < ?"
                        + " AND continues = 0 ORDER BY version DESC LIMIT 1")
                .params(origin, end)
                .query(Long.class)
                .optional()
                .orElse(0L) + 1;
        Run run = new Run(origin, start - 1);
        return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM " + LOG + " WHERE l.origin = " + ORIGIN
                        + " AND l.version BETWEEN ? AND ? ORDER BY l.version")
                .params(origin, start, end)
                .query((rs, n) -> run.next(rs, 0))
                .list();
    }

    /**
     * The first version of {@code origin}'s open group here (its last entry continues, and the entry that ends
     * the group is not stored yet), or 0 if the origin's last entry ends its group or it has none.
     */
    long openGroupStart(String origin) {
        if (openGroupHead(origin).isEmpty()) {
            return 0;
        }
        return jdbc.sql("SELECT version FROM sync_log WHERE origin = " + ORIGIN + " AND continues = 0"
                        + " ORDER BY version DESC LIMIT 1")
                .param(origin).query(Long.class).optional().orElse(0L) + 1;
    }

    /**
     * Entries stored here whose group has not ended yet (they wait for its last entry before they are put on
     * their rows): per origin whose last entry continues, the entries after its last entry that ends a group.
     */
    long waitingForGroupEnd() {
        long waiting = 0;
        for (Map.Entry<String, Long> head : vector().asMap().entrySet()) {
            long start = openGroupStart(head.getKey());
            if (start > 0) {
                waiting += head.getValue() - start + 1;
            }
        }
        return waiting;
    }

    /** The hash stored for (origin, version), empty if this device does not have that entry. */
    Optional<String> hashOf(String origin, long version) {
        return jdbc.sql("SELECT hash FROM sync_log WHERE origin = " + ORIGIN + " AND version = ?")
                .params(origin, version)
                .query((rs, n) -> hex(rs.getBytes(1)))
                .optional();
    }

    /** Every entry for one row, in log order. */
    List<ChangeEntry> entriesFor(String table, String recordId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM " + LOG + " WHERE l.table_name = ? AND l.record_id = ? ORDER BY l.id")
                .params(table, recordId)
                .query(ENTRY)
                .list();
    }

    Optional<ChangeEntry> find(String origin, long version) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM " + LOG + " WHERE l.origin = " + ORIGIN + " AND l.version = ?")
                .params(origin, version)
                .query(ENTRY)
                .optional();
    }

    /**
     * Highest version per origin. Versions are stored without gaps, so this is what this device knows. One
     * seek into the {@code UNIQUE (origin, version)} index per known device, so the cost grows with the number
     * of devices, never with the size of the log.
     */
    VersionVector vector() {
        Map<String, Long> map = new TreeMap<>();
        jdbc.sql(VECTOR).query(rs -> {
            map.put(rs.getString(1), rs.getLong(2));
        });
        return VersionVector.of(map);
    }

    private static final String VECTOR = """
            SELECT o.device_id, (SELECT MAX(version) FROM sync_log WHERE origin = o.id) AS head FROM sync_origins o
             WHERE head IS NOT NULL""";

    /** Entries with a version above what {@code known} has for their origin, in log order, at most {@code limit}. */
    List<ChangeEntry> missingFrom(VersionVector known, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM " + LOG + """
                         WHERE l.version > COALESCE((SELECT value FROM json_each(?) WHERE key = o.device_id), 0)
                        ORDER BY l.id LIMIT ?""")
                .params(known.toJson(), limit)
                .query(ENTRY)
                .list();
    }

    /**
     * Entries a device that knows {@code known} lacks, oldest first per origin, origins in id order, at most
     * {@code limit}: one index range per origin of {@code mine}, so the cost grows with the entries answered,
     * never with the size of the log. Origins whose version in {@code known} is {@link Long#MAX_VALUE} are
     * skipped.
     *
     * @param mine this device's vector, from {@link #vector()}
     */
    List<ChangeEntry> missingFrom(VersionVector mine, VersionVector known, int limit) {
        List<ChangeEntry> out = new ArrayList<>();
        for (Map.Entry<String, Long> head : mine.asMap().entrySet()) {
            long from = known.get(head.getKey());
            if (head.getValue() <= from) {
                continue;
            }
            int room = limit - out.size();
            if (room <= 0) {
                break;
            }
            Run run = new Run(head.getKey(), from);
            out.addAll(jdbc.sql("SELECT " + RUN_COLUMNS + " FROM " + LOG + " WHERE l.origin = " + ORIGIN
                            + " AND l.version > ? ORDER BY l.version LIMIT ?")
                    .params(head.getKey(), from, room)
                    .query((rs, n) -> run.next(rs, 0))
                    .list());
        }
        return out;
    }

    /**
     * An upper bound, in SQL over the {@link #LOG} columns, on the bytes one entry takes as JSON in a sync
     * body (docs/protocol.md, "Entries"; {@code WireEntry} in format 1): each text field's UTF-8 bytes, one
     * more for every quote and backslash that JSON escapes inside a string, 4 for a null, 64 for a hash (hex),
     * and 400 for the field
     * names, numbers, enums and punctuation. Text made by SQLite's and Jackson's JSON writers holds no raw
     * control characters, the only other thing JSON escapes. Computed without reading the value into Java.
     */
    static final String WIRE_SIZE = "(400 + " + plain("o.device_id") + " + " + escaped("l.table_name") + " + "
            + escaped("l.record_id") + " + " + escaped("l.change_data") + " + " + escaped("l.changed_columns") + " + "
            + plain("l.base") + " + CASE WHEN l.version = 1 THEN 4 ELSE 64 END + 64 + " + plain("l.signature") + ")";

    private static String plain(String column) {
        return "COALESCE(length(CAST(" + column + " AS BLOB)), 4)";
    }

    private static String escaped(String column) {
        return "COALESCE(length(CAST(" + column + " AS BLOB)) + length(" + column + ") - length(replace(" + column
                + ", '\"', '')) + length(" + column + ") - length(replace(" + column + ", '\\', '')), 4)";
    }

    /**
     * Like {@link #missingFrom(VersionVector, VersionVector, int)}, bounded by bytes as well: entries are taken
     * while the next one keeps the sum of their {@link #WIRE_SIZE}s within {@code budget}, but the first one is
     * always taken, however large, unless it is larger than {@code maxEntry}. An origin's first lacking entry
     * larger than {@code maxEntry} is reported in {@link LogPage#tooLarge()} and stops that origin (its later
     * entries chain to it); its value is never read into memory. Rows are read one at a time and reading stops
     * at the first entry that does not fit, so the page costs memory in proportion to what it carries.
     */
    LogPage page(VersionVector mine, VersionVector known, int limit, long budget, long maxEntry) {
        PageBuilder page = new PageBuilder(limit, budget, maxEntry);
        for (Map.Entry<String, Long> head : mine.asMap().entrySet()) {
            String origin = head.getKey();
            long from = known.get(origin);
            if (head.getValue() <= from) {
                continue;
            }
            if (page.full) {
                page.more = true;
                break;
            }
            Run run = new Run(origin, from);
            template.query("SELECT " + WIRE_SIZE + ", " + RUN_COLUMNS + " FROM " + LOG + " WHERE l.origin = " + ORIGIN
                    + " AND l.version > ? ORDER BY l.version LIMIT ?", (ResultSet rs) -> {
                        while (rs.next()) {
                            if (!page.offer(origin, rs, run)) {
                                return null;
                            }
                        }
                        return null;
                    }, origin, from, limit - page.entries.size() + 1);
        }
        return new LogPage(page.entries, page.bytes, page.more, page.tooLarge);
    }

    /** The page being read: what it holds so far, and whether it is full. */
    private static final class PageBuilder {
        private final int limit;
        private final long budget;
        private final long maxEntry;
        private final List<ChangeEntry> entries = new ArrayList<>();
        private final List<LogPage.TooLarge> tooLarge = new ArrayList<>();
        private long bytes;
        private boolean full;
        private boolean more;

        PageBuilder(int limit, long budget, long maxEntry) {
            this.limit = limit;
            this.budget = budget;
            this.maxEntry = maxEntry;
        }

        /** Takes the entry at {@code rs} if it fits; false if the origin (or the page) stops here. */
        boolean offer(String origin, ResultSet rs, Run run) throws SQLException {
            long size = rs.getLong(1);
            if (size > maxEntry) {
                tooLarge.add(new LogPage.TooLarge(origin, rs.getLong(3), size));
                return false;
            }
            if (entries.size() >= limit || (!entries.isEmpty() && bytes + size > budget)) {
                full = true;
                more = true;
                return false;
            }
            entries.add(run.next(rs, 1));
            bytes += size;
            if (entries.size() >= limit) {
                full = true;
            }
            return true;
        }
    }

    int markSynced(Collection<EntryRef> refs) {
        int[][] counts = template.batchUpdate("UPDATE sync_log SET is_synced = 1 WHERE origin = " + ORIGIN
                        + " AND version = ?",
                refs, 500, (ps, ref) -> {
                    ps.setString(1, ref.origin());
                    ps.setLong(2, ref.version());
                });
        int total = 0;
        for (int[] batch : counts) {
            for (int c : batch) {
                total += Math.max(c, 0);
            }
        }
        return total;
    }

    long count() {
        return jdbc.sql("SELECT COUNT(*) FROM sync_log").query(Long.class).single();
    }

    /** The clock of {@code origin}'s last entry, 0 if it has none (an origin's clocks only grow). */
    long lastHlcOf(String origin) {
        return jdbc.sql("SELECT hlc FROM sync_log WHERE origin = " + ORIGIN + " ORDER BY version DESC LIMIT 1").param(origin)
                .query(Long.class).optional().orElse(0L);
    }
}
