package io.p2psync.changes.web;

import io.p2psync.changes.FormerColumnDeclarations;
import io.p2psync.changes.FormerColumns;
import io.p2psync.changes.HeldEntries;
import io.p2psync.changes.TrackedTables;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /sync/former-columns}: what became of the columns each tracked table no longer has, as this node knows
 * it (renamed, dropped, or dropped unsure: perhaps renamed, so other devices' writes of the name wait). {@code POST
 * /sync/former-columns}: a person says what became of one, which releases what waited for it. Admin API.
 */
@RestController
class FormerColumnsController {

    static final URI NOT_A_FORMER_COLUMN = URI.create("urn:p2psync:problem:not-a-former-column");
    static final URI RECORDED_OTHERWISE = URI.create("urn:p2psync:problem:former-column-recorded");
    static final URI DATABASE_BUSY = URI.create("urn:p2psync:problem:database-busy");

    /** One table's former columns: a former name to the column it became, the names dropped, the unsure drops. */
    record Former(Map<String, String> renamedTo, List<String> dropped, List<String> unsure) {

        static Former of(FormerColumns f) {
            return new Former(new TreeMap<>(f.renamedTo()), sorted(f.dropped()), sorted(f.unsure()));
        }

        private static List<String> sorted(Set<String> names) {
            return names.stream().sorted().toList();
        }
    }

    /**
     * What a person says became of a column.
     *
     * @param table     a tracked table
     * @param column    a name the table no longer has, or never had
     * @param renamedTo the column of the table it became; absent or null if it was dropped
     */
    record Declaration(@NotBlank String table, @NotBlank String column, String renamedTo) {
    }

    /** The answer to a declaration: the table's former columns now, and what is still held here. */
    record Declared(String table, Former formerColumns, long held) {
    }

    private final TrackedTables tables;
    private final FormerColumnDeclarations declarations;
    private final HeldEntries held;

    FormerColumnsController(TrackedTables tables, FormerColumnDeclarations declarations, HeldEntries held) {
        this.tables = tables;
        this.declarations = declarations;
        this.held = held;
    }

    @GetMapping("/sync/former-columns")
    Map<String, Former> list() {
        Map<String, Former> out = new TreeMap<>();
        tables.formerColumns().forEach((table, f) -> out.put(table, Former.of(f)));
        return out;
    }

    @PostMapping("/sync/former-columns")
    Declared declare(@Valid @RequestBody Declaration d) {
        if (!tables.contains(d.table())) {
            throw Problems.noSuchTable(d.table(), tables.names());
        }
        String renamedTo = d.renamedTo() == null || d.renamedTo().isBlank() ? null : d.renamedTo();
        try {
            FormerColumns now = declarations.declare(d.table(), d.column(), renamedTo);
            return new Declared(d.table(), Former.of(now), held.count());
        } catch (IllegalArgumentException e) {
            throw Problems.problem(HttpStatus.CONFLICT, NOT_A_FORMER_COLUMN, "Not a former column", e.getMessage());
        } catch (IllegalStateException e) {
            throw Problems.problem(HttpStatus.CONFLICT, RECORDED_OTHERWISE, "Recorded otherwise",
                    e.getMessage() + "; a record this node has stands");
        } catch (DataAccessException e) {
            throw Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, DATABASE_BUSY, "Database busy",
                    "the database did not answer: " + e.getMostSpecificCause().getMessage() + "; try again");
        }
    }
}
