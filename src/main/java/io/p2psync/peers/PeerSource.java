package io.p2psync.peers;

/** Where this device learned of a peer; a peer may be known from several. */
public enum PeerSource {
    /** An authorized device in {@code sync_devices} with a url: synced with. */
    DEVICES,
    /** Named in {@code p2psync.peers}. */
    CONFIG,
    /** A device of the same tailnet, from {@code tailscale status --json}. */
    TAILSCALE
}
