package io.p2psync.dashboard;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The dashboard's settings, under {@code p2psync.dashboard}.
 *
 * @param sessionLifetime how long a login with the admin token lasts in a browser (callers on loopback need none)
 * @param feedClients     browsers that may follow the activity feed at once; one more is refused with 503
 */
@ConfigurationProperties("p2psync.dashboard")
public record DashboardSettings(@DefaultValue("12h") Duration sessionLifetime, @DefaultValue("16") int feedClients) {

    public DashboardSettings {
        if (sessionLifetime == null || sessionLifetime.isNegative() || sessionLifetime.isZero()) {
            throw new IllegalArgumentException("p2psync.dashboard.session-lifetime must be positive");
        }
        if (feedClients < 1) {
            throw new IllegalArgumentException("p2psync.dashboard.feed-clients must be at least 1");
        }
    }
}
