/**
 * Benchmarks that run real libp2p nodes (Java and js-libp2p) on 127.0.0.1 and print a table; run by hand,
 * never by the test suite. How to run them and the latest results: {@code docs/benchmarks.md}.
 */
package io.p2psync.bench;
