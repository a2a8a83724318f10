package io.p2psync;

import io.p2psync.console.LaunchArguments;
import io.p2psync.storage.RemoveCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Starts a p2p-sync node: the SQLite change log, the REST sync API and the libp2p host. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class P2pSyncApplication {

    /**
     * Accepts the seed's command line ({@code start --port 4002 --http-port 8082 --no-console}) as well as
     * Spring Boot arguments ({@code --server.port=8082}), the {@code remove} command and {@code --help}; see
     * {@link LaunchArguments}. Ends the process with 0 after the usage, 2 for a command line with mistakes (each
     * named, then the usage, on standard error; nothing started) and 1 for a start that failed (reported as one
     * line by {@link StartupFailureReporter} when a setting is at fault).
     */
    public static void main(String[] args) {
        LaunchArguments.Launch launch = LaunchArguments.parse(args);
        if (launch instanceof LaunchArguments.Help) {
            System.out.print(LaunchArguments.usage());
            System.out.flush();
            return;
        }
        if (launch instanceof LaunchArguments.Refused refused) {
            refused.problems().forEach(problem -> System.err.println("p2p-sync: " + problem));
            System.err.println();
            System.err.print(LaunchArguments.usage());
            System.err.flush();
            System.exit(2);
            return;
        }
        LaunchArguments.Run run = (LaunchArguments.Run) launch;
        String[] springArgs = run.springArguments().toArray(String[]::new);
        if (run.command() == LaunchArguments.Command.REMOVE) {
            System.exit(RemoveCommand.run(springArgs));
            return;
        }
        try {
            SpringApplication.run(P2pSyncApplication.class, springArgs);
        } catch (SpringApplication.AbandonedRunException e) {
            throw e; // not a failure: a tool (AOT processing, a test hook) stopped the run on purpose
        } catch (RuntimeException e) {
            // Already reported. Exit rather than return: threads a half-started node made must not keep it alive.
            System.exit(1);
        }
    }
}
