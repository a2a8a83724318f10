package io.p2psync.dashboard;

import static org.awaitility.Awaitility.await;

import io.p2psync.interop.NetNamespace;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node from the built jar in a network namespace of its own, joined to this machine by a veth pair, so a
 * browser here reaches it from an address that is not loopback (198.51.100.0/24, a documentation range, on
 * the pair only) and the node applies its rule for other machines. Needs root, as {@link NetNamespace} does.
 */
final class NamespacedNode implements AutoCloseable {

    static final Path JAR = Path.of("target", "p2p-sync.jar");
    static final int PORT = 8080;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String url;
    final Path log;
    private final NetNamespace namespace;
    private final String hostLink;
    private final Process node;

    private NamespacedNode(String url, Path log, NetNamespace namespace, String hostLink, Process node) {
        this.url = url;
        this.log = log;
        this.namespace = namespace;
        this.hostLink = hostLink;
        this.node = node;
    }

    /** Starts the node with {@code args} added and waits until it answers from outside its namespace. */
    static NamespacedNode start(Path dataDir, List<String> args) throws Exception {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing; run ./mvnw verify (package comes first)");
        }
        NetNamespace namespace = NetNamespace.create();
        long pid = ProcessHandle.current().pid();
        int subnet = (int) (pid % 60) * 4;
        String hostAddress = "198.51.100." + (subnet + 1);
        String nodeAddress = "198.51.100." + (subnet + 2);
        String hostLink = "p2pdh" + pid % 100000;
        String nodeLink = "p2pdn" + pid % 100000;
        String holder = namespace.launcher().get(1).replaceAll("\\D", "");
        try {
            run(new ProcessBuilder("ip", "link", "add", hostLink, "type", "veth", "peer", "name", nodeLink));
            run(new ProcessBuilder("ip", "link", "set", nodeLink, "netns", holder));
            run(new ProcessBuilder("ip", "addr", "add", hostAddress + "/30", "dev", hostLink));
            run(new ProcessBuilder("ip", "link", "set", hostLink, "up"));
            run(namespace.processBuilder(List.of("ip", "addr", "add", nodeAddress + "/30", "dev", nodeLink)));
            run(namespace.processBuilder(List.of("ip", "link", "set", nodeLink, "up")));
            Files.createDirectories(dataDir);
            Path log = dataDir.resolve("node.log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx384m", "-jar", JAR.toAbsolutePath().toString(),
                    "--server.port=" + PORT, "--server.address=0.0.0.0",
                    "--p2psync.data-dir=" + dataDir.toAbsolutePath(), "--p2psync.device-name=far-away",
                    "--p2psync.libp2p.enabled=false", "--no-console"));
            command.addAll(args);
            Process node = namespace.processBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            NamespacedNode started = new NamespacedNode("http://" + nodeAddress + ":" + PORT, log, namespace,
                    hostLink, node);
            try {
                await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                        .until(() -> {
                            if (!node.isAlive()) {
                                throw new AssertionError("the node exited; see " + log);
                            }
                            return started.status("/status") == 200;
                        });
            } catch (RuntimeException | AssertionError e) {
                started.close();
                throw e;
            }
            return started;
        } catch (Exception | AssertionError e) {
            namespace.close();
            throw e;
        }
    }

    /** The status of a GET of {@code path} from this machine, with no cookie and no token. */
    int status(String path) throws IOException, InterruptedException {
        return get(path).statusCode();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void run(ProcessBuilder command) throws IOException, InterruptedException {
        command.environment().merge("PATH", "/usr/sbin:/sbin", (path, sbin) -> path + ":" + sbin);
        Process p = command.redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command.command()) + " failed: "
                    + new String(p.getInputStream().readAllBytes()));
        }
    }

    @Override
    public void close() {
        node.destroy();
        try {
            if (!node.waitFor(20, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        } catch (InterruptedException e) {
            node.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        namespace.close(); // the veth pair goes with the namespace
        try {
            run(new ProcessBuilder("ip", "link", "del", hostLink));
        } catch (IOException | IllegalStateException e) {
            // gone with the namespace already, as it should be
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
