package io.p2psync;

import io.p2psync.storage.StartupProblem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.util.unit.DataSize;

/**
 * Finds the setting at fault in a failed start-up, however deep Spring wrapped it: a {@link StartupProblem}
 * thrown by a feature, a busy HTTP port, or a value that does not bind to its setting's type.
 */
final class StartupFailures {

    private StartupFailures() {
    }

    /** @return the problem to report, or empty if the failure is not a setting's (then Spring Boot reports it) */
    static Optional<StartupProblem> explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StartupProblem problem) {
                return Optional.of(problem);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof PortInUseException busy) {
                return Optional.of(new StartupProblem("server.port", String.valueOf(busy.getPort()),
                        "another program already listens on this port",
                        "stop that program, or choose another port with --server.port (--http-port); 0 picks a free one",
                        busy));
            }
            if (t instanceof BindException bind) {
                return Optional.of(unbindable(bind));
            }
        }
        return Optional.empty();
    }

    /** A value that does not fit its setting: the outermost BindException names the property that failed. */
    private static StartupProblem unbindable(BindException bind) {
        String setting = bind.getName().toString();
        Object value = bind.getProperty() == null ? null : bind.getProperty().getValue();
        Class<?> type = bind.getTarget().getType().resolve(Object.class);
        Throwable cause = bind.getCause();
        boolean conversion = false;
        for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
            conversion |= t instanceof ConversionFailedException;
        }
        if (conversion) {
            Expected expected = expected(type);
            return new StartupProblem(setting, String.valueOf(value), "cannot be read as " + expected.kind(),
                    "write " + expected.example(), bind);
        }
        Throwable root = cause;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root == null || root.getMessage() == null ? String.valueOf(root) : root.getMessage();
        return new StartupProblem(setting, value == null ? "(as configured)" : String.valueOf(value),
                "cannot be used: " + reason, "correct the setting (the README's configuration table lists each)", bind);
    }

    /** What a value of {@code type} is, and what one looks like. */
    private record Expected(String kind, String example) {
    }

    private static Expected expected(Class<?> type) {
        if (type == Duration.class) {
            return new Expected("a duration", "a number with a unit, such as 200ms, 5s, 1m or 2h");
        }
        if (type == DataSize.class) {
            return new Expected("a size", "a number with a unit, such as 256B, 64KB or 1MB");
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return new Expected("a whole number", "digits only, such as 100");
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return new Expected("a number", "a number such as 0.5");
        }
        if (type == boolean.class || type == Boolean.class) {
            return new Expected("true or false", "true or false");
        }
        if (type.isEnum()) {
            return new Expected("one of its choices", "one of " + Arrays.stream(type.getEnumConstants())
                    .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining(", ")));
        }
        if (type == Path.class) {
            return new Expected("a file path", "a file path");
        }
        return new Expected("a " + type.getSimpleName(), "a valid " + type.getSimpleName());
    }
}
