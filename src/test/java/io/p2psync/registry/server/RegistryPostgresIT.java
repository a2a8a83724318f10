package io.p2psync.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.testing.PostgresCluster;
import io.p2psync.testing.ScratchDirs;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The registry's API on a real PostgreSQL server (a throwaway cluster), and two registry instances sharing that one
 * database: what one takes, the other answers, and they count rates together.
 */
class RegistryPostgresIT extends RegistryApiContract {

    private PostgresCluster cluster;

    @Override
    List<String> storeProperties() {
        cluster = PostgresCluster.start();
        return List.of("p2psync.registry.server.datasource.url=" + cluster.jdbcUrl(),
                "p2psync.registry.server.datasource.username=" + cluster.user());
    }

    @AfterAll
    void stopCluster() {
        if (node != null) {
            node.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void runsOnPostgres() {
        assertThat(node.getBean(RegistryStore.class).postgres()).isTrue();
        assertThat(node.getBean(RegistryStore.class).jdbc().queryForObject("SELECT version()", String.class))
                .startsWith("PostgreSQL");
    }

    @Test
    void twoInstancesOnOneDatabaseAnswerForEachOther() {
        Path secondDir = ScratchDirs.create("registry-it-second-");
        try (ConfigurableApplicationContext second = RegistryNodes.start(secondDir, clock, storeProperties2())) {
            String secondUrl = RegistryNodes.url(second);
            Net net = newNetwork(); // made through the first
            DeviceIdentity d = device();
            assertThat(announce(net, d, "tablet", List.of(multiaddr(d)), "http://127.0.0.11:8080", List.of(), clock.millis())
                    .statusCode()).isEqualTo(200);
            JsonNode p = json(get(secondUrl + "/network/" + net.id() + "/peer/tablet", net.token()), 200);
            assertThat(p.get("deviceId").asString()).isEqualTo(d.deviceId().toString());
            assertThat(p.get("restUrl").asString()).isEqualTo("http://127.0.0.11:8080");

            // the per-device rate is counted in the database: 4 through the first, the 5th through the second is refused
            DeviceIdentity flooder = device();
            long t = clock.millis();
            for (int i = 0; i < 4; i++) {
                assertThat(announce(net, flooder, null, List.of(), null, List.of(), t - 10 + i).statusCode()).isEqualTo(200);
            }
            String body = new String(body(flooder, null, List.of(), null, List.of(), t));
            problem(send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            secondUrl + "/network/" + net.id() + "/announce"))
                    .header("Authorization", "Bearer " + net.token())
                    .header(io.p2psync.registry.RegistrySignature.HEADER, io.p2psync.registry.RegistrySignature.sign(
                            flooder, io.p2psync.registry.RegistrySignature.Purpose.ANNOUNCE, net.id(), body.getBytes()))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))), 429, "rate-limited");
        } finally {
            ScratchDirs.delete(secondDir);
        }
    }

    private List<String> storeProperties2() {
        return List.of("p2psync.registry.server.datasource.url=" + cluster.jdbcUrl(),
                "p2psync.registry.server.datasource.username=" + cluster.user());
    }
}
