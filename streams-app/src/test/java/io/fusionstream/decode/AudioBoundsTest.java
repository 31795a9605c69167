package io.fusionstream.decode;

import static io.fusionstream.decode.ImageDecoderTest.assertReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fusionstream.schema.AudioEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** What a WAV header or raw PCM fields declare is capped before the rate or channel count is used. */
class AudioBoundsTest {
  private final AudioDecoder decoder = new AudioDecoder(Limits.defaults(), 16_000);

  @Test
  void aWavDeclaringTwoGigahertzIsRefusedByItsHeader() {
    byte[] wav = withRate(MediaFiles.toWav(new float[1_000], 16_000), 2_000_000_012);
    assertThatThrownBy(() -> decoder.decode(AudioEncoding.WAV, 0, 0, wav))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.reason()).isEqualTo(Reasons.AUDIO_BAD_HEADER))
        .hasMessageContaining("2000000012 Hz")
        .hasMessageContaining("768000 Hz");
  }

  @Test
  void wavAndRawShareTheConfiguredRateCap() throws Exception {
    assertThat(decoder.decode(AudioEncoding.WAV, 0, 0, withRate(MediaFiles.toWav(new float[7_680], 16_000), 768_000))
        .samples()).hasSize(160);
    byte[] above = withRate(MediaFiles.toWav(new float[1_000], 16_000), 768_001);
    assertReason(() -> decoder.decode(AudioEncoding.WAV, 0, 0, above), Reasons.AUDIO_BAD_HEADER);
    byte[] unsignedHuge = withRate(MediaFiles.toWav(new float[1_000], 16_000), 0x9000_0000);
    assertReason(() -> decoder.decode(AudioEncoding.WAV, 0, 0, unsignedHuge), Reasons.AUDIO_BAD_HEADER);

    Limits at48k = new Limits(Limits.DEFAULT_MAX_TEXT_CHARS, Limits.DEFAULT_MAX_IMAGE_BYTES,
        Limits.DEFAULT_MAX_IMAGE_PIXELS, Limits.DEFAULT_MAX_IMAGE_SIDE, Limits.DEFAULT_MAX_IMAGE_ASPECT_RATIO,
        Limits.DEFAULT_MAX_AUDIO_BYTES, Limits.DEFAULT_MAX_AUDIO_SECONDS, 48_000);
    AudioDecoder strict = new AudioDecoder(at48k, 16_000);
    byte[] wav96k = MediaFiles.toWav(new float[960], 96_000);
    assertReason(() -> strict.decode(AudioEncoding.WAV, 0, 0, wav96k), Reasons.AUDIO_BAD_HEADER);
    assertReason(() -> strict.decode(AudioEncoding.PCM_S16LE, 96_000, 1, new byte[1_920]), Reasons.AUDIO_BAD_FORMAT);
    assertThat(strict.decode(AudioEncoding.PCM_S16LE, 48_000, 1, new byte[960]).samples()).hasSize(160);
  }

  @Test
  void channelCountsAreCappedForWavAndRaw() {
    byte[] wav = MediaFiles.toWav(new float[1_000], 16_000);
    ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putShort(22, (short) 0xffff); // 65535 channels
    assertThatThrownBy(() -> decoder.decode(AudioEncoding.WAV, 0, 0, wav))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.reason()).isEqualTo(Reasons.AUDIO_BAD_HEADER))
        .hasMessageContaining("65535 channels");
    assertReason(() -> decoder.decode(AudioEncoding.PCM_S16LE, 16_000, 65, new byte[130]), Reasons.AUDIO_BAD_FORMAT);
  }

  @Test
  void theTapTableOfAnExtremeRatioIsBoundedByTheInputNotTheRate() {
    // 767996 Hz to 16 kHz: 4000 phases of a 1538-tap kernel, 6.2 M floats if the table followed the
    // rates; at 2000000012 Hz the kernel alone would be 4 M taps.
    for (int from : new int[] {767_996, 2_000_000_012}) {
      int in = 100;
      long out = Math.max(1, Math.round(in * 16_000.0 / from));
      assertThat(Resampler.tapFloats(in, from, 16_000))
          .isLessThanOrEqualTo(Resampler.TABLE_FACTOR * (in + out));
    }
    // A long chunk at an ordinary pair keeps its phase table (160 phases x 92 taps).
    assertThat(Resampler.tapFloats(44_100, 44_100, 16_000)).isEqualTo(160L * 92);
  }

  @Test
  void anExtremeRatioStillResamplesCorrectly() {
    float[] dc = new float[20_000];
    java.util.Arrays.fill(dc, 0.5f);
    float[] out = Resampler.resample(dc, 767_996, 16_000);
    assertThat(out).hasSize((int) Math.round(20_000 * 16_000.0 / 767_996));
    // Away from the edges the low-pass keeps a constant signal as it is.
    for (int i = 20; i < out.length - 20; i++) {
      assertThat(out[i]).isCloseTo(0.5f, within(0.01f));
    }
    float[] shortChunk = Resampler.resample(new float[] {0.1f, 0.2f, 0.3f}, 767_996, 16_000);
    assertThat(shortChunk).hasSize(1);
    assertThat(Float.isFinite(shortChunk[0])).isTrue();
  }

  private static byte[] withRate(byte[] wav, int rate) {
    ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(24, rate);
    return wav;
  }
}
