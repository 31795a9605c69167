package io.fusionstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fusionstream.schema.TextEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against a scripted fake registry: what it sends, how it retries, what it caches. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RestSchemaRegistryClientTest {
  private HttpServer server;
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<String> authHeaders = Collections.synchronizedList(new ArrayList<>());

  /** One scripted answer per request, the last one repeated. */
  private record Answer(int status, String body) {}

  private String start(Answer... script) throws IOException {
    AtomicInteger n = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
    server.createContext("/", exchange -> {
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
      authHeaders.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      Answer a = script[Math.min(n.getAndIncrement(), script.length - 1)];
      reply(exchange, a);
    });
    server.start();
    return "http://localhost:" + server.getAddress().getPort();
  }

  private static void reply(HttpExchange exchange, Answer a) throws IOException {
    exchange.getRequestBody().readAllBytes();
    byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE);
    exchange.sendResponseHeaders(a.status(), bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static RestSchemaRegistryClient client(String url, Object... more) {
    Map<String, Object> c = new HashMap<>();
    c.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, url);
    c.put(AvroSerdeConfig.RETRY_BACKOFF_MS, 10);
    for (int i = 0; i < more.length; i += 2) {
      c.put((String) more[i], more[i + 1]);
    }
    return new RestSchemaRegistryClient(c);
  }

  private static String schemaJson() {
    return "{\"schema\": " + quoted(TextEvent.getClassSchema().toString()) + "}";
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void retriesServerErrorsWithBackoffUntilOneSucceeds() throws IOException {
    String url = start(
        new Answer(503, "{\"error_code\": 50003, \"message\": \"not the leader\"}"),
        new Answer(503, "<html>proxy says no</html>"),
        new Answer(200, "{\"id\": 7}"));
    assertThat(client(url).register("t-value", TextEvent.getClassSchema())).isEqualTo(7);
    assertThat(requests).hasSize(3).allMatch(r -> r.equals("POST /subjects/t-value/versions"));
  }

  @Test
  void givesUpAfterMaxRetriesWithTheLastServerError() throws IOException {
    String url = start(new Answer(500, "{\"error_code\": 50001, \"message\": \"Error in the backend data store\"}"));
    assertThatThrownBy(() -> client(url, AvroSerdeConfig.MAX_RETRIES, 2).getSchemaById(1))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Error in the backend data store")
        .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(50001));
    assertThat(requests).hasSize(3);
  }

  @Test
  void clientErrorsAreNotRetriedAndKeepTheirCode() throws IOException {
    String url = start(new Answer(404, "{\"error_code\": 40403, \"message\": \"Schema 5 not found\"}"));
    assertThatThrownBy(() -> client(url).getSchemaById(5))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Schema 5 not found")
        .satisfies(e -> {
          SchemaRegistryException sre = (SchemaRegistryException) e;
          assertThat(sre.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
          assertThat(sre.isNotFound()).isTrue();
        });
    assertThat(requests).hasSize(1);
  }

  @Test
  void conflictBecomesIncompatibleSchemaExceptionWhateverItsErrorCode() throws IOException {
    String url = start(new Answer(409, "{\"error_code\": 40901, \"message\": \"Schema being registered is incompatible\"}"));
    assertThatThrownBy(() -> client(url).register("t-value", TextEvent.getClassSchema()))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("incompatible");
    assertThat(requests).hasSize(1);
  }

  @Test
  void unreachableRegistryIsAClearErrorAfterRetries() throws IOException {
    String url = start(new Answer(200, "{}"));
    server.stop(0);
    server = null;
    assertThatThrownBy(() -> client(url, AvroSerdeConfig.MAX_RETRIES, 1).getSubjects())
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("unreachable")
        .hasMessageContaining("2 attempts");
  }

  @Test
  void sendsBasicAuthWhenUserInfoIsSet() throws IOException {
    String url = start(new Answer(200, "[\"a-value\"]"));
    assertThat(client(url, AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
        AvroSerdeConfig.BASIC_AUTH_USER_INFO, "fusion:s3cret",
        RestSchemaRegistryClient.ALLOW_INSECURE_BASIC_AUTH, "true").getSubjects()).containsExactly("a-value");
    String expected = "Basic " + Base64.getEncoder().encodeToString("fusion:s3cret".getBytes(StandardCharsets.UTF_8));
    assertThat(authHeaders).containsExactly(expected);
  }

  @Test
  void refusesBasicAuthOverPlainHttpUnlessAllowed() {
    assertThatThrownBy(() -> client("http://registry.example:8081", AvroSerdeConfig.BASIC_AUTH_USER_INFO, "fusion:s3cret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Refusing to send Schema Registry basic-auth credentials over http://registry.example:8081:"
            + " use https, or set schema.registry.basic.auth.allow.insecure=true")
        .hasMessageNotContaining("s3cret");
    // https with credentials, and http without them, are fine
    client("https://registry.example:8081", AvroSerdeConfig.BASIC_AUTH_USER_INFO, "fusion:s3cret");
    client("http://registry.example:8081");
  }

  @Test
  void unknownIdsAreRememberedSoBogusRecordsCostOneCall() throws IOException {
    String url = start(new Answer(404, "{\"error_code\": 40403, \"message\": \"Schema 77 not found\"}"));
    RestSchemaRegistryClient client = client(url);
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> client.getSchemaById(77)).isInstanceOf(SchemaRegistryException.class)
          .matches(e -> ((SchemaRegistryException) e).isNotFound());
    }
    assertThat(requests).containsExactly("GET /schemas/ids/77");
  }

  @Test
  void anAnswerLargerThanTheBoundIsRefused() throws IOException {
    String huge = "[\"" + "x".repeat(RestSchemaRegistryClient.MAX_RESPONSE_BYTES) + "\"]";
    String url = start(new Answer(200, huge));
    assertThatThrownBy(() -> client(url, AvroSerdeConfig.MAX_RETRIES, 0).getSubjects())
        .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("larger than");
  }

  @Test
  void sendsNoAuthorizationHeaderWithoutCredentials() throws IOException {
    String url = start(new Answer(200, "[]"));
    client(url).getSubjects();
    assertThat(authHeaders).containsExactly("null");
  }

  @Test
  void cachesSchemasByIdAndIdsBySchema() throws IOException {
    String url = start(new Answer(200, schemaJson().replace("{\"schema\"", "{\"id\": 3, \"schema\"")));
    RestSchemaRegistryClient client = client(url);
    assertThat(client.getSchemaById(3)).isEqualTo(TextEvent.getClassSchema());
    assertThat(client.getSchemaById(3)).isEqualTo(TextEvent.getClassSchema());
    assertThat(requests).containsExactly("GET /schemas/ids/3");

    assertThat(client.register("t-value", TextEvent.getClassSchema())).isEqualTo(3);
    assertThat(client.register("t-value", TextEvent.getClassSchema())).isEqualTo(3);
    assertThat(client.getId("t-value", TextEvent.getClassSchema())).isEqualTo(3);
    assertThat(requests).containsExactly("GET /schemas/ids/3", "POST /subjects/t-value/versions");
  }

  @Test
  void failsOverToTheNextUrl() throws IOException {
    String url = start(new Answer(200, "{\"compatibilityLevel\": \"FULL\"}"));
    RestSchemaRegistryClient client = client("http://localhost:1," + url);
    assertThat(client.getCompatibility(null)).isEqualTo(CompatibilityLevel.FULL);
    assertThat(requests).containsExactly("GET /config");
  }
}
