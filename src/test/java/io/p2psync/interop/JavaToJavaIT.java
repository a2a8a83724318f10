package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The same checks as against js, between two Java nodes, so a failure can be placed on one side. */
class JavaToJavaIT {

    private JavaNode a;
    private JavaNode b;

    @BeforeEach
    void start() throws Exception {
        a = JavaNode.start();
        b = JavaNode.start();
        a.dial(b.addr());
    }

    @AfterEach
    void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    @ParameterizedTest(name = "{0} streams x {1} bytes")
    @CsvSource({"100, 65536", "16, 4194304", "1, 33554432"})
    void echoesConcurrentStreams(int streams, int bytes) throws Exception {
        List<byte[]> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> echoed = new ArrayList<>();
        Random random = new Random(streams);
        for (int i = 0; i < streams; i++) {
            byte[] data = new byte[bytes];
            random.nextBytes(data);
            sent.add(data);
            echoed.add(EchoProtocol.roundTrip(a.host(), b.peerId(), data));
        }

        CompletableFuture.allOf(echoed.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        for (int i = 0; i < streams; i++) {
            assertThat(echoed.get(i).get()).as("stream %d", i).isEqualTo(sent.get(i));
        }
    }

    @Test
    void pingsAndIdentifiesEachOther() throws Exception {
        assertThat(a.ping(b.peerId()).isNegative()).isFalse();
        assertThat(b.ping(a.peerId()).isNegative()).isFalse();
        assertThat(a.identify(b.peerId()).agentVersion()).isEqualTo(JavaNode.AGENT);
        assertThat(b.identify(a.peerId()).protocols()).contains(JsPeer.ECHO, "/ipfs/ping/1.0.0", "/ipfs/id/1.0.0");
    }
}
