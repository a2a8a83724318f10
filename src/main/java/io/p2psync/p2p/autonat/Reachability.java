package io.p2psync.p2p.autonat;

/** Whether peers can dial this node, as AutoNAT has found out. */
public enum Reachability {
    /** No peer has answered yet whether it could dial this node back. */
    UNKNOWN,
    /** Peers dialled this node back: it is reachable at one of its addresses. */
    PUBLIC,
    /** Peers tried and could not dial this node back: it is behind a NAT or firewall. */
    PRIVATE
}
