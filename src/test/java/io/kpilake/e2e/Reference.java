package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The reference the end-to-end tests compare with: generated landing data (40 accounts, 3 months,
 * seed 5, bad records included) and the tables of one clean local nightly run as of its last day,
 * made once per test JVM, in this JVM.
 */
public final class Reference {
  public static final String FIRST_NIGHT = "2024-03-15";
  public static final String LAST_DAY = "2024-03-31";
  private static Reference instance;

  public final Path root;
  public final Path landing;
  public final List<String> checksums;

  private Reference(Path root, Path landing, List<String> checksums) {
    this.root = root;
    this.landing = landing;
    this.checksums = checksums;
  }

  public static synchronized Reference get() throws Exception {
    if (instance == null) {
      Path root = Files.createTempDirectory("kpi-reference-");
      Path landing = root.resolve("landing");
      // Generated and run in this JVM, through the same entry point as bin/kpi (KpiCli#runInProcess):
      // a nightly in a new process, as a user runs it, is what the tests that compare with this
      // reference run themselves (the crash test's rerun, S3, the cluster); a new JVM here cost about
      // 45 s of every CI run (its cold start), for a clean run any warm process computes alike.
      KpiCli.Run gen = KpiCli.runInProcess(root.resolve("conf"), Map.of(), "generate", "--accounts", "40", "--months", "3",
          "--seed", "5", "--out", landing.toString());
      assertEquals(0, gen.code(), gen.err());
      assertEquals("last day: " + LAST_DAY, gen.out().strip());
      Map<String, String> env = Map.of("KPI_LANDING", landing.toString(), "KPI_WAREHOUSE", root.resolve("wh").toString());
      KpiCli.Run nightly = KpiCli.runInProcess(root.resolve("conf"), env, "nightly", "--as-of", LAST_DAY);
      assertEquals(0, nightly.code(), nightly.err());
      // Read in this JVM too: that a new process sees the published tables is proved by the S3 test's
      // and CliEndToEndIT's new-process reads.
      instance = new Reference(root, landing, KpiCli.checksumsInProcess(env));
    }
    return instance;
  }
}
