package io.kpilake.ops;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded retries of idempotent storage steps. A failure is retried only when it is a transient
 * storage error: an {@link IOException} somewhere in its causes, other than a missing file or a
 * denied access (those do not heal by waiting). Data errors, quality gates and bugs fail at once.
 * After the last attempt the run fails with a {@link StorageFailure} naming the step, the number of
 * attempts and the last error.
 */
public final class Retry {
  private static final Logger LOG = LoggerFactory.getLogger("io.kpilake.progress");

  private final int attempts;
  private final Duration backoff;
  private final Sleeper sleeper;

  /** How to wait between attempts (tests pass one that records instead of sleeping). */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  public Retry(int attempts, Duration backoff) {
    this(attempts, backoff, d -> Thread.sleep(d.toMillis()));
  }

  public Retry(int attempts, Duration backoff, Sleeper sleeper) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
    }
    this.attempts = attempts;
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  /** From {@code kpi.ops.retry}. */
  public static Retry of(io.kpilake.config.KpiConfig.OpsSettings ops) {
    return new Retry(ops.retryAttempts(), Duration.ofMillis(Math.round(ops.retryBackoffSeconds() * 1000)));
  }

  /** The run failed on storage: a step kept failing with transient storage errors. */
  public static final class StorageFailure extends RuntimeException {
    public StorageFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Runs {@code step}, retrying it on transient storage errors. */
  public <T> T call(String what, Supplier<T> step) {
    Duration wait = backoff;
    for (int attempt = 1; ; attempt++) {
      try {
        return step.get();
      } catch (Exception e) {
        // Exception, not RuntimeException: Spark and Delta throw AnalysisException (checked to Java,
        // never declared). The project catches Exception wherever a step records its failure.
        if (!isTransientStorageError(e)) {
          throw e;
        }
        if (attempt >= attempts) {
          throw new StorageFailure(what + " failed " + attempts + " time(s), giving up: "
              + rootMessage(e), e);
        }
        LOG.warn("{}: transient storage error (attempt {} of {}), retrying in {} ms: {}", what, attempt, attempts,
            wait.toMillis(), rootMessage(e));
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        wait = wait.multipliedBy(2);
      }
    }
  }

  /** As {@link #call}, for steps with no result. */
  public void run(String what, Runnable step) {
    call(what, () -> {
      step.run();
      return null;
    });
  }

  /** An IOException in the causes, other than a missing file or denied access. */
  public static boolean isTransientStorageError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof FileNotFoundException || c instanceof AccessDeniedException) {
        return false;
      }
      if (c instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
