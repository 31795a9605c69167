package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What a dead letter may keep of the record it stands for ({@code fusion.dlq.payload},
 * {@code fusion.dlq.stacktrace}). Inputs are faces, voices and chat text: a dead-letter topic that
 * keeps them holds personal data for its whole retention, readable by everyone who may read the
 * topic. {@code drop} and {@code hash} keep only what says why and where: the reason, the exception
 * class and message, the source topic, partition and offset; {@code hash} adds the SHA-256 and length
 * of the key and value, enough to match a letter against a copy the producer kept.
 *
 * @param payload keep, drop or hash
 * @param stackTrace whether the stack trace header stays
 */
public record DeadLetterPolicy(Payload payload, boolean stackTrace) {
  /** The {@code fusion.dlq.payload} values. */
  public enum Payload { KEEP, DROP, HASH }

  /** The policy applied to a letter: {@code drop} or {@code hash}; absent under {@code keep}. */
  public static final String HEADER_POLICY = "fusion.dlq.payload.policy";
  public static final String HEADER_VALUE_SHA256 = "fusion.dlq.value.sha256";
  public static final String HEADER_VALUE_LENGTH = "fusion.dlq.value.length";
  public static final String HEADER_KEY_SHA256 = "fusion.dlq.key.sha256";
  public static final String HEADER_KEY_LENGTH = "fusion.dlq.key.length";

  /** Config key under which {@link StreamsConfigFactory} hands the policy to the exception handlers. */
  public static final String CONFIG = "fusion.internal.dlq.policy";

  /** The defaults: payload kept (replayable), no stack trace. */
  public static final DeadLetterPolicy DEFAULT = new DeadLetterPolicy(Payload.KEEP, false);

  public static DeadLetterPolicy from(FusionConfig config) {
    return new DeadLetterPolicy(parse(config.getString(FusionConfig.DLQ_PAYLOAD)),
        config.getBoolean(FusionConfig.DLQ_STACKTRACE));
  }

  /** From the raw configs Kafka Streams hands the exception handlers (strings or typed values). */
  public static DeadLetterPolicy from(Map<String, ?> configs) {
    if (configs.get(CONFIG) instanceof DeadLetterPolicy policy) {
      return policy;
    }
    Object payload = configs.get(FusionConfig.DLQ_PAYLOAD);
    Object stack = configs.get(FusionConfig.DLQ_STACKTRACE);
    return new DeadLetterPolicy(payload == null ? DEFAULT.payload : parse(payload.toString()),
        stack == null ? DEFAULT.stackTrace : Boolean.parseBoolean(stack.toString().trim()));
  }

  private static Payload parse(String value) {
    try {
      return Payload.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new org.apache.kafka.common.config.ConfigException(FusionConfig.DLQ_PAYLOAD, value,
          "expected keep, drop or hash");
    }
  }

  /** Whether the letter's key and value go out as they came in. */
  boolean keepsPayload() {
    return payload == Payload.KEEP;
  }

  /**
   * The headers the letter may carry: under keep, all but (unless asked for) the stack trace; else
   * only the error and {@code fusion.dlq.*} headers, with the policy and, under hash, the digests.
   */
  Headers headers(Headers original, byte[] key, byte[] value) {
    Headers out = new RecordHeaders();
    for (Header h : original) {
      if (h.key().equals(DeadLetters.HEADER_STACKTRACE) && !stackTrace) {
        continue;
      }
      if (keepsPayload() || h.key().startsWith("__streams.errors.") || h.key().startsWith("fusion.dlq.")) {
        out.add(h);
      }
    }
    if (!keepsPayload()) {
      out.remove(HEADER_POLICY);
      out.add(HEADER_POLICY, utf8(payload.name().toLowerCase(Locale.ROOT)));
    }
    if (payload == Payload.HASH) {
      digest(out, HEADER_VALUE_SHA256, HEADER_VALUE_LENGTH, value);
      digest(out, HEADER_KEY_SHA256, HEADER_KEY_LENGTH, key);
    }
    return out;
  }

  byte[] key(byte[] key) {
    return keepsPayload() ? key : null;
  }

  byte[] value(byte[] value) {
    return keepsPayload() ? value : null;
  }

  private static void digest(Headers headers, String hashHeader, String lengthHeader, byte[] bytes) {
    if (bytes == null) {
      return;
    }
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(bytes);
      headers.add(hashHeader, utf8(HexFormat.of().formatHex(sha)));
      headers.add(lengthHeader, utf8(Integer.toString(bytes.length)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
