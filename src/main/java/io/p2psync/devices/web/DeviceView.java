package io.p2psync.devices.web;

import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceStatus;
import java.time.Instant;

/** One device as the admin API shows it. */
record DeviceView(String deviceId, String name, String url, DeviceStatus status, boolean authorized,
                  String introducedBy, String lastAddress, Instant lastSyncAt, Instant createdAt) {

    static DeviceView of(Device d) {
        return new DeviceView(d.deviceId().toString(), d.name(), d.url(), d.status(), d.authorized(),
                d.introducedBy() == null ? null : d.introducedBy().toString(), d.lastAddress(), d.lastSyncAt(),
                d.createdAt());
    }
}
