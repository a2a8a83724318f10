package io.p2psync.devices;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The bearer token that admin callers from other addresses must present. Made on first start and kept in
 * {@code <data-dir>/admin.token} (0600), unless set by configuration.
 */
public final class AdminToken {

    static final String FILE = "admin.token";
    /**
     * Characters of the token the start-up log shows, enough to tell which token a node has; 4 of a made
     * token's 43 leave 232 random bits unshown.
     */
    static final int SHOWN = 4;

    private final String token;
    private final boolean configured;

    private AdminToken(String token, boolean configured) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the admin token must not be blank");
        }
        this.token = token.strip();
        this.configured = configured;
    }

    /** Uses {@code configured} if it is set, else the token in {@code dataDir}, made there if absent. */
    static AdminToken loadOrCreate(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            return new AdminToken(configured, true);
        }
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                return new AdminToken(Files.readString(file, StandardCharsets.UTF_8), false);
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.createDirectories(dataDir);
            Path tmp = dataDir.resolve(FILE + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, token, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return new AdminToken(token, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make the admin token in " + dataDir, e);
        }
    }

    /** Whether {@code presented} is the token; compares in constant time. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(
                token.getBytes(StandardCharsets.UTF_8), presented.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The token itself, for tests that call a node from another address; the log shows only {@link #shown()}. */
    public String value() {
        return token;
    }

    /** The start of the token the log shows: {@link #SHOWN} characters, and never half of a short one. */
    String shown() {
        return token.substring(0, Math.min(SHOWN, token.length() / 2));
    }

    boolean configured() {
        return configured;
    }
}
