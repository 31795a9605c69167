package io.fusionstream.decode;

import static io.fusionstream.decode.ImageDecoderTest.assertReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.AudioEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioDecoderTest {
  private final AudioDecoder decoder = new AudioDecoder(Limits.defaults(), 16_000);

  @Test
  void stereoS16IsMixedToMono() throws Exception {
    ByteBuffer pcm = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    pcm.putShort((short) 16384).putShort((short) -16384); // frame 1: +0.5 and -0.5
    pcm.putShort((short) 8192).putShort((short) 8192); // frame 2: 0.25 twice
    DecodedAudio audio = decoder.decode(event(AudioEncoding.PCM_S16LE, 16_000, 2, pcm.array()));
    assertThat(audio.sampleRate()).isEqualTo(16_000);
    assertThat(audio.samples()).containsExactly(new float[] {0f, 0.25f}, within(1e-6f));
  }

  @Test
  void float32IsReadAsIs() throws Exception {
    ByteBuffer pcm = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    pcm.putFloat(0.1f).putFloat(-0.7f).putFloat(1f);
    DecodedAudio audio = decoder.decode(event(AudioEncoding.FLOAT32_LE, 16_000, 1, pcm.array()));
    assertThat(audio.samples()).containsExactly(0.1f, -0.7f, 1f);
  }

  @Test
  void wavHeaderWinsOverTheEventFields() throws Exception {
    float[] tone = tone(440, 8_000, 0.5, 8_000);
    byte[] wav = MediaFiles.toWav(tone, 8_000);
    // The event claims 44.1 kHz stereo; the header says 8 kHz mono.
    DecodedAudio audio = decoder.decode(event(AudioEncoding.WAV, 44_100, 2, wav));
    assertThat(audio.samples().length).isEqualTo(8_000);
    assertThat(audio.durationSeconds()).isCloseTo(0.5, within(1e-3));
  }

  @Test
  void badWavHeadersAreRefused() throws Exception {
    byte[] wav = MediaFiles.toWav(new float[100], 16_000);
    byte[] rifx = wav.clone();
    rifx[3] = 'X';
    assertReason(() -> decoder.decode(event(AudioEncoding.WAV, 0, 0, rifx)), Reasons.AUDIO_BAD_HEADER);
    byte[] adpcm = wav.clone();
    adpcm[20] = 2; // format code 2: MS ADPCM, unsupported
    assertReason(() -> decoder.decode(event(AudioEncoding.WAV, 0, 0, adpcm)), Reasons.AUDIO_BAD_HEADER);
    byte[] headerOnly = Arrays.copyOf(wav, 30);
    assertReason(() -> decoder.decode(event(AudioEncoding.WAV, 0, 0, headerOnly)), Reasons.AUDIO_BAD_HEADER);
    byte[] noChannels = wav.clone();
    noChannels[22] = 0;
    assertReason(() -> decoder.decode(event(AudioEncoding.WAV, 0, 0, noChannels)), Reasons.AUDIO_BAD_HEADER);
    byte[] raw = new byte[64];
    assertReason(() -> decoder.decode(event(AudioEncoding.WAV, 16_000, 1, raw)), Reasons.AUDIO_BAD_HEADER);
  }

  @Test
  void rawFormatsMustBeWholeFramesAtAPossibleRate() {
    assertReason(() -> decoder.decode(event(AudioEncoding.PCM_S16LE, 16_000, 2, new byte[6])), Reasons.AUDIO_BAD_FORMAT);
    assertReason(() -> decoder.decode(event(AudioEncoding.PCM_S16LE, 0, 1, new byte[8])), Reasons.AUDIO_BAD_FORMAT);
    assertReason(() -> decoder.decode(event(AudioEncoding.FLOAT32_LE, 16_000, 0, new byte[8])), Reasons.AUDIO_BAD_FORMAT);
  }

  @Test
  void emptyAndNonFiniteAudioIsRefused() {
    assertReason(() -> decoder.decode(event(AudioEncoding.PCM_S16LE, 16_000, 1, new byte[0])), Reasons.EMPTY_DATA);
    byte[] headerNoSamples = MediaFiles.toWav(new float[0], 16_000);
    assertReason(() -> decoder.decode(event(AudioEncoding.WAV, 0, 0, headerNoSamples)), Reasons.EMPTY_DATA);
    ByteBuffer nan = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0f).putFloat(Float.NaN);
    assertReason(() -> decoder.decode(event(AudioEncoding.FLOAT32_LE, 16_000, 1, nan.array())), Reasons.AUDIO_BAD_SAMPLES);
  }

  @Test
  void durationIsCheckedFromTheHeaderBeforeDecoding() {
    AudioDecoder strict = new AudioDecoder(Limits.defaults().withMaxAudioSeconds(1.0), 16_000);
    byte[] twoSeconds = new byte[2 * 16_000 * 2];
    assertReason(() -> strict.decode(event(AudioEncoding.PCM_S16LE, 16_000, 1, twoSeconds)), Reasons.AUDIO_TOO_LONG);
    byte[] wav = MediaFiles.toWav(new float[32_000], 16_000);
    assertReason(() -> strict.decode(event(AudioEncoding.WAV, 0, 0, wav)), Reasons.AUDIO_TOO_LONG);
    AudioDecoder tiny = new AudioDecoder(Limits.of(10, 10, 10, 100, 60), 16_000);
    assertReason(() -> tiny.decode(event(AudioEncoding.PCM_S16LE, 16_000, 1, new byte[200])), Reasons.AUDIO_TOO_LONG);
  }

  @Test
  void resamplingKeepsTheToneAndRemovesWhatTheNewRateCannotHold() throws Exception {
    AudioDecoder at16k = new AudioDecoder(Limits.defaults(), 16_000);
    DecodedAudio low = at16k.decode(AudioEncoding.FLOAT32_LE, 48_000, 1, f32(tone(1_000, 48_000, 1.0, 48_000)));
    assertThat(low.samples().length).isEqualTo(16_000);
    // A 1 kHz tone crosses zero 2000 times a second, at any rate.
    assertThat(zeroCrossings(low.samples())).isBetween(1990, 2010);
    assertThat(rms(low.samples())).isCloseTo(Math.sqrt(0.5), within(0.02));

    // 12 kHz is above the new Nyquist frequency (8 kHz): filtered out, not folded to 4 kHz.
    DecodedAudio high = at16k.decode(AudioEncoding.FLOAT32_LE, 48_000, 1, f32(tone(12_000, 48_000, 1.0, 48_000)));
    assertThat(rms(high.samples())).isLessThan(0.05);
  }

  @Test
  void oddRatePairsResampleLikeSimpleOnes() throws Exception {
    // 44100 -> 16000 uses the phase table (160 phases); 44100 -> 16001 has 16001 phases and
    // computes taps per sample. Both must keep a 440 Hz tone at 880 crossings a second.
    for (int target : new int[] {16_000, 16_001}) {
      AudioDecoder decoder = new AudioDecoder(Limits.defaults(), target);
      DecodedAudio audio = decoder.decode(AudioEncoding.FLOAT32_LE, 44_100, 1, f32(tone(440, 44_100, 1.0, 0)));
      assertThat(audio.samples().length).isEqualTo(target);
      assertThat(zeroCrossings(audio.samples())).isBetween(875, 885);
      assertThat(rms(audio.samples())).isCloseTo(Math.sqrt(0.5), within(0.02));
    }
  }

  @Test
  void wavFilesAreReadWithTheSameRules(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("a.wav");
    Files.write(file, MediaFiles.toWav(tone(500, 22_050, 0.2, 22_050), 22_050));
    DecodedAudio audio = MediaFiles.readWav(file, 16_000, Limits.defaults());
    assertThat(audio.sampleRate()).isEqualTo(16_000);
    assertThat(audio.durationSeconds()).isCloseTo(0.2, within(0.001));
  }

  static float[] tone(double hz, int rate, double seconds, int unusedForClarity) {
    float[] samples = new float[(int) Math.round(rate * seconds)];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (float) Math.sin(2 * Math.PI * hz * i / rate);
    }
    return samples;
  }

  static byte[] f32(float[] samples) {
    ByteBuffer out = ByteBuffer.allocate(samples.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float s : samples) {
      out.putFloat(s);
    }
    return out.array();
  }

  private static int zeroCrossings(float[] s) {
    int n = 0;
    for (int i = 1; i < s.length; i++) {
      if ((s[i - 1] < 0) != (s[i] < 0)) {
        n++;
      }
    }
    return n;
  }

  private static double rms(float[] s) {
    double sum = 0;
    for (int i = 200; i < s.length - 200; i++) { // skip the edges, where the filter sees zeros
      sum += s[i] * (double) s[i];
    }
    return Math.sqrt(sum / (s.length - 400));
  }

  static AudioChunkEvent event(AudioEncoding encoding, int rate, int channels, byte[] data) {
    return AudioChunkEvent.newBuilder()
        .setSessionId("s")
        .setEventId("e")
        .setTimestamp(java.time.Instant.ofEpochMilli(0))
        .setEncoding(encoding)
        .setSampleRate(rate)
        .setChannels(channels)
        .setData(ByteBuffer.wrap(data))
        .build();
  }
}
