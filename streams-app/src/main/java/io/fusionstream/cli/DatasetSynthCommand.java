package io.fusionstream.cli;

import io.fusionstream.fusion.Manifest;
import io.fusionstream.fusion.ManifestEntry;
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
        "  ./fusion train --data data/synth/manifest.jsonl --compare"})
public final class DatasetSynthCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--sessions", defaultValue = "400", description = "Sessions to write (default ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--out", required = true, description = "Folder to write into (created if missing).")
  Path out;

  @Option(names = "--seed", defaultValue = "42", description = "Same seed, same files (default ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (sessions < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--sessions must be at least 1");
    }
    Path manifest = SyntheticDataset.generate(out, sessions, seed);
    Map<String, Integer> counts = new TreeMap<>();
    int images = 0;
    int audio = 0;
    int texts = 0;
    for (ManifestEntry e : Manifest.read(manifest).entries()) {
      counts.merge(e.label(), 1, Integer::sum);
      images += e.images().size();
      audio += e.audio().size();
      texts += e.texts().size();
    }
    System.out.printf("wrote %d sessions (%s): %d utterances, %d frames, %d audio chunks%n",
        sessions, counts, texts, images, audio);
    System.out.println("manifest: " + manifest);
    return 0;
  }
}
