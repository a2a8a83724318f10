/**
 * The ping protocol ({@code /ipfs/ping/1.0.0}, libp2p/specs {@code ping/ping.md}): the dialling side sends
 * 32 random bytes, the other echoes them, the dialler measures the round trip. Depends on
 * {@code p2p.host} (the protocol contract) only.
 */
package io.p2psync.p2p.ping;
