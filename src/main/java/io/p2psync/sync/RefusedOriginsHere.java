package io.p2psync.sync;

import io.p2psync.changes.Forks;
import io.p2psync.changes.RefusedOrigins;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.p2p.core.PeerId;
import org.springframework.stereotype.Component;

/** The origins whose entries {@link EntryReceiver} refuses by a decision: revoked devices and forked origins. */
@Component
class RefusedOriginsHere implements RefusedOrigins {

    private final DeviceRepository devices;
    private final Forks forks;

    RefusedOriginsHere(DeviceRepository devices, Forks forks) {
        this.devices = devices;
        this.forks = forks;
    }

    @Override
    public boolean refuses(String origin) {
        return forked(origin) || revoked(origin);
    }

    /** True if the device is revoked here (its id or its key); false for text that is not a device id. */
    boolean revoked(String origin) {
        try {
            return devices.isRevoked(PeerId.parse(origin));
        } catch (IllegalArgumentException notAPeerId) {
            return false; // the applier rejects its entries: their signature cannot verify
        }
    }

    /** True if the origin is recorded as forked and not cleared. */
    boolean forked(String origin) {
        return forks.isForked(origin);
    }
}
