package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.decode.Limits;

/**
 * Record sizes Kafka must accept, derived from the input limits, so that whatever the decoders
 * accept also fits every write the pipeline makes with it: the encode stage's changelog (the
 * event's Avro bytes), and its dead letter (the same bytes plus error headers).
 *
 * <p>Kafka's defaults (1 MiB for the producer's {@code max.request.size} and the broker's
 * {@code message.max.bytes}) are below the default image and audio limits (8 MiB); without these
 * settings a valid 2 MB image, or the dead letter of a 1,045,000-byte one, fails its task on every
 * retry.
 */
public final class KafkaSizes {
  /** Room for the producer's record framing and the input record's own headers. */
  public static final int RECORD_OVERHEAD_BYTES = 16 * 1024;
  /** Room for the error headers a dead letter adds; {@link DeadLetters} keeps them below this. */
  public static final int DEAD_LETTER_HEADER_BYTES = 64 * 1024;

  private final int maxInputRecordBytes;

  private KafkaSizes(int maxInputRecordBytes) {
    this.maxInputRecordBytes = maxInputRecordBytes;
  }

  /** From the largest input record the source deserializers accept ({@link FusionConfig#maxEventBytes()}). */
  public static KafkaSizes of(FusionConfig config) {
    return new KafkaSizes(saturatedInt(config.maxEventBytes() + RECORD_OVERHEAD_BYTES));
  }

  /** From the limits alone, allowing the longest session id any configuration accepts. */
  public static KafkaSizes of(Limits limits) {
    return new KafkaSizes(saturatedInt((long) limits.maxEventBytes() + RECORD_OVERHEAD_BYTES));
  }

  /** The largest input record the limits accept: for the input topics' {@code max.message.bytes}. */
  public int maxInputRecordBytes() {
    return maxInputRecordBytes;
  }

  /**
   * The largest record the pipeline writes: an input record plus dead-letter headers. For the
   * producer's {@code max.request.size} and the {@code max.message.bytes} of the dead-letter topic
   * and the internal topics.
   */
  public int maxRecordBytes() {
    return saturatedInt((long) maxInputRecordBytes + DEAD_LETTER_HEADER_BYTES);
  }

  private static int saturatedInt(long v) {
    return (int) Math.min(Integer.MAX_VALUE, v);
  }
}
