package io.p2psync.peers;

import java.time.Instant;
import java.util.Optional;

/**
 * The extension point for entries that are stored here but held (verified, yet not applicable: a missing
 * table or column, a constraint), which {@code GET /peers} and the sync health indicator read. A peer is not
 * in sync while entries it delivered are held, and health turns OUT_OF_SERVICE when an entry stays held past
 * {@code p2psync.health.held-threshold}.
 *
 * <p>Nothing implements it yet: until the feature that holds entries declares a bean of this type,
 * {@link #NONE} stands in and every count is 0.
 */
public interface HeldEntries {

    /** No entries are held (the stand-in while no bean of this type exists). */
    HeldEntries NONE = new HeldEntries() {
        @Override
        public long count() {
            return 0;
        }

        @Override
        public long countDeliveredBy(String deviceId) {
            return 0;
        }

        @Override
        public Optional<Instant> oldestHeldSince() {
            return Optional.empty();
        }
    };

    /** Entries held here, from every origin. */
    long count();

    /** Held entries that {@code deviceId} delivered (pushed, answered to a pull, or sent by gossip). */
    long countDeliveredBy(String deviceId);

    /** Since when the longest-held entry has been held; empty when none is held. */
    Optional<Instant> oldestHeldSince();
}
