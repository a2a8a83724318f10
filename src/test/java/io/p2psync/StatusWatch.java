package io.p2psync;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks a node for {@code GET /status} every {@value #POLL_MILLIS} ms (after the previous answer) and for its
 * heap in use every few polls, from its own thread, and keeps what it saw: each poll's status and time.
 */
final class StatusWatch implements AutoCloseable {

    static final long POLL_MILLIS = 250;
    /** A poll that takes longer than this got no answer: the node did not serve /status. */
    static final Duration GIVE_UP = Duration.ofSeconds(20);
    private static final int HEAP_EVERY = 8;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One poll: the HTTP status (0 when none came) and how long the answer took. */
    record Poll(int status, long millis, String error) {
    }

    private final URI node;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(GIVE_UP).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "status-watch");
        t.setDaemon(true);
        return t;
    });
    final List<Poll> polls = new CopyOnWriteArrayList<>();
    final AtomicLong maxHeapUsed = new AtomicLong(-1);
    volatile long heapMax = -1;

    StatusWatch(URI node) {
        this.node = node;
    }

    StatusWatch start() {
        timer.scheduleWithFixedDelay(this::poll, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void poll() {
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.resolve("/status")).timeout(GIVE_UP).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            polls.add(new Poll(r.statusCode(), elapsedMillis(start), r.statusCode() == 200 ? null : r.body()));
        } catch (IOException e) {
            polls.add(new Poll(0, elapsedMillis(start), e.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (polls.size() % HEAP_EVERY == 1) {
            sampleHeap();
        }
    }

    /** Reads the node's heap in use from Micrometer's {@code jvm.memory.used} (area heap), served to loopback. */
    void sampleHeap() {
        try {
            long used = (long) metric("jvm.memory.used");
            maxHeapUsed.accumulateAndGet(used, Math::max);
            heapMax = (long) metric("jvm.memory.max");
        } catch (IOException | RuntimeException e) {
            // the poll of /status is what must answer; a missed sample only lowers the count of samples
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private double metric(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.resolve("/actuator/metrics/" + name
                + "?tag=area:heap")).timeout(GIVE_UP).GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(r.body());
        return json.get("measurements").get(0).get("value").asDouble();
    }

    long slowest() {
        return polls.stream().mapToLong(Poll::millis).max().orElse(-1);
    }

    long slowerThan(long millis) {
        return polls.stream().filter(p -> p.millis() > millis).count();
    }

    List<Poll> failed() {
        return polls.stream().filter(p -> p.status() != 200).toList();
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(GIVE_UP.toSeconds() + 5, TimeUnit.SECONDS);
    }
}
