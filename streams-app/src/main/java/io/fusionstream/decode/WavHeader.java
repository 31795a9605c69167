package io.fusionstream.decode;

import io.fusionstream.decode.PcmLayout.SampleFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Parses a RIFF/WAVE header into a {@link PcmLayout} without touching the samples. Accepts PCM 8,
 * 16, 24 and 32 bit, IEEE float 32 bit, and WAVE_FORMAT_EXTENSIBLE wrapping either.
 */
final class WavHeader {
  private static final int FORMAT_PCM = 1;
  private static final int FORMAT_FLOAT = 3;
  private static final int FORMAT_EXTENSIBLE = 0xFFFE;

  private WavHeader() {}

  /** @param maxSampleRate highest accepted rate; the header's rate is checked before it is used */
  static PcmLayout parse(byte[] data, int maxSampleRate) throws InvalidInputException {
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    if (data.length < 12 || !tag(in, 0, "RIFF") || !tag(in, 8, "WAVE")) {
      throw bad("not a RIFF/WAVE file");
    }
    int pos = 12;
    int audioFormat = -1;
    int channels = 0;
    int sampleRate = 0;
    int bits = 0;
    while (pos + 8 <= data.length) {
      long size = Integer.toUnsignedLong(in.getInt(pos + 4));
      int body = pos + 8;
      if (tag(in, pos, "fmt ")) {
        if (size < 16 || body + 16 > data.length) {
          throw bad("fmt chunk too short");
        }
        audioFormat = Short.toUnsignedInt(in.getShort(body));
        channels = Short.toUnsignedInt(in.getShort(body + 2));
        sampleRate = in.getInt(body + 4);
        bits = Short.toUnsignedInt(in.getShort(body + 14));
        if (audioFormat == FORMAT_EXTENSIBLE) {
          if (size < 40 || body + 26 > data.length) {
            throw bad("extensible fmt chunk too short");
          }
          // The first two bytes of the SubFormat GUID carry the real format code.
          audioFormat = Short.toUnsignedInt(in.getShort(body + 24));
        }
      } else if (tag(in, pos, "data")) {
        if (audioFormat < 0) {
          throw bad("data chunk before fmt chunk");
        }
        // Streaming writers leave the size at 0 or 0xFFFFFFFF; trust the bytes we actually have.
        long available = data.length - body;
        int length = (int) (size == 0 || size > available ? available : size);
        SampleFormat format = sampleFormat(audioFormat, bits);
        if (channels <= 0 || channels > PcmLayout.MAX_CHANNELS) {
          throw bad("impossible fmt: " + channels + " channels (at most " + PcmLayout.MAX_CHANNELS + ")");
        }
        // Read as unsigned: a rate above 2^31 Hz is as impossible as a negative one.
        long rate = Integer.toUnsignedLong(sampleRate);
        if (rate == 0 || rate > maxSampleRate) {
          throw bad("impossible fmt: " + rate + " Hz (at most " + maxSampleRate + " Hz)");
        }
        int frameBytes = format.bytes * channels;
        return new PcmLayout(format, sampleRate, channels, body, length - length % frameBytes);
      }
      pos = (int) Math.min(Integer.MAX_VALUE, body + size + (size & 1)); // chunks are word-aligned
    }
    throw bad("no data chunk");
  }

  private static SampleFormat sampleFormat(int audioFormat, int bits) throws InvalidInputException {
    if (audioFormat == FORMAT_PCM) {
      switch (bits) {
        case 8:
          return SampleFormat.U8;
        case 16:
          return SampleFormat.S16;
        case 24:
          return SampleFormat.S24;
        case 32:
          return SampleFormat.S32;
        default:
          throw bad("unsupported PCM bit depth " + bits);
      }
    }
    if (audioFormat == FORMAT_FLOAT && bits == 32) {
      return SampleFormat.F32;
    }
    throw bad("unsupported WAV format code " + audioFormat + " with " + bits + " bits");
  }

  private static boolean tag(ByteBuffer in, int pos, String tag) {
    for (int i = 0; i < 4; i++) {
      if (in.get(pos + i) != tag.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static InvalidInputException bad(String message) {
    return new InvalidInputException(Reasons.AUDIO_BAD_HEADER, "bad WAV header: " + message);
  }
}
