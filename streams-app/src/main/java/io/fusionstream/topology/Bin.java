package io.fusionstream.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** Small helpers for the state serdes: a fixed, versioned binary layout and no Java serialization. */
final class Bin {
  private Bin() {}

  interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  static byte[] write(byte version, Writer w) {
    return write(version, 256, w);
  }

  /** With the expected size, so a large record (a pending image) is not copied as its buffer grows. */
  static byte[] write(byte version, int sizeHint, Writer w) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(16, sizeHint));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(version);
      w.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write state record", e);
    }
    return bytes.toByteArray();
  }

  static <T> T read(byte[] data, byte version, String what, Reader<T> r) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte v = in.readByte();
      if (v != version) {
        throw new IllegalStateException(what + " state has format version " + v + ", expected " + version);
      }
      return r.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt " + what + " state record (" + data.length + " bytes)", e);
    }
  }

  static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  /*
   * Arrays go in and out as one block: the same big-endian IEEE layout DataOutputStream writes
   * element by element (existing state reads the same), without a call per element, which was a
   * measurable share of the stream threads' time (bench pipeline, JFR).
   */

  static void writeFloats(DataOutputStream out, float[] v) throws IOException {
    out.writeInt(v.length);
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES);
    b.asFloatBuffer().put(v);
    out.write(b.array());
  }

  static float[] readFloats(DataInputStream in) throws IOException {
    float[] v = new float[in.readInt()];
    byte[] b = new byte[v.length * Float.BYTES];
    in.readFully(b);
    ByteBuffer.wrap(b).asFloatBuffer().get(v);
    return v;
  }

  static void writeDoubles(DataOutputStream out, double[] v) throws IOException {
    out.writeInt(v.length);
    ByteBuffer b = ByteBuffer.allocate(v.length * Double.BYTES);
    b.asDoubleBuffer().put(v);
    out.write(b.array());
  }

  static double[] readDoubles(DataInputStream in) throws IOException {
    double[] v = new double[in.readInt()];
    byte[] b = new byte[v.length * Double.BYTES];
    in.readFully(b);
    ByteBuffer.wrap(b).asDoubleBuffer().get(v);
    return v;
  }
}
