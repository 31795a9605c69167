package io.fusionstream.fusion;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One line of a training manifest (JSONL): a session window, its label and its inputs. Image and
 * audio paths are relative to the manifest's folder (or absolute); texts are inline. Any of the
 * three lists may be empty: that modality is absent from the window.
 *
 * @param meta optional free-form facts about the window (the synthetic generator records its
 *     hidden variables here); ignored by training
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManifestEntry(
    @JsonProperty("session_id") String sessionId,
    String label,
    List<String> texts,
    List<String> images,
    List<String> audio,
    Map<String, Object> meta) {

  public ManifestEntry {
    if (sessionId == null || sessionId.isBlank() || label == null || label.isBlank()) {
      throw new IllegalArgumentException("a manifest line needs session_id and label");
    }
    texts = texts == null ? List.of() : List.copyOf(texts);
    images = images == null ? List.of() : List.copyOf(images);
    audio = audio == null ? List.of() : List.copyOf(audio);
  }
}
