package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link PeerClient} reads a peer's answer as a stream and refuses it past {@code max-answer-size} with a
 * {@link PeerException} that says so, instead of holding whatever the peer sends. The peer here is a plain JDK
 * HTTP server that answers a valid pull page of a chosen size.
 */
@Timeout(60)
class PeerClientTest {

    private static final long CAP = 2L * 1024 * 1024;

    private final SyncSettings settings = new SyncSettings(DataSize.ofMegabytes(2), 100, 100, 100, 100,
            DataSize.ofKilobytes(512), DataSize.ofKilobytes(512), DataSize.ofBytes(CAP), DataSize.ofKilobytes(8),
            Duration.ofSeconds(5), Duration.ofSeconds(30));
    private final PeerClient client = new PeerClient(new DeviceIdentity(PrivateKey.generate()),
            JsonMapper.builder().build(), settings,
            new StaticListableBeanFactory(Map.of("clock", Clock.systemUTC())).getBeanProvider(Clock.class));
    private final PrivateKey peerKey = PrivateKey.generate();
    private final AtomicLong sent = new AtomicLong();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void readsAnAnswerWithinTheCap() throws IOException {
        String url = peerAnswering(CAP - 1024, false);

        PullResponse page = client.pull(url, peerKey.peerId(), new PullRequest(VersionVector.EMPTY, null));

        assertThat(page.entries()).isEmpty();
        assertThat(page.more()).isFalse();
    }

    @Test
    void refusesAnAnswerPastTheCapWithAClearError() throws IOException {
        String url = peerAnswering(64L * 1024 * 1024, false);

        assertThatThrownBy(() -> client.pull(url, peerKey.peerId(), new PullRequest(VersionVector.EMPTY, null)))
                .isInstanceOf(PeerException.class)
                .hasMessageContaining("max-answer-size")
                .hasMessageContaining(String.valueOf(CAP));
    }

    @Test
    void refusesACompressedAnswerThatInflatesPastTheCap() throws IOException {
        String url = peerAnswering(64L * 1024 * 1024, true);

        assertThatThrownBy(() -> client.pull(url, peerKey.peerId(), new PullRequest(VersionVector.EMPTY, null)))
                .isInstanceOf(PeerException.class)
                .hasMessageContaining("max-answer-size");
        assertThat(sent.get()).as("compressed bytes the peer got to send").isLessThan(8L * 1024 * 1024);
    }

    /**
     * A peer whose {@code /sync/pull} answers a valid empty page padded with whitespace to {@code size} bytes,
     * gzip-compressed if asked.
     */
    private String peerAnswering(long size, boolean gzip) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/sync/pull", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (gzip) {
                exchange.getResponseHeaders().add("Content-Encoding", "gzip");
            }
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream raw = new CountingStream(exchange.getResponseBody());
                 OutputStream out = gzip ? new GZIPOutputStream(raw, 64 * 1024) : raw) {
                byte[] head = "{\"format\":1,\"entries\":[],\"serverVector\":{},\"more\":false".getBytes(
                        StandardCharsets.UTF_8);
                out.write(head);
                byte[] spaces = " ".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
                for (long left = size - head.length - 1; left > 0; left -= spaces.length) {
                    out.write(spaces, 0, (int) Math.min(left, spaces.length));
                }
                out.write('}');
            } catch (IOException clientWentAway) {
                // the client stopped reading: that is what the cap is for
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Counts what the peer wrote to the connection. */
    private final class CountingStream extends java.io.FilterOutputStream {
        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sent.addAndGet(len);
        }
    }
}
