package io.p2psync.conflict;

import io.p2psync.changes.ChangeEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** How the property tests deliver part of what a device lacks, as a network that stops half-way would. */
final class PartialDelivery {

    private PartialDelivery() {
    }

    /**
     * Per origin the first {@code keepPercent} % of {@code missing} (rounded up: a prefix, as versions must
     * arrive in order), the origins interleaved at random.
     *
     * @param missing entries in per-origin version order
     */
    static List<ChangeEntry> prefixesInterleaved(List<ChangeEntry> missing, int keepPercent, Random random) {
        Map<String, Deque<ChangeEntry>> byOrigin = new LinkedHashMap<>();
        for (ChangeEntry e : missing) {
            byOrigin.computeIfAbsent(e.origin(), o -> new ArrayDeque<>()).add(e);
        }
        byOrigin.values().forEach(q -> {
            int keep = (int) Math.ceil(q.size() * keepPercent / 100.0);
            while (q.size() > keep) {
                q.removeLast();
            }
        });
        List<ChangeEntry> batch = new ArrayList<>();
        List<Deque<ChangeEntry>> queues = new ArrayList<>(byOrigin.values());
        queues.removeIf(Deque::isEmpty);
        while (!queues.isEmpty()) {
            Deque<ChangeEntry> q = queues.get(random.nextInt(queues.size()));
            batch.add(q.removeFirst());
            queues.removeIf(Deque::isEmpty);
        }
        return batch;
    }
}
