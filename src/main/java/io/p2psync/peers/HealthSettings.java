package io.p2psync.peers;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * When {@code /actuator/health} stops saying UP because of sync ({@code p2psync.health.*}).
 *
 * @param failingThreshold how long sync with every paired peer may keep failing (FAILING, UNREACHABLE or
 *     PROBING since the first failed round) before health is DOWN (default 15 minutes: three scheduled rounds)
 * @param heldThreshold how long an entry may stay held (stored, not applicable) before health is
 *     OUT_OF_SERVICE (default 1 hour)
 * @param refusedThreshold how long a paired peer's completed rounds may keep refusing entries, with no round in
 *     between that refused nothing, before health is OUT_OF_SERVICE (default 15 minutes, as the failing
 *     threshold: three scheduled rounds, so a refusal that the next round no longer makes does not count)
 */
@ConfigurationProperties("p2psync.health")
public record HealthSettings(Duration failingThreshold, Duration heldThreshold, Duration refusedThreshold) {

    public HealthSettings {
        failingThreshold = positive(failingThreshold, Duration.ofMinutes(15), "failing-threshold");
        heldThreshold = positive(heldThreshold, Duration.ofHours(1), "held-threshold");
        refusedThreshold = positive(refusedThreshold, Duration.ofMinutes(15), "refused-threshold");
    }

    /** All defaults. */
    public static HealthSettings defaults() {
        return new HealthSettings(null, null, null);
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("p2psync.health." + name + " must be positive");
        }
        return value;
    }
}
