package io.fusionstream.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Key of one session window in the window store: end, start, then session id, big-endian. Both
 * store types order keys bytewise, so a scan from the first key visits windows in order of their
 * end and stops at the first one not yet due; closing never reads the whole store.
 */
record WindowKey(long end, long start, String sessionId) {

  Bytes toBytes() {
    byte[] session = sessionId.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(16 + session.length).putLong(end).putLong(start).put(session).array());
  }

  static WindowKey fromBytes(Bytes bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes.get());
    long end = b.getLong();
    long start = b.getLong();
    return new WindowKey(end, start, StandardCharsets.UTF_8.decode(b).toString());
  }

  /** The end encoded in a key, without decoding the rest. */
  static long endOf(Bytes bytes) {
    return ByteBuffer.wrap(bytes.get()).getLong();
  }
}
