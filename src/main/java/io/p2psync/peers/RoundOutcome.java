package io.p2psync.peers;

/**
 * What one completed pull-then-push with one peer did.
 *
 * @param pulled entries pulled and applied here
 * @param pushed entries the peer accepted
 * @param conflicts entries that raised a conflict, here or there
 * @param rejected entries refused, here or there (a refusal is not a failure of the peer: retrying would not
 *     help, so the round still counts as a success)
 */
public record RoundOutcome(int pulled, int pushed, int conflicts, int rejected) {

    public RoundOutcome {
        if (pulled < 0 || pushed < 0 || conflicts < 0 || rejected < 0) {
            throw new IllegalArgumentException("counts are never negative");
        }
    }
}
