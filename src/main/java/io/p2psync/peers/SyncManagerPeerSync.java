package io.p2psync.peers;

import io.p2psync.devices.AuthorizedDevices;
import io.p2psync.devices.Device;
import io.p2psync.sync.PeerSyncResult;
import io.p2psync.sync.RoundObserver;
import io.p2psync.sync.SyncManager;
import org.springframework.stereotype.Component;

/**
 * Runs a round through {@link SyncManager#syncWith}, at the peer's url (the one in {@code sync_devices}, or
 * one the live network learned), or over libp2p when it has none, turning a round that stopped early into an exception so the peer's retry and
 * breaker count it. A round whose only trouble was refused entries completed: the peer answered, and calling
 * again would be refused again.
 */
@Component
class SyncManagerPeerSync implements PeerSync {

    private final SyncManager manager;
    private final AuthorizedDevices authorized;

    SyncManagerPeerSync(SyncManager manager, AuthorizedDevices authorized) {
        this.manager = manager;
        this.authorized = authorized;
    }

    @Override
    public RoundOutcome sync(Peer peer) throws RoundFailedException, TryAgainLater {
        return sync(peer, RoundObserver.NONE);
    }

    @Override
    public RoundOutcome sync(Peer peer, RoundObserver observer) throws RoundFailedException, TryAgainLater {
        Device d = authorized.find(peer.deviceId())
                .orElseThrow(() -> new RoundFailedException("no longer an authorized device"));
        Device at = new Device(d.deviceId(), d.name(), peer.url() == null ? null : peer.url().toString(), d.status(), d.introducedBy(),
                d.lastAddress(), d.lastSyncAt(), d.createdAt());
        PeerSyncResult result = manager.syncWith(at, observer);
        if (!result.completed() && result.retryAfter() != null) {
            throw new TryAgainLater(result.error(), result.retryAfter());
        }
        if (!result.completed()) {
            throw new RoundFailedException(result.error());
        }
        return new RoundOutcome(result.pulled(), result.pushed(), result.conflicts(), result.rejected(),
                result.refusals(), result.held(), result.via());
    }

    /** A round that could not complete; the message says why. */
    static final class RoundFailedException extends Exception {
        RoundFailedException(String message) {
            super(message, null, false, false);
        }
    }
}
