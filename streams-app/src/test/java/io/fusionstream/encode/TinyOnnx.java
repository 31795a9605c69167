package io.fusionstream.encode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes tiny ONNX models (protobuf by hand: no ONNX library is available offline) so that the
 * "any ONNX model by path" code runs against a real ONNX Runtime session in tests. Each model is a
 * chain of single-input operators with INTS/INT attributes.
 */
final class TinyOnnx {
  private TinyOnnx() {}

  /** One operator: type, attribute name -> ints (a single value is written as INT when scalar). */
  record Op(String type, String attribute, long[] ints, boolean scalar) {
    static Op of(String type) {
      return new Op(type, null, null, false);
    }

    static Op ints(String type, String attribute, long... values) {
      return new Op(type, attribute, values, false);
    }

    static Op integer(String type, String attribute, long value) {
      return new Op(type, attribute, new long[] {value}, true);
    }
  }

  /**
   * @param inputShape dims; a negative dim is symbolic ("d0", "d1", ...)
   * @param outputRank rank of the output, all dims symbolic
   */
  static byte[] model(String inputName, long[] inputShape, String outputName, int outputRank, Op... ops) {
    Proto graph = new Proto();
    String previous = inputName;
    for (int i = 0; i < ops.length; i++) {
      String out = i == ops.length - 1 ? outputName : "t" + i;
      Proto node = new Proto().string(1, previous).string(2, out).string(3, "n" + i).string(4, ops[i].type());
      if (ops[i].attribute() != null) {
        Proto attribute = new Proto().string(1, ops[i].attribute());
        if (ops[i].scalar()) {
          attribute.varint(3, ops[i].ints()[0]).varint(20, 2); // i, type INT
        } else {
          for (long v : ops[i].ints()) {
            attribute.varint(8, v);
          }
          attribute.varint(20, 7); // type INTS
        }
        node.message(5, attribute);
      }
      graph.message(1, node);
      previous = out;
    }
    graph.string(2, "tiny");
    graph.message(11, valueInfo(inputName, inputShape));
    long[] outShape = new long[outputRank];
    java.util.Arrays.fill(outShape, -1);
    graph.message(12, valueInfo(outputName, outShape));
    return new Proto()
        .varint(1, 7) // ir_version
        .string(2, "fusionstream-test")
        .message(7, graph)
        .message(8, new Proto().string(1, "").varint(2, 13)) // opset 13
        .bytes();
  }

  private static Proto valueInfo(String name, long[] shape) {
    Proto dims = new Proto();
    for (int i = 0; i < shape.length; i++) {
      dims.message(1, shape[i] >= 0 ? new Proto().varint(1, shape[i]) : new Proto().string(2, "d" + i));
    }
    Proto tensor = new Proto().varint(1, 1).message(2, dims); // elem_type FLOAT
    return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
  }

  /** Minimal protobuf encoder: varint and length-delimited fields. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      writeVarint((long) field << 3);
      writeVarint(value);
      return this;
    }

    Proto string(int field, String value) {
      return raw(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto message) {
      return raw(field, message.bytes());
    }

    private Proto raw(int field, byte[] data) {
      writeVarint(((long) field << 3) | 2);
      writeVarint(data.length);
      out.writeBytes(data);
      return this;
    }

    private void writeVarint(long value) {
      while ((value & ~0x7FL) != 0) {
        out.write((int) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
