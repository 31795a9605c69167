package io.fusionstream.decode;

import io.fusionstream.decode.PcmLayout.SampleFormat;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.AudioEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes PCM_S16LE, FLOAT32_LE and WAV chunks to mono {@link DecodedAudio} at the audio model's
 * sample rate. Size, rate, channels and duration are checked from the byte count and the declared
 * format (or WAV header) before any sample is converted; the rate cap ({@link
 * Limits#maxAudioSampleRate()}) and the channel cap apply to both, so the duration check and the
 * resampler only ever see a validated rate.
 */
public final class AudioDecoder implements InputDecoder<AudioChunkEvent, DecodedAudio> {
  private final Limits limits;
  private final int targetRate;

  /** @param targetRate the rate the audio model expects, e.g. 16000 */
  public AudioDecoder(Limits limits, int targetRate) {
    if (targetRate <= 0) {
      throw new IllegalArgumentException("target sample rate must be positive: " + targetRate);
    }
    this.limits = limits;
    this.targetRate = targetRate;
  }

  public int targetRate() {
    return targetRate;
  }

  @Override
  public DecodedAudio decode(AudioChunkEvent event) throws InvalidInputException {
    return decode(
        event.getEncoding(),
        event.getSampleRate(),
        event.getChannels(),
        ImageDecoder.bytes(event.getData()));
  }

  /** For WAV the header wins: {@code sampleRate} and {@code channels} are ignored. */
  public DecodedAudio decode(AudioEncoding encoding, int sampleRate, int channels, byte[] data)
      throws InvalidInputException {
    if (data == null || data.length == 0) {
      throw new InvalidInputException(Reasons.EMPTY_DATA, "audio has no bytes");
    }
    if (data.length > limits.maxAudioBytes()) {
      throw new InvalidInputException(
          Reasons.AUDIO_TOO_LONG,
          "audio has " + data.length + " bytes, limit " + limits.maxAudioBytes());
    }
    PcmLayout layout =
        switch (encoding) {
          case WAV -> WavHeader.parse(data, limits.maxAudioSampleRate());
          case PCM_S16LE -> raw(SampleFormat.S16, sampleRate, channels, data);
          case FLOAT32_LE -> raw(SampleFormat.F32, sampleRate, channels, data);
        };
    if (layout.frames() == 0) {
      throw new InvalidInputException(Reasons.EMPTY_DATA, "audio has no complete sample frame");
    }
    if (layout.seconds() > limits.maxAudioSeconds()) {
      throw new InvalidInputException(
          Reasons.AUDIO_TOO_LONG,
          String.format(
              "audio lasts %.2f s, limit %.2f s", layout.seconds(), limits.maxAudioSeconds()));
    }
    float[] mono = monoMix(layout, data);
    return new DecodedAudio(Resampler.resample(mono, layout.sampleRate(), targetRate), targetRate);
  }

  private PcmLayout raw(SampleFormat format, int sampleRate, int channels, byte[] data)
      throws InvalidInputException {
    if (sampleRate <= 0 || sampleRate > limits.maxAudioSampleRate()
        || channels <= 0 || channels > PcmLayout.MAX_CHANNELS) {
      throw new InvalidInputException(
          Reasons.AUDIO_BAD_FORMAT,
          "impossible format: " + channels + " channels at " + sampleRate + " Hz (at most "
              + PcmLayout.MAX_CHANNELS + " channels and " + limits.maxAudioSampleRate() + " Hz)");
    }
    int frameBytes = format.bytes * channels;
    if (data.length % frameBytes != 0) {
      throw new InvalidInputException(
          Reasons.AUDIO_BAD_FORMAT,
          data.length + " bytes is not a whole number of " + frameBytes + "-byte frames");
    }
    return new PcmLayout(format, sampleRate, channels, 0, data.length);
  }

  /** Averages the channels of each frame: the encoders listen in mono. */
  private static float[] monoMix(PcmLayout layout, byte[] data) throws InvalidInputException {
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int frames = (int) layout.frames();
    int channels = layout.channels();
    SampleFormat format = layout.format();
    float[] mono = new float[frames];
    int pos = layout.offset();
    for (int f = 0; f < frames; f++) {
      float sum = 0;
      for (int c = 0; c < channels; c++) {
        sum += sample(in, pos, format);
        pos += format.bytes;
      }
      float value = sum / channels;
      if (!Float.isFinite(value)) {
        throw new InvalidInputException(
            Reasons.AUDIO_BAD_SAMPLES, "sample frame " + f + " is not a finite number");
      }
      mono[f] = value;
    }
    return mono;
  }

  private static float sample(ByteBuffer in, int pos, SampleFormat format) {
    return switch (format) {
      case U8 -> ((in.get(pos) & 0xff) - 128) / 128f;
      case S16 -> in.getShort(pos) / 32768f;
      case S24 -> ((in.get(pos) & 0xff) | (in.get(pos + 1) & 0xff) << 8 | in.get(pos + 2) << 16)
          / 8388608f;
      case S32 -> in.getInt(pos) / 2147483648f;
      case F32 -> in.getFloat(pos);
    };
  }
}
