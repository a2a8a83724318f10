package io.p2psync.live;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.peers.Peer;
import io.p2psync.peers.PeerDirectory;
import io.p2psync.peers.PeerRunner;
import java.net.URI;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the per-peer scheduler ({@link PeerRunner}) for a round with one peer, so that nothing depends on
 * gossip delivery: when an authorized peer connects, when an entry arrives after a gap, when a peer goes over
 * its rate or a delivered entry did not apply. The round runs like every other one: one at a time per peer
 * (a request while one runs becomes one more round after it), under the peer's breaker and time limit. The
 * peer's url is the one learned from identify, else the one in {@code sync_devices}; without one, or when it
 * cannot be reached, the round runs over the libp2p connection ({@code SyncProtocol}). Returns at once.
 *
 * <p>An entry that arrived after a gap is chased by {@link GapChase}, which asks for its rounds here.
 */
final class CatchUp {

    private static final Logger log = LoggerFactory.getLogger(CatchUp.class);

    private final PeerRunner runner;
    private final PeerDirectory directory;
    private final LearnedRestUrls urls;

    CatchUp(PeerRunner runner, PeerDirectory directory, LearnedRestUrls urls) {
        this.runner = runner;
        this.directory = directory;
        this.urls = urls;
    }

    /** Gossip may have missed something from {@code peer}: a round with it. */
    void request(PeerId peer) {
        target(peer).ifPresent(p -> runner.submit(p, PeerRunner.Trigger.GAP));
    }

    /** {@code peer} connected: a round with it; a connection is a sign it is back, so an open breaker lets a trial through. */
    void connected(PeerId peer) {
        target(peer).ifPresent(p -> runner.submit(p, PeerRunner.Trigger.CONNECTED));
    }

    /** The peer to sync with, if it is an authorized device with a way to reach it. */
    Optional<Peer> target(PeerId id) {
        try {
            Optional<Peer> peer = directory.target(id, urls.get(id).map(URI::create).orElse(null));
            if (peer.isEmpty()) {
                log.debug("not catching up with {}: not an authorized device", id);
            }
            return peer;
        } catch (RuntimeException e) {
            log.warn("cannot catch up with {}: {}", id, e.toString());
            return Optional.empty();
        }
    }
}
