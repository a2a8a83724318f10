package io.p2psync.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Java node in a child JVM (a main class from the test classpath, e.g. {@link MdnsNodeMain}) that prints
 * JSON lines: first {@code {"event":"ready","peerId":…,"addrs":[…]}}, then events. Closing its stdin stops it.
 */
public final class ChildNode implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Process process;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
    private final Path log;

    /**
     * @param launcher a prefix such as {@link NetNamespace#launcher()}, or empty
     */
    public ChildNode(List<String> launcher, Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Xmx128m", mainClass.getName()));
        command.addAll(List.of(args));
        Path logDir = Path.of("target", "child-nodes");
        Files.createDirectories(logDir);
        log = logDir.resolve(mainClass.getSimpleName() + "-" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet() + ".log");
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
        Thread reader = new Thread(this::readStdout, "child-node-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits for the ready line and answers it. */
    public JsonNode awaitReady() {
        try {
            return ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("child node did not start; see " + log.toAbsolutePath(), e);
        }
    }

    public String peerId() {
        return awaitReady().get("peerId").asString();
    }

    public List<String> addrs() {
        return awaitReady().get("addrs").values().stream().map(JsonNode::asString).toList();
    }

    public List<JsonNode> events(String kind) {
        return events.stream().filter(e -> kind.equals(e.path("event").asString(""))).toList();
    }

    private void readStdout() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (RuntimeException e) {
                    continue;
                }
                if ("ready".equals(node.path("event").asString(""))) {
                    ready.complete(node);
                } else {
                    events.add(node);
                }
            }
        } catch (IOException e) {
            // ended
        }
        ready.completeExceptionally(new IllegalStateException("child node exited; see " + log.toAbsolutePath()));
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
