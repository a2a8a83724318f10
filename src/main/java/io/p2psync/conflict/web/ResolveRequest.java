package io.p2psync.conflict.web;

import tools.jackson.databind.JsonNode;

/**
 * Body of {@code POST /conflicts/{id}/resolve}: exactly one of
 *
 * @param strategy {@code local}, {@code remote} or {@code timestamp}: keep that side
 * @param data     the row written by hand, a JSON object of column to value
 */
record ResolveRequest(String strategy, JsonNode data) {
}
