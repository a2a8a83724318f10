package io.p2psync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The app, as tests play it: Debian's {@code sqlite3} program (a different SQLite from sqlite-jdbc's) writing
 * to the same file as a running node. {@code .ci/run} installs it when missing.
 *
 * <p>Each call is one {@code sqlite3} process, as a separate program would be; it waits up to 10 s for the
 * write lock, like an app with a busy timeout.
 */
public final class SqliteCli {

    private static final long TIMEOUT_SECONDS = 60;

    private final Path file;

    public SqliteCli(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /**
     * Runs SQL (one or more statements, or dot-commands on lines of their own) and answers what it printed.
     *
     * @throws IllegalStateException with sqlite3's own message if it fails
     */
    public String exec(String sql) {
        return run(".bail on\n.timeout 10000\n" + sql + "\n");
    }

    /**
     * Drops the node's capture triggers on {@code table} in one transaction, as an app that re-creates the table does
     * (the node notices at its next capture poll), then runs {@code thenSql} (may be empty), which no trigger sees.
     */
    public void dropCaptureTriggers(String table, String thenSql) {
        String triggers = exec(".mode list\nSELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '"
                + table.replace("'", "''") + "' AND name LIKE 'sync%';");
        StringBuilder script = new StringBuilder("BEGIN;");
        triggers.lines().forEach(t -> script.append(" DROP TRIGGER \"").append(t).append("\";"));
        exec(script + " COMMIT; " + thenSql);
    }

    /**
     * Starts {@code sql} in a transaction of its own that keeps the file's write lock until {@link
     * LongTransaction#commit()}, as an app's long transaction does (one {@code sqlite3} process, waiting inside the
     * transaction for a file to appear, at most five minutes), and answers once the lock is taken.
     */
    public LongTransaction holdWriteLock(String sql) {
        Path release = file.resolveSibling(file.getFileName() + ".commit-" + System.nanoTime());
        Process p;
        try {
            p = new ProcessBuilder(List.of("sqlite3", "-batch", file.toString())).redirectErrorStream(true).start();
            String wait = ".shell i=0; while [ ! -e '" + release + "' ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i+1)); done";
            p.getOutputStream().write((".bail on\n.timeout 10000\nBEGIN IMMEDIATE;\n" + sql + "\n" + wait
                    + "\nCOMMIT;\n").getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run sqlite3 (Debian package sqlite3; .ci/run installs it)", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!writeLockTaken()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("sqlite3 did not take the write lock of " + file);
            }
            sleep(20);
        }
        return new LongTransaction(p, release);
    }

    /**
     * Starts a {@code sqlite3} process that inserts rows without pause, each statement a transaction of its own (as
     * an app that logs or autosaves does), with a busy timeout of 5 s: {@code insert} with {@code %d} for a running
     * number, sent line by line by a thread of this JVM until {@link Writer#close()}.
     */
    public Writer writeWithoutPause(String insert) {
        Process p;
        try {
            p = new ProcessBuilder(List.of("sqlite3", "-batch", file.toString()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run sqlite3 (Debian package sqlite3; .ci/run installs it)", e);
        }
        return new Writer(p, insert);
    }

    /** The process {@link #writeWithoutPause} runs, and the thread that feeds it. */
    public static final class Writer implements AutoCloseable {
        private final Process process;
        private final Thread feeder;
        private final java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
        private final Thread errorReader;
        private volatile boolean stop;

        private Writer(Process process, String insert) {
            this.process = process;
            this.errorReader = daemon(() -> {
                try {
                    process.getErrorStream().transferTo(errors);
                } catch (IOException ended) {
                    // the process is gone; what it wrote is in errors
                }
            });
            this.feeder = daemon(() -> {
                try (var out = new java.io.BufferedWriter(new java.io.OutputStreamWriter(process.getOutputStream(),
                        StandardCharsets.UTF_8))) {
                    out.write(".timeout 5000\n");
                    for (long i = 0; !stop; i++) {
                        out.write(insert.formatted(i) + "\n");
                        out.flush(); // one statement at a time, as the app makes them
                    }
                } catch (IOException ended) {
                    // sqlite3 ended early: close() reports its errors
                }
            });
        }

        private static Thread daemon(Runnable task) {
            Thread t = new Thread(task, "sqlite3-writer");
            t.setDaemon(true);
            t.start();
            return t;
        }

        /** Stops writing, waits for sqlite3 to run what it was sent and end, and returns what it wrote to stderr. */
        public String stop() {
            stop = true;
            try {
                feeder.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("sqlite3 did not end within " + TIMEOUT_SECONDS + " s");
                }
                errorReader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for sqlite3", e);
            }
            synchronized (errors) {
                return errors.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                stop();
            }
        }
    }

    /** A transaction {@link #holdWriteLock} keeps open in a {@code sqlite3} process. */
    public static final class LongTransaction implements AutoCloseable {
        private final Process process;
        private final Path release;

        private LongTransaction(Process process, Path release) {
            this.process = process;
            this.release = release;
        }

        /** True until the transaction has committed and the program ended. */
        public boolean open() {
            return process.isAlive();
        }

        /** Lets the transaction commit and waits for it; fails if sqlite3 reported an error. */
        public void commit() {
            try {
                java.nio.file.Files.write(release, new byte[0]);
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("sqlite3 did not commit within " + TIMEOUT_SECONDS + " s");
                }
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("sqlite3 failed (exit " + process.exitValue() + "): " + out.strip());
                }
                java.nio.file.Files.deleteIfExists(release);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for sqlite3", e);
            }
        }

        /** Commits if still open. */
        @Override
        public void close() {
            if (process.isAlive()) {
                commit();
            }
        }
    }

