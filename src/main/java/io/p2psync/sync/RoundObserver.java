package io.p2psync.sync;

import io.p2psync.changes.VersionVector;

/**
 * Told how a round with one peer goes while it runs, so whoever runs it can show progress. Called on the
 * round's thread; implementations must be quick and must not throw.
 */
public interface RoundObserver {

    /** Observes nothing. */
    RoundObserver NONE = new RoundObserver() {
    };

    /**
     * The peer answered its first pull page, so the round's size is known.
     *
     * @param theirs what the peer holds
     * @param toPull entries the peer holds that this device lacks
     * @param toPush entries this device holds that the peer lacks
     */
    default void planned(VersionVector theirs, long toPull, long toPush) {
    }

    /**
     * A pulled page was handled here (applied, already held or refused).
     *
     * @param entries entries in the page
     */
    default void pulled(int entries) {
    }

    /**
     * The peer answered a push.
     *
     * @param entries entries in the pushed page
     * @param theirs what the peer holds now, as far as this round knows
     */
    default void pushed(int entries, VersionVector theirs) {
    }
}
