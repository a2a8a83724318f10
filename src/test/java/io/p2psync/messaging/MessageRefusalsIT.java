package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Host;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;

/**
 * Bad input on both edges, against one real node: a raw libp2p peer speaks {@code /p2p-sync/msg/1.0.0} to it
 * (unauthorized, forged, unsigned, from an unauthorized origin, oversized, replayed, flooding PEER_QUERY), and
 * REST callers send what cannot be sent. Each gets a clear refusal, and nothing is stored.
 */
class MessageRefusalsIT {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    /** One node for the class (a node takes seconds to start); each test speaks to it as a new peer. */
    private static MessagingTestNode node;
    private Host raw;
    private DeviceIdentity rawIdentity;
    private MessageProtocol client;
    private final ExecutorService unused = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void startNode() {
        node = MessagingTestNode.start("n", dir.resolve("n"), "p2psync.messaging.max-content-size=1KB",
                "p2psync.messaging.max-frame-size=16KB", "p2psync.messaging.query-rate-limit=3",
                "p2psync.messaging.query-rate-window=1h", "p2psync.files.max-file-size=4KB",
                "p2psync.files.chunk-size=1KB", "p2psync.files.relay-quota=5KB");
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        PrivateKey key = PrivateKey.generate();
        rawIdentity = new DeviceIdentity(key);
        raw = Host.builder().privateKey(key).start();
        client = new MessageProtocol(MessagingTestNode.JSON, new MessagingSettings(DataSize.ofKilobytes(64),
                DataSize.ofMegabytes(1), T, T, T, T, T, 1, Duration.ofDays(1), 10, 10, T), unused);
        raw.dial(node.addresses().get(0)).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (raw != null) {
            raw.close();
        }
        unused.shutdownNow();
    }

    private Frame call(Frame request) throws Exception {
        return client.call(raw, node.id, request, T).get(15, TimeUnit.SECONDS);
    }

    private SignedMessage signed(String id, String content) {
        return SignedMessage.sign(rawIdentity, id, node.id, System.currentTimeMillis(), content);
    }

    private static void assertRefused(Frame answer, int status, String reason) {
        assertThat(answer.type()).isEqualTo(MessageType.REFUSED);
        assertThat(answer.refusal().status()).isEqualTo(status);
        assertThat(answer.refusal().reason()).isEqualTo(reason);
        assertThat(answer.refusal().detail()).isNotBlank();
    }

    private List<JsonNode> storedFromRaw() {
        return MessagingTestNode.JSON.readTree(node.get("/messages?peer=" + raw.peerId() + "&limit=500").body())
                .valueStream().toList();
    }

