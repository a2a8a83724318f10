package io.p2psync.status;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The gauge {@code p2psync.capture.lag}: the age in milliseconds of the oldest change the triggers captured
 * into {@code sync_capture} that is not sealed into the log yet, 0 when none waits. A value that keeps growing
 * means the sealer is stuck; in normal running it stays below {@code p2psync.capture-poll}.
 */
@Component
class CaptureLag implements MeterBinder {

    static final String NAME = "p2psync.capture.lag";

    private final JdbcClient jdbc;
    private final Clock clock;

    CaptureLag(JdbcClient jdbc, ObjectProvider<Clock> clock) {
        this.jdbc = jdbc;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(NAME, this, CaptureLag::millis).baseUnit("milliseconds")
                .description("age of the oldest captured change not sealed yet").register(registry);
    }

    /** Age of the oldest unsealed capture in ms, 0 if none. */
    double millis() {
        Long oldest = jdbc.sql("SELECT MIN(captured_at) FROM sync_capture").query(rs -> {
            if (!rs.next()) {
                return null;
            }
            long value = rs.getLong(1);
            return rs.wasNull() ? null : value;
        });
        return oldest == null ? 0 : Math.max(0, clock.millis() - oldest);
    }
}
