package io.fusionstream.serde;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.apache.avro.SystemLimitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what Avro's binary decoder allocates for one length prefix. Avro 1.12.1 reads a string,
 * bytes or collection length, checks it against {@code org.apache.avro.limits.*} and then allocates
 * it before reading a single byte of it; the default limit is {@code Integer.MAX_VALUE - 8}, so a
 * 10-byte record claiming a 2 GB string costs 2 GB (or an OutOfMemoryError) before the decoder
 * notices the record ends.
 *
 * <p>{@link SystemLimitException} reads the three system properties once, in its static
 * initializer ({@code static { resetLimits(); }}), and keeps them in private static fields. Setting
 * the properties after anything in the JVM touched an Avro decoder therefore changes nothing. So
 * {@link #require} sets the properties and then re-runs the package-private {@code resetLimits()}
 * by reflection (the app runs on the class path, where that is allowed), and finally probes the
 * public {@code checkMax*} methods to prove the limit is in force: if it is not (a module system
 * that forbids the reflective call after Avro was initialised), it fails loudly instead of running
 * unbounded. Starting the JVM with the three {@code -Dorg.apache.avro.limits.*.maxLength} flags
 * always works and needs no reflection.
 *
 * <p>The limits are JVM-wide, so the effective value is the largest any deserializer in this JVM
 * asked for (one app per JVM asks for one value; tests with several configurations never make a
 * record that one of them accepts undecodable for another), and never more than a value the
 * operator set on the command line.
 */
final class AvroLimits {
  private static final Logger LOG = LoggerFactory.getLogger(AvroLimits.class);
  private static final String[] PROPERTIES = {
    SystemLimitException.MAX_STRING_LENGTH_PROPERTY,
    SystemLimitException.MAX_BYTES_LENGTH_PROPERTY,
    SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY
  };

  private static int requested;
  private static int applied;
  private static Integer operatorCap;

  private AvroLimits() {}

  /**
   * Makes Avro refuse any string, bytes or collection length above {@code maxLength} (at least;
   * see the class comment) from now on, in this JVM.
   *
   * @throws IllegalStateException when Avro's limits cannot be brought into force
   */
  static synchronized void require(int maxLength) {
    if (maxLength <= 0) {
      throw new IllegalArgumentException("Avro length limit must be positive: " + maxLength);
    }
    if (operatorCap == null) {
      operatorCap = smallestOperatorValue();
    }
    requested = Math.max(requested, maxLength);
    int target = Math.min(requested, operatorCap);
    if (target == applied) {
      return;
    }
    // Properties first: if nothing initialised SystemLimitException yet, it reads them itself.
    for (String property : PROPERTIES) {
      System.setProperty(property, Integer.toString(target));
    }
    reset();
    if (!inForce(target)) {
      throw new IllegalStateException("Avro length limits are not " + target
          + ": org.apache.avro.SystemLimitException was initialised before they were set and could not be"
          + " reset; start the JVM with -D" + PROPERTIES[0] + "=" + target + " -D" + PROPERTIES[1] + "="
          + target + " -D" + PROPERTIES[2] + "=" + target);
    }
    applied = target;
    LOG.info("Avro decoders refuse strings, bytes and collections longer than {}", target);
  }

  /** The limit {@link #require} brought into force, 0 before the first call. */
  static synchronized int current() {
    return applied;
  }

  /**
   * Whether Avro's public checks accept exactly up to {@code limit} for strings, bytes and
   * collections: what the decoder will do, whatever the properties say.
   */
  static boolean inForce(int limit) {
    return accepts(limit) && !accepts(limit + 1L)
        && acceptsBytes(limit) && !acceptsBytes(limit + 1L)
        && acceptsItems(limit) && !acceptsItems(limit + 1L);
  }

  private static boolean accepts(long length) {
    try {
      SystemLimitException.checkMaxStringLength(length);
      return true;
    } catch (SystemLimitException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static boolean acceptsBytes(long length) {
    try {
      SystemLimitException.checkMaxBytesLength(length);
      return true;
    } catch (SystemLimitException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static boolean acceptsItems(long length) {
    try {
      SystemLimitException.checkMaxCollectionLength(0, length);
      return true;
    } catch (SystemLimitException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static void reset() {
    try {
      Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
      reset.setAccessible(true);
      reset.invoke(null);
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException
        | RuntimeException e) {
      // Fine when the class was not initialised yet: it reads the properties just set. The
      // caller's probe decides whether the limit took.
      LOG.debug("cannot re-read Avro's limits by reflection", e);
    }
  }

  private static int smallestOperatorValue() {
    int smallest = Integer.MAX_VALUE;
    for (String property : PROPERTIES) {
      String value = System.getProperty(property);
      if (value != null) {
        try {
          smallest = Math.min(smallest, Integer.parseUnsignedInt(value.trim()));
        } catch (NumberFormatException e) {
          LOG.warn("ignoring unparsable -D{}={}", property, value);
        }
      }
    }
    return smallest;
  }
}
