package io.p2psync.changes;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;

/** Another device in a test: makes correctly sealed and chained entries of its own. */
final class RemoteDevice {

    final DeviceIdentity identity;
    private long version;
    private String prevHash;

    RemoteDevice() {
        this(new DeviceIdentity(PrivateKey.generate()));
    }

    /** Another device with the same key: its entries fork from the first one's. */
    RemoteDevice(DeviceIdentity identity) {
        this.identity = identity;
    }

    String id() {
        return identity.deviceId().toString();
    }

    ChangeEntry next(RowChange change, VersionVector base, long hlc) {
        return next(change, base, hlc, false);
    }

    /** @param continues true if the next entry belongs to the same group */
    ChangeEntry next(RowChange change, VersionVector base, long hlc, boolean continues) {
        ChangeEntry e = ChangeEntry.seal(identity, ++version, hlc, System.currentTimeMillis(), change, base, prevHash,
                continues);
        prevHash = e.hash();
        return e;
    }

    static RowChange upsert(String table, String recordId, String json) {
        return new RowChange(table, recordId, Operation.UPDATE, Kind.EDIT, json, null);
    }

    static RowChange delete(String table, String recordId) {
        return new RowChange(table, recordId, Operation.DELETE, Kind.EDIT, null, null);
    }
}
