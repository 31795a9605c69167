package io.fusionstream.topology;

import io.fusionstream.serde.SchemaRegistryException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-letters records whose bytes cannot be read: not Confluent wire format, corrupt Avro, or a
 * schema id the registry does not know. Kafka Streams' own handler builds the dead letter (raw
 * bytes, headers, {@code __streams.errors.*}); we add the reason code and count it.
 *
 * <p>A registry that is down or answers 5xx is not the record's fault: that fails the task (it is
 * restarted and the record re-read), so good records are never dead-lettered during an outage.
 */
public class FusionDeserializationExceptionHandler implements DeserializationExceptionHandler {
  public static final String REASON_UNKNOWN_SCHEMA = "unknown-schema-id";
  public static final String REASON_UNDECODABLE = "undecodable-record";

  private static final Logger LOG = LoggerFactory.getLogger(FusionDeserializationExceptionHandler.class);
  private final LogAndContinueExceptionHandler builtIn = new LogAndContinueExceptionHandler();
  private PipelineMetrics metrics = PipelineMetrics.NOOP;
  private DeadLetterPolicy policy = DeadLetterPolicy.DEFAULT;
  private java.util.Optional<TaskFailureTracker> failures = java.util.Optional.empty();

  @Override
  public void configure(Map<String, ?> configs) {
    builtIn.configure(configs);
    metrics = DeadLetters.metrics(configs);
    policy = DeadLetterPolicy.from(configs);
    failures = TaskFailureTracker.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    SchemaRegistryException registryError = registryError(exception);
    if (registryError != null && !registryError.isNotFound()) {
      LOG.error("Schema registry unavailable while reading {}-{}@{}; stopping the task",
          record.topic(), record.partition(), record.offset(), exception);
      failures.ifPresent(f -> f.failingRecord(context.taskId(), record.topic(), record.partition(), record.offset(), exception));
      return Response.fail();
    }
    String reason = registryError != null ? REASON_UNKNOWN_SCHEMA : REASON_UNDECODABLE;
    List<ProducerRecord<byte[], byte[]>> letters = builtIn.handleError(context, record, exception).deadLetterQueueRecords();
    letters = DeadLetters.addReason(letters, reason, policy);
    metrics.deadLetter(reason);
    return Response.resume(letters);
  }

  private static SchemaRegistryException registryError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SchemaRegistryException e) {
        return e;
      }
    }
    return null;
  }
}
