package io.p2psync.changes;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Checks the stored log: for every origin, versions 1, 2, 3 … without gaps, each entry's hash matches its
 * content, its prevHash is the previous entry's hash, and the signature of each entry that ends a group
 * verifies against the origin's key (the chain makes it cover the group's other entries).
 */
@Component
class ChangeVerifier {

    private final JdbcClient jdbc;

    ChangeVerifier(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** All failures, in (origin, version) order; empty if the whole log verifies. */
    List<VerificationFailure> verifyAll() {
        List<VerificationFailure> failures = new ArrayList<>();
        String[] origin = {null};
        long[] lastVersion = {0};
        String[] lastHash = {null};
        jdbc.sql("SELECT l.id, o.device_id, l.version, " + ChangeLog.COLUMNS + " FROM " + ChangeLog.LOG
                        + " ORDER BY l.origin, l.version")
                .query(rs -> {
                    long id = rs.getLong(1);
                    String o = rs.getString(2);
                    long version = rs.getLong(3);
                    if (!o.equals(origin[0])) {
                        origin[0] = o;
                        lastVersion[0] = 0;
                        lastHash[0] = null;
                    }
                    EntryRef ref = new EntryRef(o, Math.max(version, 1));
                    String problem;
                    String hash = null;
                    if (version != lastVersion[0] + 1) {
                        // the previous hash is read from the entry before, which a gap leaves out: say what is wrong
                        problem = "version " + version + " follows version " + lastVersion[0];
                    } else {
                        try {
                            ChangeEntry e = ChangeLog.entry(rs, 3);
                            hash = e.hash();
                            problem = problem(e, lastVersion[0], lastHash[0]);
                        } catch (IllegalArgumentException | java.sql.SQLException malformed) {
                            problem = "malformed: " + malformed.getMessage();
                        }
                    }
                    if (problem != null) {
                        failures.add(new VerificationFailure(id, ref, problem));
                    }
                    lastVersion[0] = version;
                    lastHash[0] = hash;
                });
        return failures;
    }

    /** What is wrong with {@code e} given the previous entry of its origin, or null if nothing. */
    static String problem(ChangeEntry e, long previousVersion, String previousHash) {
        if (e.version() != previousVersion + 1) {
            return "version " + e.version() + " follows version " + previousVersion;
        }
        if (!e.hashValid()) {
            return "hash does not match the content";
        }
        if (!Objects.equals(e.prevHash(), previousHash)) {
            return "prevHash does not match the hash of version " + previousVersion;
        }
        if (!e.continues() && !e.signatureValid()) {
            return "signature does not verify against the origin's key";
        }
        return null;
    }
}
