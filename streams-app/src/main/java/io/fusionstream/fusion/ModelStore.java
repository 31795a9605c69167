package io.fusionstream.fusion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the newest model version of a model directory and switches to a newer one when it
 * appears, without a restart. The switch is atomic: each call works with exactly one version, and
 * an old version is closed only after the last call using it has returned.
 *
 * <p>The directory holds version folders ({@link ModelVersions}); a directory that is itself a
 * saved model (has model.json) is served as a single fixed version.
 */
public final class ModelStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelStore.class);

  /** Loads one saved model folder. */
  @FunctionalInterface
  public interface Loader {
    FusionModel load(Path dir) throws IOException;
  }

  /** The outputs of one batch and the version of the model that made them. */
  public record Versioned(String modelVersion, List<FusionOutput> outputs) {}

  private final Path root;
  private final Loader loader;
  private final EncoderRequirement requirement;
  private final Runnable onRefused;
  private final AtomicReference<Entry> current = new AtomicReference<>();
  private final Map<Path, FileTime> failed = new HashMap<>();
  private final ScheduledExecutorService watcher;
  private volatile boolean closed;

  private ModelStore(Path root, Loader loader, EncoderRequirement requirement, Runnable onRefused) {
    this.root = root;
    this.loader = loader;
    this.requirement = requirement;
    this.onRefused = onRefused;
    this.watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "fusion-model-watch");
              t.setDaemon(true);
              return t;
            });
  }

  /** Opens {@code root} with DJL models, polling for new versions every {@code poll}. */
  public static ModelStore open(Path root, Duration poll) throws IOException {
    return open(root, DjlFusionModel::load, poll);
  }

  /**
   * Loads the newest version now (failing if there is none) and, if {@code poll} is positive,
   * checks for newer ones in the background at that interval.
   */
  public static ModelStore open(Path root, Loader loader, Duration poll) throws IOException {
    return open(root, loader, poll, null, () -> {});
  }

  /**
   * Like {@link #open(Path, Loader, Duration)}, serving only versions that fit the running
   * encoders: a version that does not is refused with one log line and {@code onRefused} (the
   * current one keeps serving), and if the newest version at start does not fit, opening fails
   * with a message naming both sides.
   */
  public static ModelStore open(Path root, Loader loader, Duration poll, EncoderRequirement requirement,
      Runnable onRefused) throws IOException {
    ModelStore store = new ModelStore(root, loader, requirement, onRefused);
    try {
      if (!store.refresh()) {
        throw new IOException("no fusion model in " + root + " (expected version folders with "
            + ModelDescription.FILE + ")");
      }
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    if (!poll.isZero() && !poll.isNegative()) {
      store.watcher.scheduleWithFixedDelay(
          store::refreshQuietly, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
    }
    return store;
  }

  /**
   * The model serving now, held until the returned lease is closed: use try-with-resources so a
   * replaced version can be closed once its last user is done.
   */
  public Lease current() {
    while (true) {
      Entry e = current.get();
      if (e == null || closed) {
        throw new IllegalStateException("the model store of " + root + " is closed");
      }
      if (e.retain()) {
        return new Lease(e);
      }
      // lost a race with a swap that released this entry; the next one is already installed
    }
  }

  /** Predicts with the current version and says which version that was. */
  public Versioned predict(List<FusionInput> batch) {
    try (Lease lease = current()) {
      return new Versioned(lease.version(), lease.predict(batch));
    }
  }

  public String currentVersion() {
    try (Lease lease = current()) {
      return lease.version();
    }
  }

  /**
   * Loads the newest version if it is not the one serving; returns whether the store switched.
   * A version that fails to load is logged and skipped until its model.json changes.
   */
  public synchronized boolean refresh() throws IOException {
    if (closed) {
      return false;
    }
    Optional<Path> newest =
        Files.isRegularFile(root.resolve(ModelDescription.FILE))
            ? Optional.of(root)
            : ModelVersions.newest(root);
    if (newest.isEmpty()) {
      return false;
    }
    Path dir = newest.get();
    Entry serving = current.get();
    if (serving != null && serving.dir.equals(dir)) {
      return false;
    }
    FileTime stamp = Files.getLastModifiedTime(dir.resolve(ModelDescription.FILE));
    if (stamp.equals(failed.get(dir))) {
      return false;
    }
    if (requirement != null) {
      Optional<String> mismatch = requirement.mismatch(ModelDescription.read(dir));
      if (mismatch.isPresent()) {
        failed.put(dir, stamp);
        if (serving == null) {
          throw new IOException("fusion model " + dir + " does not fit the running encoders: " + mismatch.get());
        }
        onRefused.run();
        LOG.warn("Refused fusion model {}: it does not fit the running encoders ({}); still serving {}", dir,
            mismatch.get(), serving.model.version());
        return false;
      }
    }
    FusionModel model;
    try {
      model = loader.load(dir);
    } catch (IOException | RuntimeException e) {
      failed.put(dir, stamp);
      if (serving == null) {
        throw new IOException("cannot load fusion model " + dir, e);
      }
      LOG.warn("new fusion model {} does not load, still serving {}", dir, serving.model.version(), e);
      return false;
    }
    Entry previous = current.getAndSet(new Entry(dir, model));
    LOG.info("fusion model {} now serving (from {})", model.version(), dir);
    if (previous != null) {
      previous.release();
    }
    return true;
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (IOException | RuntimeException e) {
      LOG.warn("checking {} for new fusion models failed", root, e);
    }
  }

  @Override
  public void close() {
    watcher.shutdownNow();
    synchronized (this) {
      closed = true;
      Entry e = current.getAndSet(null);
      if (e != null) {
        e.release();
      }
    }
  }

  /** A model version and how many holders it has; the store itself is one until a swap. */
  private static final class Entry {
    final Path dir;
    final FusionModel model;
    final AtomicInteger holders = new AtomicInteger(1);

    Entry(Path dir, FusionModel model) {
      this.dir = dir;
      this.model = model;
    }

    boolean retain() {
      while (true) {
        int n = holders.get();
        if (n == 0) {
          return false;
        }
        if (holders.compareAndSet(n, n + 1)) {
          return true;
        }
      }
    }

    void release() {
      if (holders.decrementAndGet() == 0) {
        model.close();
      }
    }
  }

  /** One holder's use of a model version; closing it releases the version, not the model. */
  public static final class Lease implements FusionModel {
    private final Entry entry;
    private final AtomicInteger open = new AtomicInteger(1);

    private Lease(Entry entry) {
      this.entry = entry;
    }

    @Override
    public String version() {
      return entry.model.version();
    }

    @Override
    public List<String> labels() {
      return entry.model.labels();
    }

    @Override
    public ModelCalibration calibration() {
      return entry.model.calibration();
    }

    @Override
    public List<FusionOutput> predict(List<FusionInput> batch) {
      if (open.get() == 0) {
        throw new IllegalStateException("lease on fusion model " + version() + " is closed");
      }
      return entry.model.predict(batch);
    }

    @Override
    public void close() {
      if (open.compareAndSet(1, 0)) {
        entry.release();
      }
    }
  }
}
