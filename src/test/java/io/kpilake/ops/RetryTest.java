package io.kpilake.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Transient storage errors are retried with a bound and a doubling wait; nothing else is retried. */
class RetryTest {
  private final List<Duration> waits = new ArrayList<>();
  private final Retry retry = new Retry(3, Duration.ofSeconds(2), waits::add);

  private static RuntimeException storage(String why) {
    // As Spark and Hadoop report it: an IOException wrapped, possibly more than once.
    return new IllegalStateException("Job aborted", new UncheckedIOException(new ConnectException(why)));
  }

  @Test
  void aStepThatHealsSucceedsAfterWaitingTwoThenFourSeconds() {
    AtomicInteger calls = new AtomicInteger();
    String out = retry.call("ingest billing/invoice_lines", () -> {
      if (calls.incrementAndGet() < 3) {
        throw storage("Connection refused");
      }
      return "done";
    });
    assertEquals("done", out);
    assertEquals(3, calls.get());
    assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(4)), waits);
  }

  @Test
  void aStepThatKeepsFailingFailsTheRunAfterTheLastAttemptNamingStepAndCause() {
    AtomicInteger calls = new AtomicInteger();
    Retry.StorageFailure f = assertThrows(Retry.StorageFailure.class, () -> retry.run("publish kpi.ltv", () -> {
      calls.incrementAndGet();
      throw storage("Connection refused");
    }));
    assertEquals(3, calls.get());
    assertEquals(2, waits.size());
    assertEquals("publish kpi.ltv failed 3 time(s), giving up: ConnectException: Connection refused",
        f.getMessage());
  }

  @Test
  void dataErrorsGatesAndMissingFilesAreNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    RuntimeException gate = new QualityGateFailure("mrr-bridge: 2 rows");
    assertSame(gate, assertThrows(QualityGateFailure.class, () -> retry.run("kpis", () -> {
      calls.incrementAndGet();
      throw gate;
    })));
    assertThrows(UncheckedIOException.class, () -> retry.run("listing", () -> {
      calls.incrementAndGet();
      throw new UncheckedIOException(new FileNotFoundException("landing/x.csv"));
    }));
    assertEquals(2, calls.get());
    assertTrue(waits.isEmpty());
    assertTrue(Retry.isTransientStorageError(new RuntimeException(new IOException("503 Slow Down"))));
  }
}
