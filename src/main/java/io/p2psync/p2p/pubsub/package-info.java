/**
 * Gossipsub v1.1 ({@code /meshsub/1.1.0}, and {@code /meshsub/1.0.0} for older peers) over libp2p streams:
 * topic subscriptions, a mesh per topic kept between D_low and D_high by a heartbeat, GRAFT and PRUNE with
 * backoff, fanout for topics published to but not joined, IHAVE/IWANT gossip from a windowed message cache,
 * a seen-message cache, StrictSign signing and verification, and size limits.
 *
 * <p>Entry points: {@link io.p2psync.p2p.pubsub.GossipRouter} (the application's API and the protocol state)
 * and {@link io.p2psync.p2p.pubsub.GossipsubProtocol} (the {@code ProtocolHandler} a host registers). The
 * router reaches the network only through {@link io.p2psync.p2p.pubsub.StreamOpener}, so it does not depend
 * on the host. Generated protobuf classes ({@code pb}) are used only by the wire layer ({@code RpcWire},
 * {@code RpcCodec}, {@code MessageSigner}); everything else speaks the records {@code Rpc} and
 * {@code PubsubMessage}.
 *
 * <p>Depends on {@code io.p2psync.p2p.core} and {@code io.p2psync.p2p.host} (stream and handler types),
 * Netty and protobuf; no Spring and no other feature package.
 */
package io.p2psync.p2p.pubsub;
