package io.p2psync.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document served by a running node lists every endpoint the node has, each with a summary,
 * examples and its errors as problem bodies. The endpoints expected come from Spring's own handler mapping,
 * so a new controller method without documentation fails here.
 */
// its data dir is its own, so the context is never reused: closed after the class, before JUnit deletes that dir
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenApiDocumentIT {

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("p2psync.data-dir", () -> dataDir.toString());
        registry.add("p2psync.libp2p.enabled", () -> "false");
        registry.add("p2psync.libp2p.mdns", () -> "false");
    }

    @LocalServerPort
    int port;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    private RestClient http;
    private JsonNode document;

    @BeforeEach
    void fetch() {
        http = RestClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> { }).build();
        ResponseEntity<String> response = http.get().uri("/v3/api-docs").retrieve().toEntity(String.class);
        assertThat(response.getStatusCode().value()).isEqualTo(200);
        document = JsonMapper.builder().build().readTree(response.getBody());
    }

    /**
     * {@code "get /kv/{key}"} for every handler method of the service (springdoc's and Boot's own left out, and the
     * dashboard's pages, which are for browsers, not part of the API).
     */
    private List<String> endpointsOfTheNode() {
        List<String> endpoints = new ArrayList<>();
        mappings.getHandlerMethods().forEach((info, method) -> {
            String owner = method.getBeanType().getPackageName();
            if (!owner.startsWith("io.p2psync") || owner.startsWith("io.p2psync.dashboard")) {
                return;
            }
            assertThat(info.getMethodsCondition().getMethods()).as("%s declares its HTTP method", method).isNotEmpty();
            for (String path : info.getPatternValues()) {
                info.getMethodsCondition().getMethods().forEach(m ->
                        endpoints.add(m.name().toLowerCase(Locale.ROOT) + " " + path));
            }
        });
        return endpoints;
    }

    @Test
    void listsEveryEndpointOfTheNode() {
        List<String> endpoints = endpointsOfTheNode();
        assertThat(endpoints).as("the node has its endpoints").contains("get /status", "put /kv/{key}",
                "post /devices", "post /sync/pull", "post /conflicts/{id}/resolve", "get /peers");

        List<String> documented = new ArrayList<>();
        document.get("paths").properties().forEach(path -> path.getValue().properties()
                .forEach(op -> documented.add(op.getKey() + " " + path.getKey())));
        assertThat(documented).containsExactlyInAnyOrderElementsOf(endpoints);
    }

    @Test
    void documentsEachEndpointWithExamplesAndProblemBodies() {
        for (String endpoint : endpointsOfTheNode()) {
            String[] parts = endpoint.split(" ");
            JsonNode op = document.get("paths").get(parts[1]).get(parts[0]);
            assertThat(op.path("summary").asString("")).as("summary of %s", endpoint).isNotBlank();

            JsonNode responses = op.get("responses");
            List<String> success = new ArrayList<>();
            responses.properties().forEach(r -> {
                if (r.getKey().startsWith("2")) {
                    success.add(r.getKey());
                }
            });
            assertThat(success).as("success answers of %s", endpoint).isNotEmpty();
            for (String status : success) {
                JsonNode content = responses.get(status).path("content");
                if (!status.equals("204")) {
                    assertThat(content.path("application/json").has("example"))
                            .as("%s example of %s", status, endpoint).isTrue();
                }
            }
            if (op.has("requestBody")) {
                assertThat(op.get("requestBody").get("content").properties())
                        .as("request example of %s", endpoint)
                        .allSatisfy(media -> assertThat(media.getValue().has("example")).isTrue());
            }
            assertThat(responses.has("500")).as("%s documents 500", endpoint).isTrue();
            responses.properties().forEach(r -> {
                if (r.getKey().startsWith("4") || r.getKey().startsWith("5")) {
                    JsonNode problem = r.getValue().path("content").path(OpenApiDocs.PROBLEM_JSON);
                    assertThat(problem.path("schema").path("$ref").asString(""))
                            .as("%s %s is a problem body", endpoint, r.getKey())
                            .isEqualTo("#/components/schemas/Problem");
                    assertThat(problem.has("example") || problem.has("examples"))
                            .as("%s %s has an example", endpoint, r.getKey()).isTrue();
                }
            });
        }
    }

    @Test
    void servesTheBrowsableUi() {
        ResponseEntity<String> ui = http.get().uri("/swagger-ui/index.html").retrieve().toEntity(String.class);

        assertThat(ui.getStatusCode().value()).isEqualTo(200);
        assertThat(ui.getBody()).contains("Swagger UI");
    }

    @Test
    void answersAnErrorNoFeatureHandlesAsAProblemBody() {
        ResponseEntity<String> missing = http.get().uri("/kv/nothing-here").retrieve().toEntity(String.class);

        assertThat(missing.getStatusCode().value()).isEqualTo(404);
        assertThat(missing.getHeaders().getContentType()).hasToString(OpenApiDocs.PROBLEM_JSON);
        assertThat(missing.getBody()).contains("\"detail\":\"no live entry with key 'nothing-here'\"");
    }
}
