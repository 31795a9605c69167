package io.fusionstream.decode;

/**
 * How interleaved samples are laid out in a byte array: what a WAV header or an audio event's
 * fields declare, before any sample is read.
 */
record PcmLayout(SampleFormat format, int sampleRate, int channels, int offset, int length) {
  /** Most interleaved channels accepted, raw PCM and WAV alike (7.1.4 surround has 12). */
  static final int MAX_CHANNELS = 64;

  /** Sample encodings we read; all little-endian. */
  enum SampleFormat {
    U8(1),
    S16(2),
    S24(3),
    S32(4),
    F32(4);

    final int bytes;

    SampleFormat(int bytes) {
      this.bytes = bytes;
    }
  }

  int frameBytes() {
    return format.bytes * channels;
  }

  long frames() {
    return length / frameBytes();
  }

  double seconds() {
    return frames() / (double) sampleRate;
  }
}
