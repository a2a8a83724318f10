package io.p2psync.registry.server;

import io.p2psync.P2pSyncApplication;
import io.p2psync.testing.ManualClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts real nodes that serve the registry, on 127.0.0.1 and a free port, with the registry's clock in a test's hand. */
final class RegistryNodes {

    private RegistryNodes() {
    }

    static ConfigurableApplicationContext start(Path dataDir, ManualClock clock, List<String> extra) {
        List<String> props = new ArrayList<>(List.of(
                "p2psync.data-dir=" + dataDir,
                "p2psync.device-name=registry",
                "server.port=0",
                "server.address=127.0.0.1",
                "p2psync.libp2p.enabled=false",
                "p2psync.sync.auto=false",
                "p2psync.registry.server.enabled=true",
                "p2psync.registry.server.device-rate=4",
                "p2psync.registry.server.token-rate=12",
                "p2psync.registry.server.max-body-size=4KB",
                "p2psync.registry.server.max-addresses=3",
                "p2psync.registry.server.max-coordinators=2",
                "spring.main.banner-mode=off"));
        props.addAll(extra);
        return new SpringApplicationBuilder(P2pSyncApplication.class)
                .initializers(context -> context.getBeanFactory().registerSingleton("registryClock", new RegistryClock(clock)))
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
    }

    static String url(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }
}
