package io.p2psync;

import io.p2psync.console.LaunchArguments;
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
     * Spring Boot arguments ({@code --server.port=8082}); see {@link LaunchArguments}.
     */
    public static void main(String[] args) {
        String[] springArgs;
        try {
            springArgs = LaunchArguments.toSpringArguments(args);
        } catch (IllegalArgumentException e) {
            System.err.println("p2p-sync: " + e.getMessage());
            System.exit(2);
            return;
        }
        SpringApplication.run(P2pSyncApplication.class, springArgs);
    }
}
