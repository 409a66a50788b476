package io.kpilake.spark.fs;

import org.apache.hadoop.fs.LocalFileSystem;

/**
 * {@code file:} for Hadoop's {@code FileSystem} API (Spark's and Parquet's writers and readers):
 * Hadoop's checksummed local file system over {@link ShellFreeRawLocalFileSystem}.
 */
public class ShellFreeLocalFileSystem extends LocalFileSystem {
  public ShellFreeLocalFileSystem() {
    super(new ShellFreeRawLocalFileSystem());
  }
}
