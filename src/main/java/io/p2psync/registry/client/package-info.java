/**
 * The registry client: a node with {@code p2psync.registry.url} announces itself (signed, on start and every
 * interval) and asks the registry where a paired device is when nothing nearer knows
 * ({@link io.p2psync.registry.client.RegistryClient#lookup}, and the catch-up's
 * {@link io.p2psync.sync.PeerLocator}). The registry is never required: while it is down the client backs off
 * (a resilience4j circuit breaker with an exponential wait) and logs one line per outage. Depends on
 * {@code registry}, {@code identity}, {@code sync} (the locator it implements) and {@code live} (its addresses).
 */
package io.p2psync.registry.client;
