package io.p2psync.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document at {@code /v3/api-docs}: springdoc reads paths, parameters and schemas from the
 * controllers; this adds what it cannot know — a summary and description per operation, the real success
 * status, request and response examples, and every error as an RFC 9457 problem body
 * ({@code application/problem+json}) — from {@link Endpoints}.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiDocs {

    static final String PROBLEM_JSON = "application/problem+json";
    private static final String JSON = "application/json";
    private static final Logger log = LoggerFactory.getLogger(OpenApiDocs.class);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @Bean
    OpenAPI p2pSyncOpenApi() {
        return new OpenAPI()
                .info(new Info().title("p2p-sync")
                        .description("Keeps SQLite files in sync across one person's devices, device to device. "
                                + "Admin endpoints answer loopback callers; others send `Authorization: Bearer "
                                + "<admin token>`. `/sync/pull` and `/sync/push` are called by other devices with "
                                + "signed requests. Every error is an RFC 9457 problem body.")
                        .version("v1")
                        .license(new License().name("see the repository")))
                .tags(List.of(
                        new Tag().name("key-value").description("The built-in key-value table, synced like any table"),
                        new Tag().name("node").description("This node and its peers"),
                        new Tag().name("devices").description("Pairing: who this device syncs with"),
                        new Tag().name("sync").description("The REST sync protocol between devices, and sync on demand"),
                        new Tag().name("conflicts").description("Concurrent edits and how they were settled"),
                        new Tag().name("messages").description("Signed messages and files to another device")));
    }

    @Bean
    OpenApiCustomizer endpointExamples() {
        return openApi -> {
            Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
            components.addSchemas("Problem", problemSchema());
            openApi.setComponents(components);
            if (openApi.getPaths() == null) {
                return;
            }
            openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
                String key = method.name() + " " + path;
                EndpointDoc doc = Endpoints.ALL.getOrDefault(key, MessagingEndpoints.ALL.get(key));
                if (doc == null) {
                    log.warn("no API documentation for {}; add it to io.p2psync.api.Endpoints", key);
                    return;
                }
                document(path, method, operation, doc);
            }));
        };
    }

    private static void document(String path, PathItem.HttpMethod method, Operation operation, EndpointDoc doc) {
        operation.setTags(List.of(doc.tag()));
        operation.setSummary(doc.summary());
        operation.setDescription(doc.description());
        if (operation.getRequestBody() != null && doc.requestExample() != null) {
            boolean text = path.startsWith("/kv/") && method == PathItem.HttpMethod.PUT;
            Schema<?> schema = firstSchema(operation.getRequestBody().getContent());
            operation.getRequestBody().setContent(new Content().addMediaType(text ? "text/plain" : JSON,
                    new MediaType().schema(text ? new StringSchema() : schema)
                            .example(text ? doc.requestExample() : json(doc.requestExample()))));
        }
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        ApiResponse springdocOk = responses.remove("200");
        Schema<?> schema = springdocOk == null ? null : firstSchema(springdocOk.getContent());
        ApiResponse ok = new ApiResponse().description(switch (doc.status()) {
            case 201 -> "Created";
            case 204 -> "No Content";
            default -> "OK";
        });
        if (doc.responseExample() != null) {
            ok.content(new Content().addMediaType(JSON, new MediaType().schema(schema).example(json(doc.responseExample()))));
        }
        if (path.equals("/devices") && method == PathItem.HttpMethod.POST) {
            responses.addApiResponse("200", new ApiResponse().description("Already known: authorized, name and url updated")
                    .content(ok.getContent()));
        }
        responses.addApiResponse(Integer.toString(doc.status()), ok);
        Map<Integer, List<EndpointDoc.Problem>> byStatus = doc.errors().stream()
                .collect(Collectors.groupingBy(EndpointDoc.Problem::status, LinkedHashMap::new, Collectors.toList()));
        byStatus.forEach((status, problems) -> responses.addApiResponse(Integer.toString(status), problem(problems)));
        responses.addApiResponse("500", problem(List.of(new EndpointDoc.Problem(500,
                "an unexpected failure; the node's log says why", """
                {"title":"Internal Server Error","status":500,\
                "detail":"the node could not answer this request; its log says why","instance":"%s"}"""
                .formatted(path)))));
        operation.setResponses(responses);
    }

    private static ApiResponse problem(List<EndpointDoc.Problem> problems) {
        MediaType media = new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"));
        if (problems.size() == 1) {
            media.example(json(problems.get(0).example()));
        } else {
            for (int i = 0; i < problems.size(); i++) {
                media.addExamples("problem-" + (i + 1), new Example().summary(problems.get(i).when())
                        .value(json(problems.get(i).example())));
            }
        }
        String when = problems.stream().map(EndpointDoc.Problem::when).collect(Collectors.joining("; or "));
        return new ApiResponse().description(Character.toUpperCase(when.charAt(0)) + when.substring(1))
                .content(new Content().addMediaType(PROBLEM_JSON, media));
    }

    /** RFC 9457: type, title, status, detail, instance, and any extension members. */
    private static Schema<?> problemSchema() {
        return new ObjectSchema()
                .description("An RFC 9457 problem body")
                .addProperty("type", new StringSchema().format("uri")
                        .description("a URI naming the kind of problem (urn:p2psync:problem:…); about:blank if absent"))
                .addProperty("title", new StringSchema().description("a short summary of the kind of problem"))
                .addProperty("status", new IntegerSchema().description("the HTTP status"))
                .addProperty("detail", new StringSchema().description("what went wrong this time, for people"))
                .addProperty("instance", new StringSchema().format("uri-reference")
                        .description("the request path"));
    }

    private static Schema<?> firstSchema(Content content) {
        return content == null || content.isEmpty() ? null : content.values().iterator().next().getSchema();
    }

    private static Object json(String text) {
        return MAPPER.readValue(text, Object.class);
    }
}
