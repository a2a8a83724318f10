/**
 * The interactive console of the seed (add, get, delete, list, status, peers, info, help, quit) and the command
 * line of the jar: the seed's style ({@code start --port 4002}), {@code --help}, and options refused before
 * anything starts. Reads standard input when it is a terminal or a pipe; {@code --no-console} switches it off for
 * services. Calls the kv, status and peers features, and reads the settings records of every feature by
 * reflection only; nothing depends on it but the application's {@code main}.
 */
package io.p2psync.console;
