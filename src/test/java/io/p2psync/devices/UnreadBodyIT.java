package io.p2psync.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.sync.Node;
import io.p2psync.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real node attacked over raw sockets with request bodies it must not read: the callers declare large
 * bodies and send only a few bytes of them, so an answer that arrives proves the node decided without
 * reading the body.
 */
class UnreadBodyIT {

    private static final long LIMIT = 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The first bytes of a body; the rest is never sent unless a test says so. */

    @TempDir
    static Path dir;
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start("target", dir.resolve("target"),
                "p2psync.devices.max-request-body=1MB",
                "p2psync.devices.body-budget=2MB",
                "p2psync.sync.auto=false");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void refusesConcurrentLargeBodiesFromAnUnknownKeyWithoutReadingThem() throws Exception {
        PrivateKey phone = authorized("phone");
        PrivateKey stranger = PrivateKey.generate();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                sockets.add(startPush(stranger, forgedSignature(stranger), LIMIT));
            }
            for (Socket socket : sockets) {
                Answer answer = readAnswer(socket);
                assertThat(answer.status()).as("answer to a body never sent: %s", answer).isEqualTo(401);
                // The first request lists the stranger as pending; the others find it so.
                assertThat(answer.problemType()).isIn(AuthFailure.UNKNOWN_DEVICE.type().toString(),
                        AuthFailure.NOT_AUTHORIZED.type().toString());
            }
            // Twenty callers still hold their connections with their bodies unsent: nothing of them is held
            // in memory, and an authorized device syncs as usual.
            assertThat(reservedBodyBytes()).isZero();
            Node.Response pull = pull(phone);
            assertThat(pull.status()).as("authorized pull: %s", pull).isEqualTo(200);
        } finally {
            closeAll(sockets);
        }
    }

    @Test
    void refusesADeclaredBodyOverTheLimitWith413BeforeReadingIt() throws Exception {
        PrivateKey laptop = authorized("laptop");
        try (Socket socket = startPush(laptop, signatureFor(laptop, LIMIT + 1), LIMIT + 1)) {
            Answer answer = readAnswer(socket);
            assertThat(answer.status()).as("answer: %s", answer).isEqualTo(413);
            assertThat(answer.problemType()).isEqualTo(RequestSignatureFilter.BODY_TOO_LARGE.toString());
        }
    }

    @Test
    void stopsTakingTheRestOfARefusedBodyInsteadOfSwallowingItAll() throws Exception {
        long declared = 32L * 1024 * 1024;
        PrivateKey stranger = PrivateKey.generate();
        try (Socket socket = startPush(stranger, forgedSignature(stranger), declared)) {
            Answer answer = readAnswer(socket);
            assertThat(answer.status()).isIn(401, 413);
            assertThat(answer.header("connection")).isEqualToIgnoringCase("close");

            long written = writeUntilRefused(socket, declared - RawHttp.BODY_START.length);

            assertThat(written).as("body bytes the node took after refusing").isLessThan(declared - RawHttp.BODY_START.length);
        }
    }

    @Test
    void boundsTheBodiesReadAtOnceEvenForAnAuthorizedDevice() throws Exception {
        PrivateKey tablet = authorized("tablet");
        List<Socket> slow = new ArrayList<>();
        try {
            // Two bodies of the largest size fill the 2 MB budget while their callers dawdle.
            for (int i = 0; i < 2; i++) {
                slow.add(startPush(tablet, signatureFor(tablet, LIMIT), LIMIT));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> reservedBodyBytes() == 2 * LIMIT);

            try (Socket third = startPush(tablet, signatureFor(tablet, LIMIT), LIMIT)) {
                Answer answer = readAnswer(third);
                assertThat(answer.status()).as("third body: %s", answer).isEqualTo(503);
                assertThat(answer.problemType()).isEqualTo(AuthFailure.PROBLEM_BASE + "busy");
                assertThat(answer.header("retry-after")).isNotBlank();
            }
        } finally {
            closeAll(slow);
        }
        // Once the dawdlers are gone their share of the budget is free again.
        await().atMost(Duration.ofSeconds(10)).until(() -> reservedBodyBytes() == 0);
        assertThat(pull(tablet).status()).isEqualTo(200);
    }

    // --- a caller on a raw socket

    /** Sends the head of a push declaring {@code length} body bytes, and only the first few of them. */
    private static Socket startPush(PrivateKey key, Map<String, String> signature, long length) throws IOException {
        URI uri = URI.create(node.url);
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(15_000); // a node that waits for the body would leave the test hanging without it
        RawHttp.sendPushHead(socket, uri.getHost(), uri.getPort(), signature, length);
        return socket;
    }

    /** Well-formed signature headers of {@code key} whose signature is random bytes. */
    private static Map<String, String> forgedSignature(PrivateKey key) {
        Map<String, String> headers = new java.util.LinkedHashMap<>(
                RequestSignature.sign(key, "POST", "/sync/push", node.id, Instant.now(), RawHttp.BODY_START));
        byte[] random = new byte[64];
        new java.security.SecureRandom().nextBytes(random);
        headers.put(RequestSignature.SIGNATURE_HEADER, Base64.getEncoder().encodeToString(random));
        return headers;
    }

    /** Real signature headers for a body of {@code length} bytes that starts with {@link RawHttp#BODY_START}. */
    private static Map<String, String> signatureFor(PrivateKey key, long length) {
        byte[] body = new byte[(int) length];
        System.arraycopy(RawHttp.BODY_START, 0, body, 0, RawHttp.BODY_START.length);
        return RequestSignature.sign(key, "POST", "/sync/push", node.id, Instant.now(), body);
    }

    private static Answer readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        String[] lines = RawHttp.readHead(in).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = readChunked(in);
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int n = Integer.parseInt(size.trim(), 16);
            if (n == 0) {
                line(in);
                return body.toByteArray();
            }
            body.write(in.readNBytes(n));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Writes up to {@code bytes} zeros; answers how many were written before the node closed the connection. */
    private static long writeUntilRefused(Socket socket, long bytes) throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<Long> written = writer.submit(() -> {
                OutputStream out = socket.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                long sent = 0;
                try {
                    while (sent < bytes) {
                        int n = (int) Math.min(chunk.length, bytes - sent);
                        out.write(chunk, 0, n);
                        sent += n;
                    }
                    out.flush();
                } catch (IOException closedByTheNode) {
                    return sent;
                }
                return sent;
            });
            return written.get(60, TimeUnit.SECONDS);
        } finally {
            socket.close();
            writer.shutdownNow();
        }
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    private record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }

        String problemType() {
            JsonNode problem = JSON.readTree(body);
            return problem.path("type").asString();
        }
    }

    // --- over HTTP as usual

    private static long reservedBodyBytes() {
        Node.Response r = node.get("/actuator/metrics/p2psync.rest.body.reserved");
        assertThat(r.status()).as("the reserved-body gauge: %s", r).isEqualTo(200);
        return (long) r.json().get("measurements").get(0).get("value").asDouble();
    }

    private static PrivateKey authorized(String name) {
        PrivateKey key = PrivateKey.generate();
        Node.Response r = node.post("/devices", "{\"deviceId\":\"" + key.peerId() + "\",\"name\":\"" + name + "\"}");
        assertThat(r.status()).as("adding %s: %s", name, r).isEqualTo(201);
        return key;
    }

    private static Node.Response pull(PrivateKey key) {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = RequestSignature.sign(key, "POST", "/sync/pull", node.id, Instant.now(), body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url + "/sync/pull"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json");
        headers.forEach(b::header);
        return Node.send(b);
    }
}
