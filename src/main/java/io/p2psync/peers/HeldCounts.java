package io.p2psync.peers;

import java.time.Instant;
import java.util.Optional;

/**
 * What {@code GET /peers} and the sync health indicator need to know of entries that are stored here but
 * held (verified, yet not applicable: a missing table or column, a constraint; see {@code changes.HeldEntries}). A peer is not
 * in sync while entries it delivered are held, and health turns OUT_OF_SERVICE when an entry stays held past
 * {@code p2psync.health.held-threshold}.
 *
 * <p>{@link LogHeldCounts} answers from {@code sync_held}; {@link #NONE} stands in where no bean exists (unit
 * tests of one class).
 */
public interface HeldCounts {

    /** No entries are held (the stand-in where no bean of this type exists). */
    HeldCounts NONE = new HeldCounts() {
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
