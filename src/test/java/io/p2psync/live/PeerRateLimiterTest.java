package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class PeerRateLimiterTest {

    /** A clock the test moves by hand. */
    private static final class HandClock extends Clock {
        Instant now = Instant.EPOCH;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final HandClock clock = new HandClock();
    private final PeerRateLimiter limiter = new PeerRateLimiter(2, Duration.ofSeconds(60), clock);
    private final PeerId peer = PrivateKey.generate().peerId();

    @Test
    void refusesPastTheLimitUntilTheWindowEnds() {
        assertThat(limiter.acquire(peer)).isEqualTo(PeerRateLimiter.Decision.ALLOWED);
        assertThat(limiter.acquire(peer)).isEqualTo(PeerRateLimiter.Decision.ALLOWED);
        assertThat(limiter.acquire(peer)).isEqualTo(PeerRateLimiter.Decision.FIRST_REFUSED);
        clock.now = clock.now.plusSeconds(59);
        assertThat(limiter.acquire(peer)).isEqualTo(PeerRateLimiter.Decision.REFUSED);
        clock.now = clock.now.plusSeconds(1);
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
