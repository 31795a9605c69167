package io.fusionstream.decode;

import io.fusionstream.schema.AudioEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads image and audio files from disk with the same validation as the stream, for training data
 * and the {@code produce} command.
 */
public final class MediaFiles {
  private MediaFiles() {}

  /** A PNG or JPEG file (told apart by its first bytes) as RGB. */
  public static DecodedImage readImage(Path file, Limits limits)
      throws IOException, InvalidInputException {
    byte[] data = readBounded(file, limits.maxImageBytes(), Reasons.IMAGE_TOO_LARGE);
    if (data.length == 0) {
      throw new InvalidInputException(Reasons.EMPTY_DATA, file + " is empty");
    }
    return new ImageDecoder(limits).decode(ImageDecoder.sniff(data), 0, 0, data);
  }

  /** A WAV file as mono at {@code targetRate}. */
  public static DecodedAudio readWav(Path file, int targetRate, Limits limits)
      throws IOException, InvalidInputException {
    byte[] data = readBounded(file, limits.maxAudioBytes(), Reasons.AUDIO_TOO_LONG);
    return new AudioDecoder(limits, targetRate).decode(AudioEncoding.WAV, 0, 0, data);
  }

  /** Mono samples in [-1, 1] as a 16-bit PCM WAV file (clipped), e.g. for synthetic datasets. */
  public static byte[] toWav(float[] samples, int sampleRate) {
    int dataBytes = samples.length * 2;
    ByteBuffer out = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes);
    out.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
    out.putShort((short) 1).putShort((short) 1).putInt(sampleRate).putInt(sampleRate * 2);
    out.putShort((short) 2).putShort((short) 16);
    out.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
    for (float s : samples) {
      out.putShort((short) Math.round(Math.max(-1f, Math.min(1f, s)) * 32767f));
    }
    return out.array();
  }

  private static byte[] readBounded(Path file, int maxBytes, String reason)
      throws IOException, InvalidInputException {
    long size = Files.size(file);
    if (size > maxBytes) {
      throw new InvalidInputException(reason, file + " has " + size + " bytes, limit " + maxBytes);
    }
    return Files.readAllBytes(file);
  }
}
