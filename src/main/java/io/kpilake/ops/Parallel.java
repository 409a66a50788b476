package io.kpilake.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Runs independent steps of a run a few at a time (the feeds of ingest, the tables of publish).
 * Each step runs to its end even when another fails; results come back in the items' order, and
 * the first failure in that order is thrown with the others attached as suppressed. Spark jobs
 * started by a step inherit the caller's job group and local properties (threads are created by
 * the caller's thread), unless the step sets its own.
 */
public final class Parallel {
  private Parallel() {}

  /** The results of {@code step} over {@code items}, {@code threads} at a time, in the items' order. */
  public static <T, R> List<R> map(List<T> items, int threads, String threadName, Function<T, R> step) {
    List<R> out = new ArrayList<>();
    forEach(items, threads, threadName, step, out::add);
    return out;
  }

  /**
   * Like {@link #map}, handing each successful result to {@code done} in the items' order, also
   * those of the steps that succeeded when another failed (before the failure is thrown).
   */
  public static <T, R> void forEach(List<T> items, int threads, String threadName, Function<T, R> step,
      java.util.function.Consumer<R> done) {
    forEach(items, null, threads, threadName, step, done);
  }

  /**
   * Like {@link #forEach(List, int, String, Function, java.util.function.Consumer)}, starting the
   * items in {@code startOrder} (null: the items' order), for instance the largest first, so that
   * the last step to finish is not a large one started late. Results and failures still come in the
   * items' order.
   */
  public static <T, R> void forEach(List<T> items, java.util.Comparator<? super T> startOrder, int threads, String threadName,
      Function<T, R> step, java.util.function.Consumer<R> done) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, items.size())), r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    try {
      List<Integer> starts = new ArrayList<>(java.util.stream.IntStream.range(0, items.size()).boxed().toList());
      if (startOrder != null) {
        starts.sort((a, b) -> startOrder.compare(items.get(a), items.get(b)));
      }
      List<Future<R>> futures = new ArrayList<>(java.util.Collections.nCopies(items.size(), null));
      for (int i : starts) {
        T item = items.get(i);
        futures.set(i, pool.submit(() -> step.apply(item)));
      }
      RuntimeException first = null;
      for (Future<R> f : futures) {
        try {
          done.accept(f.get());
        } catch (ExecutionException e) {
          // Spark's AnalysisException is checked in Java but thrown undeclared: keep it as the cause.
          RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
              : new IllegalStateException(e.getCause().getMessage(), e.getCause());
          if (first == null) {
            first = cause;
          } else {
            first.addSuppressed(cause);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for " + threadName, e);
        }
      }
      if (first != null) {
        throw first;
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
