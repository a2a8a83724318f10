package io.p2psync.p2p.relay;

import java.time.Duration;

/** The protocol ids and fixed bounds of circuit relay v2. */
public final class CircuitRelay {

    /** Spoken from a client to its relay: reservations and circuit requests. */
    public static final String HOP_PROTOCOL = "/libp2p/circuit/relay/0.2.0/hop";
    /** Spoken from the relay to the target of a circuit. */
    public static final String STOP_PROTOCOL = "/libp2p/circuit/relay/0.2.0/stop";
    /** The largest hop or stop message accepted; real ones are a few hundred bytes (a handful of addresses). */
    public static final int MAX_MESSAGE_SIZE = 4096;
    /** How long a hop or stop exchange may take before its stream is reset. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private CircuitRelay() {
    }
}
