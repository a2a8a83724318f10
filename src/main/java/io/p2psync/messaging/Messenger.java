package io.p2psync.messaging;

import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * What users call (REST, console): send a message to an authorized device, list and read messages. A message
 * is signed and stored as PENDING at once; the {@link Courier} takes it to its target in the background.
 */
public class Messenger {

    /** The most messages one page of {@link #list} holds. */
    public static final int MAX_PAGE = 500;

    private final DeviceIdentity identity;
    private final Predicate<PeerId> authorized;
    private final MessageRepository messages;
    private final RouteCache routes;
    private final Courier courier;
    private final MessagingSettings settings;
    private final MessageEvents events;
    private final Clock clock;
    private final DeviceRepository devices;

    Messenger(DeviceIdentity identity, Predicate<PeerId> authorized, MessageRepository messages, RouteCache routes,
              Courier courier, MessagingSettings settings, MessageEvents events, Clock clock, DeviceRepository devices) {
        this.devices = devices;
        this.identity = identity;
        this.authorized = authorized;
        this.messages = messages;
        this.routes = routes;
        this.courier = courier;
        this.settings = settings;
        this.events = events;
        this.clock = clock;
    }

    /** Why a message cannot be sent; the controller turns it into a problem body. */
    public static final class Refused extends RuntimeException {
        private final int status;
        private final String reason;

        public Refused(int status, String reason, String detail) {
            super(detail);
            this.status = status;
            this.reason = reason;
        }

        public int status() {
            return status;
        }

        public String reason() {
            return reason;
        }
    }

    /** The outcome of a send: the message, and whether this call created it (false: the id was sent before). */
    public record Sent(Message message, boolean created) {
    }

    /**
     * Signs and queues a message. Sending an id again with the same target and content answers the message
     * sent first; with another target or content it is refused (409).
     *
     * @param id the id to use, or null for a new one
     * @throws Refused if the target is not an authorized device, is this device, or the content is too large
     */
    public Sent send(String id, String to, String content) {
        if (to == null || content == null) {
            throw new Refused(400, "malformed", "a message needs \"to\" (a device id) and \"content\"");
        }
        PeerId target;
        try {
            target = PeerId.parse(to);
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "malformed", "\"to\" is not a device id: " + e.getMessage());
        }
        if (target.equals(identity.deviceId())) {
            throw new Refused(422, "to-self", "a device does not send messages to itself");
        }
        if (!authorized.test(target)) {
            throw new Refused(422, "not-authorized", target + " is not an authorized device of this one");
        }
        String messageId = id == null ? UUID.randomUUID().toString() : id;
        SignedMessage m;
        try {
            m = SignedMessage.sign(identity, messageId, target, clock.millis(), content);
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "malformed", e.getMessage());
        }
        if (m.contentBytes() > settings.maxContentSize().toBytes()) {
            throw new Refused(413, "too-large", "the content has " + m.contentBytes() + " bytes, more than the "
                    + settings.maxContentSize().toBytes() + " allowed (p2psync.messaging.max-content-size)");
        }
        if (!messages.insertOut(m)) {
            Message earlier = messages.find(identity.deviceId(), messageId, "out").orElseThrow();
            if (!earlier.to().equals(to) || !earlier.content().equals(content)) {
                throw new Refused(409, "id-taken", "a different message with id " + messageId + " was sent already");
            }
            return new Sent(earlier, false);
        }
        Message created = messages.find(identity.deviceId(), messageId, "out").orElseThrow();
        events.changed(created);
        courier.dispatch(m);
        return new Sent(created, true);
    }

    /** The device id {@code text} names: a device id, or the name of a device in {@code sync_devices}. */
    public String resolve(String text) {
        try {
            return PeerId.parse(text).toString();
        } catch (IllegalArgumentException notAnId) {
            List<Device> named = devices.findAll().stream().filter(d -> text.equals(d.name())).toList();
            if (named.size() != 1) {
                throw new Refused(400, "unknown-device", named.isEmpty() ? "no device is called '" + text + "'"
                        : named.size() + " devices are called '" + text + "'; use the device id");
            }
            return named.get(0).deviceId().toString();
        }
    }

    public Optional<Message> find(String id) {
        return find(id, null);
    }

    /**
     * The message sent here with {@code id}, else the latest received under it.
     *
     * @param from its origin's device id, or null for any (two senders may choose the same id)
     * @throws Refused if {@code from} is not a device id
     */
    public Optional<Message> find(String id, String from) {
        PeerId origin = null;
        if (from != null) {
            try {
                origin = PeerId.parse(from);
            } catch (IllegalArgumentException e) {
                throw new Refused(400, "malformed", "\"from\" is not a device id: " + e.getMessage());
            }
        }
        return messages.find(id, origin);
    }

    /**
     * Sent and received messages, newest first.
     *
     * @param peer only those to or from this device id; null for all
     * @throws Refused if the peer is not a device id or the page is out of range
     */
    public List<Message> list(String peer, int limit, int offset) {
        if (limit < 1 || limit > MAX_PAGE || offset < 0) {
            throw new Refused(400, "bad-page", "limit is 1.." + MAX_PAGE + " and offset 0 or more");
        }
        PeerId p = null;
        if (peer != null) {
            try {
                p = PeerId.parse(peer);
            } catch (IllegalArgumentException e) {
                throw new Refused(400, "malformed", "\"peer\" is not a device id: " + e.getMessage());
            }
        }
        return messages.list(p, limit, offset);
    }

    /** The cached addresses of a device (diagnostics). */
    public List<String> routes(PeerId device) {
        return routes.addresses(device);
    }

    /** Forgets the cached addresses of a device; answers how many. */
    public int forgetRoutes(PeerId device) {
        return routes.forget(device);
    }

    public MessageEvents events() {
        return events;
    }
}
