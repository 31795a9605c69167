package io.fusionstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroDeserializer;
import io.fusionstream.serde.AvroSerdeConfig;
import io.fusionstream.serde.AvroSerdes;
import io.fusionstream.serde.CompatibilityLevel;
import io.fusionstream.serde.IncompatibleSchemaException;
import io.fusionstream.serde.RestSchemaRegistryClient;
import io.fusionstream.serde.SampleRecords;
import io.fusionstream.serde.SchemaRegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The registry over real HTTP on a real broker: one broker for the class, one schema topic per
 * test (named after it) so tests do not see each other's schemas.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EmbeddedSchemaRegistryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CT = "application/vnd.schemaregistry.v1+json";
  private static EmbeddedKafka kafka;
  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private String topic;
  private EmbeddedSchemaRegistry registry;
  private RestSchemaRegistryClient client;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.startTemporary();
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void startRegistry(TestInfo test) {
    topic = "_schemas-" + test.getTestMethod().orElseThrow().getName();
    registry = start();
    client = clientOf(registry);
  }

  @AfterEach
  void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private EmbeddedSchemaRegistry start() {
    return EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).topic(topic).start();
  }

  private static RestSchemaRegistryClient clientOf(EmbeddedSchemaRegistry r) {
    return new RestSchemaRegistryClient(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, r.url()));
  }

  private record Answer(int status, JsonNode body, String contentType) {}

  private Answer call(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(registry.url() + path)).timeout(Duration.ofSeconds(30));
    req.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      req.header("Content-Type", CT);
    }
    HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(resp.statusCode(), JSON.readTree(resp.body()), resp.headers().firstValue("Content-Type").orElse(""));
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static Schema withExtraField(Schema schema, String fieldJson) {
    String json = schema.toString();
    return new Schema.Parser().parse(json.substring(0, json.lastIndexOf(']')) + "," + fieldJson + "]}");
  }

  @Test
  void registeringTheSameSchemaAgainOrUnderAnotherSubjectKeepsItsId() throws Exception {
    Answer first = call("POST", "/subjects/text-events-value/versions", schemaBody(TextEvent.getClassSchema()));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.contentType()).isEqualTo(CT);
    int id = first.body().get("id").asInt();
    assertThat(first.body().size()).as("only the id").isEqualTo(1);

    assertThat(call("POST", "/subjects/text-events-value/versions", schemaBody(TextEvent.getClassSchema())).body())
        .isEqualTo(JSON.createObjectNode().put("id", id));
    assertThat(client.register("archive-value", TextEvent.getClassSchema())).isEqualTo(id);
    assertThat(client.register("audio-chunks-value", AudioChunkEvent.getClassSchema())).isNotEqualTo(id);

    assertThat(client.getVersions("text-events-value")).containsExactly(1);
    assertThat(client.getSubjects()).containsExactlyInAnyOrder("text-events-value", "archive-value", "audio-chunks-value");
    Answer byId = call("GET", "/schemas/ids/" + id, null);
    assertThat(byId.status()).isEqualTo(200);
    assertThat(new Schema.Parser().parse(byId.body().get("schema").asText())).isEqualTo(TextEvent.getClassSchema());
  }

  @Test
  void lookupVersionsAndLatestAnswerAsTheProtocolSays() throws Exception {
    Schema v1 = TextEvent.getClassSchema();
    Schema v2 = withExtraField(v1, "{\"name\": \"priority\", \"type\": \"int\", \"default\": 0}");
    int id1 = client.register("t-value", v1);
    int id2 = client.register("t-value", v2);

    Answer lookup = call("POST", "/subjects/t-value", schemaBody(v1));
    assertThat(lookup.status()).isEqualTo(200);
    assertThat(lookup.body().get("subject").asText()).isEqualTo("t-value");
    assertThat(lookup.body().get("id").asInt()).isEqualTo(id1);
    assertThat(lookup.body().get("version").asInt()).isEqualTo(1);
    assertThat(new Schema.Parser().parse(lookup.body().get("schema").asText())).isEqualTo(v1);

    assertThat(call("GET", "/subjects/t-value/versions", null).body().toString()).isEqualTo("[1,2]");
    Answer latest = call("GET", "/subjects/t-value/versions/latest", null);
    assertThat(latest.body().get("version").asInt()).isEqualTo(2);
    assertThat(latest.body().get("id").asInt()).isEqualTo(id2);
    assertThat(client.getVersion("t-value", 1).id()).isEqualTo(id1);
    assertThat(client.getLatestVersion("t-value").schema()).isEqualTo(v2);
    assertThat(client.getId("t-value", v2)).isEqualTo(id2);
  }

  @Test
  void errorsCarryConfluentCodesAndBodies() throws Exception {
    client.register("t-value", TextEvent.getClassSchema());
    assertError(call("GET", "/subjects/missing-value/versions", null), 404, 40401, "missing-value");
    assertError(call("GET", "/subjects/t-value/versions/9", null), 404, 40402, "9");
    assertError(call("GET", "/schemas/ids/12345", null), 404, 40403, "12345");
    assertError(call("POST", "/subjects/t-value", schemaBody(AudioChunkEvent.getClassSchema())), 404, 40403, "t-value");
    assertError(call("POST", "/subjects/nope-value", schemaBody(AudioChunkEvent.getClassSchema())), 404, 40401, "nope-value");
    assertError(call("POST", "/subjects/t-value/versions", "{\"schema\": \"{not avro\"}"), 422, 42201, "Invalid schema");
    assertError(call("POST", "/subjects/t-value/versions",
        "{\"schema\": \"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"int\\\",\\\"default\\\":\\\"x\\\"}]}\"}"),
        422, 42201, "Invalid");
    assertError(call("POST", "/subjects/t-value/versions", "{\"schema\": \"syntax = \\\"proto3\\\";\", \"schemaType\": \"PROTOBUF\"}"),
        422, 42201, "PROTOBUF");
    assertError(call("PUT", "/config", "{\"compatibility\": \"SIDEWAYS\"}"), 422, 42203, "SIDEWAYS");
    assertError(call("POST", "/subjects/t-value/versions", "not json"), 400, 400, "Malformed");
    assertError(call("GET", "/nowhere", null), 404, 404, "/nowhere");

    assertThatThrownBy(() -> client.getSchemaById(12345)).isInstanceOf(SchemaRegistryException.class)
        .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));
  }

  private static void assertError(Answer a, int status, int code, String messagePart) {
    assertThat(a.status()).as(a.body().toString()).isEqualTo(status);
    assertThat(a.contentType()).isEqualTo(CT);
    assertThat(a.body().get("error_code").asInt()).isEqualTo(code);
    assertThat(a.body().get("message").asText()).contains(messagePart);
  }

  @Test
  void incompatibleRegistrationIs409AndIncompatibleSchemaExceptionWithTheReason() throws Exception {
    client.register("text-events-value", TextEvent.getClassSchema());
    Schema breaking = withExtraField(TextEvent.getClassSchema(), "{\"name\": \"priority\", \"type\": \"int\"}");

    Answer raw = call("POST", "/subjects/text-events-value/versions", schemaBody(breaking));
    assertThat(raw.status()).isEqualTo(409);
    assertThat(raw.body().get("message").asText()).contains("incompatible").contains("priority");

    assertThatThrownBy(() -> client.register("text-events-value", breaking))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("incompatible with an earlier schema")
        .hasMessageContaining("BACKWARD")
        .hasMessageContaining("priority");
    assertThat(client.getVersions("text-events-value")).containsExactly(1);

    Answer check = call("POST", "/compatibility/subjects/text-events-value/versions/latest", schemaBody(breaking));
    assertThat(check.status()).isEqualTo(200);
    assertThat(check.body().get("is_compatible").asBoolean()).isFalse();
    assertThat(check.body().get("messages").toString()).contains("priority");
    Answer ok = call("POST", "/compatibility/subjects/text-events-value/versions/1",
        schemaBody(withExtraField(TextEvent.getClassSchema(), "{\"name\": \"priority\", \"type\": \"int\", \"default\": 0}")));
    assertThat(ok.body().get("is_compatible").asBoolean()).isTrue();
    assertThat(ok.body().get("messages")).isEmpty();
    assertThat(client.testCompatibility("text-events-value", breaking)).isFalse();
    assertThat(client.testCompatibility("brand-new-value", breaking)).as("nothing to break yet").isTrue();
  }

  @Test
  void recordsOfOldAndNewVersionsReadBothWaysOverHttp() {
    // v1: no `source` yet, and a `dropped` field v2 no longer has; both optional with defaults
    Schema v1 = new Schema.Parser().parse("""
        {"type": "record", "name": "TextEvent", "namespace": "io.fusionstream.schema", "fields": [
          {"name": "session_id", "type": "string"},
          {"name": "event_id", "type": "string"},
          {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "text", "type": "string"},
          {"name": "language", "type": ["null", "string"], "default": null},
          {"name": "dropped", "type": ["null", "string"], "default": null}
        ]}""");
    GenericRecord old = new GenericData.Record(v1);
    old.put("session_id", "s");
    old.put("event_id", "e");
    old.put("timestamp", 5L);
    old.put("text", "from v1");
    old.put("dropped", "gone in v2");
    byte[] oldBytes = AvroSerdes.generic(client).serializer().serialize("text-events", old);
    byte[] newBytes = AvroSerdes.specific(client, TextEvent.class).serializer().serialize("text-events", SampleRecords.text());

    TextEvent read = AvroSerdes.specific(client, TextEvent.class).deserializer().deserialize("text-events", oldBytes);
    assertThat(read.getText()).isEqualTo("from v1");
    assertThat(read.getSource()).isNull();
    GenericRecord asV1 = new AvroDeserializer<GenericRecord>(client, v1).deserialize("text-events", newBytes);
    assertThat(asV1.get("dropped")).as("default of the field the writer lacked").isNull();
    assertThat(asV1.get("text").toString()).isEqualTo(SampleRecords.text().getText());
  }

  @Test
  void configEndpointsSetAndReadLevels() throws Exception {
    assertThat(call("GET", "/config", null).body()).isEqualTo(JSON.createObjectNode().put("compatibilityLevel", "BACKWARD"));
    Answer put = call("PUT", "/config/t-value", "{\"compatibility\": \"FULL\"}");
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.body()).isEqualTo(JSON.createObjectNode().put("compatibility", "FULL"));
    assertThat(call("GET", "/config/t-value", null).body().get("compatibilityLevel").asText()).isEqualTo("FULL");
    assertError(call("GET", "/config/other-value", null), 404, 40408, "other-value");
    assertThat(call("GET", "/config/other-value?defaultToGlobal=true", null).body().get("compatibilityLevel").asText())
        .isEqualTo("BACKWARD");

    client.setCompatibility(null, CompatibilityLevel.NONE);
    assertThat(client.getCompatibility(null)).isEqualTo(CompatibilityLevel.NONE);
    assertThat(client.getCompatibility("other-value")).isEqualTo(CompatibilityLevel.NONE);
    assertThat(client.getCompatibility("t-value")).isEqualTo(CompatibilityLevel.FULL);
  }

  @Test
  void idsVersionsAndLevelsSurviveARestartOnTheSameTopic() {
    int text = client.register("text-events-value", TextEvent.getClassSchema());
    int audio = client.register("audio-chunks-value", AudioChunkEvent.getClassSchema());
    client.setCompatibility("audio-chunks-value", CompatibilityLevel.FULL_TRANSITIVE);
    registry.close();

    registry = start();
    RestSchemaRegistryClient fresh = clientOf(registry);
    assertThat(fresh.getSchemaById(text)).isEqualTo(TextEvent.getClassSchema());
    assertThat(fresh.getSchemaById(audio)).isEqualTo(AudioChunkEvent.getClassSchema());
    assertThat(fresh.register("text-events-value", TextEvent.getClassSchema())).isEqualTo(text);
    assertThat(fresh.getCompatibility("audio-chunks-value")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
    // a new schema after the restart gets a new id, not one already handed out
    Schema third = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Third\", \"fields\": []}");
    assertThat(fresh.register("third-value", third)).isGreaterThan(Math.max(text, audio));
  }

  @Test
  void basicAuthIsEnforcedWhenConfigured() throws Exception {
    try (EmbeddedSchemaRegistry secured = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers())
        .port(0).topic(topic + "-auth").basicAuth("fusion:s3cret").start()) {
      HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(secured.url() + "/subjects")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(JSON.readTree(anonymous.body()).get("error_code").asInt()).isEqualTo(40101);

      HttpResponse<String> withAuth = http.send(HttpRequest.newBuilder(URI.create(secured.url() + "/subjects"))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("fusion:s3cret".getBytes())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(withAuth.statusCode()).isEqualTo(200);

      RestSchemaRegistryClient authed = new RestSchemaRegistryClient(Map.of(
          AvroSerdeConfig.SCHEMA_REGISTRY_URL, secured.url(),
          AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
          AvroSerdeConfig.BASIC_AUTH_USER_INFO, "fusion:s3cret",
          RestSchemaRegistryClient.ALLOW_INSECURE_BASIC_AUTH, "true"));
      assertThat(authed.register("t-value", TextEvent.getClassSchema())).isPositive();
    }
  }

  @Test
  void aRegistrationKafkaCannotStoreIs50001AndIsNotApplied() {
    EmbeddedKafka doomed = EmbeddedKafka.startTemporary();
    try (EmbeddedSchemaRegistry orphan = EmbeddedSchemaRegistry.builder(doomed.bootstrapServers())
        .port(0).topic(topic).kafkaTimeout(Duration.ofSeconds(3)).start()) {
      RestSchemaRegistryClient noRetries = new RestSchemaRegistryClient(Map.of(
          AvroSerdeConfig.SCHEMA_REGISTRY_URL, orphan.url(), AvroSerdeConfig.MAX_RETRIES, 0));
      doomed.close();
      assertThatThrownBy(() -> noRetries.register("t-value", TextEvent.getClassSchema()))
          .isInstanceOf(SchemaRegistryException.class)
          .hasMessageContaining(topic)
          .satisfies(e -> {
            assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(SchemaRegistryException.STORE_ERROR);
            assertThat(((SchemaRegistryException) e).httpStatus()).isEqualTo(500);
          });
      assertThat(orphan.store().subjects()).as("not acknowledged, so not applied").isEmpty();
    }
  }
}
