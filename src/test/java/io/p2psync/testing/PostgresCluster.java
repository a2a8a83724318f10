package io.p2psync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL server for one test class: {@code initdb} in a new temporary directory, run as the
 * {@code postgres} user (the tests run as root, which PostgreSQL refuses to run as), started with {@code pg_ctl} on a
 * free port of 127.0.0.1 with its socket in the same directory, and stopped and removed by {@link #close()}. Needs
 * Debian's {@code postgresql} package (the binaries under {@code /usr/lib/postgresql/<version>/bin}); {@code .ci/run}
 * installs it when missing. Trust authentication for the {@code postgres} user on 127.0.0.1 only.
 */
public final class PostgresCluster implements AutoCloseable {

    private static final Path LIB = Path.of("/usr/lib/postgresql");

    private final Path bin;
    private final Path dir;
    private final int port;
    private boolean running;

    private PostgresCluster(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** Makes and starts a cluster; fails with what is missing if PostgreSQL is not installed. */
    public static PostgresCluster start() {
        Path bin = binaries();
        Path dir;
        try {
            dir = Files.createTempDirectory("p2psync-pg-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
            run(List.of("chown", "postgres:postgres", dir.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PostgresCluster cluster = new PostgresCluster(bin, dir, freePort());
        try {
            cluster.initAndStart();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void initAndStart() {
        Path data = dir.resolve("data");
        asPostgres(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--no-sync");
        asPostgres(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -h 127.0.0.1 -k " + dir + " -c fsync=off", "start");
        running = true;
    }

    /** The JDBC url of the {@code postgres} database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The user to connect as (no password). */
    public String user() {
        return "postgres";
    }

    @Override
    public void close() {
        try {
            if (running) {
                asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                        "-w", "stop");
                running = false;
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Path binaries() {
        try (var versions = Files.list(LIB)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(Path::toString))
                    .orElseThrow(PostgresCluster::missing);
        } catch (IOException e) {
            throw missing();
        }
    }

    private static IllegalStateException missing() {
        return new IllegalStateException("PostgreSQL's server binaries are not under " + LIB
                + "/<version>/bin; install Debian's postgresql package (.ci/run does)");
    }

    private void asPostgres(String... command) {
        List<String> all = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        all.addAll(List.of(command));
        run(all);
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
