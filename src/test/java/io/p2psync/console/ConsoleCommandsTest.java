package io.p2psync.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.p2psync.kv.KvEntry;
import io.p2psync.kv.KvService;
import io.p2psync.status.StatusReport;
import io.p2psync.storage.P2pSyncSettings;
import io.p2psync.peers.PeerSource;
import io.p2psync.peers.PeerState;
import io.p2psync.peers.PeerStates;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** The console's answers for what the pipe test cannot set up: peers in several states, an empty store. */
class ConsoleCommandsTest {

    private final KvService kv = mock(KvService.class);
    private final PeerStates peers = mock(PeerStates.class);
    private final StatusReport status = mock(StatusReport.class);
    private final ConsoleCommands commands = new ConsoleCommands(kv, status, peers,
            new P2pSyncSettings(Path.of("data"), null, "laptop", List.of(), Duration.ofMillis(200), null),
            new MockEnvironment().withProperty("local.server.port", "8081"),
            new org.springframework.beans.factory.support.StaticListableBeanFactory().getBeanProvider(
                    io.p2psync.messaging.Messenger.class));

    private String run(String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Console(commands.all()).run(new BufferedReader(new StringReader(input)),
                new ConsoleOutput(out, StandardCharsets.UTF_8, false));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showsEachPeerOnOneLineWithItsStateLagAndLastError() throws Exception {
        Instant at = Instant.parse("2026-11-21T12:00:00Z");
        when(peers.all()).thenReturn(List.of(
                new PeerState("k1", "12D3KooWB", "phone", URI.create("http://100.88.42.59:8080"),
                        Set.of(PeerSource.DEVICES), true, null, PeerState.Status.BEHIND, at, null, null, 0, null,
                        "CLOSED", false, 3L),
                new PeerState("k2", "12D3KooWC", null, URI.create("http://10.0.0.3:8080"), Set.of(PeerSource.DEVICES),
                        true, null, PeerState.Status.FAILING, null, "connection refused", at, 2, null, "CLOSED",
                        false, null)));

        assertThat(run("peers\n")).contains(
                "phone  http://100.88.42.59:8080  behind, 3 entries behind, last sync 2026-11-21T12:00:00Z",
                "k2  http://10.0.0.3:8080  failing, last error: connection refused");
    }

    @Test
    void saysHowToStartWhenTheStoreIsEmptyAndCountsWhenItIsNot() throws Exception {
        when(kv.list()).thenReturn(List.of()).thenReturn(List.of(new KvEntry("a", "1", "t", null)));

        assertThat(run("list\nlist\n")).contains("no keys yet; add one with: add <key> <value>")
                .contains("a = 1" + System.lineSeparator() + "(1 key)");
    }

    @Test
    void printsAValueOverTheLimitAsAnErrorAndGoesOn() throws Exception {
        when(kv.put("big", "x")).thenThrow(new IllegalArgumentException("value is 70000 bytes; at most 65536 are allowed"));

        assertThat(run("add big x\nhelp\n")).contains("error: value is 70000 bytes; at most 65536 are allowed")
                .contains("commands:");
    }

    @Test
    void infoNamesTheRestPortAndTheApiDocs() throws Exception {
        when(status.current()).thenReturn(new StatusReport.NodeStatus("12D3KooWA", "laptop",
                io.p2psync.changes.VersionVector.EMPTY, 0, 0, 0, 0, List.of(), List.of(), null, null));

        assertThat(run("info\n")).contains("REST API:     http://localhost:8081")
                .contains("http://localhost:8081/swagger-ui.html").contains("libp2p port:  4001")
                .contains("device:       12D3KooWA (laptop)");
    }
}
