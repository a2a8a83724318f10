package io.p2psync.sync;

import java.util.List;

/**
 * Answer to {@code POST /sync/push}, and what this device reports after receiving a pulled page.
 *
 * @param accepted   entries applied (conflicts included)
 * @param duplicates entries the receiver already had
 * @param conflicts  entries that were concurrent with the receiver's row and went to conflict resolution
 * @param held       entries stored but not applied to their row yet (see {@code GET /sync/held}); they
 *                   count as delivered, and never stop later entries of their origin
 * @param rejected   entries refused, each listed in {@code rejections}; later entries of the same origin in
 *                   the batch are refused too
 * @param rejections why each refused entry was refused
 */
public record PushResponse(int accepted, int duplicates, int conflicts, int held, int rejected,
        List<Rejection> rejections) {

    public PushResponse {
        rejections = rejections == null ? List.of() : List.copyOf(rejections);
    }

    /**
     * One refused entry.
     *
     * @param reason why, as a stable code ({@code bad-hash}, {@code gap}, ...); a peer that names none is taken
     *               to mean {@code other}, as an unknown code is
     * @param detail for people; never parsed
     */
    public record Rejection(String origin, long version, RejectionReason reason, String detail) {

        public Rejection {
            if (origin == null) {
                throw new IllegalArgumentException("a rejection names the origin of the refused entry");
            }
            reason = reason == null ? RejectionReason.OTHER : reason;
        }
    }
}
