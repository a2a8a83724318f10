package io.p2psync.messaging;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The server-sent-events stream of {@code GET /messages/events}: a {@code message} event for each message that
 * arrives, a {@code status} event for each change of a sent one. At most {@link #MAX_LISTENERS} streams at once.
 */
public class MessageEvents {

    static final int MAX_LISTENERS = 64;

    private final List<SseEmitter> emitters = new CopyOnWriteArrayList<>();

    /** A new stream, or empty when as many are open as allowed. */
    public java.util.Optional<SseEmitter> open() {
        if (emitters.size() >= MAX_LISTENERS) {
            return java.util.Optional.empty();
        }
        SseEmitter emitter = new SseEmitter(0L);
        emitters.add(emitter);
        emitter.onCompletion(() -> emitters.remove(emitter));
        emitter.onTimeout(() -> emitters.remove(emitter));
        emitter.onError(e -> emitters.remove(emitter));
        return java.util.Optional.of(emitter);
    }

    /** Ends every stream when the node stops, so that no open stream holds the web server's shutdown. */
    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextClosedEvent.class)
    void closeAll() {
        for (SseEmitter emitter : emitters) {
            emitter.complete();
        }
        emitters.clear();
    }

    void arrived(Message message) {
        send("message", message);
    }

    void changed(Message message) {
        send("status", message);
    }

    private void send(String name, Message message) {
        for (SseEmitter emitter : emitters) {
            try {
                emitter.send(SseEmitter.event().name(name).id(message.id()).data(message));
            } catch (IOException | IllegalStateException gone) {
                emitters.remove(emitter);
            }
        }
    }
}
