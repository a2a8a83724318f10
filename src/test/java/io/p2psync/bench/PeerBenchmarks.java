package io.p2psync.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;

/**
 * p2p-sync's peers measured on the rows of {@link RestSyncBenchmark} (row i = {@code key-i}, a 60-odd
 * character value, an ISO timestamp; then rows 0..changed-1 changed), so the bulk-speed figures can stand
 * beside theirs from the same run:
 *
 * <ul>
 *   <li>PouchDB (leveldb adapter, on disk) replicating one-shot to a pouchdb-server in a child process on
 *       127.0.0.1: initial replication of all docs, then of the changed ones;</li>
 *   <li>cr-sqlite (its wasm build, in-memory databases): inserts into a plain table and into a CRR, then
 *       every change row of A into an empty B through {@code crsql_changes}, then the changed rows only.</li>
 * </ul>
 *
 * <p>The measuring is {@code src/test/js/bench-peers/peers.mjs}, a separate npm project that this class
 * installs ({@code npm ci}) when its {@code node_modules} is missing or older than its lock file; the test
 * suite never installs it. Each figure is checked on the receiving side before it is reported.
 *
 * <p>Run alone: {@code ./mvnw -o -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.p2psync.bench.PeerBenchmarks -Dexec.args="100000 1000"}.
 */
public final class PeerBenchmarks {

    private static final Path DIR = Path.of("src/test/js/bench-peers");
    private static final long INSTALL_TIMEOUT_MINUTES = 15;
    private static final long RUN_TIMEOUT_MINUTES = 60;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * What {@code peers.mjs} printed. A peer that could not be measured is null, with its error beside it;
     * when the script itself could not run, both are, with the same error.
     */
    public record PeerFigures(int rows, int changed, NodeRun node, PouchDb pouchdb, String pouchdbError,
                              CrSqlite crsqlite, String crsqliteError) {

        /** The Node.js that measured, and the machine's 1, 5 and 15 minute load averages around the run. */
        public record NodeRun(String version, double[] loadavgStart, double[] loadavgEnd) {
        }

        /**
         * PouchDB to pouchdb-server: replication times and rates; {@code localWriteSeconds} is the set-up
         * (bulkDocs into the local database), not sync.
         */
        public record PouchDb(double initialSeconds, double initialDocsPerSecond, double incrementalMs,
                              double localWriteSeconds, String version, String adapter, int batchSize) {
        }

        /**
         * cr-sqlite A to B. The initial step reads all of A's {@code crsql_changes} and writes them into B's
         * in one transaction ({@code changesReadSeconds} is the reading part of {@code initialSeconds}); the
         * incremental one reads what A has past B's last seen db_version and applies it.
         */
        public record CrSqlite(double rawInsertRowsPerSecond, double crrInsertRowsPerSecond, double initialSeconds,
                               double initialRowsPerSecond, long initialChangeRows, double changesPerSecond,
                               double changesReadSeconds, double incrementalMs, long incrementalChangeRows,
                               String version, String build, String storage) {
        }

        static PeerFigures failed(int rows, int changed, String error) {
            return new PeerFigures(rows, changed, null, null, error, null, error);
        }
    }

    /**
     * Installs the peers' packages if needed, runs {@code peers.mjs} on {@code rows} rows with {@code changed}
     * of them changed, and answers its figures; its progress goes to {@code System.out} as it comes.
     */
    public static PeerFigures run(int rows, int changed) {
        try {
            installIfNeeded();
            String last = runScript(rows, changed);
            return JSON.readValue(last, PeerFigures.class);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PeerFigures.failed(rows, changed, "interrupted");
        } catch (Exception e) {
            System.out.println("[peers] failed: " + e);
            return PeerFigures.failed(rows, changed, String.valueOf(e.getMessage()));
        }
    }

