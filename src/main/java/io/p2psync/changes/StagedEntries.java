package io.p2psync.changes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code sync_staged} (V10): entries of another origin's group that arrived without the group's signed last
 * entry, so they cannot be checked yet (docs/storage.md, "Group signatures"). They stay out of the log: a
 * device never stores, relays or counts an entry no signature covers. When a delivery brings the entry that
 * ends the group, {@link #chainBefore} finds the staged entries it chains back to, and they are checked and
 * stored together with it. Content-addressed (origin, version, hash): whoever sent them, an entry is found
 * only through the hash the next entry names, so a sender's stray or forged entries are never picked up and
 * never stand in the way of the real ones.
 */
@Repository
class StagedEntries {

    /** An entry's fields as staged: as it travels, in text (staged entries are few and short-lived). */
    private static final String COLUMNS = """
            device_id, version, hlc, timestamp, table_name, record_id, operation, kind, change_data,
            changed_columns, base, prev_hash, hash, signature, continues""";
    private static final RowMapper<ChangeEntry> ENTRY = (rs, n) -> new ChangeEntry(rs.getString(1), rs.getLong(2),
            rs.getLong(3), rs.getLong(4), rs.getString(5), rs.getString(6), Operation.valueOf(rs.getString(7)),
            Kind.valueOf(rs.getString(8)), rs.getString(9), rs.getString(10), VersionVector.parse(rs.getString(11)),
            rs.getString(12), rs.getString(13), rs.getString(14), rs.getInt(15) != 0);

    private final JdbcClient jdbc;

    StagedEntries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Keeps {@code e} until its group's last entry comes; the same entry staged again changes nothing. */
    void stage(ChangeEntry e, String receivedFrom, long receivedAt) {
        jdbc.sql("INSERT OR IGNORE INTO sync_staged (" + COLUMNS + ", received_from, received_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(),
                        e.operation().name(), e.kind().name(), e.data(), e.changedColumns(), e.base().toJson(),
                        e.prevHash(), e.hash(), e.signature() == null ? "" : e.signature(), e.continues() ? 1 : 0,
                        receivedFrom, receivedAt)
                .update();
    }

    /**
     * The staged entries that lead from the origin's stored head to an arriving entry: walking back from the
     * entry at {@code version} whose hash is {@code hash} (the arriving entry's prevHash) through each one's
     * prevHash, down to {@code head} + 1, in version order. Empty if the walk breaks before it gets there.
     */
    List<ChangeEntry> chainBefore(String origin, long version, String hash, long head) {
        if (version <= head || !any()) {
            return List.of();
        }
        List<ChangeEntry> chain = new ArrayList<>();
        String want = hash;
        for (long v = version; v > head; v--) {
            ChangeEntry e = jdbc.sql("SELECT " + COLUMNS + " FROM sync_staged"
                            + " WHERE device_id = ? AND version = ? AND hash = ?")
                    .params(origin, v, want)
                    .query(ENTRY)
                    .optional()
                    .orElse(null);
            if (e == null || !e.continues()) {
                return List.of();
            }
            chain.add(e);
            want = e.prevHash();
        }
        Collections.reverse(chain);
        return chain;
    }

    /** True if the entry of {@code origin} at {@code version} whose hash is {@code hash} is staged and continues. */
    boolean has(String origin, long version, String hash) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM sync_staged WHERE device_id = ? AND version = ? AND hash = ?"
                        + " AND continues = 1)")
                .params(origin, version, hash).query(Boolean.class).single();
    }

    /** Drops what the log now holds: staged entries of {@code origin} at or below {@code version}. */
    void dropUpTo(String origin, long version) {
        jdbc.sql("DELETE FROM sync_staged WHERE device_id = ? AND version <= ?").params(origin, version).update();
    }

    /**
     * Drops entries staged before {@code cutoff} (ms since the epoch): a group whose end never came (its sender
     * went away half way, or made it up) must not keep its entries here for good.
     *
     * @return how many were dropped
     */
    int dropReceivedBefore(long cutoff) {
        return jdbc.sql("DELETE FROM sync_staged WHERE received_at < ?").param(cutoff).update();
    }

    boolean any() {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM sync_staged)").query(Boolean.class).single();
    }

    long count() {
        return jdbc.sql("SELECT COUNT(*) FROM sync_staged").query(Long.class).single();
    }
}
