package io.fusionstream.chaos;

import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.AudioEncoding;
import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Events and raw payloads that producers nobody controls may send: valid ones to build sessions
 * around, and the malformed ones the pipeline must refuse (shared by {@code DeadLetterTest} on
 * the test driver and {@link ChaosIT} on a broker). Media files are built byte by byte where a
 * library would refuse to write them (a PNG declaring 100000 x 100000 pixels, a WAV at 2 GHz).
 */
public final class BadInputs {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private BadInputs() {}

  // ---- events -------------------------------------------------------------------------------

  public static TextEvent text(String session, long at, String words) {
    return TextEvent.newBuilder().setSessionId(session).setEventId(UUID.randomUUID().toString())
        .setTimestamp(Instant.ofEpochMilli(at)).setText(words).build();
  }

  /** A RAW_RGB frame; {@code rgb} need not match width * height * 3. */
  public static ImageFrameEvent rawImage(String session, long at, int width, int height, byte[] rgb) {
    return image(session, at, ImageEncoding.RAW_RGB, width, height, rgb);
  }

  /** A square RAW_RGB frame of one grey level. */
  public static ImageFrameEvent greyImage(String session, long at, int side, int grey) {
    byte[] rgb = new byte[side * side * 3];
    Arrays.fill(rgb, (byte) grey);
    return rawImage(session, at, side, side, rgb);
  }

  /** A PNG or JPEG file whose size the producer does not declare (0 x 0). */
  public static ImageFrameEvent imageFile(String session, long at, ImageEncoding encoding, byte[] file) {
    return image(session, at, encoding, 0, 0, file);
  }

  public static ImageFrameEvent image(String session, long at, ImageEncoding encoding, int width, int height,
      byte[] data) {
    return ImageFrameEvent.newBuilder().setSessionId(session).setEventId(UUID.randomUUID().toString())
        .setTimestamp(Instant.ofEpochMilli(at)).setEncoding(encoding).setWidth(width).setHeight(height)
        .setData(ByteBuffer.wrap(data)).build();
  }

  public static AudioChunkEvent audio(String session, long at, AudioEncoding encoding, int rate, int channels,
      byte[] data) {
    return AudioChunkEvent.newBuilder().setSessionId(session).setEventId(UUID.randomUUID().toString())
        .setTimestamp(Instant.ofEpochMilli(at)).setEncoding(encoding).setSampleRate(rate).setChannels(channels)
        .setData(ByteBuffer.wrap(data)).build();
  }

  /** Mono PCM_S16LE alternating +/- amplitude. */
  public static AudioChunkEvent tone(String session, long at, int samples, short amplitude, int rate) {
    return audio(session, at, AudioEncoding.PCM_S16LE, rate, 1, pcm(samples, amplitude));
  }

  public static AudioChunkEvent wavEvent(String session, long at, byte[] wav) {
    // For WAV the header wins; the declared rate and channels are what an honest producer would say.
    return audio(session, at, AudioEncoding.WAV, 16_000, 1, wav);
  }

  // ---- raw values that are not (valid) Confluent Avro ----------------------------------------

  public static byte[] notAvro() {
    return new byte[] {1, 2, 3, 4};
  }

