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
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Runs a README walkthrough as a reader would: the commands of its {@code ```bash <tag>} blocks, in order, in
 * one bash (so variables carry over), each answer checked against the {@code # …} lines under its command,
 * against nodes started from the built jar. Closing it stops the nodes.
 *
 * <p>Commands and nodes run in a working directory ({@code config/…} paths in the README need the project's;
 * a walkthrough that makes files wants a temporary one); the script and the nodes' logs go to another.
 */
final class ReadmeScript implements AutoCloseable {

    static final Path README = Path.of("README.md");
    private static final Path JAR = Path.of("target", "p2p-sync.jar");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One command of a walkthrough and the answer the README shows for it. */
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

    private final Path dir;
    private final Path workDir;
    private final List<Process> nodes = new ArrayList<>();

    /**
     * @param dir     where the script and the nodes' logs are written
     * @param workDir where the commands and the nodes run
     */
    ReadmeScript(Path dir, Path workDir) {
        this.dir = dir;
        this.workDir = workDir;
    }

    static String readme() throws IOException {
        return Files.readString(README, StandardCharsets.UTF_8);
    }

    /**
     * Every command of the {@code ```bash <tag>} blocks with the {@code #} lines that follow it. A command
     * with no answer lines (one that only sets a variable, say) joins the next command.
     */
    static List<Step> steps(String readme, String tag) {
        String opening = "```bash " + tag;
        List<Step> steps = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder command = null;
        StringBuilder expected = null;
        boolean continued = false;
        for (String line : readme.lines().toList()) {
            if (!inBlock) {
                inBlock = line.strip().equals(opening);
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

    /**
     * Runs the steps in one bash in the working directory, each command first passed through {@code rewrite}
     * (to move ports, say), and checks every answer against its pattern, also passed through {@code rewrite}.
     */
    void runAndCheck(List<Step> steps, UnaryOperator<String> rewrite) throws Exception {
        String marker = "@@step-" + System.nanoTime();
        StringBuilder script = new StringBuilder("set -u\n");
        for (Step step : steps) {
            script.append("printf '\\n%s\\n' '").append(marker).append("'\n")
                    .append(rewrite.apply(step.command())).append('\n');
        }
        Path file = dir.resolve("walkthrough-" + System.nanoTime() + ".sh");
        Files.writeString(file, script.toString(), StandardCharsets.UTF_8);
        Process bash = new ProcessBuilder("bash", file.toString()).directory(workDir.toFile()).redirectErrorStream(true)
                .start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as("the walkthrough script ran without error:\n%s", output).isZero();

        String[] parts = output.split(Pattern.quote(marker) + "\\n", -1);
        assertThat(parts).as("one answer per step:\n%s", output).hasSize(steps.size() + 1);
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            Step moved = new Step(step.command(), rewrite.apply(step.expected()));
            assertThat(parts[i + 1].strip()).as("answer to: %s", step.command()).matches(moved.pattern());
        }
    }

    /**
     * Starts a node from the built jar with the README's own arguments ({@code java -jar target/p2p-sync.jar}
     * first, then anything), {@code overrides} ({@code --name=value}) taking the place of the README's
     * arguments of the same name (Spring would join a repeated one into a list); its output goes to
     * {@code <name>.log} in the directory.
     */
    Process start(String readmeCommand, String name, List<String> overrides) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing; run ./mvnw verify (package comes first)");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx384m", "-XX:TieredStopAtLevel=1"));
        List<String> words = List.of(readmeCommand.strip().split("\\s+"));
        if (words.size() < 3 || !words.get(0).equals("java") || !words.get(2).equals("target/p2p-sync.jar")) {
            throw new IllegalArgumentException("not a README start command: " + readmeCommand);
        }
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        List<String> overridden = overrides.stream().map(o -> o.substring(0, o.indexOf('=') + 1)).toList();
        words.subList(3, words.size()).stream()
                .filter(w -> overridden.stream().noneMatch(w::startsWith))
                .forEach(command::add);
        command.addAll(overrides);
        Process node = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log(name).toFile())
                .start();
        // A console node started from a script: its input ends at once, and the node must go on serving.
        node.getOutputStream().close();
        nodes.add(node);
        return node;
    }

    Path log(String name) {
        return dir.resolve(name + ".log");
    }

    /** Waits until the node answers {@code /status} on {@code port}; fails with its log if it exits. */
    void awaitUp(Process node, String name, int port) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    if (!node.isAlive()) {
                        throw new AssertionError("node " + name + " exited: " + Files.readString(log(name)));
                    }
                    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                });
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process node : nodes) {
            node.destroy();
        }
        for (Process node : nodes) {
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
    }
}
