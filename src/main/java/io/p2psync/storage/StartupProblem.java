package io.p2psync.storage;

/**
 * A setting the node cannot start with: which setting, its value, what is wrong and how to fix it. Start-up
 * reports it as one line, with no stack trace at the default log level.
 *
 * @see #line()
 */
public class StartupProblem extends RuntimeException {

    private final String setting;
    private final String value;
    private final String problem;
    private final String fix;

    /**
     * @param setting the property, e.g. {@code p2psync.tables}
     * @param value   the offending value as the user wrote it (or the part of it at fault)
     * @param problem what is wrong, without a trailing full stop
     * @param fix     what to do about it, without a trailing full stop
     */
    public StartupProblem(String setting, String value, String problem, String fix) {
        this(setting, value, problem, fix, null);
    }

    public StartupProblem(String setting, String value, String problem, String fix, Throwable cause) {
        super(setting + "=" + value + ": " + problem + "; fix: " + fix, cause);
        this.setting = setting;
        this.value = value;
        this.problem = problem;
        this.fix = fix;
    }

    public String setting() {
        return setting;
    }

    public String value() {
        return value;
    }

    public String problem() {
        return problem;
    }

    public String fix() {
        return fix;
    }

    /** The one line start-up prints: {@code setting=value: problem; fix: fix}. */
    public String line() {
        return getMessage();
    }
}
