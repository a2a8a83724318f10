package io.p2psync.changes;

import io.p2psync.storage.P2pSyncSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps capture in step with the app's schema while the node runs, with no call from the app: before each
 * poll it reads {@code PRAGMA schema_version} (a field of the file header, so one cheap read), and when that
 * moved it describes the configured tables again, installs triggers where they are missing (a table created
 * or re-created by the app), replaces the {@link TrackedTables} at once and publishes {@link SchemaChanged}
 * for the tables whose columns or presence changed.
 */
@Component
class SchemaFollower {

    private static final Logger log = LoggerFactory.getLogger(SchemaFollower.class);

    private final JdbcTemplate template;
    private final TriggerInstaller installer;
    private final ColumnHistory history;
    private final UnscannedTables unscanned;
    private final TrackedTables tables;
    private final List<String> configured;
    private final ApplicationEventPublisher events;
    private final Set<String> refusedLogged = new LinkedHashSet<>();
    private long seen;

    SchemaFollower(JdbcTemplate template, TriggerInstaller installer, ColumnHistory history, UnscannedTables unscanned,
                   TrackedTables tables, P2pSyncSettings settings, ApplicationEventPublisher events) {
        this.template = template;
        this.installer = installer;
        this.history = history;
        this.unscanned = unscanned;
        this.tables = tables;
        this.configured = TriggerInstaller.names(settings.tables());
        this.events = events;
        this.seen = schemaVersion(); // the tracked tables were just read from this schema
    }

    /**
     * Follows the schema if it changed since the last call.
     *
     * @return tables whose rows the triggers may have missed (newly tracked, or whose triggers had to be
     *     installed again): the caller scans them
     */
    synchronized List<String> follow() {
        long version = schemaVersion();
        if (version == seen) {
            return List.of();
        }
        Map<String, TrackedTable> before = tables.snapshot();
        Map<String, TrackedTable> described = new LinkedHashMap<>();
        for (String name : configured) {
            TriggerInstaller.Description d = installer.describe(name);
            if (d instanceof TriggerInstaller.Trackable t) {
                described.put(name, t.table());
                refusedLogged.remove(name);
            } else if (d instanceof TriggerInstaller.Refused r) {
                if (refusedLogged.add(name)) {
                    log.warn("not capturing {}: {}", name, r.problem().line());
                }
            } else if (before.containsKey(name)) {
                log.info("{}: table '{}' is gone; capture resumes if the app creates it again", TriggerInstaller.SETTING,
                        name);
            }
        }
        // Triggers first: a table whose triggers had to be installed again was re-created by the app, so none of
        // its columns counts as renamed. Then, before anything is sealed against the new columns, which of the
        // columns that went were renamed.
        // Marked owed before their triggers go in: an apply between the two must not take the table as ready.
        List<String> owed = new ArrayList<>();
        for (TrackedTable t : described.values()) {
            if (!before.containsKey(t.name()) || installer.needsInstall(t)) {
                owed.add(t.name());
            }
        }
        unscanned.add(owed);
        Set<String> installed = installer.installAll(described.values());
        unscanned.add(installed); // and what was re-created between that look and the install
        Map<String, TrackedTable> now = history.follow(described, installed);
        Set<String> changed = new LinkedHashSet<>();
        for (String name : configured) {
            if (!java.util.Objects.equals(before.get(name), now.get(name))) {
                changed.add(name);
            }
        }
        List<String> scan = new ArrayList<>();
        for (String name : now.keySet()) {
            // owed a scan: also when an earlier look marked it and then failed before handing it over
            if (!before.containsKey(name) || installed.contains(name) || unscanned.contains(name)) {
                scan.add(name);
            }
        }
        tables.replace(now);
        // What was read above, not the version now: the app may have changed more since (sqlite3 commits each
        // CREATE TABLE of a script on its own). Our own triggers moved it too, so the next poll looks once
        // more and finds nothing to do.
        seen = version;
        if (!changed.isEmpty()) {
            log.info("capture follows a schema change of {}", changed);
            try {
                events.publishEvent(new SchemaChanged(changed));
            } catch (RuntimeException e) {
                // Listeners retry held entries, which needs the write lock; if the app holds it too long they
                // fail, and the schema version is recorded already: the holds' own timer retries them, and the
                // new tables are still scanned below.
                log.warn("retrying held entries after the schema change of {} failed, the hold timer will: {}",
                        changed, e.getMessage());
            }
        }
        return scan;
    }

