package io.p2psync.peers.web;

import io.p2psync.devices.AuthFailure;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.peers.Peer;
import io.p2psync.peers.PeerDirectory;
import io.p2psync.peers.PeerRunner;
import io.p2psync.peers.PeerRunner.RoundReport;
import io.p2psync.peers.RoundOutcome;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /sync/now}: the admin's trigger for a round with every paired peer, or with one. The rounds run
 * in the per-peer scheduler like every other round (one at a time per peer, under the peer's breaker; an open
 * breaker lets this one through as a trial); the answer waits for them and says what each did.
 */
@RestController
class SyncNowController {

    static final URI NO_SUCH_PEER = URI.create(AuthFailure.PROBLEM_BASE + "no-such-peer");

    /**
     * What one round did; the shape {@code /sync/now} has always answered.
     *
     * @param peer the peer's device id
     * @param pulled entries pulled and applied here (conflicts included)
     * @param pushed entries the peer accepted (conflicts included)
     * @param conflicts entries that raised a conflict, here or at the peer
     * @param rejected entries refused, here or at the peer
     * @param held entries stored but held (not applicable yet), here or at the peer; they do not stop a round
     * @param completed whether the round ran to its end
     * @param error why the round failed or did not run; for a completed round with refusals, how many were
     *     refused; else null
     * @param millis how long the round took
     * @param via how the peer was reached in a completed round: {@code rest} or {@code libp2p}; else null
     */
    record RoundAnswer(String peer, int pulled, int pushed, int conflicts, int rejected, int held, boolean completed,
                       String error, long millis, String via) {

        static RoundAnswer of(RoundReport report) {
            RoundOutcome o = report.outcome() == null ? new RoundOutcome(0, 0, 0, 0) : report.outcome();
            String error = report.error() != null ? report.error()
                    : o.rejected() > 0 ? o.rejected() + " entries refused" : null;
            return new RoundAnswer(report.peer().key(), o.pulled(), o.pushed(), o.conflicts(), o.rejected(), o.held(),
                    report.error() == null, error, report.millis(), o.via());
        }
    }

    private final PeerDirectory directory;
    private final PeerRunner runner;

    SyncNowController(PeerDirectory directory, PeerRunner runner) {
        this.directory = directory;
        this.runner = runner;
    }

    /** Runs one round now with every peer this device syncs with ({@link PeerDirectory#syncTargets}), or with {@code peer} only. */
    @PostMapping("/sync/now")
    List<RoundAnswer> now(@RequestParam(required = false) String peer) {
        List<Peer> targets = peer == null ? directory.syncTargets() : List.of(parsePeer(peer)
                .flatMap(id -> directory.target(id, null))
                .orElseThrow(() -> noSuchPeer(peer)));
        List<CompletableFuture<RoundReport>> rounds = targets.stream()
                .map(target -> runner.request(target, PeerRunner.Trigger.MANUAL))
                .toList();
        return rounds.stream().map(SyncNowController::await).map(RoundAnswer::of).toList();
    }

    private static RoundReport await(CompletableFuture<RoundReport> round) {
        try {
            return round.join();
        } catch (CancellationException | CompletionException stopping) {
            throw new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, ProblemDetail.forStatusAndDetail(
                    HttpStatus.SERVICE_UNAVAILABLE, "the node is shutting down"), stopping);
        }
    }

    private static Optional<PeerId> parsePeer(String text) {
        try {
            return Optional.of(PeerId.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static ErrorResponseException noSuchPeer(String peer) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                "no authorized device has id " + peer);
        body.setType(NO_SUCH_PEER);
        body.setTitle("No such peer");
        return new ErrorResponseException(HttpStatus.NOT_FOUND, body, null);
    }
}
