package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.sync.Node;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code p2psync.libp2p.enabled=false} switches the live network off: no host, no addresses, REST still works. */
class LiveDisabledIT {

    @Test
    void disabledNodeRunsWithoutAnyLiveBeanAndListsNoAddresses(@TempDir Path dir) {
        try (Node node = Node.start("quiet", dir)) { // Node starts with p2psync.libp2p.enabled=false
            assertThat(node.context.getBeanProvider(LiveNode.class).getIfAvailable()).isNull();
            assertThat(node.context.getBeanProvider(LivePublisher.class).getIfAvailable()).isNull();
            assertThat(node.get("/status").json().get("listenAddrs")).isEmpty();
        }
    }
}
