package io.kpilake.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per warehouse: {@code <warehouse>/_kpi_writer.lock}, created exclusively (O_EXCL on
 * local disks, {@code overwrite = false} on HDFS; on S3 it is a best-effort guard, see the README:
 * schedule a single writer there). The file names the holder (run, host, pid, start). A lock left by a dead
 * process on this host (SIGKILL, OOM) is taken over at once; one from another host after {@code
 * kpi.ops.lock-stale-after-minutes}. Delta's own optimistic concurrency still protects each table.
 */
public final class WarehouseLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.kpilake.progress");
  public static final String FILE = "_kpi_writer.lock";

  private final FileSystem fs;
  private final Path path;

  private WarehouseLock(FileSystem fs, Path path) {
    this.fs = fs;
    this.path = path;
  }

  /** Another run holds the warehouse (exit 1 with this message). */
  public static final class Busy extends RuntimeException {
    Busy(String message) {
      super(message);
    }
  }

  public static WarehouseLock acquire(String warehouseRoot, Configuration conf, String runId, Duration wait,
      Duration staleAfter) {
    Path path = new Path(warehouseRoot, FILE);
    try {
      FileSystem fs = path.getFileSystem(conf);
      fs.mkdirs(path.getParent());
      Instant deadline = Instant.now().plus(wait);
      boolean announced = false;
      int unreadable = 0;
      while (true) {
        if (tryCreate(fs, path, runId)) {
          return new WarehouseLock(fs, path);
        }
        Properties holder = read(fs, path);
        if (holder.isEmpty() && unreadable++ < 40) {
          // Created but not written yet by a writer that won the race a moment ago (or released
          // since): read again shortly, so a refusal names the holder.
          Thread.sleep(25);
          continue;
        }
        if (runId.equals(holder.getProperty("run_id"))) {
          return new WarehouseLock(fs, path); // an earlier attempt of this run took it, then failed to hear so
        }
        String abandoned = abandonedWhy(fs, path, holder, staleAfter);
        if (abandoned != null) {
          LOG.warn("taking over the warehouse lock of run {}: {}", holder.getProperty("run_id", "?"), abandoned);
          fs.delete(path, false);
          continue;
        }
        if (!Instant.now().isBefore(deadline)) {
          throw new Busy("the warehouse " + warehouseRoot + " is in use by run " + holder.getProperty("run_id", "?")
              + " (host " + holder.getProperty("host", "?") + ", pid " + holder.getProperty("pid", "?") + ", since "
              + holder.getProperty("started", "?") + "); only one run may write at a time. Wait for it to finish"
              + " (kpi.ops.lock-wait-seconds), or delete " + path + " if that process is gone");
        }
        if (!announced) {
          LOG.info("waiting up to {} s for run {} to release the warehouse", wait.toSeconds(), holder.getProperty("run_id"));
          announced = true;
        }
        Thread.sleep(1000);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not take the warehouse lock " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the warehouse lock", e);
    }
  }

  private static boolean tryCreate(FileSystem fs, Path path, String runId) throws IOException {
    Properties p = new Properties();
    p.setProperty("run_id", runId);
    p.setProperty("host", host());
    p.setProperty("pid", String.valueOf(ProcessHandle.current().pid()));
    p.setProperty("started", Instant.now().toString());
    java.io.StringWriter text = new java.io.StringWriter();
    p.store(text, "KPI Lake writer lock");
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    if ("file".equals(fs.getUri().getScheme())) {
      // Hadoop's local create(overwrite = false) checks, then creates; O_EXCL is atomic.
      try {
        java.nio.file.Files.write(java.nio.file.Paths.get(fs.makeQualified(path).toUri()), bytes,
            java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        return true;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream out = fs.create(path, false)) {
      out.write(bytes);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      // Local and HDFS file systems report an existing file this way too.
      if (fs.exists(path)) {
        return false;
      }
      throw e;
    }
  }

  private static Properties read(FileSystem fs, Path path) throws IOException {
    Properties p = new Properties();
    try (InputStream in = fs.open(path)) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (java.io.FileNotFoundException e) {
      // released between our create and our read: the next attempt will tell
    }
    return p;
  }

  /** Why the current lock is abandoned, or null when its holder may still be running. */
  private static String abandonedWhy(FileSystem fs, Path path, Properties holder, Duration staleAfter)
      throws IOException {
    if (holder.isEmpty()) {
      return fs.exists(path) ? null : "released";
    }
    if (host().equals(holder.getProperty("host"))) {
      long pid = Long.parseLong(holder.getProperty("pid", "-1"));
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return null;
      }
      return "process " + pid + " on this host is gone";
    }
    Instant modified = Instant.ofEpochMilli(fs.getFileStatus(path).getModificationTime());
    if (modified.plus(staleAfter).isBefore(Instant.now())) {
      return "held since " + modified + ", longer than kpi.ops.lock-stale-after-minutes";
    }
    return null;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  @Override
  public void close() {
    try {
      fs.delete(path, false);
    } catch (IOException e) {
      LOG.warn("could not release the warehouse lock {}: {}", path, e.getMessage());
    }
  }
}
