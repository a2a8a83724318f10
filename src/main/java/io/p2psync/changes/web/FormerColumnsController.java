package io.p2psync.changes.web;

import io.p2psync.changes.FormerColumnDeclarations;
import io.p2psync.changes.FormerColumns;
import io.p2psync.changes.HeldEntries;
import io.p2psync.changes.TrackedTables;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.transaction.TransactionException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

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
    static final URI INVALID_DECLARATION = URI.create("urn:p2psync:problem:invalid-declaration");

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
     * What a person says became of a column: exactly one of {@code renamedTo} and {@code dropped: true}, so that a
     * misspelt field is never taken for a drop.
     *
     * @param table     a tracked table
     * @param column    a name the table no longer has, or never had
     * @param renamedTo the column of the table it became
     * @param dropped   true if it was dropped
     */
    record Declaration(String table, String column, String renamedTo, Boolean dropped) {
    }

    /**
     * The answer to a declaration: the table's former columns now, and its entries still held for columns it lacks
     * ({@code missing-column}).
     */
    record Declared(String table, Former formerColumns, long heldForMissingColumns) {
    }

    private final TrackedTables tables;
    private final FormerColumnDeclarations declarations;
    private final HeldEntries held;
    private final JsonMapper strict;

    FormerColumnsController(TrackedTables tables, FormerColumnDeclarations declarations, HeldEntries held,
                            JsonMapper json) {
        this.tables = tables;
        this.declarations = declarations;
        this.held = held;
        // a misspelt field is a mistake worth a 400: dropped silently, it could turn a rename into a drop
        this.strict = json.rebuild().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    }

    @GetMapping("/sync/former-columns")
    Map<String, Former> list() {
        Map<String, Former> out = new TreeMap<>();
        tables.formerColumns().forEach((table, f) -> out.put(table, Former.of(f)));
        return out;
    }

    @PostMapping(path = "/sync/former-columns", consumes = MediaType.APPLICATION_JSON_VALUE)
    Declared declare(@RequestBody(required = false) String body) {
        Declaration d = parse(body);
        if (!tables.contains(d.table())) {
            throw Problems.noSuchTable(d.table(), tables.names());
        }
        try {
            FormerColumns now = declarations.declare(d.table(), d.column(), d.renamedTo());
            return new Declared(d.table(), Former.of(now), held.countMissingColumns(d.table()));
        } catch (IllegalArgumentException e) {
            throw Problems.problem(HttpStatus.CONFLICT, NOT_A_FORMER_COLUMN, "Not a former column", e.getMessage());
        } catch (IllegalStateException e) {
            throw Problems.problem(HttpStatus.CONFLICT, RECORDED_OTHERWISE, "Recorded otherwise",
                    e.getMessage() + "; a record this node has stands");
        } catch (DataAccessException | TransactionException e) {
            throw Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, DATABASE_BUSY, "Database busy",
                    "the database did not answer (the app may hold its write lock): "
                            + NestedExceptionUtils.getMostSpecificCause(e).getMessage()
                            + "; try again");
        }
    }

    /** The body, strictly: an unknown field, a blank name, or neither or both of renamedTo and dropped is a 400. */
    private Declaration parse(String body) {
        if (body == null || body.isBlank()) {
            throw invalid("the body is empty; say {\"table\": …, \"column\": …, \"renamedTo\": …} or "
                    + "{…, \"dropped\": true}");
        }
        Declaration d;
        try {
            d = strict.readValue(body, Declaration.class);
        } catch (JacksonException e) {
            throw invalid("the body is not a declaration: " + e.getOriginalMessage());
        }
        if (d == null || blank(d.table()) || blank(d.column())) {
            throw invalid("'table' and 'column' are required");
        }
        boolean renamed = !blank(d.renamedTo());
        boolean dropped = Boolean.TRUE.equals(d.dropped());
        if (renamed == dropped) {
            throw invalid("say either \"renamedTo\": \"<column>\" or \"dropped\": true");
        }
        if (renamed && d.renamedTo().equalsIgnoreCase(d.column())) {
            throw invalid("a column is not renamed to itself");
        }
        return new Declaration(d.table(), d.column(), renamed ? d.renamedTo() : null, dropped);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static ErrorResponseException invalid(String detail) {
        return Problems.problem(HttpStatus.BAD_REQUEST, INVALID_DECLARATION, "Invalid declaration", detail);
    }
}
