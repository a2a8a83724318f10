package io.p2psync.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console of the built jar at a terminal: the node runs under util-linux's {@code script}, which gives it a
 * pseudo-terminal, so it shows its {@code > } prompt as it does for a person. A log line written while the prompt
 * waits must not land after the prompt on the same line: it goes above, and the prompt follows it again.
 */
class ConsoleTerminalIT {

    private static final Path JAR = Path.of("target", "p2p-sync.jar");
    private static final String PROMPT = "> ";

    @TempDir
    Path dir;

    private Process process;
    private final StringBuffer raw = new StringBuffer();

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLogLineWhileThePromptWaitsGoesAboveThePrompt() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && onPath("script"),
                "util-linux's script gives the node a terminal");
        int httpPort = freePort();
        Writer keyboard = start("--http-port", String.valueOf(httpPort), "--data-dir", dir.resolve("data").toString(),
                "--p2psync.libp2p.enabled=false", "--p2psync.libp2p.mdns=false", "--server.address=127.0.0.1",
                // every request then logs two lines from a thread of its own, whenever it comes
                "--logging.level.org.springframework.web.servlet.DispatcherServlet=DEBUG");
        await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> assertThat(screen()).as(shown())
                .contains("p2p-sync console: type 'help' for the commands").last().isEqualTo(PROMPT));

        HttpResponse<String> status = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(screen()).as(shown())
                .anyMatch(line -> line.contains("Completed 200")).last().as("the prompt, again").isEqualTo(PROMPT));
        assertThat(screen()).as(shown())
                .filteredOn(line -> line.contains("DispatcherServlet")).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(line -> assertThat(line).matches("^\\d{4}-\\d{2}-\\d{2}T.*"));
        assertThat(screen()).as(shown()).noneMatch(line -> line.startsWith(PROMPT + "2"));

        keyboard.write("quit\n");
        keyboard.flush();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the node stops after quit").isTrue();
        assertThat(screen()).contains("bye");
    }

    /** Starts the jar under {@code script}; answers what types at its keyboard. */
    private Writer start(String... args) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing; run ./mvnw verify (package comes first)");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        String shellCommand = command.stream().map(word -> "'" + word.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        process = new ProcessBuilder("script", "--quiet", "--return", "--flush", "--command", shellCommand, "/dev/null")
                .redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (Reader in = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
                char[] buffer = new char[4096];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    raw.append(buffer, 0, n);
                }
            } catch (IOException e) {
                raw.append("<<output closed: ").append(e.getMessage()).append(">>");
            }
        }, "terminal-output");
        reader.setDaemon(true);
        reader.start();
        return new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /**
     * The lines as a terminal shows them: a carriage return goes back to the start of the line, so only what
     * follows the last one stays visible; erase-to-end-of-line ({@code ESC [K}) leaves nothing behind, and the
     * colours Spring Boot gives log lines at a terminal ({@code ESC [..m}) are not characters.
     */
    private List<String> screen() {
        if (process != null && !process.isAlive() && !raw.toString().contains("bye")) {
            throw new AssertionError("the node exited with " + process.exitValue() + ":\n" + raw);
        }
        String text = raw.toString().replaceAll("\u001b\\[[0-9;]*m", "").replace("\u001b[K", "");
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String shown = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            lines.add(shown.substring(shown.lastIndexOf('\r') + 1));
        }
        return lines;
    }

    private String shown() {
        return "the screen:\n" + String.join("\n", screen());
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
