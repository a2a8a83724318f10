package io.p2psync.bench;

import io.p2psync.changes.StandaloneDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;

/**
 * What the storage itself allows: the least a device must write for each row it receives (its log entry in
 * {@code sync_log}, its {@code sync_row_state} and the row in {@code sync_kv}, in a node's real schema with
 * its indexes, triggers and checks), with nothing else: no JSON, no hashing, no checks, prepared statements
 * batched by 1,000, a transaction per group of 5,000, WAL and {@code synchronous=NORMAL}, the capture
 * triggers switched off by the apply guard as the applier does. Beside it, the same rows inserted raw into a
 * plain table on the same connection: the ratio is the ceiling of "initial sync ÷ raw insert" for this
 * storage design, whatever the code around it does.
 *
 * <p>Run: {@code java -cp target/test-classes:target/classes:<test classpath>
 * io.p2psync.bench.StorageFloorBenchmark [rows=100000] [rounds=3]}.
 */
public final class StorageFloorBenchmark {

    private static final String ORIGIN = "12D3KooWGzh7Ydx4Ut4vKGqGbQjyuPk5GfBTUiY8b8Yx6K5wJ5Fe";
    private static final String HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final String SIGNATURE = "MEUCIQDx1h7oFq0Jq0pbn8Sg8H3vC1n9fM3Qk3m0b2t7iS7p2QIgYb7g8y0k1m2n3o4p5q6r7s8t9u0v1w2x3y4z5A6B7C8==";

    private StorageFloorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int round = 1; round <= rounds; round++) {
            Figures f = measure(rows);
            System.out.printf("round %d: raw insert %,.0f rows/s, %,.0f bytes a row; log entry + row state + row %,.0f rows/s"
                    + " = %.3f x raw, %,.0f bytes a row%n", round, f.raw(), f.rawBytes(), f.floor(), f.floor() / f.raw(),
                    f.floorBytes());
        }
    }

    /**
     * Rows/s of the raw insert and of the three writes, measured on one fresh file and connection, and the
     * bytes each adds to the database (pages of all its B-trees, indexes included) per row.
     */
    record Figures(double raw, double floor, double rawBytes, double floorBytes) {
    }

    static Figures measure(int rows) throws Exception {
        Path dir = Files.createTempDirectory("storage-floor");
        try {
            Path file = dir.resolve("node.db");
            new StandaloneDevice(file, List.of(), System::currentTimeMillis,
                    List.of("CREATE TABLE raw_kv (key TEXT PRIMARY KEY, value TEXT, timestamp TEXT)")).close();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=NORMAL");
                }
                c.setAutoCommit(false);
                long empty = bytes(c);
                double raw = raw(c, rows);
                long afterRaw = bytes(c);
                double floor = floor(c, rows);
                return new Figures(raw, floor, (afterRaw - empty) / (double) rows, (bytes(c) - afterRaw) / (double) rows);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The database's size as SQLite sees it: its pages, those still in the WAL included. */
    private static long bytes(Connection c) throws Exception {
        try (Statement s = c.createStatement();
                var pages = s.executeQuery("PRAGMA page_count")) {
            pages.next();
            long count = pages.getLong(1);
            try (var size = s.executeQuery("PRAGMA page_size")) {
                size.next();
                return count * size.getLong(1);
            }
        }
    }

    private static double raw(Connection c, int rows) throws Exception {
        long t0 = System.nanoTime();
        try (PreparedStatement p = c.prepareStatement("INSERT INTO raw_kv (key, value, timestamp) VALUES (?, ?, ?)")) {
            for (int i = 0; i < rows; i++) {
                p.setString(1, key(i));
                p.setString(2, value(i));
                p.setString(3, "2026-12-05T19:00:00.000Z");
                p.addBatch();
                if (i % 1_000 == 999) {
                    p.executeBatch();
                }
            }
            p.executeBatch();
        }
        c.commit();
        return rows / ((System.nanoTime() - t0) / 1e9);
    }

    private static double floor(Connection c, int rows) throws Exception {
        long t0 = System.nanoTime();
        try (Statement origins = c.createStatement()) {
            origins.executeUpdate("INSERT OR IGNORE INTO sync_origins (id, device_id) VALUES (1, '" + ORIGIN + "')");
        }
        byte[] hash = HexFormat.of().parseHex(HASH);
        try (PreparedStatement guard = c.prepareStatement("UPDATE sync_apply_guard SET applying = ? WHERE id = 1");
             PreparedStatement log = c.prepareStatement("INSERT INTO sync_log (origin, version, hlc, timestamp,"
                     + " table_name, record_id, operation, kind, change_data, changed_columns, base, hash,"
                     + " signature, continues, received_from, received_at)"
                     + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement state = c.prepareStatement("INSERT INTO sync_row_state (table_name, record_id, vector,"
                     + " origin, version, hlc, deleted, column_clocks, column_hashes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement row = c.prepareStatement("INSERT INTO sync_kv (key, value, timestamp) VALUES (?, ?, ?)")) {
            for (int i = 0; i < rows; i++) {
                if (i % 5_000 == 0) {
                    guard.setInt(1, 1);
                    guard.executeUpdate();
                }
                String recordId = "[\"" + key(i) + "\"]";
                boolean ends = i % 5_000 == 4_999 || i == rows - 1;
                log.setLong(1, 1);
                log.setLong(2, i + 1L);
                log.setLong(3, (1L << 40) + i);
                log.setLong(4, 1_764_961_200_000L);
                log.setString(5, "sync_kv");
                log.setString(6, recordId);
                log.setString(7, "INSERT");
                log.setString(8, "EDIT");
                log.setString(9, "{\"key\":\"" + key(i) + "\",\"timestamp\":\"2026-12-05T19:00:00.000Z\",\"value\":\"" + value(i) + "\"}");
                log.setString(10, null);
                log.setString(11, "{}");
                log.setBytes(12, hash);
                log.setString(13, ends ? SIGNATURE : null);
                log.setInt(14, ends ? 0 : 1);
                log.setLong(15, 1);
                log.setLong(16, 1_764_961_200_000L);
                log.addBatch();
                state.setString(1, "sync_kv");
                state.setString(2, recordId);
                state.setString(3, null); // {origin: version}, as the node keeps it
                state.setLong(4, 1);
                state.setLong(5, i + 1L);
                state.setLong(6, (1L << 40) + i);
                state.setInt(7, 0);
                state.setString(8, null);
                state.setString(9, "{\"key\":\"" + HASH.substring(0, 16) + "\",\"timestamp\":\"" + HASH.substring(16, 32)
                        + "\",\"value\":\"" + HASH.substring(32, 48) + "\"}");
                state.addBatch();
                row.setString(1, key(i));
                row.setString(2, value(i));
                row.setString(3, "2026-12-05T19:00:00.000Z");
                row.addBatch();
                if (i % 1_000 == 999 || i == rows - 1) {
                    log.executeBatch();
                    state.executeBatch();
                    row.executeBatch();
                }
                if (ends) {
                    guard.setInt(1, 0);
                    guard.executeUpdate();
                    c.commit();
                }
            }
        }
        return rows / ((System.nanoTime() - t0) / 1e9);
    }

    private static String key(int i) {
        return "key-" + i;
    }

    private static String value(int i) {
        return "value " + i + " v1 " + "x".repeat(40); // as RestSyncBenchmark writes them
    }
}
