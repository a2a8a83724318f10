package io.p2psync.devices;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The admin rule, in one place for every door that applies it (the REST admin guard, health details, the
 * dashboard): a caller on a loopback address is the admin; any other caller must present the admin token.
 * Forwarded-for headers are not trusted: the address is the socket's.
 */
public final class AdminCallers {

    private AdminCallers() {
    }

    /** Whether the caller is on a loopback address or sends {@code Authorization: Bearer <admin token>}. */
    public static boolean isAdmin(HttpServletRequest request, AdminToken token) {
        return isLoopback(request.getRemoteAddr()) || token.matches(bearer(request.getHeader("Authorization")));
    }

    /**
     * Whether {@code address}, an IP literal as {@link HttpServletRequest#getRemoteAddr} gives it, is a loopback
     * address: all of 127.0.0.0/8 and ::1. Anything that is not an IP literal is not.
     */
    public static boolean isLoopback(String address) {
        if (address == null || address.isEmpty()) {
            return false;
        }
        // Only IP literals: getByName would otherwise resolve a name, and getRemoteAddr is always a literal.
        if (!(address.indexOf(':') >= 0 || address.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7);
    }
}
