package io.p2psync.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * What the dashboard hands a browser, signed with a key made at start (HMAC-SHA256), so nothing is kept per
 * browser on the node: the CSRF token of a browser id, and a login that lasts until a given time. A restart
 * makes a new key, which ends every login and voids every open form. One per node, shared by the door and
 * the login. Thread-safe.
 */
@Component
final class BrowserTokens {

    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** A browser id: 16 random bytes, base64url. */
    private static final int BROWSER_ID_LENGTH = 22;

    private final SecretKeySpec key;

    BrowserTokens() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** A new random browser id, kept in the browser's cookie. */
    static String newBrowserId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return BASE64.encodeToString(id);
    }

    /** Whether {@code text} has the shape of a browser id (a cookie may hold anything). */
    static boolean isBrowserId(String text) {
        return text != null && text.length() == BROWSER_ID_LENGTH
                && text.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_');
    }

    /** The token every form of this browser carries. */
    String csrfToken(String browserId) {
        return mac("csrf|" + browserId);
    }

    boolean isCsrfToken(String browserId, String presented) {
        return presented != null && same(csrfToken(browserId), presented);
    }

    /** A login of {@code browserId} valid until {@code expiry}: {@code <epoch seconds>.<signature>}. */
    String login(String browserId, Instant expiry) {
        long until = expiry.getEpochSecond();
        return until + "." + mac("login|" + browserId + "|" + until);
    }

    /** Whether {@code presented} is a login this node signed for {@code browserId} that has not expired at {@code now}. */
    boolean isLogin(String browserId, String presented, Instant now) {
        if (presented == null) {
            return false;
        }
        int dot = presented.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long until;
        try {
            until = Long.parseLong(presented.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        return now.getEpochSecond() < until && same(login(browserId, Instant.ofEpochSecond(until)), presented);
    }

    private String mac(String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return BASE64.encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static boolean same(String expected, String presented) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
