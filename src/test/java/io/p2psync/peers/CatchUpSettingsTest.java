package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class CatchUpSettingsTest {

    @Test
    void bindsFromPropertiesWithDefaultsForWhatIsLeftOut() {
        CatchUpSettings s = bind(Map.of(
                "p2psync.sync.interval", "PT3S",
                "p2psync.sync.retry.max-attempts", "2",
                "p2psync.sync.retry.initial-backoff", "200ms",
                "p2psync.sync.breaker.open-duration", "2s"), "p2psync.sync", CatchUpSettings.class);

        assertThat(s.auto()).isTrue();
        assertThat(s.interval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.retry().maxAttempts()).isEqualTo(2);
        assertThat(s.retry().initialBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.retry().multiplier()).isEqualTo(2.0);
        assertThat(s.breaker().openDuration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.notifyDebounce()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void defaultsAreFiveMinutesAndABreakerThatNeverOutlastsARound() {
        CatchUpSettings d = CatchUpSettings.defaults();
        assertThat(d.interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.breaker().openDuration()).isEqualTo(Duration.ofMinutes(1));

        CatchUpSettings shortRounds = new CatchUpSettings(Duration.ofSeconds(10), null, null, null,
                new CatchUpSettings.Breaker(null, null, null, Duration.ofMinutes(1), null));
        assertThat(shortRounds.breaker().openDuration()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void configuredPeersBindFromACommaSeparatedList() {
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of("p2psync.peers",
                "http://127.0.64.2:8080/, 12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA@http://Laptop:8080")));
        List<String> texts = binder.bind("p2psync.peers", org.springframework.boot.context.properties.bind.Bindable.listOf(String.class)).get();
        List<ConfiguredPeer> peers = texts.stream().map(ConfiguredPeer::parse).toList();

        assertThat(peers.get(0).url()).hasToString("http://127.0.64.2:8080");
        assertThat(peers.get(0).deviceId()).isNull();
        assertThat(peers.get(1).url()).hasToString("http://laptop:8080");
        assertThat(peers.get(1).deviceId()).hasToString("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
    }

    private static <T> T bind(Map<String, String> properties, String prefix, Class<T> type) {
        return new Binder(new MapConfigurationPropertySource(properties)).bind(prefix, type).get();
    }
}
