package io.p2psync.p2p.host;

import java.util.List;

/**
 * A protocol served on, or spoken over, libp2p streams: identify, ping, gossipsub, an echo in tests.
 *
 * <p>The host registers handlers by protocol id. When a stream is negotiated for one of
 * {@link #protocolIds()} (inbound, or outbound through the host's new-stream call), the host calls
 * {@link #initStream(P2pStream)} on the stream's event loop before any application byte is read.
 */
public interface ProtocolHandler {

    /** The protocol ids this handler speaks, most preferred first (e.g. {@code /meshsub/1.1.0}, {@code /meshsub/1.0.0}). */
    List<String> protocolIds();

    /** Installs this protocol's codecs and handlers on {@code stream.channel().pipeline()}. */
    void initStream(P2pStream stream);
}
