/**
 * The interactive console of the seed (add, get, delete, list, status, peers, info, help, quit) and the
 * seed-style command line ({@code start --port 4002}). Reads standard input when it is a terminal or a
 * pipe; {@code --no-console} switches it off for services. Calls the kv, status and peers features;
 * nothing depends on it.
 */
package io.p2psync.console;
