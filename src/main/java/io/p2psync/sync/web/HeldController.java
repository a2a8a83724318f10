package io.p2psync.sync.web;

import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.HeldEntries;
import io.p2psync.changes.HeldEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /sync/held}: entries this device stored but has not applied to their rows yet, with their
 * reasons (admin rule: loopback or the admin token).
 */
@RestController
class HeldController {

    /** The most held entries one answer lists. */
    static final int MAX_LIST = 1000;

    private final HeldEntries held;
    private final ChangeTracker tracker;

    HeldController(HeldEntries held, ChangeTracker tracker) {
        this.held = held;
        this.tracker = tracker;
    }

    /**
     * The answer.
     *
     * @param count    every held entry
     * @param byReason count per reason code ({@code missing-column}, {@code unique}, ...)
     * @param entries  the oldest held entries, at most the requested limit
     * @param waitingForGroupEnd entries waiting for the last entry of their group (the rest of the app
     *                 transaction): stored but not on their rows yet, or received without a signed group end
     *                 and kept outside the log until it comes; not holds, not in {@code count}
     */
    record HeldView(long count, Map<String, Long> byReason, List<Item> entries, long waitingForGroupEnd) {
    }

    /** One held entry: {@code origin#version}, its row, why, and since when (ISO-8601). */
    record Item(String entry, String table, String recordId, String reason, String detail, boolean partial,
            String heldAt, int tries) {

        static Item of(HeldEntry h) {
            return new Item(h.entry().toString(), h.table(), h.recordId(), h.reason().code(), h.detail(), h.partial(),
                    h.heldAt().toString(), h.tries());
        }
    }

    @GetMapping("/sync/held")
    HeldView held(@RequestParam(defaultValue = "100") int limit) {
        int n = Math.max(1, Math.min(limit, MAX_LIST));
        Map<String, Long> byReason = new LinkedHashMap<>();
        held.countsByReason().forEach((reason, count) -> byReason.put(reason.code(), count));
        return new HeldView(held.count(), byReason, held.list(n).stream().map(Item::of).toList(),
                tracker.waitingForGroupEnd());
    }
}
