package io.fusionstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the client does the way Confluent's does: the latest version cached for
 * latest.cache.ttl.sec, 429 retried, only 40403 meaning "no such schema", and basic credentials
 * from the URL or the Kafka client's SASL settings.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RegistryClientConfluentBehaviourTest {
  private HttpServer server;
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<String> authHeaders = Collections.synchronizedList(new ArrayList<>());

  private record Answer(int status, String body) {}

  private int start(Answer... script) throws IOException {
    AtomicInteger n = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
    server.createContext("/", exchange -> {
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
      authHeaders.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      Answer a = script[Math.min(n.getAndIncrement(), script.length - 1)];
      exchange.getRequestBody().readAllBytes();
      byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(a.status(), bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    return server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static AvroSerdeConfig config(String url, Object... more) {
    Map<String, Object> c = new HashMap<>();
    c.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, url);
    c.put(AvroSerdeConfig.RETRY_BACKOFF_MS, 10);
    for (int i = 0; i < more.length; i += 2) {
      c.put((String) more[i], more[i + 1]);
    }
    return new AvroSerdeConfig(c);
  }

  private static String latest(int version, int id) {
    String schema = TextEvent.getClassSchema().toString().replace("\\", "\\\\").replace("\"", "\\\"");
    return "{\"subject\":\"text-events-value\",\"version\":" + version + ",\"id\":" + id + ",\"schema\":\"" + schema + "\"}";
  }

  @Test
  void theLatestVersionIsCachedUntilItsTtlPasses() throws IOException {
    int port = start(new Answer(200, latest(1, 7)), new Answer(200, latest(2, 9)));
    AtomicLong nanos = new AtomicLong();
    var client = new RestSchemaRegistryClient(config("http://localhost:" + port,
        AvroSerdeConfig.LATEST_CACHE_TTL_SEC, 60L), nanos::get);

    assertThat(client.getLatestVersion("text-events-value").id()).isEqualTo(7);
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(59));
    assertThat(client.getLatestVersion("text-events-value").id()).isEqualTo(7);
    assertThat(requests).hasSize(1);

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
    assertThat(client.getLatestVersion("text-events-value").version()).isEqualTo(2);
    assertThat(requests).hasSize(2);
  }

  @Test
  void byDefaultTheLatestVersionIsKeptAsConfluentKeepsIt() throws IOException {
    int port = start(new Answer(200, latest(1, 7)), new Answer(200, latest(2, 9)));
    AtomicLong nanos = new AtomicLong();
    var client = new RestSchemaRegistryClient(config("http://localhost:" + port), nanos::get);

    client.getLatestVersion("text-events-value");
    nanos.addAndGet(TimeUnit.DAYS.toNanos(365));
    assertThat(client.getLatestVersion("text-events-value").id()).isEqualTo(7);
    assertThat(requests).hasSize(1);
  }

  @Test
  void aZeroTtlAsksEveryTime() throws IOException {
    int port = start(new Answer(200, latest(1, 7)), new Answer(200, latest(2, 9)));
    var client = new RestSchemaRegistryClient(config("http://localhost:" + port, AvroSerdeConfig.LATEST_CACHE_TTL_SEC, 0L));

    client.getLatestVersion("text-events-value");
    assertThat(client.getLatestVersion("text-events-value").id()).isEqualTo(9);
    assertThat(requests).hasSize(2);
  }

  @Test
  void tooManyRequestsIsRetried() throws IOException {
    int port = start(new Answer(429, "{\"error_code\":42901,\"message\":\"Too many requests\"}"),
        new Answer(200, "{\"schema\":\"\\\"string\\\"\"}"));
    var client = new RestSchemaRegistryClient(config("http://localhost:" + port));

    assertThat(client.getSchemaById(3).getType()).isEqualTo(org.apache.avro.Schema.Type.STRING);
    assertThat(requests).hasSize(2);
  }

  @Test
  void onlyErrorCode40403IsSchemaNotFound() throws IOException {
    int port = start(new Answer(404, "{\"error_code\":40403,\"message\":\"Schema 3 not found\"}"),
        new Answer(404, "<html>Not Found</html>"));
    var client = new RestSchemaRegistryClient(config("http://localhost:" + port));

    assertThatThrownBy(() -> client.getSchemaById(3)).isInstanceOfSatisfying(SchemaRegistryException.class,
        e -> assertThat(e.isSchemaNotFound()).isTrue());
    // a wrong path or a proxy answers 404 too, without the registry's code: that is not the record's fault
    assertThatThrownBy(() -> client.getSchemaById(4)).isInstanceOfSatisfying(SchemaRegistryException.class,
        e -> assertThat(e.isSchemaNotFound()).isFalse());
  }

  @Test
  void credentialsInTheUrlAreSentAsBasicAuthAndNotInTheRequestLine() throws IOException {
    int port = start(new Answer(200, "[]"));
    var client = new RestSchemaRegistryClient(config("http://alice:s3cret@localhost:" + port,
        AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "URL",
        RestSchemaRegistryClient.ALLOW_INSECURE_BASIC_AUTH, "true")); // a plain-http test server

    client.getSubjects();

    assertThat(authHeaders).containsExactly(basic("alice:s3cret"));
    assertThat(requests).containsExactly("GET /subjects");
  }

  @Test
  void saslInheritUsesTheKafkaClientsJaasCredentials() throws IOException {
    int port = start(new Answer(200, "[]"));
    var client = new RestSchemaRegistryClient(config("http://localhost:" + port,
        AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "SASL_INHERIT",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"svc-fusion\" password=\"p\\\"w\";",
        RestSchemaRegistryClient.ALLOW_INSECURE_BASIC_AUTH, "true"));

    client.getSubjects();

    assertThat(authHeaders).containsExactly(basic("svc-fusion:p\"w"));
  }

  @Test
  void aCredentialsSourceWithNothingToReadIsAConfigError() {
    assertThatThrownBy(() -> new RestSchemaRegistryClient(config("http://localhost:1",
        AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "URL")))
        .isInstanceOf(ConfigException.class).hasMessageContaining(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
    assertThatThrownBy(() -> new RestSchemaRegistryClient(config("http://localhost:1",
        AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "SASL_INHERIT")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sasl.jaas.config");
    assertThatThrownBy(() -> config("http://localhost:1", AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "TOKEN"))
        .isInstanceOf(ConfigException.class);
  }

  private static String basic(String userInfo) {
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }
}
