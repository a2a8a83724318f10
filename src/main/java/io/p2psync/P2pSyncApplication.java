package io.p2psync;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Starts a p2p-sync node: the SQLite change log, the REST sync API and the libp2p host. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class P2pSyncApplication {

    public static void main(String[] args) {
        SpringApplication.run(P2pSyncApplication.class, args);
    }
}
