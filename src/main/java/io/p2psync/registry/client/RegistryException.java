package io.p2psync.registry.client;

/**
 * A call to the registry that did not succeed.
 *
 * @see #status()
 */
public final class RegistryException extends Exception {

    private final int status;
    private final String problemType;

    RegistryException(int status, String problemType, String message) {
        super(message, null, false, false);
        this.status = status;
        this.problemType = problemType;
    }

    /** The HTTP status the registry answered, or 0 if it did not answer (down, unreachable, timed out, backing off). */
    public int status() {
        return status;
    }

    /** The RFC 9457 problem type of the answer, or null. */
    public String problemType() {
        return problemType;
    }

    /** Whether the registry could not be asked at all (as opposed to refusing the call). */
    public boolean unreachable() {
        return status == 0 || status >= 500;
    }
}
