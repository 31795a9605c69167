package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The block array I/O keeps the element-by-element layout, so state written before reads the same. */
class BinTest {
  private static final float[] FLOATS = {1.5f, -2f, 0f, Float.MIN_VALUE, -Float.MAX_VALUE, 3.1415927f};
  private static final double[] DOUBLES = {1.5, -2, 0, Double.MIN_VALUE, -Double.MAX_VALUE, Math.PI};

  @Test
  void floatsAreWrittenAsDataOutputWritesThemOneByOne() throws IOException {
    ByteArrayOutputStream old = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(old)) {
      out.writeInt(FLOATS.length);
      for (float f : FLOATS) {
        out.writeFloat(f);
      }
    }
    byte[] block = Bin.write((byte) 1, out -> Bin.writeFloats(out, FLOATS));

    assertThat(java.util.Arrays.copyOfRange(block, 1, block.length)).isEqualTo(old.toByteArray());
    assertThat(Bin.read(block, (byte) 1, "test", Bin::readFloats)).containsExactly(FLOATS);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(old.toByteArray()))) {
      assertThat(Bin.readFloats(in)).containsExactly(FLOATS);
    }
  }

  @Test
  void doublesAreWrittenAsDataOutputWritesThemOneByOne() throws IOException {
    ByteArrayOutputStream old = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(old)) {
      out.writeInt(DOUBLES.length);
      for (double d : DOUBLES) {
        out.writeDouble(d);
      }
    }
    byte[] block = Bin.write((byte) 1, 4, out -> Bin.writeDoubles(out, DOUBLES));

    assertThat(java.util.Arrays.copyOfRange(block, 1, block.length)).isEqualTo(old.toByteArray());
    assertThat(Bin.read(block, (byte) 1, "test", Bin::readDoubles)).containsExactly(DOUBLES);
  }

  @Test
  void emptyArraysRoundTrip() {
    byte[] block = Bin.write((byte) 2, out -> {
      Bin.writeFloats(out, new float[0]);
      Bin.writeDoubles(out, new double[0]);
    });
    assertThat(block).hasSize(1 + 4 + 4);
    int lengths = Bin.<Integer>read(block, (byte) 2, "test", in -> Bin.readFloats(in).length + Bin.readDoubles(in).length);
    assertThat(lengths).isZero();
  }
}
