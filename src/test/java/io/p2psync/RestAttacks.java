package io.p2psync;

import io.p2psync.devices.RequestSignature;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.testing.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The REST attacks of {@link HostileLoadIT}, each run by its caller's thread until {@code stop} says so or
 * its own bound is reached: signed pulls from fresh unknown keys stamped ahead, and pushes that declare the
 * largest body and then send it slowly or not at all.
 */
final class RestAttacks {

    /** The largest body a request may declare by default ({@code p2psync.devices.max-request-body}, 32 MB). */
    static final long DECLARED_BODY = 32L * 1024 * 1024;
    private static final byte[] PULL = "{}".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final URI node;
    private final PeerId nodeId;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    RestAttacks(URI node, PeerId nodeId) {
        this.node = node;
        this.nodeId = nodeId;
    }

    /**
     * Signed {@code /sync/pull} requests, a fresh key every {@code perKey} requests, stamped 20 s ahead
     * (inside the allowed skew, so the node gets as far as asking who the caller is) or 290 s ahead (past
     * it), at most {@code max} of them. Each answer is counted by its status.
     */
    void futureStampedPullsFromUnknownKeys(Tally tally, int max, int perKey, BooleanSupplier stop) {
        PrivateKey key = null;
        for (int i = 0; i < max && !stop.getAsBoolean(); i++) {
            if (i % perKey == 0) {
                key = PrivateKey.generate();
            }
            Instant stamp = Instant.now().plusSeconds(i % 2 == 0 ? 20 : 290);
            HttpRequest.Builder b = HttpRequest.newBuilder(node.resolve("/sync/pull")).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(PULL)).header("Content-Type", "application/json");
            RequestSignature.sign(key, "POST", "/sync/pull", nodeId, stamp, PULL).forEach(b::header);
            tally.sent.incrementAndGet();
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                tally.answer(Integer.toString(r.statusCode()));
            } catch (IOException e) {
                tally.failure("pull " + i + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Pushes from an unknown key that declare a body of {@link #DECLARED_BODY} bytes and send only its first
     * bytes; after the answer the caller either trickles {@code trickleBytes} more a kilobyte at a time,
     * {@code pauseMillis} apart, or (when {@code trickleBytes} is 0) sends nothing and holds the connection
     * for {@code pauseMillis}, then closes. At most {@code max} pushes. Answers are counted by status; a
     * push the node answered only after its whole body (never sent) would be a failure (a read timeout).
     */
    void slowLargePushesFromAnUnknownKey(Tally tally, int max, int trickleBytes, int pauseMillis,
                                         BooleanSupplier stop) {
        PrivateKey stranger = PrivateKey.generate();
        for (int i = 0; i < max && !stop.getAsBoolean(); i++) {
            tally.sent.incrementAndGet();
            try (Socket socket = new Socket(node.getHost(), node.getPort())) {
                socket.setSoTimeout(30_000);
                sendHead(socket, forgedSignature(stranger));
                int status = readStatus(socket.getInputStream());
                tally.answer(Integer.toString(status));
                dawdle(socket, trickleBytes, pauseMillis);
            } catch (SocketTimeoutException e) {
                tally.failure("push " + i + " got no answer while its body was unsent: " + e);
            } catch (IOException e) {
                tally.failure("push " + i + ": " + e);
            }
        }
    }

    private void sendHead(Socket socket, Map<String, String> signature) throws IOException {
        RawHttp.sendPushHead(socket, node.getHost(), node.getPort(), signature, DECLARED_BODY);
    }

    /** Well-formed signature headers of {@code key} for this node whose signature is random bytes. */
    private Map<String, String> forgedSignature(PrivateKey key) {
        Map<String, String> headers = new LinkedHashMap<>(
                RequestSignature.sign(key, "POST", "/sync/push", nodeId, Instant.now(), RawHttp.BODY_START));
        byte[] random = new byte[64];
        RANDOM.nextBytes(random);
        headers.put(RequestSignature.SIGNATURE_HEADER, Base64.getEncoder().encodeToString(random));
        return headers;
    }

    /** Reads the status line and the headers of an answer (its body is left unread). */
    private static int readStatus(InputStream in) throws IOException {
        String statusLine = RawHttp.readHead(in).lines().findFirst().orElseThrow();
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    /** Trickles or holds; a node that closes the connection meanwhile ends it early, which is fine. */
    private static void dawdle(Socket socket, int trickleBytes, int pauseMillis) {
        try {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[1024];
            int sent = 0;
            do {
                Thread.sleep(pauseMillis); // pacing the attack, not waiting for a condition
                if (sent < trickleBytes) {
                    out.write(chunk);
                    out.flush();
                    sent += chunk.length;
                }
            } while (sent < trickleBytes);
        } catch (IOException closedByTheNode) {
            // the node stopped taking the rest: what max-swallow-size promises
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
