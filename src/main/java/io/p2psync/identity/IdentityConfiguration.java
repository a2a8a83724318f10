package io.p2psync.identity;

import io.p2psync.storage.P2pSyncSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class IdentityConfiguration {

    /** The device key from {@code <data-dir>/identity.key}, made on first start. */
    @Bean
    DeviceIdentity deviceIdentity(P2pSyncSettings settings) {
        return DeviceIdentity.loadOrCreate(settings.dataDir());
    }
}
