package io.p2psync.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.JarRun;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --help} and a command line with a mistake, run on the built jar as a person would: what each prints on
 * which stream, the exit code, and that no node started. Each run is given the REST port of a socket this test
 * holds and a data directory of its own: a node that started anyway would make the directory and fail on the
 * busy port.
 */
class LaunchOptionsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(150);

    @TempDir
    Path dir;

    @Test
    void helpPrintsTheUsageOnStdoutAndStartsNothing() throws Exception {
        for (String help : List.of("--help", "-h")) {
            JarRun.Streams run = runHoldingThePort(help);

            assertThat(run.exitCode()).as("%s: exit code; stderr:%n%s", help, run.stderr()).isZero();
            assertThat(run.stdout()).as(help).startsWith("Usage: java -jar p2p-sync.jar")
                    .contains("--no-console", "--spring.config.additional-location=", "--p2psync.data-dir=",
                            "--p2psync.tables=", "--server.port=", "README.md");
            assertThat(run.stderr()).as(help).isEmpty();
            assertThat(dir.resolve("data")).as("%s makes no data directory", help).doesNotExist();
        }
    }

    @Test
    void aSettingNoRecordBindsIsRefusedWithTheUsageOnStderr() throws Exception {
        JarRun.Streams run = runHoldingThePort("--p2psync.libp2p.mnds=false");

        assertThat(run.exitCode()).as("exit code; stdout:%n%s", run.stdout()).isEqualTo(2);
        assertThat(run.stderr().lines().findFirst()).hasValueSatisfying(line -> assertThat(line)
                .startsWith("p2p-sync: unknown setting --p2psync.libp2p.mnds ")
                .contains("did you mean --p2psync.libp2p.mdns"));
        assertThat(run.stderr()).contains("Usage: java -jar p2p-sync.jar");
        assertThat(run.stdout()).as("nothing on stdout").isEmpty();
        assertThat(dir.resolve("data")).as("no data directory").doesNotExist();
    }

    @Test
    void anUnknownFlagAndAStrayWordAreRefusedTogether() throws Exception {
        JarRun.Streams run = runHoldingThePort("--verbose", "strat");

        assertThat(run.exitCode()).as("exit code; stdout:%n%s", run.stdout()).isEqualTo(2);
        assertThat(run.stderr().lines().limit(2)).containsExactly(
                "p2p-sync: unknown option --verbose",
                "p2p-sync: unexpected argument 'strat' (the commands are start and remove, and come first)");
        assertThat(run.stderr()).contains("Usage: java -jar p2p-sync.jar");
        assertThat(run.stdout()).isEmpty();
        assertThat(dir.resolve("data")).doesNotExist();
    }

    /** Runs the jar with {@code args} after the port and data directory, on a port held here. */
    private JarRun.Streams runHoldingThePort(String... args) throws IOException, InterruptedException {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> all = new ArrayList<>(List.of("--server.address=127.0.0.1",
                    "--server.port=" + held.getLocalPort(), "--p2psync.data-dir=" + dir.resolve("data"),
                    "--p2psync.libp2p.enabled=false"));
            all.addAll(List.of(args));
            return JarRun.runWithStreamsApart(dir, TIMEOUT, all);
        }
    }
}
