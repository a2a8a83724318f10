package io.p2psync.dashboard.peers;

import io.p2psync.dashboard.DashboardProblem;

import io.p2psync.changes.HeldEntries;
import io.p2psync.changes.HeldEntry;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.peers.Peer;
import io.p2psync.peers.PeerDirectory;
import io.p2psync.peers.PeerRunner;
import io.p2psync.peers.PeerState;
import io.p2psync.peers.PeerStates;
import io.p2psync.peers.RoundProgress;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code /dashboard/peers}: every peer's state as {@code GET /peers} has it, the latest round with each (pulled,
 * pushed, conflicts, refused with reasons, held), a progress bar with rate and time left while a round runs,
 * the held entries with their reasons, and "sync now". The page reloads its table from
 * {@code /dashboard/peers/table} every second, so a running round's bar moves.
 */
@Controller
class PeersPageController {

    static final String PATH = "/dashboard/peers";
    /** Held entries the page lists; {@code GET /sync/held} lists more. */
    static final int HELD_LISTED = 50;

    /**
     * One row of the table.
     *
     * @param state   the peer's state
     * @param last    the latest round with it since start, or null
     * @param percent how far the running round is, 0 to 100, or null when no round runs or its size is unknown
     */
    record Row(PeerState state, LastRounds.Last last, Integer percent) {

        static Row of(PeerState state, LastRounds.Last last) {
            RoundProgress p = state.progress();
            Integer percent = p == null || p.total() == null ? null
                    : p.total() == 0 ? 100 : (int) Math.min(100, p.done() * 100 / p.total());
            return new Row(state, last, percent);
        }
    }

    private final PeerStates states;
    private final LastRounds lastRounds;
    private final PeerDirectory directory;
    private final PeerRunner runner;
    private final HeldEntries held;

    PeersPageController(PeerStates states, LastRounds lastRounds, PeerDirectory directory, PeerRunner runner,
            HeldEntries held) {
        this.states = states;
        this.lastRounds = lastRounds;
        this.directory = directory;
        this.runner = runner;
        this.held = held;
    }

    @GetMapping(PATH)
    String page(@RequestParam(required = false) Integer started, Model model) {
        model.addAttribute("page", "peers");
        model.addAttribute("started", started);
        return table(model);
    }

    /** The table alone, which the page fetches again every second. */
    @GetMapping(PATH + "/table")
    String table(Model model) {
        model.addAttribute("rows", states.all().stream()
                .map(s -> Row.of(s, lastRounds.of(s.key()).orElse(null))).toList());
        List<HeldEntry> list = held.list(HELD_LISTED);
        model.addAttribute("held", list);
        model.addAttribute("heldCount", held.count());
        model.addAttribute("heldByReason", held.countsByReason());
        return model.containsAttribute("page") ? "dashboard/peers" : "dashboard/peers :: table";
    }

    /**
     * Starts a round now with every paired peer, or with {@code peer} only, and shows the page at once: the rounds
     * run in the per-peer scheduler as {@code POST /sync/now}'s do, and the table shows them as they go.
     */
    @PostMapping(PATH + "/sync")
    String syncNow(@RequestParam(required = false) String peer) {
        List<Peer> targets = peer == null || peer.isBlank() ? directory.syncTargets() : List.of(target(peer));
        if (targets.isEmpty()) {
            throw DashboardProblem.badInput("No device is paired yet (with a url, or connected over libp2p), so there is"
                    + " nobody to sync with. Add one on the Devices page.");
        }
        targets.forEach(t -> runner.submit(t, PeerRunner.Trigger.MANUAL));
        return "redirect:" + PATH + "?started=" + targets.size();
    }

    private Peer target(String peer) {
        try {
            return directory.target(PeerId.parse(peer.strip()), null).orElseThrow(() -> DashboardProblem.notFound(
                    "No authorized device has the id " + peer + "."));
        } catch (IllegalArgumentException e) {
            throw DashboardProblem.badInput("'" + peer + "' is not a device id.");
        }
    }
}
