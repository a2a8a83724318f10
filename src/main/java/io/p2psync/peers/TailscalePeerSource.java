package io.p2psync.peers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Devices on this device's tailnet, read from the output of {@code tailscale status --json} (through the
 * configured command), to be suggested as peers. A suggestion is never authorized by itself: it shows up in
 * {@code GET /peers} with the url to pair it with.
 *
 * <p>The command runs at most once per {@link #MAX_AGE}; a command that fails, times out or prints something
 * that is not the expected JSON yields no suggestions and one logged warning per distinct reason.
 */
@Component
public class TailscalePeerSource {

    /** How long one reading of the tailnet is reused. */
    static final Duration MAX_AGE = Duration.ofSeconds(30);
    /** More output than this is not a tailnet status. */
    static final int MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(TailscalePeerSource.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final TailscaleSettings settings;
    private final Clock clock;
    private List<TailnetDevice> devices = List.of();
    private Instant readAt = Instant.MIN;
    private String lastProblem;

    @Autowired
    TailscalePeerSource(TailscaleSettings settings) {
        this(settings, Clock.systemUTC());
    }

    TailscalePeerSource(TailscaleSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** The tailnet's other devices (never this one), or an empty list if the source is off or failed. */
    public synchronized List<TailnetDevice> devices() {
        if (!settings.enabled()) {
            return List.of();
        }
        Instant now = clock.instant();
        if (Duration.between(readAt, now).compareTo(MAX_AGE) >= 0) {
            devices = read();
            readAt = now;
        }
        return devices;
    }

    /** The port assumed for suggested urls. */
    public int port() {
        return settings.port();
    }

    private List<TailnetDevice> read() {
        try {
            List<TailnetDevice> read = parse(run());
            lastProblem = null;
            return read;
        } catch (IOException | IllegalArgumentException | TimeoutException e) {
            String problem = "cannot read the tailnet through " + String.join(" ", settings.command()) + ": "
                    + e.getMessage();
            if (!problem.equals(lastProblem)) {
                log.warn("{}; no tailnet devices are suggested", problem);
                lastProblem = problem;
            }
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private String run() throws IOException, InterruptedException, TimeoutException {
        Process process = new ProcessBuilder(settings.command())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        process.getOutputStream().close();
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readLimited(process.getInputStream()));
        try {
            if (!process.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException("it did not finish within " + settings.timeout());
            }
            if (process.exitValue() != 0) {
                throw new IOException("it exited with status " + process.exitValue());
            }
            return new String(output.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            process.destroyForcibly();
        }
    }

    private static byte[] readLimited(InputStream in) {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_OUTPUT_BYTES + 1);
            if (bytes.length > MAX_OUTPUT_BYTES) {
                throw new IllegalArgumentException("its output is larger than " + MAX_OUTPUT_BYTES + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Reads the {@code Peer} map of {@code tailscale status --json}. Devices without an IPv4 Tailscale
     * address are left out; a status with no {@code Peer} (a tailnet of one) gives an empty list.
     *
     * @throws IllegalArgumentException if the text is not JSON or not a tailscale status
     */
    static List<TailnetDevice> parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("its output is not JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject() || !root.has("BackendState")) {
            throw new IllegalArgumentException("its output is not a tailscale status (no BackendState)");
        }
        JsonNode peers = root.path("Peer");
        List<TailnetDevice> found = new ArrayList<>();
        if (peers.isObject()) {
            for (Map.Entry<String, JsonNode> entry : peers.properties()) {
                JsonNode peer = entry.getValue();
                String ipv4 = null;
                for (JsonNode ip : peer.path("TailscaleIPs")) {
                    String text = ip.isString() ? ip.stringValue() : "";
                    if (text.indexOf('.') > 0 && text.indexOf(':') < 0) {
                        ipv4 = text;
                        break;
                    }
                }
                if (ipv4 == null) {
                    continue;
                }
                String dns = text(peer, "DNSName");
                if (dns != null && dns.endsWith(".")) {
                    dns = dns.substring(0, dns.length() - 1);
                }
                found.add(new TailnetDevice(text(peer, "HostName"), dns, text(peer, "OS"), ipv4,
                        peer.path("Online").isBoolean() && peer.path("Online").booleanValue()));
            }
        }
        found.sort(Comparator.comparing(TailnetDevice::ipv4));
        return List.copyOf(found);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() && !value.stringValue().isEmpty() ? value.stringValue() : null;
    }
}
