package io.p2psync.dashboard.activity;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.EntriesStored;
import io.p2psync.changes.Kind;
import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceChanged;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.peers.PeerRunner.RoundReport;
import io.p2psync.peers.RoundOutcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Turns what the node publishes into activities: entries stored ({@link EntriesStored}: captured here, or
 * received, and then which of them are held and which conflicts they raised), rounds with peers
 * ({@link RoundReport}) and device changes ({@link DeviceChanged}). Listeners only hand work to the feed's
 * thread, which reads what it needs once the transaction that stored the entries has committed.
 */
final class ActivitySources {

    /** Rows a line names before it says "and N more". */
    static final int NAMED = 3;
    /** Held entries or conflicts one delivery reports one by one at most; the rest are counted. */
    static final int LISTED = 5;

    private final ActivityFeed feed;
    private final JdbcClient jdbc;
    private final DeviceRepository devices;
    private final Clock clock;
    /** The newest conflict reported; conflicts after it are new. Read and written on the feed's thread only. */
    private long lastConflict = -1;

    ActivitySources(ActivityFeed feed, JdbcClient jdbc, DeviceRepository devices, Clock clock) {
        this.feed = feed;
        this.jdbc = jdbc;
        this.devices = devices;
        this.clock = clock;
        feed.run(() -> lastConflict = newestConflict());
    }

    @TransactionalEventListener(fallbackExecution = true)
    void stored(EntriesStored stored) {
        List<ChangeEntry> entries = stored.entries();
        if (stored.local()) {
            boolean resolution = entries.stream().anyMatch(e -> e.kind() == Kind.RESOLUTION);
            feed.add(new Activity(Activity.Kind.CAPTURED, clock.instant(), (resolution ? "Settled here: " : "Captured here: ")
                    + count(entries.size(), "change") + " " + rows(entries), "/dashboard/data"));
            return;
        }
        String from = stored.receivedFrom();
        feed.run(() -> {
            feed.add(new Activity(Activity.Kind.RECEIVED, clock.instant(), "Received from " + name(from) + ": "
                    + count(entries.size(), "entry") + " " + rows(entries), "/dashboard/peers"));
            reportHeld(entries);
            reportConflicts();
        });
    }

    @EventListener
    void round(RoundReport report) {
        String peer = report.peer().name() != null ? report.peer().name() : report.peer().key();
        String text = switch (report.result()) {
            case COMPLETED -> {
                RoundOutcome o = report.outcome();
                yield "Synced with " + peer + ": pulled " + o.pulled() + ", pushed " + o.pushed() + ", conflicts "
                        + o.conflicts() + ", refused " + o.rejected() + ", held " + o.held() + " (" + report.millis()
                        + " ms)";
            }
            case FAILED -> "Sync with " + peer + " failed: " + report.error();
            case DEFERRED -> "Sync with " + peer + " put off, trying again soon: " + report.error();
            case SKIPPED -> "Sync with " + peer + " skipped: " + report.error();
        };
        feed.add(new Activity(Activity.Kind.PEER, clock.instant(), text, "/dashboard/peers"));
    }

    @EventListener
    void device(DeviceChanged changed) {
        feed.run(() -> {
            String text = devices.find(changed.deviceId())
                    .map(d -> "Device " + label(d) + " is now " + d.status().name().toLowerCase(java.util.Locale.ROOT))
                    .orElse("Device " + changed.deviceId() + " was forgotten");
            feed.add(new Activity(Activity.Kind.DEVICE, clock.instant(), text, "/dashboard/devices"));
        });
    }

    /** Of the entries just received, those held: one line each for the first few, then a count. */
    private void reportHeld(List<ChangeEntry> entries) {
        Map<String, long[]> ranges = new LinkedHashMap<>();
        for (ChangeEntry e : entries) {
            ranges.merge(e.origin(), new long[] {e.version(), e.version()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        List<Object> params = new ArrayList<>();
        String where = ranges.entrySet().stream().map(r -> {
            params.add(r.getKey());
            params.add(r.getValue()[0]);
            params.add(r.getValue()[1]);
            return "(origin = ? AND version BETWEEN ? AND ?)";
        }).collect(Collectors.joining(" OR "));
        List<String> held = jdbc.sql("SELECT table_name, record_id, reason, detail FROM sync_held WHERE " + where
                        + " ORDER BY origin, version")
                .params(params)
                .query((rs, n) -> rs.getString(1) + " " + rs.getString(2) + ": " + rs.getString(3)
                        + (rs.getString(4) == null ? "" : " (" + rs.getString(4) + ")"))
                .list();
        held.stream().limit(LISTED).forEach(h -> feed.add(new Activity(Activity.Kind.HELD, clock.instant(),
                "Held " + h, "/dashboard/peers")));
        if (held.size() > LISTED) {
            feed.add(new Activity(Activity.Kind.HELD, clock.instant(), "Held " + (held.size() - LISTED)
                    + " more entries of that delivery", "/dashboard/peers"));
        }
    }

    /** Conflicts recorded since the last look, newest last. */
    private void reportConflicts() {
        List<Long> ids = new ArrayList<>();
        jdbc.sql("SELECT id, table_name, record_id, status, policy FROM sync_conflicts WHERE id > ? ORDER BY id")
                .param(lastConflict)
                .query((rs, n) -> {
                    long id = rs.getLong(1);
                    ids.add(id);
                    if (ids.size() <= LISTED) {
                        feed.add(new Activity(Activity.Kind.CONFLICT, clock.instant(), "Conflict " + id + " on "
                                + rs.getString(2) + " " + rs.getString(3) + ": " + ("pending".equals(rs.getString(4))
                                ? "waits for a person" : "settled by policy " + rs.getString(5)),
                                "/dashboard/conflicts/" + id));
                    }
                    return id;
                })
                .list();
        if (ids.size() > LISTED) {
            feed.add(new Activity(Activity.Kind.CONFLICT, clock.instant(), (ids.size() - LISTED)
                    + " more conflicts", "/dashboard/conflicts"));
        }
        if (!ids.isEmpty()) {
            lastConflict = ids.get(ids.size() - 1);
        }
    }

    private long newestConflict() {
        return jdbc.sql("SELECT COALESCE(MAX(id), 0) FROM sync_conflicts").query(Long.class).single();
    }

    private String name(String deviceId) {
        try {
            return devices.find(io.p2psync.p2p.core.PeerId.parse(deviceId)).map(ActivitySources::label).orElse(deviceId);
        } catch (IllegalArgumentException e) {
            return deviceId;
        }
    }

    private static String label(Device d) {
        return d.name() != null ? d.name() + " (" + d.deviceId() + ")" : d.deviceId().toString();
    }

    /** {@code (sync_kv ["colour"], notes ["7f3a"] and 40 more)}. */
    private static String rows(List<ChangeEntry> entries) {
        String named = entries.stream().limit(NAMED).map(e -> e.table() + " " + e.recordId())
                .collect(Collectors.joining(", "));
        return "(" + named + (entries.size() > NAMED ? " and " + (entries.size() - NAMED) + " more" : "") + ")";
    }

    private static String count(int n, String noun) {
        return n + " " + (n == 1 ? noun : noun.equals("entry") ? "entries" : noun + "s");
    }
}
