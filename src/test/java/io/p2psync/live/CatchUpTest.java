package io.p2psync.live;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.peers.Peer;
import io.p2psync.peers.PeerDirectory;
import io.p2psync.peers.PeerRunner;
import io.p2psync.peers.PeerSource;
import java.net.URI;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The live network's catch-ups are rounds of the one per-peer scheduler, at the url identify taught. */
class CatchUpTest {

    private final PeerRunner runner = mock(PeerRunner.class);
    private final PeerDirectory directory = mock(PeerDirectory.class);
    private final LearnedRestUrls urls = new LearnedRestUrls();
    private final CatchUp catchUp = new CatchUp(runner, directory, urls);
    private final PeerId id = PrivateKey.generate().peerId();

    @Test
    void aGapAsksTheSchedulerForARoundAtTheLearnedUrl() {
        urls.learn(id, "http://192.168.1.7:8080");
        Peer peer = new Peer(id.toString(), id, "phone", URI.create("http://192.168.1.7:8080"),
                EnumSet.of(PeerSource.DEVICES), true, null);
        when(directory.target(id, URI.create("http://192.168.1.7:8080"))).thenReturn(Optional.of(peer));

        catchUp.request(id);

        verify(runner).submit(peer, PeerRunner.Trigger.GAP);
    }

    @Test
    void aConnectionAsksForAConnectedRoundAtTheStoredUrlWhenNoneWasLearned() {
        Peer peer = new Peer(id.toString(), id, "phone", URI.create("http://100.64.0.2:8080"),
                EnumSet.of(PeerSource.DEVICES), true, null);
        when(directory.target(id, null)).thenReturn(Optional.of(peer));

        catchUp.connected(id);

        verify(runner).submit(peer, PeerRunner.Trigger.CONNECTED);
    }

    @Test
    void aDeviceThatIsNotAuthorizedGetsNoRound() {
        when(directory.target(eq(id), any())).thenReturn(Optional.empty());

        catchUp.request(id);

        verify(runner, never()).submit(any(), any());
    }
}
