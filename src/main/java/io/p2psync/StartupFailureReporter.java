package io.p2psync;

import io.p2psync.storage.StartupProblem;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootExceptionReporter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports a start-up that failed because of a setting as one line on standard error: the setting, its value,
 * what is wrong and the fix ({@link StartupProblem#line()}), with no stack trace. The trace is logged at DEBUG
 * ({@code --logging.level.io.p2psync=DEBUG}). Failures that are not a setting's are left to Spring Boot's own
 * reporting. Registered in {@code META-INF/spring.factories}, ahead of Spring Boot's failure analyzers.
 *
 * <p>Spring also logs the failure while it closes the context (a WARN of the context, an ERROR of Tomcat's
 * initializers when a filter bean failed); application.yml turns those two loggers down, since this line
 * or Spring Boot's report always follows them.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
final class StartupFailureReporter implements SpringBootExceptionReporter {

    private static final Logger log = LoggerFactory.getLogger(StartupFailureReporter.class);

    @Override
    public boolean reportException(Throwable failure) {
        Optional<StartupProblem> problem = StartupFailures.explain(failure);
        if (problem.isEmpty()) {
            return false;
        }
        System.err.println("p2p-sync cannot start: " + problem.get().line());
        System.err.flush();
        log.debug("start-up failed", failure);
        return true;
    }
}
