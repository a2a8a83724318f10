package io.p2psync.changes;

/**
 * Origins whose entries this device refuses by a decision (a revoked device, a fork awaiting a person): their
 * later versions will never be stored here, so an entry made on them must not wait for them
 * ({@link HoldReason#UNKNOWN_BASE}). Given by the package that decides.
 */
public interface RefusedOrigins {

    /** True if entries of {@code origin} are refused here. */
    boolean refuses(String origin);
}
