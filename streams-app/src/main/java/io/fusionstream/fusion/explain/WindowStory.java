package io.fusionstream.fusion.explain;

import io.fusionstream.fusion.Manifest;
import io.fusionstream.fusion.ManifestEntry;
import io.fusionstream.schema.Modality;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the generator did to a window, recorded in its manifest line ({@code meta.story} and {@code
 * meta.story_modality}): the ground truth the explanation metrics are measured against.
 *
 * @param modality the modality the story is about; null for {@link Kind#CLEAN}
 */
public record WindowStory(Kind kind, Modality modality) {
  public static final String META_KIND = "story";
  public static final String META_MODALITY = "story_modality";

  /** The stories a window can have. */
  public enum Kind {
    /** Every modality shows the session's hidden state. */
    CLEAN,
    /** One modality's inputs are pure noise (garbled transcript, random pixels, white noise). */
    NOISE,
    /** One modality shows a state that rules out the label the others point to. */
    CONTRADICT,
    /** One modality has no inputs at all. */
    MISSING;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final WindowStory CLEAN = new WindowStory(Kind.CLEAN, null);

  public WindowStory {
    if (kind == null || (kind == Kind.CLEAN) != (modality == null)) {
      throw new IllegalArgumentException("a clean story names no modality, every other story one: "
          + kind + ", " + modality);
    }
  }

  public boolean is(Kind k, Modality m) {
    return kind == k && modality == m;
  }

  public Map<String, Object> toMeta() {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put(META_KIND, kind.id());
    if (modality != null) {
      meta.put(META_MODALITY, modality.name().toLowerCase(Locale.ROOT));
    }
    return meta;
  }

  /** The story in a manifest line's meta; empty when the line has none (data not from the generator). */
  public static Optional<WindowStory> fromMeta(Map<String, Object> meta) {
    if (meta == null || !(meta.get(META_KIND) instanceof String kind)) {
      return Optional.empty();
    }
    Kind k = Kind.valueOf(kind.toUpperCase(Locale.ROOT));
    Object m = meta.get(META_MODALITY);
    return Optional.of(new WindowStory(k,
        m instanceof String name ? Modality.valueOf(name.toUpperCase(Locale.ROOT)) : null));
  }

  /** Session id to story, for the lines that record one. */
  public static Map<String, WindowStory> of(Manifest manifest) {
    Map<String, WindowStory> stories = new HashMap<>();
    for (ManifestEntry e : manifest.entries()) {
      fromMeta(e.meta()).ifPresent(s -> stories.put(e.sessionId(), s));
    }
    return stories;
  }

  @Override
  public String toString() {
    return modality == null ? kind.id() : kind.id() + " " + modality.name().toLowerCase(Locale.ROOT);
  }
}