    /** True if another connection holds the write lock: a {@code BEGIN IMMEDIATE} that may not wait fails. */
    private boolean writeLockTaken() {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 0");
            s.execute("BEGIN IMMEDIATE");
            s.execute("ROLLBACK");
            return false;
        } catch (SQLException e) {
            if (e.getMessage() != null && (e.getMessage().contains("SQLITE_BUSY") || e.getMessage().contains("locked"))) {
                return true;
            }
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every row of {@code table}, each value as SQLite's {@code quote()} gives it (so 5, 5.0, '5' and X'05'
     * differ; a TEXT holding NUL, which {@code quote()} would cut, as {@code text:} and its hex), columns in
     * table order separated by {@code |}, rows sorted: the form in which tests compare devices value by value.
     */
    public List<String> dump(String table) {
        List<String> columns = exec(".mode list\nSELECT name FROM pragma_table_info('" + table.replace("'", "''")
                + "') ORDER BY cid;").lines().toList();
        if (columns.isEmpty()) {
            throw new IllegalStateException("no table " + table + " in " + file);
        }
        StringBuilder select = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            String c = '"' + columns.get(i).replace("\"", "\"\"") + '"';
            select.append(i == 0 ? "" : " || '|' || ").append("CASE WHEN typeof(").append(c)
                    .append(") = 'text' AND instr(").append(c).append(", char(0)) > 0 THEN 'text:' || hex(").append(c)
                    .append(") ELSE quote(").append(c).append(") END");
        }
        select.append(" FROM \"").append(table.replace("\"", "\"\"")).append("\";");
        List<String> rows = new ArrayList<>(exec(".mode list\n" + select).lines().toList());
        rows.sort(null);
        return rows;
    }

    /** The SQLite version of the program, e.g. {@code 3.40.1}. */
    public static String version() {
        return runCommand(List.of("sqlite3", "--version"), "").split(" ")[0];
    }

    private String run(String script) {
        return runCommand(List.of("sqlite3", "-batch", file.toString()), script);
    }

    private static String runCommand(List<String> command, String input) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run sqlite3 (Debian package sqlite3; .ci/run installs it)", e);
        }
        try {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("sqlite3 did not finish within " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0 || err.length > 0) {
                throw new IllegalStateException("sqlite3 failed (exit " + p.exitValue() + "): "
                        + new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sqlite3 ran", e);
        }
    }
}
