package io.fusionstream.serde;

/** Confluent's framing: magic byte 0, the schema id as 4 bytes big-endian, then Avro binary. */
final class WireFormat {
  static final byte MAGIC_BYTE = 0x0;
  static final int HEADER_SIZE = 5;

  private WireFormat() {}
}
