package io.fusionstream.topology;

import io.fusionstream.serde.OversizedRecordException;
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
 * Dead-letters records whose bytes cannot be read: not Confluent wire format, corrupt Avro (a length
 * prefix over Avro's limits included), a schema id the registry does not know, or a value larger
 * than the largest accepted event (refused before decoding). Kafka Streams' own handler builds the dead letter (raw
 * bytes, headers, {@code __streams.errors.*}); we add the reason code and count it.
 *
 * <p>Only the registry's "schema not found" (error code 40403) is the record's fault. Anything else
 * from it (down, 5xx, 429, 401/403, a 404 without that code from a wrong URL or a proxy) fails the
 * task: it is restarted with a backoff and the record re-read, {@link TaskFailureTracker} reports it
 * on /health once it repeats, and good records are never dead-lettered during an outage.
 */
public class FusionDeserializationExceptionHandler implements DeserializationExceptionHandler {
  public static final String REASON_UNKNOWN_SCHEMA = "unknown-schema-id";
  public static final String REASON_UNDECODABLE = "undecodable-record";
  public static final String REASON_RECORD_TOO_LARGE = "record-too-large";

  private static final Logger LOG = LoggerFactory.getLogger(FusionDeserializationExceptionHandler.class);
  private final LogAndContinueExceptionHandler builtIn = new LogAndContinueExceptionHandler();
  private HandlerSupport support = HandlerSupport.unconfigured();

  @Override
  public void configure(Map<String, ?> configs) {
    builtIn.configure(configs);
    support = HandlerSupport.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    SchemaRegistryException registryError = registryError(exception);
    if (registryError != null && !registryError.isSchemaNotFound()) {
      LOG.error("Schema registry unavailable while reading {}-{}@{}; stopping the task",
          record.topic(), record.partition(), record.offset(), exception);
      support.failing(context.taskId(), record.topic(), record.partition(), record.offset(), exception);
      return Response.fail();
    }
    String reason = registryError != null ? REASON_UNKNOWN_SCHEMA
        : cause(exception, OversizedRecordException.class) != null ? REASON_RECORD_TOO_LARGE
        : REASON_UNDECODABLE;
    List<ProducerRecord<byte[], byte[]>> letters = builtIn.handleError(context, record, exception).deadLetterQueueRecords();
    // A record over the size limit has a letter over it too: it goes without its payload.
    return Response.resume(support.finish(letters, reason, FusionProductionExceptionHandler.REASON_TOO_LARGE));
  }

  private static SchemaRegistryException registryError(Throwable t) {
    return cause(t, SchemaRegistryException.class);
  }

  private static <X extends Throwable> X cause(Throwable t, Class<X> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }
}
