package io.p2psync.messaging.web;

import io.p2psync.devices.AuthFailure;
import io.p2psync.messaging.Message;
import io.p2psync.messaging.Messenger;
import io.p2psync.p2p.core.PeerId;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code /messages}: send a message to an authorized device, list and read messages, follow them as
 * server-sent events. Errors are RFC 9457 problems whose type ends in the refusal's reason.
 */
@RestController
@ConditionalOnBean(Messenger.class)
class MessageController {

    private final Messenger messenger;

    MessageController(Messenger messenger) {
        this.messenger = messenger;
    }

    /** The body of {@code POST /messages}; {@code id} is optional (a resend with the same id is idempotent). */
    record SendRequest(String id, String to, String content) {
    }

    @PostMapping(path = "/messages", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Message> send(@RequestBody SendRequest request) {
        Messenger.Sent sent = messenger.send(request.id(), request.to(), request.content());
        return ResponseEntity.status(sent.created() ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .location(URI.create("/messages/" + sent.message().id())).body(sent.message());
    }

    @GetMapping("/messages")
    List<Message> list(@RequestParam(required = false) String peer, @RequestParam(defaultValue = "50") int limit,
            @RequestParam(defaultValue = "0") int offset) {
        return messenger.list(peer, limit, offset);
    }

    @GetMapping("/messages/{id}")
    ResponseEntity<?> one(@PathVariable String id, @RequestParam(required = false) String from) {
        return messenger.find(id, from).<ResponseEntity<?>>map(ResponseEntity::ok).orElseGet(() -> problemOf(404, "unknown-message",
                "no message " + id + " was sent or received here"));
    }

    @GetMapping(path = "/messages/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    ResponseEntity<?> events() {
        return messenger.events().open().<ResponseEntity<?>>map(ResponseEntity::ok).orElseGet(() ->
                problemOf(503, "too-many-listeners", "as many event streams are open as this node allows"));
    }

    /** The cached libp2p addresses of a device. */
    @GetMapping("/messages/routes/{device}")
    Map<String, Object> routes(@PathVariable String device) {
        PeerId id = deviceId(device);
        return Map.of("device", id.toString(), "addresses", messenger.routes(id));
    }

    /** Forgets the cached addresses of a device (the next message to it asks its peers again). */
    @DeleteMapping("/messages/routes/{device}")
    Map<String, Object> forgetRoutes(@PathVariable String device) {
        PeerId id = deviceId(device);
        return Map.of("device", id.toString(), "forgotten", messenger.forgetRoutes(id));
    }

    private static PeerId deviceId(String text) {
        try {
            return PeerId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Messenger.Refused(400, "malformed", "not a device id: " + e.getMessage());
        }
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> refused(Messenger.Refused e) {
        return problem(e);
    }

    private static ResponseEntity<ProblemDetail> problem(Messenger.Refused e) {
        return problemOf(e.status(), e.reason(), e.getMessage());
    }

    private static ResponseEntity<ProblemDetail> problemOf(int status, String reason, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), detail);
        body.setType(URI.create(AuthFailure.PROBLEM_BASE + reason));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
    }
}
