package io.fusionstream.topology;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-letters records rejected with a {@link DeadLetterException} and fails on everything else.
 *
 * <p>The dead letter itself is built by Kafka Streams' own handler (KIP-1034): the source record's
 * raw key and value bytes, its headers, and the {@code __streams.errors.*} headers; we add
 * {@link DeadLetters#HEADER_REASON}, keep it writable ({@link DeadLetters#writable}) and count it. Any other exception (a model that fails on a
 * batch, a bug) stops the task instead: dropping the batch would lose good records, and under
 * exactly-once a restart reprocesses them. The record it fails on is noted in the
 * {@link TaskFailureTracker}, so a failure that repeats names it.
 */
public class FusionProcessingExceptionHandler implements ProcessingExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(FusionProcessingExceptionHandler.class);
  private final LogAndContinueProcessingExceptionHandler builtIn = new LogAndContinueProcessingExceptionHandler();
  private PipelineMetrics metrics = PipelineMetrics.NOOP;
  private DeadLetterPolicy policy = DeadLetterPolicy.DEFAULT;
  private Optional<TaskFailureTracker> failures = Optional.empty();
  private int maxRequestSize;

  @Override
  public void configure(Map<String, ?> configs) {
    builtIn.configure(configs);
    metrics = DeadLetters.metrics(configs);
    policy = DeadLetterPolicy.from(configs);
    failures = TaskFailureTracker.from(configs);
    maxRequestSize = DeadLetters.maxRequestSize(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    DeadLetterException rejected = findRejection(exception);
    if (rejected == null) {
      LOG.error("Processing failed in {} (task {}, {}-{}@{}); stopping the task",
          context.processorNodeId(), context.taskId(), context.topic(), context.partition(), context.offset(),
          exception);
      failures.ifPresent(f -> f.failingRecord(context.taskId(), context.topic(), context.partition(),
          context.offset(), exception));
      return Response.fail();
    }
    Exception reported = rejected.getCause() instanceof Exception cause ? cause : rejected;
    List<ProducerRecord<byte[], byte[]>> letters = builtIn.handleError(context, record, reported).deadLetterQueueRecords();
    letters = DeadLetters.addReason(letters, rejected.reason(), policy);
    letters = DeadLetters.writable(letters, maxRequestSize, FusionProductionExceptionHandler.REASON_TOO_LARGE);
    metrics.deadLetter(rejected.reason());
    return Response.resume(letters);
  }

  private static DeadLetterException findRejection(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof DeadLetterException d) {
        return d;
      }
    }
    return null;
  }
}
