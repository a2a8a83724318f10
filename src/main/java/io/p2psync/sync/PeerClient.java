package io.p2psync.sync;

import io.p2psync.devices.RequestSignature;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.wire.PullRequestBody;
import io.p2psync.wire.PullResponseBody;
import io.p2psync.wire.PushRequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.zip.GZIPInputStream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls another device's {@code /sync/pull} and {@code /sync/push}: signs each request with this device's
 * key, gzips bodies from {@link SyncSettings#compressAbove()} up, accepts gzip answers, and applies the
 * connect and read timeouts. Answers are read as a stream and refused past {@link SyncSettings#maxAnswerSize()}
 * bytes once decompressed, so a peer cannot make this device hold more than that. Thread-safe.
 */
@Component
class PeerClient {

    private final HttpClient http;
    private final DeviceIdentity identity;
    private final JsonMapper json;
    private final SyncSettings settings;
    private final Clock clock;

    PeerClient(DeviceIdentity identity, JsonMapper json, SyncSettings settings,
               ObjectProvider<Clock> clock) {
        this.identity = identity;
        this.json = json;
        this.settings = settings;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * The peer's sync protocol over REST.
     *
     * @param baseUrl the peer's base url, e.g. {@code http://100.64.0.2:8080}
     * @param peer the peer's device id, which the requests are addressed to
     */
    SyncChannel channel(String baseUrl, PeerId peer) {
        return new SyncChannel() {
            @Override
            public PullResponse pull(PullRequest request) {
                return PeerClient.this.pull(baseUrl, peer, request);
            }

            @Override
            public PushResponse push(PushRequest request) {
                return PeerClient.this.push(baseUrl, peer, request);
            }

            @Override
            public String via() {
                return "rest";
            }
        };
    }

    /**
     * @param baseUrl the peer's base url, e.g. {@code http://100.64.0.2:8080}
     * @param peer the peer's device id, which the request is addressed to
     * @throws PeerException if the call fails
     */
    PullResponse pull(String baseUrl, PeerId peer, PullRequest request) {
        PullResponseBody body = call(baseUrl, peer, "/sync/pull",
                PullRequestBody.of(request.vector(), request.limit()), PullResponseBody.class);
        try {
            return new PullResponse(body.domainEntries(), body.server(), body.more(), body.domainTooLarge(),
                    body.domainHeads(), body.domainFormerColumns());
        } catch (IllegalArgumentException e) {
            throw new PeerException(baseUrl + "/sync/pull answered a malformed page: " + e.getMessage(), 200, e);
        }
    }

    /** @throws PeerException if the call fails */
    PushResponse push(String baseUrl, PeerId peer, PushRequest request) {
        return call(baseUrl, peer, "/sync/push", PushRequestBody.of(request.entries()), PushResponse.class);
    }

    private <T> T call(String baseUrl, PeerId peer, String path, Object body, Class<T> answer) {
        byte[] bytes = json.writeValueAsBytes(body);
        boolean gzip = bytes.length >= settings.compressAbove().toBytes();
        if (gzip) {
            bytes = Gzip.gzip(bytes);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(settings.readTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Accept-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (gzip) {
            builder.header("Content-Encoding", "gzip");
        }
        RequestSignature.sign(identity.privateKey(), "POST", path, peer, clock.instant(), bytes)
                .forEach(builder::header);
        HttpResponse<InputStream> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new PeerException("cannot reach " + baseUrl + ": " + e, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException("interrupted while calling " + baseUrl, 0, e);
        }
        long cap = settings.maxAnswerSize().toBytes();
        CappedInputStream in = null;
        try {
            in = new CappedInputStream(decoded(response), cap);
            if (response.statusCode() / 100 != 2) {
                byte[] problem = in.readAllBytes();
                String described = describe(response.statusCode(), problem);
                if (PeerBusyException.isForNow(response.statusCode(), problemType(problem))) {
                    throw new PeerBusyException(described,
                            PeerBusyException.retryAfter(response.headers().firstValue("Retry-After").orElse(null)));
                }
                throw new PeerException(described, response.statusCode(), null);
            }
            return json.readValue(in, answer);
        } catch (IOException | JacksonException e) {
            if (in != null && in.exceeded()) {
                throw new PeerException(baseUrl + path + " answered more than " + cap + " bytes (p2psync.sync"
                        + ".max-answer-size); its page budget or maximum entry size is larger than this device reads",
                        response.statusCode(), e);
            }
            if (e instanceof JacksonException j) {
                throw new PeerException(baseUrl + path + " answered malformed JSON: " + j.getOriginalMessage(),
                        response.statusCode(), e);
            }
            throw new PeerException("reading the answer of " + baseUrl + path + " failed: " + e, 0, e);
        } finally {
            closeQuietly(in == null ? response.body() : in);
        }
    }

    /** Closing an answer stream before its end discards the rest of it; a failure to close changes nothing. */
    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the answer was read or refused already; the connection is dropped either way
        }
    }

    private String describe(int status, byte[] body) {
        try {
            JsonNode problem = json.readTree(body);
            return "HTTP " + status + " " + problem.path("title").asString("") + ": "
                    + problem.path("detail").asString("");
        } catch (JacksonException e) {
            return "HTTP " + status;
        }
    }

    /** The problem's type, or null if the body is not a problem. */
    private String problemType(byte[] body) {
        try {
            return json.readTree(body).path("type").asString(null);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static InputStream decoded(HttpResponse<InputStream> response) throws IOException {
        boolean gzip = response.headers().firstValue("Content-Encoding").map("gzip"::equalsIgnoreCase).orElse(false);
        return gzip ? new GZIPInputStream(response.body(), 64 * 1024) : response.body();
    }

}
