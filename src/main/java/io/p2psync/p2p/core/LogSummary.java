package io.p2psync.p2p.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides which of many repeated events are worth a log line, so that a peer cannot write the log as fast as
 * it can send: per key (e.g. a peer and a drop reason) the first event is logged, later ones within the
 * interval are only counted, and the count is reported on the next line for that key, or by {@link #flush}.
 *
 * <p>At most {@code maxKeys} keys are tracked; events for further keys are counted together and reported by
 * {@link #flush} under the key {@code null}. A key with nothing to report for a whole interval is forgotten.
 * Thread-safe.
 *
 * @param <K> the key events are grouped by; needs {@code equals} and {@code hashCode}
 */
public final class LogSummary<K> {

    private static final class Entry {
        Instant lastLine;
        long suppressed;

        Entry(Instant lastLine) {
            this.lastLine = lastLine;
        }
    }

    /** What {@link #flush} reports for one key: {@code count} events not logged since {@code since}. */
    public record Summary<K>(K key, long count, Instant since) {
    }

    private final Clock clock;
    private final Duration interval;
    private final int maxKeys;
    private final Map<K, Entry> entries = new HashMap<>();
    private long othersSuppressed;
    private Instant othersSince;

    /**
     * @param interval the least time between two lines for one key
     * @param maxKeys keys tracked at once
     */
    public LogSummary(Clock clock, Duration interval, int maxKeys) {
        if (interval.isNegative() || interval.isZero() || maxKeys < 1) {
            throw new IllegalArgumentException("need a positive interval and at least one key");
        }
        this.clock = Objects.requireNonNull(clock);
        this.interval = interval;
        this.maxKeys = maxKeys;
    }

    /**
     * Counts one event.
     *
     * @return 0 if it should not be logged; otherwise log it, as the summary of this many events (1: just
     *     this one; more: this one and the ones counted since the key's last line)
     */
    public synchronized long event(K key) {
        Instant now = clock.instant();
        Entry entry = entries.get(key);
        if (entry == null) {
            if (entries.size() >= maxKeys) {
                if (othersSuppressed++ == 0) {
                    othersSince = now;
                }
                return 0;
            }
            entries.put(key, new Entry(now));
            return 1;
        }
        if (!now.isBefore(entry.lastLine.plus(interval))) {
            long count = entry.suppressed + 1;
            entry.suppressed = 0;
            entry.lastLine = now;
            return count;
        }
        entry.suppressed++;
        return 0;
    }

    /**
     * The counts whose key has had no line for an interval, to be logged now (the key of events beyond
     * {@code maxKeys} is {@code null}); keys with nothing counted for an interval are forgotten. Call it
     * periodically, e.g. once per interval.
     */
    public synchronized List<Summary<K>> flush() {
        Instant now = clock.instant();
        List<Summary<K>> due = new ArrayList<>();
        for (Iterator<Map.Entry<K, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<K, Entry> e = it.next();
            Entry entry = e.getValue();
            if (now.isBefore(entry.lastLine.plus(interval))) {
                continue;
            }
            if (entry.suppressed == 0) {
                it.remove();
            } else {
                due.add(new Summary<>(e.getKey(), entry.suppressed, entry.lastLine));
                entry.suppressed = 0;
                entry.lastLine = now;
            }
        }
        if (othersSuppressed > 0 && !now.isBefore(othersSince.plus(interval))) {
            due.add(new Summary<>(null, othersSuppressed, othersSince));
            othersSuppressed = 0;
        }
        return due;
    }
}
