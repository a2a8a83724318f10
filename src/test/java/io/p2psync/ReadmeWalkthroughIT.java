package io.p2psync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's walkthrough as written: starts node A and node B from the built jar with the README's
 * start commands ({@code config/node-a.yml}, {@code config/node-b.yml}), only moved to free ports and a
 * temporary data directory, then runs every command of the {@code bash walkthrough} blocks with bash and
 * real curl, in order, in one shell, and checks each answer against the {@code # …} lines under it.
 */
class ReadmeWalkthroughIT {

    private static final Path README = Path.of("README.md");
    private static final Path JAR = Path.of("target", "p2p-sync.jar");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private final List<Process> nodes = new ArrayList<>();

    /** One command of the walkthrough and the answer the README shows for it. */
    record Step(String command, String expected) {
        /** The expected answer as a pattern: {@code …} stands for anything. */
        Pattern pattern() {
            String[] parts = expected.split("…", -1);
            StringBuilder regex = new StringBuilder();
            for (int i = 0; i < parts.length; i++) {
                regex.append(Pattern.quote(parts[i]));
                if (i < parts.length - 1) {
                    regex.append(".*?");
                }
            }
            return Pattern.compile(regex.toString(), Pattern.DOTALL);
        }
    }

    @AfterEach
    void stopNodes() throws InterruptedException {
        for (Process node : nodes) {
            node.destroy();
        }
        for (Process node : nodes) {
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
    }

    @Test
    void theReadmeWalkthroughGivesTheAnswersItShows() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        List<String> starts = startCommands(readme);
        assertThat(starts).as("the README starts node A and node B").hasSize(2);
        List<Step> steps = steps(readme);
        assertThat(steps).as("walkthrough steps").hasSizeGreaterThan(10)
                .allSatisfy(step -> assertThat(step.expected()).as(step.command()).isNotBlank());

        int portA = freePort();
        int portB = freePort();
        start(starts.get(0), "a", portA);
        start(starts.get(1), "b", portB);
        awaitUp(portA, "a");
        awaitUp(portB, "b");

        List<String> answers = run(steps, portA, portB);
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String expected = onPorts(step.expected(), portA, portB);
            assertThat(answers.get(i)).as("answer to: %s", step.command())
                    .matches(new Step(step.command(), expected).pattern());
        }
        assertThat(Files.readString(dir.resolve("node-a.log"))).as("node A's console started, then saw its input end")
                .contains("p2p-sync console: type 'help' for the commands");
    }

    /** The {@code java -jar target/p2p-sync.jar …} lines of the README's first walkthrough block. */
    private static List<String> startCommands(String readme) {
        return readme.lines().filter(line -> line.startsWith("java -jar target/p2p-sync.jar --spring.config"))
                .toList();
    }

    /** Every command of the {@code bash walkthrough} blocks with the {@code #} lines that follow it. */
    static List<Step> steps(String readme) {
        List<Step> steps = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder command = null;
        StringBuilder expected = null;
        boolean continued = false;
        for (String line : readme.lines().toList()) {
            if (!inBlock) {
                inBlock = line.strip().equals("```bash walkthrough");
                continue;
            }
            if (line.strip().equals("```")) {
                inBlock = false;
                if (command != null) {
                    steps.add(new Step(command.toString(), expected.toString()));
                    command = null;
                }
                continue;
            }
            if (continued) {
                command.append('\n').append(line);
                continued = line.endsWith("\\");
            } else if (line.startsWith("# ")) {
                if (command == null) {
                    throw new IllegalStateException("an answer line with no command before it: " + line);
                }
                expected.append(expected.isEmpty() ? "" : "\n").append(line.substring(2));
            } else if (!line.isBlank()) {
                // A command that only sets a variable shows no answer: it joins the next command.
                if (command != null && !expected.isEmpty()) {
                    steps.add(new Step(command.toString(), expected.toString()));
                    command = null;
                }
                if (command == null) {
                    command = new StringBuilder(line);
                    expected = new StringBuilder();
                } else {
                    command.append('\n').append(line);
                }
                continued = line.endsWith("\\");
            }
        }
        return steps;
    }

    /** Runs the steps in one bash, so variables carry over, and answers each step's output. */
    private List<String> run(List<Step> steps, int portA, int portB) throws Exception {
        String marker = "@@step-" + System.nanoTime();
        StringBuilder script = new StringBuilder("set -u\n");
        for (Step step : steps) {
            script.append("printf '\\n%s\\n' '").append(marker).append("'\n")
                    .append(onPorts(step.command(), portA, portB)).append('\n');
        }
        Path file = dir.resolve("walkthrough.sh");
        Files.writeString(file, script.toString(), StandardCharsets.UTF_8);
        Process bash = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as("the walkthrough script ran without error:\n%s", output).isZero();

        String[] parts = output.split(Pattern.quote(marker) + "\\n", -1);
        assertThat(parts).as("one answer per step:\n%s", output).hasSize(steps.size() + 1);
        List<String> answers = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            answers.add(parts[i].strip());
        }
        return answers;
    }

    private static String onPorts(String text, int portA, int portB) {
        return text.replace("localhost:8081", "localhost:" + portA).replace("localhost:8082", "localhost:" + portB);
    }

    private void start(String readmeCommand, String name, int port) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing; run ./mvnw verify (package comes first)");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx384m", "-XX:TieredStopAtLevel=1"));
        // The README's own arguments, then only what must differ here: ports and the data directory.
        List<String> words = List.of(readmeCommand.split("\\s+"));
        command.addAll(words.subList(1, words.size()));
        command.addAll(List.of("--server.port=" + port, "--p2psync.libp2p.port=0",
                "--p2psync.data-dir=" + dir.resolve("node-" + name)));
        Process node = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("node-" + name + ".log").toFile())
                .start();
        // The console is on, as in the README; its input ends at once, and the node must go on serving.
        node.getOutputStream().close();
        nodes.add(node);
    }

    private void awaitUp(int port, String name) {
        Process process = nodes.get(name.equals("a") ? 0 : 1);
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("node " + name + " exited: "
                                + Files.readString(dir.resolve("node-" + name + ".log")));
                    }
                    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