  /** Magic byte 0 and a schema id no registry handed out. */
  public static byte[] unknownSchemaId() {
    return new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 'x'};
  }

  /** A valid record whose magic byte is 1 instead of 0. */
  public static byte[] wrongMagic(byte[] valid) {
    byte[] copy = valid.clone();
    copy[0] = 1;
    return copy;
  }

  public static byte[] truncate(byte[] bytes, int length) {
    return Arrays.copyOf(bytes, Math.min(length, bytes.length));
  }

  public static byte[] withTrailingBytes(byte[] valid, int extra) {
    byte[] copy = Arrays.copyOf(valid, valid.length + extra);
    Arrays.fill(copy, valid.length, copy.length, (byte) 0x5a);
    return copy;
  }

  /**
   * A record in Confluent wire format, schema id {@code schemaId}, that writes minimal values for
   * the fields of {@code schema} up to {@code field} and then only the length prefix of that
   * string or bytes field: a dozen bytes on the wire that claim {@code length} bytes follow.
   */
  public static byte[] lengthBomb(int schemaId, Schema schema, String field, long length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
    BinaryEncoder avro = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      for (Schema.Field f : schema.getFields()) {
        Schema type = f.schema();
        if (f.name().equals(field)) {
          if (type.getType() != Schema.Type.STRING && type.getType() != Schema.Type.BYTES) {
            throw new IllegalArgumentException(field + " is " + type.getType() + ", not string or bytes");
          }
          avro.writeLong(length);
          avro.flush();
          return out.toByteArray();
        }
        switch (type.getType()) {
          case STRING -> avro.writeString("s");
          case BYTES -> avro.writeBytes(new byte[] {1});
          case INT -> avro.writeInt(1);
          case LONG -> avro.writeLong(System.currentTimeMillis());
          case ENUM -> avro.writeEnum(0);
          case UNION -> avro.writeIndex(0); // the optional fields start with null
          default -> throw new IllegalArgumentException("no minimal value for " + type);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException(schema.getFullName() + " has no field " + field);
  }

  // ---- images ---------------------------------------------------------------------------------

  /**
   * A complete, valid 8-bit greyscale PNG of any size (all black), deflated row by row so that
   * even 1 x 10,000,000 takes a few kilobytes and no raster in this JVM.
   */
  public static byte[] png(int width, int height) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    byte[] row = new byte[width + 1]; // filter byte 0, then the grey samples
    int rowsPerChunk = Math.max(1, (1 << 20) / row.length);
    byte[] chunk = new byte[rowsPerChunk * row.length];
    byte[] buf = new byte[64 * 1024];
    for (int y = 0; y < height; y += rowsPerChunk) {
      int rows = Math.min(rowsPerChunk, height - y);
      deflater.setInput(chunk, 0, rows * row.length);
      while (!deflater.needsInput()) {
        idat.write(buf, 0, deflater.deflate(buf));
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      idat.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    return pngFile(width, height, idat.toByteArray());
  }

  /** A PNG header that declares {@code width x height} followed by a few pixels only. */
  public static byte[] pngHeaderOnly(int width, int height) {
    byte[] tiny = png(1, 1);
    byte[] idat = Arrays.copyOfRange(tiny, 8 + 25 + 8, tiny.length - 12 - 4);
    return pngFile(width, height, idat);
  }

  private static byte[] pngFile(int width, int height, byte[] idat) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(PNG_MAGIC);
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0); // 8-bit grey, no interlace
    pngChunk(out, "IHDR", ihdr.array());
    pngChunk(out, "IDAT", idat);
    pngChunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void pngChunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(name);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** A valid baseline JPEG of a grey gradient. */
  public static byte[] jpeg(int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.getRaster().setSample(x, y, 0, (x + y) & 0xff);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, "jpeg", out)) {
        throw new IllegalStateException("no JPEG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The JPEG start-of-image marker, then {@code size - 3} random bytes. */
  public static byte[] corruptJpeg(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    data[0] = (byte) 0xff;
    data[1] = (byte) 0xd8;
    data[2] = (byte) 0xff;
    return data;
  }

  public static byte[] notAnImage() {
    return "not a png at all".getBytes(StandardCharsets.UTF_8);
  }

  // ---- audio ----------------------------------------------------------------------------------

  public static byte[] pcm(int samples, short amplitude) {
    ByteBuffer pcm = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < samples; i++) {
      pcm.putShort((short) (i % 2 == 0 ? amplitude : -amplitude));
    }
    return pcm.array();
  }

  public static byte[] float32(float... samples) {
    ByteBuffer out = ByteBuffer.allocate(samples.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float s : samples) {
      out.putFloat(s);
    }
    return out.array();
  }

  /**
   * A canonical 44-byte-header PCM WAV file. Rate and channels are written as given, even where
   * the derived byte rate and block align overflow their fields.
   */
  public static byte[] wav(int sampleRate, int channels, int bitsPerSample, byte[] data) {
    ByteBuffer out = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + data.length)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
        .putShort((short) 1).putShort((short) channels).putInt(sampleRate)
        .putInt((int) ((long) sampleRate * channels * bitsPerSample / 8))
        .putShort((short) (channels * bitsPerSample / 8)).putShort((short) bitsPerSample)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data.length).put(data);
    return out.array();
  }

  public static byte[] brokenWav() {
    return "RIFFnonsense-header".getBytes(StandardCharsets.UTF_8);
  }
}
