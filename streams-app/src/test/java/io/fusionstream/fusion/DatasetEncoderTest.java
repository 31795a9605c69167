package io.fusionstream.fusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;
import io.fusionstream.encode.Encoder;
import io.fusionstream.decode.InvalidInputException;
import io.fusionstream.schema.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetEncoderTest {
  @TempDir Path dir;

  /** Encodes an input to (its first value, how many inputs this encoder has seen before). */
  private static final class CountingEncoder<I> implements Encoder<I> {
    final Modality modality;
    final java.util.function.ToDoubleFunction<I> value;
    final List<I> seen = new ArrayList<>();

    CountingEncoder(Modality modality, java.util.function.ToDoubleFunction<I> value) {
      this.modality = modality;
      this.value = value;
    }

    @Override
    public Modality modality() {
      return modality;
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public String modelId() {
      return "counting-" + modality + "@1";
    }

    @Override
    public float[][] encode(List<I> inputs) {
      float[][] out = new float[inputs.size()][];
      for (int i = 0; i < inputs.size(); i++) {
        out[i] = new float[] {(float) value.applyAsDouble(inputs.get(i)), 1f};
      }
      seen.addAll(inputs);
      return out;
    }

    @Override
    public void close() {}
  }

  private final CountingEncoder<String> text = new CountingEncoder<>(Modality.TEXT, String::length);
  private final CountingEncoder<DecodedImage> image =
      new CountingEncoder<>(Modality.IMAGE, DecodedImage::width);
  private final CountingEncoder<DecodedAudio> audio =
      new CountingEncoder<>(Modality.AUDIO, a -> a.samples().length);

  /** Images are files holding their width as text; "bad" does not decode. */
  private DatasetEncoder encoder() {
    return new DatasetEncoder(text, image, audio,
        f -> {
          String s = Files.readString(f).trim();
          if (s.equals("bad")) {
            throw new InvalidInputException("image-bad", "not an image");
          }
          int w = Integer.parseInt(s);
          return new DecodedImage(w, 1, new byte[w * 3]);
        },
        f -> new DecodedAudio(new float[Integer.parseInt(Files.readString(f).trim())], 16_000),
        null);
  }

  private Manifest manifest() throws Exception {
    Files.writeString(dir.resolve("a.img"), "4");
    Files.writeString(dir.resolve("b.img"), "8");
    Files.writeString(dir.resolve("bad.img"), "bad");
    Files.writeString(dir.resolve("a.wav"), "10");
    Path file = dir.resolve("manifest.jsonl");
    Manifest.write(file, List.of(
        new ManifestEntry("s1", "yes", List.of("hi", "hello"), List.of("a.img", "b.img"), List.of("a.wav"), null),
        new ManifestEntry("s2", "no", List.of(), List.of("bad.img"), List.of("a.wav"), Map.of("k", 1))));
    return Manifest.read(file);
  }

  @Test
  void poolsPerModalityAndLeavesOutWhatIsMissingOrUndecodable() throws Exception {
    EncodedDataset data = encoder().encode(manifest(), List.of("no", "yes"));
    assertThat(data.labels()).containsExactly("no", "yes");
    LabeledWindow s1 = data.windows().get(0);
    assertThat(s1.label()).isEqualTo(1);
    assertThat(s1.input().pooled().get(Modality.TEXT)).containsExactly(3.5f, 1f); // (2 + 5) / 2
    assertThat(s1.input().pooled().get(Modality.IMAGE)).containsExactly(6f, 1f);
    LabeledWindow s2 = data.windows().get(1);
    assertThat(s2.input().pooled()).containsOnlyKeys(Modality.AUDIO);
    assertThat(data.encoderIds()).containsEntry(Modality.TEXT, "counting-TEXT@1");
  }

  @Test
  void aSecondPassEncodesNothingAgainUntilAFileChanges() throws Exception {
    Manifest m = manifest();
    encoder().encode(m, null);
    // a.wav is shared by both sessions and encoded once
    assertThat(audio.seen).hasSize(1);
    assertThat(text.seen).hasSize(2);
    assertThat(image.seen).hasSize(2);

    EncodedDataset again = encoder().encode(m, null);
    assertThat(text.seen).hasSize(2);
    assertThat(image.seen).hasSize(2);
    assertThat(audio.seen).hasSize(1);
    assertThat(again.windows().get(0).input().pooled().get(Modality.IMAGE)).containsExactly(6f, 1f);

    Files.writeString(dir.resolve("b.img"), "12");
    Files.setLastModifiedTime(dir.resolve("b.img"), FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    EncodedDataset edited = encoder().encode(m, null);
    assertThat(image.seen).hasSize(3);
    assertThat(edited.windows().get(0).input().pooled().get(Modality.IMAGE)).containsExactly(8f, 1f);
  }
}
