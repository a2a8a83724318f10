package io.p2psync.kv;

/**
 * A key or value over its limit ({@link KvSettings}). Over HTTP a key is answered 400 and a value 413;
 * the console prints the message.
 */
public class KvLimitException extends IllegalArgumentException {

    private final boolean value;

    KvLimitException(boolean value, String message) {
        super(message);
        this.value = value;
    }

    /** True if the value was too large, false if the key was too long. */
    public boolean valueTooLarge() {
        return value;
    }
}
