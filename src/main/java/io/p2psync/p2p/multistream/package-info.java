/**
 * multistream-select 1.0: agreeing on the protocol that a connection or stream speaks next
 * (libp2p/specs connections/README.md, "Protocol Negotiation"). Messages are varint-length-prefixed
 * UTF-8 lines ending in {@code \n}; the negotiator replaces itself in the pipeline with the agreed
 * protocol's handlers. Depends only on Netty; no Spring, no other feature package.
 */
package io.p2psync.p2p.multistream;
