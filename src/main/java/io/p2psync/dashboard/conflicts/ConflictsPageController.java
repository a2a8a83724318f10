package io.p2psync.dashboard.conflicts;

import io.p2psync.dashboard.DashboardProblem;

import io.p2psync.changes.TrackedTables;
import io.p2psync.conflict.Conflict;
import io.p2psync.conflict.ConflictKind;
import io.p2psync.conflict.ConflictNotFoundException;
import io.p2psync.conflict.ConflictRepository;
import io.p2psync.conflict.ConflictResolver;
import io.p2psync.conflict.ConflictStatus;
import io.p2psync.conflict.ResolutionStrategy;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /dashboard/conflicts}: pending conflicts first, then the latest settled ones; one conflict's two sides
 * column by column with the differing columns marked, settled by taking the local side, the remote side or
 * the later one, by a row written by hand, or ignored. Settling goes through {@link ConflictResolver}, as
 * {@code POST /conflicts/{id}/resolve} does, so it is a new change every device takes.
 */
@Controller
class ConflictsPageController {

    static final String PATH = "/dashboard/conflicts";
    /** Pending conflicts listed on one page, and settled ones below them. */
    static final int PENDING_LISTED = 100;
    static final int SETTLED_LISTED = 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<String, ResolutionStrategy> STRATEGIES = Map.of("local", ResolutionStrategy.LOCAL,
            "remote", ResolutionStrategy.REMOTE, "timestamp", ResolutionStrategy.TIMESTAMP,
            "keep-both", ResolutionStrategy.KEEP_BOTH);

    private final ConflictRepository conflicts;
    private final ConflictResolver resolver;
    private final TrackedTables tables;

    ConflictsPageController(ConflictRepository conflicts, ConflictResolver resolver, TrackedTables tables) {
        this.conflicts = conflicts;
        this.resolver = resolver;
        this.tables = tables;
    }

    @GetMapping(PATH)
    String list(Model model) {
        model.addAttribute("page", "conflicts");
        model.addAttribute("pending", conflicts.find(ConflictStatus.PENDING, null, 0, PENDING_LISTED));
        model.addAttribute("resolved", conflicts.find(ConflictStatus.RESOLVED, null, 0, SETTLED_LISTED).items());
        model.addAttribute("ignored", conflicts.find(ConflictStatus.IGNORED, null, 0, SETTLED_LISTED).items());
        return "dashboard/conflicts";
    }

    @GetMapping(PATH + "/{id}")
    String one(@PathVariable long id, Model model) {
        Conflict conflict = conflicts.findById(id).orElseThrow(() -> new ConflictNotFoundException(id));
        model.addAttribute("page", "conflicts");
        model.addAttribute("conflict", conflict);
        model.addAttribute("columns", ConflictSides.of(conflict, tables.columns(conflict.table())));
        model.addAttribute("startingRow", ConflictSides.startingRow(conflict));
        model.addAttribute("localRow", ConflictSides.pretty(conflict.local().data()));
        model.addAttribute("remoteRow", ConflictSides.pretty(conflict.remote().data()));
        model.addAttribute("keepBoth", conflict.kind() == ConflictKind.KEY_COLLISION);
        return "dashboard/conflict";
    }

    /** Settles with a side: {@code local}, {@code remote}, {@code timestamp} (the later), or {@code keep-both}. */
    @PostMapping(PATH + "/{id}/resolve")
    String resolve(@PathVariable long id, @RequestParam String strategy) {
        ResolutionStrategy chosen = STRATEGIES.get(strategy);
        if (chosen == null) {
            throw DashboardProblem.badInput("'" + strategy + "' is not a way to settle a conflict: use local, remote,"
                    + " timestamp or keep-both. Nothing was changed.");
        }
        resolver.resolve(id, chosen);
        return "redirect:" + PATH + "/" + id;
    }

    /** Settles with a row written by hand: a JSON object of column to value; columns left out keep the local value. */
    @PostMapping(PATH + "/{id}/write")
    String write(@PathVariable long id, @RequestParam String row) {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(row);
        } catch (JacksonException e) {
            throw DashboardProblem.badInput("The row is not valid JSON: " + e.getOriginalMessage()
                    + ". Nothing was changed.");
        }
        if (parsed == null || !parsed.isObject()) {
            throw DashboardProblem.badInput("The row must be a JSON object of column to value, such as"
                    + " {\"value\": \"teal\"}. Nothing was changed.");
        }
        resolver.resolveWith(id, parsed.toString());
        return "redirect:" + PATH + "/" + id;
    }

    @PostMapping(PATH + "/{id}/ignore")
    String ignore(@PathVariable long id) {
        resolver.ignore(id);
        return "redirect:" + PATH + "/" + id;
    }
}
