package io.p2psync.live;

import io.p2psync.changes.ChangeEntry;
import java.time.Instant;
import java.util.Objects;

/** What one gossip message on the topic carries: a change log entry, or a seed-protocol key-value change. */
sealed interface GossipPayload {

    /** A sealed {@code sync_log} entry, as the ChangeEntry record's JSON. */
    record Entry(ChangeEntry entry) implements GossipPayload {
        public Entry {
            Objects.requireNonNull(entry, "entry");
        }
    }

    /** Seed protocol {@code {"Put":{"key":…,"value":…,"timestamp":…}}}. */
    record SeedPut(String key, String value, Instant timestamp) implements GossipPayload {
        public SeedPut {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(timestamp, "timestamp");
        }
    }

    /** Seed protocol {@code {"Delete":{"key":…,"timestamp":…}}}. */
    record SeedDelete(String key, Instant timestamp) implements GossipPayload {
        public SeedDelete {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(timestamp, "timestamp");
        }
    }
}
