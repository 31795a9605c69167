package io.fusionstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fusionstream.serde.CompatibilityLevel;
import io.fusionstream.serde.SchemaVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry's HTTP API as a browser or a hostile client would meet it; no Kafka needed. */
class RegistryApiSecurityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String SCHEMA_BODY = "{\"schema\": \"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\","
      + "\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"int\\\"}]}\"}";

  private HttpServer server;

  private String serve(SchemaStore store, RegistryApi.Limits limits) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    server.createContext("/", new RegistryApi(store, BasicAuth.none(), limits));
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static HttpResponse<String> post(String url, String contentType, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void writesWithoutAJsonContentTypeAreRefusedWith415() throws Exception {
    SchemaStore store = new SchemaStore();
    String base = serve(store, RegistryApi.Limits.defaults());

    HttpResponse<String> plain = post(base + "/subjects/s-value/versions", "text/plain", SCHEMA_BODY);
    assertThat(plain.statusCode()).isEqualTo(415);
    assertThat(JSON.readTree(plain.body()).get("error_code").asInt()).isEqualTo(415);
    assertThat(post(base + "/subjects/s-value/versions", "application/x-www-form-urlencoded", SCHEMA_BODY)
        .statusCode()).isEqualTo(415);
    HttpResponse<String> config = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/config"))
        .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"NONE\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(config.statusCode()).isEqualTo(415);
    assertThat(store.subjects()).isEmpty();
    assertThat(store.levelOf(null)).isEqualTo(CompatibilityLevel.BACKWARD);

    assertThat(post(base + "/subjects/s-value/versions", "application/vnd.schemaregistry.v1+json", SCHEMA_BODY)
        .statusCode()).isEqualTo(200);
    assertThat(post(base + "/subjects/t-value/versions", "application/json; charset=utf-8", SCHEMA_BODY)
        .statusCode()).isEqualTo(200);
  }

  @Test
  void anInternalErrorAnswersAGenericBodyWithACode() throws Exception {
    SchemaStore store = new SchemaStore();
    store.setListener(new SchemaStore.Listener() {
      @Override
      public void schemaRegistered(SchemaVersion version) {
        throw new IllegalStateException("broker kafka-internal-7.corp:9093 refused with secret detail");
      }

      @Override
      public void compatibilitySet(String subjectOrNull, CompatibilityLevel level) {}
    });
    String base = serve(store, RegistryApi.Limits.defaults());

    HttpResponse<String> answer = post(base + "/subjects/s-value/versions", "application/json", SCHEMA_BODY);

    assertThat(answer.statusCode()).isEqualTo(500);
    JsonNode body = JSON.readTree(answer.body());
    assertThat(body.get("error_code").asInt()).isEqualTo(RegistryApi.INTERNAL_ERROR);
    assertThat(body.get("message").asText()).startsWith("Internal server error (reference ")
        .doesNotContain("kafka-internal", "IllegalStateException");
  }

  @Test
  void registrationsBeyondTheLimitsAreRefused() throws Exception {
    SchemaStore store = new SchemaStore();
    store.setCompatibility(null, CompatibilityLevel.NONE);
    String base = serve(store, new RegistryApi.Limits(1, 2));
    String ct = "application/json";

    assertThat(post(base + "/subjects/a/versions", ct, SCHEMA_BODY).statusCode()).isEqualTo(200);
    HttpResponse<String> second = post(base + "/subjects/b/versions", ct, SCHEMA_BODY);
    assertThat(second.statusCode()).isEqualTo(422);
    assertThat(JSON.readTree(second.body()).get("error_code").asInt()).isEqualTo(RegistryApi.LIMIT_REACHED);
    assertThat(post(base + "/subjects/a/versions", ct, SCHEMA_BODY.replace("int", "long")).statusCode())
        .isEqualTo(200);
    assertThat(post(base + "/subjects/a/versions", ct, SCHEMA_BODY.replace("int", "string")).statusCode())
        .isEqualTo(422);
    assertThat(post(base + "/subjects/a/versions", ct, SCHEMA_BODY).statusCode())
        .as("a schema already registered is answered, limit or not").isEqualTo(200);
    assertThat(store.versions("a")).hasSize(2);
  }

  @Test
  void refusesToServeBeyondLoopbackWithoutAuth() {
    assertThatThrownBy(() -> EmbeddedSchemaRegistry.builder("127.0.0.1:1").host("0.0.0.0").port(0).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("without authentication");
    assertThat(EmbeddedSchemaRegistry.isLoopback("localhost")).isTrue();
    assertThat(EmbeddedSchemaRegistry.isLoopback("::1")).isTrue();
    assertThat(EmbeddedSchemaRegistry.isLoopback("0.0.0.0")).isFalse();
  }
}
