package io.p2psync.p2p.yamux;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * The peer broke the yamux protocol: an unknown version, type or flag, an oversized frame, a frame that
 * does not fit the session state. The session answers with a go-away (protocol error) and closes the
 * connection.
 *
 * <p>It extends {@link CorruptedFrameException} so that Netty's decoders pass it on unwrapped.
 */
public final class YamuxProtocolException extends CorruptedFrameException {

    public YamuxProtocolException(String message) {
        super(message);
    }
}
