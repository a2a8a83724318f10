/**
 * The REST API as a whole: the OpenAPI document served at {@code /v3/api-docs} (Swagger UI at
 * {@code /swagger-ui.html}) and the catch-all handler that answers every error no feature handles itself
 * as an RFC 9457 problem body. The per-endpoint documentation (summaries, examples, errors) is kept here in
 * one table rather than as annotations on each feature's controller, so the controllers stay plain and the
 * document is read and reviewed in one place; {@code OpenApiDocumentIT} fails if an endpoint is missing
 * from it. Depends on nothing but Spring and springdoc.
 */
package io.p2psync.api;
