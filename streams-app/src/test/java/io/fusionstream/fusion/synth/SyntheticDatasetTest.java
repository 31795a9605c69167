package io.fusionstream.fusion.synth;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.fusion.Manifest;
import io.fusionstream.fusion.ManifestEntry;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticDatasetTest {
  @TempDir Path dir;

  @Test
  void sameSeedWritesTheSameFilesAndAnotherSeedDoesNot() throws Exception {
    Path a = SyntheticDataset.generate(dir.resolve("a"), 9, 7);
    Path b = SyntheticDataset.generate(dir.resolve("b"), 9, 7);
    Path c = SyntheticDataset.generate(dir.resolve("c"), 9, 8);
    assertThat(Files.readString(a)).isEqualTo(Files.readString(b)).isNotEqualTo(Files.readString(c));
    ManifestEntry first = Manifest.read(a).entries().get(0);
    String image = first.images().get(0);
    String audio = first.audio().get(0);
    assertThat(Files.readAllBytes(a.resolveSibling(image)))
        .isEqualTo(Files.readAllBytes(b.resolveSibling(image)));
    assertThat(Files.readAllBytes(a.resolveSibling(audio)))
        .isEqualTo(Files.readAllBytes(b.resolveSibling(audio)));
  }

  @Test
  void manifestPointsAtReadablePngAndWavAndLabelsFollowTheHiddenAffect() throws Exception {
    Manifest manifest = Manifest.read(SyntheticDataset.generate(dir, 60, 1));
    assertThat(manifest.entries()).hasSize(60);
    assertThat(manifest.entries().stream().map(ManifestEntry::label).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(SyntheticDataset.LABELS);
    for (ManifestEntry e : manifest.entries()) {
      assertThat(e.texts()).isNotEmpty();
      assertThat(e.images()).isNotEmpty();
      assertThat(e.audio()).isNotEmpty();
      double valence = ((Number) e.meta().get("valence")).doubleValue();
      double arousal = ((Number) e.meta().get("arousal")).doubleValue();
      switch (e.label()) {
        case "neutral" -> assertThat(arousal).isLessThan(0.45);
        case "positive" -> assertThat(valence).isPositive();
        default -> assertThat(valence).isNegative();
      }
    }
    ManifestEntry e = manifest.entries().get(3);
    BufferedImage frame = ImageIO.read(manifest.resolve(e.images().get(0)).toFile());
    assertThat(frame.getWidth()).isEqualTo(SyntheticFace.SIZE);
    try (AudioInputStream wav = AudioSystem.getAudioInputStream(manifest.resolve(e.audio().get(0)).toFile())) {
      assertThat(wav.getFormat().getSampleRate()).isEqualTo(16_000f);
      assertThat(wav.getFormat().getChannels()).isEqualTo(1);
      assertThat(wav.getFrameLength()).isEqualTo(16_000);
    }
  }

  @Test
  void storiesAreRecordedAndTrueToTheFiles() throws Exception {
    Manifest manifest = Manifest.read(SyntheticDataset.generate(dir, 120, 9, true));
    java.util.Map<String, io.fusionstream.fusion.explain.WindowStory> stories =
        io.fusionstream.fusion.explain.WindowStory.of(manifest);
    assertThat(stories).hasSize(120);
    java.util.Set<io.fusionstream.fusion.explain.WindowStory.Kind> kinds = new java.util.HashSet<>();
    for (ManifestEntry e : manifest.entries()) {
      io.fusionstream.fusion.explain.WindowStory story = stories.get(e.sessionId());
      kinds.add(story.kind());
      java.util.Map<io.fusionstream.schema.Modality, Integer> inputs = java.util.Map.of(
          io.fusionstream.schema.Modality.TEXT, e.texts().size(),
          io.fusionstream.schema.Modality.IMAGE, e.images().size(),
          io.fusionstream.schema.Modality.AUDIO, e.audio().size());
      inputs.forEach((m, n) -> {
        if (story.is(io.fusionstream.fusion.explain.WindowStory.Kind.MISSING, m)) {
          assertThat(n).as("%s of %s", m, e.sessionId()).isZero();
        } else {
          assertThat(n).as("%s of %s", m, e.sessionId()).isPositive();
        }
      });
      switch (story.kind()) {
        case CONTRADICT -> {
          assertThat(e.label()).as("only an aroused session can be caught contradicting").isNotEqualTo("neutral");
          assertThat(story.modality()).isIn(io.fusionstream.schema.Modality.TEXT, io.fusionstream.schema.Modality.IMAGE);
        }
        case NOISE -> assertThat(e.meta()).containsEntry(
            story.modality().name().toLowerCase(java.util.Locale.ROOT) + "_degraded", true);
        default -> { }
      }
    }
    assertThat(kinds).containsExactlyInAnyOrder(io.fusionstream.fusion.explain.WindowStory.Kind.values());

    Manifest classic = Manifest.read(SyntheticDataset.generate(dir.resolve("classic"), 5, 9));
    assertThat(io.fusionstream.fusion.explain.WindowStory.of(classic)).as("only with stories").isEmpty();
  }

  @Test
  void arousedVoicesAreLouderThanCalmOnes() {
    java.util.Random r = new java.util.Random(3);
    double calm = rms(SyntheticVoice.speak(new Affect("neutral", 1, 1, 0.1), false, r));
    double aroused = rms(SyntheticVoice.speak(new Affect("positive", 1, 1, 0.9), false, r));
    assertThat(aroused).isGreaterThan(2 * calm);
  }

  private static double rms(float[] s) {
    double sum = 0;
    for (float v : s) {
      sum += v * v;
    }
    return Math.sqrt(sum / s.length);
  }
}
