package io.p2psync.conflict;

import io.p2psync.changes.ChangeEntry;
import java.util.Comparator;

/**
 * When a write happened, as far as "later wins" is concerned: the hybrid logical clock of the entry, and
 * the origin device id to break ties. Two different entries never have the same clock (an origin never
 * hands out the same hybrid timestamp twice), so this is a total order on entries. Because every device
 * observes the clock of each entry it receives before it makes its own, a change that saw another always
 * has the greater clock: "later" agrees with causality.
 *
 * @param hlc    packed hybrid timestamp (wall ms &lt;&lt; 16 | counter)
 * @param origin device id of the writer
 */
public record WriteClock(long hlc, String origin) implements Comparable<WriteClock> {

    private static final Comparator<WriteClock> ORDER =
            Comparator.comparingLong(WriteClock::hlc).thenComparing(WriteClock::origin);

    public WriteClock {
        if (origin == null) {
            throw new IllegalArgumentException("origin must not be null");
        }
    }

    public static WriteClock of(ChangeEntry entry) {
        return new WriteClock(entry.hlc(), entry.origin());
    }

    public boolean isAfter(WriteClock other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(WriteClock other) {
        return ORDER.compare(this, other);
    }
}
