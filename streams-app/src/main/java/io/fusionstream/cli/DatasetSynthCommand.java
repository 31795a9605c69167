package io.fusionstream.cli;

import io.fusionstream.fusion.Manifest;
import io.fusionstream.fusion.ManifestEntry;
import io.fusionstream.fusion.explain.WindowStory;
import io.fusionstream.fusion.synth.SyntheticDataset;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes the synthetic multimodal dataset the demo and the tests train on. */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
      "Write a reproducible synthetic multimodal dataset: utterances, face frames (PNG), voice"
          + " chunks (16 kHz WAV) and manifest.jsonl.",
      "Labels positive/neutral/negative need both valence (text, face) and arousal (voice), so"
          + " each modality alone is weak and together they are strong."
    },
    footer = {"", "Example:", "  ./fusion dataset synth --sessions 400 --out data/synth",
        "  ./fusion dataset synth --sessions 6000 --stories --seed 2027 --out data/stories",
        "  ./fusion train --data data/synth/manifest.jsonl --compare"})
public final class DatasetSynthCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--sessions", defaultValue = "400", description = "Sessions to write (default ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--out", required = true, description = "Folder to write into (created if missing).")
  Path out;

  @Option(names = "--seed", defaultValue = "42", description = "Same seed, same files (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--stories", description = "Give every session one known story, recorded in the manifest:"
      + " clean, one modality noise, one missing or one contradicting (see docs/fusion.md). The ground truth of"
      + " ./fusion evaluate's explanation figures.")
  boolean stories;

  @Override
  public Integer call() throws Exception {
    if (sessions < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--sessions must be at least 1");
    }
    Path manifest = SyntheticDataset.generate(out, sessions, seed, stories);
    Map<String, Integer> counts = new TreeMap<>();
    Map<String, Integer> storyCounts = new TreeMap<>();
    int images = 0;
    int audio = 0;
    int texts = 0;
    for (ManifestEntry e : Manifest.read(manifest).entries()) {
      counts.merge(e.label(), 1, Integer::sum);
      images += e.images().size();
      audio += e.audio().size();
      texts += e.texts().size();
      WindowStory.fromMeta(e.meta()).ifPresent(st -> storyCounts.merge(st.toString(), 1, Integer::sum));
    }
    System.out.printf("wrote %d sessions (%s): %d utterances, %d frames, %d audio chunks%n",
        sessions, counts, texts, images, audio);
    if (stories) {
      System.out.println("stories: " + storyCounts);
    }
    System.out.println("manifest: " + manifest);
    return 0;
  }
}
