package io.p2psync.conflict;

import io.p2psync.changes.ApplyOutcome;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.StandaloneDevice;
import io.p2psync.changes.VersionVector;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** A device for conflict tests: its own SQLite file, the real change machinery and a real resolver. */
final class Device implements AutoCloseable {

    static final String ITEMS = "items";
    static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS items (
                id    INT     PRIMARY KEY, -- not a rowid alias: both devices choose ids on purpose
                title TEXT    NOT NULL,
                qty   INTEGER NOT NULL DEFAULT 0,
                note  TEXT)""");

    final String name;
    final StandaloneDevice node;
    final ConflictRepository conflicts;
    final ConflictResolver resolver;

    Device(String name, Path file, ConflictSettings settings, LongSupplier wallClock) {
        this.name = name;
        this.node = new StandaloneDevice(file, List.of(ITEMS), wallClock, SCHEMA);
        this.conflicts = new ConflictRepository(node.jdbc());
        this.resolver = new ConflictResolver(settings, conflicts, node.tracker(), node.applier(), node.tables(), node.tx());
        node.addBean("conflictResolver", resolver);
    }

    /**
     * A device named {@code name} on {@code dir/name.db}, whose app (Debian's {@code sqlite3}) made its tables with
     * {@code schema} before the node started, as a real app's file is.
     */
    static Device onAppFile(String name, Path dir, String schema, ConflictSettings settings, LongSupplier wallClock) {
        Path file = dir.resolve(name + ".db");
        new io.p2psync.testing.SqliteCli(file).exec(schema);
        return new Device(name, file, settings, wallClock);
    }

    /** Closes each device that was opened (nulls are skipped), as a test's clean-up does. */
    static void closeAll(Device... devices) {
        for (Device d : devices) {
            if (d != null) {
                d.close();
            }
        }
    }

    /** A device on a copy of a migrated template file in {@code templateDir}: quicker to start. */
    static Device onTemplate(String name, Path templateDir, Path file, ConflictSettings settings, LongSupplier wallClock) {
        return new Device(name, StandaloneDevice.copyOf(templateDir, SCHEMA, file), settings, wallClock);
    }

    String id() {
        return node.id();
    }

    void write(String sql, Object... params) {
        node.write(sql, params);
    }

    VersionVector vector() {
        return node.tracker().versionVector();
    }

    /** Everything this device has that {@code other} lacks, in log order. */
    List<ChangeEntry> missingAt(Device other) {
        return node.tracker().missingFrom(other.vector(), ChangeTracker.MAX_PAGE);
    }

    List<ApplyOutcome> receive(List<ChangeEntry> entries, Device from) {
        return node.applier().apply(entries, from.id());
    }

    /** Pulls everything {@code from} has; answers the number of entries that were new here. */
    long pull(Device from) {
        return receive(from.missingAt(this), from).stream()
                .filter(o -> o.accepted() && o.result() != ApplyOutcome.Result.DUPLICATE).count();
    }

    List<Map<String, Object>> rows(String table) {
        String order = table.equals(ITEMS) ? "id" : "key";
        return node.jdbc().sql("SELECT * FROM " + table + " ORDER BY " + order).query().listOfRows();
    }

    List<Conflict> pending() {
        return conflicts.find(ConflictStatus.PENDING, null, 0, 10_000).items();
    }

    @Override
    public void close() {
        node.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
