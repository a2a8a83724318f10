/**
 * Direct Connection Upgrade through Relay (libp2p/specs {@code relay/DCUtR.md}): over a relayed connection the two
 * peers swap their addresses on {@code /libp2p/dcutr}, measure the relay's round trip, and dial each other at the
 * same moment, so that the TCP handshakes cross in the NATs in between (a TCP simultaneous open) and a direct
 * connection comes up; the relayed one is closed then. {@link io.p2psync.p2p.dcutr.Dcutr} runs both sides.
 * Depends on {@code p2p.core}, {@code p2p.host} and {@code p2p.multistream} only.
 */
package io.p2psync.p2p.dcutr;
