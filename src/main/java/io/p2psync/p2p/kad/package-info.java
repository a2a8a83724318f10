/**
 * The Kademlia DHT of libp2p (libp2p/specs {@code kad-dht/README.md}): a routing table of k-buckets keyed by
 * SHA-256 of peer ids (XOR distance), the RPC message and its varint-prefixed framing, the server side of
 * {@code FIND_NODE}, {@code GET_VALUE}, {@code PUT_VALUE}, {@code ADD_PROVIDER}, {@code GET_PROVIDERS} and
 * {@code PING}, iterative lookups with α parallel queries bounded in time and queries, and peer routing (find a
 * peer's addresses by its id). The protocol id is configurable and private by default
 * ({@value KadConfig#DEFAULT_PROTOCOL_ID}). Depends on {@code p2p.core}, {@code p2p.host} and
 * {@code p2p.identify} (the DHT learns peers, their listen addresses and protocols from identify).
 */
package io.p2psync.p2p.kad;
