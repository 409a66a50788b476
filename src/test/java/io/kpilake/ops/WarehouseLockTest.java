package io.kpilake.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per warehouse: a second run is refused (or waits), a dead holder's lock is taken over. */
class WarehouseLockTest {
  private static final Duration NO_WAIT = Duration.ZERO;
  private static final Duration HOURS = Duration.ofHours(6);
  private final Configuration conf = new Configuration();
  @TempDir Path wh;

  @Test
  void aSecondWriterIsRefusedNamingTheHolderUntilTheFirstReleases() {
    WarehouseLock first = WarehouseLock.acquire(wh.toString(), conf, "run-A", NO_WAIT, HOURS);
    WarehouseLock.Busy busy = assertThrows(WarehouseLock.Busy.class,
        () -> WarehouseLock.acquire(wh.toString(), conf, "run-B", NO_WAIT, HOURS));
    assertTrue(busy.getMessage().contains("in use by run run-A"), busy.getMessage());
    assertTrue(busy.getMessage().contains("pid " + ProcessHandle.current().pid()), busy.getMessage());
    first.close();
    assertFalse(Files.exists(wh.resolve(WarehouseLock.FILE)));
    WarehouseLock.acquire(wh.toString(), conf, "run-B", NO_WAIT, HOURS).close();
  }

  @Test
  void aWaitingWriterProceedsWhenTheHolderReleases() throws Exception {
    WarehouseLock first = WarehouseLock.acquire(wh.toString(), conf, "run-A", NO_WAIT, HOURS);
    CompletableFuture<WarehouseLock> second = CompletableFuture.supplyAsync(
        () -> WarehouseLock.acquire(wh.toString(), conf, "run-B", Duration.ofSeconds(30), HOURS));
    Thread.sleep(1500);
    assertFalse(second.isDone(), "the second run waits while the first holds the lock");
    first.close();
    second.get(20, TimeUnit.SECONDS).close();
  }

  @Test
  void theLockOfAKilledProcessOnThisHostIsTakenOverAtOnce() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    String host = java.net.InetAddress.getLocalHost().getHostName();
    Files.writeString(wh.resolve(WarehouseLock.FILE),
        "run_id=run-dead\nhost=" + host + "\npid=" + p.pid() + "\nstarted=2026-01-01T00:00:00Z\n");
    WarehouseLock.acquire(wh.toString(), conf, "run-C", NO_WAIT, HOURS).close();
  }

  @Test
  void aLockFromAnotherHostIsRespectedUntilItIsStale() throws Exception {
    Path lock = wh.resolve(WarehouseLock.FILE);
    Files.writeString(lock, "run_id=run-remote\nhost=another-host\npid=1\nstarted=2026-01-01T00:00:00Z\n");
    assertThrows(WarehouseLock.Busy.class, () -> WarehouseLock.acquire(wh.toString(), conf, "run-D", NO_WAIT, HOURS));
    Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7 * 3600_000L));
    WarehouseLock.acquire(wh.toString(), conf, "run-D", NO_WAIT, HOURS).close();
  }

  @Test
  void writersRacingForTheLockAtOnceLeaveExactlyOneHolder() throws Exception {
    // Eight writers released together: the exclusive create lets exactly one in, the other seven are
    // refused naming it (what two nightlies started at once on one warehouse see).
    int writers = 8;
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
    try {
      List<java.util.concurrent.Future<WarehouseLock>> tries = new java.util.ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String run = "run-" + i;
        tries.add(pool.submit(() -> {
          start.await();
          return WarehouseLock.acquire(wh.toString(), conf, run, NO_WAIT, HOURS);
        }));
      }
      List<WarehouseLock> holders = new java.util.ArrayList<>();
      List<String> refusals = new java.util.ArrayList<>();
      for (java.util.concurrent.Future<WarehouseLock> t : tries) {
        try {
          holders.add(t.get(30, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
          assertTrue(e.getCause() instanceof WarehouseLock.Busy, String.valueOf(e.getCause()));
          refusals.add(e.getCause().getMessage());
        }
      }
      assertEquals(1, holders.size(), "holders: " + holders.size() + ", refusals: " + refusals);
      assertEquals(writers - 1, refusals.size());
      String holder = Files.readString(wh.resolve(WarehouseLock.FILE)).lines().filter(l -> l.startsWith("run_id="))
          .findFirst().orElseThrow().substring("run_id=".length());
      for (String r : refusals) {
        assertTrue(r.contains("in use by run " + holder + " "), r);
      }
      holders.get(0).close();
      assertFalse(Files.exists(wh.resolve(WarehouseLock.FILE)));
    } finally {
      pool.shutdownNow();
    }
  }
}
