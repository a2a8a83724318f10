package io.p2psync.p2p.host;

import io.netty.channel.Channel;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Opens circuits through a relay for {@link Host#dial} of a {@code …/p2p/<relay>/p2p-circuit/p2p/<target>} address.
 * The circuit relay client implements it; the host then secures and multiplexes the circuit like a TCP channel and
 * books the connection as {@link Connection.Transport#RELAYED}.
 */
@FunctionalInterface
public interface CircuitDialer {

    /**
     * Asks the relay for a circuit to {@code target}.
     *
     * @param relay the relay's part of the address, up to and without {@code /p2p-circuit}; it ends in
     *     {@code /p2p/<relay>}
     * @param onOpen called with the circuit on its event loop once the relay accepted it, before the bytes that
     *     followed the relay's answer go on: what it adds to the pipeline receives them. (A dependent of the answer
     *     may be attached only after the circuit opened, when those bytes were passed on already.)
     * @return the circuit, a stream of the connection to the relay that now carries the target's bytes; or a failure
     *     with the reason
     */
    CompletableFuture<Channel> openCircuit(Multiaddr relay, PeerId target, Consumer<Channel> onOpen);
}
