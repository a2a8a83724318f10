package io.p2psync.console;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The console, under {@code p2psync.console}.
 *
 * @param enabled read commands from standard input (default true; {@code --no-console} sets it false)
 */
@ConfigurationProperties("p2psync.console")
record ConsoleSettings(@DefaultValue("true") boolean enabled) {
}
