package io.p2psync.peers;

import java.net.URI;

/**
 * A device on the same tailnet, as {@code tailscale status --json} lists it under {@code Peer}.
 *
 * @param hostName the device's host name
 * @param dnsName its MagicDNS name without the trailing dot, or null
 * @param os its operating system as Tailscale reports it, or null
 * @param ipv4 its Tailscale IPv4 address (100.x.y.z), never null
 * @param online whether Tailscale sees it online right now
 */
public record TailnetDevice(String hostName, String dnsName, String os, String ipv4, boolean online) {

    public TailnetDevice {
        if (ipv4 == null || ipv4.isBlank()) {
            throw new IllegalArgumentException("a tailnet device has an IPv4 address");
        }
    }

    /** The url a p2p-sync node on that device would answer on. */
    public URI url(int port) {
        return URI.create("http://" + ipv4 + ":" + port);
    }
}
