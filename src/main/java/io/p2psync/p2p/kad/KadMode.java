package io.p2psync.p2p.kad;

/**
 * Whether a node answers DHT queries. A server serves the protocol and announces it in identify, so others put it
 * in their routing tables; a client only asks, and does not announce it (kad-dht spec; go- and js-libp2p
 * likewise).
 */
public enum KadMode {
    /** Server when the host listens for inbound connections, client when it only dials. */
    AUTO,
    SERVER,
    CLIENT
}
