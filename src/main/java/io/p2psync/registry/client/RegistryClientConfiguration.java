package io.p2psync.registry.client;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.live.LiveNode;
import io.p2psync.sync.PeerLocator;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/** The registry client, its announcer and the catch-up's locator, when {@code p2psync.registry.url} is set. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "p2psync.registry.url")
class RegistryClientConfiguration {

    @Bean
    RegistryClient registryClient(RegistryClientSettings settings, DeviceIdentity identity, JsonMapper json,
                                  ObjectProvider<Clock> clock) {
        return new RegistryClient(settings, identity, json, clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean
    PeerLocator registryPeerLocator(RegistryClient client) {
        return new RegistryPeerLocator(client);
    }

    @Bean(destroyMethod = "close")
    RegistryAnnouncer registryAnnouncer(RegistryClient client, RegistryClientSettings settings,
                                        ObjectProvider<LiveNode> live, Environment environment) {
        return new RegistryAnnouncer(client, settings, live, environment);
    }

    /** Announces once the node is ready: its REST port is known then, and the registry may be this very node. */
    @EventListener(ApplicationReadyEvent.class)
    void announceWhenReady(ApplicationReadyEvent event) {
        event.getApplicationContext().getBean(RegistryAnnouncer.class).start();
    }
}
