package io.fusionstream.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

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
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
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

  static void writeFloats(DataOutputStream out, float[] v) throws IOException {
    out.writeInt(v.length);
    for (float f : v) {
      out.writeFloat(f);
    }
  }

  static float[] readFloats(DataInputStream in) throws IOException {
    float[] v = new float[in.readInt()];
    for (int i = 0; i < v.length; i++) {
      v[i] = in.readFloat();
    }
    return v;
  }
}
