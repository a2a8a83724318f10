package io.p2psync;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** What one attack of {@link HostileLoadIT} did and what the node answered, counted from many threads. */
final class Tally {

    /** The most failure descriptions kept, so that a broken run stays readable. */
    private static final int MAX_FAILURES_KEPT = 20;

    final String name;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failureSamples = new ConcurrentLinkedQueue<>();

    Tally(String name) {
        this.name = name;
    }

    /** Counts one answer, named by its kind (an HTTP status, a problem type, an outcome). */
    void answer(String kind) {
        answers.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    /** Adds {@code n} to the count of {@code kind} (bytes written, frames sent). */
    void answer(String kind, long n) {
        answers.computeIfAbsent(kind, k -> new AtomicLong()).addAndGet(n);
    }

    long answers(String kind) {
        AtomicLong n = answers.get(kind);
        return n == null ? 0 : n.get();
    }

    Map<String, Long> answers() {
        Map<String, Long> out = new TreeMap<>();
        answers.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long answered() {
        return answers.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Counts a request that got no answer (or an unexpected one), keeping the first few reasons. */
    void failure(String what) {
        failures.incrementAndGet();
        if (failureSamples.size() < MAX_FAILURES_KEPT) {
            failureSamples.add(what);
        }
    }

    @Override
    public String toString() {
        return name + ": sent " + sent + ", answers " + answers() + ", failures " + failures
                + (failureSamples.isEmpty() ? "" : " " + failureSamples);
    }
}
