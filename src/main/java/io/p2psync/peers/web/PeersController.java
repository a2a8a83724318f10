package io.p2psync.peers.web;

import io.p2psync.peers.PeerState;
import io.p2psync.peers.PeerStates;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /peers}: every known peer with its sync state (see docs/operations.md for what they mean). */
@RestController
class PeersController {

    private final PeerStates states;

    PeersController(PeerStates states) {
        this.states = states;
    }

    @GetMapping("/peers")
    List<PeerState> peers() {
        return states.all();
    }
}
