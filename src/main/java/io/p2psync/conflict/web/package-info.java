/**
 * The {@code /conflicts} endpoints: list and read the conflicts this device has seen, resolve a pending one
 * with a side or a hand-written row, or ignore it. Errors are RFC 9457 problem bodies. Depends on
 * {@code conflict} only.
 */
package io.p2psync.conflict.web;
