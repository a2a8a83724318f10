package io.p2psync.registry.server;

import io.p2psync.storage.P2pSyncSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The registry's store, when this node serves the registry. Its connection pool lives inside the store, not as a
 * {@code DataSource} bean, which would take the place of the node's own database.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "p2psync.registry.server.enabled", havingValue = "true")
class RegistryServerConfiguration {

    static final String DEFAULT_FILE = "registry.db";
    private static final Logger log = LoggerFactory.getLogger(RegistryServerConfiguration.class);

    @Bean(destroyMethod = "close")
    RegistryStore registryStore(RegistryServerSettings settings, P2pSyncSettings node, JsonMapper json) throws Exception {
        RegistryServerSettings.Datasource ds = settings.datasource();
        String url = ds.url() == null || ds.url().isBlank()
                ? "jdbc:sqlite:" + node.dataDir().toAbsolutePath().resolve(DEFAULT_FILE)
                : ds.url().strip();
        if (url.startsWith("jdbc:sqlite:")) {
            java.nio.file.Files.createDirectories(node.dataDir());
        }
        RegistryStore store = new RegistryStore(url, ds.username(), ds.password(), ds.maxPoolSize(), json);
        log.info("Registry: serving networks from {} ({})", store.postgres() ? "PostgreSQL" : "SQLite",
                url.startsWith("jdbc:sqlite:") ? url : url.replaceAll("//[^/@]*@", "//…@"));
        return store;
    }
}
