package io.p2psync.registry.client;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.registry.Announcement;
import io.p2psync.registry.CoordinatorHeartbeat;
import io.p2psync.registry.Presence;
import io.p2psync.registry.RegistrySignature;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Talks to the registry named by {@code p2psync.registry.url}: announces this device, sends a coordinator's
 * heartbeat, and looks devices up. Every call goes through one circuit breaker: after a call the registry did not
 * answer (down, unreachable, timed out, a 5xx) the client leaves it alone for {@code backoff}, doubled after each
 * further failure up to {@code maxBackoff}, and calls in that time fail at once without touching the network.
 * {@link OutageLog} writes one line when an outage starts and one when it ends. Thread-safe.
 */
public class RegistryClient {

    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);

    private final RegistryClientSettings settings;
    private final DeviceIdentity identity;
    private final JsonMapper json;
    private final Clock clock;
    private final HttpClient http;
    private final CircuitBreaker breaker;
    private final OutageLog outage;
    private final String base;
    /** The timestamp of the last signed body, so two signed in one millisecond still increase. */
    private final AtomicLong lastTimestamp = new AtomicLong();

    public RegistryClient(RegistryClientSettings settings, DeviceIdentity identity, JsonMapper json, Clock clock) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("p2psync.registry.url is not set");
        }
        this.settings = settings;
        this.identity = identity;
        this.json = json;
        this.clock = clock;
        this.base = settings.url().endsWith("/") ? settings.url().substring(0, settings.url().length() - 1) : settings.url();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.timeout()).build();
        this.breaker = CircuitBreaker.of("registry", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(1)
                .minimumNumberOfCalls(1)
                .failureRateThreshold(100)
                .permittedNumberOfCallsInHalfOpenState(1)
                .waitIntervalFunctionInOpenState(IntervalFunction.ofExponentialBackoff(settings.backoff(), 2.0,
                        settings.maxBackoff()))
                .recordException(e -> e instanceof RegistryException r && r.unreachable())
                .build());
        this.outage = new OutageLog(log, base);
    }

    /** The registry's base url. */
    public String url() {
        return base;
    }

    /** Whether the registry is in an outage by this client's last call (or it is backing off). */
    public boolean down() {
        return outage.down() || breaker.getState() == CircuitBreaker.State.OPEN;
    }

    /**
     * What the registry knows of a device of this network, by device id or bound name; empty if it does not know
     * it, or cannot be asked now (its failure is logged once per outage). Never throws.
     */
    public Optional<Presence> lookup(String userId) {
        URI uri = URI.create(base + "/network/" + encode(settings.network()) + "/peer/" + encode(userId));
        try {
            return Optional.of(json.readValue(call(authorized(HttpRequest.newBuilder(uri)).GET().build()), Presence.class));
        } catch (RegistryException e) {
            if (e.status() != 404 && !e.unreachable()) {
                log.warn("Registry refused the lookup of {}: {}", userId, e.getMessage());
            }
            return Optional.empty();
        } catch (JacksonException e) {
            log.warn("Registry answered the lookup of {} with something that is not a presence: {}", userId,
                    e.getOriginalMessage());
            return Optional.empty();
        }
    }

    /**
     * Announces this device: its libp2p addresses, REST url and the coordinators it is connected to, signed by its
     * key, with this registry's {@code name} binding when set.
     *
     * @return the presence the registry now holds
     * @throws RegistryException if the registry refused it or could not be asked
     */
    public Presence announce(List<String> multiaddrs, String restUrl, List<String> coordinators) throws RegistryException {
        Announcement a = new Announcement(Announcement.VERSION, identity.deviceId().toString(), settings.name(),
                multiaddrs, restUrl, coordinators, timestamp());
        byte[] body = json.writeValueAsBytes(a);
        URI uri = URI.create(base + "/network/" + encode(settings.network()) + "/announce");
        byte[] answer = call(signed(uri, body, RegistrySignature.Purpose.ANNOUNCE));
        return json.readValue(answer, Presence.class);
    }

    /**
     * Sends this node's heartbeat as a coordinator of the network.
     *
     * @param load 0 (idle) to 100 (full)
     * @throws RegistryException if the registry refused it or could not be asked
     */
    public void heartbeat(int load, List<String> multiaddrs) throws RegistryException {
        CoordinatorHeartbeat h = new CoordinatorHeartbeat(Announcement.VERSION, identity.deviceId().toString(), load,
                multiaddrs, timestamp());
        call(signed(URI.create(base + "/coordinator/heartbeat"), json.writeValueAsBytes(h),
                RegistrySignature.Purpose.HEARTBEAT));
    }

    private HttpRequest signed(URI uri, byte[] body, RegistrySignature.Purpose purpose) {
        return authorized(HttpRequest.newBuilder(uri))
                .header("Content-Type", "application/json")
                .header(RegistrySignature.HEADER, RegistrySignature.sign(identity, purpose, settings.network(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return request.timeout(settings.timeout()).header("Authorization", "Bearer " + settings.token());
    }

    private long timestamp() {
        long now = clock.millis();
        return lastTimestamp.updateAndGet(last -> Math.max(last + 1, now));
    }

    /** One call through the breaker; answers the body of a 2xx. */
    private byte[] call(HttpRequest request) throws RegistryException {
        try {
            return breaker.executeCheckedSupplier(() -> send(request));
        } catch (CallNotPermittedException backingOff) {
            throw new RegistryException(0, null, "the registry failed recently; backing off");
        } catch (RegistryException e) {
            throw e;
        } catch (Throwable e) {
            throw new RegistryException(0, null, e.toString());
        }
    }

    /** The most of an answer read: a presence, a list of active peers or a problem is far smaller. */
    static final long MAX_ANSWER_BYTES = 1024 * 1024;

    private byte[] send(HttpRequest request) throws RegistryException {
        int status;
        byte[] body;
        try {
            HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            try (java.io.InputStream in = new io.p2psync.sync.CappedInputStream(response.body(), MAX_ANSWER_BYTES)) {
                body = in.readAllBytes(); // a longer answer fails here, as an outage, before it fills the heap
            }
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            outage.failed(why);
            throw new RegistryException(0, null, why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(0, null, "interrupted");
        }
        if (status >= 500) {
            outage.failed("it answered " + status);
            throw new RegistryException(status, null, "the registry answered " + status);
        }
        outage.answered();
        if (status / 100 != 2) {
            String type = null;
            String detail = "the registry answered " + status;
            try {
                JsonNode problem = json.readTree(body);
                type = problem.path("type").asString(null);
                detail = detail + ": " + problem.path("detail").asString("");
            } catch (JacksonException notProblem) {
                // the status says enough
            }
            throw new RegistryException(status, type, detail);
        }
        return body;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
