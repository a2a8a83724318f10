package io.p2psync.changes;

import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What became of columns that a peer's node saw go (renamed, or dropped), as its pull answers name it, taken in
 * where this node never saw them go: a device set up after the app renamed or dropped a column, at the new schema
 * (docs/storage.md, "Schema changes").
 */
@Component
public class PeerColumnHistory {

    private static final Logger log = LoggerFactory.getLogger(PeerColumnHistory.class);

    private final SchemaFollower follower;

    PeerColumnHistory(SchemaFollower follower) {
        this.follower = follower;
    }

    /**
     * Takes in what this node can of {@code former} (per table, as {@code peer} saw its columns go). A failure (the
     * app holding the write lock too long) is logged and left for the next round, which names them again; entries
     * naming such a column wait as {@code missing-column} meanwhile.
     *
     * @return the tables that took anything
     */
    public Set<String> adopt(Map<String, FormerColumns> former, String peer) {
        if (former.isEmpty()) {
            return Set.of();
        }
        try {
            return follower.adopt(former);
        } catch (RuntimeException notNow) {
            log.warn("what {} says became of former columns was not taken in, the next round tries again: {}", peer,
                    notNow.toString());
            return Set.of();
        }
    }
}
