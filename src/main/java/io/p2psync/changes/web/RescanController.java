package io.p2psync.changes.web;

import io.p2psync.changes.ReconciliationScan;
import io.p2psync.changes.TrackedTables;
import java.net.URI;
import java.util.List;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /sync/rescan}: runs the reconciliation scan now, over every tracked table or the one named by
 * {@code table}, and answers per table the rows compared and the entries sealed. It waits for a scan already
 * running (the scheduled one) to finish first. Admin API.
 */
@RestController
class RescanController {

    static final URI SCAN_FAILED = URI.create("urn:p2psync:problem:scan-failed");

    /**
     * What the scan did to one table.
     *
     * @param table         the table
     * @param rowsScanned   rows compared with their state (and live states looked up for rows gone)
     * @param entriesSealed entries sealed: rows new to the log, changed, or gone
     */
    record TableRescan(String table, long rowsScanned, long entriesSealed) {
    }

    /** The answer: one line per table scanned, in scan order. */
    record RescanResponse(List<TableRescan> tables) {
        RescanResponse {
            tables = List.copyOf(tables);
        }
    }

    private final ReconciliationScan scan;
    private final TrackedTables tables;

    RescanController(ReconciliationScan scan, TrackedTables tables) {
        this.scan = scan;
        this.tables = tables;
    }

    @PostMapping("/sync/rescan")
    RescanResponse rescan(@RequestParam(required = false) String table) {
        if (table != null && !tables.contains(table)) {
            throw Problems.noSuchTable(table, tables.names());
        }
        try {
            List<ReconciliationScan.TableScan> done = table == null ? scan.scanAll() : scan.scan(List.of(table));
            return new RescanResponse(done.stream()
                    .map(s -> new TableRescan(s.table(), s.rows(), s.sealed())).toList());
        } catch (DataAccessException | TransactionException e) {
            throw Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, SCAN_FAILED, "Scan failed",
                    "the database did not answer: " + NestedExceptionUtils.getMostSpecificCause(e).getMessage()
                            + "; try again");
        }
    }
}
