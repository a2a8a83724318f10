/**
 * Raw TCP for libp2p on Netty NIO: binding a listener to a {@code /ip4|ip6/…/tcp/…} multiaddr and
 * dialling one (host names of {@code /dns*} addresses are resolved by Netty). What runs on the raw
 * channel (multistream, Noise, yamux) is the host's business. Depends on {@code p2p.core} and Netty.
 */
package io.p2psync.p2p.transport;
