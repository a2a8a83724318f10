package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.p2p.kad.KadConfig;
import io.p2psync.p2p.kad.KadMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The DHT settings bind with their defaults, reach the library's configuration, and refuse values out of range. */
class RoutingSettingsTest {

    @Test
    void defaultsArePrivateAutoAndBounded() {
        RoutingSettings s = bind(Map.of());
        assertThat(s.bootstrap()).isEmpty();
        KadConfig config = s.dht().toConfig();
        assertThat(config.protocolId()).isEqualTo("/p2p-sync/kad/1.0.0");
        assertThat(config.mode()).isEqualTo(KadMode.AUTO);
        assertThat(config.k()).isEqualTo(20);
        assertThat(config.alpha()).isEqualTo(3);
        assertThat(config.lookupTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxQueries()).isEqualTo(100);
    }

    @Test
    void settingsReachTheDht() {
        RoutingSettings s = bind(Map.of("p2psync.libp2p.bootstrap", "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWA",
                "p2psync.libp2p.dht.protocol", "/ipfs/kad/1.0.0", "p2psync.libp2p.dht.mode", "client",
                "p2psync.libp2p.dht.max-queries", "7"));
        assertThat(s.bootstrap()).containsExactly("/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWA");
        assertThat(s.dht().toConfig().protocolId()).isEqualTo("/ipfs/kad/1.0.0");
        assertThat(s.dht().toConfig().mode()).isEqualTo(KadMode.CLIENT);
        assertThat(s.dht().toConfig().maxQueries()).isEqualTo(7);
    }

    @Test
    void valuesOutOfRangeAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new RoutingSettings(List.of(), new RoutingSettings.Dht(true, "no-slash", KadMode.AUTO,
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ZERO)))
                .hasMessageContaining("p2psync.libp2p.dht").hasMessageContaining("protocol id");
        assertThatThrownBy(() -> new RoutingSettings(List.of(), new RoutingSettings.Dht(true, "/a/1", KadMode.AUTO,
                Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ZERO)))
                .hasMessageContaining("p2psync.libp2p.dht").hasMessageContaining("max queries");
    }

    private static RoutingSettings bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("p2psync.libp2p", RoutingSettings.class);
    }
}
