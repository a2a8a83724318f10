package io.p2psync.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Once the node is up, reads console commands from standard input on a daemon thread, unless
 * {@code p2psync.console.enabled} is false. {@code quit} stops the node; the end of the input (a closed
 * pipe, {@code /dev/null}, a detached container) only ends the console, and the node keeps serving.
 *
 * <p>From then on the console owns standard output: it puts a {@link ConsoleOutput} in place of
 * {@code System.out}, so its answers and the log lines written there never share a line. (Without the console,
 * standard output stays as it was.)
 */
@Component
class ConsoleRunner {

    private static final Logger log = LoggerFactory.getLogger(ConsoleRunner.class);

    private final ConsoleSettings settings;
    private final ConsoleCommands commands;
    private final ApplicationContext context;

    ConsoleRunner(ConsoleSettings settings, ConsoleCommands commands, ApplicationContext context) {
        this.settings = settings;
        this.commands = commands;
        this.context = context;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (!settings.enabled()) {
            return;
        }
        Thread thread = new Thread(this::run, "console");
        thread.setDaemon(true); // never keeps the JVM alive on its own
        thread.start();
    }

    private void run() {
        Charset charset = Charset.defaultCharset();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, charset));
        // A prompt only helps a person at a terminal; in a pipe it would clutter every answer.
        ConsoleOutput out = new ConsoleOutput(System.out, charset, System.console() != null).install();
        boolean quit;
        try {
            quit = new Console(commands.all()).run(in, out);
        } catch (IOException e) {
            log.warn("console stopped: cannot read standard input: {}", e.getMessage());
            return;
        }
        if (quit) {
            log.info("stopping the node: quit typed at the console");
            System.exit(SpringApplication.exit(context));
        }
    }
}
