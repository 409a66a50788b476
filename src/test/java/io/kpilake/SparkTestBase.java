package io.kpilake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kpilake.config.ConfigLoader;
import io.kpilake.config.KpiConfig;
import io.kpilake.spark.Sessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.io.TempDir;

/**
 * One SparkSession per test JVM (local[2], 2 shuffle partitions, UI off), plus helpers for inline
 * landing fixtures and order-independent row comparison.
 */
public abstract class SparkTestBase {
  private static SparkSession spark;

  @TempDir protected Path tmp;

  protected static synchronized SparkSession spark() {
    if (spark == null) {
      spark = Sessions.create(testConfig("unused", "unused"));
    }
    return spark;
  }

  /** Defaults with test Spark settings and the given landing and warehouse. */
  protected static KpiConfig testConfig(String landing, String warehouse) {
    KpiConfig d = ConfigLoader.load(null, Map.of());
    KpiConfig.SparkSettings s = new KpiConfig.SparkSettings("local[2]", "kpi-lake-tests", 2, 0, false, 64L << 20, Map.of());
    return d.withPaths(landing, warehouse).withSpark(s, d.ingest().withMinPartitions(2));
  }

  protected KpiConfig config() {
    spark();
    return testConfig(landing().toString(), tmp.resolve("warehouse").toString());
  }

  protected Path landing() {
    return tmp.resolve("landing");
  }

  /** Writes {@code <landing>/<feed>/dt=<dt>/<name>} with the given lines. */
  protected Path deliver(String feed, String dt, String name, String... lines) {
    Path p = landing().resolve(feed).resolve("dt=" + dt).resolve(name);
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** Rows as comma-joined strings, sorted: compare with {@link #assertRows}. */
  protected static List<String> rows(Dataset<Row> df) {
    List<String> out = new ArrayList<>();
    for (Row r : df.collectAsList()) {
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < r.length(); i++) {
        cells.add(String.valueOf(r.get(i)));
      }
      out.add(String.join(",", cells));
    }
    out.sort(null);
    return out;
  }

  /** Order-independent comparison of a result with expected comma-joined rows. */
  protected static void assertRows(Dataset<Row> df, String... expected) {
    List<String> want = new ArrayList<>(Arrays.asList(expected));
    want.sort(null);
    assertEquals(want, rows(df));
  }
}
