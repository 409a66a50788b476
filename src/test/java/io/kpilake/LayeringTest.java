package io.kpilake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Layers point one way (docs/design.md, "Data flow"): the storage layer ({@code io.kpilake.spark})
 * builds on the configuration only, never on the ingest, model, metrics, publish or ops code above
 * it, and the configuration on no job. Checked on the sources (this project's own, under
 * {@code src/main/java}).
 */
class LayeringTest {
  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.kpilake\\.([a-z]+)\\b");

  /** The other io.kpilake packages that the sources of {@code pkg} refer to. */
  private static TreeSet<String> referencedBy(String pkg) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/kpilake", pkg))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = REFERENCE.matcher(Files.readString(f));
        while (m.find()) {
          // Packages only (a logger category such as io.kpilake.progress is no package).
          if (!m.group(1).equals(pkg) && Files.isDirectory(Path.of("src/main/java/io/kpilake", m.group(1)))) {
            out.add(m.group(1));
          }
        }
      }
    }
    return out;
  }

  @Test
  void theStorageLayerBuildsOnTheConfigurationOnly() throws IOException {
    assertEquals(new TreeSet<>(List.of("config")), referencedBy("spark"));
  }

  @Test
  void theConfigurationReadsDeclarationsNotJobs() throws IOException {
    // Validating renames and catalog entries reads the feed and table declarations (ingest.Feeds,
    // publish.KpiTable); nothing of the jobs, models or metrics that run on the configuration.
    TreeSet<String> jobs = referencedBy("config");
    jobs.retainAll(List.of("metrics", "model", "ops", "cli", "bench", "generate"));
    assertEquals(new TreeSet<>(), jobs);
  }

  @Test
  void theModelsBuildOnTheStorageLayerOnly() throws IOException {
    // Transform, the Dataset -> Dataset function every model is, lives in spark: the models need
    // nothing of the ingest, the metrics or the publisher.
    assertEquals(new TreeSet<>(List.of("spark")), referencedBy("model"));
  }

  @Test
  void operationsBuildOnTheStorageLayerAndTheConfigurationOnly() throws IOException {
    // Runs, retries, the writer lock and the gates' verdicts serve ingest, metrics and publish
    // alike: the file ledger and the ingest's own gate live in ingest (Ledger, IngestGates).
    assertEquals(new TreeSet<>(List.of("config", "spark")), referencedBy("ops"));
  }
}
