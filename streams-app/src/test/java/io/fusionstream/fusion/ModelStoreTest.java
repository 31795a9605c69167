package io.fusionstream.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fusionstream.schema.Modality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
  @TempDir Path root;

  /** Records which versions were closed, to see that old versions are released and when. */
  private final Set<String> closedVersions = ConcurrentHashMap.newKeySet();

  private FusionModel spy(FusionModel model) {
    return new FusionModel() {
      @Override
      public String version() {
        return model.version();
      }

      @Override
      public List<String> labels() {
        return model.labels();
      }

      @Override
      public List<FusionOutput> predict(List<FusionInput> batch) {
        if (closedVersions.contains(model.version())) {
          throw new IllegalStateException("model " + model.version() + " used after close");
        }
        return model.predict(batch);
      }

      @Override
      public void close() {
        closedVersions.add(model.version());
        model.close();
      }
    };
  }

  private static void publish(Path root, String version, TrainedFusion trained) throws IOException {
    ModelVersions.publish(root, version, dir -> trained.saveTo(dir, version, Map.of(), Map.of()));
  }

  private static TrainedFusion quickModel(FusionStrategy strategy) {
    return new FusionTrainer(null)
        .train(ToyWindows.make(64, 5), ToyWindows.make(32, 6), ToyWindows.LABELS, ToyWindows.DIMS,
            TrainOptions.defaults(strategy).withEpochs(1));
  }

  @Test
  void switchesToANewVersionWhilePredictionsKeepGoingAndLosesNone() throws Exception {
    publish(root, "v0001", quickModel(FusionStrategy.ATTENTION));
    TrainedFusion second = quickModel(FusionStrategy.GATED);
    List<FusionInput> batch =
        ToyWindows.make(8, 7).stream().map(LabeledWindow::input).toList();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<List<String>> seen = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService callers = Executors.newFixedThreadPool(3);
    try (ModelStore store =
        ModelStore.open(root, dir -> spy(DjlFusionModel.load(dir)), Duration.ofMillis(50))) {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        List<String> versions = Collections.synchronizedList(new ArrayList<>());
        seen.add(versions);
        running.add(
            callers.submit(
                () -> {
                  while (!stop.get()) {
                    try {
                      ModelStore.Versioned v = store.predict(batch);
                      assertThat(v.outputs()).hasSize(batch.size());
                      versions.add(v.modelVersion());
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }
                }));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.stream().allMatch(s -> s.size() > 5));
      publish(root, "v0002", second);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> seen.stream().allMatch(s -> s.size() > 5 && s.get(s.size() - 1).equals("v0002")));
      stop.set(true);
      for (Future<?> f : running) {
        f.get(30, TimeUnit.SECONDS);
      }
      assertThat(store.currentVersion()).isEqualTo("v0002");
    } finally {
      callers.shutdownNow();
    }
    assertThat(failures).isEmpty();
    for (List<String> versions : seen) {
      assertThat(versions).first().isEqualTo("v0001");
      // once a caller saw the new version it never goes back
      int firstNew = versions.indexOf("v0002");
      assertThat(firstNew).isPositive();
      assertThat(versions.subList(firstNew, versions.size())).containsOnly("v0002");
    }
    assertThat(closedVersions).contains("v0001", "v0002");
  }

  /** A model that only says its version: enough to check the store's bookkeeping. */
  private FusionModel fake(Path dir) throws IOException {
    String text = Files.readString(dir.resolve(ModelDescription.FILE));
    if (text.contains("broken")) {
      throw new IOException("corrupt model " + dir);
    }
    String version = dir.getFileName().toString();
    return spy(new FusionModel() {
      @Override
      public String version() {
        return version;
      }

      @Override
      public List<String> labels() {
        return List.of("a", "b");
      }

      @Override
      public List<FusionOutput> predict(List<FusionInput> batch) {
        return batch.stream()
            .map(i -> new FusionOutput("a", Map.of("a", 1f, "b", 0f), Map.of(), Map.of(), 1f, new float[0]))
            .toList();
      }

      @Override
      public void close() {}
    });
  }

  private void writeFake(String version, String content) throws IOException {
    ModelVersions.publish(root, version,
        dir -> Files.writeString(dir.resolve(ModelDescription.FILE), content));
  }

  private static final List<FusionInput> ONE =
      List.of(new FusionInput(Map.of(Modality.TEXT, new float[] {1f})));

  @Test
  void aLeaseKeepsItsVersionOpenAcrossASwapAndReleasesItOnClose() throws Exception {
    writeFake("v1", "{}");
    try (ModelStore store = ModelStore.open(root, this::fake, Duration.ZERO)) {
      ModelStore.Lease lease = store.current();
      writeFake("v2", "{}");
      assertThat(store.refresh()).isTrue();
      assertThat(store.currentVersion()).isEqualTo("v2");
      assertThat(closedVersions).doesNotContain("v1");
      assertThat(lease.version()).isEqualTo("v1");
      assertThat(lease.predict(ONE)).hasSize(1);
      lease.close();
      assertThat(closedVersions).contains("v1");
      assertThatThrownBy(() -> lease.predict(ONE)).isInstanceOf(IllegalStateException.class);
    }
    assertThat(closedVersions).contains("v2");
  }

  @Test
  void aBrokenNewVersionIsSkippedAndTheOldOneKeepsServing() throws Exception {
    writeFake("v9", "{}");
    try (ModelStore store = ModelStore.open(root, this::fake, Duration.ZERO)) {
      writeFake("v10", "broken");
      assertThat(store.refresh()).isFalse();
      assertThat(store.predict(ONE).modelVersion()).isEqualTo("v9");
      writeFake("v11", "{}");
      assertThat(store.refresh()).isTrue();
      assertThat(store.predict(ONE).modelVersion()).isEqualTo("v11");
      assertThat(store.refresh()).isFalse();
    }
  }

  @Test
  void opensOnlyWithAModelAndIgnoresUnfinishedFolders() throws Exception {
    Files.createDirectories(root.resolve(".v0003-staging"));
    Files.writeString(root.resolve(".v0003-staging").resolve(ModelDescription.FILE), "{}");
    Files.createDirectories(root.resolve("v0004")); // no model.json yet
    assertThatThrownBy(() -> ModelStore.open(root, this::fake, Duration.ZERO))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no fusion model");
  }

  @Test
  void versionsOrderNaturallyAndNextFollowsTheNewest() throws Exception {
    writeFake("v9", "{}");
    writeFake("v10", "{}");
    writeFake("v2", "{}");
    assertThat(ModelVersions.list(root).stream().map(p -> p.getFileName().toString()))
        .containsExactly("v2", "v9", "v10");
    assertThat(ModelVersions.next(root)).isEqualTo("v0011");
    assertThat(ModelVersions.next(root.resolve("missing"))).isEqualTo("v0001");
  }

  @Test
  void aVersionThatDoesNotFitTheRunningEncodersIsRefusedAndTheOldOneKeepsServing() throws Exception {
    publish(root, "v0001", quickModel(FusionStrategy.ATTENTION));
    EncoderRequirement running = new EncoderRequirement(ToyWindows.DIMS, Map.of());
    java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    try (ModelStore store = ModelStore.open(root, DjlFusionModel::load, Duration.ZERO, running,
        refused::incrementAndGet)) {
      // A newer version made for a text encoder with one more dimension.
      Path wrong = root.resolve("v0002");
      copyFolder(root.resolve("v0001"), wrong);
      ModelDescription d = ModelDescription.read(wrong);
      Map<String, Integer> dims = new java.util.LinkedHashMap<>(d.inputDims());
      dims.merge("text", 1, Integer::sum);
      new ModelDescription(d.format(), "v0002", d.createdAt(), d.strategy(), d.labels(), dims, d.sharedDim(),
          d.attentionDim(), d.hiddenDim(), d.dropout(), Map.of("text", "other-encoder@1"), d.training(),
          d.temperature(), d.disagreementThreshold()).write(wrong);

      assertThat(store.refresh()).isFalse();
      assertThat(refused.get()).isEqualTo(1);
      assertThat(store.currentVersion()).isEqualTo("v0001");
      assertThat(store.predict(ToyWindows.make(2, 3).stream().map(LabeledWindow::input).toList()).outputs()).hasSize(2);
      assertThat(store.refresh()).as("refused once, not on every poll").isFalse();
      assertThat(refused.get()).isEqualTo(1);
    }
    // At start there is nothing to fall back on: opening fails and names both sides.
    Path onlyWrong = root.resolve("only-wrong");
    copyFolder(root.resolve("v0002"), onlyWrong.resolve("v0002"));
    assertThatThrownBy(() -> ModelStore.open(onlyWrong, DjlFusionModel::load, Duration.ZERO, running, () -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not fit the running encoders")
        .hasMessageContaining("text: the model takes " + (ToyWindows.DIMS.get(Modality.TEXT) + 1) + " dims from other-encoder@1")
        .hasMessageContaining("gives " + ToyWindows.DIMS.get(Modality.TEXT));
  }

  @Test
  void sameSizesFromAnotherEncoderAreRefusedToo() {
    EncoderRequirement running = new EncoderRequirement(Map.of(Modality.TEXT, 384), Map.of(Modality.TEXT, "minilm@1"));
    ModelDescription trainedElsewhere = new ModelDescription(ModelDescription.FORMAT, "v1", "now", "mean",
        List.of("a", "b"), Map.of("text", 384), 8, 8, 8, 0f, Map.of("text", "other@2"), Map.of(), null, null);
    assertThat(running.mismatch(trainedElsewhere)).hasValue(
        "text: the model was trained on other@2, the running encoder is minilm@1");
    ModelDescription same = new ModelDescription(ModelDescription.FORMAT, "v1", "now", "mean",
        List.of("a", "b"), Map.of("text", 384), 8, 8, 8, 0f, Map.of("text", "minilm@1"), Map.of(), null, null);
    assertThat(running.mismatch(same)).isEmpty();
  }

  private static void copyFolder(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
