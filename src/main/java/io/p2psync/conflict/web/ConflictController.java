package io.p2psync.conflict.web;

import io.p2psync.changes.CaptureNotReady;
import io.p2psync.conflict.ConflictNotFoundException;
import io.p2psync.conflict.ConflictNotPendingException;
import io.p2psync.conflict.ConflictRepository;
import io.p2psync.conflict.ConflictResolver;
import io.p2psync.conflict.ConflictStatus;
import io.p2psync.conflict.ResolutionStrategy;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /conflicts}: see docs/conflicts.md. */
@RestController
@RequestMapping("/conflicts")
class ConflictController {

    static final int MAX_PAGE_SIZE = 500;
    static final URI TABLE_NOT_READY = URI.create("urn:p2psync:problem:table-not-ready");

    private final ConflictRepository conflicts;
    private final ConflictResolver resolver;

    ConflictController(ConflictRepository conflicts, ConflictResolver resolver) {
        this.conflicts = conflicts;
        this.resolver = resolver;
    }

    /** A page of conflicts, newest first. */
    record PageView(List<ConflictView> items, int page, int size, long total) {
    }

    @GetMapping
    PageView list(@RequestParam(required = false) String status, @RequestParam(required = false) String table,
            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
        if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("page must be >= 0 and size 1.." + MAX_PAGE_SIZE);
        }
        ConflictRepository.Page p = conflicts.find(status == null ? null : status(status), table, page, size);
        return new PageView(p.items().stream().map(ConflictView::of).toList(), p.page(), p.size(), p.total());
    }

    @GetMapping("/{id}")
    ConflictView get(@PathVariable long id) {
        return conflicts.findById(id).map(ConflictView::of).orElseThrow(() -> new ConflictNotFoundException(id));
    }

    @PostMapping("/{id}/resolve")
    ConflictView resolve(@PathVariable long id, @RequestBody ResolveRequest request) {
        boolean hasStrategy = request.strategy() != null;
        boolean hasData = request.data() != null && !request.data().isNull();
        if (hasStrategy == hasData) {
            throw new IllegalArgumentException("give exactly one of \"strategy\" (local, remote, timestamp) or \"data\"");
        }
        if (hasData) {
            if (!request.data().isObject()) {
                throw new IllegalArgumentException("\"data\" must be a JSON object of column to value");
            }
            return ConflictView.of(resolver.resolveWith(id, request.data().toString()));
        }
        return ConflictView.of(resolver.resolve(id, strategy(request.strategy())));
    }

    @PostMapping("/{id}/ignore")
    ConflictView ignore(@PathVariable long id) {
        return ConflictView.of(resolver.ignore(id));
    }

    private static ConflictStatus status(String value) {
        try {
            return ConflictStatus.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown status '" + value + "': use pending, resolved or ignored");
        }
    }

    private static ResolutionStrategy strategy(String value) {
        try {
            return ResolutionStrategy.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown strategy '" + value + "': use local, remote, timestamp or keep-both");
        }
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notFound(ConflictNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "No such conflict", e.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notPending(ConflictNotPendingException e) {
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.CONFLICT, "Conflict is not pending", e.getMessage());
        response.getBody().setProperty("conflictStatus", e.conflict().status().dbValue());
        response.getBody().setProperty("resolution", e.conflict().resolution());
        return response;
    }

    /**
     * The row may hold a write of the app no trigger saw, and the node has not sealed it yet (docs/conflicts.md,
     * "Resolving while the app rebuilds a table"): nothing was written, the conflict is still pending, and the same
     * request goes through once the table is ready.
     */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> notReady(CaptureNotReady e) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "not resolved yet: " + e.getMessage() + ". Nothing was written; the conflict is still pending."
                        + " Send the same request again shortly.");
        body.setType(TABLE_NOT_READY);
        body.setTitle("Table not ready for writes");
        body.setProperty("tables", e.tables());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(CaptureNotReady.RETRY_AFTER.toSeconds())).body(body);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> badRequest(IllegalArgumentException e) {
        return problem(HttpStatus.BAD_REQUEST, "Bad request", e.getMessage());
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setTitle(title);
        return ResponseEntity.status(status).body(body);
    }
}
