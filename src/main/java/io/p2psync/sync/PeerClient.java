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
import java.time.Clock;
import java.util.zip.GZIPInputStream;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.DisposableBean;
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
 *
 * <p>A call runs on the round's own thread, blocking (Apache HttpClient's classic API over pooled keep-alive
 * connections): a round is one request after another, and a client that hands each one to threads of its own
 * and back spent more CPU on the hand-offs than on the request (docs/benchmarks.md). A blocked read does not
 * end when the thread is interrupted, so the read timeout bounds it; a thread interrupted meanwhile (its round
 * timed out, or the node stops) sends nothing more and drops the answer it gets. Closing the client (the node
 * stopping) ends every read at once.
 */
@Component
class PeerClient implements DisposableBean {

    /** Idle connections are checked before reuse after this long: a peer may have closed them. */
    private static final TimeValue VALIDATE_AFTER_IDLE = TimeValue.ofSeconds(2);
    /** Connections kept per peer: a round uses one at a time, a prefetched page a second. */
    private static final int CONNECTIONS_PER_PEER = 4;

    private final CloseableHttpClient http;
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
        Timeout read = Timeout.of(settings.readTimeout());
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(settings.connectTimeout()))
                                .setSocketTimeout(read)
                                .setValidateAfterInactivity(VALIDATE_AFTER_IDLE)
                                .build())
                        .setMaxConnPerRoute(CONNECTIONS_PER_PEER)
                        .setMaxConnTotal(16 * CONNECTIONS_PER_PEER)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(read).build())
                .disableRedirectHandling()
                .disableAutomaticRetries() // a request is signed with a nonce: the next round asks again
                .disableContentCompression() // gzip both ways is done here, within the answer cap
                .disableCookieManagement()
                .disableAuthCaching()
                .build();
    }

    @Override
    public void destroy() {
        http.close(CloseMode.IMMEDIATE);
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
                    body.domainHeads());
        } catch (IllegalArgumentException e) {
            throw new PeerException(baseUrl + "/sync/pull answered a malformed page: " + e.getMessage(), 200, e);
        }
    }

    /** @throws PeerException if the call fails */
    PushResponse push(String baseUrl, PeerId peer, PushRequest request) {
        return call(baseUrl, peer, "/sync/push", PushRequestBody.of(request.entries()), PushResponse.class);
    }

    private <T> T call(String baseUrl, PeerId peer, String path, Object body, Class<T> answer) {
        if (Thread.currentThread().isInterrupted()) {
            throw new PeerException("interrupted before calling " + baseUrl, 0, null);
        }
        byte[] bytes = json.writeValueAsBytes(body);
        boolean gzip = bytes.length >= settings.compressAbove().toBytes();
        if (gzip) {
            bytes = Gzip.gzip(bytes);
        }
        HttpPost post = new HttpPost(URI.create(baseUrl + path));
        post.setHeader("Accept", "application/json");
        post.setHeader("Accept-Encoding", "gzip");
        post.setEntity(new ByteArrayEntity(bytes, ContentType.APPLICATION_JSON, gzip ? "gzip" : null));
        RequestSignature.sign(identity.privateKey(), "POST", path, peer, clock.instant(), bytes)
                .forEach(post::setHeader);
        ClassicHttpResponse response;
        try {
            response = http.executeOpen(null, post, null);
        } catch (IOException e) {
            throw new PeerException("cannot reach " + baseUrl + ": " + e, 0, e);
        }
        long cap = settings.maxAnswerSize().toBytes();
        int status = response.getCode();
        HttpEntity entity = response.getEntity();
        CappedInputStream in = null;
        try {
            if (Thread.currentThread().isInterrupted()) {
                throw new PeerException("interrupted while calling " + baseUrl, 0, null);
            }
            in = new CappedInputStream(decoded(response, entity), cap);
            if (status / 100 != 2) {
                throw new PeerException(describe(status, in.readAllBytes()), status, null);
            }
            T value = json.readValue(in, answer);
            EntityUtils.consume(entity); // to its end, so the connection goes back to the pool
            return value;
        } catch (IOException | JacksonException e) {
            if (in != null && in.exceeded()) {
                throw new PeerException(baseUrl + path + " answered more than " + cap + " bytes (p2psync.sync"
                        + ".max-answer-size); its page budget or maximum entry size is larger than this device reads",
                        status, e);
            }
            if (e instanceof JacksonException j) {
                throw new PeerException(baseUrl + path + " answered malformed JSON: " + j.getOriginalMessage(),
                        status, e);
            }
            throw new PeerException("reading the answer of " + baseUrl + path + " failed: " + e, 0, e);
        } finally {
            // after the whole answer was read, the connection is kept; otherwise it is closed, dropping the rest
            closeQuietly(response);
        }
    }

    /** Closing an answer before its end discards the rest of it; a failure to close changes nothing. */
    private static void closeQuietly(ClassicHttpResponse response) {
        try {
            response.close();
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

    private static InputStream decoded(ClassicHttpResponse response, HttpEntity entity) throws IOException {
        if (entity == null) {
            return InputStream.nullInputStream();
        }
        Header encoding = response.getFirstHeader("Content-Encoding");
        boolean gzip = encoding != null && "gzip".equalsIgnoreCase(encoding.getValue());
        return gzip ? new GZIPInputStream(entity.getContent(), 64 * 1024) : entity.getContent();
    }

}
