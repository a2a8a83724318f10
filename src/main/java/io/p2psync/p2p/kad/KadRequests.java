package io.p2psync.p2p.kad;

import io.p2psync.p2p.core.PeerId;
import java.util.Optional;

/** Answers DHT requests from other peers: the server side of the protocol. */
interface KadRequests {

    /**
     * @param from the authenticated peer that asked
     * @return the answer, or empty for a request the spec answers with nothing ({@code ADD_PROVIDER})
     * @throws KadException if the request breaks the protocol's rules; its stream is reset
     */
    Optional<KadMessage> answer(PeerId from, KadMessage request) throws KadException;
}