    /** {@code npm ci} when node_modules is missing or older than package-lock.json (npm stamps its own copy). */
    private static void installIfNeeded() throws IOException, InterruptedException {
        Path installed = DIR.resolve("node_modules/.package-lock.json");
        Path lock = DIR.resolve("package-lock.json");
        if (Files.exists(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        System.out.println("[peers] npm ci in " + DIR);
        Process npm = new ProcessBuilder("npm", "ci").directory(DIR.toFile()).redirectErrorStream(true).start();
        Thread out = echo(npm.getInputStream());
        if (!npm.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            npm.destroyForcibly();
            throw new IllegalStateException("npm ci took over " + INSTALL_TIMEOUT_MINUTES + " minutes");
        }
        out.join();
        if (npm.exitValue() != 0) {
            throw new IllegalStateException("npm ci exited with " + npm.exitValue());
        }
    }

    /** Runs the script with its stderr echoed; answers the last non-blank line of its stdout. */
    private static String runScript(int rows, int changed) throws IOException, InterruptedException {
        Process node = new ProcessBuilder("node", "peers.mjs", "--rows", Integer.toString(rows),
                "--changed", Integer.toString(changed)).directory(DIR.toFile()).start();
        Thread err = echo(node.getErrorStream());
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread out = forEachLine(node.getInputStream(), line -> {
            if (!line.isBlank()) {
                lines.add(line);
            }
        });
        if (!node.waitFor(RUN_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            throw new IllegalStateException("peers.mjs took over " + RUN_TIMEOUT_MINUTES + " minutes");
        }
        out.join();
        err.join();
        if (node.exitValue() != 0 || lines.isEmpty()) {
            throw new IllegalStateException("peers.mjs exited with " + node.exitValue() + " and printed " + lines);
        }
        return lines.get(lines.size() - 1);
    }

    /** Copies a child's output to System.out line by line, prefixed. */
    private static Thread echo(InputStream stream) {
        return forEachLine(stream, line -> System.out.println("[peers] " + line));
    }

    /** Hands each line of a child's output to {@code action} on a daemon thread, until the stream ends. */
    private static Thread forEachLine(InputStream stream, Consumer<String> action) {
        Thread thread = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                in.lines().forEach(action);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "peers-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int changed = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        PeerFigures f = run(rows, changed);
        System.out.println();
        if (f.node() != null) {
            System.out.printf("Peers benchmark, %,d rows, %,d changed, Node %s, load average %s at start, %s at end%n",
                    f.rows(), f.changed(), f.node().version(), Arrays.toString(f.node().loadavgStart()),
                    Arrays.toString(f.node().loadavgEnd()));
        }
        if (f.pouchdb() == null) {
            System.out.println("PouchDB: failed: " + f.pouchdbError());
        } else {
            PeerFigures.PouchDb p = f.pouchdb();
            System.out.printf("PouchDB (%s; %s; batch size %d)%n", p.version(), p.adapter(), p.batchSize());
            System.out.printf("  initial replication of %,d docs: %.2f s = %,.0f docs/s (local bulkDocs set-up %.1f s)%n",
                    f.rows(), p.initialSeconds(), p.initialDocsPerSecond(), p.localWriteSeconds());
            System.out.printf("  incremental replication of %,d changed docs: %.1f ms%n", f.changed(), p.incrementalMs());
        }
        if (f.crsqlite() == null) {
            System.out.println("cr-sqlite: failed: " + f.crsqliteError());
        } else {
            PeerFigures.CrSqlite c = f.crsqlite();
            System.out.printf("cr-sqlite (%s; %s build; %s)%n", c.version(), c.build(), c.storage());
            System.out.printf("  insert, one transaction, prepared: plain table %,.0f rows/s, CRR %,.0f rows/s%n",
                    c.rawInsertRowsPerSecond(), c.crrInsertRowsPerSecond());
            System.out.printf("  initial A->B of %,d rows (%,d change rows): %.2f s = %,.0f rows/s = %,.0f changes/s"
                            + " (reading A %.2f s)%n", f.rows(), c.initialChangeRows(), c.initialSeconds(),
                    c.initialRowsPerSecond(), c.changesPerSecond(), c.changesReadSeconds());
            System.out.printf("  incremental A->B of %,d changed rows (%,d change rows): %.1f ms%n", f.changed(),
                    c.incrementalChangeRows(), c.incrementalMs());
        }
        System.exit(0);
    }

    private PeerBenchmarks() {
    }

}
