package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.kpilake.ops.WarehouseLock;
import org.apache.hadoop.conf.Configuration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A nightly run killed with SIGKILL in the middle of ingest and in the middle of publish: readers
 * keep seeing the previous publication, and the rerun ends with exactly the tables of a clean run.
 * A run that finds the warehouse locked exits 1 with a clear message and writes nothing; once the
 * lock is free, a run proceeds.
 */
class CrashAndConcurrencyIT {
  @TempDir Path tmp;
  private Reference ref;
  private KpiCli cli;
  /** The reference landing files and a fresh warehouse for this test. */
  private Map<String, String> env;

  @BeforeEach
  void freshWarehouseOnTheReferenceLanding() throws Exception {
    ref = Reference.get();
    cli = new KpiCli(tmp.resolve("logs"));
    env = Map.of("KPI_LANDING", ref.landing.toString(), "KPI_WAREHOUSE", tmp.resolve("wh").toString());
  }

  @Test
  void killedDuringIngestAndDuringPublishThenRerunEqualsACleanRun() throws Exception {

    KpiCli.Run first = cli.run(tmp, env, "nightly", "--as-of", Reference.FIRST_NIGHT);
    assertEquals(0, first.code(), first.err());
    List<String> previous = KpiCli.checksumsInProcess(env);

    // 1. Killed during ingest: after the first feeds are in, before the others.
    KpiCli.Started run = cli.start(tmp, env, "nightly", "--as-of", Reference.LAST_DAY);
    assertTrue(run.awaitOut("ingest billing/subscriptions", 300), run.err());
    run.kill();
    assertEquals(previous, KpiCli.checksumsInProcess(env), "readers see the previous publication after a kill during ingest");

    // 2. Killed during publish: the gates have passed, tables are being replaced one by one.
    run = cli.start(tmp, env, "nightly", "--as-of", Reference.LAST_DAY);
    assertTrue(run.awaitOut("kpi quality gates", 300), run.err());
    Thread.sleep(1500);
    run.kill();
    assertEquals(previous, KpiCli.checksumsInProcess(env), "readers see the previous publication after a kill during publish");

    // The rerun takes over the dead run's lock and ends with the tables of one clean run.
    KpiCli.Run rerun = cli.run(tmp, env, "nightly", "--as-of", Reference.LAST_DAY);
    assertEquals(0, rerun.code(), rerun.err());
    assertTrue(rerun.out().contains("taking over the warehouse lock"), rerun.out());
    assertEquals(ref.checksums, KpiCli.checksumsInProcess(env));

    // Every landing file is in the ledger exactly once: nothing ingested twice, nothing lost.
    KpiCli.Run ledger = KpiCli.runInProcess(tmp.resolve("conf"), env, "sql", "SELECT count(*) AS files, count(DISTINCT path) AS distinct_files, "
        + "sum(rows_read - rows_accepted - rows_quarantined - rows_duplicate) AS unreconciled FROM ops.ingested_files", "--format", "csv");
    assertEquals(0, ledger.code(), ledger.err());
    String[] f = ledger.out().strip().lines().toList().get(1).split(",");
    assertEquals(f[0], f[1], ledger.out());
    assertEquals("0", f[2], ledger.out());
  }

  /**
   * The lock is held from this JVM (a live process on this host, so it is never taken over) instead
   * of racing two nightlies: the refused run is the same, and the race for the lock file itself is
   * {@code WarehouseLockTest.writersRacingForTheLockAtOnceLeaveExactlyOneHolder}. The warehouse is a
   * copy of the reference run's, so "wrote nothing" is "the reference's tables, unchanged".
   */
  @Test
  void aRunFindingTheWarehouseBusyExitsOneNamingTheHolderAndAFreeWarehouseProceeds() throws Exception {
    Path wh = tmp.resolve("wh");
    copyTree(ref.root.resolve("wh"), wh);
    try (WarehouseLock held = WarehouseLock.acquire(wh.toString(), new Configuration(), "run-held-by-the-test",
        Duration.ZERO, Duration.ofHours(6))) {
      KpiCli.Run loser = cli.run(tmp, env, "nightly", "--as-of", Reference.LAST_DAY);
      assertEquals(1, loser.code(), loser.err());
      assertTrue(loser.err().startsWith("kpi: warehouse busy: the warehouse " + wh + " is in use by run run-held-by-the-test "),
          loser.err());
      assertTrue(!(loser.out() + loser.err()).contains("could not record the run"), "the refused run wrote nothing: " + loser.out());
    }
    // Released: the next run proceeds (nothing new landed, so it publishes nothing new either).
    KpiCli.Run winner = cli.run(tmp, env, "nightly", "--as-of", Reference.LAST_DAY);
    assertEquals(0, winner.code(), winner.err());
    assertEquals(ref.checksums, KpiCli.checksumsInProcess(env));
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
