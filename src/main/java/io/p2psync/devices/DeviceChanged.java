package io.p2psync.devices;

import io.p2psync.p2p.core.PeerId;

/**
 * Published (as a Spring application event) after a device row is added, changes status or url, or is
 * deleted, so caches of who is authorized can refresh.
 *
 * @param deviceId the device whose row changed
 */
public record DeviceChanged(PeerId deviceId) {
}
