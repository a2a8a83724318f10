/**
 * The built-in key-value table {@code sync_kv} (the seed's add/get/delete/list) and its REST endpoints
 * under {@code /kv}. Writes go through {@link io.p2psync.kv.KvService}, which seals the captured change in
 * the same transaction. Deletes are soft ({@code deleted_at} set, {@code timestamp} moved on) so that a
 * delete is itself a timestamped value, as the seed protocol's Delete is. Depends on
 * {@code changes} and {@code storage}.
 */
package io.p2psync.kv;
