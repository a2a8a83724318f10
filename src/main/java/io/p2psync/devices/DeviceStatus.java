package io.p2psync.devices;

/** Where a device stands with this one; stored in {@code sync_devices.status}. */
public enum DeviceStatus {
    /** Called in signed but nobody approved it yet; its requests get 401. */
    PENDING,
    /** Approved: may pull and push, and is synced with if it has a url. */
    AUTHORIZED,
    /** Refused for good: its requests get 401 and entries it made are refused even when relayed. */
    REVOKED,
    /** Never paired here; known only because an authorized device relayed entries it signed. */
    INTRODUCED
}
