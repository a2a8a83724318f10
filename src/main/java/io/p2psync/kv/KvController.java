package io.p2psync.kv;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code PUT /kv/{key}} (body: the value as text), {@code GET /kv/{key}}, {@code DELETE /kv/{key}},
 * {@code GET /kv}. Errors are RFC 9457 problem bodies: 400 for a key over the limit, 413 for a value over
 * the limit, 404 for a missing key.
 */
@RestController
@RequestMapping("/kv")
class KvController {

    /** A live entry as answered to clients. */
    record KvView(String key, String value, String timestamp) {
        static KvView of(KvEntry e) {
            return new KvView(e.key(), e.value(), e.timestamp());
        }
    }

    private final KvService kv;

    KvController(KvService kv) {
        this.kv = kv;
    }

    @PutMapping(path = "/{key}", consumes = MediaType.ALL_VALUE)
    KvView put(@PathVariable String key, @RequestBody(required = false) String value) {
        return KvView.of(kv.put(key, value == null ? "" : value));
    }

    @GetMapping("/{key}")
    KvView get(@PathVariable String key) {
        return kv.get(key).map(KvView::of).orElseThrow(() -> notFound(key));
    }

    @DeleteMapping("/{key}")
    ResponseEntity<Void> delete(@PathVariable String key) {
        if (!kv.delete(key)) {
            throw notFound(key);
        }
        return ResponseEntity.noContent().build();
    }

    @GetMapping
    List<KvView> list() {
        return kv.list().stream().map(KvView::of).toList();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> overLimit(KvLimitException e) {
        HttpStatus status = e.valueTooLarge() ? HttpStatus.CONTENT_TOO_LARGE : HttpStatus.BAD_REQUEST;
        return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, e.getMessage()));
    }

    private static ResponseStatusException notFound(String key) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "no live entry with key '" + key + "'");
    }
}
