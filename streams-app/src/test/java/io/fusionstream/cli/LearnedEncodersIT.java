package io.fusionstream.cli;

import io.fusionstream.encode.LearnedEncoderFixturesTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionstream.app.FusionApp;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline with learned encoders: the committed fixture networks (MobileNetV3 image tower in
 * ONNX, log-mel CNN in TorchScript, random weights) with MiniLM for text. A fusion model is trained
 * on their embeddings, carries their ids, serves, and a session's files come out as a prediction;
 * another image network of the same output size is then refused by that model.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LearnedEncodersIT {

  @Test
  void fixtureEncodersTrainServeAndPredict(@TempDir Path dir) throws Exception {
    String imageModel = fixture("image-onnx").toUri().toString(); // a file:// URL, as a user may give it
    String audioModel = fixture("audio-torchscript").toString();
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      Map<String, String> settings = new HashMap<>();
      settings.put("bootstrap.servers", kafka.bootstrapServers());
      settings.put("schema.registry.url", registry.url());
      settings.put("application.id", "learned-encoders-it");
      settings.put(FusionConfig.ENCODER_IMAGE_MODEL, imageModel);
      settings.put(FusionConfig.ENCODER_AUDIO_MODEL, audioModel);
      // the TorchScript fixture lies in target/test-classes, which this process can write
      settings.put(FusionConfig.ENCODER_TORCHSCRIPT_ALLOW_WRITABLE, "true");
      settings.put("state.dir", dir.resolve("state").toString());
      settings.put("commit.interval.ms", "200");
      settings.put(FusionConfig.MODEL_DIR, dir.resolve("models").toString());
      settings.put(FusionConfig.HTTP_PORT, "0");
      settings.put(FusionConfig.WINDOW_SIZE_MS, "4000");
      settings.put(FusionConfig.WINDOW_GRACE_MS, "1000");
      settings.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, "1000");
      FusionConfig config = new FusionConfig(settings);
      try (var admin = kafka.admin()) {
        TopicSpecs.createMissing(admin, TopicSpecs.all(config, 1, (short) 1, 3_600_000L));
      }
      TrainCommand.trainOnSynthetic(dir.resolve("dataset"), 60, 3, dir.resolve("models"), "--epochs", "5",
          "--image-model", imageModel, "--audio-model", audioModel, "--torchscript-allow-writable");
      Path version = io.fusionstream.fusion.ModelVersions.newest(dir.resolve("models")).orElseThrow();
      var trained = io.fusionstream.fusion.ModelDescription.read(version);
      assertThat(trained.encoderIds()).containsEntry("image", "image-onnx/model.onnx")
          .containsEntry("audio", "audio-torchscript/model.pt");
      assertThat(trained.inputDims()).containsEntry("image", 288).containsEntry("audio", 64);

      Path frames = Files.createDirectories(dir.resolve("frames"));
      for (int i = 0; i < 3; i++) {
        ImageIO.write(face(i), "png", frames.resolve("frame-" + i + ".png").toFile());
      }
      Path wav = dir.resolve("voice.wav");
      writeWav(wav, 2.0);
      Path text = dir.resolve("chat.txt");
      Files.writeString(text, "I am really happy with how this went\nthanks, that was great\n");

      // Event times inside one 4 s window, so the session is one window with all three modalities.
      long now = System.currentTimeMillis();
      Instant start = Instant.ofEpochMilli(now - now % 4000 + 4000 + 1);
      try (FusionApp app = FusionApp.start(settings)) {
        assertThat(app.encoders().image().modelId()).isEqualTo("image-onnx/model.onnx");
        assertThat(app.encoders().image().dimension()).isEqualTo(288);
        assertThat(app.encoders().audio().modelId()).isEqualTo("audio-torchscript/model.pt");
        assertThat(app.encoders().audio().dimension()).isEqualTo(64);
        String[] client = {"-b", kafka.bootstrapServers(), "-r", registry.url()};
        CliRun.Result produced = CliRun.run(CliRun.concat(new String[] {"produce", "--session", "call-42", "--text", text.toString(),
            "--images", frames.toString(), "--fps", "2", "--audio", wav.toString(), "--chunk-ms", "500",
            "--start", start.toString()}, client));
        assertThat(produced.code()).isZero();
        assertThat(produced.out()).contains("text-events                   2 events acknowledged")
            .contains("image-frames                  3 events acknowledged")
            .contains("audio-chunks                  4 events acknowledged");

        CliRun.Result consumed = CliRun.run(CliRun.concat(new String[] {"consume", "--from-beginning", "--max", "1",
            "--session", "call-42", "--timeout", "120"}, client));
        assertThat(consumed.code()).isZero();
        List<String> lines = consumed.out().lines().filter(l -> l.startsWith("{")).toList();
        assertThat(lines).hasSize(1);
        JsonNode p = new ObjectMapper().readTree(lines.get(0));
        assertThat(p.get("session_id").asText()).isEqualTo("call-42");
        assertThat(p.get("modalities_present").toString()).contains("TEXT", "IMAGE", "AUDIO");
        assertThat(p.get("modality_event_counts").get("text").asInt()).isEqualTo(2);
        assertThat(p.get("modality_event_counts").get("image").asInt()).isEqualTo(3);
        assertThat(p.get("modality_event_counts").get("audio").asInt()).isEqualTo(4);
        assertThat(p.get("model_version").asText()).isEqualTo(app.modelVersion());

        CliRun.Result table = CliRun.run(CliRun.concat(new String[] {"consume", "--from-beginning", "--max", "1", "--format", "table",
            "--timeout", "30"}, client));
        assertThat(table.out()).contains("SESSION").contains("call-42").contains("text,image,audio");
      }

      // Another network with the same output size (the TorchScript image fixture also gives 288
      // dims) would fuse without an error and answer nonsense: the trained model refuses it by id.
      Map<String, String> otherImage = new HashMap<>(settings);
      otherImage.put(FusionConfig.ENCODER_IMAGE_MODEL, fixture("image-torchscript").toString());
      assertThatThrownBy(() -> FusionApp.start(otherImage).close())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("does not fit the running encoders")
          .hasMessageContaining("image: the model was trained on image-onnx/model.onnx, "
              + "the running encoder is image-torchscript/model.pt")
          .hasMessageNotContaining("audio:");
    }
  }

  private static Path fixture(String name) {
    return LearnedEncoderFixturesTest.fixture(name);
  }




  private static BufferedImage face(int i) {
    BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(240, 200, 170));
    g.fillOval(8, 8, 80, 80);
    g.setColor(Color.DARK_GRAY);
    g.fillOval(30, 35, 8, 8);
    g.fillOval(58, 35, 8, 8);
    g.drawArc(30, 45 + i, 36, 20, 200, 140);
    g.dispose();
    return img;
  }

  private static void writeWav(Path file, double seconds) throws Exception {
    int rate = 16_000;
    int n = (int) (rate * seconds);
    ByteBuffer pcm = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      double pitch = 180 + 60 * Math.sin(2 * Math.PI * i / rate);
      pcm.putShort((short) (8000 * Math.sin(2 * Math.PI * pitch * i / rate)));
    }
    AudioFormat format = new AudioFormat(rate, 16, 1, true, false);
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, n)) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
    }
  }
}
