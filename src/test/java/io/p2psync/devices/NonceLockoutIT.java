package io.p2psync.devices;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.sync.Node;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real node whose replay memory is small, attacked over real HTTP by callers that sign many valid
 * requests: no caller, known or not, may make the node refuse another authorized device's fresh request.
 */
class NonceLockoutIT {

    /** Past this many remembered nonces in all, the old code raised one floor for every device. */
    private static final int CACHE = 200;
    private static final byte[] PULL = "{}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start("target", dir.resolve("target"),
                "p2psync.devices.nonce-cache-size=" + CACHE,
                "p2psync.sync.auto=false");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void requestsFromUnknownKeysStampedInTheFutureDoNotLockOutAnAuthorizedDevice() {
        PrivateKey phone = authorized("phone");
        for (int k = 0; k < 3; k++) {
            PrivateKey stranger = PrivateKey.generate();
            for (int i = 0; i < CACHE; i++) {
                int status = pull(stranger, Instant.now().plusSeconds(290)).status();
                assertThat(status).as("stranger's request %d", i).isEqualTo(401);
            }
        }

        Node.Response answer = pull(phone, Instant.now());

        assertThat(answer.status()).as("the authorized device's pull: %s", answer).isEqualTo(200);
    }

    @Test
    void anAuthorizedDeviceStampingAheadCannotLockOutAnotherOne() {
        PrivateKey noisy = authorized("noisy");
        PrivateKey laptop = authorized("laptop");
        for (int i = 0; i < CACHE + 50; i++) {
            Node.Response r = pull(noisy, Instant.now().plusSeconds(20));
            assertThat(r.status()).as("noisy device's request %d: %s", i, r).isEqualTo(200);
        }

        Node.Response answer = pull(laptop, Instant.now());

        assertThat(answer.status()).as("the other device's pull: %s", answer).isEqualTo(200);
    }

    @Test
    void aRequestStampedFurtherAheadThanTheAllowedSkewIsStale() {
        PrivateKey tablet = authorized("tablet");

        Node.Response answer = pull(tablet, Instant.now().plus(Duration.ofMinutes(2)));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.json().get("type").asString()).isEqualTo(AuthFailure.STALE_TIMESTAMP.type().toString());
    }

    private static PrivateKey authorized(String name) {
        PrivateKey key = PrivateKey.generate();
        Node.Response r = node.post("/devices", "{\"deviceId\":\"" + key.peerId() + "\",\"name\":\"" + name + "\"}");
        assertThat(r.status()).as("adding %s: %s", name, r).isEqualTo(201);
        return key;
    }

    private static Node.Response pull(PrivateKey key, Instant stamp) {
        Map<String, String> headers = RequestSignature.sign(key, "POST", "/sync/pull", node.id, stamp, PULL);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url + "/sync/pull"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(PULL)).header("Content-Type", "application/json");
        headers.forEach(b::header);
        return Node.send(b);
    }
}
