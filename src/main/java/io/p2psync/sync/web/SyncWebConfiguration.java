package io.p2psync.sync.web;

import io.p2psync.devices.DevicesFilterOrder;
import io.p2psync.devices.ProblemWriter;
import io.p2psync.sync.SyncSettings;
import org.springframework.boot.web.server.Compression;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.servlet.ConfigurableServletWebServerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/** Decompresses and bounds sync request bodies, and compresses large JSON answers. */
@Configuration(proxyBeanMethods = false)
class SyncWebConfiguration {

    @Bean
    FilterRegistrationBean<DecodingFilter> syncDecodingFilter(SyncSettings settings, JsonMapper json) {
        var registration = new FilterRegistrationBean<>(
                new DecodingFilter(settings.maxBodySize().toBytes(), new ProblemWriter(json)));
        registration.addUrlPatterns("/sync/*");
        registration.setOrder(DevicesFilterOrder.SIGNATURE + 10);
        return registration;
    }

    /** gzip answers of at least {@code compress-above} to callers that accept it (pull pages mostly). */
    @Bean
    WebServerFactoryCustomizer<ConfigurableServletWebServerFactory> syncCompression(SyncSettings settings) {
        return factory -> {
            Compression compression = new Compression();
            compression.setEnabled(true);
            compression.setMinResponseSize(DataSize.ofBytes(settings.compressAbove().toBytes()));
            compression.setMimeTypes(new String[] {"application/json", "application/problem+json"});
            factory.setCompression(compression);
        };
    }
}
