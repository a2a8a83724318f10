package io.p2psync.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry's API on its default store: an SQLite file in the data directory, apart from the node's own. */
class RegistrySqliteIT extends RegistryApiContract {

    @Override
    List<String> storeProperties() {
        return List.of();
    }

    @Test
    void keepsItsOwnFileAndLeavesTheNodesDatabaseWorking() {
        assertThat(node.getBean(RegistryStore.class).postgres()).isFalse();
        assertThat(node.getEnvironment().getProperty("p2psync.data-dir")).isNotNull();
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(node.getEnvironment().getProperty("p2psync.data-dir"),
                RegistryServerConfiguration.DEFAULT_FILE))).isTrue();
        // the node's own database and API still work beside the registry
        java.net.http.HttpResponse<String> put = send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/kv/colour"))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("blue")).header("Content-Type", "text/plain"));
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(get(url + "/kv/colour", null).body()).contains("\"value\":\"blue\"");
        // the one DataSource bean is still the node's own file, not the registry's
        try (java.sql.Connection c = node.getBean(javax.sql.DataSource.class).getConnection()) {
            assertThat(c.getMetaData().getURL()).endsWith("p2psync.db");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}
