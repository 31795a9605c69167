package io.fusionstream.topology;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes that Kafka refuses for the record's own sake (too large, or a timestamp the broker
 * refuses) are dead-lettered instead of failing the task, since a retry would fail the same way
 * forever. Everything else is answered as Kafka Streams' default handler answers it (retry what is
 * retriable, fail the rest).
 *
 * <p>Kafka Streams sends the dead letters a handler returns through the same producer, and a failed
 * dead-letter write comes back to this handler. So: a refused internal write (changelog,
 * repartition, output) becomes a dead letter of its source record with reason
 * {@value #REASON_TOO_LARGE} or {@value #REASON_INVALID_TIMESTAMP}, without its payload if that
 * would be too large too; a refused dead letter is sent once more without its payload
 * ({@link DeadLetters#HEADER_PAYLOAD_DROPPED}); one refused even so is skipped and counted. Never
 * a third attempt, so never a loop.
 *
 * <p>Under exactly-once, Kafka 4.3.1's producer makes the transaction abortable after any refused
 * send, so the task still fails and retries its input; what prevents that is sizing
 * ({@link KafkaSizes}, applied by {@link StreamsConfigFactory}) and the bounded dead letters of
 * {@link DeadLetters}. Under at-least-once this handler alone keeps the task going.
 */
public class FusionProductionExceptionHandler implements ProductionExceptionHandler {
  public static final String REASON_TOO_LARGE = "output-too-large";
  public static final String REASON_INVALID_TIMESTAMP = "output-invalid-timestamp";

  private static final Logger LOG = LoggerFactory.getLogger(FusionProductionExceptionHandler.class);
  private final DefaultProductionExceptionHandler builtIn = new DefaultProductionExceptionHandler();
  private PipelineMetrics metrics = PipelineMetrics.NOOP;
  private DeadLetterPolicy policy = DeadLetterPolicy.DEFAULT;
  private Optional<TaskFailureTracker> failures = Optional.empty();
  private String deadLetterTopic;
  private int maxRequestSize;

  @Override
  public void configure(Map<String, ?> configs) {
    builtIn.configure(configs);
    metrics = DeadLetters.metrics(configs);
    policy = DeadLetterPolicy.from(configs);
    failures = TaskFailureTracker.from(configs);
    deadLetterTopic = DeadLetters.topic(configs);
    maxRequestSize = DeadLetters.maxRequestSize(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    String reason = reasonFor(exception);
    if (reason == null) {
      Response response = builtIn.handleError(context, record, exception);
      if (response.result() == Result.FAIL) {
        failures.ifPresent(f -> f.failingRecord(context.taskId(), context.topic(), context.partition(),
            context.offset(), exception));
      }
      return response;
    }
    if (record.topic().equals(deadLetterTopic)) {
      return deadLetterRefused(context, record, exception, reason);
    }
    if (deadLetterTopic == null) {
      LOG.warn("Write to {} refused ({}), no dead-letter topic configured: skipping it (task {}, source {}-{}@{})",
          record.topic(), exception.toString(), context.taskId(), context.topic(), context.partition(), context.offset());
      metrics.outputSkipped(reason);
      return Response.resume();
    }
    List<ProducerRecord<byte[], byte[]>> letters = builtIn.handleError(context, record, exception).deadLetterQueueRecords();
    letters = DeadLetters.addReason(letters, reason, policy);
    letters = DeadLetters.writable(letters, maxRequestSize, reason);
    LOG.warn("Write to {} refused ({}); dead-lettering its source record {}-{}@{} (task {})", record.topic(),
        exception.toString(), context.topic(), context.partition(), context.offset(), context.taskId());
    metrics.deadLetter(reason);
    return Response.resume(letters);
  }

  private Response deadLetterRefused(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> letter,
      Exception exception, String reason) {
    if (letter.headers().lastHeader(DeadLetters.HEADER_PAYLOAD_DROPPED) != null) {
      LOG.error("Dead letter without payload refused too ({}); skipping it (task {}, source {}-{}@{})",
          exception.toString(), context.taskId(), context.topic(), context.partition(), context.offset());
      metrics.outputSkipped(reason);
      return Response.resume();
    }
    LOG.warn("Dead letter refused ({}); sending it without its payload (task {}, source {}-{}@{})",
        exception.toString(), context.taskId(), context.topic(), context.partition(), context.offset());
    metrics.deadLetterPayloadDropped(reason);
    return Response.resume(List.of(DeadLetters.withoutPayload(letter, reason)));
  }

  static String reasonFor(Throwable exception) {
    for (Throwable c = exception; c != null; c = c.getCause()) {
      if (c instanceof RecordTooLargeException || c instanceof RecordBatchTooLargeException) {
        return REASON_TOO_LARGE;
      }
      if (c instanceof InvalidTimestampException) {
        return REASON_INVALID_TIMESTAMP;
      }
    }
    return null;
  }
}
