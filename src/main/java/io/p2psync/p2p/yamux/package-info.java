/**
 * Yamux stream multiplexing ({@code /yamux/1.0.0}, libp2p/specs {@code yamux/README.md}): many
 * independent, flow-controlled streams over one secured connection.
 *
 * <p>{@link io.p2psync.p2p.yamux.YamuxFrameCodec} turns bytes into {@link io.p2psync.p2p.yamux.YamuxFrame}s
 * and back; {@link io.p2psync.p2p.yamux.YamuxHandler} owns the session state (streams, windows, pings,
 * go-away) and gives every stream its own Netty child channel ({@link io.p2psync.p2p.yamux.YamuxStreamChannel}).
 * Plain Netty; depends on nothing else in the project.
 */
package io.p2psync.p2p.yamux;