    @Test
    void refusesEveryBadMessageOnTheStreamAndStoresNothing() throws Exception {
        // a device that is not authorized
        assertRefused(call(Frame.chat(signed("m-unauthorized", "hello"))), 403, "not-authorized");
        node.post("/devices", "{\"deviceId\":\"" + raw.peerId() + "\",\"name\":\"raw\"}");
        await().atMost(T).until(() -> call(Frame.query(node.id)).type() == MessageType.PEER_FOUND);

        // forged: content changed after signing
        SignedMessage good = signed("m-forged", "pay 10");
        SignedMessage forged = new SignedMessage(good.id(), good.from(), good.to(), good.createdAt(), "pay 1000",
                good.signature());
        assertRefused(call(Frame.chat(forged)), 401, "bad-signature");

        // unsigned: an empty signature, and none at all
        Frame.WireMessage w = Frame.WireMessage.of(signed("m-unsigned", "hi"));
        assertRefused(call(new Frame(1, MessageType.CHAT_MESSAGE, new Frame.WireMessage(w.id(), w.from(), w.to(),
                w.createdAt(), w.content(), ""), null, null, null, null, null)), 401, "bad-signature");
        assertRefused(call(new Frame(1, MessageType.CHAT_MESSAGE, new Frame.WireMessage(w.id(), w.from(), w.to(),
                w.createdAt(), w.content(), null), null, null, null, null, null)), 400, "malformed");

        // signed by a device this node never authorized, relayed by one it did
        DeviceIdentity stranger = new DeviceIdentity(PrivateKey.generate());
        assertRefused(call(Frame.store(SignedMessage.sign(stranger, "m-stranger", node.id, 1, "hi"))), 403, "not-authorized");

        // for another device, sent as if for this one
        assertRefused(call(Frame.chat(SignedMessage.sign(rawIdentity, "m-elsewhere", stranger.deviceId(), 1, "hi"))),
                421, "misdirected");

        // content over max-content-size, and a frame over max-frame-size (refused before it is read)
        assertRefused(call(Frame.chat(signed("m-large", "x".repeat(2000)))), 413, "too-large");
        assertRefused(call(Frame.chat(signed("m-huge", "x".repeat(20_000)))), 413, "too-large");

        // not a frame at all
        byte[] junk = "{not json".getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[4 + junk.length];
        framed[3] = (byte) junk.length;
        System.arraycopy(junk, 0, framed, 4, junk.length);
        assertRefused(client.callRaw(raw, node.id, framed, T).get(15, TimeUnit.SECONDS), 400, "malformed");

        assertThat(storedFromRaw()).as("nothing refused was stored").isEmpty();

        // a good message is acknowledged; sent again, acknowledged as stored the first time, kept once
        SignedMessage hello = signed("m-hello", "hello");
        Frame first = call(Frame.chat(hello));
        assertThat(first.type()).isEqualTo(MessageType.ACK);
        Ack ack = first.ack().toDomain();
        assertThat(ack.acknowledges(hello)).isTrue();
        Frame again = call(Frame.chat(hello));
        assertThat(again.ack().toDomain().receivedAt()).isEqualTo(ack.receivedAt());
        // the same id with other content, properly signed: refused, the first copy stays
        assertRefused(call(Frame.chat(SignedMessage.sign(rawIdentity, "m-hello", node.id, hello.createdAt(), "other"))),
                409, "id-taken");
        List<JsonNode> stored = storedFromRaw();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).get("content").asString()).isEqualTo("hello");
        assertThat(stored.get(0).get("status").asString()).isEqualTo("RECEIVED");
    }

    private Frame chunk(FileManifest m, long offset, byte[] data, String sha) throws Exception {
        return call(Frame.chunk(new Frame.WireChunk(Frame.WireManifest.of(m), offset,
                java.util.Base64.getEncoder().encodeToString(data), sha)));
    }

    @Test
    void aRelayAnswersStoredOnlyForAMessageItHoldsAndCanForward() throws Exception {
        node.post("/devices", "{\"deviceId\":\"" + raw.peerId() + "\",\"name\":\"raw\"}");
        PeerId target = PrivateKey.generate().peerId(); // an offline device of the node's
        node.post("/devices", "{\"deviceId\":\"" + target + "\",\"name\":\"offline\"}");
        long now = System.currentTimeMillis();

        Frame held = call(Frame.store(SignedMessage.sign(rawIdentity, "m-relay", target, now, "first")));
        assertThat(held.type()).isEqualTo(MessageType.STORED);
        // the same message again is held once and answered STORED; another one under its id is not held, so it is
        // refused rather than answered STORED
        assertThat(call(Frame.store(SignedMessage.sign(rawIdentity, "m-relay", target, now, "first"))).type())
                .isEqualTo(MessageType.STORED);
        assertRefused(call(Frame.store(SignedMessage.sign(rawIdentity, "m-relay", target, now, "second"))), 409,
                "id-taken");
        // dated before the node's retention (7 days) or far ahead: not held, rather than held and dropped unforwarded
        assertRefused(call(Frame.store(SignedMessage.sign(rawIdentity, "m-old", target,
                now - Duration.ofDays(30).toMillis(), "old"))), 400, "out-of-time");
        assertRefused(call(Frame.store(SignedMessage.sign(rawIdentity, "m-ahead", target,
                now + Duration.ofDays(2).toMillis(), "ahead"))), 400, "out-of-time");
    }

    @Test
    void refusesBadFileChunksAndKeepsWhatWasGood() throws Exception {
        node.post("/devices", "{\"deviceId\":\"" + raw.peerId() + "\",\"name\":\"raw\"}");
        await().atMost(T).until(() -> call(Frame.query(node.id)).type() == MessageType.PEER_FOUND);
        byte[] file = new byte[2500];
        new java.util.Random(7).nextBytes(file);
        FileManifest m = FileManifest.sign(rawIdentity, "f-1", node.id, "notes.bin", file.length,
                FileReceiver.sha256(file), 1024);
        byte[] first = java.util.Arrays.copyOfRange(file, 0, 1024);
        byte[] second = java.util.Arrays.copyOfRange(file, 1024, 2048);

        // a chunk that does not match its hash
        assertRefused(chunk(m, 0, first, FileReceiver.sha256(second)), 400, "chunk-mismatch");
        // a manifest not signed by its origin
        FileManifest forged = new FileManifest("f-1", m.from(), m.to(), m.name(), m.size(), m.sha256(), m.chunkSize(),
                new DeviceIdentity(PrivateKey.generate()).sign(new byte[] {1}));
        assertRefused(chunk(forged, 0, first, FileReceiver.sha256(first)), 401, "bad-signature");
        // a chunk longer than the manifest's chunk size, and a chunk frame over max-frame-size
        byte[] longer = java.util.Arrays.copyOfRange(file, 0, 1500);
        assertRefused(chunk(m, 0, longer, FileReceiver.sha256(longer)), 400, "malformed");
        byte[] huge = new byte[20_000];
        assertRefused(chunk(m, 0, huge, FileReceiver.sha256(huge)), 413, "too-large");
        // a file over max-file-size
        FileManifest big = FileManifest.sign(rawIdentity, "f-big", node.id, "big.bin", 5000, FileReceiver.sha256(file), 1024);
        assertRefused(chunk(big, 0, first, FileReceiver.sha256(first)), 413, "too-large");
        // a name that would leave the data dir
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new Frame.WireManifest("f-2",
                raw.peerId().toString(), node.id.toString(), "../../evil", 1, m.sha256(), 1, "AA==").toDomain()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(node.get("/files/f-1").statusCode()).as("nothing refused was stored").isEqualTo(404);

        // good chunks are taken; one at another offset is answered with the offset wanted
        Frame ok = chunk(m, 0, first, FileReceiver.sha256(first));
        assertThat(ok.type()).isEqualTo(MessageType.CHUNK_ACK);
        assertThat(ok.next().next()).isEqualTo(1024);
        Frame skipped = chunk(m, 2048, java.util.Arrays.copyOfRange(file, 2048, 2500),
                FileReceiver.sha256(java.util.Arrays.copyOfRange(file, 2048, 2500)));
        assertThat(skipped.next().next()).as("resume point").isEqualTo(1024);
        assertRefused(chunk(m, 1024, second, FileReceiver.sha256(first)), 400, "chunk-mismatch");
        assertThat(MessagingTestNode.JSON.readTree(node.get("/files/f-1").body()).get("bytesDone").asLong())
                .as("the refused chunk changed nothing").isEqualTo(1024);

        // over REST: a body over max-file-size is refused and not kept
        HttpResponse<String> r = node.post("/files?to=" + raw.peerId(), "x".repeat(5000));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(MessagingTestNode.JSON.readTree(node.get("/files").body()).valueStream()
                .filter(t -> "out".equals(t.get("direction").asString()))).isEmpty();
        assertThat(node.post("/files?to=" + raw.peerId() + "&name=..%2Fx", "x").statusCode()).isEqualTo(400);
    }

    @Test
    void twoSendersMayChooseTheSameMessageIdAndAReplayStaysOne() throws Exception {
        node.post("/devices", "{\"deviceId\":\"" + raw.peerId() + "\",\"name\":\"raw\"}");
        PrivateKey otherKey = PrivateKey.generate();
        DeviceIdentity other = new DeviceIdentity(otherKey);
        node.post("/devices", "{\"deviceId\":\"" + other.deviceId() + "\",\"name\":\"other\"}");
        try (Host otherHost = Host.builder().privateKey(otherKey).start()) {
            otherHost.dial(node.addresses().get(0)).get(10, TimeUnit.SECONDS);
            await().atMost(T).until(() -> call(Frame.query(node.id)).type() == MessageType.PEER_FOUND);
            long now = System.currentTimeMillis();
            SignedMessage fromRaw = SignedMessage.sign(rawIdentity, "same-id", node.id, now, "from raw");
            SignedMessage fromOther = SignedMessage.sign(other, "same-id", node.id, now, "from other");

            Frame first = call(Frame.chat(fromRaw));
            assertThat(first.type()).isEqualTo(MessageType.ACK);
            await().atMost(T).until(() -> client.call(otherHost, node.id, Frame.query(node.id), T)
                    .get(15, TimeUnit.SECONDS).type() == MessageType.PEER_FOUND);
            Frame second = client.call(otherHost, node.id, Frame.chat(fromOther), T).get(15, TimeUnit.SECONDS);
            assertThat(second.type()).as("another sender's message under the same id is its own").isEqualTo(MessageType.ACK);
            assertThat(second.ack().toDomain().acknowledges(fromOther)).isTrue();
            // a replay from the same sender is still the same message, acknowledged as first stored
            Frame replay = call(Frame.chat(fromRaw));
            assertThat(replay.ack().toDomain().receivedAt()).isEqualTo(first.ack().toDomain().receivedAt());

            assertThat(storedFromRaw()).extracting(m -> m.get("content").asString()).containsExactly("from raw");
            List<JsonNode> fromOtherStored = MessagingTestNode.JSON.readTree(node.get("/messages?peer="
                    + other.deviceId() + "&limit=500").body()).valueStream().toList();
            assertThat(fromOtherStored).extracting(m -> m.get("content").asString()).containsExactly("from other");
            assertThat(MessagingTestNode.JSON.readTree(node.get("/messages/same-id?from=" + other.deviceId()).body())
                    .get("content").asString()).isEqualTo("from other");
            assertThat(MessagingTestNode.JSON.readTree(node.get("/messages/same-id?from=" + raw.peerId()).body())
                    .get("content").asString()).isEqualTo("from raw");
        }
    }

    @Test
    void aRelayHoldsAFileFromItsOriginOnlyAndWithinItsByteQuota() throws Exception {
        node.post("/devices", "{\"deviceId\":\"" + raw.peerId() + "\",\"name\":\"raw\"}");
        PeerId target = PrivateKey.generate().peerId(); // an offline device of the node's
        node.post("/devices", "{\"deviceId\":\"" + target + "\",\"name\":\"offline\"}");
        await().atMost(T).until(() -> call(Frame.query(node.id)).type() == MessageType.PEER_FOUND);
        byte[] file = new byte[2500];
        new java.util.Random(8).nextBytes(file);
        FileManifest m = FileManifest.sign(rawIdentity, "f-held", target, "held.bin", file.length,
                FileReceiver.sha256(file), 1024);
        // a push cut after its first chunk and started again from 0 is told where the relay's bytes end
        byte[] head = java.util.Arrays.copyOfRange(file, 0, 1024);
        assertThat(storeChunk(m, 0, head, FileReceiver.sha256(head)).next().next()).isEqualTo(1024);
        Frame again = storeChunk(m, 0, head, FileReceiver.sha256(head));
        assertThat(again.type()).isEqualTo(MessageType.CHUNK_ACK);
        assertThat(again.next().next()).as("resume point").isEqualTo(1024);
        assertThat(again.next().complete()).isFalse();
        long next = 1024;
        Frame answer = null;
        for (int i = 0; i < 2; i++) {
            byte[] data = java.util.Arrays.copyOfRange(file, (int) next, (int) Math.min(file.length, next + 1024));
            answer = storeChunk(m, next, data, FileReceiver.sha256(data));
            assertThat(answer.type()).isEqualTo(MessageType.CHUNK_ACK);
            next = answer.next().next();
        }
        assertThat(answer.next().complete()).as("held whole and checked").isTrue();
        assertThat(dir.resolve("n").resolve("files").resolve("relay").resolve(raw.peerId().toString()).resolve("f-held"))
                .hasBinaryContent(file);
        assertThat(node.get("/files/f-held").statusCode()).as("a held file is not one of the node's own").isEqualTo(404);

        // a second file that would take the bytes held for the target past relay-quota (5KB): refused at its first
        // chunk, before anything of it is written
        byte[] more = new byte[4000];
        FileManifest big = FileManifest.sign(rawIdentity, "f-more", target, "more.bin", more.length,
                FileReceiver.sha256(more), 1024);
        byte[] first = java.util.Arrays.copyOfRange(more, 0, 1024);
        assertRefused(storeChunk(big, 0, first, FileReceiver.sha256(first)), 507, "quota");
        assertThat(dir.resolve("n").resolve("files").resolve("relay").resolve(raw.peerId().toString()).resolve("f-more"))
                .doesNotExist();
        // a file handed over by another device than its origin
        DeviceIdentity origin = new DeviceIdentity(PrivateKey.generate());
        node.post("/devices", "{\"deviceId\":\"" + origin.deviceId() + "\",\"name\":\"origin\"}");
        FileManifest notMine = FileManifest.sign(origin, "f-theirs", target, "theirs.bin", 10,
                FileReceiver.sha256(new byte[10]), 1024);
        assertRefused(storeChunk(notMine, 0, new byte[10], FileReceiver.sha256(new byte[10])), 403, "not-authorized");
        // a file for a device the node does not know
        FileManifest stranger = FileManifest.sign(rawIdentity, "f-stranger", PrivateKey.generate().peerId(), "s.bin", 10,
                FileReceiver.sha256(new byte[10]), 1024);
        assertRefused(storeChunk(stranger, 0, new byte[10], FileReceiver.sha256(new byte[10])), 403, "not-authorized");
    }

    private Frame storeChunk(FileManifest m, long offset, byte[] data, String sha) throws Exception {
        return call(Frame.storeChunk(new Frame.WireChunk(Frame.WireManifest.of(m), offset,
                java.util.Base64.getEncoder().encodeToString(data), sha)));
    }

    @Test
    void rateLimitsPeerQueriesPerPeer() throws Exception {
        node.post("/devices", "{\"deviceId\":\"" + raw.peerId() + "\",\"name\":\"raw\"}");
        PeerId someone = new DeviceIdentity(PrivateKey.generate()).deviceId();
        await().atMost(T).until(() -> call(Frame.query(someone)).type() == MessageType.PEER_FOUND);
        int found = 1;
        Frame answer;
        while ((answer = call(Frame.query(someone))).type() == MessageType.PEER_FOUND && found < 10) {
            assertThat(answer.found().target()).isEqualTo(someone.toString());
            assertThat(answer.found().connected()).isFalse();
            found++;
        }
        assertThat(found).as("answered up to query-rate-limit").isEqualTo(3);
        assertRefused(answer, 429, "rate-limited");
        assertRefused(call(Frame.query(someone)), 429, "rate-limited");
    }

    @Test
    void refusesBadSendsOverRestWithProblemDetails() {
        PeerId stranger = new DeviceIdentity(PrivateKey.generate()).deviceId();
        HttpResponse<String> r = node.post("/messages", "{\"to\":\"" + stranger + "\",\"content\":\"hi\"}");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("application/problem+json"));
        assertThat(MessagingTestNode.JSON.readTree(r.body()).get("type").asString()).isEqualTo("urn:p2psync:problem:not-authorized");
        assertThat(node.post("/messages", "{\"to\":\"not-an-id\",\"content\":\"hi\"}").statusCode()).isEqualTo(400);
        assertThat(node.post("/messages", "{\"to\":\"" + node.id + "\",\"content\":\"hi\"}").statusCode()).isEqualTo(422);

        node.post("/devices", "{\"deviceId\":\"" + raw.peerId() + "\",\"name\":\"raw\"}");
        assertThat(node.post("/messages", "{\"to\":\"" + raw.peerId() + "\",\"content\":\"" + "x".repeat(2000) + "\"}")
                .statusCode()).isEqualTo(413);
        assertThat(node.post("/messages", "{\"id\":\"bad id!\",\"to\":\"" + raw.peerId() + "\",\"content\":\"x\"}")
                .statusCode()).isEqualTo(400);

        HttpResponse<String> first = node.post("/messages", "{\"id\":\"note-1\",\"to\":\"" + raw.peerId() + "\",\"content\":\"milk\"}");
        assertThat(first.statusCode()).isEqualTo(202);
        HttpResponse<String> again = node.post("/messages", "{\"id\":\"note-1\",\"to\":\"" + raw.peerId() + "\",\"content\":\"milk\"}");
        assertThat(again.statusCode()).as("a resend of the same id is the same message").isEqualTo(200);
        assertThat(MessagingTestNode.JSON.readTree(again.body()).get("createdAt").asString())
                .isEqualTo(MessagingTestNode.JSON.readTree(first.body()).get("createdAt").asString());
        assertThat(node.post("/messages", "{\"id\":\"note-1\",\"to\":\"" + raw.peerId() + "\",\"content\":\"eggs\"}")
                .statusCode()).isEqualTo(409);
        assertThat(node.message("note-1").get("content").asString()).isEqualTo("milk");

        assertThat(node.get("/messages/nothing-here").statusCode()).isEqualTo(404);
        assertThat(node.get("/messages?limit=0").statusCode()).isEqualTo(400);
        assertThat(node.get("/messages?peer=nonsense").statusCode()).isEqualTo(400);
    }

    @Test
    void documentsTheMessagingEndpointsInTheApiDocument() {
        JsonNode paths = MessagingTestNode.JSON.readTree(node.get("/v3/api-docs").body()).get("paths");
        for (String endpoint : List.of("post /messages", "get /messages", "get /messages/{id}", "get /messages/events",
                "get /messages/routes/{device}", "delete /messages/routes/{device}", "post /files", "get /files",
                "get /files/{id}")) {
            String[] parts = endpoint.split(" ");
            JsonNode op = paths.path(parts[1]).path(parts[0]);
            assertThat(op.path("summary").asString("")).as("summary of %s", endpoint).isNotBlank();
            assertThat(op.path("responses").has("500")).as("%s documents 500", endpoint).isTrue();
            assertThat(op.path("responses").path("401").path("content").has("application/problem+json"))
                    .as("%s documents the admin token problem", endpoint).isTrue();
        }
    }

    @Test
    void streamsArrivingMessagesAsServerSentEvents() throws Exception {
        node.post("/devices", "{\"deviceId\":\"" + raw.peerId() + "\",\"name\":\"raw\"}");
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        var stream = http.sendAsync(HttpRequest.newBuilder(URI.create(node.url + "/messages/events")).GET().build(),
                HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> r.body().forEach(lines::add));
        try {
            await().atMost(T).until(() -> {
                Frame answer = call(Frame.chat(signed("m-live-" + System.nanoTime(), "live")));
                return answer.type() == MessageType.ACK && lines.stream().anyMatch(l -> l.contains("\"content\":\"live\""));
            });
            assertThat(lines).contains("event:message");
        } finally {
            stream.cancel(true);
        }
    }
}
