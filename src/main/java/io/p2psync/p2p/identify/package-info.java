/**
 * The identify protocol ({@code /ipfs/id/1.0.0}, libp2p/specs {@code identify/README.md}): a peer asks
 * for the other's agent, public key, listen addresses, observed address and protocols over a stream.
 * {@link io.p2psync.p2p.identify.IdentifyProtocol} both answers with this node's
 * {@link io.p2psync.p2p.identify.IdentifyInfo} and reads the peer's, checking its key against the
 * authenticated peer id. Depends on {@code p2p.core} and {@code p2p.host} (the protocol contract) only.
 */
package io.p2psync.p2p.identify;
