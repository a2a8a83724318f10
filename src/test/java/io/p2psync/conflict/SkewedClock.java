package io.p2psync.conflict;

import io.p2psync.identity.HybridLogicalClock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * Extra source for a test node whose wall clock runs ahead by {@code test.clock-skew} (one hour by default):
 * start it with {@code --spring.main.sources=io.p2psync.conflict.SkewedClock}. Deliberately not a
 * {@code @Configuration}, so component scanning in other tests never picks it up.
 */
public class SkewedClock {

    @Bean
    @Primary
    HybridLogicalClock skewedHybridLogicalClock(Environment env) {
        long skew = Duration.parse(env.getProperty("test.clock-skew", "PT1H")).toMillis();
        return new HybridLogicalClock(() -> System.currentTimeMillis() + skew, 0);
    }
}
