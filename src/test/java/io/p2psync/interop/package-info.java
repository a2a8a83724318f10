/**
 * Interop test support: {@link io.p2psync.interop.JsPeer} drives a real js-libp2p node
 * ({@code src/test/js/peer.mjs}) over JSON lines, {@link io.p2psync.interop.NetNamespace} makes a private
 * network namespace for multicast tests, and the {@code *IT} classes prove the Java libp2p stack against js.
 */
package io.p2psync.interop;