    /**
     * Takes in the renames another device's node followed where this node never saw the column go, or saw it go only
     * as an unsure drop (a column declared alike came): the table has the new name, lacks the former one, and its own
     * history says nothing sure of it. A device set up after the app renamed a column, at the new schema, so learns
     * that an entry naming the former column writes the renamed one; its holds on such columns are retried ({@link
     * SchemaChanged}). Drops are not taken in, not even to settle an unsure drop here: a device lacks a column another
     * dropped also when its app is behind and a migration will add it, or skipped the version that renamed it (v1 to
     * v3 where v2 renamed the column and v3 dropped it), and taking the drop would discard values it will need (a
     * hold keeps them; a person can settle it, {@link #declare}). Under the same lock as {@link #follow()}, so the two
     * never replace the tables at once.
     *
     * @return the tables that took anything
     */
    synchronized Set<String> adopt(Map<String, FormerColumns> former) {
        Map<String, TrackedTable> before = tables.snapshot();
        Map<String, TrackedTable> now = new LinkedHashMap<>(before);
        Set<String> changed = new LinkedHashSet<>();
        former.forEach((name, gone) -> {
            TrackedTable t = before.get(name);
            if (t == null) {
                return;
            }
            FormerColumns here = t.formerColumns();
            Map<String, String> taken = new LinkedHashMap<>();
            gone.renamedTo().forEach((from, to) -> {
                if (t.columns().contains(to) && !t.columns().contains(from)
                        && (!here.knows(from) || here.unsure().contains(from))) {
                    taken.put(from, to);
                }
            });
            if (taken.isEmpty()) {
                return;
            }
            TrackedTable after = history.adopt(t, taken, Set.of());
            if (!after.formerColumns().equals(here)) {
                now.put(name, after);
                changed.add(name);
                log.info("capture: columns of {} renamed on another device, taken in here: {}", name, taken);
            }
        });
        replace(now, changed);
        return changed;
    }

    /**
     * A person says what became of {@code column}, a name {@code table} no longer has or never had: renamed to
     * {@code renamedTo}, a column it has, or dropped if that is null. Recorded as if capture had seen it ({@link
     * ColumnHistory}); what is held for the name is retried at once ({@link SchemaChanged}), so values of a dropped
     * one go with it and values of a renamed one are written into its column. For a device set up after a drop, and
     * for an unsure drop no peer settles. A sure record of the name this node has already is not overruled. Only for a
     * name this node has a record of, or that a held entry waits for ({@code waitedFor}): a misspelt name, recorded as
     * dropped, would discard a value the app's migration later brings under the right one.
     *
     * @return the table's former columns now
     * @throws IllegalArgumentException if the table is not tracked, has the column, lacks {@code renamedTo}, or
     *                                  nothing here knows or waits for {@code column}
     * @throws IllegalStateException    if this node has a sure record of the name that says otherwise
     */
    synchronized FormerColumns declare(String table, String column, String renamedTo, Predicate<String> waitedFor) {
        Map<String, TrackedTable> before = tables.snapshot();
        TrackedTable t = before.get(table);
        if (t == null) {
            throw new IllegalArgumentException("'" + table + "' is not a tracked table here");
        }
        // SQLite's names are the same in any case
        if (t.columns().stream().anyMatch(column::equalsIgnoreCase)) {
            throw new IllegalArgumentException("'" + column + "' is a column of " + table + " now");
        }
        FormerColumns here = t.formerColumns();
        if (!here.knows(column) && !waitedFor.test(column)) {
            throw new IllegalArgumentException("nothing here waits for a column '" + column + "' of " + table
                    + ", and this device never saw one go: check the name (exactly as GET /sync/held and GET "
                    + "/sync/former-columns show it)");
        }
        if (renamedTo != null) {
            String named = renamedTo;
            renamedTo = t.columns().stream().filter(named::equalsIgnoreCase).findFirst().orElseThrow(
                    () -> new IllegalArgumentException(table + " has no column '" + named + "'; it has " + t.columns()));
            if (t.primaryKey().contains(renamedTo)) {
                throw new IllegalArgumentException("'" + renamedTo + "' is a key column of " + table
                        + ": values of another column are not written into a key");
            }
        }
        if (here.knows(column) && !here.unsure().contains(column)) {
            String recorded = here.renamedTo().get(column); // null: dropped
            if (!java.util.Objects.equals(recorded, renamedTo)) {
                throw new IllegalStateException("'" + column + "' of " + table + " is recorded as "
                        + (recorded == null ? "dropped" : "renamed to '" + recorded + "'"));
            }
            return here;
        }
        TrackedTable after = history.adopt(t, renamedTo == null ? Map.of() : Map.of(column, renamedTo),
                renamedTo == null ? Set.of(column) : Set.of());
        log.info("capture: column '{}' of {} is {}, as a person said", column, table,
                renamedTo == null ? "dropped" : "renamed to '" + renamedTo + "'");
        Map<String, TrackedTable> now = new LinkedHashMap<>(before);
        now.put(table, after);
        replace(now, Set.of(table));
        return after.formerColumns();
    }

    /** Replaces the tracked tables with {@code now} and retries what was held for the {@code changed} ones. */
    private void replace(Map<String, TrackedTable> now, Set<String> changed) {
        if (changed.isEmpty()) {
            return;
        }
        tables.replace(now);
        try {
            events.publishEvent(new SchemaChanged(changed));
        } catch (RuntimeException e) {
            // as in follow(): what was learnt is recorded; the holds' own timer retries what waited for it
            log.warn("retrying held entries after learning what became of former columns of {} failed, the hold "
                    + "timer will: {}", changed, e.getMessage());
        }
    }

    private long schemaVersion() {
        Long v = template.queryForObject("PRAGMA schema_version", Long.class);
        return v == null ? 0 : v;
    }
}
