package io.p2psync.messaging.web;

import io.p2psync.devices.AuthFailure;
import io.p2psync.messaging.FileSender;
import io.p2psync.messaging.FileTransfer;
import io.p2psync.messaging.Messenger;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /files}: send a file (the request body) to an authorized device, and follow transfers. Errors are
 * RFC 9457 problems whose type ends in the refusal's reason.
 */
@RestController
@ConditionalOnBean(FileSender.class)
class FileController {

    private final FileSender files;

    FileController(FileSender files) {
        this.files = files;
    }

    /** The body is the file, read as it comes (any content type); {@code name} is its name at the target. */
    @PostMapping("/files")
    ResponseEntity<FileTransfer> send(@RequestParam(required = false) String to,
            @RequestParam(required = false) String name, HttpServletRequest request) throws IOException {
        if (to == null) {
            throw new Messenger.Refused(400, "malformed", "the query parameter \"to\" names the target device");
        }
        try (InputStream body = request.getInputStream()) {
            FileTransfer transfer = files.send(to, name, body);
            return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/files/" + transfer.id())).body(transfer);
        }
    }

    @GetMapping("/files")
    List<FileTransfer> list(@RequestParam(defaultValue = "50") int limit, @RequestParam(defaultValue = "0") int offset) {
        return files.list(limit, offset);
    }

    @GetMapping("/files/{id}")
    ResponseEntity<?> one(@PathVariable String id, @RequestParam(required = false) String from) {
        return files.find(id, from).<ResponseEntity<?>>map(ResponseEntity::ok).orElseGet(() -> problem(
                new Messenger.Refused(404, "unknown-file", "no file " + id + " was sent or received here")));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> refused(Messenger.Refused e) {
        return problem(e);
    }

    private static ResponseEntity<ProblemDetail> problem(Messenger.Refused e) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(e.status()), e.getMessage());
        body.setType(URI.create(AuthFailure.PROBLEM_BASE + e.reason()));
        return ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
    }
}
