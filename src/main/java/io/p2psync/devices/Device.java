package io.p2psync.devices;

import io.p2psync.p2p.core.PeerId;
import java.time.Instant;

/**
 * A row of {@code sync_devices}.
 *
 * @param deviceId the device's id, which inlines its public key
 * @param name a name given by the admin, or null
 * @param url base url of its REST API (e.g. {@code http://100.64.0.2:8080}), or null if this device never
 *     calls it
 * @param status where it stands with this device
 * @param introducedBy for {@link DeviceStatus#INTRODUCED}, the authorized device that relayed its first
 *     entries; otherwise null
 * @param lastAddress the remote address of its latest signed request, or null
 * @param lastSyncAt when it last pulled from or pushed to this device, or this device to it; null if never
 * @param createdAt when the row was made
 */
public record Device(PeerId deviceId, String name, String url, DeviceStatus status, PeerId introducedBy,
                     String lastAddress, Instant lastSyncAt, Instant createdAt) {

    public Device {
        if (deviceId == null || status == null) {
            throw new IllegalArgumentException("a device has an id and a status");
        }
    }

    public boolean authorized() {
        return status == DeviceStatus.AUTHORIZED;
    }
}
