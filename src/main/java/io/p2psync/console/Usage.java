package io.p2psync.console;

/**
 * The text of {@code java -jar p2p-sync.jar --help}. Names the options a person sets when starting a node by
 * hand or as a service; every other setting is in the README's configuration table, which
 * {@code ConfigurationReferenceTest} keeps complete. {@code LaunchArgumentsTest} checks that every option shown
 * here is accepted.
 */
final class Usage {

    static final String TEXT = """
            Usage: java -jar p2p-sync.jar [start] [options]    run a node (the default)
                   java -jar p2p-sync.jar remove [options]     take the node's tables and triggers out of
                                                               the app's SQLite file again, then end
                   java -jar p2p-sync.jar --help               this text

            Options:
              --data-dir DIR        where the device key and the admin token are kept (p2psync.data-dir,
                                    default ./data)
              --database FILE       the app's SQLite file, used in place (p2psync.database, default
                                    <data-dir>/p2psync.db)
              --http-port N         the REST port (server.port, default 8080; 0 picks a free one)
              --port N              the libp2p port, TCP and QUIC (p2psync.libp2p.port, default 4001)
              --no-console          do not read commands from standard input (for services)
              -h, --help            print this text and end

            Settings, as --name=value (a YAML file of them with --spring.config.additional-location):
              --p2psync.tables=notes,todo           the app's tables to sync (each needs a primary key)
              --p2psync.device-name=laptop          a name for people, shown to peers (default: host name)
              --p2psync.peers=ID@http://HOST:8080   peers to sync with, comma-separated
              --p2psync.data-dir=DIR                as --data-dir
              --p2psync.database=FILE               as --database
              --server.port=8080                    as --http-port
              --server.address=100.101.12.7         listen for REST on this address only
              --p2psync.libp2p.enabled=false        no live network (libp2p, gossip)
              --p2psync.libp2p.mdns=false           do not look for peers on the LAN
              --p2psync.tailscale.enabled=true      suggest the tailnet's devices as peers
              --p2psync.sync.interval=5m            time between catch-up rounds with every peer
              --p2psync.console.enabled=false       as --no-console
              --spring.config.additional-location=file:node.yml
                                                    read settings from this file too
              --logging.level.io.p2psync=DEBUG      more detail in the log

            Every p2psync.* setting, with its default, is in README.md ("Configuration"); running a node
            as a service, the command line's rules and the exit codes are in docs/operations.md. Settings
            can also come from the environment (P2PSYNC_DATA_DIR=/data) or an application.yml beside the
            jar. Other Spring Boot properties (server.*, spring.*, logging.*) work as --name=value too;
            a --p2psync.* name that is no setting, and any other option not listed here, are refused.

            Exit codes: 0 done (--help, remove, quit at the console), 1 the node could not start (one
            line says which setting), 2 a mistake on the command line; a node stopped by a signal ends
            as the JVM does (143 for SIGTERM, 130 for Ctrl-C).
            """;

    private Usage() {
    }
}
