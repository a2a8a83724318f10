package io.p2psync.p2p.core;

import java.util.StringJoiner;

/**
 * Parses and prints IP address literals without ever asking DNS (which {@code InetAddress.getByName}
 * would do for anything that is not a literal).
 */
final class IpLiterals {

    private IpLiterals() {
    }

    static byte[] parseIp4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new MultiaddrException("bad /ip4 address '" + text + "'");
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255) {
                throw new MultiaddrException("bad /ip4 address '" + text + "'");
            }
            out[i] = (byte) Integer.parseInt(parts[i]);
        }
        return out;
    }

    static String formatIp4(byte[] b) {
        return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
    }

    /** Accepts the RFC 4291 text forms, including {@code ::} and a trailing dotted IPv4; no zone id. */
    static byte[] parseIp6(String text) {
        MultiaddrException bad = new MultiaddrException("bad /ip6 address '" + text + "'");
        if (text.isEmpty() || text.indexOf('%') >= 0 || text.indexOf(":::") >= 0) {
            throw bad;
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            throw bad;
        }
        int[] head = groups(gap >= 0 ? text.substring(0, gap) : text, bad);
        int[] tail = gap >= 0 ? groups(text.substring(gap + 2), bad) : new int[0];
        int total = head.length + tail.length;
        if (gap < 0 ? total != 8 : total > 7) {
            throw bad;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            out[2 * i] = (byte) (head[i] >> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tail.length; i++) {
            int at = 8 - tail.length + i;
            out[2 * at] = (byte) (tail[i] >> 8);
            out[2 * at + 1] = (byte) tail[i];
        }
        return out;
    }

    /** 16-bit groups of one side of "::"; a trailing dotted IPv4 counts as two groups. */
    private static int[] groups(String part, MultiaddrException bad) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] texts = part.split(":", -1);
        boolean dotted = texts[texts.length - 1].indexOf('.') >= 0;
        int[] out = new int[texts.length + (dotted ? 1 : 0)];
        for (int i = 0; i < texts.length; i++) {
            String g = texts[i];
            if (dotted && i == texts.length - 1) {
                byte[] v4 = parseIp4(g);
                out[i] = ((v4[0] & 0xFF) << 8) | (v4[1] & 0xFF);
                out[i + 1] = ((v4[2] & 0xFF) << 8) | (v4[3] & 0xFF);
            } else if (g.matches("[0-9a-fA-F]{1,4}")) {
                out[i] = Integer.parseInt(g, 16);
            } else {
                throw bad;
            }
        }
        return out;
    }

    /** RFC 5952 form: lower case, no leading zeros, the longest run of two or more zero groups as "::". */
    static String formatIp6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestStart < 0) {
            StringJoiner all = new StringJoiner(":");
            for (int v : g) {
                all.add(Integer.toHexString(v));
            }
            return all.toString();
        }
        StringJoiner left = new StringJoiner(":");
        for (int i = 0; i < bestStart; i++) {
            left.add(Integer.toHexString(g[i]));
        }
        StringJoiner right = new StringJoiner(":");
        for (int i = bestStart + bestLength; i < 8; i++) {
            right.add(Integer.toHexString(g[i]));
        }
        return left + "::" + right;
    }

    static java.net.InetAddress toInetAddress(Multiaddr.Component component) {
        byte[] bytes = component.protocol() == MultiaddrProtocol.IP4
                ? parseIp4(component.value()) : parseIp6(component.value());
        try {
            return java.net.InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new MultiaddrException("bad address " + component, e);
        }
    }
}
