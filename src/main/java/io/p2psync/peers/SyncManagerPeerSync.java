package io.p2psync.peers;

import io.p2psync.sync.SyncManager;
import io.p2psync.sync.PeerSyncResult;
import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import org.springframework.stereotype.Component;

/**
 * Runs a round through {@link SyncManager#syncWith}, turning a round that stopped early into an exception so
 * the peer's retry and breaker count it. A round whose only trouble was refused entries completed: the
 * peer answered, and calling again would be refused again.
 */
@Component
class SyncManagerPeerSync implements PeerSync {

    private final SyncManager manager;
    private final DeviceRepository devices;

    SyncManagerPeerSync(SyncManager manager, DeviceRepository devices) {
        this.manager = manager;
        this.devices = devices;
    }

    @Override
    public RoundOutcome sync(Peer peer) throws RoundFailedException {
        Device device = devices.find(peer.deviceId())
                .filter(d -> d.authorized() && d.url() != null)
                .orElseThrow(() -> new RoundFailedException("no longer an authorized device with a url"));
        PeerSyncResult result = manager.syncWith(device);
        if (result.failed()) {
            throw new RoundFailedException(result.error());
        }
        return new RoundOutcome(result.pulled(), result.pushed(), result.conflicts(), result.rejected());
    }

    /** A round that could not complete; the message says why. */
    static final class RoundFailedException extends Exception {
        RoundFailedException(String message) {
            super(message, null, false, false);
        }
    }
}
