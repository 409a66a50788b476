package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.ops.WarehouseLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One warehouse through the writer's hard cases, in the order a scheduler meets them. A run that
 * finds the warehouse locked exits 1 with a clear message and writes nothing; once the lock is free,
 * a run proceeds. A nightly run killed with SIGKILL in the middle of ingest and in the middle of
 * publish: readers keep seeing the previous publication, and the rerun ends with exactly the tables
 * of a clean run.
 *
 * <p>One test, not two: the run that proceeds once the lock is free is the first night the kills
 * then interrupt (before, a second test copied the reference warehouse and ran a whole nightly
 * again only to show that a free warehouse proceeds).
 */
class CrashAndConcurrencyIT {
  @TempDir Path tmp;

  /**
   * The lock is held from this JVM (a live process on this host, so it is never taken over) instead
   * of racing two nightlies: the refused run is the same, and the race for the lock file itself is
   * {@code WarehouseLockTest.writersRacingForTheLockAtOnceLeaveExactlyOneHolder}. The warehouse is
   * new, so "wrote nothing" is "nothing in it but the test's lock file".
   */
  @Test
  void busyThenFreeThenKilledDuringIngestAndDuringPublishThenRerunEqualsACleanRun() throws Exception {
    Reference ref = Reference.get();
    KpiCli cli = new KpiCli(tmp.resolve("logs"));
    Path wh = tmp.resolve("wh");
    Map<String, String> env = Map.of("KPI_LANDING", ref.landing.toString(), "KPI_WAREHOUSE", wh.toString());

    // 0. Busy: the warehouse is in use by another writer.
    Files.createDirectories(wh);
    try (WarehouseLock held = WarehouseLock.acquire(wh.toString(), new Configuration(), "run-held-by-the-test",
        Duration.ZERO, Duration.ofHours(6))) {
      KpiCli.Run loser = cli.run(tmp, env, "nightly", "--as-of", Reference.FIRST_NIGHT);
      assertEquals(1, loser.code(), loser.err());
      assertTrue(loser.err().startsWith("kpi: warehouse busy: the warehouse " + wh + " is in use by run run-held-by-the-test "),
          loser.err());
      assertTrue(!(loser.out() + loser.err()).contains("could not record the run"), "the refused run wrote nothing: " + loser.out());
      try (java.util.stream.Stream<Path> files = Files.list(wh)) {
        assertEquals(List.of(WarehouseLock.FILE), files.map(f -> f.getFileName().toString()).toList(),
            "the refused run wrote nothing to the warehouse");
      }
    }

    // Released: the next run proceeds; it is the previous publication of what follows. It runs in
    // this JVM (Main.run, as bin/kpi does; a new process costs about 35 s more here): the kills and
    // the rerun below are the new processes this test is about.
    KpiCli.Run first = KpiCli.runInProcess(tmp.resolve("conf"), env, "nightly", "--as-of", Reference.FIRST_NIGHT);
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
}
