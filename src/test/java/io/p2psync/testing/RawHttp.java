package io.p2psync.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP by hand on a raw socket, for tests of callers that misbehave: a {@code POST /sync/push} whose body
 * stops after its first bytes (the caller decides when, or whether, the rest follows), and the head of an
 * answer read byte by byte, its body left unread.
 */
public final class RawHttp {

    /** The start of every push body: what a caller sends before its entries. */
    public static final byte[] BODY_START = "{\"format\":1,\"entries\":[".getBytes(StandardCharsets.UTF_8);

    private RawHttp() {
    }

    /**
     * Writes the head (with {@code signature}'s headers and a {@code Content-Length} of {@code declared})
     * and {@link #BODY_START}, and flushes.
     */
    public static void sendPushHead(Socket socket, String host, int port, Map<String, String> signature, long declared)
            throws IOException {
        StringBuilder head = new StringBuilder("POST /sync/push HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(declared).append("\r\n");
        signature.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(BODY_START);
        out.flush();
    }

    /** The status line and headers of an answer, up to and without the empty line; its body is left unread. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before an answer: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        return text.substring(0, text.length() - 4);
    }
}
