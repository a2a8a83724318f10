package io.p2psync.devices;

import io.micrometer.core.instrument.MeterRegistry;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.storage.P2pSyncSettings;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Puts the signature filter in front of {@code /sync/*}, the admin guard in front of the admin API (metrics
 * included), and marks admin callers of {@code /actuator/health} so they see its details.
 */
@Configuration(proxyBeanMethods = false)
class DevicesConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DevicesConfiguration.class);

    /** Who is authorized, cached once for every feature that asks on each frame. */
    @Bean
    AuthorizedDevices authorizedDevices(DeviceRepository devices) {
        return new AuthorizedDevices(devices);
    }

    @Bean
    AdminToken adminToken(AdminSettings settings, P2pSyncSettings storage) {
        Path dataDir = storage.dataDir();
        AdminToken token = AdminToken.loadOrCreate(settings.adminToken(), dataDir);
        if (token.configured()) {
            log.info("Admin token set by p2psync.admin-token; loopback callers need none");
        } else {
            // Only its start: a log is read, copied and kept by more people than the data dir is.
            log.info("Admin token in {} (starts with {}…): send it as 'Authorization: Bearer <token>' from"
                    + " non-loopback addresses; loopback callers need none",
                    dataDir.resolve(AdminToken.FILE), token.shown());
        }
        return token;
    }

    @Bean
    FilterRegistrationBean<AdminGuardFilter> adminGuardFilter(AdminToken token, JsonMapper json) {
        var registration = new FilterRegistrationBean<>(new AdminGuardFilter(token, new ProblemWriter(json)));
        registration.addUrlPatterns("/devices", "/devices/*", "/kv", "/kv/*", "/sync/now", "/sync/held", "/sync/rescan", "/sync/former-columns", "/sync/forks", "/sync/forks/*", "/peers", "/conflicts",
                "/conflicts/*", "/messages", "/messages/*", "/files", "/files/*", "/actuator/metrics", "/actuator/metrics/*", "/actuator/prometheus");
        registration.setOrder(DevicesFilterOrder.ADMIN_GUARD);
        return registration;
    }

    /** Health stays open to every caller; admin callers are marked so they see its details. */
    @Bean
    FilterRegistrationBean<AdminPrincipalFilter> adminPrincipalFilter(AdminToken token) {
        var registration = new FilterRegistrationBean<>(new AdminPrincipalFilter(token));
        registration.addUrlPatterns("/actuator/health", "/actuator/health/*");
        registration.setOrder(DevicesFilterOrder.ADMIN_GUARD);
        return registration;
    }

    @Bean
    RequestBodyBudget requestBodyBudget(DeviceSettings settings, ObjectProvider<MeterRegistry> meters) {
        RequestBodyBudget budget = new RequestBodyBudget(settings.bodyBudget().toBytes());
        meters.ifAvailable(budget::register);
        return budget;
    }

    @Bean
    FilterRegistrationBean<RequestSignatureFilter> requestSignatureFilter(DeviceIdentity identity,
            DeviceRepository devices, AuthorizedDevices authorized, DeviceSettings settings, RequestBodyBudget budget,
            ObjectProvider<Clock> clock, JsonMapper json) {
        var filter = new RequestSignatureFilter(identity.deviceId(), devices, authorized, settings, budget,
                clock.getIfAvailable(Clock::systemUTC), new ProblemWriter(json));
        var registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns("/sync/*");
        registration.setOrder(DevicesFilterOrder.SIGNATURE);
        return registration;
    }
}
