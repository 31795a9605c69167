package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.serde.SchemaRegistryException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Response;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Result;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.internals.DefaultErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Only the registry's "schema not found" (40403) makes a record a dead letter. Every other registry
 * failure is an outage: the task fails (and is retried after a backoff), the record is not
 * dead-lettered, and once it repeats the instance reports DOWN with the registry's error.
 */
class RegistryOutageHandlingTest {
  private static final TaskId TASK = new TaskId(0, 1);

  private final TaskFailureTracker tracker = new TaskFailureTracker(3, Duration.ofMinutes(10), Duration.ofMinutes(1),
      () -> 0L);
  private final FusionDeserializationExceptionHandler handler = new FusionDeserializationExceptionHandler();

  RegistryOutageHandlingTest() {
    handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "fusion-dlq",
        TaskFailureTracker.CONFIG, tracker));
  }

  private Response handle(Exception registryError) {
    ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("text-events", 1, 42L, new byte[] {1}, new byte[] {0, 0, 0, 0, 9});
    var context = new DefaultErrorHandlerContext(null, "text-events", 1, 42L, new RecordHeaders(),
        "fusion-text-source", TASK, 0L, record.key(), record.value());
    return handler.handleError(context, record,
        new SerializationException("Error retrieving Avro schema for id 9", registryError));
  }

  @Test
  void schemaNotFoundIsTheRecordsFault() {
    Response response = handle(new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema 9 not found"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    assertThat(new String(response.deadLetterQueueRecords().get(0).headers().lastHeader(DeadLetters.HEADER_REASON).value(),
        java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(FusionDeserializationExceptionHandler.REASON_UNKNOWN_SCHEMA);
  }

  static Stream<Exception> outages() {
    return Stream.of(
        new SchemaRegistryException(404, 404, "HTTP 404 from the Schema Registry"), // wrong URL, a proxy
        new SchemaRegistryException(401, 401, "Unauthorized"),
        new SchemaRegistryException(403, 40301, "Forbidden"),
        new SchemaRegistryException(429, 42901, "Too many requests"),
        new SchemaRegistryException(503, 50003, "Forward error"),
        new SchemaRegistryException("Schema Registry unreachable", new ConnectException("Connection refused")));
  }

  @ParameterizedTest
  @MethodSource("outages")
  void anyOtherRegistryFailureStopsTheTaskWithoutADeadLetter(Exception outage) {
    Response response = handle(outage);

    assertThat(response.result()).isEqualTo(Result.FAIL);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  @Test
  void aRepeatingOutageIsReportedWithTheRegistrysError() {
    for (int i = 0; i < 3; i++) {
      handle(new SchemaRegistryException(404, 404, "HTTP 404 from the Schema Registry"));
      tracker.threadFailed(new StreamsException("deserialization failed", TASK));
    }

    assertThat(tracker.downReason()).hasValueSatisfying(reason -> assertThat(reason)
        .contains("text-events-1@42").contains("HTTP 404 from the Schema Registry"));
  }
}
