package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PeerRateLimiterTest {


    private final ManualClock clock = new ManualClock(Instant.EPOCH);
    private final PeerRateLimiter limiter = new PeerRateLimiter(2, Duration.ofSeconds(60), clock);
    private final PeerId peer = PrivateKey.generate().peerId();

    @Test
    void refusesPastTheLimitUntilTheWindowEnds() {
        assertThat(limiter.acquire(peer)).isEqualTo(PeerRateLimiter.Decision.ALLOWED);
        assertThat(limiter.acquire(peer)).isEqualTo(PeerRateLimiter.Decision.ALLOWED);
        assertThat(limiter.acquire(peer)).isEqualTo(PeerRateLimiter.Decision.FIRST_REFUSED);
        clock.advance(Duration.ofSeconds(59));
        assertThat(limiter.acquire(peer)).isEqualTo(PeerRateLimiter.Decision.REFUSED);
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.acquire(peer)).isEqualTo(PeerRateLimiter.Decision.ALLOWED);
    }

    @Test
    void countsEachPeerOnItsOwn() {
        PeerId other = PrivateKey.generate().peerId();
        limiter.acquire(peer);
        limiter.acquire(peer);
        assertThat(limiter.acquire(peer)).isEqualTo(PeerRateLimiter.Decision.FIRST_REFUSED);
        assertThat(limiter.acquire(other)).isEqualTo(PeerRateLimiter.Decision.ALLOWED);
    }
}
