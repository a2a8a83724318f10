package io.p2psync.live;

import io.p2psync.changes.ChangeEntry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The last entry (version and hash) this node holds of each origin, kept in memory so that a gossip
 * message's place in its origin's hash chain can be checked on the network thread without the database.
 * Loaded per origin on first use, moved on by stored entries and by entries accepted from gossip, and
 * reloaded when an accepted entry turns out not to apply. Thread-safe.
 */
final class ChainHeads {

    /** An origin's last entry here; version 0 and a null hash if none. */
    record Head(long version, String hash) {
        static final Head NONE = new Head(0, null);
    }

    /** Where an entry stands against the head of its origin. */
    enum Position {
        /** This node already has this version. */
        DUPLICATE,
        /** The next version, and its prevHash is the head's hash. */
        NEXT,
        /** The next version, but its prevHash is not the head's hash (or the same version with another hash). */
        BROKEN_CHAIN,
        /** Versions between the head and this entry are missing here. */
        GAP
    }

    private final Function<String, Head> loader;
    private final Map<String, Head> heads = new ConcurrentHashMap<>();

    /** @param loader reads an origin's head from the log ({@link Head#NONE} if there is none) */
    ChainHeads(Function<String, Head> loader) {
        this.loader = loader;
    }

    Position position(ChangeEntry e) {
        Head head = heads.computeIfAbsent(e.origin(), loader);
        if (e.version() <= head.version()) {
            return e.version() == head.version() && !e.hash().equals(head.hash()) ? Position.BROKEN_CHAIN
                    : Position.DUPLICATE;
        }
        if (e.version() > head.version() + 1) {
            return Position.GAP;
        }
        return Objects.equals(e.prevHash(), head.hash()) ? Position.NEXT : Position.BROKEN_CHAIN;
    }

    /** The version of the origin's last entry known here (read from the log on first use). */
    long version(String origin) {
        return heads.computeIfAbsent(origin, loader).version();
    }

    /** Reads the heads of {@code origins} now, so that checks of their entries need no database read. */
    void preload(Iterable<String> origins) {
        origins.forEach(o -> heads.computeIfAbsent(o, loader));
    }

    /** Moves the origin's head to {@code e} if that is newer (stored, or accepted and about to be applied). */
    void advance(ChangeEntry e) {
        heads.merge(e.origin(), new Head(e.version(), e.hash()),
                (old, next) -> next.version() > old.version() ? next : old);
    }

    /** Forgets what is known of {@code origin}; the next check reads it from the log again. */
    void reload(String origin) {
        heads.remove(origin);
    }
}
