package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.relay.CircuitRelay;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** The relay's hop protocol is offered only while the node is not known to be unreachable. */
class LiveRelayTest {

    private static RelaySettings settings(boolean serve) {
        return new RelaySettings(serve, 32, Duration.ofHours(1), 16, 4, Duration.ofHours(1), DataSize.ofGigabytes(1),
                List.of(), Duration.ofSeconds(15));
    }

    @Test
    void aNodeFoundNotReachableStopsOfferingHopAndOffersItAgainOnceReachable() {
        PrivateKey key = PrivateKey.generate();
        try (Host host = Host.builder().privateKey(key).listen("/ip4/127.0.0.1/tcp/0").start();
             LiveRelay relay = LiveRelay.start(host, key, settings(true), p -> true, () -> { })) {
            assertThat(host.protocolIds()).contains(CircuitRelay.HOP_PROTOCOL);

            assertThat(relay.offerHop(false)).isTrue();
            assertThat(host.protocolIds()).doesNotContain(CircuitRelay.HOP_PROTOCOL);
            assertThat(relay.offerHop(false)).as("no change the second time").isFalse();

            assertThat(relay.offerHop(true)).isTrue();
            assertThat(host.protocolIds()).contains(CircuitRelay.HOP_PROTOCOL);
        }
    }

    @Test
    void aNodeThatDoesNotServeNeverOffersHop() {
        PrivateKey key = PrivateKey.generate();
        try (Host host = Host.builder().privateKey(key).listen("/ip4/127.0.0.1/tcp/0").start();
             LiveRelay relay = LiveRelay.start(host, key, settings(false), p -> true, () -> { })) {
            assertThat(relay.offerHop(true)).isFalse();
            assertThat(host.protocolIds()).doesNotContain(CircuitRelay.HOP_PROTOCOL);
        }
    }
}
