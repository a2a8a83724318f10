package io.p2psync.registry.server;

import java.time.Clock;

/**
 * The clock the registry judges presence, signature windows and rate windows by: the system's, unless a bean of this
 * type says otherwise (tests move time on by hand). Its own type, so that replacing it never touches the clock of
 * the rest of the node.
 */
record RegistryClock(Clock clock) {
}
