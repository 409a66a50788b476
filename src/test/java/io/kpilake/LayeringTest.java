package io.kpilake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Layers point one way (docs/design.md, "Data flow"): no package cycle; the contract's declarations
 * ({@code io.kpilake.contract}) at the bottom; the configuration reads only them; the storage layer
 * ({@code io.kpilake.spark}) builds on the configuration only, never on the ingest, model,
 * metrics, publish or ops code above it. Checked on the sources (this project's own, under
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

  /** Every io.kpilake package and the other packages its sources refer to. */
  private static Map<String, TreeSet<String>> graph() throws IOException {
    Map<String, TreeSet<String>> g = new TreeMap<>();
    try (Stream<Path> dirs = Files.list(Path.of("src/main/java/io/kpilake"))) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        g.put(d.getFileName().toString(), referencedBy(d.getFileName().toString()));
      }
    }
    return g;
  }

  @Test
  void noPackageDependsOnItselfThroughOthers() throws IOException {
    Map<String, TreeSet<String>> g = graph();
    for (String start : g.keySet()) {
      // Depth-first from start's references: reaching start again is a cycle.
      java.util.Deque<List<String>> paths = new java.util.ArrayDeque<>();
      g.get(start).forEach(n -> paths.push(List.of(start, n)));
      java.util.Set<String> seen = new java.util.HashSet<>();
      while (!paths.isEmpty()) {
        List<String> path = paths.pop();
        String last = path.get(path.size() - 1);
        assertTrue(!last.equals(start), "package cycle: " + String.join(" -> ", path));
        if (seen.add(last)) {
          for (String n : g.getOrDefault(last, new TreeSet<>())) {
            List<String> longer = new java.util.ArrayList<>(path);
            longer.add(n);
            paths.push(longer);
          }
        }
      }
    }
  }

  @Test
  void theContractDeclarationsBuildOnNothingOfTheProject() throws IOException {
    // Feeds (feeds.md) and the curated tables (kpis.md) as declarations: every layer reads them.
    assertEquals(new TreeSet<>(), referencedBy("contract"));
  }

  @Test
  void theStorageLayerBuildsOnTheConfigurationOnly() throws IOException {
    assertEquals(new TreeSet<>(List.of("config")), referencedBy("spark"));
  }

  @Test
  void theConfigurationReadsTheContractOnly() throws IOException {
    // Renames and catalog entries are validated against the feed and table declarations
    // (contract.Feeds, contract.PublishedTables); nothing of the jobs that run on the configuration.
    assertEquals(new TreeSet<>(List.of("contract")), referencedBy("config"));
  }

  @Test
  void theModelsBuildOnTheContractAndTheStorageLayerOnly() throws IOException {
    // Transform, the Dataset -> Dataset function every model is, lives in spark; money's type in
    // the contract: the models need nothing of the ingest, the metrics or the publisher.
    assertEquals(new TreeSet<>(List.of("contract", "spark")), referencedBy("model"));
  }

  @Test
  void operationsBuildOnTheStorageLayerAndTheConfigurationOnly() throws IOException {
    // Runs, retries, the writer lock and the gates' verdicts serve ingest, metrics and publish
    // alike: the file ledger and the ingest's own gate live in ingest (Ledger, IngestGates).
    assertEquals(new TreeSet<>(List.of("config", "spark")), referencedBy("ops"));
  }

  @Test
  void thePublisherDoesNotReachIntoTheIngestOrTheModels() throws IOException {
    TreeSet<String> above = referencedBy("publish");
    above.retainAll(List.of("ingest", "model", "metrics", "cli", "bench", "generate"));
    assertEquals(new TreeSet<>(), above);
  }
}
