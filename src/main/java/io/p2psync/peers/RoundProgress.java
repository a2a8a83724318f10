package io.p2psync.peers;

import java.time.Instant;

/**
 * How far the running round with a peer has come; part of a {@code GET /peers} row while it runs.
 *
 * @param trigger why the round runs
 * @param startedAt when it started
 * @param done entries handled so far: pulled ones applied, already held or refused here, pushed ones answered
 * @param total entries the round expects to handle (what the peer holds that this device lacks, plus the
 *     reverse), or null until the peer's first answer says what it holds
 * @param perSecond entries handled per second since the start
 * @param secondsLeft at that rate, seconds until {@code total}; null while unknown
 */
public record RoundProgress(PeerRunner.Trigger trigger, Instant startedAt, long done, Long total, double perSecond,
                            Long secondsLeft) {
}
