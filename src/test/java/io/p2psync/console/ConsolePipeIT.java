package io.p2psync.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the console of the built jar ({@code target/p2p-sync.jar}, made by {@code package} before failsafe
 * runs) through a pipe, as a person or a script would: one command at a time, checking each answer.
 */
class ConsolePipeIT {

    private static final Path JAR = Path.of("target", "p2p-sync.jar");

    @TempDir
    Path dir;

    private Process process;
    private Writer stdin;
    private final List<String> output = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void answersEachCommandExplainsMistakesAndStopsOnQuit() throws Exception {
        start("start", "--port", "0", "--http-port", "0", "--data-dir", dir.resolve("data").toString(),
                "--p2psync.libp2p.enabled=false", "--p2psync.libp2p.mdns=false", "--server.address=127.0.0.1");
        await().atMost(Duration.ofSeconds(180)).until(() -> has(0, line -> line.contains("type 'help' for the commands")));

        assertThat(send("add greeting hello  big world")).isEqualTo("ok: greeting = hello  big world");
        assertThat(send("get greeting")).isEqualTo("hello  big world");
        assertThat(send("add colour blue")).isEqualTo("ok: colour = blue");
        assertThat(send("list", 3)).containsExactly("colour = blue", "greeting = hello  big world", "(2 keys)");
        assertThat(send("delete colour")).isEqualTo("deleted colour");
        assertThat(send("get colour")).isEqualTo("no value for key 'colour'");
        assertThat(send("delete colour")).isEqualTo("no value for key 'colour'");

        List<String> status = send("status", 5);
        assertThat(status.get(0)).matches("device: +12D3KooW\\w+ \\(.+\\)");
        assertThat(status).contains("log entries:       3", "devices:           0", "pending conflicts: 0");

        assertThat(send("peers")).isEqualTo("no peers yet; pair one with POST /devices (see the README)");
        assertThat(send("info", 6)).anySatisfy(line -> assertThat(line).startsWith("data dir:     ")
                .endsWith(dir.resolve("data").getFileName().toString()))
                .contains("libp2p port:  off");

        assertThat(send("fly to the moon")).isEqualTo("unknown command 'fly'; type 'help' for the commands");
        assertThat(send("add lonely")).isEqualTo("usage: add <key> <value>");
        assertThat(send("get")).isEqualTo("usage: get <key>");
        assertThat(send("help", 10)).first().isEqualTo("commands:");
        assertThat(send("get greeting")).as("the node keeps running after mistakes").isEqualTo("hello  big world");

        assertThat(send("quit")).isEqualTo("bye");
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the node stops after quit").isTrue();
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void aNodeWhoseInputEndsSaysSoOnceAndKeepsServing() throws Exception {
        int httpPort = freePort();
        Path data = dir.resolve("data");
        start("--http-port", String.valueOf(httpPort), "--data-dir", data.toString(), "--p2psync.libp2p.enabled=false",
                "--p2psync.libp2p.mdns=false", "--server.address=127.0.0.1");
        stdin.close(); // as a service manager or a detached shell leaves it

        await().atMost(Duration.ofSeconds(180)).until(() -> has(0, line -> line.contains("input ended")));
        assertThat(output).filteredOn(line -> line.contains("input ended")).singleElement().asString()
                .startsWith("console: input ended; the node keeps running (stop it with Ctrl-C or: kill "
                        + process.pid() + ")");

        HttpResponse<String> status = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).as("the node still serves after its input ended").isEqualTo(200);
        assertThat(process.isAlive()).isTrue();

        String token = Files.readString(data.resolve("admin.token")).strip();
        assertThat(String.join("\n", output)).as("the start-up output shows the admin token's file, not the token")
                .doesNotContain(token.substring(0, token.length() / 2))
                .contains(data.resolve("admin.token").toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void start(String... args) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing; run ./mvnw verify (package comes first)");
        }
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("<<stdout closed: " + e.getMessage() + ">>");
            }
        }, "node-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends one command and answers the first line of its answer. */
    private String send(String command) throws IOException {
        return send(command, 1).get(0);
    }

    /** Sends one command and answers the first {@code lines} lines of its answer (log lines left out). */
    private List<String> send(String command, int lines) throws IOException {
        int from = output.size();
        stdin.write(command + "\n");
        stdin.flush();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> answer(from).size() >= lines);
        return answer(from).subList(0, lines);
    }

    /** Console lines printed since {@code from}: everything but Spring Boot's log lines (which start with a date). */
    private List<String> answer(int from) {
        List<String> snapshot = List.copyOf(output);
        return snapshot.subList(from, snapshot.size()).stream()
                .filter(line -> !line.matches("^\\d{4}-\\d{2}-\\d{2}T.*"))
                .toList();
    }

    private boolean has(int from, Predicate<String> test) {
        if (process != null && !process.isAlive() && output.stream().noneMatch(test)) {
            throw new AssertionError("the node exited with " + process.exitValue() + ":\n" + String.join("\n", output));
        }
        List<String> snapshot = List.copyOf(output);
        return snapshot.subList(from, snapshot.size()).stream().anyMatch(test);
    }
}
