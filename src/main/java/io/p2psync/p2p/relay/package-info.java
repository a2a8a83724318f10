/**
 * Circuit relay v2 (libp2p/specs {@code relay/circuit-v2.md}): {@link io.p2psync.p2p.relay.RelayServer} serves the
 * hop protocol (reservations and circuits, with limits on reservations, circuits, bytes and time), and
 * {@link io.p2psync.p2p.relay.RelayClient} reserves slots on relays, accepts circuits over the stop protocol and
 * opens circuits for {@link io.p2psync.p2p.host.Host#dial} of {@code …/p2p-circuit/p2p/<target>} addresses. A
 * circuit is secured and multiplexed by the host like any raw connection and booked as a relayed one. Depends on
 * {@code p2p.core} and {@code p2p.host} only.
 */
package io.p2psync.p2p.relay;
