package io.p2psync.dashboard.activity;

import io.p2psync.dashboard.DashboardSettings;
import io.p2psync.devices.DeviceRepository;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The feed, bounded by {@code p2psync.dashboard.feed-clients}, and what fills it. */
@Configuration(proxyBeanMethods = false)
class ActivityConfiguration {

    @Bean
    ActivityFeed activityFeed(DashboardSettings settings) {
        return new ActivityFeed(settings.feedClients());
    }

    @Bean
    ActivitySources activitySources(ActivityFeed feed, JdbcClient jdbc, DeviceRepository devices,
            ObjectProvider<Clock> clock) {
        return new ActivitySources(feed, jdbc, devices, clock.getIfAvailable(Clock::systemUTC));
    }
}
