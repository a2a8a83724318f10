package io.p2psync.changes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Forks: an origin that signed two different entries with the same version. Hashes and signatures cannot
 * show one, since each branch is valid by itself, and version vectors cannot either, since both branches
 * have the same length; a device that got one branch and a device that got the other would stay different
 * for good. So devices compare chain heads: every pull answer carries the server's hash of its last entry of
 * each origin, and the caller compares those it holds the version of. A difference is proven with the
 * peer's entry (a head alone is only the peer's word), then recorded in {@code sync_forks}, and the origin's
 * entries are refused here until a person decides: revokes the key (a copied key), or clears the fork (after
 * re-pairing a restored device under a new key). Each device finds a fork when it pulls.
 */
@Component
public class Forks {

    private static final Logger log = LoggerFactory.getLogger(Forks.class);

    /**
     * A fork found.
     *
     * @param origin the device that signed both
     * @param version the version signed twice
     * @param hashHere the hash of this device's entry
     * @param hashThere the hash the peer holds
     * @param peer the device whose head showed it
     * @param detectedAt when
     */
    public record Fork(String origin, long version, String hashHere, String hashThere, String peer,
            Instant detectedAt) {
    }

    private final JdbcClient jdbc;

    private final ChangeLog changeLog;

    Forks(JdbcClient jdbc, ChangeLog changeLog) {
        this.jdbc = jdbc;
        this.changeLog = changeLog;
    }

    /**
     * This device's chain heads for {@code vector}: per origin, the hash of its entry at the version the vector
     * names (one indexed look-up each); origins it has no such entry of are left out.
     */
    public Map<String, String> heads(VersionVector vector) {
        Map<String, String> heads = new java.util.TreeMap<>();
        vector.asMap().forEach((origin, version) -> changeLog.hashOf(origin, version)
                .ifPresent(hash -> heads.put(origin, hash)));
        return heads;
    }

    /**
     * Where a peer's chain heads differ from this device's log: per origin whose head version this device
     * holds, a fork candidate if the hashes differ. Not recorded: a head is only the peer's word, so a fork is
     * recorded only with the peer's entry as proof ({@link #prove}), and a lying peer cannot make this device
     * refuse an honest origin.
     *
     * @param versions the peer's version per origin (the heads are of these versions)
     * @param heads the peer's hash per origin
     * @param peer the peer's device id
     */
    public List<Fork> candidates(Map<String, Long> versions, Map<String, String> heads, String peer) {
        List<Fork> found = new ArrayList<>();
        if (heads.isEmpty()) {
            return found;
        }
        java.util.Set<String> forked = new java.util.HashSet<>(
                jdbc.sql("SELECT origin FROM sync_forks").query(String.class).list());
        heads.forEach((origin, theirs) -> {
            Long version = versions.get(origin);
            if (version == null || forked.contains(origin)) {
                return;
            }
            changeLog.hashOf(origin, version)
                    .filter(mine -> !mine.equals(theirs))
                    .ifPresent(mine -> found.add(new Fork(origin, version, mine, theirs, peer, Instant.now())));
        });
        return found;
    }

    /**
     * The origins with a recorded fork whose branch the peer holds apart from this device's: its head at its
     * version of the origin differs from this device's entry of that version. Their rows stay apart, however
     * many rounds run, until a person decides; a round says so ({@code forked-origin}) instead of looking clean.
     *
     * @param versions the peer's version per origin (the heads are of these versions)
     * @param heads the peer's hash per origin
     */
    public java.util.Set<String> heldApart(Map<String, Long> versions, Map<String, String> heads) {
        java.util.Set<String> apart = new java.util.TreeSet<>();
        if (heads.isEmpty()) {
            return apart;
        }
        for (String origin : jdbc.sql("SELECT origin FROM sync_forks").query(String.class).list()) {
            Long version = versions.get(origin);
            String theirs = heads.get(origin);
            if (version != null && theirs != null
                    && changeLog.hashOf(origin, version).filter(mine -> !mine.equals(theirs)).isPresent()) {
                apart.add(origin);
            }
        }
        return apart;
    }

    /**
     * Records the candidate if {@code theirs} proves it: the entry the peer's head names, intact and signed by
     * its origin (an entry that ends its group; this device's own entry of that version was checked when it
     * was stored). Both being signed by the origin, the origin made a fork.
     *
     * @return true if it was proven and recorded now
     */
    public boolean prove(Fork candidate, ChangeEntry theirs) {
        if (!theirs.origin().equals(candidate.origin()) || theirs.version() != candidate.version()
                || !theirs.hash().equals(candidate.hashThere()) || !theirs.hashValid() || !theirs.signatureValid()) {
            return false;
        }
        boolean recorded = jdbc.sql("INSERT INTO sync_forks (origin, version, hash_here, hash_there, peer,"
                        + " detected_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (origin) DO NOTHING")
                .params(candidate.origin(), candidate.version(), candidate.hashHere(), candidate.hashThere(),
                        candidate.peer(), candidate.detectedAt().toEpochMilli())
                .update() == 1;
        if (recorded) {
            log.error("Fork: {} signed two different entries with version {} (here {}, on {} {}); its entries are"
                            + " refused until a person revokes it or clears the fork (GET /sync/forks)",
                    candidate.origin(), candidate.version(), candidate.hashHere(), candidate.peer(),
                    candidate.hashThere());
        }
        return recorded;
    }

    /** True if a fork of {@code origin} is recorded and not cleared. */
    public boolean isForked(String origin) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM sync_forks WHERE origin = ?)").param(origin)
                .query(Boolean.class).single();
    }

    /** Every fork recorded, newest first. */
    public List<Fork> list() {
        return jdbc.sql("SELECT origin, version, hash_here, hash_there, peer, detected_at FROM sync_forks"
                        + " ORDER BY detected_at DESC")
                .query((rs, n) -> new Fork(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), Instant.ofEpochMilli(rs.getLong(6))))
                .list();
    }

    public long count() {
        return jdbc.sql("SELECT count(*) FROM sync_forks").query(Long.class).single();
    }

    /**
     * A person's decision that the origin's entries may be taken again (its device was re-paired under a new
     * key, say).
     *
     * @return false if no fork of it was recorded
     */
    public boolean clear(String origin) {
        boolean cleared = jdbc.sql("DELETE FROM sync_forks WHERE origin = ?").param(origin).update() == 1;
        if (cleared) {
            log.warn("Fork of {} cleared by a person: its entries are taken again", origin);
        }
        return cleared;
    }
}
